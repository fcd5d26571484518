package h2conn

import (
	"bytes"
	"testing"

	"github.com/h2kit/h2kit/reject"
	"golang.org/x/net/http2"
)

func setInitialWindow(p *peer, v uint32) {
	p.send(func(fr *http2.Framer) error {
		return fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: v})
	})
}

// readSettingsAck consumes the SETTINGS ACK the engine owes.
func readSettingsAck(t *testing.T, p *peer) {
	t.Helper()
	f := p.read()
	if sf, ok := f.(*http2.SettingsFrame); !ok || !sf.IsAck() {
		t.Fatalf("got %v, want SETTINGS ACK", f)
	}
}

// RFC 9113 §6.9.2: "When the value of SETTINGS_INITIAL_WINDOW_SIZE changes,
// a receiver MUST adjust the size of all stream flow-control windows that it
// maintains by the difference between the new value and the old value."
func TestInitialWindowChangeAppliedToOpenStreams(t *testing.T) {
	p := newPeer(t, Config{})
	setInitialWindow(p, 1)
	readSettingsAck(t, p)
	p.get(1)
	p.wantHeaders(1, false)
	if d := p.wantData(1, false); string(d) != "h" {
		t.Fatalf("first DATA %q", d)
	}
	p.wantNothing()
	setInitialWindow(p, 5) // +4 for the open stream
	readSettingsAck(t, p)
	if d := p.wantData(1, false); string(d) != "ello" {
		t.Fatalf("after the increase %q", d)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 100) })
	if d := p.wantData(1, true); string(d) != ", world\n" {
		t.Fatalf("rest %q", d)
	}
}

// RFC 9113 §6.9.2: "A change to SETTINGS_INITIAL_WINDOW_SIZE can cause the
// available space in a flow-control window to become negative. A sender
// MUST track the negative flow-control window and MUST NOT send new
// flow-controlled frames until it receives WINDOW_UPDATE frames that cause
// the flow-control window to become positive."
func TestNegativeStreamWindow(t *testing.T) {
	p := newPeer(t, Config{})
	setInitialWindow(p, 5)
	readSettingsAck(t, p)
	p.get(1)
	p.wantHeaders(1, false)
	p.wantData(1, false)   // "hello"
	setInitialWindow(p, 2) // window 5-5 → -3
	readSettingsAck(t, p)
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 3) }) // → 0
	p.wantNothing()
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 1) }) // → 1
	if d := p.wantData(1, false); string(d) != "," {
		t.Fatalf("got %q", d)
	}
}

// RFC 9113 §6.9.2: "An endpoint MUST treat a change to
// SETTINGS_INITIAL_WINDOW_SIZE that causes any flow-control window to
// exceed the maximum size as a connection error (Section 5.4.1) of type
// FLOW_CONTROL_ERROR."
func TestInitialWindowChangeOverflow(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	p.get(1)
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 1<<31-1-65535) }) // exactly 2^31-1: fine
	if p.err != nil {
		t.Fatal(p.err)
	}
	setInitialWindow(p, 65536)
	p.wantGoAway(http2.ErrCodeFlowControl)
	p.wantReject(reject.InitialWindowOverflow)
}

// The parameters of one SETTINGS frame apply in order (RFC 9113 §6.5.3:
// "The values in the SETTINGS frame MUST be processed in the order they
// appear"): a window that passes 2^31-1 on the way is an error even if a
// later value brings it back, and one that only ends at 2^31-1 is not.
func TestInitialWindowChangesInOrder(t *testing.T) {
	settings := func(vals ...uint32) func(fr *http2.Framer) error {
		var s []http2.Setting
		for _, v := range vals {
			s = append(s, http2.Setting{ID: http2.SettingInitialWindowSize, Val: v})
		}
		return func(fr *http2.Framer) error { return fr.WriteSettings(s...) }
	}
	p := newPeer(t, Config{})
	p.h.manual = true
	p.get(1)
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 1<<31-1-65535) })
	p.send(settings(0, 65535)) // 2^31-1-65535, then 2^31-1 again
	if p.err != nil || p.c.Stream(1).sendWindow != 1<<31-1 {
		t.Fatalf("%v, window %d", p.err, p.c.Stream(1).sendWindow)
	}
	p.send(settings(65536, 65535)) // passes 2^31-1 on the way
	p.wantGoAway(http2.ErrCodeFlowControl)
	p.wantReject(reject.InitialWindowOverflow)
}

// One-byte windows: every WINDOW_UPDATE of 1 lets exactly one octet out,
// on the stream and on the connection.
func TestOneByteWindows(t *testing.T) {
	p := newPeer(t, Config{})
	setInitialWindow(p, 1)
	readSettingsAck(t, p)
	p.get(1)
	p.wantHeaders(1, false)
	var got []byte
	got = append(got, p.wantData(1, false)...)
	for len(got) < len("hello, world\n")-1 {
		p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 1) })
		d := p.wantData(1, false)
		if len(d) != 1 {
			t.Fatalf("DATA of %d octets with a 1-octet window", len(d))
		}
		got = append(got, d...)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 1) })
	got = append(got, p.wantData(1, true)...)
	if string(got) != "hello, world\n" {
		t.Fatalf("body %q", got)
	}
}

