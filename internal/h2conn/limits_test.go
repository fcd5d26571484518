package h2conn

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/reject"
	"golang.org/x/net/http2"
)

// Each Config limit is tested exactly at its threshold and one over.

// RFC 9113 §5.1.2: a HEADERS frame beyond MAX_CONCURRENT_STREAMS is
// refused with REFUSED_STREAM.
func TestMaxConcurrentStreams(t *testing.T) {
	p := newPeer(t, Config{MaxConcurrentStreams: 2})
	p.h.manual = true
	p.get(1)
	p.get(3) // at the limit
	p.wantNothing()
	p.get(5) // one over
	p.wantRST(5, http2.ErrCodeRefusedStream)
	p.wantReject(reject.RefusedStream)
	// Closing one makes room again.
	p.h.respond(p.c.Stream(1))
	p.wantHeaders(1, false)
	p.wantData(1, true)
	p.get(7)
	p.wantNothing()
	if p.c.OpenStreams() != 2 {
		t.Fatalf("%d open", p.c.OpenStreams())
	}
}

// fieldsOfSize returns header name/value pairs whose list size (RFC 9113
// §6.5.2: name + value + 32 per field, pseudo-headers included) is exactly
// total.
func fieldsOfSize(total int) []string {
	kv := append([]string(nil), getHello...)
	size := 0
	for i := 0; i < len(kv); i += 2 {
		size += len(kv[i]) + len(kv[i+1]) + 32
	}
	// One more field "x-pad: ..." makes up the rest.
	pad := total - size - 32 - len("x-pad")
	return append(kv, "x-pad", strings.Repeat("p", pad))
}

// SETTINGS_MAX_HEADER_LIST_SIZE: at the limit the request goes through;
// one octet over, the engine answers 431 and keeps the connection (and the
// HPACK table in step: the next request decodes).
func TestMaxHeaderListSize(t *testing.T) {
	p := newPeer(t, Config{MaxHeaderListSize: 1000})
	p.headers(1, true, fieldsOfSize(1000)...)
	if h := p.wantHeaders(1, false); h[0].Value != "200" {
		t.Fatalf("at the limit: %v", h)
	}
	p.wantData(1, true)
	p.headers(3, true, fieldsOfSize(1001)...)
	if h := p.wantHeaders(3, true); h[0].Value != "431" {
		t.Fatalf("over the limit: %v", h)
	}
	p.wantReject(reject.HeaderListTooLarge)
	p.get(5)
	p.wantHeaders(5, false)
}

// A 431 for a request that has not ended is followed by RST_STREAM
// NO_ERROR (RFC 9113 §8.1), and the handler never sees the stream.
func TestHeaderListTooLargeMidRequest(t *testing.T) {
	p := newPeer(t, Config{MaxHeaderListSize: 1000})
	p.headers(1, false, fieldsOfSize(2000)...)
	if h := p.wantHeaders(1, true); h[0].Value != "431" {
		t.Fatalf("%v", h)
	}
	p.wantRST(1, http2.ErrCodeNo)
	if len(p.h.events) != 0 {
		t.Fatalf("handler saw %q", p.h.events)
	}
}

func TestMaxHeaderFields(t *testing.T) {
	p := newPeer(t, Config{MaxHeaderFields: 10})
	kv := append([]string(nil), getHello...) // 4 fields
	for i := range 6 {
		kv = append(kv, "x-f"+strconv.Itoa(i), "v")
	}
	p.headers(1, true, kv...) // 10 fields: at the limit
	if h := p.wantHeaders(1, false); h[0].Value != "200" {
		t.Fatalf("at the limit: %v", h)
	}
	p.wantData(1, true)
	p.headers(3, true, append(kv, "x-one", "more")...) // 11
	if h := p.wantHeaders(3, true); h[0].Value != "431" {
		t.Fatalf("over: %v", h)
	}
	p.wantReject(reject.TooManyHeaderFields)
}

