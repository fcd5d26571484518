package push_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/testenv"
	"github.com/h2kit/h2kit/pki"
	"github.com/h2kit/h2kit/push"
)

// closes records how the pushed streams ended (their Handler's OnClose).
type closes struct {
	handler.BaseRequestHandler
	mu    sync.Mutex
	codes map[string]handler.ErrCode
	all   chan struct{} // closed when want codes are in
	want  int
}

func newCloses(want int) *closes {
	return &closes{codes: map[string]handler.ErrCode{}, all: make(chan struct{}), want: want}
}

func (c *closes) OnClose(s *handler.Stream, code handler.ErrCode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.codes[s.Path()] = code
	if len(c.codes) == c.want {
		close(c.all)
	}
}

// site serves a page that pushes three resources, each answered in another
// way: a string at once, a body generator that defers and is resumed from a
// goroutine, and a response sent later from a goroutine through the pushed
// stream's Handle. /second reports how its push was refused.
func site(rec *closes) handler.Factory {
	return handler.FactoryFunc(func(s *handler.Stream) {
		switch s.Path() {
		case "/", "/first":
			var errs []string
			note := func(err error) {
				if err != nil {
					errs = append(errs, err.Error())
				}
			}
			_, err := push.Push(s, push.Promise{
				Path: "/style.css", Header: []hpack.HeaderField{{Name: "accept", Value: "text/css"}},
				ResponseHeader: []hpack.HeaderField{{Name: "content-type", Value: "text/css"}},
				Body:           "body{margin:0}", Handler: rec,
			})
			note(err)
			ready := make(chan struct{})
			js, err := push.Push(s, push.Promise{Path: "/app.js", Handler: rec,
				Body: handler.BodyGenerator(func(int) ([]byte, handler.DataFlag) {
					select {
					case <-ready:
						return []byte("main()"), handler.DataEOF
					default:
						return nil, handler.DataDeferred
					}
				})})
			note(err)
			if err == nil {
				h := js.Handle()
				go func() { close(ready); h.Resume() }()
			}
			later, err := push.Push(s, push.Promise{Path: "/later.txt", Handler: rec})
			note(err)
			if err == nil {
				h := later.Handle()
				go h.SendResponse(200, nil, "sent later")
			}
			var hdr []hpack.HeaderField
			if len(errs) > 0 {
				hdr = append(hdr, hpack.HeaderField{Name: "x-push-error", Value: strings.Join(errs, "; ")})
			}
			s.SendResponse(200, hdr, "page")
		case "/second":
			_, err := push.Push(s, push.Promise{Path: "/style.css", Body: "x"})
			s.SendResponse(200, []hpack.HeaderField{{Name: "x-push-disabled", Value: fmt.Sprint(errors.Is(err, push.ErrPushDisabled))}}, "second")
		default:
			s.SendResponse(404, nil, nil)
		}
	})
}

