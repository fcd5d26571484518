package h2conn

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
	"golang.org/x/net/http2"
)

// TestServerPrefaceGolden: RFC 9113 §3.4, "The server connection preface
// consists of a potentially empty SETTINGS frame (Section 6.5) that MUST be
// the first frame the server sends". With the defaults that is SETTINGS
// (MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE 1 MiB,
// MAX_HEADER_LIST_SIZE 64 KiB, RFC 9218 §2.1 NO_RFC7540_PRIORITIES 1) and
// a WINDOW_UPDATE raising the connection
// window to 2 MiB (§6.9.2: only WINDOW_UPDATE changes it).
func TestServerPrefaceGolden(t *testing.T) {
	p := newRawPeer(t, Config{})
	got := p.c.AppendOutput(nil)
	want := "\x00\x00\x18\x04\x00\x00\x00\x00\x00" +
		"\x00\x03\x00\x00\x00\x64" +
		"\x00\x04\x00\x10\x00\x00" +
		"\x00\x06\x00\x01\x00\x00" +
		"\x00\x09\x00\x00\x00\x01" +
		"\x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\x1f\x00\x01"
	if string(got) != want {
		t.Fatalf("server preface\n got %q\nwant %q", got, want)
	}
}

// TestHelloExchange: one GET answered with HEADERS and a 13-byte DATA
// frame with END_STREAM; the stream closes with NO_ERROR.
func TestHelloExchange(t *testing.T) {
	p := newPeer(t, Config{})
	if err := p.get(1); err != nil {
		t.Fatal(err)
	}
	f := p.read().(*http2.HeadersFrame)
	if !f.HeadersEnded() || f.StreamEnded() || f.HeaderBlockFragment()[0] != 0x88 {
		t.Fatalf("HEADERS %v, block %x: want END_HEADERS and :status 200 as static index 8 (0x88)", f, f.HeaderBlockFragment())
	}
	fields := p.last
	if len(fields) != 2 || fields[0].Name != ":status" || fields[0].Value != "200" || fields[1].Value != "text/plain" {
		t.Fatalf("response fields %v", fields)
	}
	// The DATA frame, byte for byte.
	p.fill()
	raw := p.r.Bytes()
	want := "\x00\x00\x0d\x00\x01\x00\x00\x00\x01hello, world\n"
	if string(raw) != want {
		t.Fatalf("DATA frame %q, want %q", raw, want)
	}
	wantEvents(t, p.h.events, "headers 1 GET /hello", "end 1", "close 1 NO_ERROR")
	if p.c.OpenStreams() != 0 {
		t.Fatalf("%d streams still open", p.c.OpenStreams())
	}
}

func wantEvents(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("events\n got %q\nwant %q", got, want)
	}
}

// TestPrefaceByteByByte: the preface and frames may arrive split anywhere.
func TestPrefaceByteByByte(t *testing.T) {
	p := newRawPeer(t, Config{})
	var wire bytes.Buffer
	wire.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&wire, nil)
	fr.WriteSettings()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: p.block(getHello...), EndStream: true, EndHeaders: true})
	for _, b := range wire.Bytes() {
		if err := p.c.Feed([]byte{b}); err != nil {
			t.Fatal(err)
		}
	}
	wantEvents(t, p.h.events, "headers 1 GET /hello", "end 1")
}

// RFC 9113 §3.4: "Clients and servers MUST treat an invalid connection
// preface as a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
func TestBadPreface(t *testing.T) {
	p := newRawPeer(t, Config{})
	p.feedRaw([]byte("GET / HTTP/1.1\r\n\r\n"))
	p.read() // our SETTINGS
	p.wantGoAway(http2.ErrCodeProtocol)
	p.wantReject(reject.BadPreface)
}

// RFC 9113 §3.4: the client preface "MUST be followed by a SETTINGS frame".
func TestFirstFrameNotSettings(t *testing.T) {
	p := newRawPeer(t, Config{})
	p.feedRaw([]byte(http2.ClientPreface))
	p.send(func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{}) })
	p.wantGoAway(http2.ErrCodeProtocol)
}

