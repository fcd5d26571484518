package h2conn

import (
	"errors"
	"testing"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// transition, driven through every state × event: the moves of the RFC
// 9113 §5.1 diagram happen; every other move is refused and closes the
// connection with INTERNAL_ERROR (it is a bug of the engine, which must not
// be ignored).
func TestTransitionEveryStateEvent(t *testing.T) {
	// The diagram of §5.1 for a server (push: reserved (local)).
	legal := map[[2]uint8]StreamState{
		{uint8(StateReservedLocal), uint8(evSendHeaders)}:      StateHalfClosedRemote,
		{uint8(StateIdle), uint8(evRecvHeaders)}:               StateOpen,
		{uint8(StateOpen), uint8(evRecvEndStream)}:             StateHalfClosedRemote,
		{uint8(StateOpen), uint8(evSendEndStream)}:             StateHalfClosedLocal,
		{uint8(StateHalfClosedLocal), uint8(evRecvEndStream)}:  StateClosed,
		{uint8(StateHalfClosedRemote), uint8(evSendEndStream)}: StateClosed,
	}
	for s := StateIdle; s < numStates; s++ {
		for ev := streamEvent(0); ev < numEvents; ev++ {
			t.Run(s.String()+"/"+ev.String(), func(t *testing.T) {
				p := newPeer(t, Config{})
				st := p.c.takeStream(1) // a closed stream is not active
				if s != StateClosed {
					st = p.c.newStream(1)
				}
				st.state = s
				err := p.c.transition(st, ev)
				want, ok := legal[[2]uint8{uint8(s), uint8(ev)}]
				if ok {
					if err != nil || st.state != want || p.c.Err() != nil {
						t.Fatalf("got %v, %v; want %v", st.state, err, want)
					}
					if (want == StateClosed) != (p.c.Stream(1) == nil) {
						t.Fatalf("state %v but Stream(1) = %v", want, p.c.Stream(1))
					}
					return
				}
				var ce *ConnError
				if !errors.As(err, &ce) || ce.Code != ErrCodeInternal || ce.Reason != reject.InternalError {
					t.Fatalf("invalid move: got %v, %v; want a connection error INTERNAL_ERROR", st.state, err)
				}
				p.wantGoAway(http2.ErrCodeInternal)
				p.wantReject(reject.InternalError)
			})
		}
	}
	if StateClosed.next(numEvents) != stateInvalid || numStates.next(evRecvHeaders) != stateInvalid {
		t.Fatal("out-of-range state or event not invalid")
	}
}

// recvPolicy fails closed: its zero value is actIllegal, every (state,
// frame type) pair that reaches it is listed, a type it does not cover is
// illegal, and a frame that meets a pair left out closes the connection
// with INTERNAL_ERROR instead of being processed.
func TestRecvPolicyFailsClosed(t *testing.T) {
	var zero recvAction
	if zero != actIllegal {
		t.Fatal("the zero recvAction is not actIllegal")
	}
	for state := recvState(0); state < numRecvStates; state++ {
		for _, typ := range recvTypes {
			if action(state, typ) == actIllegal {
				t.Errorf("state %d, %v: not listed", state, typ)
			}
		}
		for _, typ := range []frame.Type{frame.TypeSettings, frame.TypePushPromise, frame.TypePing, frame.TypeGoAway, frame.TypeContinuation, frame.TypePriorityUpdate, 0x33} {
			if action(state, typ) != actIllegal {
				t.Errorf("state %d, %v: listed, but never reaches the policy", state, typ)
			}
		}
	}
	if action(numRecvStates, frame.TypeData) != actIllegal {
		t.Error("out-of-range state not illegal")
	}
	// Leave a pair out: DATA on an open stream.
	saved := recvPolicy[rsOpen][frame.TypeData]
	recvPolicy[rsOpen][frame.TypeData] = 0
	t.Cleanup(func() { recvPolicy[rsOpen][frame.TypeData] = saved })
	p := newPeer(t, Config{})
	p.h.manual = true
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	p.data(1, false, []byte("x"))
	p.wantGoAway(http2.ErrCodeInternal)
	p.wantReject(reject.InternalError)
	for _, ev := range p.h.events {
		if ev == "data 1 1" {
			t.Fatalf("the DATA was processed: %q", p.h.events)
		}
	}
}

// The closed-stream memory is sized from Config.MaxConcurrentStreams (twice
// it, a power of two in 64..4096), and a stream is remembered until that
// many later identifiers have been used: DATA for a stream we reset is
// ignored (RFC 9113 §5.1) while it is remembered; once forgotten it is
// answered as for any old identifier, RST_STREAM STREAM_CLOSED.
func TestClosedMemorySizedFromConfig(t *testing.T) {
	for _, tc := range []struct{ max, slots uint32 }{{1, 64}, {32, 64}, {33, 128}, {100, 256}, {2048, 4096}, {1 << 31, 4096}} {
		if got := closedSlots(tc.max); got != int(tc.slots) {
			t.Errorf("closedSlots(%d) = %d, want %d", tc.max, got, tc.slots)
		}
	}
	for _, tc := range []struct{ max, slots uint32 }{{100, 256}, {500, 1024}} {
		max, slots := tc.max, tc.slots
		p := newPeer(t, Config{MaxConcurrentStreams: max})
		p.headers(1, true, ":method", "GET", ":scheme", "https") // no :path: reset by us
		p.wantRST(1, http2.ErrCodeProtocol)
		late := func() {
			p.r.Reset()
			if err := p.data(1, false, []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		// Streams 3 .. 2*slots-1 close cleanly: stream 1 is still known.
		for id := uint32(3); id < 2*slots; id += 2 {
			p.get(id)
		}
		late()
		p.r.Reset()
		p.c.AppendOutput(nil)
		late()
		if f, ok := p.tryRead(); ok {
			if _, wu := f.(*http2.WindowUpdateFrame); !wu {
				t.Fatalf("max %d: DATA on a stream we reset, %d streams ago: got %v, want it ignored", max, slots-1, f)
			}
		}
		// One more and stream 1's slot is taken.
		p.get(2*slots + 1)
		p.c.AppendOutput(nil)
		late()
		p.wantRST(1, http2.ErrCodeStreamClosed)
	}
}

// The closed-stream memory takes no room before a stream closes, starts
// small and grows instead of forgetting: every record survives until the
// table has its full size, then the oldest colliding one is replaced.
func TestClosedMemoryGrows(t *testing.T) {
	m := newClosedMemory(256)
	if m.slots != nil || m.find(1) != rsClosedUnknown {
		t.Fatalf("a new memory holds %d slots", len(m.slots))
	}
	m.add(1, rsClosedOurReset)
	if len(m.slots) != minClosedSlots {
		t.Fatalf("after one close: %d slots, want %d", len(m.slots), minClosedSlots)
	}
	// 255 more streams: all 256 remembered, in a table of 256 slots.
	for id := uint32(3); id < 2*256; id += 2 {
		m.add(id, rsClosedPeerReset)
	}
	if len(m.slots) != 256 {
		t.Fatalf("after 256 closes: %d slots, want 256", len(m.slots))
	}
	if got := m.find(1); got != rsClosedOurReset {
		t.Fatalf("stream 1: %v, want rsClosedOurReset", got)
	}
	for id := uint32(3); id < 2*256; id += 2 {
		if got := m.find(id); got != rsClosedPeerReset {
			t.Fatalf("stream %d: %v, want rsClosedPeerReset", id, got)
		}
	}
	// At full size the next colliding stream replaces stream 1.
	m.add(2*256+1, rsClosedPeerReset)
	if len(m.slots) != 256 || m.find(1) != rsClosedUnknown {
		t.Fatalf("at full size: %d slots, stream 1 %v", len(m.slots), m.find(1))
	}
}
