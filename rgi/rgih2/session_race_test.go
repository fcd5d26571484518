package rgih2

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/h2kit/h2kit/rgi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSessionRequestsConcurrentStreams: without Serialize, streams of one
// connection run the app at once. A call reads Session.Requests while another
// request of the connection completes: under -race that must not be a data
// race (the app cannot take the adapter's lock), and the count still counts
// the completed requests.
func TestSessionRequestsConcurrentStreams(t *testing.T) {
	entered, proceed := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	stores := map[string]bool{}
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, _ rgi.Bodies) rgi.Response {
		mu.Lock()
		stores[fmt.Sprintf("%p", s.Store)] = true
		mu.Unlock()
		if r.URI == "/wait" {
			entered <- struct{}{}
			// Watch the count while another request completes, as an app
			// polling it would: nothing orders these reads after the
			// adapter's update but the adapter itself.
			for s.Requests == 0 {
				select {
				case <-proceed:
					return rgi.Response{Status: 200, Reason: "OK", Body: fmt.Sprintf("requests=%d", s.Requests)}
				default:
					runtime.Gosched()
				}
			}
		}
		return rgi.Response{Status: 200, Reason: "OK", Body: fmt.Sprintf("requests=%d", s.Requests)}
	})
	b := startBoth(t, app, false, nil, nil)
	var wg sync.WaitGroup
	var waited string
	wg.Go(func() {
		var err error
		waited, err = get(t, b.h2, b.url("/wait"))
		assert.NoError(t, err)
	})
	<-entered
	body, err := get(t, b.h2, b.url("/x")) // completes while /wait is in the app
	require.NoError(t, err)
	assert.Equal(t, "requests=0", body)
	close(proceed)
	wg.Wait()
	assert.Contains(t, []string{"requests=0", "requests=1"}, waited)
	body, err = get(t, b.h2, b.url("/x"))
	require.NoError(t, err)
	assert.Equal(t, "requests=2", body, "after two completed requests")
	assert.Len(t, stores, 1, "every stream of the connection shares one Store")
}

// TestRootPathEmpty: rgi/app.go says the Path of "/" is [] (empty, not nil),
// as the HTTP/1.1 server gives it; HTTP/2 must give the same.
func TestRootPathEmpty(t *testing.T) {
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, _ rgi.Bodies) rgi.Response {
		return rgi.Response{Status: 200, Reason: "OK", Body: fmt.Sprintf("nil=%v len=%d script-nil=%v", r.Path == nil, len(r.Path), r.Script == nil)}
	})
	b := startBoth(t, app, false, nil, nil)
	h2, err := b.viaH2(t, "GET", "/", nil, nil, 0)
	require.NoError(t, err)
	h1 := b.viaHTTP1(t, "GET", "/", nil, nil, 0)
	assert.Equal(t, "nil=false len=0 script-nil=false", strings.TrimSpace(h1.Body), "HTTP/1.1")
	assert.Equal(t, h1.Body, h2.Body, "HTTP/2 as HTTP/1.1")
}
