package h2server_test

import (
	"encoding/base64"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/rgi/rgih2"
)

// An h2c upgrade through the RGI fallback is one connection: counted once,
// reported new, http1, then active and idle as HTTP/2, then closed.
func TestConnStateUpgrade(t *testing.T) {
	var mu sync.Mutex
	var states []h2server.ConnState
	closed := make(chan struct{})
	srv := &h2server.Server{Handler: echoFactory, ConnState: func(_ handler.ConnInfo, st h2server.ConnState) {
		mu.Lock()
		states = append(states, st)
		mu.Unlock()
		if st == h2server.StateClosed {
			close(closed)
		}
	}}
	if err := rgih2.Fallback(srv, rgiApp, nil); err != nil {
		t.Fatal(err)
	}
	base := startServer(t, srv, false)
	nc := dialBase(t, base)
	// SETTINGS_MAX_CONCURRENT_STREAMS = 100: the window stays the default.
	io.WriteString(nc, upgradeRequest("/up", base64.RawURLEncoding.EncodeToString([]byte{0, 3, 0, 0, 0, 100}), ""))
	got := make([]byte, len(h2server.SwitchingProtocols))
	if _, err := io.ReadFull(nc, got); err != nil || string(got) != h2server.SwitchingProtocols {
		t.Fatalf("101: %q %v", got, err)
	}
	c := dialClient(t, nc)
	c.Until(func(f http2.Frame) bool { d, ok := f.(*http2.DataFrame); return ok && d.StreamEnded() })
	nc.Close()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("no StateClosed")
	}
	mu.Lock()
	defer mu.Unlock()
	want := []h2server.ConnState{h2server.StateNew, h2server.StateHTTP1, h2server.StateActive, h2server.StateIdle, h2server.StateClosed}
	if !slices.Equal(states, want) {
		t.Errorf("states %v, want %v", states, want)
	}
	if st := srv.Stats(); st.ConnectionsAccepted != 1 || st.ConnectionsClosed != 1 || st.StreamsOpened != 1 {
		t.Errorf("accepted %d, closed %d, streams %d; want 1, 1, 1", st.ConnectionsAccepted, st.ConnectionsClosed, st.StreamsOpened)
	}
}
