package rgih2

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi"
)

// TestRecycledStreamsUnderReset: with ReuseStreams, thousands of back-to-back
// requests on one connection, each streamed by its request goroutine and
// reset by the client mid-response. The request goroutines outlive their
// streams; they must neither reach the recycled Streams (the race detector
// tells) nor see another request's strings, and Session.Requests must be
// readable by the app while other streams complete.
func TestRecycledStreamsUnderReset(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	var mu sync.Mutex
	var bad []string
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, _ rgi.Bodies) rgi.Response {
		tag := r.Headers["x-tag"]
		_ = s.Requests // read while other streams complete
		want := r.URI
		return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{}, Body: rgi.NewChunkedBodyIter(func(yield func(rgi.Chunk) bool) {
			chunk := []byte(want + ";")
			for {
				if r.Headers["x-tag"] != tag || r.URI != want || tag != want {
					mu.Lock()
					bad = append(bad, want+" saw "+r.Headers["x-tag"])
					mu.Unlock()
					return
				}
				if !yield(rgi.Chunk{Data: chunk}) {
					return
				}
			}
		})}
	})
	opts, _ := quiet()
	b := startBoth(t, app, false, opts, func(c *h2server.Config) {
		c.ReuseStreams = true
		c.ResetBurst, c.ResetRate = 2*n, 1 // every reset is the client's own
	})
	for i := range n {
		path := "/stream/" + strconv.Itoa(i)
		ctx, cancel := context.WithCancel(context.Background())
		req, err := http.NewRequestWithContext(ctx, "GET", b.url(path), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("x-tag", path)
		resp, err := b.h2.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		buf := make([]byte, len(path)+1)
		if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != path+";" {
			t.Fatalf("%s: got %q, %v", path, buf, err)
		}
		cancel() // RST_STREAM(CANCEL) mid-response
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("%d requests saw another request's strings, e.g. %s", len(bad), bad[0])
	}
}
