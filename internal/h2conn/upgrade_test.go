package h2conn

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/reject"
)

// settingsPayload encodes SETTINGS parameters (id, value pairs) the way an
// HTTP2-Settings header carries them before base64url (RFC 7540 §3.2.1).
func settingsPayload(kv ...uint32) []byte {
	var b []byte
	for i := 0; i < len(kv); i += 2 {
		b = append(b, byte(kv[i]>>8), byte(kv[i]), byte(kv[i+1]>>24), byte(kv[i+1]>>16), byte(kv[i+1]>>8), byte(kv[i+1]))
	}
	return b
}

func upgradeFields(kv ...string) []hpack.HeaderField {
	fs := make([]hpack.HeaderField, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		fs = append(fs, hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return fs
}

// upgrade calls c.Upgrade with a request given as name/value pairs, the
// pseudo-headers among them passed as Upgrade's arguments.
func upgrade(c *Engine, settings []byte, kv ...string) error {
	var method, scheme, authority, path string
	var rest []string
	for i := 0; i < len(kv); i += 2 {
		switch kv[i] {
		case ":method":
			method = kv[i+1]
		case ":scheme":
			scheme = kv[i+1]
		case ":authority":
			authority = kv[i+1]
		case ":path":
			path = kv[i+1]
		default:
			rest = append(rest, kv[i], kv[i+1])
		}
	}
	return c.Upgrade(settings, method, scheme, authority, path, upgradeFields(rest...))
}

// upgradeGet is an upgraded request as rgi hands it over, with the
// upgrade's own hop-by-hop fields still in it.
var upgradeGet = []string{":method", "GET", ":scheme", "http", ":authority", "example.com", ":path", "/up",
	"connection", "Upgrade, HTTP2-Settings", "upgrade", "h2c", "http2-settings", "AAMAAABkAAQAAP__", "user-agent", "t"}

// TestUpgradeExchange: RFC 7540 §3.2. The HTTP2-Settings payload is in force
// at once (a 10-octet initial window cuts the first DATA on stream 1) and
// is not acknowledged; stream 1 is half-closed (remote) and answered right
// after our SETTINGS; the client preface and SETTINGS follow (ACKed), and
// the client's next stream is 3.
func TestUpgradeExchange(t *testing.T) {
	p := newRawPeer(t, Config{})
	var atHeaders StreamState
	p.h.onHdr = func(st *Stream) {
		atHeaders = st.State()
		if !st.EndStreamReceived() {
			t.Error("EndStreamReceived false at OnHeaders of the bodiless upgraded request")
		}
	}
	p.h.onEnd = func(st *Stream) {
		if st.State() != StateHalfClosedRemote {
			t.Errorf("stream 1 %v at OnEndStream", st.State())
		}
		if st.Authority() != "example.com" || len(st.Fields()) != 1 || st.Fields()[0].Name != "user-agent" {
			t.Errorf("request %q %v: hop-by-hop fields not dropped", st.Authority(), st.Fields())
		}
		p.h.respond(st)
	}
	if err := upgrade(p.c, settingsPayload(0x4, 10, 0x2, 0), upgradeGet...); err != nil {
		t.Fatal(err)
	}
	if atHeaders != StateOpen {
		t.Errorf("state at OnHeaders %v", atHeaders)
	}
	wantEvents(t, p.h.events, "headers 1 GET /up", "end 1")

	out := p.c.AppendOutput(nil)
	pre := newRawPeer(t, Config{}).c.AppendOutput(nil)
	if !strings.HasPrefix(string(out), string(pre)) {
		t.Fatalf("output does not start with the server preface:\n got %q\nwant %q...", out, pre)
	}
	p.r.Write(out)
	p.read() // SETTINGS
	p.read() // connection WINDOW_UPDATE
	if h := p.wantHeaders(1, false); h[0].Value != "200" {
		t.Fatalf("response %v", h)
	}
	if d := p.wantData(1, false); string(d) != "hello, wor" {
		t.Fatalf("first DATA %q: the HTTP2-Settings initial window (10) is not applied", d)
	}
	p.wantNothing() // in particular no SETTINGS ACK for HTTP2-Settings
	if p.c.PeerEnablePush() {
		t.Error("peer ENABLE_PUSH 0 not applied")
	}

	if err := p.feedRaw([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteSettings() })
	if f, ok := p.read().(*http2.SettingsFrame); !ok || !f.IsAck() {
		t.Fatalf("got %v, want SETTINGS ACK", f)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 100) })
	if d := p.wantData(1, true); string(d) != "ld\n" {
		t.Fatalf("rest of DATA %q", d)
	}
	wantEvents(t, p.h.events, "headers 1 GET /up", "end 1", "close 1 NO_ERROR")
	if len(p.h.rejects) != 0 {
		t.Errorf("rejects %q", p.h.rejects)
	}

	// RFC 7540 §3.2: stream 1 is used; the client goes on with 3.
	p.h.events = nil
	p.h.onEnd = nil
	if err := p.get(3); err != nil {
		t.Fatal(err)
	}
	p.wantHeaders(3, false)
	p.get(1)
	p.wantGoAway(http2.ErrCodeStreamClosed)
}

