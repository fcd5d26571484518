package h2server

import (
	"context"
	"io"
	"net"
	"strconv"
	"time"
)

// PrefixConn returns a net.Conn whose Read returns buffered first and then reads
// from conn, for an HTTP1Server whose HTTP/1.1 engine wants a plain net.Conn
// (NetHTTP's net/http server does).
func PrefixConn(conn net.Conn, buffered []byte) net.Conn {
	if len(buffered) == 0 {
		return conn
	}
	return &prefixConn{Conn: conn, pre: buffered}
}

type prefixConn struct {
	net.Conn
	pre []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.pre) > 0 {
		n := copy(p, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// notSupportedBody is the body of the default HTTP/1.1 answer.
const notSupportedBody = "505 HTTP Version Not Supported: this server speaks HTTP/2 only " +
	"(h2 over TLS with ALPN, or h2c with prior knowledge); no HTTP/1.1 handler is configured.\n"

// serve505 is the answer without an HTTP1Server: it answers 505 HTTP Version Not Supported
// (RFC 9110 §15.6.6) with a plain-text explanation and closes the connection.
// It reads and discards what the client sends for a moment after the answer
// (bounded in time and size) so that closing does not reset the connection before
// the client has read the answer.
func serve505(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	resp := "HTTP/1.1 505 HTTP Version Not Supported\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Length: " + strconv.Itoa(len(notSupportedBody)) + "\r\n" +
		"Connection: close\r\n\r\n" + notSupportedBody
	if _, err := io.WriteString(conn, resp); err != nil {
		return
	}
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	conn.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, io.LimitReader(conn, 64<<10))
}

// HTTP1Server is an HTTP/1.1 server that serves connections handed to it one
// at a time, such as the RGI fallback of package rgi/rgih2 or NetHTTP's
// net/http server. Install it with Server.SetHTTP1Server.
type HTTP1Server interface {
	// ServeConn serves conn, a connection that does not speak HTTP/2: a
	// TLS connection that negotiated ALPN "http/1.1" (or no ALPN at all),
	// or a cleartext connection that did not open with the HTTP/2
	// preface. buffered holds the bytes the server has already read from
	// conn while finding out (possibly none; always none over TLS); they
	// are the start of the stream (PrefixConn). ServeConn owns conn and
	// closes it; it may return before conn is closed.
	ServeConn(conn net.Conn, buffered []byte)
	// Shutdown stops serving gracefully: idle connections are closed,
	// requests in progress finish, and it returns when all connections
	// are closed or ctx ends.
	Shutdown(ctx context.Context) error
	// Close closes every connection at once.
	Close() error
}

// SetHTTP1Server makes h the HTTP/1.1 fallback: the server for the
// connections that do not speak HTTP/2, which without one are answered 505
// HTTP Version Not Supported and closed. h takes part in Shutdown and Close:
// Shutdown of s calls h.Shutdown with its context (HTTP/1.1 has no GOAWAY: h
// closes idle connections and ends requests in progress with "connection:
// close") and still waits for every connection s accepted; Close of s calls
// h.Close. Call it before serving; a second call replaces the first.
// NetHTTP and rgih2.Fallback call it.
func (s *Server) SetHTTP1Server(h HTTP1Server) {
	s.lock()
	s.fallback = h
	s.mu.Unlock()
}
