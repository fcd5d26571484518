package h2conn

import (
	"bytes"
	"errors"
	"strconv"
	"testing"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/reject"
)

// funcSource adapts a function to BodySource.
type funcSource func(max int) ([]byte, DataFlag)

func (f funcSource) Read(max int) ([]byte, DataFlag, error) {
	p, fl := f(max)
	return p, fl, nil
}

// errSource is a BodySource that fails with its error.
type errSource struct{ err error }

func (s errSource) Read(int) ([]byte, DataFlag, error) { return []byte("ignored"), DataOK, s.err }

type trailerSource struct {
	bytesSource
	tr []hpack.HeaderField
}

func (s *trailerSource) Trailers() []hpack.HeaderField { return s.tr }

func respondWith(p *peer, src BodySource) {
	p.h.onEnd = func(st *Stream) {
		if err := p.c.SendHeaders(st, 200, nil, false); err != nil {
			p.t.Fatal(err)
		}
		if err := p.c.SetBody(st, src); err != nil {
			p.t.Fatal(err)
		}
	}
}

// A body generator that defers is not called again until Resume; then it
// finishes.
func TestDeferredThenResumed(t *testing.T) {
	p := newPeer(t, Config{})
	calls := 0
	ready := false
	respondWith(p, funcSource(func(max int) ([]byte, DataFlag) {
		calls++
		if !ready {
			return []byte("part1"), DataDeferred
		}
		return []byte("part2"), DataEOF
	}))
	p.get(1)
	p.wantHeaders(1, false)
	if d := p.wantData(1, false); string(d) != "part1" {
		t.Fatalf("got %q", d)
	}
	p.wantNothing()
	p.wantNothing()
	if calls != 1 || p.c.WantWrite() {
		t.Fatalf("deferred source called %d times, WantWrite %v", calls, p.c.WantWrite())
	}
	ready = true
	p.c.Resume(p.c.Stream(1))
	p.c.Resume(p.c.Stream(1)) // no-op
	if d := p.wantData(1, true); string(d) != "part2" {
		t.Fatalf("got %q", d)
	}
	if calls != 2 {
		t.Fatalf("%d calls", calls)
	}
}

// A body source that fails or misbehaves has its stream reset with
// INTERNAL_ERROR and is counted exactly once, under the name that says
// which; the connection carries on.
func TestMisbehavingBodySource(t *testing.T) {
	cases := map[string]funcSource{
		"more than max": func(max int) ([]byte, DataFlag) { return make([]byte, max+1), DataOK },
		"panic":         func(max int) ([]byte, DataFlag) { panic("boom") },
		"bad flag":      func(max int) ([]byte, DataFlag) { return []byte("x"), 0xff },
		"empty DataOK":  func(max int) ([]byte, DataFlag) { return nil, DataOK },
	}
	// Sources as BodySource values, so that TrailerSource cases fit in.
	srcs := map[string]BodySource{}
	for name, f := range cases {
		srcs[name] = f
	}
	srcs["trailers panic"] = panicTrailers{}
	srcs["bad trailer field"] = &trailerSource{bytesSource{[]byte("x")}, []hpack.HeaderField{{Name: "Bad", Value: "1"}}}
	srcs["error"] = errSource{errors.New("disk on fire")}
	for name, src := range srcs {
		want := reject.BodySourceMisbehaved
		if name == "error" {
			want = reject.BodyGeneratorError
		}
		t.Run(name, func(t *testing.T) {
			p := newPeer(t, Config{})
			respondWith(p, src)
			p.get(1)
			p.wantHeaders(1, false)
			// A trailer failure comes after the body's last DATA, which
			// must not carry END_STREAM.
			f := p.read()
			if df, ok := f.(*http2.DataFrame); ok {
				if df.StreamEnded() {
					t.Fatal("END_STREAM before the trailers")
				}
				f = p.read()
			}
			if rst, ok := f.(*http2.RSTStreamFrame); !ok || rst.StreamID != 1 || rst.ErrCode != http2.ErrCodeInternal {
				t.Fatalf("got %v, want RST_STREAM 1 INTERNAL_ERROR", f)
			}
			if len(p.h.rejects) != 1 || p.h.rejects[0] != want {
				t.Fatalf("rejects %q, want exactly [%s]", p.h.rejects, want)
			}
			if p.h.closes[1] != ErrCodeInternal {
				t.Fatalf("OnClose code %v", p.h.closes[1])
			}
			p.h.onEnd = nil
			p.get(3)
			p.wantHeaders(3, false)
			p.wantData(3, true)
		})
	}
}

