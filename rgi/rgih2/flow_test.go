package rgih2

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingReader gives size bytes, counting what the client has taken.
type countingReader struct {
	n, size int64
	taken   atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.n >= r.size {
		return 0, io.EOF
	}
	m := int(min(int64(len(p)), r.size-r.n))
	for i := range m {
		p[i] = byte(r.n + int64(i))
	}
	r.n += int64(m)
	r.taken.Add(int64(m))
	return m, nil
}

// TestUploadBackPressure: an app that does not read its request body holds
// the upload back: the client cannot send much more than the stream window,
// whatever the body's size; once the app reads, all of it arrives intact.
func TestUploadBackPressure(t *testing.T) {
	const window = 256 << 10
	const size = 8 << 20
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprint("chunked=", chunked), func(t *testing.T) {
			started := make(chan struct{})
			goOn := make(chan struct{})
			app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
				close(started)
				<-goOn
				var n int64
				ok := true
				buf := make([]byte, 10000)
				for {
					m, err := r.Body.Read(buf)
					for i := range m {
						ok = ok && buf[i] == byte(n+int64(i))
					}
					n += int64(m)
					if err == io.EOF {
						break
					}
					if err != nil {
						return rgi.Response{Status: 400, Reason: "Bad Body", Body: err.Error()}
					}
				}
				return rgi.Response{Status: 200, Reason: "OK", Body: fmt.Sprintf("%T %d %v", r.Body, n, ok)}
			})
			b := startBoth(t, app, false, nil, func(c *h2server.Config) { c.InitialWindowSize = window })
			body := &countingReader{size: size}
			req, err := http.NewRequest("PUT", b.url("/up"), body)
			require.NoError(t, err)
			req.ContentLength = size
			want := "*rgi.Body 8388608 true"
			if chunked {
				req.ContentLength = -1
				want = "*rgi.ChunkedBody 8388608 true"
			}
			type result struct {
				resp *http.Response
				err  error
			}
			done := make(chan result, 1)
			go func() {
				resp, err := b.h2.RoundTrip(req)
				done <- result{resp, err}
			}()
			<-started
			// Wait for the upload to stall.
			last := int64(-1)
			for body.taken.Load() != last {
				last = body.taken.Load()
				time.Sleep(200 * time.Millisecond)
			}
			// The window, plus what net/http's h2 client reads ahead into its
			// own buffer while it waits for window.
			assert.Less(t, last, int64(1<<20), "the client sent %d bytes to an app that reads nothing", last)
			close(goOn)
			r := <-done
			require.NoError(t, r.err)
			defer r.resp.Body.Close()
			got, err := io.ReadAll(r.resp.Body)
			require.NoError(t, err)
			assert.Equal(t, 200, r.resp.StatusCode)
			assert.Equal(t, want, string(got))
		})
	}
}

// uploads sends parallel uploads of size bytes on one connection and
// requires them all to finish within a few seconds.
func uploads(t *testing.T, b *both, parallel int, size int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, "PUT", b.url("/up"), &countingReader{size: size})
			req.ContentLength = size
			resp, err := b.h2.RoundTrip(req)
			if !assert.NoError(t, err) {
				return
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			assert.Equal(t, strconv.FormatInt(size, 10), string(got))
		})
	}
	wg.Wait()
}

// countApp reads the request body and answers its length.
var countApp = rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		return rgi.Response{Status: 400, Reason: "Bad Body", Body: err.Error()}
	}
	return rgi.Response{Status: 200, Reason: "OK", Body: strconv.FormatInt(n, 10)}
})

// TestParallelUploads: uploads larger than the stream window, several at once
// on one connection, all complete (default settings).
func TestParallelUploads(t *testing.T) {
	b := startBoth(t, countApp, false, nil, nil)
	uploads(t, b, 4, 3<<20)
}

// TestUploadsSerialized: with Options.Serialize, queued streams hold their
// bodies unread; a connection window of at least twice MaxConcurrentStreams
// stream windows (the engine returns connection window in batches of half of
// it) keeps the upload being served from stalling.
func TestUploadsSerialized(t *testing.T) {
	b := startBoth(t, countApp, false, &Options{Serialize: true}, func(c *h2server.Config) {
		c.MaxConcurrentStreams = 8
		c.InitialWindowSize = 256 << 10
		c.ConnWindowSize = 2 * 8 * 256 << 10
	})
	uploads(t, b, 6, 3<<20)
}

// TestUploadReset: when the client resets the stream in the middle of the
// body, the app's read fails with the stream's error instead of waiting.
func TestUploadReset(t *testing.T) {
	readErr := make(chan error, 1)
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		_, err := io.Copy(io.Discard, r.Body)
		readErr <- err
		return rgi.Response{Status: 200, Reason: "OK"}
	})
	b := startBoth(t, app, false, nil, nil)
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "PUT", b.url("/up"), pr)
	require.NoError(t, err)
	req.ContentLength = 1 << 20
	go func() {
		pw.Write(make([]byte, 1000))
		time.Sleep(100 * time.Millisecond)
		cancel()
	}()
	_, err = b.h2.RoundTrip(req)
	require.Error(t, err)
	select {
	case err := <-readErr:
		assert.ErrorIs(t, err, errStreamClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("the app's read did not fail after the reset")
	}
}
