package rgi

import (
	"io"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestServerTimeout checks the Timeout option at its value, in a synctest
// bubble (fake time): an idle keep-alive connection, a stalled preamble and
// a stalled body are each closed after exactly Timeout, not before.
func TestServerTimeout(t *testing.T) {
	cases := []struct {
		name  string
		first string // sent, then nothing more
		want  string // everything the server sends
	}{
		{"idle before any request", "", ""},
		{"idle after a request", "GET / HTTP/1.1\r\n\r\n", helloResponse},
		{"inside a preamble", "GET / HTTP/1.1\r\nHost", "HTTP/1.1 408 Request Timeout\r\nconnection: close\r\n" +
			"content-length: 38\r\ncontent-type: text/plain\r\n\r\nrequest preamble not received in time\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				o := testOptions()
				o.Timeout = 5 * time.Second
				s, _ := NewConnServer(hello, o)
				a, b := net.Pipe()
				start := time.Now()
				done := make(chan struct{})
				go func() { s.ServeConn(a, nil); close(done) }()
				out := make(chan string, 1)
				go func() {
					if tc.first != "" {
						io.WriteString(b, tc.first)
					}
					data, _ := io.ReadAll(b)
					out <- string(data)
				}()
				time.Sleep(o.Timeout - time.Millisecond)
				synctest.Wait()
				select {
				case <-done:
					t.Fatalf("closed after %v, before the timeout", time.Since(start))
				default:
				}
				time.Sleep(2 * time.Millisecond)
				synctest.Wait()
				select {
				case <-done:
				default:
					t.Fatalf("still open after %v", time.Since(start))
				}
				if got := <-out; got != tc.want {
					t.Fatalf("got %q\nwant %q", got, tc.want)
				}
			})
		})
	}
}

// TestServerBodyTimeout: an app waiting on a body that never comes gets a
// timeout error from Read after Timeout; the server then closes.
func TestServerBodyTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := testOptions()
		o.Timeout = 3 * time.Second
		var readErr error
		var waited time.Duration
		app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
			start := time.Now()
			_, readErr = io.ReadAll(r.Body)
			waited = time.Since(start)
			return Response{Status: 200, Reason: "OK"}
		})
		s, _ := NewConnServer(app, o)
		a, b := net.Pipe()
		done := make(chan struct{})
		go func() { s.ServeConn(a, nil); close(done) }()
		io.WriteString(b, "PUT / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
		go io.Copy(io.Discard, b)
		<-done
		if readErr == nil || waited != o.Timeout {
			t.Fatalf("read error %v after %v", readErr, waited)
		}
	})
}

// TestServerPreambleDeadline: a client trickling a preamble a byte a
// second, each read well within Timeout, still gets 408 once Timeout has
// passed since the preamble wait began.
func TestServerPreambleDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := testOptions()
		o.Timeout = 5 * time.Second
		s, _ := NewConnServer(hello, o)
		a, b := net.Pipe()
		done := make(chan struct{})
		go func() { s.ServeConn(a, nil); close(done) }()
		start := time.Now()
		stop := make(chan struct{})
		go func() {
			io.WriteString(b, "GET / HTTP/1.1\r\n")
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
				}
				if _, err := io.WriteString(b, "x"); err != nil {
					return
				}
			}
		}()
		out, _ := io.ReadAll(b)
		<-done
		close(stop)
		if el := time.Since(start); el != o.Timeout {
			t.Errorf("closed after %v", el)
		}
		if !strings.HasPrefix(string(out), "HTTP/1.1 408 Request Timeout\r\nconnection: close\r\n") {
			t.Errorf("got %q", out)
		}
	})
}
