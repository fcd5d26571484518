package h2conn

import (
	"errors"
	"time"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// Feed consumes bytes received from the peer, in pieces of any size, and
// calls the Handler for the events they complete. A returned *ConnError
// means a GOAWAY has been queued: flush AppendOutput and close. After an
// error every later Feed returns the same error.
func (c *Engine) Feed(p []byte) error {
	if c.err != nil {
		return c.err
	}
	if c.prefaceLeft > 0 {
		// RFC 9113 §3.4: "Clients and servers MUST treat an invalid
		// connection preface as a connection error (Section 5.4.1) of type
		// PROTOCOL_ERROR."
		off := len(frame.ClientPreface) - c.prefaceLeft
		n := min(len(p), c.prefaceLeft)
		if string(p[:n]) != frame.ClientPreface[off:off+n] {
			return c.connError(&ConnError{Code: ErrCodeProtocol, Reason: reject.BadPreface})
		}
		c.prefaceLeft -= n
		p = p[n:]
		if c.prefaceLeft > 0 {
			return nil
		}
	}
	// Complete the frame carried over from the last call, if any.
	if len(c.in) > 0 {
		need := frame.HeaderLen - len(c.in)
		if need > 0 {
			k := min(need, len(p))
			c.in = append(c.in, p[:k]...)
			p = p[k:]
			if len(c.in) < frame.HeaderLen {
				return nil
			}
		}
		h, _ := frame.ParseHeader(c.in)
		if h.Length > c.cfg.MaxFrameSize {
			return c.connError(&ConnError{Code: ErrCodeFrameSize, Reason: reject.FrameTooLarge})
		}
		total := frame.HeaderLen + int(h.Length)
		k := min(total-len(c.in), len(p))
		c.in = append(c.in, p[:k]...)
		p = p[k:]
		if len(c.in) < total {
			return nil
		}
		err := c.processFrame(h, c.in[frame.HeaderLen:total])
		c.in = c.in[:0]
		if err != nil {
			return err
		}
	}
	for len(p) > 0 {
		h, payload, n, err := frame.ReadFrame(p, c.cfg.MaxFrameSize)
		if err != nil {
			return c.connError(&ConnError{Code: ErrCodeFrameSize, Reason: reject.FrameTooLarge})
		}
		if n == 0 {
			// Keep the partial frame; it is at most 9 + MaxFrameSize octets.
			c.in = append(c.in[:0], p...)
			return nil
		}
		p = p[n:]
		if err := c.processFrame(h, payload); err != nil {
			return err
		}
	}
	return nil
}

// processFrame handles one whole frame. Any error it returns is the sticky
// connection error; stream errors are handled inside.
func (c *Engine) processFrame(h frame.Header, p []byte) error {
	// RFC 9113 §3.4: "That is, the connection preface ... MUST be followed by
	// a SETTINGS frame".
	if !c.sawSettings {
		if h.Type != frame.TypeSettings || h.Flags.Has(frame.FlagAck) {
			return c.connError(&ConnError{Code: ErrCodeProtocol, Reason: reject.FirstFrameNotSettings})
		}
		c.sawSettings = true
		c.prefaceDue = time.Time{}
	}
	// RFC 9113 §6.10: "A HEADERS frame without the END_HEADERS flag set MUST
	// be followed by a CONTINUATION frame for the same stream. A receiver
	// MUST treat the receipt of any other type of frame or a frame on a
	// different stream as a connection error (Section 5.4.1) of type
	// PROTOCOL_ERROR."
	if c.hb.active && (h.Type != frame.TypeContinuation || h.StreamID != c.hb.streamID) {
		return c.connError(&ConnError{Code: ErrCodeProtocol, Reason: reject.ExpectedContinuation})
	}
	// Every frame is parsed before anything looks at its stream's state, so
	// that a malformed frame gets its format error (mostly FRAME_SIZE_ERROR,
	// RFC 9113 §4.2) whatever state the stream is in; the process functions
	// take parsed frames only.
	var err error
	switch h.Type {
	case frame.TypeData:
		var f frame.Data
		if f, err = frame.ParseData(h, p); err == nil {
			err = c.processData(f)
		}
	case frame.TypeHeaders:
		var f frame.Headers
		if f, err = frame.ParseHeaders(h, p); err == nil {
			err = c.processHeaders(f)
		}
	case frame.TypePriority:
		var f frame.Priority
		if f, err = frame.ParsePriority(h, p); err == nil {
			err = c.processPriority(f)
		} else {
			err = c.parsedStreamError(h, err)
		}
	case frame.TypeRSTStream:
		var f frame.RSTStream
		if f, err = frame.ParseRSTStream(h, p); err == nil {
			err = c.processRSTStream(f)
		}
	case frame.TypeSettings:
		var f frame.Settings
		if f, err = frame.ParseSettings(h, p); err == nil {
			err = c.processSettings(f)
		}
	case frame.TypePushPromise:
		// RFC 9113 §8.4: "A client cannot push. Thus, servers MUST treat the
		// receipt of a PUSH_PROMISE frame as a connection error (Section
		// 5.4.1) of type PROTOCOL_ERROR."
		err = &ConnError{Code: ErrCodeProtocol, Reason: reject.PushPromiseFromClient}
	case frame.TypePing:
		var f frame.Ping
		if f, err = frame.ParsePing(h, p); err == nil {
			err = c.processPing(f)
		}
	case frame.TypeGoAway:
		var g frame.GoAway
		if g, err = frame.ParseGoAway(h, p); err == nil {
			c.statGoAwayReceived(g.Code)
			// The peer opens no more streams, and processes our pushed
			// streams up to its last stream identifier only.
			c.pushPeerGoAway(g.LastStreamID)
			// Finish the active streams, then Done reports true. A
			// graceful shutdown under way need not wait for in-flight
			// streams any more: every stream the peer opened came before
			// its GOAWAY.
			switch c.lc {
			case lcServing:
				c.lc = lcPeerGoAway
			case lcDraining:
				c.finalGoAway()
			}
		}
	case frame.TypeWindowUpdate:
		var f frame.WindowUpdate
		if f, err = frame.ParseWindowUpdate(h, p); err == nil {
			err = c.processWindowUpdate(f)
		} else {
			err = c.parsedStreamError(h, err)
		}
	case frame.TypeContinuation:
		var f frame.Continuation
		if f, err = frame.ParseContinuation(h, p); err == nil {
			err = c.processContinuation(f)
		}
	case frame.TypePriorityUpdate:
		var f frame.PriorityUpdate
		if f, err = frame.ParsePriorityUpdate(h, p); err == nil {
			err = c.processPriorityUpdate(f)
		}
	default:
		// RFC 9113 §5.5: "Implementations MUST ignore unknown or unsupported
		// values in all extensible protocol elements." (§4.1: "MUST ignore
		// and discard frames of unknown types.")
		err = c.glitch()
	}
	if err == nil {
		return nil
	}
	if c.err != nil {
		return c.err
	}
	var se *StreamError
	if errors.As(err, &se) {
		return c.streamError(se.StreamID, se.Code, rejectName(se))
	}
	return c.connError(err)
}

// parsedStreamError decides what a parse error that is a stream error
// (PRIORITY of the wrong length, a zero WINDOW_UPDATE increment) becomes.
// Connection errors stand as they are; a stream error is subject to the
// policy of the stream's state first: on an idle stream the frame is a
// connection error anyway (RFC 9113 §5.1, and "RST_STREAM frames MUST NOT
// be sent for a stream in the 'idle' state"), and after our RST_STREAM it
// is ignored ("An endpoint MUST ignore frames that it receives on closed
// streams after it has sent a RST_STREAM frame").
func (c *Engine) parsedStreamError(h frame.Header, err error) error {
	var se *StreamError
	if !errors.As(err, &se) {
		return err
	}
	_, _, done, perr := c.policy(h.Type, h.StreamID)
	var ce *ConnError
	switch {
	case errors.As(perr, &ce):
		return perr
	case done && perr == nil:
		return nil
	}
	return se
}

// rejectName returns the reject.Name a stream error carries as its
// cause; every stream error the engine and the frame parser make has one.
func rejectName(se *StreamError) reject.Name {
	var name reject.Name
	if !errors.As(se.Cause, &name) {
		return reject.InternalError // a bug: reported, not hidden
	}
	return name
}

// stateOf returns the §5.1 state of a stream ID, with implicit idle and
// closed states for IDs the engine does not track, and rsAfterGoAway for
// the IDs our final GOAWAY left unprocessed (every frame type goes through
// here, so that rule is applied in this one place) (RFC 9113 §5.1.1: "The
// first use of a new stream identifier implicitly closes all streams in the
// 'idle' state that might have been initiated by that peer with a
// lower-valued stream identifier.").
func (c *Engine) stateOf(id uint32) (recvState, *Stream) {
	if st := c.Stream(id); st != nil {
		return recvState(st.state), st
	}
	if c.lc == lcGoAway && id > c.lastStreamID {
		return rsAfterGoAway, nil
	}
	if c.idleID(id) {
		return rsIdle, nil
	}
	return c.closed.find(id), nil
}

// policy applies recvPolicy; it returns done=true when the frame needs no
// further handling.
func (c *Engine) policy(t frame.Type, id uint32) (st *Stream, state recvState, done bool, err error) {
	state, st = c.stateOf(id)
	switch action(state, t) {
	case actProcess:
		return st, state, false, nil
	case actIgnore:
		return st, state, true, nil
	case actStreamClosed:
		return st, state, true, &StreamError{StreamID: id, Code: ErrCodeStreamClosed, Cause: reject.FrameOnClosedStream}
	case actConnProtocol:
		// A frame other than HEADERS or PRIORITY on an idle stream, or
		// HEADERS reusing an identifier (recvPolicy).
		name := reject.FrameOnIdleStream
		if t == frame.TypeHeaders {
			name = reject.StreamIDNotIncreasing
		}
		return st, state, true, &ConnError{Code: ErrCodeProtocol, Reason: name}
	case actConnStreamClosed:
		return st, state, true, &ConnError{Code: ErrCodeStreamClosed, Reason: reject.HeadersOnClosedStream}
	}
	// actIllegal: a pair recvPolicy does not list, a bug of the engine;
	// fail closed.
	return st, state, true, &ConnError{Code: ErrCodeInternal, Reason: reject.InternalError}
}

func (c *Engine) processData(f frame.Data) error {
	// RFC 9113 §6.9.1: "A receiver MAY respond with a stream error ... or a
	// connection error (Section 5.4.1) of type FLOW_CONTROL_ERROR" when the
	// sender violates the window; the connection window is checked first
	// because it is accounted for whatever happens to the stream.
	flow := int64(f.FlowLen)
	if !c.recv.take(flow) {
		return &ConnError{Code: ErrCodeFlowControl, Reason: reject.ConnFlowControl}
	}
	st, _, done, perr := c.policy(frame.TypeData, f.StreamID)
	if done || st == nil {
		// The frame is discarded: its bytes go back to the connection
		// window at once.
		c.creditConn(flow)
		return perr
	}
	if !st.recv.take(flow) {
		c.creditConn(flow)
		return &StreamError{StreamID: st.ID, Code: ErrCodeFlowControl, Cause: reject.StreamFlowControl}
	}
	// Padding is never seen by the handler: return it at once.
	if pad := flow - int64(len(f.Data)); pad > 0 {
		c.creditConn(pad)
		c.creditStream(st, pad)
	}
	if len(f.Data) == 0 && !f.EndStream() {
		if err := c.glitch(); err != nil {
			return err
		}
	}
	st.recvBytes += int64(len(f.Data))
	// RFC 9113 §8.1.1: "A request or response is also malformed if the value
	// of a content-length header field does not equal the sum of the DATA
	// frame payload lengths that form the content."
	if st.contentLength >= 0 && (st.recvBytes > st.contentLength || f.EndStream() && st.recvBytes != st.contentLength) {
		c.creditConn(int64(len(f.Data)))
		return &StreamError{StreamID: st.ID, Code: ErrCodeProtocol, Cause: reject.ContentLengthMismatch}
	}
	if len(f.Data) > 0 {
		if !st.readDue.IsZero() {
			st.readDue = c.now.Add(c.cfg.RequestBodyTimeout) // the body is moving
		}
		st.unconsumed += int64(len(f.Data))
		st.endSeen = f.EndStream()
		c.h.OnData(st, f.Data)
		if st.state == StateClosed || st.ID != f.StreamID {
			return nil // the handler reset it
		}
	}
	if f.EndStream() {
		return c.recvEndStream(st)
	}
	return nil
}

// recvEndStream handles END_STREAM on a request.
func (c *Engine) recvEndStream(st *Stream) error {
	st.readDue = zeroTime
	next := st.state.next(evRecvEndStream)
	switch next {
	case stateInvalid:
		return c.invalidTransition()
	case StateClosed:
		// The response had already ended: the stream closes after the
		// event.
		c.h.OnEndStream(st)
		c.closeStream(st, ErrCodeNo, rsClosedEnded)
	default:
		st.state = next
		c.h.OnEndStream(st)
	}
	return nil
}

func (c *Engine) processHeaders(f frame.Headers) error {
	id := f.StreamID
	// RFC 9113 §5.1.1: "Streams initiated by a client MUST use
	// odd-numbered stream identifiers ... An endpoint that receives an
	// unexpected stream identifier MUST respond with a connection error
	// (Section 5.4.1) of type PROTOCOL_ERROR."
	if id%2 == 0 {
		return &ConnError{Code: ErrCodeProtocol, Reason: reject.EvenStreamID}
	}
	c.hb = headerBlock{active: true, streamID: id, endStream: f.EndStream()}
	st, state, done, perr := c.policy(frame.TypeHeaders, id)
	if perr != nil {
		var se *StreamError
		if !errors.As(perr, &se) {
			return perr
		}
		// Decode the block anyway so that the HPACK table stays in step,
		// then reset the stream.
		c.hb.reset, c.hb.resetCode, c.hb.reject = true, se.Code, reject.FrameOnClosedStream
	} else if done {
		c.hb.st = nil
	} else if state == rsIdle {
		// RFC 9113 §5.3.1: "A stream cannot depend on itself. An endpoint
		// MUST treat this as a stream error (Section 5.4.2) of type
		// PROTOCOL_ERROR."
		selfDep := f.HasPriority && f.Priority.StreamDep == id
		c.maxPeerID = id
		switch {
		case selfDep:
			c.hb.reset, c.hb.resetCode, c.hb.reject = true, ErrCodeProtocol, reject.SelfDependency
		case uint32(len(c.streams)-c.push.open) >= c.cfg.MaxConcurrentStreams:
			// RFC 9113 §5.1.2: "An endpoint that receives a HEADERS frame
			// that causes its advertised concurrent stream limit to be
			// exceeded MUST treat this as a stream error (Section 5.4.2) of
			// type PROTOCOL_ERROR or REFUSED_STREAM."
			c.hb.reset, c.hb.resetCode, c.hb.reject = true, ErrCodeRefusedStream, reject.RefusedStream
		default:
			st = c.newStream(id)
			if err := c.transition(st, evRecvHeaders); err != nil {
				return err
			}
			st.beginBlock(false)
			c.hb.st = st
		}
	} else {
		// A second HEADERS on an open stream carries trailers. RFC 9113
		// §8.1: "An endpoint that receives a HEADERS frame without the
		// END_STREAM flag set after receiving the HEADERS frame that opens a
		// request ... MUST treat the corresponding request or response as
		// malformed (Section 8.1.1)."
		if !f.EndStream() {
			c.hb.reset, c.hb.resetCode, c.hb.reject = true, ErrCodeProtocol, reject.TrailersWithoutEndStream
			c.hb.st = nil
		} else {
			c.hb.st = st
			c.hb.trailers = true
			st.beginBlock(true)
		}
	}
	if c.hb.reset && c.hb.resetCode != ErrCodeRefusedStream {
		if err := c.glitch(); err != nil {
			return err
		}
	}
	if !f.EndHeaders() && c.cfg.RequestBodyTimeout > 0 && !c.now.IsZero() {
		// Armed here, like a stream's readDue, so that NextDeadline does
		// not ask for an extra Tick (see Tick for why the block is bounded).
		c.blockDue = c.now.Add(c.cfg.RequestBodyTimeout)
	}
	return c.blockFragment(f.Fragment, f.EndHeaders())
}

func (c *Engine) processContinuation(f frame.Continuation) error {
	if !c.hb.active {
		// RFC 9113 §6.10: "A CONTINUATION frame MUST be preceded by a
		// HEADERS, PUSH_PROMISE or CONTINUATION frame without the
		// END_HEADERS flag set. A recipient that observes violation of this
		// rule MUST respond with a connection error (Section 5.4.1) of type
		// PROTOCOL_ERROR."
		return &ConnError{Code: ErrCodeProtocol, Reason: reject.UnexpectedContinuation}
	}
	c.hb.conts++
	if c.hb.conts > c.cfg.MaxContinuationFrames {
		return &ConnError{Code: ErrCodeEnhanceYourCalm, Reason: reject.TooManyContinuations}
	}
	if len(f.Fragment) == 0 && !f.EndHeaders() {
		if err := c.glitch(); err != nil {
			return err
		}
	}
	return c.blockFragment(f.Fragment, f.EndHeaders())
}

// blockFragment feeds a field block fragment to the HPACK decoder and
// finishes the block at END_HEADERS.
func (c *Engine) blockFragment(p []byte, end bool) error {
	if len(p) > 0 {
		if _, err := c.dec.Write(p); err != nil {
			if err := c.decodeError(err); err != nil {
				return err
			}
		}
	}
	if !end {
		return nil
	}
	c.hb.active = false
	c.blockDue = zeroTime
	if err := c.dec.Close(); err != nil {
		if err := c.decodeError(err); err != nil {
			return err
		}
	}
	return c.finishBlock()
}

// decodeError sorts HPACK errors: a budget error refuses the stream (431),
// anything else is RFC 9113 §4.3: "A decoding error in a field block MUST be
// treated as a connection error (Section 5.4.1) of type COMPRESSION_ERROR."
func (c *Engine) decodeError(err error) error {
	var be *hpack.BudgetError
	if errors.As(err, &be) {
		if st := c.hb.st; st != nil && st.tooLarge == "" {
			st.tooLarge = reject.HeaderListTooLarge
			if errors.Is(err, hpack.ErrTooManyFields) {
				st.tooLarge = reject.TooManyHeaderFields
			}
		}
		return nil
	}
	return &ConnError{Code: ErrCodeCompression, Reason: reject.HPACKDecodingError}
}

func (c *Engine) processPriority(f frame.Priority) error {
	// RFC 9113 §5.3.2: PRIORITY is deprecated; it is accepted and ignored,
	// except for the self-dependency rule of §5.3.1.
	if f.StreamDep == f.StreamID {
		return &StreamError{StreamID: f.StreamID, Code: ErrCodeProtocol, Cause: reject.SelfDependency}
	}
	return c.glitch()
}

func (c *Engine) processRSTStream(f frame.RSTStream) error {
	c.statResetReceived(f.Code)
	st, _, done, perr := c.policy(frame.TypeRSTStream, f.StreamID)
	if perr != nil || done || st == nil {
		return perr
	}
	// Rapid reset (CVE-2023-44487): every stream the peer resets costs a
	// token.
	if !c.resets.take(c.now) {
		return &ConnError{Code: ErrCodeEnhanceYourCalm, Reason: reject.RapidReset}
	}
	c.closeStream(st, f.Code, rsClosedPeerReset)
	return nil
}

func (c *Engine) processPing(f frame.Ping) error {
	if f.Ack {
		if c.lc == lcDraining && f.Data == shutdownPing {
			c.finalGoAway()
		}
		return nil
	}
	if err := c.glitch(); err != nil {
		return err
	}
	// RFC 9113 §6.7: "Receivers of a PING frame that does not include an ACK
	// flag MUST send a PING frame with the ACK flag set in response, with an
	// identical frame payload."
	c.ctl = frame.AppendPing(c.ctl, true, f.Data)
	return c.queueCtl()
}

func (c *Engine) processWindowUpdate(f frame.WindowUpdate) error {
	if f.StreamID != 0 {
		st, _, done, perr := c.policy(frame.TypeWindowUpdate, f.StreamID)
		if perr != nil || done || st == nil {
			return perr
		}
		return c.streamWindowUpdate(st, int64(f.Increment))
	}
	// RFC 9113 §6.9.1: "A sender MUST NOT allow a flow-control window to
	// exceed 2^31-1 octets. If a sender receives a WINDOW_UPDATE that causes
	// a flow-control window to exceed this maximum, it MUST terminate either
	// the stream or the connection, as appropriate. ... for the connection,
	// a GOAWAY frame with an error code of FLOW_CONTROL_ERROR is sent."
	if !c.sendWindow.add(int64(f.Increment)) {
		return &ConnError{Code: ErrCodeFlowControl, Reason: reject.ConnWindowOverflow}
	}
	return nil
}
