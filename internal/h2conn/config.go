package h2conn

import (
	"errors"
	"time"

	"github.com/h2kit/h2kit/internal/frame"
)

// Config holds every limit of a connection. A zero field takes the default
// documented on it; Validate rejects values outside the ranges RFC 9113
// allows. Durations that are negative disable the timer (ShutdownDelay:
// no wait).
type Config struct {
	// MaxConcurrentStreams is advertised as SETTINGS_MAX_CONCURRENT_STREAMS;
	// a HEADERS frame opening a stream beyond it is refused with
	// REFUSED_STREAM (RFC 9113 §5.1.2). It also sizes the memory of how
	// streams closed, which decides how late frames for them are answered
	// (RFC 9113 §5.1): the last 2×MaxConcurrentStreams stream identifiers
	// (a power of two between 64 and 4,096) are remembered. Default 100.
	MaxConcurrentStreams uint32
	// InitialWindowSize is the per-stream receive window advertised as
	// SETTINGS_INITIAL_WINDOW_SIZE (at most 2^31-1). Default 1 MiB.
	InitialWindowSize uint32
	// ConnWindowSize is the connection-level receive window, raised from
	// 65,535 with a WINDOW_UPDATE right after our SETTINGS (at most 2^31-1).
	// It bounds the request body bytes the handlers hold unconsumed on one
	// connection. Default 2 MiB.
	ConnWindowSize uint32
	// MaxFrameSize is advertised as SETTINGS_MAX_FRAME_SIZE, the largest
	// frame payload we accept (16,384..16,777,215). Default 16,384.
	MaxFrameSize uint32
	// MaxWriteFrameSize caps the payload of the DATA frames we send, in
	// addition to the peer's SETTINGS_MAX_FRAME_SIZE. Default 16,384.
	MaxWriteFrameSize uint32
	// HeaderTableSize is advertised as SETTINGS_HEADER_TABLE_SIZE: the
	// dynamic table size our HPACK decoder allows. Default 4,096.
	HeaderTableSize uint32
	// MaxEncoderTableSize caps our HPACK encoder's dynamic table whatever
	// larger size the peer allows. Default 4,096.
	MaxEncoderTableSize uint32
	// MaxHeaderListSize is advertised as SETTINGS_MAX_HEADER_LIST_SIZE and
	// enforced on the decoded request header list and on trailers, counting
	// name + value + 32 octets per field. Over it: 431. Default 64 KiB.
	MaxHeaderListSize uint32
	// MaxHeaderFields caps the number of fields in one header block. Over
	// it: 431. Default 100.
	MaxHeaderFields int
	// MaxContinuationFrames caps the CONTINUATION frames in one header
	// block; over it the connection is closed with ENHANCE_YOUR_CALM.
	// Default 16.
	MaxContinuationFrames int
	// MaxQueuedControlFrames caps the control frames (SETTINGS and PING
	// ACKs, RST_STREAM, WINDOW_UPDATE) queued and not yet taken by
	// AppendOutput; over it: GOAWAY ENHANCE_YOUR_CALM. Default 1000.
	MaxQueuedControlFrames int
	// MaxBufferedBytes caps the bytes queued for output that AppendOutput
	// has not taken yet (control frames and response headers); over it:
	// GOAWAY ENHANCE_YOUR_CALM. Default 1 MiB.
	MaxBufferedBytes int
	// MaxSettingsEntries caps the parameters in one SETTINGS frame; over
	// it: GOAWAY ENHANCE_YOUR_CALM. Default 32.
	MaxSettingsEntries int
	// MaxWriteBatch is the most bytes one AppendOutput call appends once the
	// queued control frames are out. Default 256 KiB.
	MaxWriteBatch int
	// ResetBurst and ResetRate form a token bucket for streams the peer
	// resets with RST_STREAM (rapid reset, CVE-2023-44487): each reset takes
	// a token, ResetRate tokens per second come back, and a reset with no
	// token left closes the connection with ENHANCE_YOUR_CALM. Defaults
	// 1000 and 33.
	ResetBurst int
	ResetRate  float64
	// GlitchBurst and GlitchRate form a token bucket for suspicious but legal
	// frames: empty DATA without END_STREAM, empty CONTINUATION, PRIORITY,
	// PING, SETTINGS, frames of unknown type, and every RST_STREAM we are
	// provoked into sending (MadeYouReset, CVE-2025-8671). Empty bucket:
	// ENHANCE_YOUR_CALM. Defaults 1000 and 100.
	GlitchBurst int
	GlitchRate  float64
	// PrefaceTimeout is how long the peer has to send the connection
	// preface and its first SETTINGS. Default 10 s.
	PrefaceTimeout time.Duration
	// SettingsAckTimeout is how long the peer has to acknowledge our
	// SETTINGS (RFC 9113 §6.5.3: SETTINGS_TIMEOUT). Default 10 s.
	SettingsAckTimeout time.Duration
	// IdleTimeout closes the connection with GOAWAY NO_ERROR when no stream
	// has been open for this long. Default 3 min.
	IdleTimeout time.Duration
	// FlowStallTimeout resets (CANCEL) the streams whose response body is
	// blocked by the peer's flow-control windows when no DATA at all could
	// be sent for this long: a peer that advertises a zero window and never
	// opens it cannot pin streams forever (CVE-2019-9517 class). Default
	// 1 min.
	FlowStallTimeout time.Duration
	// RequestBodyTimeout resets a stream whose request has not ended when
	// none of its DATA has arrived for this long, counted from its HEADERS,
	// then from its last DATA frame that carried data: RST_STREAM
	// INTERNAL_ERROR, what nghttpd sends when its stream read timeout (also
	// 1 min) fires, and the reject "request_body_timeout". Without it a
	// request that never ends would hold its stream, and keep the idle
	// timeout from running, forever. The timer does not run out while the
	// engine's own receive window holds the peer back (the handler has not
	// consumed the body it was given). It also bounds a header block: the
	// CONTINUATION frames that complete a HEADERS frame (request headers or
	// trailers) must all arrive within RequestBodyTimeout of it, or the
	// connection is closed with GOAWAY PROTOCOL_ERROR, reject
	// "header_block_timeout" (RFC 9113 §4.3: nothing else may be sent on
	// the connection until the block ends). Default 1 min.
	RequestBodyTimeout time.Duration
	// ShutdownDelay is how long the first phase of a graceful shutdown
	// waits for the PING round trip before sending the final GOAWAY.
	// Negative: no first phase, the final GOAWAY is sent at once (waiting
	// for the PING ACK alone would let a peer that never sends it hold the
	// connection forever). Default 1 s.
	ShutdownDelay time.Duration
	// MaxPushPromises caps the pushed streams of a connection that are
	// promised and not yet closed (reserved or sending); PushPromise
	// refuses a promise beyond it (PushLimit). Default 100.
	MaxPushPromises int
	// PushAuthorities are the authorities, besides the one of the
	// associated request, that a PUSH_PROMISE may name (RFC 9113 §8.4.1:
	// the server must be authoritative for them). Default none.
	PushAuthorities []string
	// EnableConnectProtocol advertises SETTINGS_ENABLE_CONNECT_PROTOCOL
	// (RFC 8441) and accepts the :protocol pseudo-header on CONNECT.
	EnableConnectProtocol bool
	// Stats, if set, counts the connection's events (see Stats); many
	// connections may share it.
	Stats *Stats
}

