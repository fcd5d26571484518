package rgi

import (
	"bufio"
	"io"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestChunkedBodyIterFlushesEachChunk: each chunk a ChunkedBodyIter yields
// is on the wire before the sequence is asked for the next one, so a
// sequence that waits between chunks (an event stream) reaches the client
// as it goes, as Degu sends every chunk with sock.send. The sequence here
// waits for the client to have read the first chunk before it yields the
// second: a server that held chunks in its write buffer would never send it.
func TestChunkedBodyIterFlushesEachChunk(t *testing.T) {
	got1 := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(got1) }) }
	var seq iter.Seq[Chunk] = func(yield func(Chunk) bool) {
		if !yield(Chunk{Data: []byte("event 1\n")}) {
			return
		}
		<-got1
		if yield(Chunk{Data: []byte("event 2\n")}) {
			yield(Chunk{})
		}
	}
	s := startServer(t, AppFunc(func(*Session, *Request, Bodies) Response {
		return Response{Status: 200, Reason: "OK", Body: NewChunkedBodyIter(seq)}
	}), nil)
	// Cleanups run last first: a failed test must not leave the sequence
	// waiting while the server's cleanup waits for its connection.
	t.Cleanup(release)
	c := dial(t, s)
	defer c.Close()
	// The deadline only turns a server that holds the chunk back into a
	// failure instead of a hang.
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET / HTTP/1.1\r\n\r\n")
	br := bufio.NewReader(c)
	var head strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the head: %v (read %q)", err, head.String())
		}
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	if want := "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"; head.String() != want {
		t.Fatalf("head %q, want %q", head.String(), want)
	}
	want1 := "8\r\nevent 1\n\r\n"
	buf := make([]byte, len(want1))
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != want1 {
		t.Fatalf("first chunk %q, %v; want %q", buf, err, want1)
	}
	release()
	rest, err := io.ReadAll(io.LimitReader(br, int64(len("8\r\nevent 2\n\r\n0\r\n\r\n"))))
	if err != nil || string(rest) != "8\r\nevent 2\n\r\n0\r\n\r\n" {
		t.Fatalf("rest %q, %v", rest, err)
	}
}

// TestChunkedBodyPassThroughFlushesEachChunk: a chunked request body given
// back as the response body (an echo) sends each chunk before it reads the
// next, so the client gets the echo of a chunk before it sends another.
func TestChunkedBodyPassThroughFlushesEachChunk(t *testing.T) {
	s := startServer(t, AppFunc(func(_ *Session, r *Request, _ Bodies) Response {
		return Response{Status: 200, Reason: "OK", Body: r.Body}
	}), nil)
	c := dial(t, s)
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a failure, not a hang
	io.WriteString(c, "POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n")
	br := bufio.NewReader(c)
	want := "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n"
	buf := make([]byte, len(want))
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != want {
		t.Fatalf("got %q, %v; want %q", buf, err, want)
	}
	io.WriteString(c, "0\r\n\r\n")
	rest, err := io.ReadAll(io.LimitReader(br, 5))
	if err != nil || string(rest) != "0\r\n\r\n" {
		t.Fatalf("rest %q, %v", rest, err)
	}
}