// The client must not send DATA on stream 1: it is half-closed (remote).
func TestUpgradeStreamOneHalfClosed(t *testing.T) {
	p := newRawPeer(t, Config{})
	p.h.manual = true
	if err := upgrade(p.c, nil, upgradeGet...); err != nil {
		t.Fatal(err)
	}
	p.feedRaw([]byte(http2.ClientPreface))
	p.send(func(fr *http2.Framer) error { return fr.WriteSettings() })
	p.read() // SETTINGS
	p.read() // WINDOW_UPDATE
	p.read() // SETTINGS ACK
	p.data(1, true, []byte("x"))
	p.wantRST(1, http2.ErrCodeStreamClosed)
}

// RFC 7540 §3.5: the client preface is still required after the 101.
func TestUpgradeBadPreface(t *testing.T) {
	p := newRawPeer(t, Config{})
	if err := upgrade(p.c, nil, upgradeGet...); err != nil {
		t.Fatal(err)
	}
	if err := p.feedRaw([]byte("GET / HTTP/1.1\r\n\r\n")); err == nil {
		t.Fatal("no error for an HTTP/1.1 request in place of the preface")
	}
	p.wantReject(reject.BadPreface)
}

// An invalid HTTP2-Settings payload (a *ConnError) or request (a
// *StreamError on stream 1) leaves the Engine as it was: our SETTINGS queued,
// no stream, the handler untouched, the reject counted.
func TestUpgradeErrors(t *testing.T) {
	get := []string{":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/"}
	with := func(kv ...string) []string { return append(append([]string(nil), get...), kv...) }
	hundred := append([]string(nil), get...)
	for len(hundred) < 200 {
		hundred = append(hundred, "x", "y")
	}
	tests := []struct {
		name     string
		cfg      Config
		settings []byte
		fields   []string
		code     ErrCode
		reject   reject.Name
		stream   bool
	}{
		{"settings length not a multiple of 6", Config{}, []byte{0, 4, 0, 0, 0}, get, ErrCodeFrameSize, "settings_length", false},
		{"ENABLE_PUSH 2", Config{}, settingsPayload(0x2, 2), get, ErrCodeProtocol, "invalid_enable_push", false},
		{"INITIAL_WINDOW_SIZE 2^31", Config{}, settingsPayload(0x4, 1<<31), get, ErrCodeFlowControl, "invalid_initial_window_size", false},
		{"MAX_FRAME_SIZE 16383", Config{}, settingsPayload(0x5, 16383), get, ErrCodeProtocol, "invalid_max_frame_size", false},
		{"too many entries", Config{MaxSettingsEntries: 2}, settingsPayload(0x3, 1, 0x3, 2, 0x3, 3), get, ErrCodeEnhanceYourCalm, reject.TooManySettings, false},
		{"upper-case name", Config{}, nil, with("Accept", "*/*"), ErrCodeProtocol, reject.InvalidHeaderName, true},
		{"empty path", Config{}, nil, []string{":method", "GET", ":scheme", "http"}, ErrCodeProtocol, reject.EmptyPath, true},
		{"no method", Config{}, nil, []string{":scheme", "http", ":path", "/"}, ErrCodeProtocol, reject.MissingPseudoHeader, true},
		{"relative :path", Config{}, nil, []string{":method", "GET", ":scheme", "http", ":path", "x"}, ErrCodeProtocol, reject.InvalidPath, true},
		{"with a body", Config{}, nil, with("content-length", "3"), ErrCodeProtocol, reject.ContentLengthMismatch, true},
		{"101 fields", Config{}, nil, append(hundred, "x", "y"), ErrCodeProtocol, reject.TooManyHeaderFields, true},
		{"header list size", Config{MaxHeaderListSize: 200}, nil, with("x", strings.Repeat("v", 100)), ErrCodeProtocol, reject.HeaderListTooLarge, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newRawPeer(t, tt.cfg)
			err := upgrade(p.c, tt.settings, tt.fields...)
			var ce *ConnError
			var se *StreamError
			switch {
			case tt.stream && errors.As(err, &se):
				if se.StreamID != 1 || se.Code != tt.code || !errors.Is(se, tt.reject) {
					t.Fatalf("got %v, want stream 1 %v %s", se, tt.code, tt.reject)
				}
			case !tt.stream && errors.As(err, &ce):
				if ce.Code != tt.code || ce.Reason != tt.reject {
					t.Fatalf("got %v %q, want %v %q", ce.Code, ce.Reason, tt.code, tt.reject)
				}
			default:
				t.Fatalf("got %v, want a stream=%v error", err, tt.stream)
			}
			p.wantReject(tt.reject)
			if len(p.h.events) != 0 || p.c.OpenStreams() != 0 {
				t.Fatalf("events %q, %d open streams", p.h.events, p.c.OpenStreams())
			}
			pre := newRawPeer(t, tt.cfg).c.AppendOutput(nil)
			if got := p.c.AppendOutput(nil); string(got) != string(pre) {
				t.Fatalf("queued %q, want only the server preface %q", got, pre)
			}
			if p.c.peerInitialWindow != 65535 || p.c.peerMaxFrame != 16384 {
				t.Fatal("a failed Upgrade applied settings")
			}
		})
	}
	// At the threshold: exactly MaxHeaderFields (100) fields are accepted.
	p := newRawPeer(t, Config{})
	if err := upgrade(p.c, nil, hundred...); err != nil {
		t.Fatalf("100 fields: %v", err)
	}
}

