package rgih2

import (
	"fmt"
	"io"
	"net/http"
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
			// The window, plus what x/net's client reads ahead into its
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
