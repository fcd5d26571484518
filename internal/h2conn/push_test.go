package h2conn

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// pushPeer is a peer whose handler answers nothing by itself and keeps the
// streams it saw, so that a test can push from them.
func pushPeer(t *testing.T, cfg Config, settings ...http2.Setting) (*peer, map[uint32]*Stream) {
	t.Helper()
	p := newRawPeer(t, cfg)
	p.h.manual = true
	seen := map[uint32]*Stream{}
	p.h.onHdr = func(st *Stream) { seen[st.ID] = st }
	p.h.onEnd = func(*Stream) {}
	p.feedRaw([]byte(http2.ClientPreface))
	p.send(func(fr *http2.Framer) error { return fr.WriteSettings(settings...) })
	for {
		if sf, ok := p.read().(*http2.SettingsFrame); ok && sf.IsAck() {
			break
		}
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteSettingsAck() })
	p.h.events = nil
	return p, seen
}

func getCSS() PushRequest {
	return PushRequest{Method: "GET", Path: "/style.css", Fields: []hpack.HeaderField{{Name: "accept", Value: "text/css"}}}
}

// readPush reads a PUSH_PROMISE (and its CONTINUATION frames) and returns
// the frame, the decoded request fields and the number of frames.
func (p *peer) readPush() (*http2.PushPromiseFrame, []xhpack.HeaderField, int) {
	p.t.Helper()
	f := p.read()
	pp, ok := f.(*http2.PushPromiseFrame)
	if !ok {
		p.t.Fatalf("got %v, want PUSH_PROMISE", f)
	}
	blk := append([]byte(nil), pp.HeaderBlockFragment()...)
	n := 1
	// x/net's Framer does not follow a PUSH_PROMISE's CONTINUATION frames
	// (it tracks HEADERS blocks only): they are parsed here.
	for ended := pp.HeadersEnded(); !ended; n++ {
		b := p.r.Next(9)
		h, _ := frame.ParseHeader(b)
		if h.Type != frame.TypeContinuation || h.StreamID != pp.StreamID {
			p.t.Fatalf("want CONTINUATION on %d, got %v", pp.StreamID, h)
		}
		blk = append(blk, p.r.Next(int(h.Length))...)
		ended = h.Flags.Has(frame.FlagEndHeaders)
	}
	return pp, p.decode(blk), n
}

func fieldsString(fs []xhpack.HeaderField) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Name + ": " + f.Value + "\n")
	}
	return b.String()
}

