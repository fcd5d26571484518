package h2server

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// readPair returns the server side of a fresh connection, wrapped in a
// serverConn as run sets it up, and the client side. TLS connections have
// completed their handshake.
func readPair(t *testing.T, tlsOn bool) (*serverConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type res struct {
		nc  net.Conn
		err error
	}
	acc := make(chan res, 1)
	cert := testCert(t)
	go func() {
		nc, err := ln.Accept()
		if err == nil && tlsOn {
			tc := tls.Server(newBatchConn(nc), &tls.Config{Certificates: []tls.Certificate{cert}})
			err = tc.Handshake()
			nc = tc
		}
		acc <- res{nc, err}
	}()
	cl := dialIdle(t, ln.Addr().String(), tlsOn)
	r := <-acc
	if r.err != nil {
		t.Fatal(r.err)
	}
	cfg := Config{}.withDefaults()
	c := &serverConn{nc: r.nc, cfg: &cfg}
	c.rsize = min(minReadBuffer, cfg.ReadBufferSize)
	c.raw.init(c)
	if c.raw.ok() == tlsOn {
		t.Fatalf("raw socket reads: %v, want %v", c.raw.ok(), !tlsOn)
	}
	t.Cleanup(func() { c.releaseReadBuffer(); r.nc.Close(); cl.Close() })
	// A read that blocks when it should not fails the test instead of
	// hanging it.
	r.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	return c, cl
}

// TestReadWholeBatch: what the peer sent in one write (one TLS record) is
// returned by one read, however the read buffers are lent, so that the
// engine sees a batch of requests whole before the loop writes. Over TLS the
// first read into the small buffer fills it, and the rest is taken without
// waiting.
func TestReadWholeBatch(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		for _, size := range []int{100, smallRead - 1, smallRead, smallRead + 1, 3000, minReadBuffer} {
			c, cl := readPair(t, tlsOn)
			msg := bytes.Repeat([]byte{'x'}, size)
			if _, err := cl.Write(msg); err != nil {
				t.Fatal(err)
			}
			var got []byte
			for len(got) < size {
				// Over a socket, the kernel may deliver one write in
				// pieces; over TLS one record is one read.
				// As the loop does, restore the deadline a read
				// expired.
				c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
				p, err := c.read()
				if err != nil {
					t.Fatalf("tls %v, %d bytes: read after %d: %v", tlsOn, size, len(got), err)
				}
				if tlsOn && len(got) == 0 && len(p) < size && len(p) <= smallRead {
					// crypto/tls may send a write as several
					// records (dynamic record sizing), but the
					// first is larger than smallRead.
					t.Fatalf("tls: a write of %d bytes came in a first read of %d", size, len(p))
				}
				got = append(got, p...)
			}
			if !bytes.Equal(got, msg) {
				t.Fatalf("tls %v, %d bytes: read %d different bytes", tlsOn, size, len(got))
			}
		}
	}
}

// TestReadGrowsAndEnds: a read that fills the buffer doubles the next one up
// to ReadBufferSize; the peer's close is io.EOF.
func TestReadGrowsAndEnds(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		c, cl := readPair(t, tlsOn)
		total := 200 << 10
		go func() {
			cl.Write(bytes.Repeat([]byte{'y'}, total))
			cl.Close()
		}()
		n, largest := 0, 0
		var err error
		for err == nil {
			var p []byte
			c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			p, err = c.read()
			if isTimeout(err) {
				// Over TLS: nothing held above the socket; the loop
				// restores the deadline and reads again.
				err = nil
			}
			n += len(p)
			largest = max(largest, len(p))
		}
		if !errors.Is(err, io.EOF) {
			t.Fatalf("tls %v: read ended with %v, want io.EOF", tlsOn, err)
		}
		if n != total {
			t.Fatalf("tls %v: read %d bytes, want %d", tlsOn, n, total)
		}
		if !tlsOn && c.rsize != c.cfg.ReadBufferSize {
			// (Over TLS, reads fill the buffer only with records
			// read ahead: when it grows is a matter of timing.)
			t.Errorf("tls %v: read size %d after a bulk transfer, want ReadBufferSize %d", tlsOn, c.rsize, c.cfg.ReadBufferSize)
		}
		if largest <= minReadBuffer {
			t.Errorf("tls %v: largest read %d bytes, want more than the initial %d", tlsOn, largest, minReadBuffer)
		}
	}
}

// TestReadBufferClasses: pooled read buffers come in power-of-two classes
// from minReadBuffer to maxPooledReadBuffer; larger ones are not pooled.
func TestReadBufferClasses(t *testing.T) {
	for _, tc := range []struct{ n, size int }{
		{1, minReadBuffer}, {minReadBuffer, minReadBuffer}, {minReadBuffer + 1, 2 * minReadBuffer},
		{64 << 10, 64 << 10}, {maxPooledReadBuffer, maxPooledReadBuffer}, {maxPooledReadBuffer + 1, maxPooledReadBuffer + 1},
	} {
		p := getReadBuffer(tc.n)
		if len(*p) != tc.size {
			t.Errorf("getReadBuffer(%d): %d bytes, want %d", tc.n, len(*p), tc.size)
		}
		putReadBuffer(p)
	}
}