// RFC 9113 §6.9.1: the connection window (65,535 initially, §6.9.2) caps
// all DATA together until a connection WINDOW_UPDATE.
func TestConnectionSendWindow(t *testing.T) {
	p := newPeer(t, Config{})
	setInitialWindow(p, 1<<20)
	readSettingsAck(t, p)
	p.h.body = bytes.Repeat([]byte("x"), 100000)
	p.get(1)
	p.wantHeaders(1, false)
	n := 0
	for {
		f, ok := p.tryRead()
		if !ok {
			break
		}
		n += len(f.(*http2.DataFrame).Data())
	}
	if n != 65535 {
		t.Fatalf("sent %d octets in a 65535 connection window", n)
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(0, 100000) })
	for {
		df := p.read().(*http2.DataFrame)
		n += len(df.Data())
		if df.StreamEnded() {
			break
		}
	}
	if n != 100000 {
		t.Fatalf("total %d", n)
	}
}

// uploadPeer plays a client that obeys our windows and uploads size octets;
// the test fails if the upload stalls (no window left and no WINDOW_UPDATE
// coming), which RFC 9113 §6.9 requires a receiver to avoid.
func TestUploadNeverStalls(t *testing.T) {
	for _, cfg := range []Config{{}, {InitialWindowSize: 1, ConnWindowSize: 65535}, {InitialWindowSize: 100000, ConnWindowSize: 70000}} {
		size := 3 << 20
		if cfg.InitialWindowSize == 1 {
			size = 5000
		}
		p := newPeer(t, cfg)
		c := p.c.cfg
		connWin, strWin := int64(c.ConnWindowSize), int64(c.InitialWindowSize)
		p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/up")
		sent := 0
		for sent < size {
			n := min(int64(16384), connWin, strWin, int64(size-sent))
			if n <= 0 {
				// Collect WINDOW_UPDATEs.
				f, ok := p.tryRead()
				if !ok {
					t.Fatalf("cfg %+v: stalled after %d octets (conn %d stream %d)", cfg, sent, connWin, strWin)
				}
				if wu, ok := f.(*http2.WindowUpdateFrame); ok {
					if wu.StreamID == 0 {
						connWin += int64(wu.Increment)
					} else {
						strWin += int64(wu.Increment)
					}
				}
				continue
			}
			if err := p.data(1, sent+int(n) == size, make([]byte, n)); err != nil {
				t.Fatal(err)
			}
			sent += int(n)
			connWin -= n
			strWin -= n
		}

		if p.h.events[len(p.h.events)-1] != "end 1" {
			t.Fatalf("events end with %q", p.h.events[len(p.h.events)-1])
		}
	}
}

// Request body bytes the handler never consumed go back to the
// connection window when the stream closes, so an abandoned upload cannot
// starve the others.
func TestUnconsumedReturnedOnClose(t *testing.T) {
	p := newPeer(t, Config{ConnWindowSize: 65535, InitialWindowSize: 65535})
	p.h.consume = false
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/up")
	for range 4 {
		p.data(1, false, make([]byte, 10000))
	}
	p.wantNothing()
	p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(1, http2.ErrCodeCancel) })
	wu, ok := p.read().(*http2.WindowUpdateFrame)
	if !ok || wu.StreamID != 0 || wu.Increment != 40000 {
		t.Fatalf("got %v, want connection WINDOW_UPDATE 40000", wu)
	}
}

// WINDOW_UPDATEs are batched: nothing until half the window is consumed.
func TestWindowUpdateBatching(t *testing.T) {
	p := newPeer(t, Config{ConnWindowSize: 65535, InitialWindowSize: 65535})
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/up")
	p.data(1, false, make([]byte, 16383))
	p.data(1, false, make([]byte, 16383)) // 32766: below 65535/2 = 32767
	p.wantNothing()
	p.data(1, false, make([]byte, 1)) // reaches it
	for range 2 {
		wu := p.read().(*http2.WindowUpdateFrame)
		if wu.Increment != 32767 {
			t.Fatalf("increment %d", wu.Increment)
		}
	}
}

// A stream waiting in the ready ring whose window a SETTINGS decrease
// closes is skipped, not read with max 0 (which would look like a
// misbehaving source), and resumes on WINDOW_UPDATE.
func TestWindowClosedWhileReady(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	p.get(1)
	st := p.c.Stream(1)
	p.c.SendHeaders(st, 200, nil, false)
	p.c.SetBodyBytes(st, []byte("abc"))
	setInitialWindow(p, 0) // window 65535 → 0 while queued
	p.wantHeaders(1, false)
	readSettingsAck(t, p)
	p.wantNothing()
	p.send(func(fr *http2.Framer) error { return fr.WriteWindowUpdate(1, 10) })
	if d := p.wantData(1, true); string(d) != "abc" {
		t.Fatalf("got %q", d)
	}
}