// A promise on an open request stream: PUSH_PROMISE on the request's
// stream with the golden frame header (type 0x5, END_HEADERS, promised
// stream 2), the request pseudo-headers then the fields; promised IDs are
// even and increasing; the pushed response is an ordinary HEADERS + DATA
// on the promised stream, which closes cleanly.
func TestPushPromiseOnTheWire(t *testing.T) {
	p, seen := pushPeer(t, Config{})
	p.get(1)
	st1 := seen[1]
	ps, err := p.c.PushPromise(st1, getCSS())
	if err != nil {
		t.Fatal(err)
	}
	if ps.ID != 2 || ps.State() != StateReservedLocal || !ps.Pushed() || ps.Path() != "/style.css" || ps.Authority() != "example.com" {
		t.Fatalf("pushed stream %d %v %q %q", ps.ID, ps.State(), ps.Path(), ps.Authority())
	}
	out := p.c.AppendOutput(nil)
	// Golden frame header: length, type PUSH_PROMISE, END_HEADERS, stream 1,
	// then the promised stream identifier 2.
	golden := []byte{0, 0, byte(len(out) - 9), 0x5, 0x4, 0, 0, 0, 1, 0, 0, 0, 2}
	if !bytes.HasPrefix(out, golden) {
		t.Fatalf("PUSH_PROMISE % x, want prefix % x", out[:13], golden)
	}
	p.r.Write(out)
	pp, fs, _ := p.readPush()
	if pp.StreamID != 1 || pp.PromiseID != 2 {
		t.Fatalf("PUSH_PROMISE on %d promising %d", pp.StreamID, pp.PromiseID)
	}
	want := ":method: GET\n:scheme: https\n:authority: example.com\n:path: /style.css\naccept: text/css\n"
	if got := fieldsString(fs); got != want {
		t.Fatalf("promised request\n%s\nwant\n%s", got, want)
	}
	ps4, err := p.c.PushPromise(st1, PushRequest{Method: "HEAD", Path: "/a.js"})
	if err != nil || ps4.ID != 4 {
		t.Fatalf("second promise: %v, %v", ps4, err)
	}
	if pp, _, _ := p.readPush(); pp.PromiseID != 4 {
		t.Fatalf("promised %d, want 4", pp.PromiseID)
	}
	if p.c.PushedStreams() != 2 || p.c.OpenStreams() != 3 {
		t.Fatalf("pushed %d open %d", p.c.PushedStreams(), p.c.OpenStreams())
	}
	// The pushed response.
	if err := p.c.SendHeaders(ps, 200, []hpack.HeaderField{{Name: "content-type", Value: "text/css"}}, false); err != nil {
		t.Fatal(err)
	}
	if err := p.c.SetBodyBytes(ps, []byte("body{}")); err != nil {
		t.Fatal(err)
	}
	if got := fieldsString(p.wantHeaders(2, false)); got != ":status: 200\ncontent-type: text/css\n" {
		t.Fatalf("pushed response %q", got)
	}
	if d := p.wantData(2, true); string(d) != "body{}" {
		t.Fatalf("pushed body %q", d)
	}
	if code, ok := p.h.closes[2]; !ok || code != ErrCodeNo {
		t.Fatalf("OnClose(2) = %v, %v", code, ok)
	}
	// The associated response goes out after its promises.
	p.h.respond(st1)
	p.wantHeaders(1, false)
	p.wantData(1, true)
	if p.c.Err() != nil {
		t.Fatal(p.c.Err())
	}
}

// A promised request whose header block exceeds the peer's
// SETTINGS_MAX_FRAME_SIZE is split into PUSH_PROMISE + CONTINUATION frames
// on the associated stream (RFC 9113 §6.6, §6.10), none over the limit.
func TestPushPromiseContinuation(t *testing.T) {
	p, seen := pushPeer(t, Config{})
	p.get(1)
	big := strings.Repeat("x", 40000)
	req := PushRequest{Method: "GET", Path: "/big", Fields: []hpack.HeaderField{{Name: "x-big", Value: big, Sensitive: true}}}
	if _, err := p.c.PushPromise(seen[1], req); err != nil {
		t.Fatal(err)
	}
	out := p.c.AppendOutput(nil)
	for b := out; len(b) > 0; {
		h, _ := frame.ParseHeader(b)
		if h.Length > frame.DefaultMaxFrameSize {
			t.Fatalf("frame of %d octets", h.Length)
		}
		b = b[9+h.Length:]
	}
	p.r.Write(out)
	pp, fs, n := p.readPush()
	if n != 3 || pp.PromiseID != 2 {
		t.Fatalf("%d frames promising %d, want 3 promising 2", n, pp.PromiseID)
	}
	if len(fs) != 5 || fs[4].Value != big {
		t.Fatalf("decoded %d fields", len(fs))
	}
}

