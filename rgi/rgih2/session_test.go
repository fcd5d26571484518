package rgih2

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/h2kit/h2kit/rgi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hookApp counts connections and requests per session and refuses the
// connections whose hook sees refuse set.
type hookApp struct {
	connects atomic.Int32
	refuse   atomic.Bool
	closed   atomic.Int32
	inApp    atomic.Int32 // app calls in progress
	overlap  atomic.Bool  // two calls of one session overlapped
	tlsSeen  atomic.Bool
	closedCh chan struct{} // if not nil, gets a value per store closed
}

// closer counts its Close calls and signals each on ch (when not nil).
type closer struct {
	n  *atomic.Int32
	ch chan struct{}
}

func (c closer) Close() error {
	c.n.Add(1)
	if c.ch != nil {
		c.ch <- struct{}{}
	}
	return nil
}

func (a *hookApp) OnConnect(conn net.Conn, s *rgi.Session) bool {
	n := a.connects.Add(1)
	s.Store["_conn"] = int(n)
	s.Store["__closer"] = closer{&a.closed, a.closedCh}
	if cs, ok := conn.(interface{ ConnectionState() tls.ConnectionState }); ok && cs.ConnectionState().HandshakeComplete {
		a.tlsSeen.Store(true)
	}
	if _, err := conn.Read(make([]byte, 1)); err != ErrNoIO {
		panic("hook conn readable")
	}
	return !a.refuse.Load()
}

func (a *hookApp) Serve(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	// The store is used without a lock, as over HTTP/1.1.
	n, _ := s.Store["__n"].(int)
	s.Store["__n"] = n + 1
	if a.inApp.Add(1) > 1 {
		a.overlap.Store(true)
	}
	time.Sleep(time.Millisecond)
	a.inApp.Add(-1)
	body := fmt.Sprintf("conn=%v n=%d requests=%d client=%v host=%s", s.Store["_conn"], n+1, s.Requests, s.Client != "", r.Headers["host"])
	return rgi.Response{Status: 200, Reason: "OK", Body: body}
}

func get(t *testing.T, tr h2Client, url string) (string, error) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// TestSessionPerConnection: every stream of a connection sees the same
// session, the hook runs once per connection, with Options.Serialize app
// calls of one connection do not overlap, and a new connection gets a new
// session.
func TestSessionPerConnection(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		t.Run(fmt.Sprint("tls=", tlsOn), func(t *testing.T) {
			app := &hookApp{}
			b := startBoth(t, app, tlsOn, &Options{Serialize: true}, nil)
			const n = 20
			var wg sync.WaitGroup
			bodies := make([]string, n)
			for i := range n {
				wg.Go(func() {
					var err error
					bodies[i], err = get(t, b.h2, b.url("/x"))
					assert.NoError(t, err)
				})
			}
			wg.Wait()
			require.EqualValues(t, 1, app.connects.Load(), "one connection, one hook call")
			assert.False(t, app.overlap.Load(), "app calls of one connection overlapped")
			seen := map[string]bool{}
			for _, body := range bodies {
				assert.Contains(t, body, "conn=1 ")
				assert.Contains(t, body, "client=true host="+b.addr)
				f := strings.Fields(body)
				seen[f[1]] = true // n=...
				k, _ := strconv.Atoi(strings.TrimPrefix(f[1], "n="))
				assert.Equal(t, "requests="+strconv.Itoa(k-1), f[2], "Session.Requests counts completed requests")
			}
			assert.Len(t, seen, n, "every request saw the counts of the ones before: one session")
			assert.Equal(t, tlsOn, app.tlsSeen.Load(), "hook sees the TLS state")

			b.h2.CloseIdleConnections()
			body, err := get(t, b.h2, b.url("/x"))
			require.NoError(t, err)
			assert.Contains(t, body, "conn=2 n=1 requests=0")
		})
	}
}

// TestHookRefuses: a connection whose hook returns false is closed with
// GOAWAY (CANCEL, "connection refused") without a response, and its
// session's store is closed; the next request comes on a new connection,
// which the hook is asked about again.
func TestHookRefuses(t *testing.T) {
	app := &hookApp{closedCh: make(chan struct{}, 3)}
	app.refuse.Store(true)
	b := startBoth(t, app, false, nil, nil)
	for i := range 3 {
		_, err := get(t, b.h2, b.url("/x"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "GOAWAY")
		assert.Contains(t, err.Error(), "ErrCode=CANCEL")
		assert.Contains(t, err.Error(), `debug="connection refused"`)
		waitClosed(t, app.closedCh)
		assert.EqualValues(t, i+1, app.connects.Load(), "one hook call per connection")
	}
	assert.Equal(t, 0, b.a.sessions.len(), "refused sessions forgotten")
}

// waitClosed waits for a store closer to run.
func waitClosed(t *testing.T, ch chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("the session's store was not closed after its connection ended")
	}
}