// Response trailers (RFC 9113 §8.1): after the body, a HEADERS frame with
// END_STREAM; the last DATA frame does not end the stream.
func TestResponseTrailers(t *testing.T) {
	t.Run("TrailerSource", func(t *testing.T) {
		p := newPeer(t, Config{})
		respondWith(p, &trailerSource{bytesSource{[]byte("body")}, []hpack.HeaderField{{Name: "grpc-status", Value: "0"}}})
		p.get(1)
		p.wantHeaders(1, false)
		if d := p.wantData(1, false); string(d) != "body" {
			t.Fatalf("got %q", d)
		}
		if tr := p.wantHeaders(1, true); len(tr) != 1 || tr[0].Name != "grpc-status" {
			t.Fatalf("trailers %v", tr)
		}
	})
	t.Run("SendTrailers after body", func(t *testing.T) {
		p := newPeer(t, Config{})
		p.h.onEnd = func(st *Stream) {
			p.c.SendHeaders(st, 200, nil, false)
			p.c.SetBodyBytes(st, []byte("abc"))
			if err := p.c.SendTrailers(st, []hpack.HeaderField{{Name: "x-sum", Value: "6"}}); err != nil {
				t.Fatal(err)
			}
		}
		p.get(1)
		p.wantHeaders(1, false)
		p.wantData(1, false)
		if tr := p.wantHeaders(1, true); tr[0].Value != "6" {
			t.Fatalf("trailers %v", tr)
		}
	})
	t.Run("SendTrailers without body", func(t *testing.T) {
		p := newPeer(t, Config{})
		p.h.onEnd = func(st *Stream) {
			p.c.SendHeaders(st, 200, nil, false)
			p.c.SendTrailers(st, []hpack.HeaderField{{Name: "x-a", Value: "1"}})
		}
		p.get(1)
		p.wantHeaders(1, false)
		p.wantHeaders(1, true)
		wantEvents(t, p.h.events, "headers 1 GET /hello", "end 1", "close 1 NO_ERROR")
	})
}

// Commands refuse what the state machine forbids.
func TestCommandErrors(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	p.get(1)
	st := p.c.Stream(1)
	if err := p.c.SetBodyBytes(st, nil); err != ErrNoHeaders {
		t.Fatalf("SetBody before headers: %v", err)
	}
	if err := p.c.SendHeaders(st, 99, nil, false); err != ErrBadStatus {
		t.Fatalf("status 99: %v", err)
	}
	if err := p.c.SendHeaders(st, 103, []hpack.HeaderField{{Name: "link", Value: "</a>"}}, false); err != nil {
		t.Fatalf("103: %v", err)
	}
	if err := p.c.SendHeaders(st, 204, nil, true); err != nil {
		t.Fatal(err)
	}
	if err := p.c.SendHeaders(st, 200, nil, true); err != ErrStreamClosed {
		t.Fatalf("after close: %v", err)
	}
	if p.c.Stream(1) != nil {
		t.Fatal("stream 1 still active")
	}
	h := p.wantHeaders(1, false)
	if h[0].Value != "103" {
		t.Fatalf("%v", h)
	}
	p.wantHeaders(1, true)
}

// order sends two or three GETs with the given priority header values
// (empty: none), answers each with a 5-frame body, and returns the stream
// IDs of the DATA frames in wire order.
func order(t *testing.T, prios []string, between func(p *peer)) []uint32 {
	p := newPeer(t, Config{MaxWriteBatch: 9 + 16384}) // one DATA frame per AppendOutput
	setInitialWindow(p, 1<<20)
	readSettingsAck(t, p)
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, 1<<20) })
	p.h.manual = true
	for i, pr := range prios {
		kv := append([]string(nil), getHello...)
		if pr != "" {
			kv = append(kv, "priority", pr)
		}
		p.headers(uint32(2*i+1), true, kv...)
	}
	for i := range prios {
		st := p.c.Stream(uint32(2*i + 1))
		p.c.SendHeaders(st, 200, nil, false)
		p.c.SetBodyBytes(st, bytes.Repeat([]byte{byte(i)}, 5*16384))
	}
	for i := range prios {
		p.wantHeaders(uint32(2*i+1), false)
	}
	var ids []uint32
	for n := 0; n < 5*len(prios); n++ {
		if n == 2 && between != nil {
			between(p)
		}
		df := p.read().(*http2.DataFrame)
		if len(df.Data()) != 16384 {
			t.Fatalf("frame of %d", len(df.Data()))
		}
		ids = append(ids, df.StreamID)
	}
	return ids
}

