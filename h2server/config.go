package h2server

import (
	"errors"
	"strings"
	"time"

	"github.com/h2kit/h2kit/internal/h2conn"
)

// Config holds every limit of the server. A zero field takes the default
// documented on it, named by the Default… constant of the same name;
// negative durations disable the timer they set (ShutdownDelay: no first
// phase). Server.Serve rejects values outside the ranges RFC 9113 allows.
type Config struct {
	// MaxConcurrentStreams is advertised as SETTINGS_MAX_CONCURRENT_STREAMS;
	// a HEADERS frame opening a stream beyond it is refused with
	// REFUSED_STREAM (RFC 9113 §5.1.2). It also sizes the memory of how
	// streams closed (2×MaxConcurrentStreams identifiers, a power of two
	// between 64 and 4,096). Default DefaultMaxConcurrentStreams (100).
	MaxConcurrentStreams uint32
	// InitialWindowSize is the per-stream receive window advertised as
	// SETTINGS_INITIAL_WINDOW_SIZE (at most 2^31-1). Default
	// DefaultInitialWindowSize (1 MiB).
	InitialWindowSize uint32
	// ConnWindowSize is the connection-level receive window (65,535 to
	// 2^31-1), raised from 65,535 with a WINDOW_UPDATE right after our
	// SETTINGS. It bounds the request body bytes the handlers hold
	// unconsumed on one connection. Default DefaultConnWindowSize (2 MiB).
	ConnWindowSize uint32
	// MaxFrameSize is advertised as SETTINGS_MAX_FRAME_SIZE, the largest
	// frame payload accepted (16,384..16,777,215). Default
	// DefaultMaxFrameSize (16,384).
	MaxFrameSize uint32
	// MaxWriteFrameSize caps the payload of the DATA frames sent, in
	// addition to the peer's SETTINGS_MAX_FRAME_SIZE (16,384..16,777,215).
	// Default DefaultMaxWriteFrameSize (16,384).
	MaxWriteFrameSize uint32
	// HeaderTableSize is advertised as SETTINGS_HEADER_TABLE_SIZE: the
	// dynamic table size our HPACK decoder allows. Default
	// DefaultHeaderTableSize (4,096).
	HeaderTableSize uint32
	// MaxEncoderTableSize caps our HPACK encoder's dynamic table whatever
	// larger size the peer allows. Default DefaultMaxEncoderTableSize (4,096).
	MaxEncoderTableSize uint32
	// MaxHeaderListSize is advertised as SETTINGS_MAX_HEADER_LIST_SIZE and
	// enforced on the decoded request header list and on trailers, counting
	// name + value + 32 octets per field; over it the request is answered
	// 431. Default DefaultMaxHeaderListSize (64 KiB).
	MaxHeaderListSize uint32
	// MaxHeaderFields caps the number of fields in one header block; over
	// it: 431. Default DefaultMaxHeaderFields (100).
	MaxHeaderFields int
	// MaxContinuationFrames caps the CONTINUATION frames in one header
	// block; over it the connection is closed with ENHANCE_YOUR_CALM.
	// Default DefaultMaxContinuationFrames (16).
	MaxContinuationFrames int
	// MaxQueuedControlFrames caps the control frames (SETTINGS and PING
	// ACKs, RST_STREAM, WINDOW_UPDATE) queued and not yet written; over it:
	// GOAWAY ENHANCE_YOUR_CALM. Default DefaultMaxQueuedControlFrames (1000).
	MaxQueuedControlFrames int
	// MaxBufferedBytes caps the bytes queued for output and not yet written
	// (control frames and response headers); over it: GOAWAY
	// ENHANCE_YOUR_CALM. At least 4×MaxWriteFrameSize. Default
	// DefaultMaxBufferedBytes (1 MiB).
	MaxBufferedBytes int
	// MaxSettingsEntries caps the parameters in one SETTINGS frame; over
	// it: GOAWAY ENHANCE_YOUR_CALM. Default DefaultMaxSettingsEntries (32).
	MaxSettingsEntries int
	// MaxWriteBatch is the most bytes written with one system call once the
	// queued control frames are out. Default DefaultMaxWriteBatch (128 KiB):
	// measured on loopback with 1 MiB downloads it costs about 20% less CPU
	// per byte than 256 KiB, because a write that long keeps the Go
	// scheduler's P in the system call long enough for the runtime to hand
	// it to another thread.
	MaxWriteBatch int
	// ResetBurst and ResetRate form a token bucket for streams the peer
	// resets with RST_STREAM (rapid reset, CVE-2023-44487): each reset takes
	// a token, ResetRate tokens per second come back, and a reset with no
	// token left closes the connection with ENHANCE_YOUR_CALM. Defaults
	// DefaultResetBurst (1000) and DefaultResetRate (33/s).
	ResetBurst int
	ResetRate  float64
	// GlitchBurst and GlitchRate form a token bucket for suspicious but legal
	// frames: empty DATA without END_STREAM, empty CONTINUATION, PRIORITY,
	// PING, SETTINGS, frames of unknown type, and every RST_STREAM the peer
	// provokes (MadeYouReset, CVE-2025-8671). Empty bucket:
	// ENHANCE_YOUR_CALM. Defaults DefaultGlitchBurst (1000) and
	// DefaultGlitchRate (100/s).
	GlitchBurst int
	GlitchRate  float64
	// PrefaceTimeout is how long the peer has to send the connection
	// preface and its first SETTINGS. Default DefaultPrefaceTimeout (10 s).
	PrefaceTimeout time.Duration
	// SettingsAckTimeout is how long the peer has to acknowledge our
	// SETTINGS (RFC 9113 §6.5.3: SETTINGS_TIMEOUT). Default
	// DefaultSettingsAckTimeout (10 s).
	SettingsAckTimeout time.Duration
	// IdleTimeout closes the connection with GOAWAY NO_ERROR when no stream
	// has been open for this long. Default DefaultIdleTimeout (3 min).
	IdleTimeout time.Duration
	// FlowStallTimeout resets (CANCEL) the streams whose response body is
	// blocked by the peer's flow-control windows when no DATA at all could
	// be sent for this long, so a peer that never opens its window cannot
	// pin streams forever (CVE-2019-9517 class). Default
	// DefaultFlowStallTimeout (1 min).
	FlowStallTimeout time.Duration
	// RequestBodyTimeout resets (RST_STREAM INTERNAL_ERROR, reject
	// reject.RequestBodyTimeout) a stream whose request has not ended when
	// none of its DATA has arrived for this long, counted from its HEADERS,
	// then from its last DATA frame that carried data. It does not run out
	// while the handler holds the body unconsumed. It also bounds a header
	// block: the CONTINUATION frames completing a HEADERS frame must arrive
	// within it, or the connection is closed with GOAWAY PROTOCOL_ERROR
	// (RFC 9113 §4.3). Default DefaultRequestBodyTimeout (1 min).
	RequestBodyTimeout time.Duration
	// ShutdownDelay is how long the first phase of a graceful shutdown
	// (GOAWAY with the last stream identifier 2^31-1, and a PING) waits for
	// the PING round trip before sending the final GOAWAY. Negative: only
	// the final GOAWAY, at once. Default DefaultShutdownDelay (1 s).
	ShutdownDelay time.Duration
	// EnableConnectProtocol advertises SETTINGS_ENABLE_CONNECT_PROTOCOL
	// (RFC 8441) and accepts the :protocol pseudo-header on CONNECT.
	// Default off.
	EnableConnectProtocol bool
	// MaxPushPromises caps the pushed streams of a connection that are
	// promised and not yet closed (handler.Stream.Push, package push); a
	// promise beyond it is refused (handler.ErrPushNotAllowed). Default
	// DefaultMaxPushPromises (100).
	MaxPushPromises int
	// PushAuthorities are the authorities, besides the one of the request
	// a push is associated with, that a pushed request may name: RFC 9113
	// §8.4 requires the server to be authoritative for them (for https,
	// its certificate covers them). Default none.
	PushAuthorities []string

	// HandshakeTimeout bounds the TLS handshake and, on cleartext connections,
	// the time to receive enough bytes to tell h2c from HTTP/1.1. Default
	// DefaultHandshakeTimeout (10 s).
	HandshakeTimeout time.Duration
	// WriteTimeout closes a connection whose writes make no progress (a peer
	// that stopped reading). The deadline is re-armed once half of it has
	// passed, so a stalled write is detected after WriteTimeout/2 to
	// WriteTimeout. Default DefaultWriteTimeout (30 s).
	WriteTimeout time.Duration
	// ReadBufferSize is the largest read buffer of a connection: the most
	// bytes read and fed to the engine in one batch. A connection starts with
	// 8 KiB and doubles its buffer whenever a read fills it. The buffers are
	// lent by a pool while bytes arrive, so an idle connection holds none.
	// Default DefaultReadBufferSize (64 KiB).
	ReadBufferSize int
	// DisableDate stops the server from adding a date header to responses
	// (RFC 9110 §6.6.1 requires it from origin servers with a clock).
	DisableDate bool
	// ReuseStreams recycles handler.Stream objects after OnClose; see
	// handler.Options.ReuseStreams for the promise it requires. It makes
	// requests answered from their callbacks allocation-free.
	ReuseStreams bool
	// MaxConnections is the most connections served at once: HTTP/2 ones,
	// those handed to HTTP1 (until the HTTP1 function returns) and those
	// still in their TLS handshake or protocol sniffing. A connection
	// accepted (Serve, ServeConn) beyond it is closed at once, before
	// anything is read or written, and counted as reject.MaxConnections:
	// as rgi and nginx do, no answer is sent, since the protocol is not
	// known yet and finding out (a TLS handshake) is the work the limit
	// exists to refuse. An h2c upgrade of a connection the server did not
	// accept is counted but never refused (the HTTP/1.1 server that
	// accepted it limits it). Negative: no limit. Default
	// DefaultMaxConnections (10,000).
	MaxConnections int
}