// Every rule of RFC 9113 §8.4 that forbids a promise, each refused with its
// typed error and nothing on the wire.
func TestPushPromiseRefused(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		settings []http2.Setting
		setup    func(p *peer, seen map[uint32]*Stream) *Stream // returns the associated stream
		req      PushRequest
		want     error
	}{
		{name: "ENABLE_PUSH 0", settings: []http2.Setting{{ID: http2.SettingEnablePush, Val: 0}}, want: ErrPushDisabled},
		{name: "MAX_CONCURRENT_STREAMS 0", settings: []http2.Setting{{ID: http2.SettingMaxConcurrentStreams, Val: 0}}, want: PushNoStreams},
		{name: "POST", req: PushRequest{Method: "POST", Path: "/x"}, want: PushUnsafeMethod},
		{name: "PUT", req: PushRequest{Method: "PUT", Path: "/x"}, want: PushUnsafeMethod},
		{name: "OPTIONS (safe, not cacheable)", req: PushRequest{Method: "OPTIONS", Path: "/x"}, want: PushUnsafeMethod},
		{name: "lowercase get", req: PushRequest{Method: "get", Path: "/x"}, want: PushUnsafeMethod},
		{name: "content", req: PushRequest{Method: "GET", Path: "/x", Fields: []hpack.HeaderField{{Name: "content-length", Value: "5"}}}, want: PushWithContent},
		{name: "relative path", req: PushRequest{Method: "GET", Path: "style.css"}, want: PushBadRequest},
		{name: "empty path", req: PushRequest{Method: "GET"}, want: PushBadRequest},
		{name: "uppercase field", req: PushRequest{Method: "GET", Path: "/x", Fields: []hpack.HeaderField{{Name: "Accept", Value: "x"}}}, want: PushBadRequest},
		{name: "pseudo field", req: PushRequest{Method: "GET", Path: "/x", Fields: []hpack.HeaderField{{Name: ":path", Value: "/y"}}}, want: PushBadRequest},
		{name: "connection field", req: PushRequest{Method: "GET", Path: "/x", Fields: []hpack.HeaderField{{Name: "connection", Value: "close"}}}, want: PushBadRequest},
		{name: "other authority", req: PushRequest{Method: "GET", Path: "/x", Authority: "evil.example"}, want: PushNotAuthoritative},
		{name: "answered", setup: func(p *peer, seen map[uint32]*Stream) *Stream {
			p.c.SendHeaders(seen[1], 200, nil, false)
			return seen[1]
		}, want: PushAnswered},
		{name: "closed", setup: func(p *peer, seen map[uint32]*Stream) *Stream {
			p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(1, http2.ErrCodeCancel) })
			return seen[1]
		}, want: ErrStreamClosed},
		{name: "on a pushed stream", setup: func(p *peer, seen map[uint32]*Stream) *Stream {
			ps, _ := p.c.PushPromise(seen[1], getCSS())
			return ps
		}, want: PushOnPushedStream},
		{name: "GOAWAY received", setup: func(p *peer, seen map[uint32]*Stream) *Stream {
			p.send(func(fr *http2.Framer) error { return fr.WriteGoAway(0, http2.ErrCodeNo, nil) })
			return seen[1]
		}, want: PushAfterGoAway},
		{name: "GOAWAY sent (graceful shutdown)", setup: func(p *peer, seen map[uint32]*Stream) *Stream {
			p.c.Shutdown()
			return seen[1]
		}, want: PushAfterGoAway},
		{name: "identifiers exhausted", setup: func(p *peer, seen map[uint32]*Stream) *Stream {
			p.c.push.lastID = frame.MaxStreamID - 1
			return seen[1]
		}, want: PushIDsExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, seen := pushPeer(t, tt.cfg, tt.settings...)
			var assoc *Stream
			p.get(1)
			assoc = seen[1]
			if tt.setup != nil {
				assoc = tt.setup(p, seen)
			}
			p.r.Reset()
			p.c.AppendOutput(nil) // what the setup wrote
			req := tt.req
			if req.Method == "" && req.Path == "" {
				req = getCSS()
			}
			before := p.c.push.lastID
			ps, err := p.c.PushPromise(assoc, req)
			if !errors.Is(err, tt.want) || ps != nil {
				t.Fatalf("got %v, %v; want %v", ps, err, tt.want)
			}
			if out := p.c.AppendOutput(nil); bytes.Contains(out, []byte{byte(frame.TypePushPromise), 0x4, 0, 0, 0, 1}) {
				t.Fatalf("a refused promise was written: % x", out)
			}
			if p.c.push.lastID != before {
				t.Fatal("a refused promise used a stream identifier")
			}
			if p.c.Err() != nil {
				t.Fatal(p.c.Err())
			}
		})
	}
}

