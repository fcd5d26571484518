package h2conn

import (
	"errors"
	"time"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// Engine is the server side of one HTTP/2 connection. It is not safe for
// concurrent use: one goroutine owns it (see the package documentation).
type Engine struct {
	cfg Config
	h   Handler
	dec *hpack.Inflater
	enc *hpack.Deflater
	now time.Time
	// idleAt and bodyAt cache now plus the idle and request-body timeouts
	// for the now they were computed at (see deadline): every request of
	// a batch read at once arms them from the same clock.
	idleAt, bodyAt cachedDeadline

	// Input.
	prefaceLeft int    // octets of the client preface still expected
	sawSettings bool   // the peer's first SETTINGS arrived (RFC 9113 §3.4)
	in          []byte // one partial frame carried between Feed calls
	hb          headerBlock

	// Streams.
	streams   []*Stream    // active streams (not closed)
	free      []*Stream    // recycled
	last      *Stream      // lookup cache
	closed    closedMemory // how recent streams closed, for late frames
	maxPeerID uint32       // highest stream ID the peer opened

	// Peer settings (RFC 9113 §6.5.2).
	peerMaxFrame      uint32
	peerInitialWindow int64
	peerEnablePush    bool
	peerSettings      int // SETTINGS frames received (not ACKs)

	// Connection flow control (window.go).
	sendWindow window // what we may still send
	recv       inflow // what the peer may still send, and credits owed

	// Output.
	ctl    []byte                  // queued frames, drained first by AppendOutput; lent by ctlBuffers
	ctlBox *[]byte                 // ctl's box in ctlBuffers, if it came from there
	nctl   int                     // control frames in ctl
	ready  [numUrgencies]readyRing // streams with DATA to send, by urgency
	nready int

	upgraded bool // Upgrade (h2c) was used

	early     [8]earlyPriority // PRIORITY_UPDATEs for streams not yet open
	earlyNext int
	hbuf      []byte // encoded response header block scratch

	// Vectored output (AppendOutputVec).
	vec      bool
	vbuf     []byte
	segs     []segment
	vecBytes int // referenced payload octets in the current call
	scratch  []hpack.HeaderField

	// Timers; a zero time is "not armed".
	awaitingAck bool
	ackDeadline time.Time
	prefaceDue  time.Time
	idleDue     time.Time
	shutdownDue time.Time // lcDraining ends
	stallDue    time.Time // blocked bodies have made no progress since this minus FlowStallTimeout
	blockDue    time.Time // the header block being received must be complete by then

	lc           lifecycle
	lastStreamID uint32 // in the last GOAWAY we sent
	err          error  // sticky connection error

	resets  bucket
	glitchs bucket

	push  pushState // push.go
	stats connStats // stats.go
}

// lifecycle is where a connection is in its ending (RFC 9113 §6.8). It
// only moves forward. A connection error (Engine.err) also sends our final
// GOAWAY.
type lifecycle uint8

const (
	// lcServing: no GOAWAY either way.
	lcServing lifecycle = iota
	// lcPeerGoAway: the peer sent GOAWAY. It opens no more streams (and
	// every stream it opened arrived before its GOAWAY); the connection is
	// done when the active streams have ended.
	lcPeerGoAway
	// lcDraining: Shutdown sent its first GOAWAY (2^31-1) and a PING; new
	// streams are still served until the final GOAWAY, which goes out at
	// the PING ACK, after Config.ShutdownDelay, or when the peer sends
	// GOAWAY.
	lcDraining
	// lcGoAway: our final GOAWAY is sent. Streams above its last stream
	// identifier are ignored (rsAfterGoAway); the connection is done when
	// the active streams have ended.
	lcGoAway
)

// headerBlock tracks a header block that spans HEADERS and CONTINUATION
// frames (RFC 9113 §4.3: it "MUST be transmitted as a contiguous sequence of
// frames").
type headerBlock struct {
	active    bool
	streamID  uint32
	st        *Stream // nil when the block is decoded only to keep HPACK in step
	endStream bool
	trailers  bool
	conts     int
	resetCode ErrCode // with st == nil and reset: RST_STREAM after the block
	reset     bool
	reject    reject.Name
}

var shutdownPing = [8]byte{'h', '2', 'k', 'i', 't', 'b', 'y', 'e'}

// NewServerConn returns the server side of a new connection. Our SETTINGS
// frame (and a connection WINDOW_UPDATE when ConnWindowSize is above 65,535)
// are queued at once: RFC 9113 §3.4, "The server connection preface consists
// of a potentially empty SETTINGS frame ... that MUST be the first frame the
// server sends in the HTTP/2 connection."
func NewServerConn(cfg Config, h Handler) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	c := &Engine{
		cfg:               cfg,
		h:                 h,
		dec:               hpack.NewInflater(),
		enc:               hpack.NewDeflater(min(cfg.MaxEncoderTableSize, hpack.DefaultHeaderTableSize)),
		prefaceLeft:       len(frame.ClientPreface),
		peerMaxFrame:      frame.DefaultMaxFrameSize,
		peerInitialWindow: frame.DefaultWindow,
		peerEnablePush:    true,
		sendWindow:        frame.DefaultWindow,
		recv:              newInflow(cfg.ConnWindowSize),
		awaitingAck:       true,
		resets:            newBucket(cfg.ResetBurst, cfg.ResetRate),
		glitchs:           newBucket(cfg.GlitchBurst, cfg.GlitchRate),
		closed:            newClosedMemory(closedSlots(cfg.MaxConcurrentStreams)),
		push:              pushState{peerMax: frame.MaxStreamID}, // RFC 9113 §6.5.2: "Initially, there is no limit"
	}
	// A larger decoder table is safe at once; a smaller one only once the
	// peer has acknowledged our SETTINGS, as its encoder may use the
	// default 4,096 octets until then (RFC 9113 §6.5.3; see processSettings).
	if cfg.HeaderTableSize > hpack.DefaultHeaderTableSize {
		if err := c.dec.ChangeTableSize(cfg.HeaderTableSize); err != nil {
			return nil, err
		}
	}
	c.dec.SetMaxHeaderListSize(cfg.MaxHeaderListSize)
	c.dec.SetMaxFieldCount(cfg.MaxHeaderFields)
	c.dec.SetMaxStringLength(int(cfg.MaxHeaderListSize))
	c.dec.SetEmitFunc(c.onField)
	c.Acquire()
	c.ctl = appendOurSettings(c.ctl, &cfg)
	if cfg.ConnWindowSize > frame.DefaultWindow {
		c.ctl = frame.AppendWindowUpdate(c.ctl, 0, cfg.ConnWindowSize-frame.DefaultWindow)
	}
	return c, nil
}

