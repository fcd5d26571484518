package h2conn

import (
	"slices"
	"strings"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
)

// Server push (RFC 9113 §8.4, §6.6). PushPromise reserves a server stream
// with a PUSH_PROMISE on a request stream; the handler layer then answers
// the pushed stream with the ordinary commands (SendHeaders, SetBody, ...).
// Every rule on sending a promise is checked here, in PushPromise, and
// nowhere else.

// Errors of PushPromise. ErrPushDisabled is the client's choice; a
// PushRefusal names the rule that forbids this promise.
var ErrPushDisabled = errorString("h2conn: the peer disabled server push (SETTINGS_ENABLE_PUSH = 0)")

// PushRefusal is the error PushPromise returns for a promise a rule of RFC
// 9113 §8.4 (or Config.MaxPushPromises) forbids; its text names the rule.
type PushRefusal string

func (e PushRefusal) Error() string { return "h2conn: push not allowed: " + string(e) }

// The reasons of a PushRefusal.
const (
	PushAfterGoAway      PushRefusal = "GOAWAY sent or received"
	PushOnPushedStream   PushRefusal = "the associated stream is not client-initiated"
	PushStreamNotOpen    PushRefusal = "the associated stream is not open or half-closed (remote)"
	PushAnswered         PushRefusal = "the associated request has been answered"
	PushUnsafeMethod     PushRefusal = "the method is not safe and cacheable (GET or HEAD)"
	PushWithContent      PushRefusal = "a promised request has no content"
	PushBadRequest       PushRefusal = "the promised request is malformed"
	PushNotAuthoritative PushRefusal = "the server is not authoritative for the :authority"
	PushNoStreams        PushRefusal = "the peer's SETTINGS_MAX_CONCURRENT_STREAMS is 0: the push could not be answered"
	PushLimit            PushRefusal = "Config.MaxPushPromises pushed streams are open"
	PushIDsExhausted     PushRefusal = "server stream identifiers exhausted"
)

// PushRequest is the request a PUSH_PROMISE promises. :scheme is the
// associated request's.
type PushRequest struct {
	// Method is GET or HEAD.
	Method string
	// Authority is "" for the associated request's :authority, else it or
	// one of Config.PushAuthorities (compared case-insensitively).
	Authority string
	// Path is an origin-form request target ("/" and more).
	Path string
	// Fields are the regular request header fields (lowercase names). They
	// must stay unmodified until the pushed stream closes.
	Fields []hpack.HeaderField
}

// pushState is the engine's push bookkeeping.
type pushState struct {
	lastID  uint32    // the last promised stream identifier; 0 before the first
	open    int       // pushed streams not closed (reserved or sending)
	sending int       // pushed streams in half-closed (remote): they count against peerMax
	peerMax uint32    // the peer's SETTINGS_MAX_CONCURRENT_STREAMS
	waiting []*Stream // answered while the peer's limit was reached, in order
}

// pushStream is the per-stream part of push.
type pushStream struct {
	pushed  bool          // a stream we promised (even identifier)
	counted bool          // counted in pushState.sending
	parked  *parkedHeader // the response header block waiting for a slot
}

// parkedHeader is a pushed response's header block held back by the peer's
// SETTINGS_MAX_CONCURRENT_STREAMS.
type parkedHeader struct {
	status    int
	fields    []hpack.HeaderField
	endStream bool
}