// Default values of the Config fields, taken by a zero field.
const (
	DefaultMaxConcurrentStreams   = 100
	DefaultInitialWindowSize      = 1 << 20
	DefaultConnWindowSize         = 2 << 20
	DefaultMaxFrameSize           = 16 << 10
	DefaultMaxWriteFrameSize      = 16 << 10
	DefaultHeaderTableSize        = 4096
	DefaultMaxEncoderTableSize    = 4096
	DefaultMaxHeaderListSize      = 64 << 10
	DefaultMaxHeaderFields        = 100
	DefaultMaxContinuationFrames  = 16
	DefaultMaxQueuedControlFrames = 1000
	DefaultMaxBufferedBytes       = 1 << 20
	DefaultMaxSettingsEntries     = 32
	DefaultMaxWriteBatch          = 128 << 10 // the engine's is 256 KiB; see Config.MaxWriteBatch
	DefaultResetBurst             = 1000
	DefaultResetRate              = 33
	DefaultGlitchBurst            = 1000
	DefaultGlitchRate             = 100
	DefaultPrefaceTimeout         = 10 * time.Second
	DefaultSettingsAckTimeout     = 10 * time.Second
	DefaultIdleTimeout            = 3 * time.Minute
	DefaultFlowStallTimeout       = time.Minute
	DefaultRequestBodyTimeout     = time.Minute
	DefaultShutdownDelay          = time.Second
	DefaultMaxPushPromises        = 100

	DefaultHandshakeTimeout = 10 * time.Second
	DefaultWriteTimeout     = 30 * time.Second
	DefaultReadBufferSize   = 64 << 10
	DefaultMaxConnections   = 10000
)