// Upgrade is only for a fresh Engine.
func TestUpgradeLate(t *testing.T) {
	p := newRawPeer(t, Config{})
	p.feedRaw([]byte("PRI"))
	if err := upgrade(p.c, nil, upgradeGet...); err != ErrUpgradeLate {
		t.Fatalf("after Feed: %v", err)
	}
	p = newRawPeer(t, Config{})
	p.h.manual = true
	if err := upgrade(p.c, nil, upgradeGet...); err != nil {
		t.Fatal(err)
	}
	if err := upgrade(p.c, nil, upgradeGet...); err != ErrUpgradeLate {
		t.Fatalf("second Upgrade: %v", err)
	}
}

// FuzzUpgrade: any HTTP2-Settings payload and request either upgrades
// (OnHeaders and OnEndStream for stream 1) or fails with a typed error and
// no event; never a panic.
func FuzzUpgrade(f *testing.F) {
	f.Add(settingsPayload(0x3, 100, 0x4, 10), "GET", "/", "a", "b")
	f.Add([]byte{1, 2, 3}, "GET", "x", "Connection", "")
	f.Add(settingsPayload(0x4, 1<<31), "HEAD", "*", "content-length", "1")
	f.Fuzz(func(t *testing.T, settings []byte, method, path, name, value string) {
		h := newRecHandler()
		c, err := NewServerConn(Config{}, h)
		if err != nil {
			t.Fatal(err)
		}
		h.c = c
		err = upgrade(c, settings, ":method", method, ":scheme", "http", ":path", path, name, value)
		var ce *ConnError
		var se *StreamError
		switch {
		case err == nil:
			if len(h.events) < 2 || h.events[0] != "headers 1 "+method+" "+path {
				t.Fatalf("upgraded without events: %q", h.events)
			}
		case errors.As(err, &ce), errors.As(err, &se):
			if len(h.events) != 0 {
				t.Fatalf("error %v after events %q", err, h.events)
			}
		default:
			t.Fatalf("untyped error %v", err)
		}
		c.AppendOutput(nil)
		c.Feed([]byte(http2.ClientPreface))
		c.AppendOutput(nil)
	})
}