func wantOrder(t *testing.T, got []uint32, want ...uint32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

// RFC 9218 §4.2: responses of the default priority (u=3, not incremental)
// are sent one by one in stream order.
func TestSequentialByDefault(t *testing.T) {
	wantOrder(t, order(t, []string{"", ""}, nil), 1, 1, 1, 1, 1, 3, 3, 3, 3, 3)
}

// RFC 9218 §4.2: incremental responses of the same urgency share the
// connection: round-robin, one frame each.
func TestIncrementalRoundRobin(t *testing.T) {
	wantOrder(t, order(t, []string{"i", "u=3, i"}, nil), 1, 3, 1, 3, 1, 3, 1, 3, 1, 3)
}

// RFC 9218 §4.1: a more urgent response (lower u) goes first.
func TestUrgencyOrder(t *testing.T) {
	wantOrder(t, order(t, []string{"u=5", "u=0", "u=4;x=1"}, nil), 3, 3, 3, 3, 3, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1)
}

// RFC 9218 §7.1: PRIORITY_UPDATE reprioritises a response in flight.
func TestPriorityUpdateFrame(t *testing.T) {
	got := order(t, []string{"", ""}, func(p *peer) {
		p.send(func(fr *http2.Framer) error {
			return fr.WriteRawFrame(0x10, 0, 0, append([]byte{0, 0, 0, 3}, "u=1"...))
		})
	})
	wantOrder(t, got, 1, 1, 3, 3, 3, 3, 3, 1, 1, 1)
}

// RFC 9218 §7.1: PRIORITY_UPDATE on a stream other than 0, or naming
// stream 0 or an (even) push stream, is a connection PROTOCOL_ERROR.
func TestPriorityUpdateErrors(t *testing.T) {
	for _, tc := range []struct {
		id      uint32
		payload []byte
		code    http2.ErrCode
	}{
		{1, []byte{0, 0, 0, 1, 'u', '=', '1'}, http2.ErrCodeProtocol},
		{0, []byte{0, 0, 0, 0, 'u', '=', '1'}, http2.ErrCodeProtocol},
		{0, []byte{0, 0, 0, 2}, http2.ErrCodeProtocol},
		{0, []byte{0, 0, 1}, http2.ErrCodeFrameSize},
	} {
		p := newPeer(t, Config{})
		p.raw(0x10, 0, tc.id, tc.payload)
		p.wantGoAway(tc.code)
	}
}

// RFC 9218 §7.1: a PRIORITY_UPDATE sent before its request applies when
// the stream opens and overrides the priority header.
func TestPriorityUpdateBeforeRequest(t *testing.T) {
	p := newPeer(t, Config{})
	p.raw(0x10, 0, 0, []byte{0, 0, 0, 3, 'u', '=', '0', ',', 'i'})
	if p.err != nil {
		t.Fatal(p.err)
	}
	p.h.manual = true
	p.headers(1, true, getHello...)
	p.headers(3, true, append(getHello, "priority", "u=6")...)
	if st := p.c.Stream(3); st.urgency != 0 || !st.incremental {
		t.Fatalf("stream 3: u=%d i=%v", st.urgency, st.incremental)
	}
	if st := p.c.Stream(1); st.urgency != defaultUrgency || st.incremental {
		t.Fatalf("stream 1: u=%d i=%v", st.urgency, st.incremental)
	}
}

func TestParsePriority(t *testing.T) {
	for _, tc := range []struct {
		v   string
		u   uint8
		inc bool
	}{
		{"", 3, false},
		{"u=0", 0, false},
		{"u=7, i", 7, true},
		{"i=?1", 3, true},
		{"i=?0,u=2", 2, false},
		{"u=8", 3, false},       // out of range: ignored
		{"u=1x, i=2", 3, false}, // invalid members: ignored
		{" u=5;foo=bar , x=?1", 5, false},
		{"u=1,u=6", 6, false}, // the last member wins
	} {
		u, inc := parsePriority([]byte(tc.v), 3, false)
		if u != tc.u || inc != tc.inc {
			t.Errorf("%q: u=%d i=%v, want u=%d i=%v", tc.v, u, inc, tc.u, tc.inc)
		}
	}
}

// The peer's SETTINGS_MAX_FRAME_SIZE and Config.MaxWriteFrameSize bound
// DATA frames; response header blocks larger than the peer's frame size are
// split into CONTINUATION frames (RFC 9113 §4.2, §4.3).
func TestFrameSizesOut(t *testing.T) {
	p := newPeer(t, Config{MaxWriteFrameSize: 1 << 16})
	p.send(func(fr *http2.Framer) error {
		return fr.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 20000},
			http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20})
	})
	readSettingsAck(t, p)
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, 1<<20) })
	big := string(bytes.Repeat([]byte("v"), 50000))
	p.h.onEnd = func(st *Stream) {
		p.c.SendHeaders(st, 200, []hpack.HeaderField{{Name: "x-big", Value: big}}, false)
		p.c.SetBodyBytes(st, make([]byte, 50000))
	}
	p.get(1)
	h := p.wantHeaders(1, false) // read() joins the CONTINUATIONs
	if len(h) != 2 || h[1].Value != big {
		t.Fatalf("big header lost")
	}
	for _, want := range []int{20000, 20000, 10000} {
		if d := p.read().(*http2.DataFrame); len(d.Data()) != want {
			t.Fatalf("DATA of %d, want %d", len(d.Data()), want)
		}
	}
}

