package restpipe

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/h2kit/h2kit/pki"
	"github.com/stretchr/testify/require"
)

// testPKI is a CA with a loopback server certificate.
type testPKI struct {
	ca     *pki.CA
	server *pki.Cert
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	ca, err := pki.NewCA("restpipe test CA", 0)
	require.NoError(t, err)
	srv, err := ca.IssueServer("restpipe server", pki.LoopbackNames, 0)
	require.NoError(t, err)
	return &testPKI{ca: ca, server: srv}
}

func (p *testPKI) serverTLS() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{p.server.TLS()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.ca.Pool(),
	}
}

func (p *testPKI) clientTLS(t testing.TB, identity string) *tls.Config {
	t.Helper()
	c, err := p.ca.IssueClient(identity, 0)
	require.NoError(t, err)
	return &tls.Config{Certificates: []tls.Certificate{c.TLS()}, RootCAs: p.ca.Pool()}
}

// startServer serves s on a loopback port until the test ends.
func startServer(t testing.TB, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ln) }()
	t.Cleanup(func() { s.Close(); <-done })
	return ln.Addr().String()
}

// startClient runs c until the test ends and waits for its pipe.
func startClient(t testing.TB, c *Client) {
	t.Helper()
	if c.MinBackoff == 0 {
		c.MinBackoff = 10 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	require.NoError(t, c.WaitConnected(wctx), "client did not connect within 10 s")
}

// waitClients polls until the server's registered clients are want.
func waitClients(t testing.TB, s *Server, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := s.Clients()
		if len(got) == len(want) {
			eq := true
			for i := range got {
				eq = eq && got[i] == want[i]
			}
			if eq {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server clients %v, want %v after 10 s", got, want)
		}
		time.Sleep(5 * time.Millisecond) // polling, not synchronization
	}
}

// pair starts a server and a client "node1" with the given registries.
func pair(t testing.TB, sreg, creg *Registry) (*Server, *Client) {
	t.Helper()
	p := newTestPKI(t)
	s := &Server{TLSConfig: p.serverTLS(), Registry: sreg}
	addr := startServer(t, s)
	c := &Client{Addr: addr, TLSConfig: p.clientTLS(t, "node1"), Registry: creg}
	startClient(t, c)
	waitClients(t, s, "node1")
	return s, c
}

// gate is a handler that blocks until released.
type gate struct {
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func newGate() *gate { return &gate{entered: make(chan struct{}, 1000), release: make(chan struct{})} }

func (g *gate) handler(ctx context.Context, ev *Event) (any, error) {
	g.entered <- struct{}{}
	select {
	case <-g.release:
		return "released", nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }
