package h2conn

import (
	"testing"

	"golang.org/x/net/http2"
)

// TestReleaseAcquire: Release gives the queued-frame buffer back only when
// nothing is queued; frames queued before Release are kept and sent, and an
// engine used after Release without Acquire still works (it allocates).
func TestReleaseAcquire(t *testing.T) {
	p := newPeer(t, Config{})
	p.c.Release()
	if p.c.ctl != nil {
		t.Fatalf("after Release with nothing queued: ctl has capacity %d", cap(p.c.ctl))
	}
	p.c.Acquire()
	if p.c.ctl == nil || cap(p.c.ctl) == 0 {
		t.Fatal("Acquire gave no buffer")
	}
	// A PING queues its ACK: Release keeps it.
	p.send(func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{7}) })
	p.c.Release()
	if len(p.c.ctl) == 0 {
		t.Fatal("Release dropped a queued frame")
	}
	if f, ok := p.read().(*http2.PingFrame); !ok || !f.IsAck() || f.Data != [8]byte{7} {
		t.Fatalf("after Release with a queued PING ACK: read %v", f)
	}
	// Used while released: the frame is still queued and sent.
	p.c.Release()
	p.send(func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{8}) })
	if f, ok := p.read().(*http2.PingFrame); !ok || !f.IsAck() || f.Data != [8]byte{8} {
		t.Fatalf("PING answered while released: read %v", f)
	}
}