// Stream returns the active stream with the given ID, or nil.
func (c *Engine) Stream(id uint32) *Stream {
	if c.last != nil && c.last.ID == id && c.last.state != StateClosed {
		return c.last
	}
	for i := len(c.streams) - 1; i >= 0; i-- {
		if st := c.streams[i]; st.ID == id {
			c.last = st
			return st
		}
	}
	return nil
}

// OpenStreams returns the number of active (not closed) streams.
func (c *Engine) OpenStreams() int { return len(c.streams) }

// BufferedBytes returns the bytes the engine holds for output that
// AppendOutput has not taken yet plus the partial input frame it carries.
// Body bytes are never buffered: they are pulled from BodySources.
func (c *Engine) BufferedBytes() int { return len(c.ctl) + len(c.in) }

// CloseStreams closes every active stream with code (Handler.OnClose gets
// code) without sending anything; the loop calls it when the socket is
// gone.
func (c *Engine) CloseStreams(code ErrCode) {
	for len(c.streams) > 0 {
		c.closeStream(c.streams[len(c.streams)-1], code, rsClosedOurReset)
	}
}

// Err returns the connection error, if any.
func (c *Engine) Err() error { return c.err }

// Done reports that the connection has finished: after a connection error,
// or after a GOAWAY (ours or the peer's) once no stream is left. The loop
// flushes AppendOutput and closes the socket.
func (c *Engine) Done() bool {
	if c.err != nil {
		return true
	}
	return len(c.streams) == 0 && (c.lc == lcPeerGoAway || c.lc == lcGoAway)
}

