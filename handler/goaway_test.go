package handler

import (
	"bytes"
	"testing"

	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
)

// closeCodes records the OnClose codes of its streams.
type closeCodes struct {
	BaseRequestHandler
	streams []*Stream
	codes   []ErrCode
}

func (h *closeCodes) OnHeaders(s *Stream)             { h.streams = append(h.streams, s) }
func (h *closeCodes) OnClose(_ *Stream, code ErrCode) { h.codes = append(h.codes, code) }

// goAwayFrames returns the GOAWAY frames (raw) in b.
func goAwayFrames(b []byte) (out [][]byte) {
	for _, f := range rawFrames(b) {
		if f[3] == 0x7 {
			out = append(out, f)
		}
	}
	return out
}

// TestStreamGoAway: GoAway called from another goroutine wakes the loop and
// sends one GOAWAY (golden bytes: last stream ID = the highest the peer
// opened, the code, the debug data); with an error code every open stream
// closes with it and the engine is done; a second call is ignored.
func TestStreamGoAway(t *testing.T) {
	h := &closeCodes{}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "POST", "/", false)
	p.request(3, "POST", "/", false)

	done := make(chan struct{})
	go func() {
		h.streams[0].GoAway(Cancel, "refused")
		h.streams[1].GoAway(ProtocolError, "second") // ignored
		close(done)
	}()
	<-done
	p.waitWake()
	got := goAwayFrames(p.out.Bytes())
	want := []byte{
		0, 0, 15, 0x7, 0, 0, 0, 0, 0, // length 15, GOAWAY, no flags, stream 0
		0, 0, 0, 3, // last stream ID
		0, 0, 0, 8, // CANCEL
		'r', 'e', 'f', 'u', 's', 'e', 'd',
	}
	if len(got) != 1 || !bytes.Equal(got[0], want) {
		t.Fatalf("GOAWAY frames %x, want one %x", got, want)
	}
	if len(h.codes) != 2 || h.codes[0] != Cancel || h.codes[1] != Cancel {
		t.Errorf("OnClose codes %v, want two CANCEL", h.codes)
	}
	if !p.c.engine().Done() {
		t.Error("engine not done after an error GOAWAY")
	}
	p.c.Close(frame.ErrCodeCancel)
	h.streams[0].GoAway(Cancel, "") // after the end: no-op, no panic
	if p.c.HasPending() {
		t.Error("GoAway after Close left work pending")
	}
}

// TestStreamGoAwayGraceful: GoAway(NoError) from a callback lets the open
// stream finish: GOAWAY NO_ERROR goes out, the stream is answered, and the
// engine is done once it has ended.
func TestStreamGoAwayGraceful(t *testing.T) {
	h := &closeCodes{}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	h.streams[0].GoAway(NoError, "")
	p.pump()
	got := goAwayFrames(p.out.Bytes())
	want := []byte{0, 0, 8, 0x7, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	if len(got) != 1 || !bytes.Equal(got[0], want) {
		t.Fatalf("GOAWAY frames %x, want one %x", got, want)
	}
	if len(h.codes) != 0 {
		t.Fatalf("stream closed by a graceful GOAWAY: %v", h.codes)
	}
	if p.c.engine().Done() {
		t.Fatal("engine done with a stream still open")
	}
	p.out.Reset()
	if err := h.streams[0].SendResponse(204, nil, nil); err != nil {
		t.Fatal(err)
	}
	p.pump()
	if len(h.codes) != 1 || h.codes[0] != NoError {
		t.Errorf("OnClose codes %v, want NO_ERROR", h.codes)
	}
	if !p.c.engine().Done() {
		t.Error("engine not done after the last stream ended")
	}
}
