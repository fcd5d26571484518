package h2conn

import (
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// Flow control (RFC 9113 §5.2, §6.9) at the connection's level: the
// arithmetic and its limits are in window.go.

// changeInitialWindow applies a new SETTINGS_INITIAL_WINDOW_SIZE to every
// open stream. RFC 9113 §6.9.2: "When the value of
// SETTINGS_INITIAL_WINDOW_SIZE changes, a receiver MUST adjust the size of
// all stream flow-control windows that it maintains by the difference
// between the new value and the old value." and "An endpoint MUST treat a
// change to SETTINGS_INITIAL_WINDOW_SIZE that causes any flow-control window
// to exceed the maximum size as a connection error (Section 5.4.1) of type
// FLOW_CONTROL_ERROR."
//
// checkSettings has checked the maximum, so the adds succeed.
func (c *Engine) changeInitialWindow(v int64) {
	delta := v - c.peerInitialWindow
	c.peerInitialWindow = v
	for _, st := range c.streams {
		st.sendWindow.add(delta)
		if delta > 0 {
			c.maybeReady(st)
		}
	}
}

// streamWindowUpdate applies a stream WINDOW_UPDATE. RFC 9113 §6.9.1: "If a
// sender receives a WINDOW_UPDATE that causes a flow-control window to
// exceed this maximum, it MUST terminate either the stream or the
// connection, as appropriate. For streams, the sender sends a RST_STREAM
// with an error code of FLOW_CONTROL_ERROR".
func (c *Engine) streamWindowUpdate(st *Stream, inc int64) error {
	if !st.sendWindow.add(inc) {
		return &StreamError{StreamID: st.ID, Code: ErrCodeFlowControl, Cause: reject.StreamWindowOverflow}
	}
	c.maybeReady(st)
	return nil
}

// creditConn returns n octets to the peer's connection window, sending a
// WINDOW_UPDATE once half the window is pending (batched, but never so late
// that the peer stalls).
func (c *Engine) creditConn(n int64) {
	if c.err != nil {
		return // the connection is closing; nothing follows its GOAWAY
	}
	if inc := c.recv.credit(n, int64(c.cfg.ConnWindowSize)/2); inc > 0 {
		c.ctl = frame.AppendWindowUpdate(c.ctl, 0, inc)
		c.nctl++
	}
}

// creditStream returns n octets to the peer's window of st; no update is
// sent once the request has ended, as no more DATA can come.
func (c *Engine) creditStream(st *Stream, n int64) {
	if st.state != StateOpen && st.state != StateHalfClosedLocal {
		return
	}
	if inc := st.recv.credit(n, int64(c.cfg.InitialWindowSize)/2); inc > 0 {
		c.ctl = frame.AppendWindowUpdate(c.ctl, st.ID, inc)
		c.nctl++
	}
}

// Consume tells the engine that the handler has consumed n octets of the
// request body of st delivered by OnData. The engine returns them to the
// peer's stream and connection windows with WINDOW_UPDATE frames, batched
// at half a window.
func (c *Engine) Consume(st *Stream, n int) {
	if n <= 0 || st == nil || st.state == StateClosed || c.err != nil {
		return
	}
	v := min(int64(n), st.unconsumed)
	st.unconsumed -= v
	c.creditConn(v)
	c.creditStream(st, v)
}