// connErrorCases each break one rule that RFC 9113 answers with a
// connection error; the engine must queue GOAWAY with the code and return
// a *ConnError from Feed.
var connErrorCases = []struct {
	name string
	rule string
	do   func(p *peer)
	code http2.ErrCode
}{
	{"frame over MAX_FRAME_SIZE", "§4.2", func(p *peer) {
		p.headers(1, false, getHello...)
		p.data(1, false, make([]byte, 16385))
	}, http2.ErrCodeFrameSize},
	{"even stream id", "§5.1.1", func(p *peer) { p.get(2) }, http2.ErrCodeProtocol},
	{"stream id decreasing", "§5.1.1", func(p *peer) { p.get(5); p.get(3) }, http2.ErrCodeProtocol},
	{"DATA on idle stream", "§5.1", func(p *peer) { p.data(1, true, []byte("x")) }, http2.ErrCodeProtocol},
	{"RST_STREAM on idle stream", "§5.1", func(p *peer) {
		p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(1, http2.ErrCodeCancel) })
	}, http2.ErrCodeProtocol},
	{"WINDOW_UPDATE on idle stream", "§5.1", func(p *peer) {
		p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 1) })
	}, http2.ErrCodeProtocol},
	{"HEADERS on stream closed by END_STREAM", "§5.1", func(p *peer) {
		p.get(1)
		p.wantHeaders(1, false)
		p.wantData(1, true)
		p.get(1)
	}, http2.ErrCodeStreamClosed},
	{"CONTINUATION without HEADERS", "§6.10", func(p *peer) {
		p.get(1)
		p.send(func(fr *http2.Framer) error { return fr.WriteContinuation(1, true, nil) })
	}, http2.ErrCodeProtocol},
	{"frame between HEADERS and CONTINUATION", "§6.10", func(p *peer) {
		blk := p.block(getHello...)
		p.send(func(fr *http2.Framer) error {
			return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk, EndStream: true})
		})
		p.send(func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{}) })
	}, http2.ErrCodeProtocol},
	{"CONTINUATION on another stream", "§6.10", func(p *peer) {
		blk := p.block(getHello...)
		p.send(func(fr *http2.Framer) error {
			return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk[:2], EndStream: true})
		})
		p.send(func(fr *http2.Framer) error { return fr.WriteContinuation(3, true, blk[2:]) })
	}, http2.ErrCodeProtocol},
	{"DATA padding too long", "§6.1", func(p *peer) {
		p.headers(1, false, getHello...)
		p.raw(http2.FrameData, http2.FlagDataPadded, 1, []byte{5, 'a'})
	}, http2.ErrCodeProtocol},
	{"HEADERS padding too long", "§6.2", func(p *peer) {
		p.raw(http2.FrameHeaders, http2.FlagHeadersPadded|http2.FlagHeadersEndHeaders, 1, []byte{9, 0x82})
	}, http2.ErrCodeProtocol},
	{"SETTINGS ACK with payload", "§6.5", func(p *peer) {
		p.raw(http2.FrameSettings, http2.FlagSettingsAck, 0, make([]byte, 6))
	}, http2.ErrCodeFrameSize},
	{"SETTINGS length not multiple of 6", "§6.5", func(p *peer) {
		p.raw(http2.FrameSettings, 0, 0, make([]byte, 5))
	}, http2.ErrCodeFrameSize},
	{"SETTINGS on a stream", "§6.5", func(p *peer) { p.raw(http2.FrameSettings, 0, 1, nil) }, http2.ErrCodeProtocol},
	{"ENABLE_PUSH 2", "§6.5.2", func(p *peer) {
		p.send(func(fr *http2.Framer) error {
			return fr.WriteSettings(http2.Setting{ID: http2.SettingEnablePush, Val: 2})
		})
	}, http2.ErrCodeProtocol},
	{"INITIAL_WINDOW_SIZE above 2^31-1", "§6.5.2", func(p *peer) {
		p.send(func(fr *http2.Framer) error {
			return fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 31})
		})
	}, http2.ErrCodeFlowControl},
	{"MAX_FRAME_SIZE below 16384", "§6.5.2", func(p *peer) {
		p.send(func(fr *http2.Framer) error {
			return fr.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 16383})
		})
	}, http2.ErrCodeProtocol},
	{"MAX_FRAME_SIZE above 2^24-1", "§6.5.2", func(p *peer) {
		p.send(func(fr *http2.Framer) error {
			return fr.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: 1 << 24})
		})
	}, http2.ErrCodeProtocol},
	{"PUSH_PROMISE from a client", "§8.4", func(p *peer) {
		p.headers(1, false, getHello...)
		p.raw(http2.FramePushPromise, http2.FlagPushPromiseEndHeaders, 1, []byte{0, 0, 0, 2})
	}, http2.ErrCodeProtocol},
	{"PING on a stream", "§6.7", func(p *peer) { p.raw(http2.FramePing, 0, 1, make([]byte, 8)) }, http2.ErrCodeProtocol},
	{"PING length 7", "§6.7", func(p *peer) { p.raw(http2.FramePing, 0, 0, make([]byte, 7)) }, http2.ErrCodeFrameSize},
	{"GOAWAY on a stream", "§6.8", func(p *peer) { p.raw(http2.FrameGoAway, 0, 1, make([]byte, 8)) }, http2.ErrCodeProtocol},
	{"WINDOW_UPDATE length 3", "§6.9", func(p *peer) { p.raw(http2.FrameWindowUpdate, 0, 0, make([]byte, 3)) }, http2.ErrCodeFrameSize},
	{"connection WINDOW_UPDATE of 0", "§6.9", func(p *peer) {
		p.raw(http2.FrameWindowUpdate, 0, 0, make([]byte, 4))
	}, http2.ErrCodeProtocol},
	{"connection window above 2^31-1", "§6.9.1", func(p *peer) {
		p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, 1<<31-1) })
	}, http2.ErrCodeFlowControl},
	{"RST_STREAM length 3", "§6.4", func(p *peer) {
		p.headers(1, false, getHello...)
		p.raw(http2.FrameRSTStream, 0, 1, make([]byte, 3))
	}, http2.ErrCodeFrameSize},
	{"RST_STREAM on stream 0", "§6.4", func(p *peer) { p.raw(http2.FrameRSTStream, 0, 0, make([]byte, 4)) }, http2.ErrCodeProtocol},
	{"DATA on stream 0", "§6.1", func(p *peer) { p.raw(http2.FrameData, 0, 0, []byte("x")) }, http2.ErrCodeProtocol},
	{"HEADERS on stream 0", "§6.2", func(p *peer) {
		p.raw(http2.FrameHeaders, http2.FlagHeadersEndHeaders, 0, []byte{0x82})
	}, http2.ErrCodeProtocol},
	{"PRIORITY on stream 0", "§6.3", func(p *peer) { p.raw(http2.FramePriority, 0, 0, make([]byte, 5)) }, http2.ErrCodeProtocol},
	{"HPACK index 0", "§4.3 (RFC 7541 §6.1)", func(p *peer) {
		p.raw(http2.FrameHeaders, http2.FlagHeadersEndHeaders|http2.FlagHeadersEndStream, 1, []byte{0x80})
	}, http2.ErrCodeCompression},
	{"HPACK truncated block", "§4.3", func(p *peer) {
		p.raw(http2.FrameHeaders, http2.FlagHeadersEndHeaders|http2.FlagHeadersEndStream, 1, []byte{0x82, 0x41})
	}, http2.ErrCodeCompression},
	{"connection flow-control window exceeded", "§6.9.1", func(p *peer) {
		// The connection window is 2 MiB; streams get 1 MiB each and the
		// handler does not consume, so the third MiB overflows it.
		p.h.consume = false
		for id := uint32(1); id <= 5; id += 2 {
			p.headers(id, false, getHello...)
			for range 64 {
				if p.data(id, false, make([]byte, 16384)) != nil {
					return
				}
			}
		}
	}, http2.ErrCodeFlowControl},
}

