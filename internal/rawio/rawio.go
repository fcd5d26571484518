// Package rawio reads and writes a connected socket with raw system calls.
//
// Go's net package makes every read(2) and write(2) a blocking system call
// for the scheduler (entersyscall/exitsyscall), although the socket is
// non-blocking and the call never waits. When such a call takes a few tens of
// microseconds (a write on loopback delivers to the peer inline), the
// runtime's monitor thread takes the P away from it and keeps waking every
// 20 µs to do so again: on a server pinned to one CPU that thread's wake-ups
// and the hand-offs cost about a tenth of the CPU at h2load -c100 -m10 (perf:
// runtime.sysmon and runtime.usleep). A Conn makes the same calls with
// syscall.RawSyscall inside the socket's syscall.RawConn, which keeps the
// net package's readiness waits and deadlines: EAGAIN parks the goroutine on
// the poller as before.
//
// On other systems, or for a connection that is not a socket (net.Pipe, a
// TLS connection), a Conn calls the connection's own Read and Write. So it
// does under the race detector: the syscall package's Read and Write tell
// the detector that what one goroutine wrote before a write(2) happens
// before what another does after a read(2) of it (in-process clients and
// servers in tests rely on that), which raw calls cannot.
package rawio

import (
	"io"
	"net"
	"syscall"
)

// Conn reads and writes one connection. It is used by one reader and one
// writer goroutine at a time, like a net.Conn's Read and Write.
type Conn struct {
	nc net.Conn
	rc syscall.RawConn // nil: use nc

	// The arguments and results of the call in progress, so that the
	// callbacks handed to rc are made once and calls do not allocate.
	rp      []byte
	rn      int
	rerr    error
	wp      []byte
	wn      int
	werr    error
	readFn  func(fd uintptr) bool
	writeFn func(fd uintptr) bool
}

// New returns a Conn for nc.
func New(nc net.Conn) *Conn {
	c := &Conn{nc: nc}
	if !supported {
		return c
	}
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return c
	}
	rc, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return c
	}
	c.rc = rc
	c.readFn = c.read
	c.writeFn = c.write
	return c
}

// Read is net.Conn's Read: at most one read(2), io.EOF at the end of the
// stream, the connection's read deadline honoured while waiting for data.
func (c *Conn) Read(p []byte) (int, error) {
	if c.rc == nil {
		return c.nc.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.rp, c.rn, c.rerr = p, 0, nil
	err := c.rc.Read(c.readFn)
	c.rp = nil
	if err != nil {
		return 0, err
	}
	return c.rn, c.rerr
}

func (c *Conn) read(fd uintptr) bool {
	for {
		n, e := rawRead(fd, c.rp)
		switch e {
		case 0:
			c.rn = n
			if n == 0 {
				c.rerr = io.EOF
			}
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // wait for data, under the read deadline
		}
		c.rerr = &net.OpError{Op: "read", Net: c.nc.LocalAddr().Network(), Source: c.nc.LocalAddr(), Addr: c.nc.RemoteAddr(), Err: syscall.Errno(e)}
		return true
	}
}

// Write is net.Conn's Write: all of p, or an error (the write deadline
// honoured while the socket is full).
func (c *Conn) Write(p []byte) (int, error) {
	if c.rc == nil {
		return c.nc.Write(p)
	}
	c.wp, c.wn, c.werr = p, 0, nil
	for c.wn < len(c.wp) && c.werr == nil {
		if err := c.rc.Write(c.writeFn); err != nil {
			c.werr = err
		}
	}
	n, err := c.wn, c.werr
	c.wp = nil
	return n, err
}

func (c *Conn) write(fd uintptr) bool {
	for {
		n, e := rawWrite(fd, c.wp[c.wn:])
		switch e {
		case 0:
			c.wn += n
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // wait until the socket drains, under the write deadline
		}
		c.werr = &net.OpError{Op: "write", Net: c.nc.LocalAddr().Network(), Source: c.nc.LocalAddr(), Addr: c.nc.RemoteAddr(), Err: syscall.Errno(e)}
		return true
	}
}

// ReadFD is read(2) of p (not empty) on the non-blocking socket fd, for a
// caller that runs its own syscall.RawConn read function (h2server waits
// for readability holding no buffer, then reads into a pooled one): a raw
// system call where a Conn makes them, syscall.Read (which the race
// detector sees) elsewhere.
func ReadFD(fd uintptr, p []byte) (int, error) {
	if !supported {
		return syscall.Read(int(fd), p)
	}
	n, e := rawRead(fd, p)
	if e != 0 {
		return -1, e
	}
	return n, nil
}
