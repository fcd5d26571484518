package h2conn

import (
	"math/rand/v2"
	"testing"
	"testing/quick"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/internal/frame"
)

// A window never passes 2^31-1 (RFC 9113 §6.9.1), whatever sequence of
// increments, decreases and takes it gets; a refused add or take changes
// nothing, and a take never makes it negative.
func TestWindowNeverPastMax(t *testing.T) {
	prop := func(start int32, ops []int32) bool {
		w := window(start)
		for i, op := range ops {
			old := w
			if i%2 == 0 {
				ok := w.add(int64(op))
				if ok != (int64(old)+int64(op) <= frame.MaxWindow) {
					return false
				}
				if ok && w != old+window(op) || !ok && w != old {
					return false
				}
			} else {
				n := int64(op)
				ok := w.take(n)
				if ok != (n >= 0 && n <= int64(old)) {
					return false
				}
				if ok && (w != old-window(n) || w < 0) || !ok && w != old {
					return false
				}
			}
			if w > frame.MaxWindow {
				return false
			}
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 2000}); err != nil {
		t.Fatal(err)
	}
	// The edges, which random numbers rarely hit.
	w := window(frame.MaxWindow - 1)
	if !w.add(1) || w.add(1) || w != frame.MaxWindow {
		t.Fatalf("add at the edge: %d", w)
	}
	w = window(-5)
	if w.take(1) || !w.add(6) || !w.take(1) || w != 0 || w.take(1) {
		t.Fatalf("negative window: %d", w)
	}
}

// Credits returned equal bytes consumed: in a seeded random walk of a peer
// sending within the window (and sometimes beyond it, refused) and a
// consumer crediting part of what it holds, the WINDOW_UPDATE increments
// plus the credits still owed always equal the octets credited; the window
// plus the octets held plus those owed always equal the initial size, so
// the window never passes it; and an increment is sent only once the
// threshold is reached. Once everything is consumed, the window is whole
// but for less than the threshold.
func TestInflowCreditsEqualConsumed(t *testing.T) {
	for _, tc := range []struct {
		size      uint32
		threshold int64
	}{
		{65535, 65535 / 2}, {1 << 20, 1 << 19}, {frame.MaxWindow, frame.MaxWindow / 2}, {100, 50}, {1, 0}, {16384, 1},
	} {
		rng := rand.New(rand.NewPCG(uint64(tc.size), uint64(tc.threshold)))
		f := newInflow(tc.size)
		var held, credited, returned int64
		check := func(step int) {
			t.Helper()
			if returned+f.unsent != credited {
				t.Fatalf("size %d step %d: returned %d + owed %d != credited %d", tc.size, step, returned, f.unsent, credited)
			}
			if int64(f.win)+held+f.unsent != int64(tc.size) || f.win > window(tc.size) || f.win < 0 {
				t.Fatalf("size %d step %d: window %d + held %d + owed %d != %d", tc.size, step, f.win, held, f.unsent, tc.size)
			}
		}
		for step := range 20000 {
			if rng.IntN(2) == 0 {
				// The peer sends; one time in ten more than allowed.
				n := rng.Int64N(int64(f.win) + 1)
				if rng.IntN(10) == 0 {
					n = int64(f.win) + 1 + rng.Int64N(1000)
					before := f
					if f.take(n) || f != before {
						t.Fatalf("size %d: took %d beyond window %d", tc.size, n, before.win)
					}
					continue
				}
				if !f.take(n) {
					t.Fatalf("size %d: refused %d within window %d", tc.size, n, f.win)
				}
				held += n
			} else if held > 0 {
				m := rng.Int64N(held) + 1
				owed := f.unsent + m
				inc := f.credit(m, tc.threshold)
				if inc > 0 && (int64(inc) != owed || owed < tc.threshold) || inc == 0 && owed >= tc.threshold && owed > 0 {
					t.Fatalf("size %d: credit %d with %d owed returned %d (threshold %d)", tc.size, m, owed, inc, tc.threshold)
				}
				held -= m
				credited += m
				returned += int64(inc)
			}
			check(step)
		}
		returned += int64(f.credit(held, tc.threshold))
		credited += held
		held = 0
		check(-1)
		if f.unsent >= tc.threshold && f.unsent > 0 {
			t.Fatalf("size %d: %d owed after consuming everything", tc.size, f.unsent)
		}
	}
}

// The same property through the engine: a peer uploads random amounts on
// several streams within the windows it sees, the handler consumes random
// amounts, and at the end the connection window the peer sees (its initial
// size, minus what it sent, plus every WINDOW_UPDATE) falls short of the
// whole by exactly the credits the engine still owes, never passing 2^31-1.
func TestEngineCreditsEqualConsumed(t *testing.T) {
	const connWin, streamWin = 1 << 20, 100000
	p := newPeer(t, Config{ConnWindowSize: connWin, InitialWindowSize: streamWin})
	p.h.manual = true
	p.h.consume = false
	rng := rand.New(rand.NewPCG(1, 2))
	peerConn := int64(connWin)
	peerStream := map[uint32]int64{}
	held := map[uint32]int64{}
	for id := uint32(1); id <= 7; id += 2 {
		p.headers(id, false, ":method", "POST", ":scheme", "https", ":path", "/")
		peerStream[id] = streamWin
	}
	readUpdates := func() {
		for {
			f, ok := p.tryRead()
			if !ok {
				return
			}
			wu, ok := f.(*http2.WindowUpdateFrame)
			if !ok {
				t.Fatalf("unexpected %v", f)
			}
			if wu.StreamID == 0 {
				peerConn += int64(wu.Increment)
				if peerConn > frame.MaxWindow || peerConn > connWin {
					t.Fatalf("connection window %d", peerConn)
				}
			} else {
				peerStream[wu.StreamID] += int64(wu.Increment)
				if peerStream[wu.StreamID] > streamWin {
					t.Fatalf("stream %d window %d", wu.StreamID, peerStream[wu.StreamID])
				}
			}
		}
	}
	for range 3000 {
		id := uint32(1 + 2*rng.IntN(4))
		st := p.c.Stream(id)
		if rng.IntN(2) == 0 {
			n := min(peerConn, peerStream[id], 16384)
			if n == 0 {
				continue
			}
			n = rng.Int64N(n) + 1
			p.data(id, false, make([]byte, n))
			peerConn -= n
			peerStream[id] -= n
			held[id] += n
		} else if held[id] > 0 {
			m := rng.Int64N(held[id]) + 1
			p.c.Consume(st, int(m))
			held[id] -= m
		}
		readUpdates()
	}
	for id, n := range held {
		p.c.Consume(p.c.Stream(id), int(n))
	}
	readUpdates()
	if peerConn+p.c.recv.unsent != connWin {
		t.Fatalf("peer's connection window %d + owed %d != %d", peerConn, p.c.recv.unsent, connWin)
	}
	for id := range peerStream {
		if peerStream[id]+p.c.Stream(id).recv.unsent != streamWin {
			t.Fatalf("stream %d: peer's window %d + owed %d != %d", id, peerStream[id], p.c.Stream(id).recv.unsent, streamWin)
		}
	}
}