// Default values of Config.
const (
	DefaultMaxConcurrentStreams   = 100
	DefaultInitialWindowSize      = 1 << 20
	DefaultConnWindowSize         = 2 << 20
	DefaultMaxFrameSize           = frame.DefaultMaxFrameSize
	DefaultMaxWriteFrameSize      = frame.DefaultMaxFrameSize
	DefaultHeaderTableSize        = 4096
	DefaultMaxEncoderTableSize    = 4096
	DefaultMaxHeaderListSize      = 64 << 10
	DefaultMaxHeaderFields        = 100
	DefaultMaxContinuationFrames  = 16
	DefaultMaxQueuedControlFrames = 1000
	DefaultMaxBufferedBytes       = 1 << 20
	DefaultMaxSettingsEntries     = 32
	DefaultMaxWriteBatch          = 256 << 10
	DefaultResetBurst             = 1000
	DefaultResetRate              = 33
	DefaultGlitchBurst            = 1000
	DefaultGlitchRate             = 100
	DefaultPrefaceTimeout         = 10 * time.Second
	DefaultSettingsAckTimeout     = 10 * time.Second
	DefaultIdleTimeout            = 3 * time.Minute
	DefaultShutdownDelay          = time.Second
	DefaultFlowStallTimeout       = time.Minute
	DefaultRequestBodyTimeout     = time.Minute
	DefaultMaxPushPromises        = 100
)