// serve starts an h2server over TLS on a loopback port; it is shut down at
// the end of the test.
func serve(t *testing.T, f handler.Factory) string {
	t.Helper()
	cert, err := pki.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &h2server.Server{Handler: f, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
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

// nghttp -nv prints every frame it receives: the PUSH_PROMISE frames with
// their promised stream identifiers and requests, and the pushed responses.
func TestNghttpReceivesPushes(t *testing.T) {
	nghttp := testenv.RequireTool(t, "nghttp", "nghttp2-client")
	rec := newCloses(3)
	addr := serve(t, site(rec))
	out, err := exec.Command(nghttp, "-nv", "https://"+addr+"/").CombinedOutput()
	if err != nil {
		t.Fatalf("nghttp: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{
		"recv PUSH_PROMISE frame <length=",
		"(padlen=0, promised_stream_id=2)",
		"(padlen=0, promised_stream_id=4)",
		"(padlen=0, promised_stream_id=6)",
		":path: /style.css", ":path: /app.js", ":path: /later.txt",
		"recv (stream_id=2) :status: 200",
		"recv (stream_id=4) :status: 200",
		"recv (stream_id=6) :status: 200",
		"recv (stream_id=13) :status: 200",                     // nghttp's first request is stream 13 (3..11 are its priority anchors)
		"recv DATA frame <length=14, flags=0x01, stream_id=2>", // body{margin:0}
		"recv DATA frame <length=6, flags=0x01, stream_id=4>",  // main()
		"recv DATA frame <length=10, flags=0x01, stream_id=6>", // sent later
	} {
		if !strings.Contains(s, want) {
			t.Errorf("nghttp output lacks %q", want)
		}
	}
	if strings.Contains(s, "x-push-error") || strings.Contains(s, "RST_STREAM") || strings.Contains(s, "recv GOAWAY") {
		t.Errorf("unexpected error in nghttp output:\n%s", s)
	}
	if t.Failed() {
		t.Logf("nghttp output:\n%s", s)
	}
	<-rec.all
	for path, code := range rec.codes {
		if code != handler.NoError {
			t.Errorf("pushed %s closed with %v", path, code)
		}
	}
}

// h2result is what testdata/h2client.py prints.
type h2result struct {
	Promises []struct {
		Parent, Promised int
		Headers          map[string]string
	}
	Responses map[string]struct {
		Status  string
		Headers map[string]string
		Body    string
	}
	Resets map[string]int
}

// python3 runs testdata/h2client.py (python-hyper h2) in mode.
func python3(t *testing.T, addr, mode string) h2result {
	t.Helper()
	py := testenv.RequireTool(t, "/usr/bin/python3", "python3")
	if err := exec.Command(py, "-c", "import h2").Run(); err != nil {
		testenv.Missing(t, "python3 module h2 not installed (Debian package python3-h2)")
	}
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(py, "testdata/h2client.py", host, port, mode)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("h2client.py %s: %v\n%s", mode, err, stderr.String())
	}
	var r h2result
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("h2client.py output %q: %v", out, err)
	}
	return r
}

// python-hyper h2 accepts the pushes: three PUSH_PROMISE frames on stream 1
// with even, increasing promised streams and complete requests, and the three
// pushed responses.
func TestPythonH2AcceptsPushes(t *testing.T) {
	rec := newCloses(3)
	addr := serve(t, site(rec))
	r := python3(t, addr, "accept")
	if len(r.Promises) != 3 {
		t.Fatalf("promises %+v", r.Promises)
	}
	paths := []string{"/style.css", "/app.js", "/later.txt"}
	bodies := []string{"body{margin:0}", "main()", "sent later"}
	for i, p := range r.Promises {
		id := 2 * (i + 1)
		if p.Parent != 1 || p.Promised != id || p.Headers[":path"] != paths[i] || p.Headers[":method"] != "GET" ||
			p.Headers[":scheme"] != "https" || p.Headers[":authority"] != addr {
			t.Errorf("promise %d: %+v", i, p)
		}
		if resp := r.Responses[fmt.Sprint(id)]; resp.Status != "200" || resp.Body != bodies[i] {
			t.Errorf("pushed %s: %+v", paths[i], resp)
		}
	}
	if r.Promises[0].Headers["accept"] != "text/css" || r.Responses["2"].Headers["content-type"] != "text/css" {
		t.Errorf("fields: %+v %+v", r.Promises[0], r.Responses["2"])
	}
	if resp := r.Responses["1"]; resp.Body != "page" || resp.Headers["x-push-error"] != "" {
		t.Errorf("page %+v", resp)
	}
	<-rec.all
}

// python-hyper h2 refusing every push with RST_STREAM CANCEL: the pushed
// streams, which cannot have ended (one body waits for a Resume that never
// comes, the other is 1 MB against the client's 64 KiB window), end cleanly
// on the server: their handlers get OnClose(CANCEL), the reader body is
// closed, and the page is served.
func TestPythonH2CancelsPushes(t *testing.T) {
	rec := newCloses(2)
	big := &closeCount{Reader: strings.NewReader(strings.Repeat("x", 1<<20))}
	addr := serve(t, handler.FactoryFunc(func(s *handler.Stream) {
		push.Push(s, push.Promise{Path: "/stuck.css", Handler: rec,
			Body: handler.BodyGenerator(func(int) ([]byte, handler.DataFlag) { return nil, handler.DataDeferred })})
		push.Push(s, push.Promise{Path: "/big.bin", Handler: rec, Body: io.Reader(big)})
		s.SendResponse(200, nil, "page")
	}))
	r := python3(t, addr, "cancel")
	if len(r.Promises) != 2 || r.Responses["1"].Body != "page" {
		t.Fatalf("promises %d, page %+v", len(r.Promises), r.Responses["1"])
	}
	<-rec.all
	for path, code := range rec.codes {
		if code != handler.Cancel {
			t.Errorf("%s closed with %v, want CANCEL", path, code)
		}
	}
	if n := big.closes.Load(); n != 1 {
		t.Errorf("the pushed reader was closed %d times", n)
	}
}

// closeCount is an io.ReadCloser that counts its Close calls.
type closeCount struct {
	io.Reader
	closes atomic.Int32
}

func (c *closeCount) Close() error {
	c.closes.Add(1)
	return nil
}

// python-hyper h2 disabling push mid-connection with SETTINGS_ENABLE_PUSH=0:
// the next push is refused with ErrPushDisabled and nothing is promised (h2
// would fail the connection on a PUSH_PROMISE); what was pushed before was
// delivered.
func TestPythonH2DisablesPushMidConnection(t *testing.T) {
	rec := newCloses(3)
	addr := serve(t, site(rec))
	r := python3(t, addr, "disable")
	if len(r.Promises) != 3 {
		t.Fatalf("promises %+v", r.Promises)
	}
	for _, p := range r.Promises {
		if p.Parent != 1 {
			t.Errorf("promise on stream %d after push was disabled", p.Parent)
		}
	}
	if resp := r.Responses["3"]; resp.Body != "second" || resp.Headers["x-push-disabled"] != "true" {
		t.Fatalf("second response %+v", resp)
	}
	<-rec.all
}

// A net/http handler behind handler.HTTPHandler pushes through http.Pusher;
// nghttp receives the promise and the pushed response, served by the same
// http.Handler.
func TestNghttpHTTPPusher(t *testing.T) {
	nghttp := testenv.RequireTool(t, "nghttp", "nghttp2-client")
	mux := http.NewServeMux()
	pushErr := make(chan error, 1)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		pushErr <- w.(http.Pusher).Push("/style.css", nil)
		io.WriteString(w, `<link rel="stylesheet" href="/style.css">`)
	})
	mux.HandleFunc("/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		io.WriteString(w, "body{}")
	})
	addr := serve(t, handler.HTTPHandler(mux))
	out, err := exec.Command(nghttp, "-v", "https://"+addr+"/").CombinedOutput()
	if err != nil {
		t.Fatalf("nghttp: %v\n%s", err, out)
	}
	if err := <-pushErr; err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"(padlen=0, promised_stream_id=2)", ":path: /style.css",
		"recv (stream_id=2) content-type: text/css", "body{}"} {
		if !strings.Contains(s, want) {
			t.Errorf("nghttp output lacks %q\n%s", want, s)
		}
	}
}