// sendContinuations sends a request block split into one HEADERS frame and
// n CONTINUATION frames.
func sendContinuations(p *peer, id uint32, n int) {
	blk := p.block(getHello...)
	p.send(func(fr *http2.Framer) error {
		return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: blk[:1], EndStream: true})
	})
	rest := blk[1:]
	for i := range n {
		part := rest
		if i < n-1 {
			part = rest[:min(1, len(rest))]
		}
		rest = rest[len(part):]
		last := i == n-1
		if p.send(func(fr *http2.Framer) error { return fr.WriteContinuation(id, last, part) }) != nil {
			return
		}
	}
}

// RFC 9113 §6.10 allows any number of CONTINUATION frames; the engine caps
// them per block (CVE-2024-27316 class) with ENHANCE_YOUR_CALM.
func TestMaxContinuationFrames(t *testing.T) {
	p := newPeer(t, Config{MaxContinuationFrames: 3})
	sendContinuations(p, 1, 3)
	if p.err != nil {
		t.Fatal(p.err)
	}
	p.wantHeaders(1, false)
	p.wantData(1, true)
	sendContinuations(p, 3, 4)
	p.wantGoAway(http2.ErrCodeEnhanceYourCalm)
	p.wantReject(reject.TooManyContinuations)
}

// Queued control frames (here PING ACKs that the peer never reads) are
// capped (CVE-2019-9512).
func TestMaxQueuedControlFrames(t *testing.T) {
	pings := func(n int) func(fr *http2.Framer) error {
		return func(fr *http2.Framer) error {
			for range n {
				fr.WritePing(false, [8]byte{})
			}
			return nil
		}
	}
	p := newPeer(t, Config{MaxQueuedControlFrames: 20})
	if err := p.send(pings(20)); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	p.c.AppendOutput(nil) // the loop drains: the count starts again
	p.r.Reset()
	if err := p.send(pings(21)); err == nil {
		t.Fatal("one over the limit accepted")
	}
	p.wantGoAway(http2.ErrCodeEnhanceYourCalm)
	p.wantReject(reject.ControlFrameFlood)
}

// MaxBufferedBytes caps what is queued for output and not taken.
func TestMaxBufferedBytes(t *testing.T) {
	const limit = 4 * 16384
	cfg := Config{MaxBufferedBytes: limit, MaxQueuedControlFrames: 1 << 20, GlitchBurst: 1 << 20}
	p := newPeer(t, cfg)
	n := limit / 17 // a PING ACK is 17 octets
	if err := p.send(func(fr *http2.Framer) error {
		for range n {
			fr.WritePing(false, [8]byte{})
		}
		return nil
	}); err != nil {
		t.Fatalf("at %d octets: %v", n*17, err)
	}
	if err := p.send(func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{}) }); err == nil {
		t.Fatal("over the limit accepted")
	}
	p.wantGoAway(http2.ErrCodeEnhanceYourCalm)
	p.wantReject(reject.BufferedBytesExceeded)
}

func TestMaxSettingsEntries(t *testing.T) {
	settings := func(n int) []http2.Setting {
		s := make([]http2.Setting, n)
		for i := range s {
			s[i] = http2.Setting{ID: 0x100, Val: uint32(i)}
		}
		return s
	}
	p := newPeer(t, Config{MaxSettingsEntries: 5})
	if err := p.send(func(fr *http2.Framer) error { return fr.WriteSettings(settings(5)...) }); err != nil {
		t.Fatal(err)
	}
	readSettingsAck(t, p)
	p.send(func(fr *http2.Framer) error { return fr.WriteSettings(settings(6)...) })
	p.wantGoAway(http2.ErrCodeEnhanceYourCalm)
	p.wantReject(reject.TooManySettings)
}

