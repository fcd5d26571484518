package h2server

import (
	"errors"
	"net"
)

// read reads the next bytes from the peer. An idle connection spends its life
// blocked here, so a read that may block holds no pooled buffer:
//
//   - On a TCP or Unix socket (h2c), the wait for readability takes no
//     buffer at all: a pooled one is taken when the socket has bytes and
//     given back when a read finds none (rawReader).
//   - On other connections (TLS, whose records are decrypted in crypto/tls's
//     own buffers), a read that may block reads at most smallRead bytes (1
//     KiB: a client's usual batch of requests after its first) into
//     the connection's own small buffer; when it fills, the bytes the TLS
//     layer holds beyond them are taken, without waiting, into a pooled
//     buffer, which goes back before the next read that may block
//     (readConn).
//
// The bytes returned are valid until the next read.
func (c *serverConn) read() ([]byte, error) {
	if c.raw.ok() {
		return c.raw.read(c)
	}
	return c.readConn()
}

// readConn is read for connections that are not plain sockets. Only the
// read into c.small may wait for the peer; the pooled buffer takes what the
// TLS layer already holds (decrypted, or whole records read ahead), with the
// read deadline in the past so that it never waits on the socket (a timeout
// is not fatal to a tls.Conn: it stays usable). The loop restores the
// deadline before the next read that may block.
func (c *serverConn) readConn() ([]byte, error) {
	if c.full {
		// The last read filled its buffer: more is likely held.
		buf := c.readBuffer()
		c.expireReadDeadline()
		n, err := c.drain(buf, 0)
		if n > 0 && isTimeout(err) {
			err = nil
		}
		// Nothing held: a timeout, after which the loop reads again.
		return buf[:n], err
	}
	c.releaseReadBuffer()
	if c.small == nil {
		c.small = make([]byte, min(smallRead, c.cfg.ReadBufferSize))
	}
	n, err := c.nc.Read(c.small)
	if n < len(c.small) || err != nil {
		return c.small[:n], err
	}
	// The small buffer filled: take the rest of what is held, so that
	// the engine sees the whole batch before the loop writes.
	buf := c.readBuffer()
	copy(buf, c.small)
	c.expireReadDeadline()
	n, err = c.drain(buf, n)
	if isTimeout(err) {
		err = nil
	}
	return buf[:n], err
}

// drain reads into buf after its first n bytes, with the read deadline
// expired, until the buffer is full or nothing more is held (a timeout: a
// TLS read returns one record at a time, and whole records may have been
// read ahead). It returns the bytes in buf.
func (c *serverConn) drain(buf []byte, n int) (int, error) {
	var err error
	for n < len(buf) {
		var m int
		m, err = c.nc.Read(buf[n:])
		n += m
		if err != nil || m == 0 {
			break
		}
	}
	c.full = n == len(buf)
	c.grown(n)
	return n, err
}

// expireReadDeadline makes a read return at once unless its bytes are
// already buffered above the socket; setReadDeadline restores the deadline.
func (c *serverConn) expireReadDeadline() {
	c.nc.SetReadDeadline(aLongTimeAgo)
	c.readDLValid = false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// readBuffer returns the lent read buffer, taking one if none is held.
func (c *serverConn) readBuffer() []byte {
	if c.rbuf == nil {
		c.rbuf = getReadBuffer(c.rsize)
	}
	return (*c.rbuf)[:c.rsize]
}

// grown doubles the read size, up to ReadBufferSize, after a read of n bytes
// filled the buffer; a held buffer that is now too small goes back.
func (c *serverConn) grown(n int) {
	if n < c.rsize || c.rsize >= c.cfg.ReadBufferSize {
		return
	}
	c.rsize = min(2*c.rsize, c.cfg.ReadBufferSize)
	if c.rbuf != nil && len(*c.rbuf) < c.rsize {
		c.releaseReadBuffer()
	}
}

// releaseReadBuffer gives the lent read buffer back.
func (c *serverConn) releaseReadBuffer() {
	if c.rbuf != nil {
		putReadBuffer(c.rbuf)
		c.rbuf = nil
	}
}