// engine converts c to the engine's configuration: the one place where the
// public fields meet the internal ones. The engine applies its own defaults
// to the zero fields, which the constants above name; only MaxWriteBatch
// has a server default of its own.
func (c Config) engine() h2conn.Config {
	e := h2conn.Config{
		MaxConcurrentStreams:   c.MaxConcurrentStreams,
		InitialWindowSize:      c.InitialWindowSize,
		ConnWindowSize:         c.ConnWindowSize,
		MaxFrameSize:           c.MaxFrameSize,
		MaxWriteFrameSize:      c.MaxWriteFrameSize,
		HeaderTableSize:        c.HeaderTableSize,
		MaxEncoderTableSize:    c.MaxEncoderTableSize,
		MaxHeaderListSize:      c.MaxHeaderListSize,
		MaxHeaderFields:        c.MaxHeaderFields,
		MaxContinuationFrames:  c.MaxContinuationFrames,
		MaxQueuedControlFrames: c.MaxQueuedControlFrames,
		MaxBufferedBytes:       c.MaxBufferedBytes,
		MaxSettingsEntries:     c.MaxSettingsEntries,
		MaxWriteBatch:          c.MaxWriteBatch,
		ResetBurst:             c.ResetBurst,
		ResetRate:              c.ResetRate,
		GlitchBurst:            c.GlitchBurst,
		GlitchRate:             c.GlitchRate,
		PrefaceTimeout:         c.PrefaceTimeout,
		SettingsAckTimeout:     c.SettingsAckTimeout,
		IdleTimeout:            c.IdleTimeout,
		FlowStallTimeout:       c.FlowStallTimeout,
		RequestBodyTimeout:     c.RequestBodyTimeout,
		ShutdownDelay:          c.ShutdownDelay,
		EnableConnectProtocol:  c.EnableConnectProtocol,
		MaxPushPromises:        c.MaxPushPromises,
		PushAuthorities:        c.PushAuthorities,
	}
	if e.MaxWriteBatch == 0 {
		e.MaxWriteBatch = DefaultMaxWriteBatch
	}
	return e.WithDefaults()
}

