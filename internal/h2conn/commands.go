package h2conn

import (
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/httpfield"
)

// Commands from the handler layer. They are called on the connection
// goroutine, from inside a Handler callback or later.

func (c *Engine) usable(st *Stream) error {
	if c.err != nil {
		return ErrConnClosed
	}
	if st == nil || st.state == StateClosed {
		return ErrStreamClosed
	}
	return nil
}

// SendHeaders queues the response header block of st: :status, then fields
// (lowercase names; the caller adds date and content-length). With
// endStream the response has no body. A 1xx status may precede the final
// one.
func (c *Engine) SendHeaders(st *Stream, status int, fields []hpack.HeaderField, endStream bool) error {
	if err := c.headersUsable(st, status); err != nil {
		return err
	}
	if err := checkFields(fields); err != nil {
		return err
	}
	return c.sendHeaders(st, status, fields, endStream, false)
}

// SendCheckedHeaders is SendHeaders for fields that have already passed
// internal/httpfield's policy (the handler layer checks every response when
// it is recorded, and the fields it adds, content-length and date, are valid
// by construction): the policy then costs once per response, not twice.
func (c *Engine) SendCheckedHeaders(st *Stream, status int, fields []hpack.HeaderField, endStream bool) error {
	if err := c.headersUsable(st, status); err != nil {
		return err
	}
	return c.sendHeaders(st, status, fields, endStream, false)
}

// SendStableHeaders is SendCheckedHeaders for fields whose strings' bytes
// never change (the static server's precomputed lists, and the date and
// content-length strings the handler layer adds): the encoder recognises a
// repeated block by the strings' addresses (hpack.Deflater.DeflateStable).
func (c *Engine) SendStableHeaders(st *Stream, status int, fields []hpack.HeaderField, endStream bool) error {
	if err := c.headersUsable(st, status); err != nil {
		return err
	}
	return c.sendHeaders(st, status, fields, endStream, true)
}

func (c *Engine) headersUsable(st *Stream, status int) error {
	if err := c.usable(st); err != nil {
		return err
	}
	// RFC 9113 §8.6: "HTTP/2 removes support for the 101 (Switching
	// Protocols) informational status code".
	if status < 100 || status > 999 || status == 101 {
		return ErrBadStatus
	}
	return nil
}

func (c *Engine) sendHeaders(st *Stream, status int, fields []hpack.HeaderField, endStream, stable bool) error {
	if st.headersSent {
		return ErrHeadersSent
	}
	if st.state == StateHalfClosedLocal {
		return ErrStreamEnded
	}
	informational := status < 200
	if informational && endStream {
		return ErrBadStatus
	}
	if st.state == StateReservedLocal {
		return c.pushHeaders(st, status, fields, endStream)
	}
	if err := c.writeHeaderBlock(st.ID, fields, status, endStream, stable); err != nil {
		return err
	}
	if !informational {
		st.headersSent = true
		st.status = uint16(status)
	}
	if endStream {
		return c.endResponse(st)
	}
	return nil
}

// SetBody makes src the response body of st; AppendOutput pulls from it.
// SendHeaders must have been called without endStream.
func (c *Engine) SetBody(st *Stream, src BodySource) error {
	if err := c.usable(st); err != nil {
		return err
	}
	if !st.headersSent {
		return ErrNoHeaders
	}
	if st.state == StateHalfClosedLocal {
		return ErrStreamEnded
	}
	if st.body != nil {
		return ErrBodySet
	}
	st.body = src
	c.maybeReady(st)
	return nil
}

// SetBodyBytes is SetBody with a byte slice, without allocating. b must
// not be modified until the stream closes.
func (c *Engine) SetBodyBytes(st *Stream, b []byte) error {
	if err := c.usable(st); err != nil {
		return err
	}
	st.bytesBody.b = b
	return c.SetBody(st, &st.bytesBody)
}

