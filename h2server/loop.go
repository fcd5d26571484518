package h2server

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/internal/driver"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/rawio"
	"github.com/h2kit/h2kit/reject"
)

// smallRead is the size of the buffer of a read that may block on a
// connection that is not a plain socket (TLS): see serverConn.read. Batches
// that fit need no second read (with the read deadline expired and then
// restored) to be taken whole.
const smallRead = 1 << 10

// aLongTimeAgo is a read deadline in the past: setting it makes a blocked Read
// return at once, which is how other goroutines wake the connection loop.
var aLongTimeAgo = time.Unix(1, 0)

// serverConn is one HTTP/2 connection of a Server and its loop.
type serverConn struct {
	srv *Server
	cfg *Config
	nc  net.Conn
	bw  *batchConn  // under a TLS connection: batches the TLS records of a write
	rio *rawio.Conn // nc's reads and writes (raw system calls on a socket)
	drv *driver.Driver
	obs *connObs // observe.go

	// Reading (read.go): rbuf is the lent read buffer, nil while none is
	// held; rsize is how much to read at once (it grows to ReadBufferSize
	// while reads fill it).
	rbuf  *[]byte
	rsize int
	small []byte // see readConn
	full  bool   // the last readConn filled its buffer
	raw   rawReader

	readDeadline  time.Time // as last set on nc; zero = none
	readDLValid   bool
	writeDeadline time.Time

	shutdownReq  atomic.Bool
	shutdownDone bool
}

// serveH2 runs the HTTP/2 loop; buffered holds bytes already read (the preface).
func (s *Server) serveH2(nc net.Conn, bw *batchConn, buffered []byte, cfg *Config, o *connObs) {
	c := s.newConn(nc, bw, cfg, o)
	if c == nil {
		nc.Close()
		return
	}
	if !s.register(c) {
		nc.Close()
		return
	}
	defer s.unregister(c)
	c.run(buffered)
}

// newConn sets up the handler layer and engine of an HTTP/2 connection; it
// returns nil (after logging) on a configuration error.
func (s *Server) newConn(nc net.Conn, bw *batchConn, cfg *Config, o *connObs) *serverConn {
	c := &serverConn{srv: s, cfg: cfg, nc: nc, bw: bw, obs: o, rio: rawio.New(nc)}
	info := handler.ConnInfo{ClientAddr: nc.RemoteAddr(), LocalAddr: nc.LocalAddr(), ID: o.info.ID}
	if tc, ok := nc.(*tls.Conn); ok {
		st := tc.ConnectionState()
		info.TLS = &st
	}
	d, err := driver.New(s.engineConfig(cfg), s.Handler, info, handler.Options{
		DisableDate:  cfg.DisableDate,
		ReuseStreams: cfg.ReuseStreams,
		Logger:       s.Logger,
		OnReject:     s.reject,
		BaseContext:  s.baseContext(),
		AccessLog:    s.AccessLog,
	}, c.wake)
	if err != nil {
		s.logger().Error("h2server: bad configuration", "err", err)
		return nil
	}
	c.drv = d
	return c
}

// wake interrupts the loop's blocking read (called from other goroutines).
func (c *serverConn) wake() {
	c.nc.SetReadDeadline(aLongTimeAgo)
}

// requestShutdown asks the loop to start a graceful shutdown.
func (c *serverConn) requestShutdown() {
	c.shutdownReq.Store(true)
	c.wake()
}

