package restpipe

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freezer is a TCP proxy whose connections can be frozen: bytes stop flowing
// both ways but no socket closes, as when a network path dies silently.
type freezer struct {
	ln     net.Listener
	target string
	frozen chan struct{}
	once   sync.Once
	mu     sync.Mutex
	conns  []net.Conn
}

func newFreezer(t *testing.T, target string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &freezer{ln: ln, target: target, frozen: make(chan struct{})}
	go f.accept()
	t.Cleanup(func() {
		ln.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
	})
	return f
}

func (f *freezer) accept() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", f.target)
		if err != nil {
			c.Close()
			continue
		}
		f.mu.Lock()
		f.conns = append(f.conns, c, u)
		f.mu.Unlock()
		go f.copy(u, c)
		go f.copy(c, u)
	}
}

func (f *freezer) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		select {
		case <-f.frozen:
			<-make(chan struct{}) // swallow everything from now on; sockets stay open
		default:
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (f *freezer) freeze() { f.once.Do(func() { close(f.frozen) }) }

func TestDeadPipeDetectedBothSides(t *testing.T) {
	p := newTestPKI(t)
	serverDown := make(chan error, 1)
	g := newGate()
	defer g.open()
	sreg := echoRegistry("server")
	sreg.Handle("get", "slow", g.handler)
	s := &Server{TLSConfig: p.serverTLS(), Registry: sreg, PipeIdleTimeout: 300 * time.Millisecond,
		OnDisconnect: func(id string, err error) { serverDown <- err }}
	addr := startServer(t, s)
	fz := newFreezer(t, addr)

	clientDown := make(chan error, 10)
	c := &Client{
		Addr: fz.ln.Addr().String(), TLSConfig: p.clientTLS(t, "node1"),
		PingIdle: 100 * time.Millisecond, PingTimeout: 100 * time.Millisecond, HeartbeatInterval: 50 * time.Millisecond,
		MinBackoff: time.Hour, MaxBackoff: time.Hour,
		OnDisconnect: func(err error) { clientDown <- err },
	}
	c.TLSConfig.ServerName = "127.0.0.1"
	startClient(t, c)
	waitClients(t, s, "node1")

	inflight := make(chan error, 1)
	go func() {
		_, err := c.Call(context.Background(), &Event{Verb: "get", Noun: "slow"})
		inflight <- err
	}()
	<-g.entered
	fz.freeze()

	for name, ch := range map[string]chan error{"client (PING)": clientDown, "server (heartbeats)": serverDown, "call in flight": inflight} {
		select {
		case err := <-ch:
			assert.Error(t, err, name)
			if name == "call in flight" {
				assert.ErrorIs(t, err, ErrPipeClosed)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the dead pipe was not detected within 10 s", name)
		}
	}
	assert.False(t, c.Connected())
	waitClients(t, s)
	_, err := c.Call(context.Background(), &Event{Verb: "get", Noun: "time"})
	assert.ErrorIs(t, err, ErrNotConnected)
}

func TestClientReconnectsAfterServerRestart(t *testing.T) {
	p := newTestPKI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	s1 := &Server{TLSConfig: p.serverTLS(), Registry: echoRegistry("first")}
	go s1.Serve(ln)

	var mu sync.Mutex
	var connects, disconnects int
	c := &Client{Addr: addr, TLSConfig: p.clientTLS(t, "node1"), MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		OnConnect:    func() { mu.Lock(); connects++; mu.Unlock() },
		OnDisconnect: func(error) { mu.Lock(); disconnects++; mu.Unlock() },
	}
	startClient(t, c)
	s1.Close()

	// Keep the port down for a few failed attempts, then serve again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		d := disconnects
		mu.Unlock()
		if d >= 3 {
			break
		}
		require.True(t, time.Now().Before(deadline), "client made %d attempts in 10 s", d)
		time.Sleep(5 * time.Millisecond) // polling
	}
	ln2, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	s2 := &Server{TLSConfig: p.serverTLS(), Registry: echoRegistry("second")}
	go s2.Serve(ln2)
	defer s2.Close()
	waitClients(t, s2, "node1")
	require.NoError(t, c.WaitConnected(context.Background()))
	r, err := c.Call(context.Background(), &Event{Verb: "get", Noun: "time/utc"})
	require.NoError(t, err)
	assert.Equal(t, `"utc from second"`, string(r.Data))
	mu.Lock()
	assert.Equal(t, 2, connects)
	mu.Unlock()
}

func TestBackoff(t *testing.T) {
	const lo, hi = 100 * time.Millisecond, 30 * time.Second
	tests := []struct {
		n      int
		random float64
		want   time.Duration
	}{
		{0, 0, 50 * time.Millisecond},
		{0, 0.999999, 100 * time.Millisecond},
		{1, 0, 100 * time.Millisecond},
		{3, 0, 400 * time.Millisecond},
		{8, 0, 12800 * time.Millisecond},
		{9, 0, 15 * time.Second}, // 51.2 s capped at 30 s, half of it
		{10, 0, 15 * time.Second},
		{1000, 0.999999, 30 * time.Second},
	}
	for _, tt := range tests {
		got := backoff(tt.n, lo, hi, func() float64 { return tt.random })
		assert.InDelta(t, float64(tt.want), float64(got), float64(time.Millisecond), "attempt %d, random %v", tt.n, tt.random)
	}
}