// The authorities a server may push for: the associated request's (any
// case), and Config.PushAuthorities.
func TestPushAuthority(t *testing.T) {
	p, seen := pushPeer(t, Config{PushAuthorities: []string{"static.example.com"}})
	p.get(1)
	for _, a := range []string{"", "EXAMPLE.com", "static.example.com", "Static.Example.Com"} {
		ps, err := p.c.PushPromise(seen[1], PushRequest{Method: "GET", Path: "/x", Authority: a})
		if err != nil {
			t.Fatalf("%q: %v", a, err)
		}
		if want := a; a == "" && ps.Authority() != "example.com" || want != "" && ps.Authority() != want {
			t.Fatalf("%q: pushed authority %q", a, ps.Authority())
		}
	}
	if _, err := p.c.PushPromise(seen[1], PushRequest{Method: "GET", Path: "/x", Authority: "example.com.evil"}); !errors.Is(err, PushNotAuthoritative) {
		t.Fatal(err)
	}
}

// Config.MaxPushPromises, at its threshold: that many pushed streams may be
// open at once; one more is refused until one of them closes. Its default
// is DefaultMaxPushPromises.
func TestPushPromiseLimit(t *testing.T) {
	if got := (Config{}).WithDefaults().MaxPushPromises; got != DefaultMaxPushPromises || DefaultMaxPushPromises != 100 {
		t.Fatalf("default %d", got)
	}
	if (Config{MaxPushPromises: -1}).Validate() == nil {
		t.Fatal("negative MaxPushPromises accepted")
	}
	p, seen := pushPeer(t, Config{MaxPushPromises: 3})
	p.get(1)
	var pushed []*Stream
	for i := range 3 {
		ps, err := p.c.PushPromise(seen[1], getCSS())
		if err != nil {
			t.Fatalf("promise %d: %v", i+1, err)
		}
		pushed = append(pushed, ps)
	}
	if _, err := p.c.PushPromise(seen[1], getCSS()); !errors.Is(err, PushLimit) {
		t.Fatalf("promise 4: %v, want PushLimit", err)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(pushed[0].ID, http2.ErrCodeCancel) })
	if ps, err := p.c.PushPromise(seen[1], getCSS()); err != nil || ps.ID != 8 {
		t.Fatalf("after a close: %v, %v", ps, err)
	}
}

// SETTINGS_ENABLE_PUSH turned off by a later SETTINGS: new promises get
// ErrPushDisabled; the stream promised before stays valid and is answered
// (RFC 9113 §6.5.2 forbids sending PUSH_PROMISE, not the responses to
// promises the client has accepted).
func TestPushDisabledLater(t *testing.T) {
	p, seen := pushPeer(t, Config{})
	p.get(1)
	ps, err := p.c.PushPromise(seen[1], getCSS())
	if err != nil {
		t.Fatal(err)
	}
	p.readPush()
	p.send(func(fr *http2.Framer) error {
		return fr.WriteSettings(http2.Setting{ID: http2.SettingEnablePush, Val: 0})
	})
	if _, ok := p.read().(*http2.SettingsFrame); !ok {
		t.Fatal("no SETTINGS ACK")
	}
	if _, err := p.c.PushPromise(seen[1], getCSS()); !errors.Is(err, ErrPushDisabled) {
		t.Fatalf("got %v, want ErrPushDisabled", err)
	}
	if err := p.c.SendHeaders(ps, 200, nil, false); err != nil {
		t.Fatal(err)
	}
	p.c.SetBodyBytes(ps, []byte("x"))
	p.wantHeaders(2, false)
	p.wantData(2, true)
	if p.h.closes[2] != ErrCodeNo {
		t.Fatal("promised stream not closed cleanly")
	}
}

