package rgi

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// scriptConn is a net.Conn that reads a fixed response stream and discards
// what is written.
type scriptConn struct {
	r *bytes.Reader
}

func (c *scriptConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *scriptConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *scriptConn) Close() error                     { return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return &net.UnixAddr{Name: "@", Net: "unix"} }
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.UnixAddr{Name: "@x", Net: "unix"} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzClientResponse feeds arbitrary bytes to a client connection as the
// server's side: two requests and their bodies must end in a response or an
// error, never a panic or a hang, and an error must close the connection.
func FuzzClientResponse(f *testing.F) {
	seeds := []string{
		"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 01\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\n",
		"HTTP/1.1 200 O!K\r\n\r\n",
		"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nffffff\r\n",
	}
	for i, s := range seeds {
		f.Add(byte(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		c := newConnection(&scriptConn{r: bytes.NewReader(data)}, nil, time.Second)
		method := MethodGet
		if mode&1 != 0 {
			method = MethodHead
		}
		for range 2 {
			resp, err := c.Request(method, "/", nil, nil)
			if err != nil {
				if !c.Closed() {
					t.Fatalf("error %v left the connection open", err)
				}
				return
			}
			if resp.Status < 200 || resp.Status > 599 || !validClientReason(resp.Reason) {
				t.Fatalf("accepted status %d reason %q", resp.Status, resp.Reason)
			}
			if method == MethodHead && resp.Body != nil {
				t.Fatal("HEAD response with a body")
			}
			if mode&2 != 0 {
				if b, ok := resp.Body.(*ChunkedBody); ok {
					for _, err := range b.Chunks() {
						if err != nil {
							break
						}
					}
					continue
				}
			}
			if r, ok := resp.Body.(io.Reader); ok {
				io.Copy(io.Discard, io.LimitReader(r, 1<<20))
			}
		}
	})
}
