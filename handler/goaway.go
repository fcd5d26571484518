package handler

import "github.com/h2kit/h2kit/internal/frame"

// GoAway ends the stream's whole connection with a GOAWAY frame carrying code
// and debug (RFC 9113 §6.8), for a server that refuses a connection after
// looking at its first request (a connection hook, an authorization
// decision). Like Reset it may be called from any goroutine: it is queued and
// applied on the connection goroutine right after the current callback, or
// after waking the loop. Only the first call per connection counts; it does
// nothing once the connection has ended.
//
// With any code other than NoError the connection is closed at once: RFC
// 9113 §5.4.1: "An endpoint that encounters a connection error SHOULD first
// send a GOAWAY frame (Section 6.8) with the stream identifier of the last
// stream that it successfully received from its peer. [...] After sending the
// GOAWAY frame for an error condition, the endpoint MUST close the TCP
// connection." The last stream identifier is the highest the peer opened, so
// clients do not retry those requests elsewhere; every open stream gets
// OnClose(code) and ConnInfo.Context is cancelled. With NoError the shutdown is
// graceful: no new stream is accepted, and the connection ends when the open
// streams have finished (each still needs a response or a Reset).
func (s *Stream) GoAway(code ErrCode, debug string) { s.conn.goAwayFrom(code, debug) }

// goAwayFrom queues the GOAWAY of Stream.GoAway.
func (c *connState) goAwayFrom(code ErrCode, debug string) {
	c.mu.Lock()
	if c.goAway || c.goAwayDone {
		c.mu.Unlock()
		return
	}
	c.goAway, c.goAwayCode, c.goAwayDebug = true, code, debug
	wake := c.sleeping
	c.sleeping = false
	c.mu.Unlock()
	if wake {
		c.wake()
	}
}

// applyGoAway sends the GOAWAY queued by Stream.GoAway (connection goroutine).
func (c *connState) applyGoAway() {
	c.mu.Lock()
	code, debug := c.goAwayCode, c.goAwayDebug
	c.goAway, c.goAwayDone = false, true
	c.mu.Unlock()
	c.eng.GoAway(frame.ErrCode(code), debug)
}