// validate reports the first field of c that is out of range.
func (c Config) validate() error {
	if err := c.engine().Validate(); err != nil {
		return errors.New("h2server: Config." + strings.TrimPrefix(err.Error(), "h2conn: "))
	}
	return nil
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	e := c.engine()
	c.MaxConcurrentStreams = e.MaxConcurrentStreams
	c.InitialWindowSize = e.InitialWindowSize
	c.ConnWindowSize = e.ConnWindowSize
	c.MaxFrameSize = e.MaxFrameSize
	c.MaxWriteFrameSize = e.MaxWriteFrameSize
	c.HeaderTableSize = e.HeaderTableSize
	c.MaxEncoderTableSize = e.MaxEncoderTableSize
	c.MaxHeaderListSize = e.MaxHeaderListSize
	c.MaxHeaderFields = e.MaxHeaderFields
	c.MaxContinuationFrames = e.MaxContinuationFrames
	c.MaxQueuedControlFrames = e.MaxQueuedControlFrames
	c.MaxBufferedBytes = e.MaxBufferedBytes
	c.MaxSettingsEntries = e.MaxSettingsEntries
	c.MaxWriteBatch = e.MaxWriteBatch
	c.ResetBurst = e.ResetBurst
	c.ResetRate = e.ResetRate
	c.GlitchBurst = e.GlitchBurst
	c.GlitchRate = e.GlitchRate
	c.PrefaceTimeout = e.PrefaceTimeout
	c.SettingsAckTimeout = e.SettingsAckTimeout
	c.IdleTimeout = e.IdleTimeout
	c.FlowStallTimeout = e.FlowStallTimeout
	c.RequestBodyTimeout = e.RequestBodyTimeout
	c.ShutdownDelay = e.ShutdownDelay
	c.MaxPushPromises = e.MaxPushPromises
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.ReadBufferSize <= 0 {
		c.ReadBufferSize = DefaultReadBufferSize
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	return c
}
