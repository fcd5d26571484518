package handler

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// TestHTTPHandlerBodyEOFTwice: reading r.Body past its end again returns
// io.EOF without adding the request trailers to r.Trailer a second time, and
// a read after Close fails with ErrBodyClosed instead of blocking.
func TestHTTPHandlerBodyEOFTwice(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil || string(b) != "body" {
			t.Errorf("ReadAll = %q, %v", b, err)
		}
		if n, err := r.Body.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("second read at the end = %d, %v", n, err)
		}
		if got := r.Trailer.Values("X-T"); len(got) != 1 || got[0] != "t" {
			t.Errorf("request trailer values %q, want one", got)
		}
		r.Body.Close()
		if _, err := r.Body.Read(make([]byte, 1)); !errors.Is(err, ErrBodyClosed) {
			t.Errorf("read after Close: %v", err)
		}
		w.WriteHeader(204)
	})
	p := newPeer(t, h2conn.Config{}, HTTPHandler(h), noDate())
	p.handshake()
	p.request(1, "POST", "/", false, "trailer", "x-t")
	p.wfr.WriteData(1, false, []byte("body"))
	p.hbuf.Reset()
	p.enc.WriteField(xhpack.HeaderField{Name: "x-t", Value: "t"})
	p.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: p.hbuf.Bytes(), EndStream: true, EndHeaders: true})
	p.flush()
	if r := p.driveResponse(1); r.status != "204" {
		t.Errorf("status %q", r.status)
	}
}

// TestHTTPHandlerNoBody: a request whose HEADERS frame ends the stream has
// ContentLength 0 and a body that reads io.EOF at once; as in net/http's
// HTTP/2 server (unlike its HTTP/1.1 one) it is not http.NoBody (see
// TestNetHTTPDifferential "request fields").
func TestHTTPHandlerNoBody(t *testing.T) {
	type seen struct {
		noBody bool
		length int64
		n      int
		err    error
	}
	bodies := make(chan seen, 2)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := r.Body.Read(make([]byte, 8))
		bodies <- seen{r.Body == http.NoBody, r.ContentLength, n, err}
		io.Copy(io.Discard, r.Body)
	})
	p := newPeer(t, h2conn.Config{}, HTTPHandler(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	p.driveResponse(1)
	p.request(3, "POST", "/", false)
	p.wfr.WriteData(3, true, []byte("x"))
	p.flush()
	p.driveResponse(3)
	if got := <-bodies; got != (seen{false, 0, 0, io.EOF}) {
		t.Errorf("GET without body: %+v, want a reader at io.EOF, length 0", got)
	}
	if got := <-bodies; got != (seen{false, -1, 1, nil}) {
		t.Errorf("POST with body: %+v, want a reader with one byte", got)
	}
}
