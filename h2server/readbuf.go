package h2server

import (
	"math/bits"
	"sync"
)

// Read buffers are lent to a connection only while it has bytes to read: an
// idle connection sleeping in its read holds none (see serverConn.read). They
// come in power-of-two sizes from minReadBuffer to maxPooledReadBuffer, one
// pool per size; a connection configured for more reads into a buffer of its
// own once it has grown past that.
const (
	minReadBuffer       = 8 << 10
	maxPooledReadBuffer = 1 << 20
	readBufferClasses   = 8 // 8 KiB … 1 MiB
)

var readBuffers [readBufferClasses]sync.Pool

// readBufferClass returns the pool index for a buffer of at least n octets
// (n ≤ maxPooledReadBuffer) and the size of that class.
func readBufferClass(n int) (int, int) {
	if n <= minReadBuffer {
		return 0, minReadBuffer
	}
	k := bits.Len(uint(n-1)) - bits.Len(minReadBuffer-1)
	return k, minReadBuffer << k
}

// getReadBuffer returns a buffer of at least n octets, boxed so that
// putting it back does not allocate: pooled when n is at most
// maxPooledReadBuffer (its length is then its class size).
func getReadBuffer(n int) *[]byte {
	if n > maxPooledReadBuffer {
		b := make([]byte, n)
		return &b
	}
	k, size := readBufferClass(n)
	if p, ok := readBuffers[k].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, size)
	return &b
}

// putReadBuffer returns a buffer from getReadBuffer to its pool.
func putReadBuffer(p *[]byte) {
	c := len(*p)
	if c > maxPooledReadBuffer || c < minReadBuffer || c&(c-1) != 0 {
		return
	}
	k, _ := readBufferClass(c)
	readBuffers[k].Put(p)
}
