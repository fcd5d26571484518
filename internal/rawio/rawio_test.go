package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			done <- nil
			return
		}
		done <- c
	}()
	a, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := <-done
	if b == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// TestRoundTrip: bytes written through a Conn arrive whole (8 MiB, more than
// the socket buffers hold, so writes wait for the peer to read), reads see
// what the peer wrote, and the end of the stream is io.EOF.
func TestRoundTrip(t *testing.T) {
	a, b := tcpPair(t)
	ra, rb := New(a), New(b)
	if ra.rc == nil || rb.rc == nil {
		t.Skip("raw I/O not supported here")
	}
	want := make([]byte, 8<<20)
	for i := range want {
		want[i] = byte(i * 31)
	}
	errc := make(chan error, 1)
	go func() {
		n, err := ra.Write(want)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		a.(*net.TCPConn).CloseWrite()
		errc <- err
	}()
	var got bytes.Buffer
	buf := make([]byte, 70000)
	for {
		n, err := rb.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("got %d bytes, not the ones written", got.Len())
	}
}

// TestDeadlines: a read with nothing to read ends at the read deadline with
// a timeout error, as net.Conn's does; so does a write into a full socket
// at the write deadline.
func TestDeadlines(t *testing.T) {
	a, b := tcpPair(t)
	ra := New(a)
	a.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := ra.Read(make([]byte, 10))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want a timeout", err)
	}
	a.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	n, err := ra.Write(make([]byte, 64<<20)) // b never reads
	if !errors.Is(err, os.ErrDeadlineExceeded) || n == 0 || n == 64<<20 {
		t.Fatalf("write past the deadline: %d, %v", n, err)
	}
	_ = b
}

// TestCloseInterruptsRead: closing the connection from another goroutine
// ends a read that waits for data.
func TestCloseInterruptsRead(t *testing.T) {
	a, _ := tcpPair(t)
	ra := New(a)
	errc := make(chan error, 1)
	go func() {
		_, err := ra.Read(make([]byte, 10))
		errc <- err
	}()
	a.Close() // before or after the read parks: either way it fails

	if err := <-errc; err == nil {
		t.Fatal("read on a closed connection succeeded")
	}
}

// TestNotASocket: a connection that is not a socket is read and written
// through its own methods.
func TestNotASocket(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ra := New(a)
	if ra.rc != nil {
		t.Fatal("net.Pipe taken for a socket")
	}
	go b.Write([]byte("hi"))
	buf := make([]byte, 2)
	if n, err := ra.Read(buf); err != nil || n != 2 || string(buf) != "hi" {
		t.Fatalf("%d %v %q", n, err, buf)
	}
}

// TestZeroAllocs: a read and a write on a socket allocate nothing.
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	a, b := tcpPair(t)
	ra, rb := New(a), New(b)
	if ra.rc == nil {
		t.Skip("raw I/O not supported here")
	}
	msg := []byte("hello, world")
	buf := make([]byte, 64)
	n := testing.AllocsPerRun(100, func() {
		ra.Write(msg)
		rb.Read(buf)
	})
	if n != 0 {
		t.Fatalf("%v allocations per write and read", n)
	}
}
