package h2server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// closeSignalListener reports on closed each connection it accepted that the
// server closed.
type closeSignalListener struct {
	net.Listener
	closed chan net.Addr
}

func (l *closeSignalListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &closeSignalConn{Conn: nc, closed: l.closed}, nil
}

type closeSignalConn struct {
	net.Conn
	once   sync.Once
	closed chan net.Addr
}

func (c *closeSignalConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.closed <- c.Conn.RemoteAddr() })
	return err
}

// CloseWrite keeps the half-close of the TCP connection underneath.
func (c *closeSignalConn) CloseWrite() error {
	return c.Conn.(interface{ CloseWrite() error }).CloseWrite()
}

// TestGoAwayNotLostToReset pins lingerClose: a connection error with client
// input still unread (here 32 KiB of PINGs behind the offending frame) must
// end with the GOAWAY and an orderly close, not a TCP reset (which clients
// such as h2spec report as a failure, and which can make a peer's kernel drop
// the GOAWAY; RFC 9113 §6.8 expects the peer to see it). The server
// half-closes and drains; the client reads only after the server has closed
// its socket, so a reset would be there to see. Made a no-op, lingerClose
// fails this test with "connection reset by peer".
func TestGoAwayNotLostToReset(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &closeSignalListener{Listener: inner, closed: make(chan net.Addr, 1)}
	srv := &Server{Handler: echoFactory}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	}()

	nc, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second)) // bounds a broken run only

	var out bytes.Buffer
	out.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&out, nil)
	fr.WriteSettings()
	// RFC 9113 §6.1: DATA on stream 0 is a connection error of type
	// PROTOCOL_ERROR.
	fr.AllowIllegalWrites = true
	fr.WriteData(0, false, []byte("x"))
	for out.Len() < 32<<10 {
		fr.WritePing(false, [8]byte{})
	}
	if _, err := nc.Write(out.Bytes()); err != nil {
		t.Fatal(err)
	}
	nc.(*net.TCPConn).CloseWrite()
	<-ln.closed // the server has closed its socket

	in := http2.NewFramer(nil, nc)
	for {
		f, err := in.ReadFrame()
		if err != nil {
			t.Fatalf("reading before the GOAWAY: %v", err)
		}
		if ga, ok := f.(*http2.GoAwayFrame); ok {
			if ga.ErrCode != http2.ErrCodeProtocol {
				t.Errorf("GOAWAY %v, want PROTOCOL_ERROR", ga.ErrCode)
			}
			break
		}
	}
	if _, err := io.ReadAll(nc); err != nil {
		t.Errorf("after the GOAWAY: %v, want EOF", err)
	}
}
