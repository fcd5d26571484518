package h2conn

import "sync/atomic"

// Stats counts the HTTP/2 events of every connection whose Config.Stats
// points to it (a server's connections share one). The engine only adds,
// with atomic operations and without allocating; readers load the fields
// at any time from any goroutine. A nil *Stats counts nothing.
type Stats struct {
	// StreamsOpened counts the streams a HEADERS frame (or an h2c
	// upgrade) opened and those the server reserved with PUSH_PROMISE;
	// refused streams are not opened.
	StreamsOpened atomic.Uint64
	// StreamsClosed counts the streams that closed, however they ended.
	StreamsClosed atomic.Uint64
	// ResetsSent and ResetsReceived count RST_STREAM frames by error code.
	ResetsSent, ResetsReceived CodeCounts
	// GoAwaysSent and GoAwaysReceived count GOAWAY frames by error code.
	GoAwaysSent, GoAwaysReceived CodeCounts
	// FlowStalls counts the DATA frames after which a response body that
	// had not ended found the peer's flow-control window (the stream's or
	// the connection's) exhausted: the body waits for a WINDOW_UPDATE.
	FlowStalls atomic.Uint64
}

// NumCodes is the number of error codes RFC 9113 §7 defines (0x0..0xd).
const NumCodes = int(ErrCodeHTTP11Required) + 1

// CodeCounts counts frames by error code: index i < NumCodes is the code
// i, index NumCodes every code RFC 9113 does not define (§7: "Unknown or
// unsupported error codes MUST NOT trigger any special behavior").
type CodeCounts [NumCodes + 1]atomic.Uint64

func (cc *CodeCounts) add(code ErrCode) {
	i := int(min(code, ErrCode(NumCodes)))
	cc[i].Add(1)
}

// connStats is the per-connection part of the counting, owned by the
// connection goroutine like the rest of the Engine.
type connStats struct {
	opened uint64 // streams opened on this connection
}

// StreamsOpened returns how many streams this connection has opened so
// far: the connection loop compares it between batches to tell an active
// connection from an idle one even when a stream opened and closed within
// one batch.
func (c *Engine) StreamsOpened() uint64 { return c.stats.opened }

func (c *Engine) statStreamOpened() {
	c.stats.opened++
	if s := c.cfg.Stats; s != nil {
		s.StreamsOpened.Add(1)
	}
}

func (c *Engine) statStreamClosed() {
	if s := c.cfg.Stats; s != nil {
		s.StreamsClosed.Add(1)
	}
}

func (c *Engine) statResetSent(code ErrCode) {
	if s := c.cfg.Stats; s != nil {
		s.ResetsSent.add(code)
	}
}

func (c *Engine) statResetReceived(code ErrCode) {
	if s := c.cfg.Stats; s != nil {
		s.ResetsReceived.add(code)
	}
}

func (c *Engine) statGoAwaySent(code ErrCode) {
	if s := c.cfg.Stats; s != nil {
		s.GoAwaysSent.add(code)
	}
}

func (c *Engine) statGoAwayReceived(code ErrCode) {
	if s := c.cfg.Stats; s != nil {
		s.GoAwaysReceived.add(code)
	}
}

// statDataSent records n body octets sent on st from a read that returned
// fl, after the windows were charged: a body that goes on (DataOK) with a
// window at zero is a flow-control stall.
func (c *Engine) statDataSent(st *Stream, n int64, fl DataFlag) {
	st.sent += n
	if fl == DataOK && (st.sendWindow.available() <= 0 || c.sendWindow.available() <= 0) {
		if s := c.cfg.Stats; s != nil {
			s.FlowStalls.Add(1)
		}
	}
}

// Status returns the final response status sent on s, 0 before (or
// without) one.
func (s *Stream) Status() int { return int(s.status) }

// BytesSent returns the response body octets sent on s so far (DATA
// payloads, without padding or frame headers).
func (s *Stream) BytesSent() int64 { return s.sent }
