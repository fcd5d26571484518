package frame

import (
	"bytes"
	"errors"
	"testing"

	"github.com/h2kit/h2kit/reject"
	"golang.org/x/net/http2"
)

// golden wire bytes, written by hand from RFC 9113 §4.1 and §6, and
// cross-checked against x/net's Framer in TestWritersMatchXNet.
var writeGolden = []struct {
	name string
	got  []byte
	want string
}{
	{"DATA", AppendData(nil, 1, false, []byte("abc")), "\x00\x00\x03\x00\x00\x00\x00\x00\x01abc"},
	{"DATA END_STREAM", AppendData(nil, 3, true, nil), "\x00\x00\x00\x00\x01\x00\x00\x00\x03"},
	{"DATA padded", AppendDataPadded(nil, 1, true, []byte("ab"), 2), "\x00\x00\x05\x00\x09\x00\x00\x00\x01\x02ab\x00\x00"},
	{"HEADERS", AppendHeaders(nil, 1, true, true, []byte("*abc")), "\x00\x00\x04\x01\x05\x00\x00\x00\x01*abc"},
	{"HEADERS no END_HEADERS", AppendHeaders(nil, 0x7fffffff, false, false, []byte("x")), "\x00\x00\x01\x01\x00\x7f\xff\xff\xffx"},
	{"HEADERS priority", AppendHeadersPriority(nil, 3, false, true, PriorityParam{StreamDep: 1, Exclusive: true, Weight: 15}, 0, []byte("h")),
		"\x00\x00\x06\x01\x24\x00\x00\x00\x03\x80\x00\x00\x01\x0fh"},
	{"CONTINUATION", AppendContinuation(nil, 5, true, []byte("zz")), "\x00\x00\x02\x09\x04\x00\x00\x00\x05zz"},
	{"PRIORITY", AppendPriority(nil, 5, PriorityParam{StreamDep: 3, Weight: 255}), "\x00\x00\x05\x02\x00\x00\x00\x00\x05\x00\x00\x00\x03\xff"},
	{"RST_STREAM", AppendRSTStream(nil, 7, ErrCodeCancel), "\x00\x00\x04\x03\x00\x00\x00\x00\x07\x00\x00\x00\x08"},
	{"SETTINGS", AppendSettings(nil, Setting{SettingMaxConcurrentStreams, 100}, Setting{SettingInitialWindowSize, 1 << 20}),
		"\x00\x00\x0c\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64\x00\x04\x00\x10\x00\x00"},
	{"SETTINGS ACK", AppendSettingsAck(nil), "\x00\x00\x00\x04\x01\x00\x00\x00\x00"},
	{"PUSH_PROMISE", AppendPushPromise(nil, 1, 2, true, []byte("p")), "\x00\x00\x05\x05\x04\x00\x00\x00\x01\x00\x00\x00\x02p"},
	{"PING", AppendPing(nil, false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8}), "\x00\x00\x08\x06\x00\x00\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08"},
	{"PING ACK", AppendPing(nil, true, [8]byte{}), "\x00\x00\x08\x06\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"},
	{"GOAWAY", AppendGoAway(nil, 9, ErrCodeEnhanceYourCalm, []byte("calm")), "\x00\x00\x0c\x07\x00\x00\x00\x00\x00\x00\x00\x00\x09\x00\x00\x00\x0bcalm"},
	{"WINDOW_UPDATE", AppendWindowUpdate(nil, 0, 1<<31-1), "\x00\x00\x04\x08\x00\x00\x00\x00\x00\x7f\xff\xff\xff"},
	{"PRIORITY_UPDATE", AppendPriorityUpdate(nil, 3, []byte("u=1")), "\x00\x00\x07\x10\x00\x00\x00\x00\x00\x00\x00\x00\x03u=1"},
}

