package rgi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// openFDs counts this process's open file descriptors on name.
func openFDs(t *testing.T, name string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	n := 0
	for _, e := range ents {
		if target, _ := os.Readlink("/proc/self/fd/" + e.Name()); target == name {
			n++
		}
	}
	return n
}

// TestE2EResponseFileClosed pins that a response body over a file is closed
// on every HTTP/1.1 path, not left to a GC finalizer: a client that aborts
// a download bigger than the socket buffers, a completed download, HEAD, a
// response the app got wrong (500) and a request body that turns out
// malformed after the app answered. The count of open descriptors, taken
// after Shutdown has waited for every connection, must be back to where it
// was.
func TestE2EResponseFileClosed(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, make([]byte, 4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		opened []*os.File
	)
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
		}
		f, err := os.Open(big)
		if err != nil {
			return rgi.Response{Status: 500, Reason: "Internal Server Error"}
		}
		mu.Lock()
		opened = append(opened, f) // reachable: no finalizer closes it behind the test's back
		mu.Unlock()
		st, _ := f.Stat()
		h := map[string]string{}
		if r.URI == "/wrong" {
			h["content-length"] = "1" // disagrees with the body: a 500
		}
		return rgi.Response{Status: 200, Reason: "OK", Headers: h, Body: b.Body(f, st.Size())}
	})
	tests := []struct {
		name    string
		req     string
		abort   bool // read a little, then close
		clients int
	}{
		{"aborted download", "GET / HTTP/1.1\r\n\r\n", true, 70},
		{"complete download", "GET / HTTP/1.1\r\nconnection: close\r\n\r\n", false, 5}, // 4 MiB each
		{"HEAD", "HEAD / HTTP/1.1\r\nconnection: close\r\n\r\n", false, 70},
		{"invalid response", "GET /wrong HTTP/1.1\r\n\r\n", false, 70},
		{"malformed request body", "POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", false, 70},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := rgi.DefaultOptions()
			opts.Logger = slog.New(slog.DiscardHandler) // the invalid responses are logged
			srv := rgitest.TempServer(t, "127.0.0.1:0", app, &opts)
			before := openFDs(t, big)
			for range tt.clients {
				nc, err := net.Dial("tcp", srv.Address())
				if err != nil {
					t.Fatal(err)
				}
				nc.SetDeadline(time.Now().Add(30 * time.Second))
				if _, err := io.WriteString(nc, tt.req); err != nil {
					t.Fatal(err)
				}
				if tt.abort {
					if _, err := io.ReadFull(nc, make([]byte, 1024)); err != nil {
						t.Fatal(err)
					}
				} else if got, err := io.ReadAll(nc); err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 ") {
					t.Fatalf("%.40q %v", got, err)
				}
				nc.Close()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			mu.Lock()
			files := opened
			opened = nil
			mu.Unlock()
			for i, f := range files {
				if _, err := f.Stat(); !errors.Is(err, os.ErrClosed) {
					t.Fatalf("file %d of %d still open", i+1, len(files))
				}
			}
			if after := openFDs(t, big); after > before {
				t.Fatalf("%d descriptors open after %d clients, %d before: the files leaked", after, tt.clients, before)
			}
		})
	}
}

// closeCounter is a reader that counts its Close calls.
type closeCounter struct {
	io.Reader
	closes *int
}

func (c closeCounter) Close() error { *c.closes++; return nil }

// TestClientClosesRequestBody pins that the client closes a request body
// that is an io.Closer once Request returns, sent or refused.
func TestClientClosesRequestBody(t *testing.T) {
	srv := rgitest.TempServer(t, "127.0.0.1:0", okApp, nil)
	conn := rgitest.Connect(t, srv.Client(t, nil))
	for _, method := range []string{"PUT", "GET"} { // GET with a body is refused before sending
		closes := 0
		body := rgi.NewBody(closeCounter{strings.NewReader("data"), &closes}, 4)
		resp, err := conn.Request(method, "/", nil, body)
		if err == nil {
			mustRead(t, resp)
		}
		if closes != 1 {
			t.Errorf("%s (err %v): body closed %d times, want 1", method, err, closes)
		}
	}
	closes := 0
	cb := rgi.NewChunkedBody(closeCounter{strings.NewReader("1\r\nx\r\n0\r\n\r\n"), &closes})
	conn = rgitest.Connect(t, srv.Client(t, nil))
	if resp, err := conn.Request("POST", "/", nil, cb); err != nil {
		t.Fatal(err)
	} else {
		mustRead(t, resp)
	}
	if closes != 1 {
		t.Errorf("chunked: body closed %d times, want 1", closes)
	}
}