// The client's SETTINGS_MAX_CONCURRENT_STREAMS bounds pushed streams once
// they are answered (half-closed (remote)), not while reserved (RFC 9113
// §5.1.2): with a limit of 1 both promises go out, the first response
// starts, the second waits until the first closes; a raised limit starts a
// waiting one at once.
func TestPushPeerMaxConcurrentStreams(t *testing.T) {
	p, seen := pushPeer(t, Config{}, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 1})
	p.get(1)
	var ps [3]*Stream
	for i := range ps {
		var err error
		if ps[i], err = p.c.PushPromise(seen[1], getCSS()); err != nil {
			t.Fatal(err)
		}
		p.readPush()
	}
	body := func(s string) BodySource { return &bytesSource{b: []byte(s)} }
	// The first: headers out, its body deferred so that it stays open.
	gen := &deferSource{}
	p.c.SendHeaders(ps[0], 200, nil, false)
	p.c.SetBody(ps[0], gen)
	p.wantHeaders(2, false)
	p.wantNothing()
	// The second and third wait for a slot, body and all.
	p.c.SendHeaders(ps[1], 200, []hpack.HeaderField{{Name: "x-n", Value: "2"}}, false)
	p.c.SetBody(ps[1], body("two"))
	p.c.SendHeaders(ps[2], 204, nil, true)
	if ps[1].State() != StateReservedLocal || ps[2].State() != StateReservedLocal {
		t.Fatalf("states %v %v", ps[1].State(), ps[2].State())
	}
	p.wantNothing()
	// The first ends: the second starts.
	gen.eof = true
	p.c.Resume(ps[0])
	p.wantData(2, true)
	if got := fieldsString(p.wantHeaders(4, false)); got != ":status: 200\nx-n: 2\n" {
		t.Fatalf("parked header block %q", got)
	}
	if d := p.wantData(4, true); string(d) != "two" {
		t.Fatalf("body %q", d)
	}
	// The second ended too: the third (no body) goes.
	p.wantHeaders(6, true)
	for _, id := range []uint32{2, 4, 6} {
		if p.h.closes[id] != ErrCodeNo {
			t.Fatalf("stream %d: %v", id, p.h.closes[id])
		}
	}
	// A raise starts a waiting response at once.
	ps7, _ := p.c.PushPromise(seen[1], getCSS())
	ps8, _ := p.c.PushPromise(seen[1], getCSS())
	p.readPush()
	p.readPush()
	p.c.SendHeaders(ps7, 200, nil, false)
	p.c.SetBody(ps7, &deferSource{})
	p.c.SendHeaders(ps8, 204, nil, true)
	p.wantHeaders(8, false)
	p.wantNothing()
	p.send(func(fr *http2.Framer) error {
		return fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 2})
	})
	p.wantHeaders(10, true)
	if _, ok := p.read().(*http2.SettingsFrame); !ok {
		t.Fatal("no SETTINGS ACK")
	}
	if p.c.Err() != nil {
		t.Fatal(p.c.Err())
	}
}

// deferSource defers until eof is set, then ends with "end".
type deferSource struct{ eof bool }

func (d *deferSource) Read(max int) ([]byte, DataFlag, error) {
	if d.eof {
		return []byte("end"), DataEOF, nil
	}
	return nil, DataDeferred, nil
}

// A client that refuses a push resets the promised stream: CANCEL while it
// is reserved, REFUSED_STREAM while its body is being sent. The stream
// closes with that code (OnClose), nothing more is sent on it, and the
// other streams carry on.
func TestPushResetByClient(t *testing.T) {
	p, seen := pushPeer(t, Config{}, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 10})
	p.get(1)
	a, _ := p.c.PushPromise(seen[1], getCSS())
	b, _ := p.c.PushPromise(seen[1], getCSS())
	p.readPush()
	p.readPush()
	p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(a.ID, http2.ErrCodeCancel) })
	if code, ok := p.h.closes[2]; !ok || code != ErrCodeCancel {
		t.Fatalf("OnClose(2) = %v, %v", code, ok)
	}
	if err := p.c.SendHeaders(a, 200, nil, true); !errors.Is(err, ErrStreamClosed) {
		t.Fatalf("answer after reset: %v", err)
	}
	p.c.SendHeaders(b, 200, nil, false)
	p.c.SetBodyBytes(b, bytes.Repeat([]byte("z"), 100))
	p.wantHeaders(4, false)
	if d := p.wantData(4, false); len(d) != 10 {
		t.Fatalf("first DATA %d octets, want the 10 of the window", len(d))
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(b.ID, http2.ErrCodeRefusedStream) })
	if code := p.h.closes[4]; code != ErrCodeRefusedStream {
		t.Fatalf("OnClose(4) = %v", code)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(4, 1000) }) // late: ignored
	p.wantNothing()
	p.h.respond(seen[1])
	p.wantHeaders(1, false)
	p.wantData(1, false) // 10 octets of the window
	if p.c.Err() != nil || p.c.PushedStreams() != 0 {
		t.Fatalf("err %v, pushed %d", p.c.Err(), p.c.PushedStreams())
	}
}