// newStream takes a stream from the pool and registers it as active.
func (c *Engine) newStream(id uint32) *Stream {
	st := c.takeStream(id)
	c.streams = append(c.streams, st)
	c.statStreamOpened()
	c.idleDue = time.Time{}
	// Armed here, like the idle timer in closeStream, so that NextDeadline
	// does not ask for an extra Tick per request.
	if c.cfg.RequestBodyTimeout > 0 && !c.now.IsZero() {
		st.readDue = c.bodyAt.deadline(c.now, c.cfg.RequestBodyTimeout)
	}
	return st
}

// takeStream takes a stream from the pool, ready for a header block.
func (c *Engine) takeStream(id uint32) *Stream {
	var st *Stream
	if n := len(c.free); n > 0 {
		st = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		st = new(Stream)
	}
	st.reset(id, window(c.peerInitialWindow), newInflow(c.cfg.InitialWindowSize))
	return st
}

// closeStream moves st to closed, remembers how (for late frames), tells
// the handler, and recycles it.
func (c *Engine) closeStream(st *Stream, code ErrCode, how recvState) {
	if st.state == StateClosed {
		return
	}
	st.state = StateClosed
	c.statStreamClosed()
	c.closed.add(st.ID, how)
	for i, s := range c.streams {
		if s == st {
			last := len(c.streams) - 1
			c.streams[i] = c.streams[last]
			c.streams[last] = nil
			c.streams = c.streams[:last]
			break
		}
	}
	if st.pushed {
		c.pushClosed(st)
	}
	if st.inReady {
		c.removeReady(st)
	}
	if c.last == st {
		c.last = nil
	}
	// Bytes the handler never consumed still count against the connection
	// window; give them back so that one abandoned body cannot stall the
	// others (RFC 9113 §6.9).
	if st.unconsumed > 0 {
		c.creditConn(st.unconsumed)
	}
	if st.notified {
		c.h.OnClose(st, code)
	}
	if len(c.streams) == 0 && c.cfg.IdleTimeout > 0 && !c.now.IsZero() && c.lc < lcDraining {
		// Armed here rather than at the next Tick so that NextDeadline
		// never asks the loop for an extra wake-up between requests.
		c.idleDue = c.idleAt.deadline(c.now, c.cfg.IdleTimeout)
	}
	st.UserData = nil
	st.body = nil
	st.bytesBody.b = nil
	st.outTrailers = nil
	c.free = append(c.free, st)
}

// transition applies ev to st per the §5.1 table and closes it when the
// table says so. A move the table does not allow is a bug of the engine,
// not of the peer (the policy and the commands keep the peer's frames and
// the handler's calls to legal moves): it is not ignored but closes the
// connection (invalidTransition).
func (c *Engine) transition(st *Stream, ev streamEvent) error {
	switch next := st.state.next(ev); next {
	case stateInvalid:
		return c.invalidTransition()
	case StateClosed:
		c.closeStream(st, ErrCodeNo, rsClosedEnded)
	default:
		st.state = next
	}
	return nil
}

// invalidTransition fails closed: GOAWAY INTERNAL_ERROR, reject
// internal_error; the stream keeps its state.
func (c *Engine) invalidTransition() error {
	return c.connError(&ConnError{Code: ErrCodeInternal, Reason: reject.InternalError})
}

// endResponse records that the frame carrying the response's END_STREAM
// has been queued. If the request is still coming, the stream is reset with
// NO_ERROR right after it: RFC 9113 §8.1, "A server can send a complete
// response prior to the client sending an entire request if the response
// does not depend on any portion of the request that has not been sent and
// received. When this is true, a server MAY request that the client abort
// transmission of a request without error by sending a RST_STREAM with an
// error code of NO_ERROR after sending a complete response". Keeping the
// stream half-closed instead would hold a concurrency slot (and the
// handler's state) for an upload nobody reads. Stream.endSeen covers a
// response sent from inside the callback of the request's last frame.
func (c *Engine) endResponse(st *Stream) error {
	if st.state == StateOpen && !st.endSeen {
		return c.resetStream(st.ID, st, ErrCodeNo)
	}
	return c.transition(st, evSendEndStream)
}