func TestWriteGolden(t *testing.T) {
	for _, tc := range writeGolden {
		if string(tc.got) != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestWritersMatchXNet checks the writers against x/net's Framer, an
// independent implementation.
func TestWritersMatchXNet(t *testing.T) {
	var buf bytes.Buffer
	fr := http2.NewFramer(&buf, nil)
	fr.AllowIllegalWrites = true
	check := func(name string, mine []byte, write func() error) {
		t.Helper()
		buf.Reset()
		if err := write(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), mine) {
			t.Errorf("%s: mine %q, x/net %q", name, mine, buf.Bytes())
		}
	}
	check("DATA", AppendData(nil, 1, true, []byte("body")), func() error { return fr.WriteData(1, true, []byte("body")) })
	check("DATA padded", AppendDataPadded(nil, 1, false, []byte("b"), 3), func() error { return fr.WriteDataPadded(1, false, []byte("b"), make([]byte, 3)) })
	check("HEADERS", AppendHeaders(nil, 3, false, true, []byte("blk")), func() error {
		return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: []byte("blk"), EndHeaders: true})
	})
	check("HEADERS prio", AppendHeadersPriority(nil, 3, true, false, PriorityParam{StreamDep: 1, Weight: 7}, 2, []byte("blk")), func() error {
		return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: []byte("blk"), EndStream: true, PadLength: 2,
			Priority: http2.PriorityParam{StreamDep: 1, Weight: 7}})
	})
	check("CONTINUATION", AppendContinuation(nil, 3, true, []byte("c")), func() error { return fr.WriteContinuation(3, true, []byte("c")) })
	check("PRIORITY", AppendPriority(nil, 3, PriorityParam{StreamDep: 5, Exclusive: true, Weight: 1}), func() error {
		return fr.WritePriority(3, http2.PriorityParam{StreamDep: 5, Exclusive: true, Weight: 1})
	})
	check("RST_STREAM", AppendRSTStream(nil, 3, ErrCodeRefusedStream), func() error { return fr.WriteRSTStream(3, http2.ErrCodeRefusedStream) })
	check("SETTINGS", AppendSettings(nil, Setting{SettingMaxFrameSize, 1 << 20}), func() error {
		return fr.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 1 << 20})
	})
	check("SETTINGS ACK", AppendSettingsAck(nil), fr.WriteSettingsAck)
	check("PING", AppendPing(nil, true, [8]byte{9}), func() error { return fr.WritePing(true, [8]byte{9}) })
	check("GOAWAY", AppendGoAway(nil, 5, ErrCodeProtocol, []byte("x")), func() error { return fr.WriteGoAway(5, http2.ErrCodeProtocol, []byte("x")) })
	check("WINDOW_UPDATE", AppendWindowUpdate(nil, 3, 100), func() error { return fr.WriteWindowUpdate(3, 100) })
	check("PUSH_PROMISE", AppendPushPromise(nil, 1, 2, true, []byte("pp")), func() error {
		return fr.WritePushPromise(http2.PushPromiseParam{StreamID: 1, PromiseID: 2, BlockFragment: []byte("pp"), EndHeaders: true})
	})
}

func TestReadFrameRoundTrip(t *testing.T) {
	var wire []byte
	for _, tc := range writeGolden {
		wire = append(wire, tc.got...)
	}
	for i, tc := range writeGolden {
		h, p, n, err := ReadFrame(wire, DefaultMaxFrameSize)
		if err != nil || n == 0 {
			t.Fatalf("frame %d (%s): n=%d err=%v", i, tc.name, n, err)
		}
		if n != len(tc.got) || int(h.Length) != len(p) {
			t.Fatalf("%s: n=%d len=%d payload=%d", tc.name, n, h.Length, len(p))
		}
		wire = wire[n:]
	}
	if len(wire) != 0 {
		t.Fatalf("%d bytes left", len(wire))
	}
}

// RFC 9113 §4.2: a frame over SETTINGS_MAX_FRAME_SIZE is FRAME_SIZE_ERROR;
// exactly at the limit is fine, and a partial frame asks for more input.
func TestReadFrameSizeLimit(t *testing.T) {
	at := AppendData(nil, 1, false, make([]byte, 100))
	if _, _, n, err := ReadFrame(at, 100); err != nil || n != len(at) {
		t.Fatalf("at limit: n=%d err=%v", n, err)
	}
	_, _, _, err := ReadFrame(at, 99)
	var ce *ConnError
	if !errors.As(err, &ce) || ce.Code != ErrCodeFrameSize {
		t.Fatalf("over limit: %v", err)
	}
	for i := range len(at) {
		if _, _, n, err := ReadFrame(at[:i], 100); n != 0 || err != nil {
			t.Fatalf("partial %d: n=%d err=%v", i, n, err)
		}
	}
}

