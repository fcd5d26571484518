package rgih2

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/h2kit/h2kit/rgi"
)

// closeCounter is a response body source that reports its Close.
type closeCounter struct {
	io.Reader
	closed chan string
	name   string
}

func (c *closeCounter) Close() error { c.closed <- c.name; return nil }

// TestResponseBodyClosedOverH2 pins issue 7 item 8 on the RGI-over-HTTP/2
// path: a response body whose source is an io.Closer (a file, say) is closed
// however the response ends — sent in full, cut short by the client's
// RST_STREAM, a HEAD request that sends no body, and a response the app got
// wrong (replaced by a 500).
func TestResponseBodyClosedOverH2(t *testing.T) {
	const size = 1 << 20 // beyond the stream window: an abort finds it mid-body
	closed := make(chan string, 8)
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, _ rgi.Bodies) rgi.Response {
		src := &closeCounter{Reader: bytes.NewReader(make([]byte, size)), closed: closed, name: r.Method + " " + r.URI}
		status := 200
		if r.URI == "/invalid" {
			status = 99 // no valid final status: the server answers 500
		}
		return rgi.Response{Status: status, Reason: "OK", Headers: map[string]string{}, Body: rgi.NewBody(src, size)}
	})
	opts, _ := quiet()
	b := startBoth(t, app, false, opts, nil)
	wait := func(name string) {
		t.Helper()
		select {
		case got := <-closed:
			if got != name {
				t.Errorf("closed %q, want %q", got, name)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: response body never closed", name)
		}
	}
	do := func(ctx context.Context, method, path string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, b.url(path), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := b.h2.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp
	}

	resp := do(context.Background(), "GET", "/full")
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != size {
		t.Fatalf("full download: %d bytes, %v", n, err)
	}
	resp.Body.Close()
	wait("GET /full")

	ctx, cancel := context.WithCancel(context.Background())
	resp = do(ctx, "GET", "/abort")
	io.ReadFull(resp.Body, make([]byte, 1024))
	cancel() // RST_STREAM(CANCEL) mid-body
	resp.Body.Close()
	wait("GET /abort")

	resp = do(context.Background(), "HEAD", "/head")
	resp.Body.Close()
	wait("HEAD /head")

	resp = do(context.Background(), "GET", "/invalid")
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Errorf("invalid response: status %d, want 500", resp.StatusCode)
	}
	wait("GET /invalid")
}