func TestConnErrors(t *testing.T) {
	for _, tc := range connErrorCases {
		t.Run(tc.rule+" "+tc.name, func(t *testing.T) {
			p := newPeer(t, Config{})
			tc.do(p)
			if p.err == nil {
				t.Fatal("Feed returned no error")
			}
			p.wantGoAway(tc.code)
			if !p.c.Done() {
				t.Fatal("Done() is false after a connection error")
			}
			if p.c.Feed([]byte{0}) == nil {
				t.Fatal("Feed after a connection error returned nil")
			}
		})
	}
}

// streamErrorCases each break one rule that RFC 9113 answers with a stream
// error on stream 1: RST_STREAM, and the connection carries on (a second
// request on stream 3 is answered).
var streamErrorCases = []struct {
	name string
	rule string
	do   func(p *peer)
	code http2.ErrCode
}{
	{"DATA on half-closed (remote)", "§5.1", func(p *peer) {
		p.h.manual = true
		p.get(1)
		p.data(1, true, []byte("x"))
	}, http2.ErrCodeStreamClosed},
	{"HEADERS on half-closed (remote)", "§5.1", func(p *peer) {
		p.h.manual = true
		p.get(1)
		p.headers(1, true, "x-trailer", "1")
	}, http2.ErrCodeStreamClosed},
	{"DATA after the peer's RST_STREAM", "§5.1", func(p *peer) {
		p.headers(1, false, getHello...)
		p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(1, http2.ErrCodeCancel) })
		p.data(1, true, []byte("x"))
	}, http2.ErrCodeStreamClosed},
	{"HEADERS after the peer's RST_STREAM", "§5.1", func(p *peer) {
		p.headers(1, false, getHello...)
		p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(1, http2.ErrCodeCancel) })
		p.get(1)
	}, http2.ErrCodeStreamClosed},
	{"DATA on a closed stream", "§5.1", func(p *peer) {
		p.get(1)
		p.wantHeaders(1, false)
		p.wantData(1, true)
		p.data(1, true, []byte("x"))
	}, http2.ErrCodeStreamClosed},
	{"HEADERS depending on itself", "§5.3.1", func(p *peer) {
		blk := p.block(getHello...)
		p.send(func(fr *http2.Framer) error {
			return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk, EndStream: true, EndHeaders: true,
				Priority: http2.PriorityParam{StreamDep: 1, Weight: 1}})
		})
	}, http2.ErrCodeProtocol},
	{"PRIORITY depending on itself", "§5.3.1", func(p *peer) {
		p.send(func(fr *http2.Framer) error { return fr.WritePriority(1, http2.PriorityParam{StreamDep: 1}) })
	}, http2.ErrCodeProtocol},
	{"PRIORITY length 4", "§6.3", func(p *peer) {
		p.raw(http2.FramePriority, 0, 1, make([]byte, 4))
	}, http2.ErrCodeFrameSize},
	{"stream WINDOW_UPDATE of 0", "§6.9", func(p *peer) {
		p.h.manual = true
		p.get(1)
		p.raw(http2.FrameWindowUpdate, 0, 1, make([]byte, 4))
	}, http2.ErrCodeProtocol},
	{"stream window above 2^31-1", "§6.9.1", func(p *peer) {
		p.h.manual = true
		p.get(1)
		p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 1<<31-1) })
	}, http2.ErrCodeFlowControl},
	{"stream flow-control window exceeded", "§6.9.1", func(p *peer) {
		p.h.consume = false
		p.headers(1, false, getHello...)
		for range 64 {
			p.data(1, false, make([]byte, 16384))
		}
		p.data(1, false, []byte("x"))
	}, http2.ErrCodeFlowControl},
	{"trailers without END_STREAM", "§8.1", func(p *peer) {
		p.headers(1, false, getHello...)
		p.headers(1, false, "x-t", "1")
	}, http2.ErrCodeProtocol},
	{"content-length larger than DATA", "§8.1.1", func(p *peer) {
		p.headers(1, false, append(getHello, "content-length", "5")...)
		p.data(1, true, []byte("abcd"))
	}, http2.ErrCodeProtocol},
	{"content-length smaller than DATA", "§8.1.1", func(p *peer) {
		p.headers(1, false, append(getHello, "content-length", "3")...)
		p.data(1, false, []byte("abcd"))
	}, http2.ErrCodeProtocol},
	{"content-length with END_STREAM on HEADERS", "§8.1.1", func(p *peer) {
		p.headers(1, true, append(getHello, "content-length", "3")...)
	}, http2.ErrCodeProtocol},
}