// SendTrailers ends the response of st with trailer fields. If a body is
// still being sent, they follow its EOF; otherwise they are queued now.
func (c *Engine) SendTrailers(st *Stream, fields []hpack.HeaderField) error {
	if err := c.usable(st); err != nil {
		return err
	}
	if !st.headersSent {
		return ErrNoHeaders
	}
	if st.state == StateHalfClosedLocal || st.hasTrailers {
		return ErrStreamEnded
	}
	if err := checkFields(fields); err != nil {
		return err
	}
	if st.body != nil || st.state == StateReservedLocal { // a parked push sends them later
		st.outTrailers = fields
		st.hasTrailers = true
		return nil
	}
	if err := c.writeHeaderBlock(st.ID, fields, -1, true, false); err != nil {
		return err
	}
	return c.endResponse(st)
}

// Resume makes a body source that returned DataDeferred readable again. It
// is a no-op when nothing is deferred.
func (c *Engine) Resume(st *Stream) {
	if c.usable(st) != nil || !st.deferred {
		return
	}
	st.deferred = false
	c.maybeReady(st)
}

// Reset aborts st with RST_STREAM code; OnClose receives code.
func (c *Engine) Reset(st *Stream, code ErrCode) error {
	if err := c.usable(st); err != nil {
		return err
	}
	return c.resetStream(st.ID, st, code)
}

// GoAway sends GOAWAY with the highest stream ID processed so far and code.
// Active streams finish (NO_ERROR) or are closed at once (any other code);
// Done turns true when none is left.
func (c *Engine) GoAway(code ErrCode, debug string) {
	if c.err != nil {
		return
	}
	if code != ErrCodeNo {
		c.fail(&ConnError{Code: code}, debug) // not a reject: no Reason
		return
	}
	c.appendGoAway(c.maxPeerID, code, []byte(debug), lcGoAway)
}

// Shutdown starts a graceful shutdown (RFC 9113 §6.8): "A server that is
// attempting to gracefully shut down a connection SHOULD send an initial
// GOAWAY frame with the last stream identifier set to 2^31-1 and a NO_ERROR
// code. This signals to the client that a shutdown is imminent and that
// initiating further requests is prohibited. After allowing time for any
// in-flight stream creation (at least one round-trip time), the server MAY
// send another GOAWAY frame with an updated last stream identifier." The
// round trip is measured with a PING; the second GOAWAY goes out at its ACK
// or after Config.ShutdownDelay, whichever is first. With a negative
// ShutdownDelay only the second GOAWAY is sent, at once; so it is after the
// peer's GOAWAY (it opens no more streams).
func (c *Engine) Shutdown() {
	if c.err != nil || c.lc >= lcDraining {
		return
	}
	if c.cfg.ShutdownDelay < 0 || c.lc == lcPeerGoAway {
		c.finalGoAway()
		return
	}
	c.appendGoAway(frame.MaxStreamID, ErrCodeNo, nil, lcDraining)
	c.ctl = frame.AppendPing(c.ctl, false, shutdownPing)
	c.shutdownDue = zeroTime
	if c.cfg.ShutdownDelay > 0 && !c.now.IsZero() {
		c.shutdownDue = c.now.Add(c.cfg.ShutdownDelay)
	}
}

// finalGoAway is the second phase of Shutdown.
func (c *Engine) finalGoAway() {
	c.appendGoAway(c.maxPeerID, ErrCodeNo, nil, lcGoAway)
}

// checkFields refuses response fields that internal/httpfield's policy
// refuses (RFC 9113 §8.2.1, §8.2.2), so that the engine never generates a
// malformed message. The handler layer applies the same policy before it
// accepts a response, so a field it accepted is never refused here.
func checkFields(fields []hpack.HeaderField) error {
	if i, _ := httpfield.FirstInvalid(fields); i >= 0 {
		return ErrBadField
	}
	return nil
}