// Pushed DATA obeys the peer's windows (RFC 9113 §6.9): the stream's
// initial window, then its WINDOW_UPDATEs, and the connection window.
func TestPushFlowControl(t *testing.T) {
	p, seen := pushPeer(t, Config{}, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 5})
	p.get(1)
	ps, _ := p.c.PushPromise(seen[1], getCSS())
	p.readPush()
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(2, 3) }) // allowed in reserved (local)
	p.c.SendHeaders(ps, 200, nil, false)
	p.c.SetBodyBytes(ps, []byte("0123456789abcdef"))
	p.wantHeaders(2, false)
	if d := p.wantData(2, false); string(d) != "01234567" {
		t.Fatalf("DATA %q, want the 8 octets of the window", d)
	}
	p.wantNothing()
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(2, 100) })
	if d := p.wantData(2, true); string(d) != "89abcdef" {
		t.Fatalf("DATA %q", d)
	}
}

// What a client may send on a pushed stream: PRIORITY, WINDOW_UPDATE and
// RST_STREAM while it is reserved (local); any other frame is a connection
// error PROTOCOL_ERROR (RFC 9113 §5.1). An even stream never promised is
// idle: a WINDOW_UPDATE on it is a connection error too. Once the response
// started (half-closed (remote) for us), DATA is STREAM_CLOSED.
func TestPushStreamReceiveRules(t *testing.T) {
	t.Run("DATA on reserved", func(t *testing.T) {
		p, seen := pushPeer(t, Config{})
		p.get(1)
		p.c.PushPromise(seen[1], getCSS())
		p.readPush()
		p.send(func(fr *http2.Framer) error {
			return fr.WritePriority(2, http2.PriorityParam{StreamDep: 1, Weight: 3})
		})
		p.data(2, false, []byte("x"))
		p.wantGoAway(http2.ErrCodeProtocol)
	})
	t.Run("WINDOW_UPDATE on an idle even stream", func(t *testing.T) {
		p, seen := pushPeer(t, Config{})
		p.get(1)
		p.c.PushPromise(seen[1], getCSS())
		p.readPush()
		p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(4, 1) })
		p.wantGoAway(http2.ErrCodeProtocol)
	})
	t.Run("DATA on a started push", func(t *testing.T) {
		p, seen := pushPeer(t, Config{})
		p.get(1)
		ps, _ := p.c.PushPromise(seen[1], getCSS())
		p.readPush()
		p.c.SendHeaders(ps, 200, nil, false)
		p.c.SetBody(ps, &deferSource{})
		p.wantHeaders(2, false)
		p.data(2, false, []byte("x"))
		p.wantRST(2, http2.ErrCodeStreamClosed)
	})
	t.Run("PUSH_PROMISE from the client", func(t *testing.T) {
		// RFC 9113 §8.4: "A client cannot push." — also on a connection
		// where the server pushes.
		p, seen := pushPeer(t, Config{})
		p.get(1)
		p.c.PushPromise(seen[1], getCSS())
		p.readPush()
		p.send(func(fr *http2.Framer) error {
			return fr.WritePushPromise(http2.PushPromiseParam{StreamID: 1, PromiseID: 3, BlockFragment: p.block(getHello...), EndHeaders: true})
		})
		p.wantGoAway(http2.ErrCodeProtocol)
		p.wantReject(reject.PushPromiseFromClient)
	})
}

// The peer's GOAWAY names the last of our streams it processes: pushed
// streams above it close (REFUSED_STREAM) without a frame, those at or
// below it are still answered, and no new promise is made.
func TestPushPeerGoAway(t *testing.T) {
	p, seen := pushPeer(t, Config{})
	p.get(1)
	a, _ := p.c.PushPromise(seen[1], getCSS())
	p.c.PushPromise(seen[1], getCSS())
	p.readPush()
	p.readPush()
	p.send(func(fr *http2.Framer) error { return fr.WriteGoAway(2, http2.ErrCodeNo, nil) })
	if code, ok := p.h.closes[4]; !ok || code != ErrCodeRefusedStream {
		t.Fatalf("OnClose(4) = %v, %v", code, ok)
	}
	if _, ok := p.h.closes[2]; ok {
		t.Fatal("stream 2 closed")
	}
	p.c.SendHeaders(a, 204, nil, true)
	p.wantHeaders(2, true)
	p.wantNothing()
}