// Config.MaxWriteBatch bounds what one AppendOutput call pulls from the
// body sources.
func TestMaxWriteBatch(t *testing.T) {
	p := newPeer(t, Config{MaxWriteBatch: 40000})
	setInitialWindow(p, 1<<20)
	readSettingsAck(t, p)
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, 1<<20) })
	p.h.body = make([]byte, 200000)
	p.get(1)
	out := p.c.AppendOutput(nil)
	p.r.Write(out)
	h := p.read().(*http2.HeadersFrame)
	data := len(out) - 9 - int(h.Length)
	// Two full frames fit in 40000; a third would not, and no runt follows.
	if data != 2*(9+16384) {
		t.Fatalf("one call appended %d octets of DATA frames", data)
	}
	if !p.c.WantWrite() {
		t.Fatal("WantWrite false with body left")
	}
}

// RFC 9113 §8.2: the engine refuses to generate malformed responses.
func TestResponseFieldsChecked(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	p.get(1)
	st := p.c.Stream(1)
	for _, f := range []hpack.HeaderField{
		{Name: "Content-Type", Value: "x"},
		{Name: "connection", Value: "close"},
		{Name: "transfer-encoding", Value: "chunked"},
		{Name: ":status", Value: "200"},
		{Name: "x", Value: "a\r\nb"},
		{Name: "", Value: "v"},
	} {
		if err := p.c.SendHeaders(st, 200, []hpack.HeaderField{f}, true); err != ErrBadField {
			t.Errorf("%q: %v", f.Name, err)
		}
	}
	if err := p.c.SendHeaders(st, 101, nil, false); err != ErrBadStatus {
		t.Errorf("101: %v", err)
	}
	if err := p.c.SendHeaders(st, 200, []hpack.HeaderField{{Name: "te", Value: "trailers"}}, true); err != nil {
		t.Errorf("te: trailers: %v", err)
	}
	p.wantHeaders(1, true)
}

// Extended CONNECT (RFC 8441 §4) when enabled: the setting is advertised
// and :protocol reaches the handler.
func TestExtendedConnect(t *testing.T) {
	p := newRawPeer(t, Config{EnableConnectProtocol: true})
	f := p.read().(*http2.SettingsFrame)
	if v, ok := f.Value(http2.SettingEnableConnectProtocol); !ok || v != 1 {
		t.Fatalf("ENABLE_CONNECT_PROTOCOL not advertised: %v", f)
	}
	p.feedRaw([]byte(http2.ClientPreface))
	p.send(func(fr *http2.Framer) error { return fr.WriteSettings() })
	var proto string
	p.h.onHdr = func(st *Stream) { proto = st.Protocol() }
	p.headers(1, false, ":method", "CONNECT", ":protocol", "websocket", ":scheme", "https", ":path", "/chat", ":authority", "a")
	if proto != "websocket" {
		t.Fatalf("protocol %q, events %q, rejects %q", proto, p.h.events, p.h.rejects)
	}
}

