package handler

import (
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
)

// closeCounter is a response body that counts its Close calls; blocking makes
// it a reader the pump reads on its own goroutine.
type closeCounter struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }

// TestResponseBodyClosedOnEveryPath: a response body that is an io.Closer is
// closed exactly once whatever happens to it: sent, refused by SendResponse
// (any error), given to a stream that was reset or closed, dropped for HEAD,
// given through a stale Handle, or cut by the connection closing.
func TestResponseBodyClosedOnEveryPath(t *testing.T) {
	big := strings.Repeat("x", 1<<20) // more than the windows: still unsent when the test acts
	file := func(t *testing.T) *os.File {
		path := t.TempDir() + "/body"
		if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	type body struct {
		v      any
		closed func() bool
	}
	bodies := map[string]func(t *testing.T) body{
		"pumped reader": func(*testing.T) body {
			c := &closeCounter{Reader: strings.NewReader(big)}
			return body{c, func() bool { return c.closed.Load() == 1 }}
		},
		"file": func(t *testing.T) body {
			f := file(t)
			return body{f, func() bool { _, err := f.Stat(); return err != nil }}
		},
	}
	var held Handle
	var heldBody any
	// Each case answers stream 1 with b and then acts as a client would.
	cases := []struct {
		name   string
		method string
		send   func(s *Stream, b any) // in OnHeaders
		after  func(p *peer)
	}{
		{"sent completely", "GET", func(s *Stream, b any) { s.SendResponse(200, nil, b) }, func(p *peer) { p.driveResponse(1) }},
		{"bad status", "GET", func(s *Stream, b any) { mustErr(s.SendResponse(101, nil, b)) }, nil},
		{"bad field", "GET", func(s *Stream, b any) {
			mustErr(s.SendResponse(200, []hpack.HeaderField{{Name: "x:y", Value: "1"}}, b))
		}, nil},
		{"second response", "GET", func(s *Stream, b any) { s.SendResponse(204, nil, nil); mustErr(s.SendResponse(200, nil, b)) }, nil},
		{"stream already reset", "GET", func(s *Stream, b any) { held, heldBody = s.Handle(), b }, func(p *peer) {
			p.wfr.WriteRSTStream(1, http2.ErrCodeCancel)
			p.flush()
			if !p.c.opts.ReuseStreams {
				mustErr(held.s.SendResponse(200, nil, heldBody)) // the *Stream itself
			} else {
				mustErr(held.SendResponse(200, nil, heldBody))
			}
		}},
		{"stale handle after recycling", "GET", func(s *Stream, b any) { held, heldBody = s.Handle(), b }, func(p *peer) {
			p.wfr.WriteRSTStream(1, http2.ErrCodeCancel)
			p.flush()
			p.request(3, "GET", "/", true) // reuses the Stream with ReuseStreams
			mustErr(held.SendResponse(200, nil, heldBody))
		}},
		{"client reset mid-body", "GET", func(s *Stream, b any) { s.SendResponse(200, nil, b) }, func(p *peer) {
			p.wfr.WriteRSTStream(1, http2.ErrCodeCancel)
			p.flush()
		}},
		{"HEAD", "HEAD", func(s *Stream, b any) { s.SendResponse(200, nil, b) }, func(p *peer) { p.readResponse(1) }},
		{"connection closed mid-body", "GET", func(s *Stream, b any) { s.SendResponse(200, nil, b) }, func(p *peer) {
			p.c.Close(frame.ErrCodeCancel)
		}},
	}
	for bname, mk := range bodies {
		for _, tc := range cases {
			for _, reuse := range []bool{false, true} {
				b := mk(t)
				h := HandlerFunc(func(s *Stream) {
					if s.ID() == 1 {
						tc.send(s, b.v)
					}
				})
				p := newPeer(t, h2conn.Config{}, one(h), Options{DisableDate: true, ReuseStreams: reuse})
				p.handshake()
				p.request(1, tc.method, "/", true)
				if tc.after != nil {
					tc.after(p)
				}
				p.c.Close(frame.ErrCodeCancel)
				// The pump goroutine closes nothing itself: Close runs on
				// the connection goroutine, so it is done by now.
				if !b.closed() {
					t.Errorf("%s, %s, reuse=%v: body not closed", bname, tc.name, reuse)
				}
			}
		}
	}
}

func mustErr(err error) {
	if err == nil {
		panic("SendResponse succeeded; the case expects an error")
	}
}
