package rgi_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

var okApp = rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	return rgi.Response{Status: 200, Reason: "OK", Body: "ok"}
})

// waitFor polls cond, for state another goroutine changes (a server
// noticing a closed connection); it is bounded, not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestE2EMaxConnections(t *testing.T) {
	for _, max := range []int{1, 3} {
		t.Run(strings.Repeat("c", max), func(t *testing.T) {
			opts := rgi.DefaultOptions()
			opts.MaxConnections = max
			srv := rgitest.TempServer(t, "127.0.0.1:0", okApp, &opts)
			c := srv.Client(t, nil)
			conns := make([]*rgi.Connection, max)
			for i := range conns {
				conns[i] = rgitest.Connect(t, c)
				resp, err := conns[i].Get("/", nil)
				if err != nil {
					t.Fatalf("connection %d of %d: %v", i+1, max, err)
				}
				mustRead(t, resp)
			}
			if srv.Active() != max || srv.Rejected() != 0 {
				t.Fatalf("active %d rejected %d", srv.Active(), srv.Rejected())
			}
			// One more is closed at once, without a response.
			extra := rgitest.Connect(t, c)
			if _, err := extra.Get("/", nil); err == nil {
				t.Fatalf("connection %d was served", max+1)
			}
			if srv.Rejected() != 1 {
				t.Fatalf("rejected %d, want 1", srv.Rejected())
			}
			// The served connections are unaffected.
			for i, conn := range conns {
				resp, err := conn.Get("/", nil)
				if err != nil {
					t.Fatalf("connection %d after the rejection: %v", i+1, err)
				}
				mustRead(t, resp)
			}
			// Once one closes, a new connection is served again.
			conns[0].Close()
			waitFor(t, "the server to see the close", func() bool { return srv.Active() == max-1 })
			again := rgitest.Connect(t, c)
			resp, err := again.Get("/", nil)
			if err != nil {
				t.Fatalf("after a close: %v", err)
			}
			mustRead(t, resp)
			if srv.Rejected() != 1 || srv.Active() != max {
				t.Fatalf("active %d rejected %d", srv.Active(), srv.Rejected())
			}
		})
	}
}

func TestE2EMaxRequestsPerConnection(t *testing.T) {
	for _, max := range []int{1, 3} {
		t.Run(strings.Repeat("r", max), func(t *testing.T) {
			opts := rgi.DefaultOptions()
			opts.MaxRequestsPerConnection = max
			srv := rgitest.TempServer(t, "127.0.0.1:0", okApp, &opts)
			conn := rgitest.Connect(t, srv.Client(t, nil))
			for i := 1; i <= max; i++ {
				resp, err := conn.Get("/", nil)
				if err != nil {
					t.Fatalf("request %d of %d: %v", i, max, err)
				}
				mustRead(t, resp)
				want := ""
				if i == max {
					want = "close"
				}
				if resp.Headers["connection"] != want {
					t.Fatalf("request %d of %d: connection %q", i, max, resp.Headers["connection"])
				}
			}
			if _, err := conn.Get("/", nil); !errors.Is(err, rgi.ErrServerClosing) {
				t.Fatalf("request %d: %v", max+1, err)
			}

			// On the wire: with max+1 requests pipelined, the server
			// answers exactly max of them, then closes.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			raw, err := rgi.Dial(ctx, srv.Address())
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			raw.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := raw.Write(bytes.Repeat([]byte("GET / HTTP/1.1\r\n\r\n"), max+1)); err != nil {
				t.Fatal(err)
			}
			all, err := io.ReadAll(raw)
			if err != nil {
				t.Fatalf("reading until close: %v", err)
			}
			all = []byte(stripDates(t, string(all), max))
			want := strings.Repeat("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", max-1) +
				"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"
			if string(all) != want {
				t.Fatalf("wire:\n%q\nwant:\n%q", all, want)
			}
		})
	}
}

// TestE2EDefaultMaxRequestsIsDegus pins the default request limit to Degu
// 0.19's server code (max_requests=1000): a Degu client keeps one
// connection and does not reconnect after "connection: close", so a lower
// default breaks it mid-session. With default options, 1000 pipelined
// requests are all answered on one connection and only the last answer
// says "connection: close".
func TestE2EDefaultMaxRequestsIsDegus(t *testing.T) {
	if rgi.DefaultMaxRequestsPerConnection != 1000 || rgi.DefaultOptions().MaxRequestsPerConnection != 1000 {
		t.Fatalf("default MaxRequestsPerConnection %d, Degu's is 1000", rgi.DefaultOptions().MaxRequestsPerConnection)
	}
	srv := rgitest.TempServer(t, "127.0.0.1:0", okApp, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	raw, err := rgi.Dial(ctx, srv.Address())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(30 * time.Second))
	const n = 1000
	go raw.Write(bytes.Repeat([]byte("GET / HTTP/1.1\r\n\r\n"), n+1))
	all, err := io.ReadAll(raw)
	if err != nil {
		t.Fatalf("reading until close: %v", err)
	}
	want := strings.Repeat("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", n-1) +
		"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"
	if all = []byte(stripDates(t, string(all), n)); string(all) != want {
		got := strings.Count(string(all), "HTTP/1.1 200 OK")
		t.Fatalf("got %d responses (%d bytes), want %d ending with connection: close", got, len(all), n)
	}
}
