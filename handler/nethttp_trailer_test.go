package handler

import (
	"io"
	"net/http"
	"testing"

	"github.com/h2kit/h2kit/internal/h2conn"
)

// TestHTTPHandlerTrailersAfterLastWrite: trailers set after the last Write of
// a streamed response are sent even when the connection drains the body the
// moment the handler returns (before, the body could end first and
// SetTrailers failed with ErrTrailersTooLate, silently).
func TestHTTPHandlerTrailersAfterLastWrite(t *testing.T) {
	published := make(chan struct{})
	drained := make(chan struct{})
	hook := func(r *http.Request) {
		if r.URL.Path == "/trailers-after-last-write" {
			published <- struct{}{}
			<-drained
		}
	}
	testHookFinished.Store(&hook)
	defer testHookFinished.Store(nil)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		io.WriteString(w, "body")
		w.Header().Set("X-Sum", "42")
	})
	p := newPeer(t, h2conn.Config{}, HTTPHandler(h), noDate())
	p.handshake()
	p.request(1, "GET", "/trailers-after-last-write", true)
	<-published // ServeHTTP returned and the end of the body is visible
	p.pump()    // the connection sends everything, up to the body's end
	close(drained)
	r := p.driveResponse(1)
	if string(r.body) != "body" || r.trailer["x-sum"] != "42" {
		t.Errorf("body %q, trailers %v; want body and x-sum: 42", r.body, r.trailer)
	}
}

// TestHTTPHandlerHeaderSnapshot: as in net/http, the header map is
// snapshotted at WriteHeader (later changes are not sent), and a declared
// trailer goes out with its final value as a trailer, and, when it had a
// value at WriteHeader, with that value in the header too.
func TestHTTPHandlerHeaderSnapshot(t *testing.T) {
	for _, streamed := range []bool{false, true} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Trailer", "X-Sum")
			w.Header().Set("X-Sum", "early")
			w.Header().Set("X-A", "before")
			w.WriteHeader(200)
			w.Header().Set("X-A", "after")
			w.Header().Set("X-B", "after")
			if streamed {
				w.(http.Flusher).Flush()
			}
			io.WriteString(w, "body")
			w.Header().Set("X-Sum", "final")
		})
		p := newPeer(t, h2conn.Config{}, HTTPHandler(h), noDate())
		p.handshake()
		p.request(1, "GET", "/", true)
		r := p.driveResponse(1)
		if r.header["x-a"] != "before" || r.header["x-b"] != "" || r.header["x-sum"] != "early" {
			t.Errorf("streamed=%v: header %v; want x-a: before, no x-b, x-sum: early", streamed, r.header)
		}
		if r.trailer["x-sum"] != "final" || string(r.body) != "body" {
			t.Errorf("streamed=%v: body %q trailers %v; want x-sum: final", streamed, r.body, r.trailer)
		}
	}
}
