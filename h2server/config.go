package h2server

import (
	"time"

	"github.com/h2kit/h2kit/internal/h2conn"
)

// Config holds every limit of the server. A zero field takes the default
// documented on it.
//
// The embedded engine configuration (h2conn.Config) holds the HTTP/2 limits:
// MaxConcurrentStreams (100), InitialWindowSize (1 MiB), ConnWindowSize (2 MiB),
// MaxFrameSize (16 KiB), MaxWriteFrameSize (16 KiB), HeaderTableSize (4096),
// MaxEncoderTableSize (4096), MaxHeaderListSize (64 KiB, counting 32 octets per
// field; over it a 431 response), MaxHeaderFields (100; 431), MaxContinuationFrames
// (16), MaxQueuedControlFrames (1000), MaxBufferedBytes (1 MiB), MaxSettingsEntries
// (32), MaxWriteBatch (256 KiB), ResetBurst/ResetRate (1000, 33/s),
// GlitchBurst/GlitchRate (1000, 100/s), PrefaceTimeout (10 s: the client preface
// and first SETTINGS), SettingsAckTimeout (10 s), IdleTimeout (3 min without an
// open stream), FlowStallTimeout (1 min: a stream whose response is blocked by the
// peer's windows with no DATA going out is reset), RequestBodyTimeout (1 min: a
// request whose body stops arriving is reset; a header block that stops arriving
// closes the connection), ShutdownDelay (1 s between the
// two GOAWAYs of a graceful shutdown; negative: only the second, at once) and EnableConnectProtocol (RFC 8441, off). Set them as fields of Config, e.g. cfg.MaxConcurrentStreams = 250.
//
// One default differs from the engine's: MaxWriteBatch, the most bytes written
// with one system call, is 128 KiB (DefaultMaxWriteBatch). Measured on loopback
// with 1 MiB downloads it costs about 20% less CPU per byte than 256 KiB: a write
// that long keeps the Go scheduler's P in the system call long enough for the
// runtime to hand it to another thread.
type Config struct {
	h2conn.Config

	// HandshakeTimeout bounds the TLS handshake and, on cleartext connections,
	// the time to receive enough bytes to tell h2c from HTTP/1.1. Default 10 s.
	HandshakeTimeout time.Duration
	// WriteTimeout closes a connection whose writes make no progress (a peer
	// that stopped reading). The deadline is re-armed once half of it has
	// passed, so a stalled write is detected after WriteTimeout/2 to
	// WriteTimeout. Default 30 s.
	WriteTimeout time.Duration
	// ReadBufferSize is the largest read buffer of a connection: the most
	// bytes read and fed to the engine in one batch. A connection starts with
	// 8 KiB and doubles its buffer whenever a read fills it. Default 64 KiB.
	ReadBufferSize int
	// DisableDate stops the server from adding a date header to responses
	// (RFC 9110 §6.6.1 requires it from origin servers with a clock).
	DisableDate bool
	// ReuseStreams recycles handler.Stream objects after OnClose; see
	// handler.Options.ReuseStreams for the promise it requires. It makes
	// requests answered from their callbacks allocation-free.
	ReuseStreams bool
}

// Default values of the Config fields that are not the engine's.
const (
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultWriteTimeout     = 30 * time.Second
	DefaultReadBufferSize   = 64 << 10
	DefaultMaxWriteBatch    = 128 << 10
)

func (c Config) withDefaults() Config {
	if c.MaxWriteBatch == 0 {
		c.MaxWriteBatch = DefaultMaxWriteBatch
	}
	c.Config = c.Config.WithDefaults()
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.ReadBufferSize <= 0 {
		c.ReadBufferSize = DefaultReadBufferSize
	}
	return c
}
