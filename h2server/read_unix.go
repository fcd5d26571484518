//go:build unix

package h2server

import (
	"io"
	"net"
	"os"
	"syscall"

	"github.com/h2kit/h2kit/internal/rawio"
)

// rawReader reads a TCP or Unix socket through syscall.RawConn, so that the
// wait for readability (the poller's, with the read deadline honoured) holds
// no buffer, and the read is a raw system call (rawio.ReadFD: no scheduler
// bookkeeping for a call that never blocks): the read function takes a pooled buffer when it is called, and
// gives it back when the socket turns out to have nothing (EAGAIN) before
// the poller waits.
type rawReader struct {
	rc  syscall.RawConn
	fn  func(fd uintptr) bool // c.rawRead, made once
	n   int
	err error
}

// init sets r up for c's connection if it is a plain socket. Only the
// standard library's own types qualify: a type that wraps one (with
// bytes of its own to return first) is read through its Read.
func (r *rawReader) init(c *serverConn) {
	var sc syscall.Conn
	switch nc := c.nc.(type) {
	case *net.TCPConn:
		sc = nc
	case *net.UnixConn:
		sc = nc
	default:
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	r.rc = rc
	r.fn = func(fd uintptr) bool { return r.readFD(c, fd) }
}

func (r *rawReader) ok() bool { return r.rc != nil }

// read reads into a pooled buffer, waiting without one.
func (r *rawReader) read(c *serverConn) ([]byte, error) {
	r.n, r.err = 0, nil
	if err := r.rc.Read(r.fn); err != nil {
		// A deadline (a wake-up), or the connection was closed.
		return nil, err
	}
	p := (*c.rbuf)[:r.n]
	c.grown(r.n)
	return p, r.err
}

// readFD is the read function given to RawConn.Read: it reports false,
// holding no buffer, when the socket has nothing to read.
func (r *rawReader) readFD(c *serverConn, fd uintptr) bool {
	buf := c.readBuffer()
	for {
		n, err := rawio.ReadFD(fd, buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			c.releaseReadBuffer()
			return false
		case err != nil:
			r.err = os.NewSyscallError("read", err)
		case n == 0:
			r.err = io.EOF
		default:
			r.n = n
		}
		return true
	}
}