// Rapid reset (CVE-2023-44487): ResetBurst peer resets pass, one more
// closes the connection; the bucket refills at ResetRate per second of the
// clock given to Tick.
func TestRapidReset(t *testing.T) {
	p := newPeer(t, Config{ResetBurst: 5, ResetRate: 1})
	id := uint32(1)
	reset := func() error {
		p.headers(id, false, getHello...)
		err := p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(id, http2.ErrCodeCancel) })
		id += 2
		return err
	}
	for range 5 {
		if err := reset(); err != nil {
			t.Fatal(err)
		}
	}
	p.tick(time.Second) // one token back
	if err := reset(); err != nil {
		t.Fatalf("after refill: %v", err)
	}
	if err := reset(); err == nil {
		t.Fatal("reset over the budget accepted")
	}
	p.wantGoAway(http2.ErrCodeEnhanceYourCalm)
	p.wantReject(reject.RapidReset)
}

// Glitches (empty DATA, PRIORITY, unknown frames, provoked resets, ...) are
// budgeted the same way.
func TestGlitchBudget(t *testing.T) {
	p := newPeer(t, Config{GlitchBurst: 10})
	for i := range 10 {
		if err := p.send(func(fr *http2.Framer) error { return fr.WritePriority(1, http2.PriorityParam{StreamDep: 3}) }); err != nil {
			t.Fatalf("PRIORITY %d: %v", i, err)
		}
	}
	p.send(func(fr *http2.Framer) error { return fr.WritePriority(1, http2.PriorityParam{StreamDep: 3}) })
	p.wantGoAway(http2.ErrCodeEnhanceYourCalm)
	p.wantReject(reject.GlitchFlood)
}

// Empty DATA frames without END_STREAM are glitches (CVE-2019-9518).
func TestEmptyDataCounted(t *testing.T) {
	p := newPeer(t, Config{GlitchBurst: 3})
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	for range 3 {
		if err := p.data(1, false, nil); err != nil {
			t.Fatal(err)
		}
	}
	p.data(1, false, nil)
	p.wantGoAway(http2.ErrCodeEnhanceYourCalm)
}

// RFC 9113 §6.5.3: "If the sender of a SETTINGS frame does not receive an
// acknowledgment within a reasonable amount of time, it MAY issue a
// connection error (Section 5.4.1) of type SETTINGS_TIMEOUT."
func TestSettingsAckTimeout(t *testing.T) {
	p := newRawPeer(t, Config{SettingsAckTimeout: 5 * time.Second})
	p.feedRaw([]byte(http2.ClientPreface))
	p.send(func(fr *http2.Framer) error { return fr.WriteSettings() })
	if d, ok := p.c.NextDeadline(); !ok || !d.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("deadline %v %v", d, ok)
	}
	if err := p.tick(5*time.Second - 1); err != nil {
		t.Fatalf("before the deadline: %v", err)
	}
	if err := p.tick(1); err == nil {
		t.Fatal("no error at the deadline")
	}
	p.wantGoAway(http2.ErrCodeSettingsTimeout)
}

// The ACK disarms the timer.
func TestSettingsAckDisarms(t *testing.T) {
	p := newPeer(t, Config{SettingsAckTimeout: 5 * time.Second, IdleTimeout: -1})
	if _, ok := p.c.NextDeadline(); ok {
		t.Fatal("timer still armed after the ACK")
	}
	if err := p.tick(time.Hour); err != nil {
		t.Fatal(err)
	}
}

func TestPrefaceTimeout(t *testing.T) {
	p := newRawPeer(t, Config{PrefaceTimeout: 2 * time.Second})
	p.feedRaw([]byte(http2.ClientPreface[:10]))
	if err := p.tick(2*time.Second - 1); err != nil {
		t.Fatal(err)
	}
	if err := p.tick(1); err == nil {
		t.Fatal("no preface timeout")
	}
	p.wantGoAway(http2.ErrCodeProtocol)
	p.wantReject(reject.PrefaceTimeout)
}