// A handler may reset a stream from inside OnData: END_STREAM on the same
// frame is not processed, later frames are ignored, Consume on the closed
// stream is a no-op, and the connection carries on.
func TestResetInsideOnData(t *testing.T) {
	p := newPeer(t, Config{})
	var closed *Stream
	p.h.onData = func(st *Stream, data []byte) {
		closed = st
		p.c.Reset(st, ErrCodeCancel)
	}
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	p.data(1, true, []byte("abc"))
	p.wantRST(1, http2.ErrCodeCancel)
	wantEvents(t, p.h.events, "headers 1 POST /", "data 1 3", "close 1 CANCEL")
	p.data(1, true, []byte("late"))
	p.c.Consume(closed, 3)
	p.wantNothing()
	p.h.onData = nil
	p.get(3)
	p.wantHeaders(3, false)
}

// GoAway with an error code closes every stream at once; CloseStreams
// closes them silently.
func TestGoAwayAndCloseStreams(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	p.get(1)
	p.get(3)
	p.c.GoAway(ErrCodeEnhanceYourCalm, "bye")
	ga := p.wantGoAway(http2.ErrCodeEnhanceYourCalm)
	if ga.LastStreamID != 3 || string(ga.DebugData()) != "bye" {
		t.Fatalf("%v %q", ga, ga.DebugData())
	}
	if p.h.closes[1] != ErrCodeEnhanceYourCalm || p.h.closes[3] != ErrCodeEnhanceYourCalm || !p.c.Done() {
		t.Fatalf("closes %v done %v", p.h.closes, p.c.Done())
	}
	q := newPeer(t, Config{})
	q.h.manual = true
	q.get(1)
	q.c.CloseStreams(ErrCodeCancel)
	q.wantNothing()
	if q.h.closes[1] != ErrCodeCancel || q.c.OpenStreams() != 0 {
		t.Fatalf("closes %v", q.h.closes)
	}
}

// Every status from 100 to 999 is encoded correctly, static-table ones and
// literal ones alike.
func TestStatusEncoding(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	for status, id := 102, uint32(1); status <= 999; status, id = status+13, id+2 {
		p.get(id)
		if err := p.c.SendHeaders(p.c.Stream(id), status, nil, status >= 200); err != nil {
			t.Fatal(err)
		}
		if h := p.wantHeaders(id, status >= 200); h[0].Value != strconv.Itoa(status) {
			t.Fatalf("status %d encoded as %v", status, h)
		}
		if status < 200 {
			p.c.SendHeaders(p.c.Stream(id), 204, nil, true)
			p.wantHeaders(id, true)
		}
	}
	id := uint32(5001)
	for _, status := range []int{200, 204, 206, 304, 400, 404, 500} {
		if err := p.get(id); err != nil {
			t.Fatal(err)
		}
		p.c.SendHeaders(p.c.Stream(id), status, nil, true)
		if h := p.wantHeaders(id, true); h[0].Value != strconv.Itoa(status) {
			t.Fatalf("%v", h)
		}
		id += 2
	}
}

type panicTrailers struct{}

func (panicTrailers) Read(max int) ([]byte, DataFlag, error) { return []byte("x"), DataEOF, nil }
func (panicTrailers) Trailers() []hpack.HeaderField          { panic("trailers") }

// AppendOutputVec produces the same bytes as AppendOutput, with the
// payloads of SetBodyBytes bodies referenced rather than copied.
func TestAppendOutputVec(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80000 octets: 5 frames
	run := func(vec bool) ([]byte, [][]byte) {
		p := newPeer(t, Config{})
		setInitialWindow(p, 1<<20)
		readSettingsAck(t, p)
		p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, 1<<20) })
		p.h.onEnd = func(st *Stream) {
			p.c.SendHeaders(st, 200, nil, false)
			if st.ID == 1 {
				p.c.SetBodyBytes(st, body)
			} else {
				p.c.SetBody(st, &trailerSource{bytesSource{[]byte("generated")}, []hpack.HeaderField{{Name: "x-t", Value: "1"}}})
			}
		}
		p.get(1)
		p.get(3)
		p.send(func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{7}) })
		if !vec {
			return p.c.AppendOutput(nil), nil
		}
		bufs := p.c.AppendOutputVec(nil)
		return bytes.Join(bufs, nil), bufs
	}
	want, _ := run(false)
	got, bufs := run(true)
	if !bytes.Equal(got, want) {
		t.Fatalf("vectored output differs:\n got %d octets\nwant %d octets", len(got), len(want))
	}
	aliased := 0
	for _, b := range bufs {
		for off := 0; off < len(body); off += 16384 {
			if len(b) > 0 && &b[0] == &body[off] {
				aliased++
			}
		}
	}
	if aliased != 5 {
		t.Fatalf("%d of 5 DATA payloads reference the body (bufs %d)", aliased, len(bufs))
	}
}