func defU32(v *uint32, d uint32) {
	if *v == 0 {
		*v = d
	}
}

func defInt(v *int, d int) {
	if *v == 0 {
		*v = d
	}
}

func defF(v *float64, d float64) {
	if *v == 0 {
		*v = d
	}
}

func defDur(v *time.Duration, d time.Duration) {
	if *v == 0 {
		*v = d
	}
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	defU32(&c.MaxConcurrentStreams, DefaultMaxConcurrentStreams)
	defU32(&c.InitialWindowSize, DefaultInitialWindowSize)
	defU32(&c.ConnWindowSize, DefaultConnWindowSize)
	defU32(&c.MaxFrameSize, DefaultMaxFrameSize)
	defU32(&c.MaxWriteFrameSize, DefaultMaxWriteFrameSize)
	defU32(&c.HeaderTableSize, DefaultHeaderTableSize)
	defU32(&c.MaxEncoderTableSize, DefaultMaxEncoderTableSize)
	defU32(&c.MaxHeaderListSize, DefaultMaxHeaderListSize)
	defInt(&c.MaxHeaderFields, DefaultMaxHeaderFields)
	defInt(&c.MaxContinuationFrames, DefaultMaxContinuationFrames)
	defInt(&c.MaxQueuedControlFrames, DefaultMaxQueuedControlFrames)
	defInt(&c.MaxBufferedBytes, DefaultMaxBufferedBytes)
	defInt(&c.MaxSettingsEntries, DefaultMaxSettingsEntries)
	defInt(&c.MaxWriteBatch, DefaultMaxWriteBatch)
	defInt(&c.ResetBurst, DefaultResetBurst)
	defF(&c.ResetRate, DefaultResetRate)
	defInt(&c.GlitchBurst, DefaultGlitchBurst)
	defF(&c.GlitchRate, DefaultGlitchRate)
	defDur(&c.PrefaceTimeout, DefaultPrefaceTimeout)
	defDur(&c.SettingsAckTimeout, DefaultSettingsAckTimeout)
	defDur(&c.IdleTimeout, DefaultIdleTimeout)
	defDur(&c.ShutdownDelay, DefaultShutdownDelay)
	defDur(&c.FlowStallTimeout, DefaultFlowStallTimeout)
	defDur(&c.RequestBodyTimeout, DefaultRequestBodyTimeout)
	defInt(&c.MaxPushPromises, DefaultMaxPushPromises)
	return c
}

// Validate reports the first field of c (after defaults) that is out of
// range.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.InitialWindowSize > frame.MaxWindow:
		return errors.New("h2conn: InitialWindowSize above 2^31-1")
	case c.ConnWindowSize > frame.MaxWindow:
		return errors.New("h2conn: ConnWindowSize above 2^31-1")
	case c.ConnWindowSize < frame.DefaultWindow:
		return errors.New("h2conn: ConnWindowSize below 65535")
	case c.MaxFrameSize < frame.DefaultMaxFrameSize || c.MaxFrameSize > frame.MaxFrameSizeLimit:
		return errors.New("h2conn: MaxFrameSize outside 16384..16777215")
	case c.MaxWriteFrameSize < frame.DefaultMaxFrameSize || c.MaxWriteFrameSize > frame.MaxFrameSizeLimit:
		return errors.New("h2conn: MaxWriteFrameSize outside 16384..16777215")
	case c.MaxHeaderFields < 0, c.MaxContinuationFrames < 0, c.MaxQueuedControlFrames < 0,
		c.MaxBufferedBytes < 0, c.MaxSettingsEntries < 0, c.MaxWriteBatch < 0,
		c.ResetBurst < 0, c.GlitchBurst < 0, c.ResetRate < 0, c.GlitchRate < 0, c.MaxPushPromises < 0:
		return errors.New("h2conn: negative limit")
	case c.MaxBufferedBytes < 4*int(c.MaxWriteFrameSize):
		return errors.New("h2conn: MaxBufferedBytes below 4 frames")
	}
	return nil
}