// IdleTimeout: no stream for that long → GOAWAY NO_ERROR and Done.
func TestIdleTimeout(t *testing.T) {
	p := newPeer(t, Config{IdleTimeout: time.Minute})
	p.get(1)
	p.wantHeaders(1, false)
	p.wantData(1, true)
	p.tick(0) // arms the timer now that the connection is idle
	if err := p.tick(time.Minute - 1); err != nil || p.c.Done() {
		t.Fatalf("before: %v %v", err, p.c.Done())
	}
	p.tick(1)
	ga := p.wantGoAway(http2.ErrCodeNo)
	if ga.LastStreamID != 1 || !p.c.Done() {
		t.Fatalf("last stream %d, done %v", ga.LastStreamID, p.c.Done())
	}
}

// RFC 9113 §6.8 graceful shutdown: GOAWAY 2^31-1 and a PING; at the PING
// ACK the final GOAWAY with the real last stream ID; streams opened in
// between are served; later ones are ignored; Done when the last finishes.
func TestShutdownTwoPhase(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	p.get(1)
	p.c.Shutdown()
	ga := p.wantGoAway(http2.ErrCodeNo)
	if ga.LastStreamID != 1<<31-1 {
		t.Fatalf("first GOAWAY last stream %d", ga.LastStreamID)
	}
	ping := p.read().(*http2.PingFrame)
	p.get(3) // in flight before the client saw the GOAWAY
	p.send(func(fr *http2.Framer) error { return fr.WritePing(true, ping.Data) })
	ga = p.wantGoAway(http2.ErrCodeNo)
	if ga.LastStreamID != 3 {
		t.Fatalf("final GOAWAY last stream %d", ga.LastStreamID)
	}
	p.get(5) // ignored
	if p.c.Stream(5) != nil || p.c.OpenStreams() != 2 {
		t.Fatalf("stream 5 accepted")
	}
	for _, id := range []uint32{1, 3} {
		if p.c.Done() {
			t.Fatal("done too early")
		}
		p.h.respond(p.c.Stream(id))
		p.wantHeaders(id, false)
		p.wantData(id, true)
	}
	if !p.c.Done() {
		t.Fatal("not done")
	}
}

// Without a PING ACK the second phase comes after ShutdownDelay.
func TestShutdownDelay(t *testing.T) {
	p := newPeer(t, Config{ShutdownDelay: time.Second})
	p.c.Shutdown()
	p.wantGoAway(http2.ErrCodeNo)
	p.read() // PING
	p.tick(time.Second - 1)
	p.wantNothing()
	p.tick(1)
	if ga := p.wantGoAway(http2.ErrCodeNo); ga.LastStreamID != 0 {
		t.Fatalf("last stream %d", ga.LastStreamID)
	}
	if !p.c.Done() {
		t.Fatal("not done")
	}
}

