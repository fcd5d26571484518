package main

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/internal/testenv"
	"github.com/h2kit/h2kit/pki"
)

// startPushPage serves servePushPage alone over TLS.
func startPushPage(t *testing.T) string {
	t.Helper()
	cert, err := pki.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &h2server.Server{Handler: handler.FactoryFunc(func(s *handler.Stream) {
		if !isPushPath(s.Path()) {
			s.SendResponse(404, nil, nil)
			return
		}
		servePushPage(s)
	}), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	})
	return ln.Addr().String()
}

// nghttp accepts the pushes: five PUSH_PROMISE frames, five pushed
// responses, and a page that says so.
func TestPushPageNghttp(t *testing.T) {
	nghttp := testenv.RequireTool(t, "nghttp", "nghttp2-client")
	addr := startPushPage(t)
	out, err := exec.Command(nghttp, "-v", "https://"+addr+pushPage).CombinedOutput()
	if err != nil {
		t.Fatalf("nghttp: %v\n%s", err, out)
	}
	s := string(out)
	if n := strings.Count(s, "recv PUSH_PROMISE frame"); n != len(pushAssets) {
		t.Errorf("%d PUSH_PROMISE frames, want %d", n, len(pushAssets))
	}
	for _, a := range pushAssets {
		if !strings.Contains(s, ":path: "+a.path) {
			t.Errorf("no promise of %s", a.path)
		}
	}
	if !strings.Contains(s, "resources of this page (stylesheet, script, images) were <strong>pushed</strong>") {
		t.Errorf("page does not report the pushes:\n%s", s)
	}
}

// Go's client, like browsers, disables push: the page gets 103 Early Hints
// with preload links, says why nothing was pushed, and its resources are
// served when requested.
func TestPushPageWithoutPush(t *testing.T) {
	addr := startPushPage(t)
	p := new(http.Protocols)
	p.SetHTTP2(true)
	tr := &http.Transport{Protocols: p, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	defer tr.CloseIdleConnections()
	var hints []string
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			if code == 103 {
				hints = append(hints, h.Values("Link")...)
			}
			return nil
		},
	})
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://"+addr+pushPage, nil)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Nothing was pushed") || !strings.Contains(string(body), "SETTINGS_ENABLE_PUSH") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if len(hints) != len(pushAssets) || !strings.Contains(hints[0], "rel=preload") {
		t.Fatalf("103 links %q", hints)
	}
	for _, a := range pushAssets {
		r, err := (&http.Client{Transport: tr}).Get("https://" + addr + a.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != a.ctype || string(b) != a.body {
			t.Errorf("%s: %d %q", a.path, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
}
