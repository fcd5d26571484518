package h2conn

import (
	"time"
	"unsafe"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/reject"
)

// Stream is one request/response exchange. The engine owns it; it is valid
// until Handler.OnClose for it returns, then recycled. Strings it returns
// alias a per-stream arena and share that lifetime.
type Stream struct {
	// ID is the stream identifier: odd for requests, even for pushed
	// streams.
	ID uint32
	// UserData is a slot for the handler layer; the engine clears it on
	// recycling.
	UserData any

	state    StreamState
	notified bool // OnHeaders was called: OnClose will be
	endSeen  bool // the frame being delivered (or an earlier one) carried END_STREAM

	// Request, built by headers.go.
	method, scheme, authority, path, protocol, host string
	fields                                          []hpack.HeaderField
	trailers                                        []hpack.HeaderField
	contentLength                                   int64 // -1 when absent
	recvBytes                                       int64

	// Decoding state of the current header block.
	arena      []byte
	refs       []fieldRef
	pseudo     uint8 // bit set of pseudo-headers seen
	sawRegular bool
	cookies    int // cookie fields in the block
	listSize   uint32
	nfields    int
	tooLarge   reject.Name // set when over a budget
	malformed  reject.Name // set when malformed

	// Flow control (RFC 9113 §5.2, §6.9).
	sendWindow window    // what we may still send
	recv       inflow    // what the peer may still send, and credits owed
	unconsumed int64     // delivered with OnData, not yet consumed
	readDue    time.Time // Config.RequestBodyTimeout runs out; zero when not armed

	// Response.
	headersSent bool
	body        BodySource
	bytesBody   bytesSource
	deferred    bool
	inReady     bool
	urgency     uint8               // RFC 9218 §4.1, 0..7
	incremental bool                // RFC 9218 §4.2
	outTrailers []hpack.HeaderField // sent after the body's EOF
	hasTrailers bool
	sent        int64  // body octets sent (stats.go)
	status      uint16 // final status sent (stats.go)

	pushStream // push.go
}

// fieldRef locates a decoded field in Stream.arena.
type fieldRef struct {
	nameOff, nameLen, valOff, valLen uint32
	sensitive                        bool
	pseudo                           uint8 // the pseudo-header's bit, 0 for a regular field
}

// State returns the stream's RFC 9113 §5.1 state.
func (s *Stream) State() StreamState { return s.state }

// Method returns the :method pseudo-header.
func (s *Stream) Method() string { return s.method }

// Scheme returns the :scheme pseudo-header.
func (s *Stream) Scheme() string { return s.scheme }

// Authority returns :authority, else the host header field (RFC 9113
// §8.3.1).
func (s *Stream) Authority() string {
	if s.authority != "" {
		return s.authority
	}
	return s.host
}

// Path returns the :path pseudo-header.
func (s *Stream) Path() string { return s.path }

// Protocol returns the :protocol pseudo-header of an extended CONNECT
// (RFC 8441), or "".
func (s *Stream) Protocol() string { return s.protocol }

// Fields returns the regular request header fields in order, with cookie
// crumbs joined into one field with "; " (RFC 9113 §8.2.3).
func (s *Stream) Fields() []hpack.HeaderField { return s.fields }

// Trailers returns the request trailer fields, or nil.
func (s *Stream) Trailers() []hpack.HeaderField {
	if len(s.trailers) == 0 {
		return nil
	}
	return s.trailers
}

// ContentLength returns the request's content-length, or -1.
func (s *Stream) ContentLength() int64 { return s.contentLength }

// EndStreamReceived reports whether the request has been received
// completely: true already inside OnHeaders, OnData and OnTrailers when the
// frame they deliver carries END_STREAM (so OnHeaders knows whether a body
// follows, and OnData whether its data is the last).
func (s *Stream) EndStreamReceived() bool {
	return s.endSeen || s.state == StateHalfClosedRemote || s.state == StateClosed
}

// str returns a string aliasing the arena; see the Stream lifetime rules.
func (s *Stream) str(off, n uint32) string {
	if n == 0 {
		return ""
	}
	return unsafe.String(&s.arena[off], int(n))
}

// reset prepares a recycled stream for a new ID, keeping its buffers.
func (s *Stream) reset(id uint32, sendWin window, recv inflow) {
	// The buffers are taken out first and the struct zeroed in place: a
	// composite literal that reads s would be built on the stack and
	// copied over s, twice the stores.
	arena, refs, fields, trailers := s.arena[:0], s.refs[:0], s.fields[:0], s.trailers[:0]
	*s = Stream{}
	s.ID = id
	s.arena, s.refs, s.fields, s.trailers = arena, refs, fields, trailers
	s.contentLength = -1
	s.sendWindow, s.recv = sendWin, recv
	s.urgency = defaultUrgency
}

// bytesSource is the allocation-free BodySource behind SetBodyBytes.
type bytesSource struct{ b []byte }

func (b *bytesSource) Read(max int) ([]byte, DataFlag, error) {
	if len(b.b) <= max {
		p := b.b
		b.b = nil
		return p, DataEOF, nil
	}
	p := b.b[:max]
	b.b = b.b[max:]
	return p, DataOK, nil
}

// unsafeBytes views s as bytes without copying; the result must not be
// modified.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