// A negative ShutdownDelay means no wait for the round trip: Shutdown
// sends the final GOAWAY (the real last stream ID) at once, without the
// announcing GOAWAY and PING. (Waiting for the PING ACK alone would let a
// peer that never answers it hold the connection forever.)
func TestShutdownNoDelay(t *testing.T) {
	p := newPeer(t, Config{ShutdownDelay: -1})
	p.h.manual = true
	p.get(1)
	p.c.Shutdown()
	if ga := p.wantGoAway(http2.ErrCodeNo); ga.LastStreamID != 1 {
		t.Fatalf("GOAWAY last stream %d, want 1", ga.LastStreamID)
	}
	p.wantNothing() // no PING
	p.get(3)        // after the final GOAWAY: ignored
	if p.c.Stream(3) != nil {
		t.Fatal("stream 3 accepted")
	}
	p.h.respond(p.c.Stream(1))
	p.wantHeaders(1, false)
	p.wantData(1, true)
	if !p.c.Done() {
		t.Fatal("not done")
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []Config{
		{InitialWindowSize: 1 << 31},
		{ConnWindowSize: 1 << 31},
		{ConnWindowSize: 100},
		{MaxFrameSize: 16383},
		{MaxFrameSize: 1 << 24},
		{MaxWriteFrameSize: 1 << 24},
		{MaxHeaderFields: -1},
		{MaxBufferedBytes: 1000},
		{ResetRate: -1},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
		if _, err := NewServerConn(c, newRecHandler()); err == nil {
			t.Errorf("NewServerConn accepted %+v", c)
		}
	}
	good := []Config{{}, {InitialWindowSize: 1<<31 - 1, ConnWindowSize: 1<<31 - 1, MaxFrameSize: 1<<24 - 1}}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	d := Config{}.WithDefaults()
	if d.MaxConcurrentStreams != 100 || d.InitialWindowSize != 1<<20 || d.MaxFrameSize != 16384 || d.HeaderTableSize != 4096 ||
		d.MaxHeaderListSize != 64<<10 || d.MaxHeaderFields != 100 || d.SettingsAckTimeout != 10*time.Second {
		t.Fatalf("defaults %+v", d)
	}
}

// A peer that keeps its window at zero cannot pin a response forever:
// after FlowStallTimeout without any DATA going out, the blocked stream is
// reset with CANCEL.
func TestFlowStallTimeout(t *testing.T) {
	p := newPeer(t, Config{FlowStallTimeout: 30 * time.Second})
	setInitialWindow(p, 0)
	readSettingsAck(t, p)
	p.get(1)
	p.wantHeaders(1, false)
	p.tick(0) // the stall starts
	if err := p.tick(30*time.Second - 1); err != nil {
		t.Fatal(err)
	}
	p.wantNothing()
	p.tick(1)
	p.wantRST(1, http2.ErrCodeCancel)
	p.wantReject(reject.FlowControlStall)
	if p.h.closes[1] != ErrCodeCancel {
		t.Fatalf("OnClose %v", p.h.closes[1])
	}
}

// Progress restarts the stall clock: a slow but moving reader is served.
func TestFlowStallProgress(t *testing.T) {
	p := newPeer(t, Config{FlowStallTimeout: 30 * time.Second})
	setInitialWindow(p, 1)
	readSettingsAck(t, p)
	p.get(1)
	p.wantHeaders(1, false)
	p.wantData(1, false)
	for range 5 {
		p.tick(20 * time.Second)
		p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 1) })
		p.wantData(1, false)
	}
	p.tick(20 * time.Second)
	p.wantNothing()
}

// Config.MaxFrameSize (SETTINGS_MAX_FRAME_SIZE, RFC 9113 §4.2): a frame of
// exactly that size is accepted, one octet more is FRAME_SIZE_ERROR.
func TestMaxFrameSizeIn(t *testing.T) {
	p := newPeer(t, Config{MaxFrameSize: 20000})
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	if err := p.data(1, false, make([]byte, 20000)); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	p.data(1, false, make([]byte, 20001))
	p.wantGoAway(http2.ErrCodeFrameSize)
}

// Config.ConnWindowSize: the peer may send exactly that much unconsumed
// DATA; one octet more is a connection FLOW_CONTROL_ERROR (RFC 9113
// §6.9.1).
func TestConnWindowSizeIn(t *testing.T) {
	p := newPeer(t, Config{ConnWindowSize: 70000})
	p.h.consume = false
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	for _, n := range []int{16384, 16384, 16384, 16384, 70000 - 4*16384} {
		if err := p.data(1, false, make([]byte, n)); err != nil {
			t.Fatalf("within the window: %v", err)
		}
	}
	p.data(1, false, []byte("x"))
	p.wantGoAway(http2.ErrCodeFlowControl)
	p.wantReject(reject.ConnFlowControl)
}

