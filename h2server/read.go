package h2server

// read reads the next bytes from the peer. An idle connection spends its life
// blocked here, so a read that may block holds no pooled buffer:
//
//   - On a TCP or Unix socket (h2c), the wait for readability takes no
//     buffer at all: a pooled one is taken when the socket has bytes and
//     given back when a read finds none (rawReader).
//   - On other connections (TLS, whose records are decrypted in crypto/tls's
//     own buffers), a read that may block reads at most smallRead bytes into
//     the connection's own small buffer; when it fills, the bytes still
//     buffered in the TLS layer are read into a pooled buffer, which goes
//     back as soon as a read does not fill it (readConn).
//
// The bytes returned are valid until the next read.
func (c *serverConn) read() ([]byte, error) {
	if c.raw.ok() {
		return c.raw.read(c)
	}
	return c.readConn()
}

// readConn is read for connections that are not plain sockets.
func (c *serverConn) readConn() ([]byte, error) {
	if !c.full {
		// The last read did not fill its buffer, so whatever the TLS
		// layer had decrypted was taken: this read may block.
		c.releaseReadBuffer()
		if c.small == nil {
			c.small = make([]byte, smallRead)
		}
		n, err := c.nc.Read(c.small)
		c.full = n == len(c.small)
		return c.small[:n], err
	}
	buf := c.readBuffer()
	n, err := c.nc.Read(buf)
	c.full = n == len(buf)
	c.grown(n)
	return buf[:n], err
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