// RFC 9113 §4.1: the reserved bit of the stream identifier is ignored.
func TestReservedBitIgnored(t *testing.T) {
	h, err := ParseHeader([]byte("\x00\x00\x00\x00\x00\x80\x00\x00\x03"))
	if err != nil || h.StreamID != 3 {
		t.Fatalf("got %+v %v", h, err)
	}
}

func wantConn(t *testing.T, err error, code ErrCode) {
	t.Helper()
	var ce *ConnError
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("want connection error %s, got %v", code, err)
	}
}

func wantStream(t *testing.T, err error, id uint32, code ErrCode) {
	t.Helper()
	var se *StreamError
	if !errors.As(err, &se) || se.Code != code || se.StreamID != id {
		t.Fatalf("want stream error %s on %d, got %v", code, id, err)
	}
}

func hdr(typ Type, fl Flags, id uint32, n int) Header {
	return Header{Length: uint32(n), Type: typ, Flags: fl, StreamID: id}
}

func TestParseErrors(t *testing.T) {
	// §6.1: DATA on stream 0.
	_, err := ParseData(hdr(TypeData, 0, 0, 1), []byte("x"))
	wantConn(t, err, ErrCodeProtocol)
	// §6.1: padding as long as the payload.
	_, err = ParseData(hdr(TypeData, FlagPadded, 1, 3), []byte{3, 0, 0})
	wantConn(t, err, ErrCodeProtocol)
	// Padding that fills the payload after the Pad Length octet is valid.
	d, err := ParseData(hdr(TypeData, FlagPadded, 1, 3), []byte{2, 0, 0})
	if err != nil || len(d.Data) != 0 || d.FlowLen != 3 {
		t.Fatalf("fully padded DATA: %+v %v", d, err)
	}
	d, err = ParseData(hdr(TypeData, FlagPadded, 1, 4), []byte{2, 'a', 0, 0})
	if err != nil || string(d.Data) != "a" || d.FlowLen != 4 {
		t.Fatalf("padded DATA: %+v %v", d, err)
	}
	// §6.2: HEADERS on stream 0; padding too long.
	_, err = ParseHeaders(hdr(TypeHeaders, FlagEndHeaders, 0, 1), []byte("x"))
	wantConn(t, err, ErrCodeProtocol)
	_, err = ParseHeaders(hdr(TypeHeaders, FlagPadded, 1, 2), []byte{5, 'x'})
	wantConn(t, err, ErrCodeProtocol)
	// §6.3: PRIORITY length other than 5 is a stream FRAME_SIZE_ERROR.
	_, err = ParsePriority(hdr(TypePriority, 0, 3, 4), []byte{0, 0, 0, 1})
	wantStream(t, err, 3, ErrCodeFrameSize)
	_, err = ParsePriority(hdr(TypePriority, 0, 0, 5), make([]byte, 5))
	wantConn(t, err, ErrCodeProtocol)
	// §6.4: RST_STREAM length other than 4; stream 0.
	_, err = ParseRSTStream(hdr(TypeRSTStream, 0, 1, 3), make([]byte, 3))
	wantConn(t, err, ErrCodeFrameSize)
	_, err = ParseRSTStream(hdr(TypeRSTStream, 0, 0, 4), make([]byte, 4))
	wantConn(t, err, ErrCodeProtocol)
	// §6.5: SETTINGS on a stream, ACK with payload, length not a multiple of 6.
	_, err = ParseSettings(hdr(TypeSettings, 0, 1, 0), nil)
	wantConn(t, err, ErrCodeProtocol)
	_, err = ParseSettings(hdr(TypeSettings, FlagAck, 0, 6), make([]byte, 6))
	wantConn(t, err, ErrCodeFrameSize)
	_, err = ParseSettings(hdr(TypeSettings, 0, 0, 5), make([]byte, 5))
	wantConn(t, err, ErrCodeFrameSize)
	// §6.7: PING length other than 8; PING on a stream.
	_, err = ParsePing(hdr(TypePing, 0, 0, 7), make([]byte, 7))
	wantConn(t, err, ErrCodeFrameSize)
	_, err = ParsePing(hdr(TypePing, 0, 1, 8), make([]byte, 8))
	wantConn(t, err, ErrCodeProtocol)
	// §6.8: GOAWAY on a stream.
	_, err = ParseGoAway(hdr(TypeGoAway, 0, 1, 8), make([]byte, 8))
	wantConn(t, err, ErrCodeProtocol)
	// §6.9: WINDOW_UPDATE length; zero increment on a stream and on the connection.
	_, err = ParseWindowUpdate(hdr(TypeWindowUpdate, 0, 1, 3), make([]byte, 3))
	wantConn(t, err, ErrCodeFrameSize)
	_, err = ParseWindowUpdate(hdr(TypeWindowUpdate, 0, 1, 4), make([]byte, 4))
	wantStream(t, err, 1, ErrCodeProtocol)
	_, err = ParseWindowUpdate(hdr(TypeWindowUpdate, 0, 0, 4), make([]byte, 4))
	wantConn(t, err, ErrCodeProtocol)
	// RFC 9218 §7.1: PRIORITY_UPDATE on a stream; too short.
	_, err = ParsePriorityUpdate(hdr(TypePriorityUpdate, 0, 1, 4), []byte{0, 0, 0, 1})
	wantConn(t, err, ErrCodeProtocol)
	_, err = ParsePriorityUpdate(hdr(TypePriorityUpdate, 0, 0, 3), []byte{0, 0, 1})
	wantConn(t, err, ErrCodeFrameSize)
	pu, err := ParsePriorityUpdate(hdr(TypePriorityUpdate, 0, 0, 7), []byte("\x00\x00\x00\x05u=0"))
	if err != nil || pu.PrioritizedID != 5 || string(pu.Value) != "u=0" {
		t.Fatalf("PRIORITY_UPDATE: %+v %v", pu, err)
	}
	// §6.10: CONTINUATION on stream 0.
	_, err = ParseContinuation(hdr(TypeContinuation, 0, 0, 0), nil)
	wantConn(t, err, ErrCodeProtocol)
}