// PushPromise promises req on the client-initiated stream assoc (RFC 9113
// §8.4): it queues a PUSH_PROMISE (with CONTINUATION frames when the header
// block is larger than the peer's SETTINGS_MAX_FRAME_SIZE) and returns the
// promised stream, in reserved (local). The handler layer answers it with
// SendHeaders and the other commands, and gets OnClose for it like for a
// request (a client rejects a push with RST_STREAM CANCEL or
// REFUSED_STREAM). The returned stream carries req as its request.
func (c *Engine) PushPromise(assoc *Stream, req PushRequest) (*Stream, error) {
	if err := c.usable(assoc); err != nil {
		return nil, err
	}
	// RFC 9113 §6.5.2: "A server MUST NOT send a PUSH_PROMISE frame if it
	// receives this parameter set to a value of 0".
	if !c.peerEnablePush {
		return nil, ErrPushDisabled
	}
	// RFC 9113 §6.8: "Receivers of a GOAWAY frame MUST NOT open additional
	// streams on the connection"; after our own GOAWAY the connection is
	// ending and a new stream would only delay that.
	if c.lc != lcServing {
		return nil, PushAfterGoAway
	}
	// RFC 9113 §8.4: "PUSH_PROMISE frames MUST only be sent on a
	// peer-initiated stream that is in either the "open" or "half-closed
	// (remote)" state."
	if assoc.pushed || assoc.ID%2 == 0 {
		return nil, PushOnPushedStream
	}
	if assoc.state != StateOpen && assoc.state != StateHalfClosedRemote {
		return nil, PushStreamNotOpen
	}
	// RFC 9113 §8.4.1: "The server SHOULD send PUSH_PROMISE (Section 6.6)
	// frames prior to sending any frames that reference the promised
	// responses." A promise
	// comes before its associated response, so that the client never
	// requests what is being pushed.
	if assoc.headersSent {
		return nil, PushAnswered
	}
	// RFC 9113 §8.4: "Promised requests MUST be safe (see Section 9.2.1 of
	// [HTTP]) and cacheable (see Section 9.2.3 of [HTTP])": of the methods
	// RFC 9110 defines, GET and HEAD are both (OPTIONS is safe, not
	// cacheable; POST the reverse).
	if req.Method != "GET" && req.Method != "HEAD" {
		return nil, PushUnsafeMethod
	}
	// RFC 9113 §8.4.1: "The header fields in PUSH_PROMISE and any
	// subsequent CONTINUATION frames MUST be a valid and complete set of
	// request header fields (Section 8.3.1)": a :path in origin form, and
	// fields that follow the request field policy.
	if len(req.Path) == 0 || req.Path[0] != '/' || !validValue(req.Path) {
		return nil, PushBadRequest
	}
	for _, f := range req.Fields {
		if !validName(f.Name) || !validValue(f.Value) {
			return nil, PushBadRequest
		}
		switch f.Name {
		case "content-length":
			// RFC 9113 §8.4: "Promised requests cannot include any content
			// or a trailer section"; a length other than 0 announces some.
			if f.Value != "0" {
				return nil, PushWithContent
			}
		case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "host":
			// RFC 9113 §8.2.2 (connection-specific fields; te only
			// matters with a body), and :authority replaces host.
			return nil, PushBadRequest
		}
	}
	authority, ok := c.pushAuthority(assoc, req.Authority)
	if !ok {
		return nil, PushNotAuthoritative
	}
	// RFC 9113 §8.4: "Advertising a SETTINGS_MAX_CONCURRENT_STREAMS value
	// of zero prevents the server from opening the streams necessary to
	// push responses. However, this does not prevent the server from
	// reserving streams using PUSH_PROMISE frames". Such a promise could
	// not be answered until the client raises its limit, and would hold a
	// stream until it resets it: it is refused instead.
	if c.push.peerMax == 0 {
		return nil, PushNoStreams
	}
	if c.push.open >= c.cfg.MaxPushPromises {
		return nil, PushLimit
	}
	// RFC 9113 §5.1.1: "Streams initiated by the server MUST use
	// even-numbered stream identifiers" and "The identifier of a newly
	// established stream MUST be numerically greater than all streams that
	// the initiating endpoint has opened or reserved."
	id := c.push.lastID + 2
	if id > frame.MaxStreamID {
		return nil, PushIDsExhausted
	}
	if err := c.writePushPromise(assoc.ID, id, req.Method, assoc.scheme, authority, req.Path, req.Fields); err != nil {
		return nil, err
	}
	c.push.lastID = id
	st := c.takeStream(id)
	st.state = StateReservedLocal
	st.pushed = true
	st.notified = true // the handler layer has it: OnClose is due
	st.endSeen = true  // the promised request is complete
	st.method, st.scheme, st.authority, st.path = req.Method, assoc.scheme, authority, req.Path
	st.fields = req.Fields
	c.streams = append(c.streams, st)
	c.statStreamOpened()
	c.idleDue = zeroTime
	c.push.open++
	return st, c.checkBuffered()
}

