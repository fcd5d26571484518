package handler

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/internal/h2conn"
)

// pushSite is an http.Handler whose page pushes its stylesheet; the pushed
// request comes back through the same handler.
func pushSite(t *testing.T, pushErr chan<- error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p, ok := w.(http.Pusher)
		if !ok {
			t.Error("ResponseWriter is not an http.Pusher")
		}
		err := p.Push("/style.css", &http.PushOptions{Header: http.Header{"Accept-Encoding": {"identity"}}})
		pushErr <- err
		io.WriteString(w, "<link rel=stylesheet href=/style.css>")
	})
	mux.HandleFunc("/style.css", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" || r.Header.Get("Accept-Encoding") != "identity" || r.Host != "example.test" || r.ContentLength != 0 {
			t.Errorf("pushed request %s %s %v %q", r.Method, r.URL, r.Header, r.Host)
		}
		if _, ok := w.(http.Pusher); !ok {
			t.Error("pushed ResponseWriter is not an http.Pusher")
		}
		// A pushed stream cannot push (RFC 9113 §8.4: only on a
		// client-initiated stream).
		if err := w.(http.Pusher).Push("/x", nil); !errors.Is(err, ErrPushNotAllowed) {
			t.Errorf("push from a pushed request: %v", err)
		}
		w.Header().Set("Content-Type", "text/css")
		io.WriteString(w, "body{}")
	})
	return mux
}

// HTTPHandler's ResponseWriter is an http.Pusher: the PUSH_PROMISE goes out
// before the page, and the pushed request is served by the same
// http.Handler.
func TestHTTPPusher(t *testing.T) {
	pushErr := make(chan error, 1)
	p := newPeer(t, h2conn.Config{}, HTTPHandler(pushSite(t, pushErr)), Options{})
	p.handshake()
	p.request(1, "GET", "/", true)
	v := newPushView()
	p.collect(v, 1, 2)
	if err := <-pushErr; err != nil {
		t.Fatal(err)
	}
	if v.wireSeq[0] != "PP 1→2" || v.promised[2][":path"] != "/style.css" || v.promised[2]["accept-encoding"] != "identity" {
		t.Fatalf("wire %v, promised %v", v.wireSeq, v.promised[2])
	}
	if r := v.resp[2]; r.status != "200" || string(r.body) != "body{}" || r.header["content-type"] != "text/css" {
		t.Fatalf("pushed response %+v", r)
	}
	if string(v.resp[1].body) != "<link rel=stylesheet href=/style.css>" {
		t.Fatalf("page %q", v.resp[1].body)
	}
}

// With push disabled by the client, Push returns an error matching
// http.ErrNotSupported, as http.Pusher documents, and the page is served.
func TestHTTPPusherDisabled(t *testing.T) {
	pushErr := make(chan error, 1)
	p := newPeer(t, h2conn.Config{}, HTTPHandler(pushSite(t, pushErr)), Options{})
	p.handshake(http2.Setting{ID: http2.SettingEnablePush, Val: 0})
	p.request(1, "GET", "/", true)
	v := newPushView()
	p.collect(v, 1)
	err := <-pushErr
	if !errors.Is(err, http.ErrNotSupported) || !errors.Is(err, ErrPushDisabled) {
		t.Fatalf("got %v, want http.ErrNotSupported", err)
	}
	if len(v.promised) != 0 {
		t.Fatal("promised anyway")
	}
}

// Targets: an absolute URL of the request's scheme and authority works;
// another scheme, a relative path or a POST are refused before anything is
// sent.
func TestHTTPPusherTargets(t *testing.T) {
	errs := make(chan []error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			return
		}
		p := w.(http.Pusher)
		errs <- []error{
			p.Push("http://example.test/a", nil), // the request is https (TLS is nil here: http)
			p.Push("a.css", nil),
			p.Push("/a.css", &http.PushOptions{Method: "POST"}),
			p.Push("http://other.test/a", nil),
		}
	})
	p := newPeer(t, h2conn.Config{}, HTTPHandler(h), Options{})
	p.handshake()
	p.request(1, "GET", "/", true)
	v := newPushView()
	p.collect(v, 1, 2)
	got := <-errs
	if got[0] != nil || got[1] == nil || !errors.Is(got[2], ErrPushNotAllowed) || !errors.Is(got[3], ErrPushNotAllowed) {
		t.Fatalf("errors %v", got)
	}
	if len(v.promised) != 1 || v.promised[2][":path"] != "/a" {
		t.Fatalf("promised %v", v.promised)
	}
}