// connError queues GOAWAY for err and makes it sticky. Every active stream
// is closed with the error's code.
func (c *Engine) connError(err error) error {
	if c.err != nil {
		return c.err
	}
	var ce *ConnError
	if !errors.As(err, &ce) || ce.Reason == "" {
		// Every error the engine makes names its reject; anything else
		// is a bug, and still closes the connection.
		ce = &ConnError{Code: ErrCodeInternal, Reason: reject.InternalError}
	}
	c.reject(ce.Reason)
	return c.fail(ce, string(ce.Reason))
}

// fail queues GOAWAY for ce with debug as its debug data, makes it sticky
// and closes every active stream with its code.
func (c *Engine) fail(ce *ConnError, debug string) error {
	c.appendGoAway(c.maxPeerID, ce.Code, []byte(debug), lcGoAway)
	c.err = ce
	for len(c.streams) > 0 {
		c.closeStream(c.streams[len(c.streams)-1], ce.Code, rsClosedOurReset)
	}
	c.clearReady()
	return ce
}

// appendGoAway queues a GOAWAY with last as its last stream identifier, or
// the one of the GOAWAY already sent if that is lower. RFC 9113 §6.8:
// "Endpoints MUST NOT increase the value they send in the last stream
// identifier, since the peers might already have retried unprocessed
// requests on another connection." Every GOAWAY we send is written here;
// lc is the lifecycle it starts (lcDraining or lcGoAway).
func (c *Engine) appendGoAway(last uint32, code ErrCode, debug []byte, lc lifecycle) {
	if c.lc >= lcDraining {
		last = min(last, c.lastStreamID)
	}
	c.ctl = frame.AppendGoAway(c.ctl, last, code, debug)
	c.statGoAwaySent(code)
	c.lc = lc
	c.lastStreamID = last
	if lc == lcGoAway {
		c.shutdownDue = zeroTime
	}
}

// queueCtl accounts for a control frame just appended to c.ctl. RFC 9113
// §10.5: "An endpoint MAY treat activity that is suspicious as a connection
// error (Section 5.4.1) of type ENHANCE_YOUR_CALM."
func (c *Engine) queueCtl() error {
	c.nctl++
	if c.nctl > c.cfg.MaxQueuedControlFrames {
		return c.connError(&ConnError{Code: ErrCodeEnhanceYourCalm, Reason: reject.ControlFrameFlood})
	}
	return c.checkBuffered()
}

func (c *Engine) checkBuffered() error {
	if len(c.ctl) > c.cfg.MaxBufferedBytes {
		return c.connError(&ConnError{Code: ErrCodeEnhanceYourCalm, Reason: reject.BufferedBytesExceeded})
	}
	return nil
}

func (c *Engine) reject(name reject.Name) {
	if c.h != nil {
		c.h.OnReject(name)
	}
}

// glitch takes a token from the glitch bucket; RFC 9113 §10.5 lets us treat
// a flood of legal but useless frames as ENHANCE_YOUR_CALM.
func (c *Engine) glitch() error {
	if !c.glitchs.take(c.now) {
		return c.connError(&ConnError{Code: ErrCodeEnhanceYourCalm, Reason: reject.GlitchFlood})
	}
	return nil
}

// resetStream sends RST_STREAM for id and closes st (which may be nil).
// It never answers a RST_STREAM with a RST_STREAM.
func (c *Engine) resetStream(id uint32, st *Stream, code ErrCode) error {
	c.ctl = frame.AppendRSTStream(c.ctl, id, code)
	c.statResetSent(code)
	if st != nil {
		c.closeStream(st, code, rsClosedOurReset)
	} else {
		c.closed.add(id, rsClosedOurReset)
	}
	return c.queueCtl()
}

// streamError answers a stream error provoked by the peer: RST_STREAM, and a
// glitch token (MadeYouReset, CVE-2025-8671).
func (c *Engine) streamError(id uint32, code ErrCode, name reject.Name) error {
	c.reject(name)
	if err := c.resetStream(id, c.Stream(id), code); err != nil {
		return err
	}
	return c.glitch()
}