// pushAuthority returns the :authority of a promise: the associated
// request's when asked is "". RFC 9113 §8.4: "The server MUST include a
// value in the :authority pseudo-header field for which the server is
// authoritative (see Section 10.1 of [HTTP])." The server is authoritative
// for the origin the client sent the associated request to, and for those
// configured in Config.PushAuthorities.
func (c *Engine) pushAuthority(assoc *Stream, asked string) (string, bool) {
	own := assoc.Authority()
	if asked == "" {
		return own, own != ""
	}
	if own != "" && strings.EqualFold(asked, own) {
		return asked, true
	}
	for _, a := range c.cfg.PushAuthorities {
		if strings.EqualFold(asked, a) {
			return asked, true
		}
	}
	return "", false
}

// writePushPromise encodes the promised request and queues PUSH_PROMISE
// plus CONTINUATION frames. RFC 9113 §6.6: the PUSH_PROMISE payload holds
// the 4-octet promised stream identifier and the first fragment, within the
// peer's SETTINGS_MAX_FRAME_SIZE; "PUSH_PROMISE ... followed by
// CONTINUATION frames" when END_HEADERS is not set.
func (c *Engine) writePushPromise(assocID, id uint32, method, scheme, authority, path string, fields []hpack.HeaderField) error {
	var err error
	// A pending dynamic table size update opens the block (RFC 7541 §4.2).
	if c.hbuf, err = c.enc.Deflate(c.hbuf[:0], nil); err != nil {
		return err
	}
	c.scratch = append(c.scratch[:0],
		hpack.HeaderField{Name: ":method", Value: method},
		hpack.HeaderField{Name: ":scheme", Value: scheme},
		hpack.HeaderField{Name: ":authority", Value: authority},
		hpack.HeaderField{Name: ":path", Value: path})
	if c.hbuf, err = c.enc.Deflate(c.hbuf, c.scratch); err != nil {
		return err
	}
	if c.hbuf, err = c.enc.Deflate(c.hbuf, fields); err != nil {
		return err
	}
	// The promised stream identifier takes 4 octets of the first frame.
	first, rest := c.splitBlock(c.hbuf, 4)
	c.ctl = frame.AppendPushPromise(c.ctl, assocID, id, len(rest) == 0, first)
	c.appendContinuations(assocID, rest)
	return nil
}

// pushHeaders is SendHeaders for a pushed stream still in reserved
// (local): the response HEADERS move it to half-closed (remote), which
// counts against the peer's SETTINGS_MAX_CONCURRENT_STREAMS. RFC 9113
// §5.1.2: "Streams that are in the "open" state or in either of the
// "half-closed" states count toward the maximum number of streams that an
// endpoint is permitted to open. ... Streams in either of the "reserved"
// states do not count toward the stream limit." At the limit the header
// block is parked (and the body waits with it) until a pushed stream
// closes or the peer raises its limit.
func (c *Engine) pushHeaders(st *Stream, status int, fields []hpack.HeaderField, endStream bool) error {
	if status < 200 {
		return ErrBadStatus // no interim responses before the promised stream starts
	}
	if st.parked != nil {
		return ErrHeadersSent
	}
	if c.push.sending >= int(c.push.peerMax) {
		st.parked = &parkedHeader{status: status, fields: slices.Clone(fields), endStream: endStream}
		st.headersSent = true
		c.push.waiting = append(c.push.waiting, st)
		return nil
	}
	return c.startPushed(st, status, fields, endStream)
}

