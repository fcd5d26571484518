package rgi

import (
	"io"
	"net"
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
		want  string // answer before the timeout
	}{
		{"idle before any request", "", ""},
		{"idle after a request", "GET / HTTP/1.1\r\n\r\n", helloResponse},
		{"inside a preamble", "GET / HTTP/1.1\r\nHost", ""},
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
				if tc.first != "" {
					io.WriteString(b, tc.first)
				}
				if tc.want != "" {
					expect(t, b, tc.want)
				}
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
				if n, err := b.Read(make([]byte, 1)); n != 0 || err != io.EOF {
					t.Fatalf("peer read %d, %v", n, err)
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