// malformed requests (RFC 9113 §8.1.1): "Malformed requests or responses
// that are detected MUST be treated as a stream error (Section 5.4.2) of
// type PROTOCOL_ERROR."
var malformedCases = []struct {
	name string
	rule string
	kv   []string
}{
	{"unknown pseudo-header", "§8.3", []string{":method", "GET", ":scheme", "https", ":path", "/", ":foo", "x"}},
	{"response pseudo-header", "§8.3", []string{":method", "GET", ":scheme", "https", ":path", "/", ":status", "200"}},
	{"pseudo-header after regular", "§8.3", []string{":method", "GET", ":scheme", "https", "accept", "*/*", ":path", "/"}},
	{"duplicate :path", "§8.3.1", []string{":method", "GET", ":scheme", "https", ":path", "/", ":path", "/"}},
	{"duplicate :method", "§8.3.1", []string{":method", "GET", ":method", "GET", ":scheme", "https", ":path", "/"}},
	{"missing :method", "§8.3.1", []string{":scheme", "https", ":path", "/"}},
	{"missing :scheme", "§8.3.1", []string{":method", "GET", ":path", "/"}},
	{"missing :path", "§8.3.1", []string{":method", "GET", ":scheme", "https"}},
	{"empty :path", "§8.3.1", []string{":method", "GET", ":scheme", "https", ":path", ""}},
	{"relative :path", "§8.3.1", []string{":method", "GET", ":scheme", "https", ":path", "index.html"}},
	{"* :path for GET", "§8.3.1", []string{":method", "GET", ":scheme", "http", ":path", "*"}},
	{"CONNECT with :path", "§8.5", []string{":method", "CONNECT", ":authority", "a:443", ":path", "/"}},
	{"CONNECT without :authority", "§8.5", []string{":method", "CONNECT"}},
	{":protocol not enabled", "RFC 8441 §4", []string{":method", "CONNECT", ":protocol", "websocket", ":scheme", "https", ":path", "/", ":authority", "a"}},
	{"uppercase name", "§8.2.1", []string{":method", "GET", ":scheme", "https", ":path", "/", "Accept", "x"}},
	{"space in name", "§8.2.1", []string{":method", "GET", ":scheme", "https", ":path", "/", "a b", "x"}},
	{"colon in regular name", "§8.2.1", []string{":method", "GET", ":scheme", "https", ":path", "/", "a:b", "x"}},
	{"NUL in value", "§8.2.1", []string{":method", "GET", ":scheme", "https", ":path", "/", "a", "x\x00y"}},
	{"CR in value", "§8.2.1", []string{":method", "GET", ":scheme", "https", ":path", "/", "a", "x\ry"}},
	{"LF in value", "§8.2.1", []string{":method", "GET", ":scheme", "https", ":path", "/", "a", "x\ny"}},
	{"leading space in value", "§8.2.1", []string{":method", "GET", ":scheme", "https", ":path", "/", "a", " x"}},
	{"trailing tab in value", "§8.2.1", []string{":method", "GET", ":scheme", "https", ":path", "/", "a", "x\t"}},
	{"connection header", "§8.2.2", []string{":method", "GET", ":scheme", "https", ":path", "/", "connection", "close"}},
	{"keep-alive header", "§8.2.2", []string{":method", "GET", ":scheme", "https", ":path", "/", "keep-alive", "5"}},
	{"proxy-connection header", "§8.2.2", []string{":method", "GET", ":scheme", "https", ":path", "/", "proxy-connection", "x"}},
	{"transfer-encoding header", "§8.2.2", []string{":method", "GET", ":scheme", "https", ":path", "/", "transfer-encoding", "chunked"}},
	{"upgrade header", "§8.2.2", []string{":method", "GET", ":scheme", "https", ":path", "/", "upgrade", "h2c"}},
	{"TE other than trailers", "§8.2.2", []string{":method", "GET", ":scheme", "https", ":path", "/", "te", "gzip"}},
	{"non-numeric content-length", "§8.1.1", []string{":method", "POST", ":scheme", "https", ":path", "/", "content-length", "1x"}},
	{"conflicting content-length", "§8.1.1", []string{":method", "POST", ":scheme", "https", ":path", "/", "content-length", "1", "content-length", "2"}},
}