// run is the connection loop: feed what was read, apply the handlers' queued
// operations, write everything the engine has, sleep in a read until the peer
// sends, a deadline passes or another goroutine wakes us. The order of the
// calls into the engine and handlers is the driver's; this loop owns the
// socket, its deadlines and the wake-ups.
func (c *serverConn) run(initial []byte) {
	d := c.drv
	defer c.nc.Close()
	defer c.releaseReadBuffer()
	// Start small (most connections send a few hundred bytes at a time) and
	// grow when a read fills the buffer, up to ReadBufferSize.
	c.rsize = min(minReadBuffer, c.cfg.ReadBufferSize)
	c.raw.init(c)
	c.srv.stats.bytesIn.Add(uint64(len(initial)))
	ferr := d.Start(time.Now(), initial)
	closeCode := frame.ErrCodeCancel
	for ferr == nil {
		if c.shutdownReq.Load() && !c.shutdownDone {
			c.shutdownDone = true
			d.Shutdown()
		}
		if err := d.Flush(c); err != nil {
			c.debug("h2server: write failed", err)
			d.Close(closeCode)
			return
		}
		if d.Done() {
			break
		}
		c.noteState()
		c.setReadDeadline(d.NextDeadline())
		if !d.Sleep() {
			continue
		}
		// requestShutdown sets its flag before moving the read deadline: a
		// request that raced with the deadline just set is seen here, any
		// later one interrupts the Read.
		if c.shutdownReq.Load() && !c.shutdownDone {
			d.Awake()
			continue
		}
		p, err := c.read()
		c.srv.stats.bytesIn.Add(uint64(len(p)))
		d.Awake()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// A wake-up or an engine deadline: restore the deadline
				// and let Tick fire whatever is due.
				c.readDLValid = false
			} else {
				if len(p) > 0 {
					// The bytes read with the error still count (a
					// final frame before EOF).
					if ferr = d.Input(time.Now(), p); ferr != nil {
						break
					}
				}
				if err != io.EOF {
					c.debug("h2server: read failed", err)
				}
				d.Close(closeCode)
				return
			}
		}
		ferr = d.Input(time.Now(), p)
	}
	if ferr != nil {
		c.debug("h2server: connection error; GOAWAY sent", ferr)
	} else if err := d.Err(); err != nil {
		c.debug("h2server: connection ended", err)
	}
	// Flush the GOAWAY (and whatever else is queued), then close.
	d.Flush(c)
	d.Close(closeCode)
	lingerClose(c.nc)
}

// debug logs msg with the peer's address and err. It is not inlined so
// that its arguments are not part of run's stack frame, which stays on the
// stack of every idle connection's goroutine (a goroutine's stack shrinks
// to a quarter only while it uses less than that).
//
//go:noinline
func (c *serverConn) debug(msg string, err error) {
	c.srv.logger().Debug(msg, "remote", c.nc.RemoteAddr(), "err", err)
}

// WriteBatch writes one batch of the driver's output with the write-stall
// timeout.
func (c *serverConn) WriteBatch(b []byte) error {
	if c.cfg.WriteTimeout > 0 {
		// Re-arm the stall timer only when half of it has passed, to
		// keep timer updates off the per-write path.
		now := time.Now()
		if c.writeDeadline.Sub(now) < c.cfg.WriteTimeout/2 {
			c.writeDeadline = now.Add(c.cfg.WriteTimeout)
			c.nc.SetWriteDeadline(c.writeDeadline)
		}
	}
	n, err := c.write(b)
	c.srv.stats.bytesOut.Add(uint64(n))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.srv.reject(reject.WriteStall)
	}
	return err
}

// write writes b; over TLS the records it becomes are collected and written
// with one system call instead of one per 16 KiB record.
func (c *serverConn) write(b []byte) (int, error) {
	if c.bw == nil {
		return c.rio.Write(b)
	}
	c.bw.batch = true
	n, err := c.nc.Write(b)
	c.bw.batch = false
	if ferr := c.bw.flush(); err == nil {
		err = ferr
	}
	return n, err
}

// setReadDeadline makes the next Read return by t (the engine's next deadline;
// none when !ok). A deadline already set that is earlier than t, by less than
// deadlineSlack, is kept: waking a little early only costs a Tick that finds
// nothing due, while re-arming the timer after every batch (the idle deadline
// moves with each request) would cost more.
func (c *serverConn) setReadDeadline(t time.Time, ok bool) {
	if !ok {
		t = time.Time{}
	}
	if c.readDLValid {
		cur := c.readDeadline
		switch {
		case t.Equal(cur):
			return
		case !cur.IsZero() && !t.IsZero() && cur.Before(t) && t.Sub(cur) < deadlineSlack:
			return
		}
	}
	c.readDeadline, c.readDLValid = t, true
	c.nc.SetReadDeadline(t)
}

// deadlineSlack is how much earlier than needed a read deadline may fire.
const deadlineSlack = time.Second

// lingerClose half-closes nc (a TCP FIN, or TLS close_notify) and drains what
// the peer still sends for a moment, so that the GOAWAY just written is not
// followed by a TCP reset: closing a socket with unread input makes the kernel
// send RST instead of FIN, the peer sees "connection reset" instead of an
// orderly close, and may lose the GOAWAY (RFC 9113 §6.8 expects the peer to
// see it). The caller closes nc afterwards.
func lingerClose(nc net.Conn) {
	if cw, ok := nc.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	nc.SetReadDeadline(time.Now().Add(lingerTime))
	io.Copy(io.Discard, io.LimitReader(nc, lingerBytes))
}

// lingerTime and lingerBytes bound lingerClose's drain: a peer that keeps
// sending is cut off (with the reset) after either.
const (
	lingerTime  = time.Second
	lingerBytes = 256 << 10
)
