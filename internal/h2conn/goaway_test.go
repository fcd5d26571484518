package h2conn

import (
	"testing"

	"golang.org/x/net/http2"
)

// RFC 9113 §6.8: "Endpoints MUST NOT increase the value they send in the
// last stream identifier, since the peers might already have retried
// unprocessed requests on another connection." A HEADERS frame ignored
// after the final GOAWAY does not count as processed, whatever GOAWAY
// follows.
func TestGoAwayLastStreamIDNeverIncreases(t *testing.T) {
	finals := []struct {
		name string
		send func(p *peer)
	}{
		{"GoAway(NO_ERROR)", func(p *peer) { p.c.GoAway(ErrCodeNo, "") }},
		{"Shutdown and PING ACK", func(p *peer) {
			p.c.Shutdown()
			p.wantGoAway(http2.ErrCodeNo)
			ping := p.read().(*http2.PingFrame)
			p.send(func(fr *http2.Framer) error { return fr.WritePing(true, ping.Data) })
		}},
	}
	laters := []struct {
		name string
		send func(p *peer)
		code http2.ErrCode
	}{
		{"connection error", func(p *peer) { p.raw(http2.FramePing, 0, 0, make([]byte, 7)) }, http2.ErrCodeFrameSize},
		{"GoAway(ENHANCE_YOUR_CALM)", func(p *peer) { p.c.GoAway(ErrCodeEnhanceYourCalm, "") }, http2.ErrCodeEnhanceYourCalm},
		{"second GoAway(NO_ERROR)", func(p *peer) { p.c.GoAway(ErrCodeNo, "") }, http2.ErrCodeNo},
	}
	for _, fin := range finals {
		for _, later := range laters {
			t.Run(fin.name+"/"+later.name, func(t *testing.T) {
				p := newPeer(t, Config{})
				p.h.manual = true
				p.get(1) // kept open, so the connection is not done
				fin.send(p)
				if ga := p.wantGoAway(http2.ErrCodeNo); ga.LastStreamID != 1 {
					t.Fatalf("final GOAWAY last stream %d, want 1", ga.LastStreamID)
				}
				p.get(3) // ignored
				if p.c.Stream(3) != nil || len(p.h.events) != 2 {
					t.Fatalf("stream 3 was processed: %q", p.h.events)
				}
				// DATA on the ignored stream is discarded, not an error.
				if err := p.data(3, true, []byte("x")); err != nil {
					t.Fatalf("DATA on the ignored stream: %v", err)
				}
				later.send(p)
				if ga := p.wantGoAway(later.code); ga.LastStreamID != 1 {
					t.Fatalf("later GOAWAY last stream %d, want 1", ga.LastStreamID)
				}
			})
		}
	}
}

// The peer's GOAWAY and our graceful shutdown meet: the peer opens no more
// streams after its GOAWAY (and every stream it opened arrived before it),
// so Shutdown then sends the final GOAWAY at once, and a shutdown under
// way sends it as soon as the peer's GOAWAY arrives instead of waiting for
// the PING ACK. The connection is done when the open stream ends.
func TestGoAwayBothWays(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(p *peer)
	}{
		{"peer first", func(p *peer) {
			p.send(func(fr *http2.Framer) error { return fr.WriteGoAway(0, http2.ErrCodeNo, nil) })
			p.c.Shutdown()
		}},
		{"ours first", func(p *peer) {
			p.c.Shutdown()
			if ga := p.wantGoAway(http2.ErrCodeNo); ga.LastStreamID != 1<<31-1 {
				t.Fatalf("first GOAWAY last stream %d", ga.LastStreamID)
			}
			p.read() // PING
			p.send(func(fr *http2.Framer) error { return fr.WriteGoAway(0, http2.ErrCodeNo, nil) })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPeer(t, Config{})
			p.h.manual = true
			p.get(1)
			tc.do(p)
			if ga := p.wantGoAway(http2.ErrCodeNo); ga.LastStreamID != 1 {
				t.Fatalf("final GOAWAY last stream %d, want 1", ga.LastStreamID)
			}
			p.wantNothing()
			if p.c.Done() {
				t.Fatal("done with stream 1 open")
			}
			p.h.respond(p.c.Stream(1))
			p.wantHeaders(1, false)
			p.wantData(1, true)
			if !p.c.Done() {
				t.Fatal("not done")
			}
		})
	}
}