// startPushed sends the response HEADERS of a reserved stream.
func (c *Engine) startPushed(st *Stream, status int, fields []hpack.HeaderField, endStream bool) error {
	if err := c.writeHeaders(st.ID, status, fields, endStream); err != nil {
		return err
	}
	st.headersSent = true
	st.status = uint16(status) // for the access log and Stats, as sendHeaders
	if err := c.transition(st, evSendHeaders); err != nil {
		return err
	}
	st.counted = true
	c.push.sending++
	if endStream {
		return c.endResponse(st)
	}
	return nil
}

// unpark starts the parked pushed responses the peer's limit now allows.
func (c *Engine) unpark() {
	for c.err == nil && len(c.push.waiting) > 0 && c.push.sending < int(c.push.peerMax) {
		st := c.push.waiting[0]
		c.push.waiting[0] = nil
		c.push.waiting = c.push.waiting[1:]
		p := st.parked
		st.parked = nil
		if err := c.startPushed(st, p.status, p.fields, p.endStream); err != nil {
			c.resetStream(st.ID, st, ErrCodeInternal)
			continue
		}
		switch {
		case p.endStream:
		case st.body != nil:
			c.maybeReady(st)
		case st.hasTrailers:
			// SendTrailers without a body came while parked.
			if err := c.writeHeaderBlock(st.ID, st.outTrailers, -1, true, false); err != nil {
				c.resetStream(st.ID, st, ErrCodeInternal)
				continue
			}
			c.endResponse(st)
		}
	}
	if len(c.push.waiting) == 0 {
		c.push.waiting = nil // drop the consumed backing array
	}
}

// pushClosed updates the push bookkeeping when a pushed stream closes; a
// stream that was sending frees a slot of the peer's limit.
func (c *Engine) pushClosed(st *Stream) {
	c.push.open--
	if st.parked != nil {
		st.parked = nil
		c.push.waiting = slices.DeleteFunc(c.push.waiting, func(w *Stream) bool { return w == st })
	}
	if st.counted {
		st.counted = false
		c.push.sending--
		c.unpark()
	}
}

// pushPeerGoAway handles the last stream identifier of the peer's GOAWAY,
// which names the streams we initiated that it processes. RFC 9113 §6.8:
// "the receiver of the GOAWAY can treat streams with higher identifiers as
// though they were never created" — our pushed streams above it are closed
// (OnClose REFUSED_STREAM) without a frame.
func (c *Engine) pushPeerGoAway(last uint32) {
	if c.push.lastID <= last {
		return
	}
	// Collected first: closing one may start (and end) another.
	var gone []*Stream
	for _, st := range c.streams {
		if st.pushed && st.ID > last {
			gone = append(gone, st)
		}
	}
	for _, st := range gone {
		c.closeStream(st, ErrCodeRefusedStream, rsClosedOurReset)
	}
}

// idleID reports whether id names a stream still idle: a client-initiated
// (odd) one above the highest the peer opened, or a server-initiated (even)
// one above the highest we promised (RFC 9113 §5.1.1: each side's
// identifiers increase on their own).
func (c *Engine) idleID(id uint32) bool {
	if id%2 == 0 {
		return id > c.push.lastID
	}
	return id > c.maxPeerID
}

// setPeerMaxStreams records the peer's SETTINGS_MAX_CONCURRENT_STREAMS,
// which bounds our pushed streams; a raise starts parked responses.
func (c *Engine) setPeerMaxStreams(v uint32) {
	c.push.peerMax = v
	c.unpark()
}

// PushedStreams returns the pushed streams not closed yet (reserved or
// sending).
func (c *Engine) PushedStreams() int { return c.push.open }

// Pushed reports whether st is a stream we promised.
func (s *Stream) Pushed() bool { return s.pushed }
