package h2conn

import (
	"strconv"
	"sync"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// The output scheduler: queued frames first, then DATA round-robin across
// the streams in the ready ring, one frame per stream per turn.

// WantWrite reports whether AppendOutput would append anything now.
func (c *Engine) WantWrite() bool {
	if len(c.ctl) > 0 {
		return true
	}
	return c.err == nil && c.sendWindow.available() > 0 && c.nready > 0
}

// AppendOutput appends to dst the bytes to write to the peer now and
// returns the extended slice: every queued frame, then DATA frames as far
// as the flow-control windows, the peer's SETTINGS_MAX_FRAME_SIZE and
// Config.MaxWriteBatch allow: the DATA frames appended by one call total at
// most MaxWriteBatch octets (frame headers included), plus any frames a
// body source's commands queue meanwhile.
func (c *Engine) AppendOutput(dst []byte) []byte {
	dst = append(dst, c.ctl...)
	c.ctl = c.ctl[:0]
	c.nctl = 0
	if c.err != nil {
		return dst
	}
	start := len(dst)
	budget := start + c.cfg.MaxWriteBatch
	c.vecBytes = 0
	maxFrame := int64(min(c.peerMaxFrame, c.cfg.MaxWriteFrameSize))
	for c.nready > 0 && c.sendWindow.available() > 0 {
		// Stay within Config.MaxWriteBatch; rather than end the batch with
		// a runt frame, leave the rest for the next call.
		out := len(dst) + c.vecBytes // referenced payloads count too
		room := int64(budget - out - frame.HeaderLen)
		if room < maxFrame && out > start || room < 1 {
			break
		}
		st := c.popReady()
		if st.sendWindow.available() <= 0 {
			// A SETTINGS_INITIAL_WINDOW_SIZE decrease closed its window
			// while it waited; a WINDOW_UPDATE puts it back (maybeReady).
			continue
		}
		dst = c.sendData(dst, st, int(min(maxFrame, c.sendWindow.available(), st.sendWindow.available(), room)))
		if len(c.ctl) > 0 {
			// Keep the wire order equal to the HPACK encoding order.
			dst = append(dst, c.ctl...)
			c.ctl = c.ctl[:0]
			c.nctl = 0
		}
		if c.err != nil {
			return dst
		}
	}
	return dst
}

// readBody calls the body source and classifies the outcome: a non-nil
// name means the stream must be reset, counted under that name. It is the
// one place where a source's failure and its breaches of the BodySource
// contract (including a panic) are told apart.
func readBody(src BodySource, max int) (p []byte, fl DataFlag, fail reject.Name) {
	defer func() {
		if recover() != nil {
			p, fl, fail = nil, 0, reject.BodySourceMisbehaved
		}
	}()
	p, fl, err := src.Read(max)
	switch {
	case err != nil:
		return nil, 0, reject.BodyGeneratorError
	case len(p) > max, fl > DataDeferred, fl == DataOK && len(p) == 0:
		return nil, 0, reject.BodySourceMisbehaved
	}
	return p, fl, ""
}

// appendData appends a DATA frame for st. In vectored mode
// (AppendOutputVec) the payload of a SetBodyBytes body is not copied: only
// the frame header goes into dst and the payload is recorded as a segment
// to be spliced in after it.
func (c *Engine) appendData(dst []byte, st *Stream, end bool, p []byte, stable bool) []byte {
	if !c.vec || !stable || len(p) == 0 {
		return frame.AppendData(dst, st.ID, end, p)
	}
	var fl frame.Flags
	if end {
		fl = frame.FlagEndStream
	}
	dst = frame.AppendHeader(dst, frame.Header{Length: uint32(len(p)), Type: frame.TypeData, Flags: fl, StreamID: st.ID})
	c.segs = append(c.segs, segment{at: len(dst), p: p})
	c.vecBytes += len(p)
	return dst
}

// segment is a payload referenced by AppendOutputVec, to be inserted at
// offset at of the output buffer.
type segment struct {
	at int
	p  []byte
}

// AppendOutputVec is AppendOutput for vectored writes (net.Buffers,
// writev): it appends to bufs the pieces of the same output, in which the
// payloads of bodies given with SetBodyBytes are the caller's own slices,
// not copies. Everything else (control frames, headers, DATA from other
// BodySources) is in one internal buffer. The pieces are valid until the
// next AppendOutput or AppendOutputVec call. As the stream may close (and
// OnClose run) inside this call, the caller of SetBodyBytes must keep its
// slice unmodified until the pieces have been written, not just until
// OnClose.
func (c *Engine) AppendOutputVec(bufs [][]byte) [][]byte {
	c.vec = true
	c.segs = c.segs[:0]
	c.vbuf = c.AppendOutput(c.vbuf[:0])
	c.vec = false
	prev := 0
	for _, sg := range c.segs {
		if sg.at > prev {
			bufs = append(bufs, c.vbuf[prev:sg.at])
		}
		bufs = append(bufs, sg.p)
		prev = sg.at
	}
	if len(c.vbuf) > prev {
		bufs = append(bufs, c.vbuf[prev:])
	}
	clear(c.segs) // do not pin the bodies
	c.segs = c.segs[:0]
	return bufs
}

// readTrailers calls a TrailerSource, turning a panic into a flag.
func readTrailers(ts TrailerSource) (tr []hpack.HeaderField, panicked bool) {
	defer func() {
		if recover() != nil {
			tr, panicked = nil, true
		}
	}()
	return ts.Trailers(), false
}

// sendData appends one DATA frame (and trailers at EOF) for st.
func (c *Engine) sendData(dst []byte, st *Stream, max int) []byte {
	// SetBodyBytes slices can be referenced instead of copied.
	stable := st.body == BodySource(&st.bytesBody)
	p, fl, fail := readBody(st.body, max)
	if st.state == StateClosed {
		return dst // the source reset its own stream
	}
	if fail != "" {
		c.reject(fail)
		c.resetStream(st.ID, st, ErrCodeInternal)
		return dst
	}
	// len(p) ≤ max, which is within both windows: the takes succeed.
	n := int64(len(p))
	c.sendWindow.take(n)
	st.sendWindow.take(n)
	c.statDataSent(st, n, fl)
	if n > 0 && !c.stallDue.IsZero() {
		// Progress: the stall timer starts again.
		c.stallDue = c.now.Add(c.cfg.FlowStallTimeout)
	}
	switch fl {
	case DataOK:
		dst = c.appendData(dst, st, false, p, stable)
		c.requeue(st)
	case DataDeferred:
		if n > 0 {
			dst = c.appendData(dst, st, false, p, stable)
		}
		st.deferred = true
	case DataEOF:
		var tr []hpack.HeaderField
		if ts, ok := st.body.(TrailerSource); ok {
			var panicked bool
			if tr, panicked = readTrailers(ts); panicked {
				c.reject(reject.BodySourceMisbehaved)
				c.resetStream(st.ID, st, ErrCodeInternal)
				return dst
			}
		}
		if len(tr) == 0 && st.hasTrailers {
			tr = st.outTrailers
		}
		st.body = nil
		if len(tr) == 0 {
			dst = c.appendData(dst, st, true, p, stable)
			c.endResponse(st) // an error is sticky: the loop sees it
			return dst
		}
		if n > 0 {
			dst = c.appendData(dst, st, false, p, stable)
		}
		if err := checkFields(tr); err != nil {
			c.reject(reject.BodySourceMisbehaved)
			c.resetStream(st.ID, st, ErrCodeInternal)
			return dst
		}
		if err := c.writeHeaderBlock(st.ID, tr, -1, true, false); err != nil {
			c.resetStream(st.ID, st, ErrCodeInternal)
			return dst
		}
		c.endResponse(st)
	}
	return dst
}

// statusText holds ":status" values so that responses do not allocate.
var statusText = func() (t [900]string) {
	for i := range t {
		t[i] = strconv.Itoa(i + 100)
	}
	return t
}()

// statusIndex holds the HPACK static table index of each ":status" value,
// 0 for those not in the table, looked up once in the generated table.
var statusIndex = func() (t [900]uint8) {
	for i := range t {
		t[i] = uint8(hpack.StaticIndex(":status", statusText[i]))
	}
	return t
}()

// writeHeaders encodes a response header block with :status and queues it.
func (c *Engine) writeHeaders(id uint32, status int, fields []hpack.HeaderField, endStream bool) error {
	return c.writeHeaderBlock(id, fields, status, endStream, false)
}

// writeHeaderBlock encodes fields (preceded by :status when status ≥ 0)
// and queues HEADERS plus as many CONTINUATION frames as the peer's
// SETTINGS_MAX_FRAME_SIZE requires (RFC 9113 §4.3). stable says that the
// fields' strings never change (SendStableHeaders).
func (c *Engine) writeHeaderBlock(id uint32, fields []hpack.HeaderField, status int, endStream, stable bool) error {
	// A pending dynamic table size update must open the block (RFC 7541
	// §4.2); Deflate with no fields writes just that.
	var err error
	if c.hbuf, err = c.enc.Deflate(c.hbuf[:0], nil); err != nil {
		return err
	}
	if status >= 0 {
		// The common statuses are in the HPACK static table (RFC 7541
		// Appendix A): one octet, no encoder state involved.
		if idx := statusIndex[status-100]; idx > 0 {
			c.hbuf = append(c.hbuf, 0x80|idx)
		} else {
			c.scratch = append(c.scratch[:0], hpack.HeaderField{Name: ":status", Value: statusText[status-100]})
			c.hbuf, err = c.enc.Deflate(c.hbuf, c.scratch)
			if err != nil {
				return err
			}
		}
	}
	if stable {
		c.hbuf, err = c.enc.DeflateStable(c.hbuf, fields)
	} else {
		c.hbuf, err = c.enc.Deflate(c.hbuf, fields)
	}
	if err != nil {
		return err
	}
	first, rest := c.splitBlock(c.hbuf, 0)
	c.ctl = frame.AppendHeaders(c.ctl, id, endStream, len(rest) == 0, first)
	c.appendContinuations(id, rest)
	return c.checkBuffered()
}

// splitBlock splits a header block into the fragment of its first frame
// (HEADERS or PUSH_PROMISE, whose payload has overhead octets of its own
// before the fragment) and the rest, for CONTINUATION frames: no frame's
// payload exceeds the peer's SETTINGS_MAX_FRAME_SIZE (RFC 9113 §4.2).
func (c *Engine) splitBlock(block []byte, overhead int) (first, rest []byte) {
	first = block[:min(len(block), int(c.peerMaxFrame)-overhead)]
	return first, block[len(first):]
}

// appendContinuations queues the rest of a header block as CONTINUATION
// frames on stream id, the last with END_HEADERS (RFC 9113 §6.10).
func (c *Engine) appendContinuations(id uint32, rest []byte) {
	for len(rest) > 0 {
		part := rest[:min(len(rest), int(c.peerMaxFrame))]
		rest = rest[len(part):]
		c.ctl = frame.AppendContinuation(c.ctl, id, len(rest) == 0, part)
	}
}

// The queued-frame buffer (Engine.ctl) is lent by a pool: a connection that
// sleeps with nothing queued gives it back (Release) and takes one when it
// runs again (Acquire), so that idle connections hold none. The buffer
// travels in its box, so lending allocates nothing once warm.
var ctlBuffers sync.Pool // of *[]byte, each with len 0

// ctlBufferSize is the capacity of a new queued-frame buffer: a few
// responses' HEADERS. Buffers that grew past maxPooledCtl are dropped.
const (
	ctlBufferSize = 4 << 10
	maxPooledCtl  = 64 << 10
)

// Acquire gives the engine an output buffer if Release took it. The caller
// (the driver) calls it when the connection runs again after a sleep.
func (c *Engine) Acquire() {
	if c.ctl != nil {
		return
	}
	if p, ok := ctlBuffers.Get().(*[]byte); ok {
		c.ctl, c.ctlBox = *p, p
		*p = nil
		return
	}
	c.ctl = make([]byte, 0, ctlBufferSize)
}

// Release gives the output buffer back to the pool if nothing is queued;
// the engine must not be used before Acquire. The caller (the driver) calls
// it before the connection sleeps until the peer sends or a deadline
// passes.
func (c *Engine) Release() {
	if len(c.ctl) > 0 || c.ctl == nil {
		return
	}
	if cap(c.ctl) <= maxPooledCtl {
		p := c.ctlBox
		if p == nil {
			p = new([]byte)
		}
		*p = c.ctl
		ctlBuffers.Put(p)
	}
	c.ctl, c.ctlBox = nil, nil
}
