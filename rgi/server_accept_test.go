package rgi

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/h2kit/h2kit/internal/accept/accepttest"
)

// TestServeAcceptShortage: Accept failing with EMFILE and ENFILE (the
// process's and the system's descriptor limits) does not end Serve; the next
// client is served (the rule shared with h2server, internal/accept).
func TestServeAcceptShortage(t *testing.T) {
	s, err := NewServer("127.0.0.1:0", AppFunc(func(*Session, *Request, Bodies) Response {
		return Response{Status: 200, Reason: "OK", Body: "done"}
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.ln = &accepttest.Listener{Listener: s.ln, Script: []error{accepttest.Errno(syscall.EMFILE), accepttest.Errno(syscall.ENFILE), accepttest.Errno(syscall.ENFILE)}}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	defer s.Close()

	c, err := net.Dial("tcp", s.Address())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /x HTTP/1.1\r\n\r\n")
	got := make(chan string, 1)
	go func() {
		// The answer closes the connection after its 4-byte body only if
		// asked; read the head and the body it announces.
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		got <- resp.Status + " " + string(b)
	}()
	select {
	case resp := <-got:
		if want := "200 OK done"; resp != want {
			t.Errorf("response %q, want %q", resp, want)
		}
	case err := <-served:
		// The client would wait for ever in the listen backlog.
		t.Fatalf("Serve stopped on a resource shortage: %v", err)
	}
}
