package h2server

import (
	"net"

	"github.com/h2kit/h2kit/internal/rawio"
)

// batchConn is the transport under a TLS connection. While batch is set, the
// TLS layer's writes are collected in buf; flush writes them at once. It is only
// used by the connection goroutine (the TLS layer serializes writes).
type batchConn struct {
	net.Conn
	rio   *rawio.Conn // Conn's reads and writes (raw system calls on a socket)
	batch bool
	buf   []byte
}

func newBatchConn(nc net.Conn) *batchConn { return &batchConn{Conn: nc, rio: rawio.New(nc)} }

func (b *batchConn) Read(p []byte) (int, error) { return b.rio.Read(p) }

func (b *batchConn) Write(p []byte) (int, error) {
	if !b.batch {
		return b.rio.Write(p)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *batchConn) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.rio.Write(b.buf)
	if cap(b.buf) > 1<<20 {
		b.buf = nil
	} else {
		b.buf = b.buf[:0]
	}
	return err
}
