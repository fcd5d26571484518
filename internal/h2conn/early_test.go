package h2conn

import (
	"testing"

	"github.com/h2kit/h2kit/hpack"
	"golang.org/x/net/http2"
)

// RFC 9113 §8.1: "A server can send a complete response prior to the client
// sending an entire request ... a server MAY request that the client abort
// transmission of a request without error by sending a RST_STREAM with an
// error code of NO_ERROR after sending a complete response". The engine
// does (as nghttp2 and x/net do): the stream closes with NO_ERROR, frees
// its concurrency slot, and the upload still in flight is discarded (its
// bytes still count against, and go back to, the connection window).
func TestEarlyResponseResetsNoError(t *testing.T) {
	post := []string{":method", "POST", ":scheme", "https", ":path", "/upload"}
	ends := []struct {
		name    string
		respond func(c *Engine, st *Stream)
		read    func(p *peer)
	}{
		{"HEADERS with END_STREAM", func(c *Engine, st *Stream) {
			c.SendHeaders(st, 413, nil, true)
		}, func(p *peer) { p.wantHeaders(1, true) }},
		{"body EOF", func(c *Engine, st *Stream) {
			c.SendHeaders(st, 200, nil, false)
			c.SetBodyBytes(st, []byte("early"))
		}, func(p *peer) { p.wantHeaders(1, false); p.wantData(1, true) }},
		{"trailers", func(c *Engine, st *Stream) {
			c.SendHeaders(st, 200, nil, false)
			c.SendTrailers(st, []hpack.HeaderField{{Name: "x-done", Value: "1"}})
		}, func(p *peer) { p.wantHeaders(1, false); p.wantHeaders(1, true) }},
	}
	for _, end := range ends {
		t.Run(end.name, func(t *testing.T) {
			p := newPeer(t, Config{MaxConcurrentStreams: 1})
			p.h.manual = true
			p.h.onHdr = func(st *Stream) { end.respond(p.c, st) }
			p.headers(1, false, post...)
			end.read(p)
			p.wantRST(1, http2.ErrCodeNo)
			if code, ok := p.h.closes[1]; !ok || code != ErrCodeNo || p.c.OpenStreams() != 0 {
				t.Fatalf("OnClose %v %v, %d streams open", code, ok, p.c.OpenStreams())
			}
			// The upload in flight is discarded without an error.
			n := len(p.h.events)
			if err := p.data(1, true, make([]byte, 1000)); err != nil || len(p.h.events) != n {
				t.Fatalf("late DATA: %v, events %q", err, p.h.events[n:])
			}
			p.wantNothing()
			// The slot is free: a second request is served.
			p.h.onHdr = nil
			p.h.manual = false
			p.get(3)
			p.wantHeaders(3, false)
			p.wantData(3, true)
		})
	}
}

// A response completed while the request's last frame is being delivered
// (inside OnHeaders or OnData of a frame with END_STREAM) is not followed by
// RST_STREAM: the request is complete.
func TestResponseAtRequestEndNoReset(t *testing.T) {
	t.Run("OnHeaders", func(t *testing.T) {
		p := newPeer(t, Config{})
		p.h.manual = true
		p.h.onHdr = func(st *Stream) { p.c.SendHeaders(st, 204, nil, true) }
		p.get(1)
		p.wantHeaders(1, true)
		p.wantNothing()
		if p.h.closes[1] != ErrCodeNo || p.c.OpenStreams() != 0 {
			t.Fatalf("OnClose %v, %d open", p.h.closes[1], p.c.OpenStreams())
		}
	})
	t.Run("OnData", func(t *testing.T) {
		p := newPeer(t, Config{})
		p.h.manual = true
		p.h.onData = func(st *Stream, _ []byte) {
			if st.EndStreamReceived() {
				p.c.SendHeaders(st, 204, nil, true)
			}
		}
		p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
		p.data(1, false, []byte("a"))
		p.data(1, true, []byte("b"))
		p.wantHeaders(1, true)
		p.wantNothing()
		if p.h.closes[1] != ErrCodeNo || p.c.OpenStreams() != 0 {
			t.Fatalf("OnClose %v, %d open", p.h.closes[1], p.c.OpenStreams())
		}
	})
}
