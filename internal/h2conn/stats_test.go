package h2conn

import (
	"testing"

	"golang.org/x/net/http2"
)

// codeCounts returns the non-zero entries of cc by code.
func codeCounts(cc *CodeCounts) map[ErrCode]uint64 {
	m := map[ErrCode]uint64{}
	for i := range cc {
		if v := cc[i].Load(); v != 0 {
			m[ErrCode(i)] = v
		}
	}
	return m
}

func wantCounts(t *testing.T, what string, cc *CodeCounts, want map[ErrCode]uint64) {
	t.Helper()
	got := codeCounts(cc)
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", what, got, want)
			return
		}
	}
}

// Every counter of Stats, driven by a scripted x/net Framer peer.
func TestStatsCounters(t *testing.T) {
	var s Stats
	p := newPeer(t, Config{Stats: &s})

	// A request answered: one stream opened and closed, its body counted.
	p.get(1)
	p.wantHeaders(1, false)
	p.wantData(1, true)
	if got := p.c.StreamsOpened(); got != 1 {
		t.Errorf("Engine.StreamsOpened = %d, want 1", got)
	}

	// A stream the peer resets: RST_STREAM received, by code.
	p.h.manual = true
	p.get(3)
	p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(3, http2.ErrCodeCancel) })
	// A RST_STREAM with an error code RFC 9113 does not define.
	p.get(5)
	p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(5, 0x77) })
	p.h.manual = false

	// A malformed request (no :path): RST_STREAM PROTOCOL_ERROR sent.
	p.headers(7, true, ":method", "GET", ":scheme", "https", ":authority", "example.com")
	p.wantRST(7, http2.ErrCodeProtocol)

	// A body held back by a one-octet stream window: one flow stall.
	setInitialWindow(p, 1)
	readSettingsAck(t, p)
	p.get(9)
	p.wantHeaders(9, false)
	if d := p.wantData(9, false); string(d) != "h" {
		t.Fatalf("DATA %q", d)
	}
	p.wantNothing()
	if got := s.FlowStalls.Load(); got != 1 {
		t.Errorf("FlowStalls = %d after the window closed, want 1", got)
	}
	var st9 *Stream
	if st9 = p.c.Stream(9); st9 == nil || st9.BytesSent() != 1 {
		t.Fatalf("stream 9 BytesSent: %v", st9)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(9, 100) })
	p.wantData(9, true)

	// The peer's GOAWAY (with an unknown code), then ours at shutdown.
	p.send(func(fr *http2.Framer) error { return fr.WriteGoAway(9, 0x1234, nil) })
	p.c.GoAway(ErrCodeNo, "")
	p.wantGoAway(http2.ErrCodeNo)

	if got := s.StreamsOpened.Load(); got != 5 { // 1, 3, 5, 7 (malformed after opening), 9
		t.Errorf("StreamsOpened = %d, want 5", got)
	}
	if got := s.StreamsClosed.Load(); got != 5 {
		t.Errorf("StreamsClosed = %d, want 5", got)
	}
	wantCounts(t, "ResetsReceived", &s.ResetsReceived, map[ErrCode]uint64{ErrCodeCancel: 1, ErrCode(NumCodes): 1})
	wantCounts(t, "ResetsSent", &s.ResetsSent, map[ErrCode]uint64{ErrCodeProtocol: 1})
	wantCounts(t, "GoAwaysReceived", &s.GoAwaysReceived, map[ErrCode]uint64{ErrCode(NumCodes): 1})
	wantCounts(t, "GoAwaysSent", &s.GoAwaysSent, map[ErrCode]uint64{ErrCodeNo: 1})
	if got := s.FlowStalls.Load(); got != 1 {
		t.Errorf("FlowStalls = %d, want 1", got)
	}
}

// A refused stream (over MaxConcurrentStreams) is reset, not opened; a
// connection error sends GOAWAY with its code.
func TestStatsRefusedAndConnError(t *testing.T) {
	var s Stats
	p := newPeer(t, Config{Stats: &s, MaxConcurrentStreams: 1})
	p.h.manual = true
	p.get(1)
	p.get(3)
	p.wantRST(3, http2.ErrCodeRefusedStream)
	p.raw(http2.FrameType(5), 0, 1, []byte{0, 0, 0, 2}) // PUSH_PROMISE from a client
	p.wantGoAway(http2.ErrCodeProtocol)
	if got := s.StreamsOpened.Load(); got != 1 {
		t.Errorf("StreamsOpened = %d, want 1", got)
	}
	if got := s.StreamsClosed.Load(); got != 1 {
		t.Errorf("StreamsClosed = %d, want 1 (closed by the connection error)", got)
	}
	wantCounts(t, "ResetsSent", &s.ResetsSent, map[ErrCode]uint64{ErrCodeRefusedStream: 1})
	wantCounts(t, "GoAwaysSent", &s.GoAwaysSent, map[ErrCode]uint64{ErrCodeProtocol: 1})
}

// Counting does not allocate: the hello path with Stats set stays at zero.
func TestHelloZeroAllocsWithStats(t *testing.T) {
	var s Stats
	r := newHelloRig(t)
	r.c.cfg.Stats = &s
	in := make([]byte, 0, 32*64)
	for range 100 {
		in = r.batch(t, in, 32)
	}
	before := s.StreamsOpened.Load()
	allocs := testing.AllocsPerRun(200, func() { in = r.batch(t, in, 32) })
	if allocs != 0 {
		t.Fatalf("%v allocations per batch of 32 requests with Stats", allocs)
	}
	if got := s.StreamsOpened.Load() - before; got != 201*32 {
		t.Fatalf("StreamsOpened grew by %d, want %d", got, 201*32)
	}
}

// BenchmarkHelloStats is BenchmarkHello with Stats counting: the cost of
// the counters on the request path.
func BenchmarkHelloStats(b *testing.B) {
	var s Stats
	r := newHelloRig(b)
	r.c.cfg.Stats = &s
	in := make([]byte, 0, 32*64)
	for range 100 {
		in = r.batch(b, in, 32)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 32 { // ns/op per request, as BenchmarkHello
		in = r.batch(b, in, 32)
	}
}
