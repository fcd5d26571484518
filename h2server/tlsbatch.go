package h2server

import (
	"net"
	"sync"

	"github.com/h2kit/h2kit/internal/rawio"
)

// batchConn is the transport under a TLS connection. While batch is set, the
// TLS layer's writes are collected in buf; flush writes them at once. It is only
// used by the connection goroutine (the TLS layer serializes writes). buf is
// lent by batchBuffers from the first collected write to the flush, so that
// an idle connection holds none.
type batchConn struct {
	net.Conn
	rio   *rawio.Conn // Conn's reads and writes (raw system calls on a socket)
	batch bool
	buf   *[]byte
}

// batchBuffers lends batchConn its buffers; each travels in its box, so
// lending allocates nothing once warm. One that grew past maxPooledBatch
// (a large batch of DATA) is dropped.
var batchBuffers sync.Pool

const (
	batchBufferSize = 16 << 10
	maxPooledBatch  = 1 << 20
)

func newBatchConn(nc net.Conn) *batchConn { return &batchConn{Conn: nc, rio: rawio.New(nc)} }

func (b *batchConn) Read(p []byte) (int, error) { return b.rio.Read(p) }

func (b *batchConn) Write(p []byte) (int, error) {
	if !b.batch {
		return b.rio.Write(p)
	}
	if b.buf == nil {
		if q, ok := batchBuffers.Get().(*[]byte); ok {
			b.buf = q
		} else {
			s := make([]byte, 0, max(batchBufferSize, len(p)))
			b.buf = &s
		}
	}
	*b.buf = append(*b.buf, p...)
	return len(p), nil
}

func (b *batchConn) flush() error {
	if b.buf == nil {
		return nil
	}
	q := *b.buf
	var err error
	if len(q) > 0 {
		_, err = b.rio.Write(q)
	}
	if cap(q) <= maxPooledBatch {
		*b.buf = q[:0]
		batchBuffers.Put(b.buf)
	}
	b.buf = nil
	return err
}
