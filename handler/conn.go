package handler

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/driver"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
	"github.com/h2kit/h2kit/internal/prechecked"
	"github.com/h2kit/h2kit/reject"
)

// ConnInfo describes the connection a stream arrived on.
//
// The server fills the addresses, TLS and ID (the one its ConnState hook
// reports); the handler layer sets Context (and an ID the server left zero)
// when the connection starts, so every Stream of one connection carries
// the same ID and Context.
type ConnInfo struct {
	ClientAddr net.Addr             // the peer's address
	LocalAddr  net.Addr             // the server's address
	TLS        *tls.ConnectionState // nil for h2c

	// ID identifies the connection: unique within the process, never 0.
	// Adapters key per-connection state (a session) on it.
	ID uint64
	// Context is cancelled exactly when the connection ends (the
	// connection loop finished or the socket failed), after every stream of the
	// connection got OnClose. It carries Options.BaseContext's values but
	// not its cancellation, so a server shutting down gracefully does not
	// end it early. Per-connection state is released with
	// context.AfterFunc(info.Context, ...) or by waiting on Context.Done().
	Context context.Context
}

// Options are the per-connection settings of the handler layer; h2server sets
// them from its Config and Server fields.
type Options struct {
	// DisableDate stops the library from adding a date header to responses.
	DisableDate bool
	// ReuseStreams lets the connection recycle a Stream (and its handler-layer
	// buffers, and alias request strings to the engine's per-stream arena)
	// once OnClose has returned, which makes a request that is answered from
	// its callbacks allocation-free. Code that may run after OnClose must hold
	// a Handle (Stream.Handle), not the *Stream, and copies of the strings it
	// keeps; the library's goroutines (body pumps, HTTPHandler, BodyReader,
	// rgih2) do.
	// With it off (the default) every stream is a fresh object whose request
	// strings are private copies, safe to use for as long as wanted; that
	// costs three allocations per request.
	ReuseStreams bool
	// Logger receives handler panics and misbehaving body generators at Warn,
	// and stream-level details at Debug. Nil discards.
	Logger *slog.Logger
	// OnReject is called with the name of every rejected input: the
	// engine's, reject.HandlerPanic and reject.BodyGeneratorError (see
	// package reject).
	OnReject func(name reject.Name)
	// BaseContext is the parent of every Stream.Context; nil means
	// context.Background().
	BaseContext context.Context
	// AccessLog, if set, receives one record per stream at Info when the
	// stream closes (message AccessLogMessage, keys AccessKey…: method,
	// path, status, bytes, duration, proto, stream, conn, remote, reset).
	// Nil (the default) logs nothing and costs nothing.
	AccessLog *slog.Logger
}

// connState connects the HTTP/2 engine of one connection to the RequestHandlers
// of its streams: it receives the engine's events, creates a Stream and a
// handler per request, calls the handler, and applies the handler's
// SendResponse, Resume and Reset calls to the engine on the connection
// goroutine.
//
// It is not part of the public API: the connection driver (internal/driver)
// owns it, made through driver.NewHandler, which init below sets. Everything
// except the Stream methods runs on the driver's goroutine.
type connState struct {
	eng     *h2conn.Engine
	factory Factory
	info    ConnInfo
	opts    Options
	log     *slog.Logger

	// wake is called (outside mu) when a Stream method called from another
	// goroutine queued work while the loop was asleep.
	wake func()
	// end cancels info.Context (Close).
	end context.CancelFunc

	mu       sync.Mutex
	pending  []*Stream
	sleeping bool
	// A connection-level GOAWAY queued by Stream.GoAway, applied by
	// RunPending; goAwayDone once applied (later requests are ignored).
	goAway      bool
	goAwayDone  bool
	goAwayCode  ErrCode
	goAwayDebug string

	held    *Stream   // a stream whose OnHeaders waits for the next engine event
	work    []*Stream // pending taken by RunPending
	free    []*Stream // recycled Streams (ReuseStreams)
	scratch []byte    // inline reader buffer
	hdr     []hpack.HeaderField
	now     time.Time // the loop's clock (SetTime)
	// The last content-length formatted above smallInts.
	lastLen    int64
	lastLenStr string
}

func init() {
	driver.NewHandler = func(cfg h2conn.Config, factory, info, opts any, wake func()) (driver.Handler, *h2conn.Engine, error) {
		c, err := newConnState(cfg, factory.(Factory), info.(ConnInfo), opts.(Options), wake)
		if err != nil {
			return nil, nil, err
		}
		return c, c.eng, nil
	}
	prechecked.SendResponse = func(st any, status int, fields []hpack.HeaderField, body any) error {
		return st.(*Stream).Handle().sendResponseOrClose(status, fields, body, true)
	}
}

// newConnState returns the handler layer of a new server connection with engine
// configuration cfg; wake is how the loop is woken by other goroutines (it must
// not block). The engine's SETTINGS are queued at once.
func newConnState(cfg h2conn.Config, f Factory, info ConnInfo, opts Options, wake func()) (*connState, error) {
	c := &connState{factory: f, info: info, opts: opts, wake: wake, log: opts.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	eng, err := h2conn.NewServerConn(cfg, (*engineHandler)(c))
	if err != nil {
		return nil, err
	}
	c.eng = eng
	if c.info.ID == 0 {
		c.info.ID = driver.NewConnID()
	}
	c.info.Context, c.end = context.WithCancel(context.WithoutCancel(c.baseContext()))
	return c, nil
}

// SetTime tells the Conn the time the loop last read its clock; date headers use
// it instead of reading the clock for every response. Without it (or with the
// zero time) every response reads the clock.
func (c *connState) SetTime(now time.Time) { c.now = now }

// engine returns the connection's engine.
func (c *connState) engine() *h2conn.Engine { return c.eng }

func (c *connState) baseContext() context.Context {
	if c.opts.BaseContext != nil {
		return c.opts.BaseContext
	}
	return context.Background()
}

func (c *connState) reject(name reject.Name) {
	if c.opts.OnReject != nil {
		c.opts.OnReject(name)
	}
}

// Close ends the handler side of the connection after the engine has finished or
// the socket failed: every stream still open gets OnClose(code), then
// ConnInfo.Context is cancelled. Calling it again does nothing more.
func (c *connState) Close(code frame.ErrCode) {
	c.eng.CloseStreams(code)
	// Discard what was queued for the streams just closed, releasing their
	// bodies (open files, pump goroutines).
	c.mu.Lock()
	c.goAway, c.goAwayDone = false, true // nothing left to refuse
	c.mu.Unlock()
	c.RunPending()
	c.end()
}
