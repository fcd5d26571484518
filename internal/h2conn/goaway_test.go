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