func TestStreamErrors(t *testing.T) {
	run := func(t *testing.T, do func(p *peer), code http2.ErrCode) {
		p := newPeer(t, Config{})
		do(p)
		if p.err != nil {
			t.Fatalf("Feed: %v", p.err)
		}
		// Skip a response the handler may already have queued.
		for {
			f := p.read()
			if rst, ok := f.(*http2.RSTStreamFrame); ok {
				if rst.StreamID != 1 || rst.ErrCode != code {
					t.Fatalf("got %v, want RST_STREAM 1 %v", f, code)
				}
				break
			}
			switch f.(type) {
			case *http2.HeadersFrame, *http2.DataFrame, *http2.WindowUpdateFrame:
				continue
			}
			t.Fatalf("got %v, want RST_STREAM", f)
		}
		p.fill()
		p.r.Reset()
		p.h.manual = false
		p.h.onEnd = nil
		p.h.consume = true
		if err := p.get(3); err != nil {
			t.Fatalf("connection did not survive: %v", err)
		}
		p.wantHeaders(3, false)
		p.wantData(3, true)
	}
	for _, tc := range streamErrorCases {
		t.Run(tc.rule+" "+tc.name, func(t *testing.T) { run(t, tc.do, tc.code) })
	}
	for _, tc := range malformedCases {
		t.Run(tc.rule+" malformed: "+tc.name, func(t *testing.T) {
			run(t, func(p *peer) { p.headers(1, true, tc.kv...) }, http2.ErrCodeProtocol)
		})
	}
}

// TestMalformedNeverReachesHandler: a malformed request gets no OnHeaders
// (and so no OnClose), only the reject counter.
func TestMalformedNeverReachesHandler(t *testing.T) {
	p := newPeer(t, Config{})
	p.headers(1, true, ":method", "GET", ":scheme", "https", ":path", "/", "connection", "close")
	p.wantRST(1, http2.ErrCodeProtocol)
	if len(p.h.events) != 0 {
		t.Fatalf("handler saw %q", p.h.events)
	}
	p.wantReject(reject.ConnectionSpecificHeader)
}

// RFC 9113 §8.3.1: CONNECT carries only :method and :authority (§8.5).
func TestConnectAccepted(t *testing.T) {
	p := newPeer(t, Config{})
	p.headers(1, true, ":method", "CONNECT", ":authority", "example.com:443")
	p.wantHeaders(1, false)
	wantEvents(t, p.h.events[:1], "headers 1 CONNECT ")
}

// RFC 9113 §8.3.1: "*" is the :path of a server-wide OPTIONS request.
func TestOptionsStar(t *testing.T) {
	p := newPeer(t, Config{})
	p.headers(1, true, ":method", "OPTIONS", ":scheme", "https", ":path", "*", ":authority", "a")
	p.wantHeaders(1, false)
}

// RFC 9113 §8.2.2: "te: trailers" is the one allowed value.
func TestTETrailersAccepted(t *testing.T) {
	p := newPeer(t, Config{})
	p.headers(1, true, append(getHello, "te", "trailers")...)
	p.wantHeaders(1, false)
}

