package h2server

import "net"

// batchConn is the transport under a TLS connection. While batch is set, the
// TLS layer's writes are collected in buf; flush writes them at once. It is only
// used by the connection goroutine (the TLS layer serializes writes).
type batchConn struct {
	net.Conn
	batch bool
	buf   []byte
}

func (b *batchConn) Write(p []byte) (int, error) {
	if !b.batch {
		return b.Conn.Write(p)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *batchConn) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.Conn.Write(b.buf)
	if cap(b.buf) > 1<<20 {
		b.buf = nil
	} else {
		b.buf = b.buf[:0]
	}
	return err
}