// RFC 9113 §6.5.2 value ranges.
func TestSettingValid(t *testing.T) {
	cases := []struct {
		s    Setting
		code ErrCode // 0: valid
	}{
		{Setting{SettingEnablePush, 1}, 0},
		{Setting{SettingEnablePush, 2}, ErrCodeProtocol},
		{Setting{SettingInitialWindowSize, 1<<31 - 1}, 0},
		{Setting{SettingInitialWindowSize, 1 << 31}, ErrCodeFlowControl},
		{Setting{SettingMaxFrameSize, 16384}, 0},
		{Setting{SettingMaxFrameSize, 16383}, ErrCodeProtocol},
		{Setting{SettingMaxFrameSize, 1<<24 - 1}, 0},
		{Setting{SettingMaxFrameSize, 1 << 24}, ErrCodeProtocol},
		{Setting{0xabcd, 1<<32 - 1}, 0},
	}
	for _, tc := range cases {
		err := tc.s.Valid()
		if tc.code == 0 {
			if err != nil {
				t.Errorf("%v=%d: %v", tc.s.ID, tc.s.Val, err)
			}
			continue
		}
		var ce *ConnError
		if !errors.As(err, &ce) || ce.Code != tc.code {
			t.Errorf("%v=%d: want %s, got %v", tc.s.ID, tc.s.Val, tc.code, err)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ErrCodeProtocol.String(), "PROTOCOL_ERROR"},
		{ErrCodeHTTP11Required.String(), "HTTP_1_1_REQUIRED"},
		{ErrCode(0x1f).String(), "ERR_UNKNOWN_0x1f"},
		{TypeWindowUpdate.String(), "WINDOW_UPDATE"},
		{Type(0x11).String(), "UNKNOWN_FRAME_TYPE_0x11"},
		{TypePriorityUpdate.String(), "PRIORITY_UPDATE"},
		{SettingMaxHeaderListSize.String(), "MAX_HEADER_LIST_SIZE"},
		{SettingID(7).String(), "UNKNOWN_SETTING_0x7"},
		{(&StreamError{StreamID: 3, Code: ErrCodeCancel}).Error(), "h2: stream error on stream 3: CANCEL"},
		{(&ConnError{Code: ErrCodeProtocol, Reason: "x"}).Error(), "h2: connection error: PROTOCOL_ERROR: x"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestParseMatchesXNet parses frames written by x/net's Framer.
func TestParseMatchesXNet(t *testing.T) {
	var buf bytes.Buffer
	fr := http2.NewFramer(&buf, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 5, BlockFragment: []byte("frag"), EndStream: true, EndHeaders: true, PadLength: 3,
		Priority: http2.PriorityParam{StreamDep: 3, Weight: 9}})
	fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 7}, http2.Setting{ID: http2.SettingMaxFrameSize, Val: 20000})
	fr.WriteGoAway(11, http2.ErrCodeCancel, []byte("dbg"))
	wire := buf.Bytes()
	h, p, n, _ := ReadFrame(wire, DefaultMaxFrameSize)
	hf, err := ParseHeaders(h, p)
	if err != nil || string(hf.Fragment) != "frag" || !hf.EndStream() || !hf.EndHeaders() || !hf.HasPriority ||
		hf.Priority.StreamDep != 3 || hf.Priority.Weight != 9 || hf.StreamID != 5 {
		t.Fatalf("HEADERS: %+v %v", hf, err)
	}
	wire = wire[n:]
	h, p, n, _ = ReadFrame(wire, DefaultMaxFrameSize)
	sf, err := ParseSettings(h, p)
	if err != nil || sf.Len() != 2 || sf.At(0) != (Setting{SettingInitialWindowSize, 7}) || sf.At(1) != (Setting{SettingMaxFrameSize, 20000}) {
		t.Fatalf("SETTINGS: %+v %v", sf, err)
	}
	wire = wire[n:]
	h, p, _, _ = ReadFrame(wire, DefaultMaxFrameSize)
	gf, err := ParseGoAway(h, p)
	if err != nil || gf.LastStreamID != 11 || gf.Code != ErrCodeCancel || string(gf.Debug) != "dbg" {
		t.Fatalf("GOAWAY: %+v %v", gf, err)
	}
}