// RFC 9113 §8.2.3: cookie crumbs are joined with "; " into one field.
func TestCookieCrumbsJoined(t *testing.T) {
	p := newPeer(t, Config{})
	var got []string
	p.h.onHdr = func(st *Stream) {
		for _, f := range st.Fields() {
			got = append(got, f.Name+"="+f.Value)
		}
		got = append(got, "authority="+st.Authority())
	}
	p.headers(1, true, ":method", "GET", ":scheme", "https", ":path", "/",
		"cookie", "a=1", "accept", "*/*", "cookie", "b=2", "host", "h.example", "cookie", "c=3")
	want := "cookie=a=1; b=2; c=3|accept=*/*|host=h.example|authority=h.example"
	if strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, "|"), want)
	}
}

// RFC 9113 §8.1: request trailers end the stream; OnTrailers precedes
// OnEndStream.
func TestRequestTrailers(t *testing.T) {
	p := newPeer(t, Config{})
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/up", "content-length", "3")
	p.data(1, false, []byte("abc"))
	p.headers(1, true, "x-checksum", "42")
	wantEvents(t, p.h.events, "headers 1 POST /up", "data 1 3", "trailers 1 x-checksum=42", "end 1")
	p.wantHeaders(1, false)
	p.wantData(1, true)
}

// RFC 9113 §8.1: "Trailers MUST NOT include pseudo-header fields".
func TestPseudoInTrailers(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/up")
	p.headers(1, true, ":path", "/x")
	p.wantRST(1, http2.ErrCodeProtocol)
	if p.h.closes[1] != ErrCodeProtocol {
		t.Fatalf("OnClose code %v", p.h.closes[1])
	}
}

// RFC 9113 §6.1/§6.2: padding is stripped; padded bytes still count for
// flow control and are returned at once.
func TestPaddedFrames(t *testing.T) {
	p := newPeer(t, Config{})
	blk := p.block(":method", "POST", ":scheme", "https", ":path", "/p")
	p.send(func(fr *http2.Framer) error {
		return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk, EndHeaders: true, PadLength: 10,
			Priority: http2.PriorityParam{StreamDep: 0, Weight: 16}})
	})
	p.send(func(fr *http2.Framer) error { return fr.WriteDataPadded(1, true, []byte("xyz"), make([]byte, 200)) })
	wantEvents(t, p.h.events, "headers 1 POST /p", "data 1 3", "end 1")
	if string(p.h.lastData) != "xyz" {
		t.Fatalf("data %q", p.h.lastData)
	}
}

// RFC 9113 §4.1/§5.5: frames of unknown type are ignored, even between
// requests, and so are unknown settings.
func TestUnknownFrameAndSettingIgnored(t *testing.T) {
	p := newPeer(t, Config{})
	p.raw(0x42, 0xff, 0, []byte("whatever"))
	p.raw(0x42, 0, 7, nil)
	p.send(func(fr *http2.Framer) error { return fr.WriteSettings(http2.Setting{ID: 0x99, Val: 1}) })
	if f := p.read(); f.Header().Type != http2.FrameSettings || !f.Header().Flags.Has(http2.FlagSettingsAck) {
		t.Fatalf("got %v, want SETTINGS ACK", f)
	}
	p.get(1)
	p.wantHeaders(1, false)
}

// RFC 9113 §6.7: a PING is answered with the same payload and ACK; a PING
// ACK is not answered.
func TestPing(t *testing.T) {
	p := newPeer(t, Config{})
	p.send(func(fr *http2.Framer) error { return fr.WritePing(false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8}) })
	f := p.read().(*http2.PingFrame)
	if !f.IsAck() || f.Data != [8]byte{1, 2, 3, 4, 5, 6, 7, 8} {
		t.Fatalf("got %v", f)
	}
	p.send(func(fr *http2.Framer) error { return fr.WritePing(true, [8]byte{}) })
	p.wantNothing()
}

// RFC 9113 §5.1: the peer's RST_STREAM closes the stream and OnClose gets
// its code; no RST_STREAM is sent back.
func TestPeerReset(t *testing.T) {
	p := newPeer(t, Config{})
	p.headers(1, false, getHello...)
	p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(1, http2.ErrCodeCancel) })
	if p.h.closes[1] != ErrCodeCancel {
		t.Fatalf("OnClose code %v", p.h.closes[1])
	}
	// Late WINDOW_UPDATE and RST_STREAM on the closed stream are ignored.
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 5) })
	p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(1, http2.ErrCodeCancel) })
	p.wantNothing()
}

// RFC 9113 §5.1: "An endpoint MUST ignore frames that it receives on closed
// streams after it has sent a RST_STREAM frame."
func TestFramesAfterOurResetIgnored(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.onHdr = func(st *Stream) { p.c.Reset(st, ErrCodeCancel) }
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	p.wantRST(1, http2.ErrCodeCancel)
	p.data(1, false, []byte("late"))
	p.headers(1, true, "x-late", "1")
	p.wantNothing()
	if p.err != nil {
		t.Fatal(p.err)
	}
}

