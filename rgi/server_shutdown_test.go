package rgi

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
)

func TestServerShutdown(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		if r.Path[0] == "slow" {
			entered <- struct{}{}
			<-release
		}
		return Response{Status: 200, Reason: "OK", Body: "done"}
	})
	s := startServer(t, app, nil)
	idle := dial(t, s)
	io.WriteString(idle, "GET /fast HTTP/1.1\r\n\r\n")
	expect(t, idle, "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone")
	busy := dial(t, s)
	io.WriteString(busy, "GET /slow HTTP/1.1\r\n\r\n")
	<-entered

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	// The idle connection is closed at once, the listener too.
	expectEOF(t, idle)
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", s.Address())
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting after Shutdown")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a request in progress", err)
	case <-time.After(20 * time.Millisecond):
	}
	// The request in progress finishes, with connection: close.
	close(release)
	expect(t, busy, "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 4\r\n\r\ndone")
	expectEOF(t, busy)
	busy.Close() // ends the server's lingering close at once
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	a, _ := net.Pipe()
	if err := s.ServeConn(a, nil); err != ErrServerClosed {
		t.Fatalf("ServeConn after Shutdown: %v", err)
	}
}

func TestServerShutdownDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	entered := make(chan struct{}, 1)
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		entered <- struct{}{}
		<-release
		return Response{Status: 200, Reason: "OK"}
	})
	s, _ := NewConnServer(app, testOptions())
	a, b := net.Pipe()
	go s.ServeConn(a, nil)
	go io.WriteString(b, "GET / HTTP/1.1\r\n\r\n")
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(ctx) }()
	// The app is stuck: cancelling closes the connection, and Shutdown
	// returns at once, without waiting for the app (as net/http's does).
	cancel()
	if n, err := b.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("forced close: %d %v", n, err)
	}
	if err := <-shut; err != context.Canceled {
		t.Fatalf("Shutdown: %v", err)
	}
	release <- struct{}{}
	// Close waits for the app call that Shutdown left running.
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
