package handler

import (
	"testing"

	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
)

// slowSink is a handler with manual flow control: it consumes request bytes
// only when told to.
type slowSink struct {
	BaseRequestHandler
	got    int
	stream *Stream
}

func (h *slowSink) OnHeaders(s *Stream)        { h.stream = s }
func (h *slowSink) OnData(_ *Stream, d []byte) { h.got += len(d) }
func (h *slowSink) OnRequestDone(s *Stream)    { s.SendResponse(204, nil, nil) }
func (*slowSink) ManualFlowControl()           {}
func (h *slowSink) OnClose(*Stream, ErrCode)   {}

// TestManualFlowControl: without Consume no WINDOW_UPDATE is sent for the
// stream however much body arrives (up to the window); Consume from another
// goroutine makes the server return exactly those bytes.
func TestManualFlowControl(t *testing.T) {
	h := &slowSink{}
	p := newPeer(t, h2conn.Config{InitialWindowSize: 65535}, one(h), noDate())
	p.handshake()
	p.request(1, "POST", "/", false)
	chunk := make([]byte, 16384)
	for range 3 {
		p.wfr.WriteData(1, false, chunk)
	}
	p.flush()
	for p.out.Len() > 0 {
		if w, ok := p.next().(*http2.WindowUpdateFrame); ok && w.StreamID == 1 {
			t.Fatalf("WINDOW_UPDATE %d for the stream before Consume", w.Increment)
		}
	}
	if h.got != 3*16384 {
		t.Fatalf("OnData got %d bytes", h.got)
	}
	done := make(chan struct{})
	go func() { h.stream.Consume(3 * 16384); close(done) }()
	<-done
	p.waitWake()
	var inc uint32
	for p.out.Len() > 0 {
		if w, ok := p.next().(*http2.WindowUpdateFrame); ok && w.StreamID == 1 {
			inc += w.Increment
		}
	}
	if inc != 3*16384 {
		t.Errorf("stream WINDOW_UPDATE total %d after Consume(%d)", inc, 3*16384)
	}
	p.wfr.WriteData(1, true, nil)
	p.flush()
	if r := p.readResponse(1); r.status != "204" {
		t.Errorf("status %s", r.status)
	}
}