func TestZeroAllocs(t *testing.T) {
	wire := AppendData(nil, 1, false, []byte("hello"))
	wire = AppendHeaders(wire, 1, true, true, []byte("blk"))
	wire = AppendSettings(wire, Setting{SettingMaxFrameSize, 20000})
	dst := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		b := wire
		for len(b) > 0 {
			h, p, n, err := ReadFrame(b, DefaultMaxFrameSize)
			if err != nil || n == 0 {
				panic("bad")
			}
			switch h.Type {
			case TypeData:
				ParseData(h, p)
			case TypeHeaders:
				ParseHeaders(h, p)
			case TypeSettings:
				s, _ := ParseSettings(h, p)
				_ = s.At(0)
			}
			b = b[n:]
		}
		dst = AppendData(dst[:0], 1, true, []byte("hello"))
		dst = AppendHeaders(dst, 1, false, true, []byte("blk"))
		dst = AppendWindowUpdate(dst, 1, 5)
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per run", allocs)
	}
}

// FuzzReadFrame: arbitrary bytes never panic the parsers; every frame
// ReadFrame returns lies inside the input.
func FuzzReadFrame(f *testing.F) {
	for _, tc := range writeGolden {
		f.Add(tc.got)
	}
	f.Add([]byte("\x00\x00\x01\x00\x08\x00\x00\x00\x01\x05"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for len(b) > 0 {
			h, p, n, err := ReadFrame(b, DefaultMaxFrameSize)
			if err != nil || n == 0 {
				return
			}
			if n > len(b) || len(p) != int(h.Length) {
				t.Fatalf("n=%d len=%d payload=%d", n, len(b), len(p))
			}
			switch h.Type {
			case TypeData:
				if d, err := ParseData(h, p); err == nil && len(d.Data) > len(p) {
					t.Fatal("data longer than payload")
				}
			case TypeHeaders:
				ParseHeaders(h, p)
			case TypePriority:
				ParsePriority(h, p)
			case TypeRSTStream:
				ParseRSTStream(h, p)
			case TypeSettings:
				if s, err := ParseSettings(h, p); err == nil {
					for i := range s.Len() {
						s.At(i).Valid()
					}
				}
			case TypePushPromise:
				ParsePushPromise(h, p)
			case TypePing:
				ParsePing(h, p)
			case TypeGoAway:
				ParseGoAway(h, p)
			case TypeWindowUpdate:
				ParseWindowUpdate(h, p)
			case TypeContinuation:
				ParseContinuation(h, p)
			case TypePriorityUpdate:
				ParsePriorityUpdate(h, p)
			}
			b = b[n:]
		}
	})
}