// RFC 9113 §6.8: a GOAWAY from the peer lets active streams finish; then
// the connection is done.
func TestPeerGoAway(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	p.get(1)
	p.send(func(fr *http2.Framer) error { return fr.WriteGoAway(1, http2.ErrCodeNo, nil) })
	if p.c.Done() {
		t.Fatal("done with a stream active")
	}
	p.h.respond(p.c.Stream(1))
	p.wantHeaders(1, false)
	p.wantData(1, true)
	if !p.c.Done() {
		t.Fatal("not done after the last stream")
	}
}

// RFC 9113 §6.5.2 SETTINGS_HEADER_TABLE_SIZE reaches our HPACK encoder: with
// the peer's table at 0, our next block must start with a size update to 0
// (RFC 7541 §4.2) and index nothing; a decoder that allows 0 octets checks
// both.
func TestPeerHeaderTableSize(t *testing.T) {
	p := newPeer(t, Config{})
	p.send(func(fr *http2.Framer) error {
		return fr.WriteSettings(http2.Setting{ID: http2.SettingHeaderTableSize, Val: 0})
	})
	readSettingsAck(t, p)
	p.dec.SetAllowedMaxDynamicTableSize(0)
	var first []byte
	for id := uint32(1); id <= 5; id += 2 {
		p.get(id)
		f := p.read().(*http2.HeadersFrame)
		blk := f.HeaderBlockFragment()
		if id == 1 && blk[0] != 0x20 {
			t.Fatalf("first block starts with %#x, want a size update to 0 (0x20)", blk[0])
		}
		// Without a dynamic table every later block repeats the first one
		// (minus the size update) byte for byte.
		if id == 1 {
			first = append([]byte(nil), blk[1:]...)
		} else if !bytes.Equal(blk, first) {
			t.Fatalf("block %x differs from %x: the encoder indexed something", blk, first)
		}
		if p.last[1].Value != "text/plain" {
			t.Fatalf("%v", p.last)
		}
		p.wantData(id, true)
	}
}

// RFC 9113 §6.5.3: a smaller SETTINGS_HEADER_TABLE_SIZE binds the peer only
// once it has acknowledged it. Before the ACK its encoder may still use the
// default 4,096-octet table; after, its next block must shrink the table.
func TestOwnHeaderTableSizeAppliedAtAck(t *testing.T) {
	p := newRawPeer(t, Config{HeaderTableSize: 256})
	p.feedRaw([]byte(http2.ClientPreface))
	p.send(func(fr *http2.Framer) error { return fr.WriteSettings() })
	big := strings.Repeat("v", 1000) // indexed into a 4096 table, too big for 256
	p.headers(1, true, append(getHello, "x-big", big)...)
	p.headers(3, true, append(getHello, "x-big", big)...) // refers to the entry
	if p.err != nil {
		t.Fatalf("before the ACK: %v", p.err)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteSettingsAck() })
	p.enc.SetMaxDynamicTableSizeLimit(256)
	p.headers(5, true, getHello...)
	if p.err != nil {
		t.Fatalf("after the ACK with a size update: %v", p.err)
	}
	wantEvents(t, p.h.events, "headers 1 GET /hello", "end 1", "headers 3 GET /hello", "end 3", "headers 5 GET /hello", "end 5")
}

// After the ACK, a block that keeps using the old table size without the
// required update is a COMPRESSION_ERROR (RFC 7541 §4.2).
func TestOwnHeaderTableSizeEnforced(t *testing.T) {
	p := newPeer(t, Config{HeaderTableSize: 256})
	p.headers(1, true, getHello...) // no size update
	p.wantGoAway(http2.ErrCodeCompression)
}

// The Stream accessors and state names the handler layer reads.
func TestStreamAccessors(t *testing.T) {
	p := newPeer(t, Config{})
	p.send(func(fr *http2.Framer) error {
		return fr.WriteSettings(http2.Setting{ID: http2.SettingEnablePush, Val: 0})
	})
	var got []string
	p.h.onHdr = func(st *Stream) {
		got = append(got, st.Method(), st.Scheme(), st.Authority(), st.Path(), strconv.FormatInt(st.ContentLength(), 10),
			st.State().String(), strconv.FormatBool(st.EndStreamReceived()))
	}
	p.h.onEnd = func(st *Stream) {
		got = append(got, st.State().String(), strconv.FormatBool(st.EndStreamReceived()))
	}
	p.headers(1, false, ":method", "PUT", ":scheme", "http", ":path", "/x", ":authority", "a.example", "content-length", "2")
	p.data(1, true, []byte("ok"))
	want := "PUT|http|a.example|/x|2|open|false|half-closed (remote)|true"
	if strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, "|"), want)
	}
	if p.c.PeerEnablePush() {
		t.Fatal("ENABLE_PUSH 0 not recorded")
	}
	if StreamState(9).String() != "invalid" || StateHalfClosedLocal.String() != "half-closed (local)" {
		t.Fatal("state names")
	}
}