// The idle timer is armed when the last stream closes, from the time of
// the last Tick, so the loop needs no extra wake-up between requests.
func TestIdleArmedAtLastClose(t *testing.T) {
	p := newPeer(t, Config{IdleTimeout: time.Minute})
	p.tick(time.Second)
	p.get(1)
	p.wantHeaders(1, false)
	p.wantData(1, true)
	d, ok := p.c.NextDeadline()
	if !ok || !d.Equal(p.now.Add(time.Minute)) {
		t.Fatalf("NextDeadline %v %v, want %v", d, ok, p.now.Add(time.Minute))
	}
}

// Config.HeaderTableSize is our decoder's limit: a dynamic table size
// update to exactly that is accepted, one octet more is a COMPRESSION_ERROR
// (RFC 7541 §6.3, RFC 9113 §4.3).
func TestHeaderTableSizeLimit(t *testing.T) {
	// 0x3f 0xe1 0x1f: size update to 4096 (31 + 0x61 + 0x1f<<7).
	blk := append([]byte{0x3f, 0xe1, 0x1f}, 0x82, 0x87, 0x84, 0x41, 0x01, 'a')
	p := newPeer(t, Config{})
	if err := p.raw(http2.FrameHeaders, http2.FlagHeadersEndHeaders|http2.FlagHeadersEndStream, 1, blk); err != nil {
		t.Fatalf("update to 4096: %v", err)
	}
	blk[1] = 0xe2 // 4097
	p = newPeer(t, Config{})
	p.raw(http2.FrameHeaders, http2.FlagHeadersEndHeaders|http2.FlagHeadersEndStream, 1, blk)
	p.wantGoAway(http2.ErrCodeCompression)
}

// Config.MaxEncoderTableSize caps our encoder's table whatever larger size
// the peer allows; a smaller cap is signalled in the next block.
func TestMaxEncoderTableSize(t *testing.T) {
	p := newPeer(t, Config{MaxEncoderTableSize: 100})
	p.send(func(fr *http2.Framer) error {
		return fr.WriteSettings(http2.Setting{ID: http2.SettingHeaderTableSize, Val: 8192})
	})
	readSettingsAck(t, p)
	p.get(1)
	f := p.read().(*http2.HeadersFrame)
	if blk := f.HeaderBlockFragment(); blk[0] != 0x3f || blk[1] != 100-31 {
		t.Fatalf("block %x: want a size update to 100 first", blk)
	}
}

// Config.MaxWriteBatch exactly: two full DATA frames fit in 2×(9+16384)
// octets; one octet less leaves room for one only.
func TestMaxWriteBatchExact(t *testing.T) {
	for _, tc := range []struct{ batch, frames int }{{2 * (9 + 16384), 2}, {2*(9+16384) - 1, 1}} {
		p := newPeer(t, Config{MaxWriteBatch: tc.batch})
		setInitialWindow(p, 1<<20)
		readSettingsAck(t, p)
		p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, 1<<20) })
		p.h.manual = true
		p.get(1)
		st := p.c.Stream(1)
		p.c.SendHeaders(st, 200, nil, false)
		p.wantHeaders(1, false)
		p.c.SetBodyBytes(st, make([]byte, 100000))
		out := p.c.AppendOutput(nil)
		if len(out) != tc.frames*(9+16384) {
			t.Fatalf("batch %d: %d octets, want %d frames", tc.batch, len(out), tc.frames)
		}
	}
}

// Nothing follows the GOAWAY of a connection error, not even the
// WINDOW_UPDATE that closing a stream with unconsumed data would send.
func TestNothingAfterFatalGoAway(t *testing.T) {
	p := newPeer(t, Config{ConnWindowSize: 65535, InitialWindowSize: 65535})
	p.h.consume = false
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	p.data(1, false, make([]byte, 16000))
	p.data(1, false, make([]byte, 16000))
	p.raw(http2.FramePing, 0, 1, make([]byte, 8)) // connection error
	p.wantGoAway(http2.ErrCodeProtocol)
	p.wantNothing()
}