// Pushed streams do not take the client's concurrency slots: our own
// SETTINGS_MAX_CONCURRENT_STREAMS limits the streams the client opens.
func TestPushDoesNotCountAgainstOurLimit(t *testing.T) {
	p, seen := pushPeer(t, Config{MaxConcurrentStreams: 1})
	p.get(1)
	for range 3 {
		if _, err := p.c.PushPromise(seen[1], getCSS()); err != nil {
			t.Fatal(err)
		}
	}
	p.c.SendHeaders(seen[1], 204, nil, true)
	p.get(3)
	if seen[3] == nil {
		t.Fatal("request 3 refused while only pushed streams are open")
	}
	p.get(5)
	if seen[5] != nil {
		t.Fatal("request 5 accepted beyond the limit")
	}
}

// A promise may be made while the request body is still arriving (the
// associated stream is open, RFC 9113 §8.4).
func TestPushOnOpenStream(t *testing.T) {
	p, seen := pushPeer(t, Config{})
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/up", ":authority", "example.com")
	if seen[1].State() != StateOpen {
		t.Fatal(seen[1].State())
	}
	if ps, err := p.c.PushPromise(seen[1], getCSS()); err != nil || ps.ID != 2 {
		t.Fatalf("%v, %v", ps, err)
	}
	p.readPush()
	p.data(1, true, []byte("x"))
	if p.c.Err() != nil {
		t.Fatal(p.c.Err())
	}
}

// Closed pushed streams do not evict the memory of how nearby client
// streams closed: after we reset request 3, and pushed stream 2 (whose
// identifier is 3's neighbour) closed, the client's late DATA on 3 is still
// ignored (RFC 9113 §5.1: "An endpoint MUST ignore frames that it receives
// on closed streams after it has sent a RST_STREAM frame").
func TestPushedStreamsKeepClosedMemory(t *testing.T) {
	p, seen := pushPeer(t, Config{})
	p.get(1)
	p.headers(3, false, ":method", "POST", ":scheme", "https", ":path", "/up", ":authority", "example.com")
	p.c.Reset(seen[3], ErrCodeCancel)
	p.wantRST(3, http2.ErrCodeCancel)
	ps, _ := p.c.PushPromise(seen[1], getCSS())
	p.readPush()
	p.c.Reset(ps, ErrCodeCancel)
	p.wantRST(2, http2.ErrCodeCancel)
	p.data(3, false, []byte("late"))
	p.wantNothing()
}

// Pushed streams are counted like the client's: a promise opens (reserves)
// a stream in Stats and its close closes it, so StreamsOpened and
// StreamsClosed agree once everything ended; the client's reset of a
// promised stream counts as a reset received.
func TestPushStats(t *testing.T) {
	var s Stats
	p, seen := pushPeer(t, Config{Stats: &s})
	p.get(1)
	a, err := p.c.PushPromise(seen[1], getCSS())
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.c.PushPromise(seen[1], getCSS())
	if err != nil {
		t.Fatal(err)
	}
	p.readPush()
	p.readPush()
	if got := s.StreamsOpened.Load(); got != 3 {
		t.Fatalf("StreamsOpened = %d after one request and two promises, want 3", got)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(a.ID, http2.ErrCodeCancel) })
	p.c.SendHeaders(b, 200, nil, true)
	p.wantHeaders(4, true)
	if got := b.Status(); got != 200 {
		t.Errorf("pushed stream's Status() = %d, want 200 (what the access log records)", got)
	}
	p.h.respond(seen[1])
	p.wantHeaders(1, false)
	p.wantData(1, true)
	if o, c := s.StreamsOpened.Load(), s.StreamsClosed.Load(); o != 3 || c != 3 {
		t.Fatalf("StreamsOpened %d, StreamsClosed %d, want 3 and 3", o, c)
	}
	wantCounts(t, "ResetsReceived", &s.ResetsReceived, map[ErrCode]uint64{ErrCodeCancel: 1})
}