// h2server.Config.PushAuthorities: a push may name a configured authority;
// any other is refused with an *Error naming the rule.
func TestPushAuthoritiesConfig(t *testing.T) {
	nghttp := testenv.RequireTool(t, "nghttp", "nghttp2-client")
	errs := make(chan []error, 1)
	cert, err := pki.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &h2server.Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		Handler: handler.FactoryFunc(func(s *handler.Stream) {
			_, e1 := push.Push(s, push.Promise{Path: "/a.css", Authority: "static.test", Body: "a"})
			_, e2 := push.Push(s, push.Promise{Path: "/b.css", Authority: "evil.test", Body: "b"})
			errs <- []error{e1, e2}
			s.SendResponse(200, nil, "page")
		})}
	srv.Config.PushAuthorities = []string{"static.test"}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}()
	out, err := exec.Command(nghttp, "-nv", "https://"+ln.Addr().String()+"/").CombinedOutput()
	if err != nil {
		t.Fatalf("nghttp: %v\n%s", err, out)
	}
	got := <-errs
	var pe *push.Error
	if got[0] != nil || !errors.As(got[1], &pe) || !strings.Contains(pe.Reason, "authoritative") {
		t.Fatalf("errors %v", got)
	}
	if s := string(out); !strings.Contains(s, ":authority: static.test") || strings.Contains(s, "evil.test") {
		t.Fatalf("nghttp output:\n%s", s)
	}
}

// A promised request larger than nghttp's SETTINGS_MAX_FRAME_SIZE (16,384)
// goes out as PUSH_PROMISE + CONTINUATION, which nghttp reassembles.
func TestNghttpLargePromise(t *testing.T) {
	nghttp := testenv.RequireTool(t, "nghttp", "nghttp2-client")
	big := strings.Repeat("v", 40000)
	addr := serve(t, handler.FactoryFunc(func(s *handler.Stream) {
		_, err := push.Push(s, push.Promise{Path: "/big-request.css", Body: "ok",
			Header: []hpack.HeaderField{{Name: "x-big", Value: big, Sensitive: true}}})
		if err != nil {
			t.Error(err)
		}
		s.SendResponse(200, nil, "page")
	}))
	out, err := exec.Command(nghttp, "-nv", "https://"+addr+"/").CombinedOutput()
	if err != nil {
		t.Fatalf("nghttp: %v\n%.2000s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "x-big: "+big) || !strings.Contains(s, "promised_stream_id=2") ||
		!strings.Contains(s, "recv DATA frame <length=2, flags=0x01, stream_id=2>") {
		t.Fatalf("nghttp did not get the large promise:\n%.3000s", s)
	}
}