// BenchmarkReadFrame compares ReadFrame+ParseData with x/net's Framer on
// the same 16 KiB DATA frames.
func BenchmarkReadFrame(b *testing.B) {
	b.ReportAllocs()
	var wire []byte
	for range 64 {
		wire = AppendData(wire, 1, false, make([]byte, 1024))
	}
	b.Run("h2kit", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			p := wire
			for len(p) > 0 {
				h, pl, n, _ := ReadFrame(p, DefaultMaxFrameSize)
				ParseData(h, pl)
				p = p[n:]
			}
		}
	})
	b.Run("xnet", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(wire)))
		r := bytes.NewReader(wire)
		fr := http2.NewFramer(nil, r)
		for b.Loop() {
			r.Reset(wire)
			for range 64 {
				if _, err := fr.ReadFrame(); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkWriteFrames compares the append writers with x/net's Framer
// writing the same HEADERS + DATA pair (a small response).
func BenchmarkWriteFrames(b *testing.B) {
	b.ReportAllocs()
	blk := []byte("\x88\x5f\x87\x49\x7c\xa5\x8a\xe8\x19\xaa")
	body := []byte("hello world\n")
	b.Run("h2kit", func(b *testing.B) {
		b.ReportAllocs()
		dst := make([]byte, 0, 256)
		for b.Loop() {
			dst = AppendHeaders(dst[:0], 1, false, true, blk)
			dst = AppendData(dst, 1, true, body)
		}
	})
	b.Run("xnet", func(b *testing.B) {
		b.ReportAllocs()
		var buf bytes.Buffer
		fr := http2.NewFramer(&buf, nil)
		for b.Loop() {
			buf.Reset()
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk, EndHeaders: true})
			fr.WriteData(1, true, body)
		}
	})
}

// Every reason a parser can produce is a reject name (reject.All).
func TestReasonsComplete(t *testing.T) {
	all := map[reject.Name]bool{}
	for _, r := range reject.All() {
		all[r] = true
	}
	bad := [][]byte{
		{0, 0, 1, 0, 0, 0, 0, 0, 0, 'x'},                 // DATA stream 0
		{0, 0, 1, 1, 0x4, 0, 0, 0, 0, 'x'},               // HEADERS stream 0
		{0, 0, 0, 4, 1, 0, 0, 0, 1},                      // SETTINGS on a stream
		{0, 0, 7, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7}, // PING length
	}
	for _, b := range bad {
		h, p, _, _ := ReadFrame(b, DefaultMaxFrameSize)
		var err error
		switch h.Type {
		case TypeData:
			_, err = ParseData(h, p)
		case TypeHeaders:
			_, err = ParseHeaders(h, p)
		case TypeSettings:
			_, err = ParseSettings(h, p)
		case TypePing:
			_, err = ParsePing(h, p)
		}
		var ce *ConnError
		if !errors.As(err, &ce) || !all[ce.Reason] {
			t.Errorf("%x: reason of %v not in reject.All", b, err)
		}
	}
}
