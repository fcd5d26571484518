package handler

import (
	"testing"

	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
)

// TestInitialWindowChange: a response blocked by a zero stream window goes out
// when the peer raises SETTINGS_INITIAL_WINDOW_SIZE: RFC 9113 §6.9.2, "a
// receiver MUST adjust the size of all stream flow-control windows that it
// maintains by the difference between the new value and the old value."
func TestInitialWindowChange(t *testing.T) {
	h := &funcHandler{onHeaders: func(s *Stream) { s.SendResponse(200, nil, "0123456789abcdef") }}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0})
	p.request(1, "GET", "/", true)
	if f, ok := p.next().(*http2.MetaHeadersFrame); !ok || p.out.Len() != 0 {
		t.Fatalf("want HEADERS alone with a zero window, got %v and %d more bytes", f, p.out.Len())
	}
	p.wfr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 10})
	p.flush()
	var got []byte
	for p.out.Len() > 0 {
		if d, ok := p.next().(*http2.DataFrame); ok {
			got = append(got, d.Data()...)
		}
	}
	if string(got) != "0123456789" {
		t.Fatalf("after the window grew to 10: %q", got)
	}
	p.wfr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 100})
	p.flush()
	r := p.readResponse(1)
	if string(r.body) != "abcdef" {
		t.Errorf("rest %q", r.body)
	}
}

// TestWindowOverflow: a WINDOW_UPDATE that takes a stream window above 2^31-1
// is a stream error FLOW_CONTROL_ERROR; on the connection window it is a
// connection error (RFC 9113 §6.9.1).
func TestWindowOverflow(t *testing.T) {
	closed := make(chan ErrCode, 1)
	h := &funcHandler{closed: closed, onHeaders: func(s *Stream) {
		s.SendResponse(200, nil, BodyGenerator(func(int) ([]byte, DataFlag) { return nil, DataDeferred }))
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	p.wfr.WriteWindowUpdate(1, 1<<31-1)
	p.flush()
	r := p.readResponse(1)
	if r.rst != int(FlowControlError) {
		t.Errorf("stream overflow: rst %d, want FLOW_CONTROL_ERROR", r.rst)
	}
	if c := <-closed; c != FlowControlError {
		t.Errorf("OnClose %v", c)
	}
	p.wfr.WriteWindowUpdate(0, 1<<31-1)
	err := p.c.engine().Feed(p.in.Bytes())
	p.in.Reset()
	p.pump()
	if err == nil {
		t.Fatal("connection window overflow not a connection error")
	}
	for {
		f := p.next()
		if g, ok := f.(*http2.GoAwayFrame); ok {
			if g.ErrCode != http2.ErrCodeFlowControl {
				t.Errorf("GOAWAY %v", g.ErrCode)
			}
			break
		}
	}
}
