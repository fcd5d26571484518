package rgi

import (
	"errors"
	"log/slog"
	"strconv"
	"time"
)

// Options are a server's tunables (Degu's server **options). Get the
// defaults from DefaultOptions and change what you need; every limit must
// be positive.
type Options struct {
	// Timeout bounds every read and write on a connection and a TLS
	// handshake (Degu's socket timeout). Stricter than Degu, the whole
	// next request preamble, idle keep-alive wait included, must arrive
	// within one Timeout: an idle connection is then closed silently, one
	// with a preamble begun gets 408. Default 15 s. (A wait may end up to
	// Timeout/64 early: deadlines are renewed lazily, see deadlineConn.)
	Timeout time.Duration
	// MaxConnections is the most connections served at once; a connection
	// accepted beyond it is closed at once, without a response, and
	// counted (Server.Rejected). Default 25.
	MaxConnections int
	// MaxRequestsPerConnection is the most requests served on one
	// connection; after the response to the last one the server closes
	// the connection (that response says "connection: close"). Default
	// 1000, Degu 0.19's max_requests: a Degu client keeps one connection
	// and does not reconnect after "connection: close", so a lower default
	// breaks it mid-session (the seed documentation's 100 did).
	MaxRequestsPerConnection int
	// DisableDate stops the server adding a date header to responses
	// that lack one (RFC 9110 §6.6.1 asks an origin server with a clock
	// to send it; Degu never does). The HTTP/2 handler has the same
	// option.
	DisableDate bool
	// Logger receives connection events (at Debug) and application
	// mistakes and panics (at Error). Nil means slog.Default().
	Logger *slog.Logger
	// H2CUpgrader, if set, takes over a cleartext connection whose
	// request without a body asks to switch to HTTP/2 (see H2CUpgrader;
	// rgih2.Fallback sets it to h2server's UpgradeH2C). Nil serves such a
	// request as plain HTTP/1.1, ignoring the Upgrade header field as RFC
	// 9110 §7.8 allows. A request with a body is always served as
	// HTTP/1.1. Leave it nil on a TLS server: RFC 7540 §3.2 defines the
	// upgrade for cleartext only.
	H2CUpgrader H2CUpgrader
}

// Default option values. Timeout and MaxConnections are the seed
// documentation's (15 s, 25); MaxRequestsPerConnection is Degu 0.19's code
// (1000), which its clients rely on (see Options).
const (
	DefaultTimeout                  = 15 * time.Second
	DefaultMaxConnections           = 25
	DefaultMaxRequestsPerConnection = 1000
)

// DefaultOptions returns the default options.
func DefaultOptions() Options {
	return Options{
		Timeout:                  DefaultTimeout,
		MaxConnections:           DefaultMaxConnections,
		MaxRequestsPerConnection: DefaultMaxRequestsPerConnection,
	}
}

// OptionError reports an option value that cannot be used.
type OptionError struct {
	Option string
	Reason string
}

// Error implements error.
func (e *OptionError) Error() string { return "rgi: option " + e.Option + " " + e.Reason }

// Validate returns an *OptionError for the first non-positive limit.
func (o Options) Validate() error {
	switch {
	case o.Timeout <= 0:
		return &OptionError{"Timeout", "must be positive, got " + o.Timeout.String()}
	case o.MaxConnections <= 0:
		return &OptionError{"MaxConnections", "must be positive, got " + strconv.Itoa(o.MaxConnections)}
	case o.MaxRequestsPerConnection <= 0:
		return &OptionError{"MaxRequestsPerConnection", "must be positive, got " + strconv.Itoa(o.MaxRequestsPerConnection)}
	}
	return nil
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.Default()
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("rgi: server closed")