// Trailers over the header budget: 431 if no response has started, else
// RST_STREAM CANCEL.
func TestTrailersTooLarge(t *testing.T) {
	p := newPeer(t, Config{MaxHeaderListSize: 1000})
	p.h.manual = true
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	p.headers(1, true, "x-big", strings.Repeat("b", 2000))
	if h := p.wantHeaders(1, true); h[0].Value != "431" {
		t.Fatalf("%v", h)
	}
	p.headers(3, false, ":method", "POST", ":scheme", "https", ":path", "/")
	p.c.SendHeaders(p.c.Stream(3), 200, nil, false)
	p.wantHeaders(3, false)
	p.headers(3, true, "x-big", strings.Repeat("b", 2000))
	p.wantRST(3, http2.ErrCodeCancel)
}

// Every reject the error tables provoke is a reject.Name in reject.All
// (reject_test.go checks the names themselves).
func TestRejectNames(t *testing.T) {
	seen := map[reject.Name]bool{}
	for _, n := range reject.All() {
		seen[n] = true
	}
	// Every name counted in the error tables is in the list.
	check := func(p *peer) {
		for _, r := range p.h.rejects {
			if !seen[r] {
				t.Errorf("reject %q not in reject.All", r)
			}
		}
	}
	for _, tc := range connErrorCases {
		p := newPeer(t, Config{})
		tc.do(p)
		check(p)
	}
	for _, tc := range streamErrorCases {
		p := newPeer(t, Config{})
		tc.do(p)
		check(p)
	}
	for _, tc := range malformedCases {
		p := newPeer(t, Config{})
		p.headers(1, true, tc.kv...)
		check(p)
	}
	// A GOAWAY the server chooses to send is not a reject.
	p := newPeer(t, Config{})
	p.c.GoAway(ErrCodeEnhanceYourCalm, "operator says so")
	if len(p.h.rejects) != 0 {
		t.Fatalf("rejects %q", p.h.rejects)
	}
}

// EndStreamReceived is already true inside the callback that delivers the
// frame carrying END_STREAM: OnHeaders of a bodiless request, the last
// OnData, OnTrailers.
func TestEndStreamVisibleInCallbacks(t *testing.T) {
	p := newPeer(t, Config{})
	var got []string
	p.h.onHdr = func(st *Stream) { got = append(got, "headers "+strconv.FormatBool(st.EndStreamReceived())) }
	p.h.onData = func(st *Stream, data []byte) {
		got = append(got, "data "+strconv.FormatBool(st.EndStreamReceived()))
		p.c.Consume(st, len(data))
	}
	p.get(1)
	p.headers(3, false, ":method", "POST", ":scheme", "https", ":path", "/")
	p.data(3, false, []byte("a"))
	p.data(3, true, []byte("b"))
	p.headers(5, false, ":method", "POST", ":scheme", "https", ":path", "/")
	p.data(5, false, []byte("a"))
	p.headers(5, true, "x-t", "1")
	want := "headers true|headers false|data false|data true|headers false|data false"
	if strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, "|"), want)
	}
	if st := p.c.Stream(5); st != nil && !st.EndStreamReceived() {
		t.Fatal("not ended after trailers")
	}
}

// Every final status goes out right: the seven in the HPACK static table
// (RFC 7541 Appendix A: 200, 204, 206, 304, 400, 404, 500) as the one
// octet 0x80|index, the others as literals, all decoded by x/net's HPACK.
func TestStatusStaticOctet(t *testing.T) {
	static := map[int]byte{200: 8, 204: 9, 206: 10, 304: 11, 400: 12, 404: 13, 500: 14}
	p := newPeer(t, Config{MaxConcurrentStreams: 1000})
	p.h.manual = true
	id := uint32(1)
	for status := 200; status <= 999; status++ {
		p.get(id)
		if err := p.c.SendHeaders(p.c.Stream(id), status, nil, true); err != nil {
			t.Fatal(err)
		}
		out := p.c.AppendOutput(nil)
		p.r.Write(out)
		if h := p.wantHeaders(id, true); len(h) != 1 || h[0].Name != ":status" || h[0].Value != strconv.Itoa(status) {
			t.Fatalf("status %d: got %v", status, h)
		}
		if idx, ok := static[status]; ok != (out[frame.HeaderLen] == 0x80|idx) || !ok && out[frame.HeaderLen]&0x80 != 0 {
			t.Fatalf("status %d: block starts with %#x", status, out[frame.HeaderLen])
		}
		id += 2
	}
}