// TestConcurrentStreams: by default the app serves the streams of a
// connection at once.
func TestConcurrentStreams(t *testing.T) {
	var in, most atomic.Int32
	release := make(chan struct{})
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		n := in.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		if n == 4 {
			close(release)
		}
		<-release
		in.Add(-1)
		return rgi.Response{Status: 200, Reason: "OK", Body: "ok"}
	})
	b := startBoth(t, app, false, nil, nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			body, err := get(t, b.h2, b.url("/"))
			assert.NoError(t, err)
			assert.Equal(t, "ok", body)
		})
	}
	wg.Wait()
	assert.EqualValues(t, 4, most.Load())
}

// TestSessionClosedAfterConnection: when a connection ends its session is
// forgotten and the store's closers are closed, once; a connection still
// open keeps its session.
func TestSessionClosedAfterConnection(t *testing.T) {
	app := &hookApp{closedCh: make(chan struct{}, 2)}
	b := startBoth(t, app, false, nil, nil)
	a := b.a
	_, err := get(t, b.h2, b.url("/x"))
	require.NoError(t, err)
	other := newH2Client(nil)
	_, err = get(t, other, b.url("/x"))
	require.NoError(t, err)
	require.Equal(t, 2, a.sessions.len())
	assert.EqualValues(t, 0, app.closed.Load(), "store closed while its connection is open")

	b.h2.CloseIdleConnections()
	waitClosed(t, app.closedCh)
	assert.Equal(t, 1, a.sessions.len(), "session forgotten; the other one kept")
	assert.EqualValues(t, 1, app.closed.Load())

	other.CloseIdleConnections()
	waitClosed(t, app.closedCh)
	assert.Equal(t, 0, a.sessions.len())
	assert.EqualValues(t, 2, app.closed.Load())
}

// TestSessionOutlivesConnectionForApp: a connection that ends while the app
// still serves one of its requests keeps its store open until the app
// returns.
func TestSessionOutlivesConnectionForApp(t *testing.T) {
	var closed atomic.Int32
	closedCh := make(chan struct{}, 1)
	inApp, release, returned := make(chan struct{}), make(chan struct{}), make(chan struct{})
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		s.Store["__closer"] = closer{&closed, closedCh}
		close(inApp)
		<-release
		defer close(returned)
		return rgi.Response{Status: 200, Reason: "OK", Body: "late"}
	})
	b := startBoth(t, app, false, nil, nil)
	var conn net.Conn
	dialed := make(chan struct{})
	tr := newH2Client(nil)
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		conn = c
		close(dialed)
		return c, err
	}
	go get(t, tr, b.url("/slow"))
	<-dialed
	<-inApp
	require.NoError(t, conn.Close()) // the connection ends under the app
	// The server notices the close (its read fails), closes the streams and
	// cancels the connection's context; the store must stay open.
	deadline := time.After(10 * time.Second)
	for !connEnded(b.a) {
		select {
		case <-deadline:
			t.Fatal("the connection's end was never seen")
		case <-time.After(5 * time.Millisecond):
		}
	}
	assert.EqualValues(t, 0, closed.Load(), "store closed while the app used it")
	close(release)
	<-returned
	waitClosed(t, closedCh)
	assert.Equal(t, 0, b.a.sessions.len())
	assert.EqualValues(t, 1, closed.Load())
}

// connEnded reports whether the end of the connection of a's only session
// has been recorded.
func connEnded(a *adapter) bool {
	a.sessions.mu.Lock()
	defer a.sessions.mu.Unlock()
	for _, cs := range a.sessions.m {
		return cs.ended
	}
	return false
}

// TestDuplicateHeader: a field sent twice is refused with 400, as HTTP/1.1
// refuses a repeated header.
func TestDuplicateHeader(t *testing.T) {
	b := startBoth(t, rgi.AppFunc(site), false, nil, nil)
	req, err := http.NewRequestWithContext(context.Background(), "GET", b.url("/hello"), nil)
	require.NoError(t, err)
	req.Header["X-Twice"] = []string{"1", "2"}
	resp, err := b.h2.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Equal(t, "duplicate header\n", string(body))
}
