// Package driver runs one HTTP/2 connection: it is the only code that calls
// the engine (internal/h2conn) and the handler layer (package handler) in
// their fixed order,
//
//	SetTime → Feed → Tick → RunPending → AppendOutput → write → RunPending …
//
// for both the server's socket loop (h2server) and the in-memory peer of
// handlertest. The callers own the transport: reading, deadlines, sleeping
// until woken; the driver owns the order.
//
// The handler layer is reached through a seam: package handler sets
// NewHandler in its init, so handler keeps Stream's internals unexported and
// its public API free of connection plumbing, and this package needs no
// import of handler (which imports it). Everything is called through a
// concrete *Driver and a Handler interface value made once per connection,
// so the per-request path does not allocate.
//
// In test binaries (testing.Testing; not when they run benchmarks) every
// entry asserts that it runs on the goroutine that first entered the driver
// and that no callback re-enters it, as x/net's serveG.check does; a
// violation panics with a message naming the rule.
package driver

import (
	"sync"
	"time"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
)

// Handler is the handler layer of one connection as the driver uses it.
type Handler interface {
	// SetTime gives the time the loop last read its clock (date headers).
	SetTime(now time.Time)
	// RunPending applies the operations Stream methods queued.
	RunPending()
	// Sleep reports whether the loop may block; after true, the next
	// queued operation calls the wake function given to NewHandler.
	Sleep() bool
	// Awake ends a Sleep.
	Awake()
	// Close closes the streams still open with code and ends the
	// connection's context.
	Close(code frame.ErrCode)
}

// NewHandler makes the handler layer and engine of a server connection with
// engine configuration cfg, a handler.Factory, handler.ConnInfo and
// handler.Options; wake must not block. Package handler sets it at init.
var NewHandler func(cfg h2conn.Config, factory, info, opts any, wake func()) (Handler, *h2conn.Engine, error)

// Writer receives the output batches of Flush.
type Writer interface {
	// WriteBatch writes b completely or returns the error that stopped it.
	WriteBatch(b []byte) error
}

// Driver drives one connection. Its methods must be called on one goroutine.
type Driver struct {
	eng  *h2conn.Engine
	h    Handler
	wbuf *[]byte // lent by writeBuffers while the connection runs; nil while it sleeps
	guard
}

// New returns the driver of a new server connection (see NewHandler for the
// arguments). The engine's SETTINGS are queued at once.
func New(cfg h2conn.Config, factory, info, opts any, wake func()) (*Driver, error) {
	h, eng, err := NewHandler(cfg, factory, info, opts, wake)
	if err != nil {
		return nil, err
	}
	return &Driver{eng: eng, h: h, guard: guard{on: checking()}}, nil
}

// Start starts the engine's clocks at now and feeds initial, bytes the
// caller read before the driver existed (a connection preface); it returns
// the engine's connection error.
func (d *Driver) Start(now time.Time, initial []byte) error {
	d.enter()
	defer d.leave()
	d.h.SetTime(now)
	err := d.eng.Tick(now)
	if len(initial) > 0 && err == nil {
		err = d.eng.Feed(initial)
	}
	return err
}

// Upgrade starts the engine's clocks at now and turns the connection into
// HTTP/2 from an HTTP/1.1 request with "Upgrade: h2c" (RFC 7540 §3.2): the
// request becomes stream 1. It returns the engine's error (typed, see
// h2conn.Engine.Upgrade).
func (d *Driver) Upgrade(now time.Time, http2Settings []byte, method, scheme, authority, path string, fields []hpack.HeaderField) error {
	d.enter()
	defer d.leave()
	d.h.SetTime(now)
	if err := d.eng.Tick(now); err != nil {
		return err
	}
	return d.eng.Upgrade(http2Settings, method, scheme, authority, path, fields)
}

// Input feeds data read at now (possibly none: a wake-up or a deadline) and
// fires the timers due; it returns the engine's connection error, after
// which the caller flushes (the GOAWAY) and closes.
func (d *Driver) Input(now time.Time, data []byte) error {
	d.enter()
	defer d.leave()
	d.h.SetTime(now)
	var err error
	if len(data) > 0 {
		// The clock first: what Feed arms starts at the arrival.
		d.eng.SetTime(now)
		err = d.eng.Feed(data)
	}
	if err == nil {
		err = d.eng.Tick(now)
	}
	return err
}

// Flush applies the handlers' queued operations and writes everything the
// engine has, in batches of at most the configured MaxWriteBatch bytes.
// Body generators run inside AppendOutput and may queue operations, which
// are applied between batches.
func (d *Driver) Flush(w Writer) error {
	d.enter()
	defer d.leave()
	d.h.RunPending()
	for d.eng.WantWrite() {
		if d.wbuf == nil {
			d.wbuf = getWriteBuffer()
		}
		b := d.eng.AppendOutput((*d.wbuf)[:0])
		*d.wbuf = b
		if len(b) == 0 {
			break
		}
		if err := w.WriteBatch(b); err != nil {
			return err
		}
		d.h.RunPending()
	}
	return nil
}

// Sleep reports whether the caller may block until woken or until its next
// read; false means work is pending and the caller must Flush instead. On
// true, the write buffer and the engine's output buffer go back to their
// pools (everything was written by the Flush before), so that a sleeping
// connection holds neither.
func (d *Driver) Sleep() bool {
	d.enter()
	defer d.leave()
	if !d.h.Sleep() {
		return false
	}
	d.eng.Release()
	if d.wbuf != nil {
		putWriteBuffer(d.wbuf)
		d.wbuf = nil
	}
	return true
}

// Awake tells the handler layer that the caller runs again, and lends the
// engine its output buffer back.
func (d *Driver) Awake() {
	d.enter()
	defer d.leave()
	d.h.Awake()
	d.eng.Acquire()
}

// Shutdown starts a graceful shutdown (RFC 9113 §6.8: two GOAWAYs).
func (d *Driver) Shutdown() {
	d.enter()
	defer d.leave()
	d.eng.Shutdown()
}

// Done reports whether the engine has finished: nothing more will be sent.
func (d *Driver) Done() bool { return d.eng.Done() }

// Err returns why the engine finished, nil for an orderly end.
func (d *Driver) Err() error { return d.eng.Err() }

// NextDeadline returns the engine's next timer; ok is false when none runs.
func (d *Driver) NextDeadline() (t time.Time, ok bool) { return d.eng.NextDeadline() }

// Close ends the connection's handler side: every stream still open gets
// OnClose(code), then the connection's context is cancelled.
func (d *Driver) Close(code frame.ErrCode) {
	d.enter()
	defer d.leave()
	d.h.Close(code)
}

// writeBuffers lends write buffers to connections while they run. Each
// buffer travels in its box (*[]byte), so lending allocates nothing once
// warm; one that grew past maxPooledWrite is dropped.
var writeBuffers sync.Pool

const (
	writeBufferSize = 16 << 10
	maxPooledWrite  = 8 << 20
)

func getWriteBuffer() *[]byte {
	if p, ok := writeBuffers.Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, 0, writeBufferSize)
	return &b
}

func putWriteBuffer(p *[]byte) {
	if cap(*p) > maxPooledWrite {
		return
	}
	*p = (*p)[:0]
	writeBuffers.Put(p)
}
