package restpipe

import (
	"context"
	"crypto/tls"
	"errors"
	"testing"
	"time"

	"github.com/h2kit/h2kit/pki"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runUntilDisconnect runs c until its first OnDisconnect and returns that error.
func runUntilDisconnect(t *testing.T, c *Client) error {
	t.Helper()
	got := make(chan error, 1)
	c.OnDisconnect = func(err error) {
		select {
		case got <- err:
		default:
		}
	}
	connected := make(chan struct{}, 1)
	c.OnConnect = func() { connected <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	defer func() { cancel(); <-done }()
	select {
	case err := <-got:
		select {
		case <-connected:
			t.Fatal("the client's pipe came up")
		default:
		}
		return err
	case <-connected:
		t.Fatal("the client's pipe came up")
	case <-time.After(10 * time.Second):
		t.Fatal("no connection failure reported within 10 s")
	}
	return nil
}

func TestClientFromAnotherCARefused(t *testing.T) {
	p := newTestPKI(t)
	s := &Server{TLSConfig: p.serverTLS(), Registry: echoRegistry("server")}
	addr := startServer(t, s)

	other, err := pki.NewCA("another CA", 0)
	require.NoError(t, err)
	foreign, err := other.IssueClient("node1", 0)
	require.NoError(t, err)
	c := &Client{Addr: addr, TLSConfig: &tls.Config{Certificates: []tls.Certificate{foreign.TLS()}, RootCAs: p.ca.Pool()}}
	err = runUntilDisconnect(t, c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate", "the refusal names the certificate: %v", err)
	assert.Empty(t, s.Clients())

	// No certificate at all is refused too.
	c = &Client{Addr: addr, TLSConfig: &tls.Config{RootCAs: p.ca.Pool()}}
	require.Error(t, runUntilDisconnect(t, c))
	assert.Empty(t, s.Clients())
}

func TestIdentitySpoofingRefused(t *testing.T) {
	p := newTestPKI(t)
	s := &Server{TLSConfig: p.serverTLS(), Registry: echoRegistry("server")}
	addr := startServer(t, s)
	victim := &Client{Addr: addr, TLSConfig: p.clientTLS(t, "victim"), Registry: echoRegistry("victim")}
	startClient(t, victim)
	waitClients(t, s, "victim")

	// mallory holds a valid certificate of the CA and claims victim's identity.
	mallory := &Client{Addr: addr, TLSConfig: p.clientTLS(t, "mallory"), Identity: "victim"}
	err := runUntilDisconnect(t, mallory)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 403, se.Status)
	assert.Contains(t, se.Body, "does not match")
	assert.Equal(t, []string{"victim"}, s.Clients(), "victim's registration survives")

	r, err := s.Call(context.Background(), "victim", &Event{Verb: "get", Noun: "time"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"side":"victim","peer":"server"}`, string(r.Data))
}

func TestServerRequiresClientCertificates(t *testing.T) {
	p := newTestPKI(t)
	cfg := p.serverTLS()
	cfg.ClientAuth = tls.RequestClientCert
	s := &Server{TLSConfig: cfg}
	require.ErrorContains(t, s.Serve(nil), "RequireAndVerifyClientCert")
}

func TestReconnectReplacesRegistrationAtomically(t *testing.T) {
	p := newTestPKI(t)
	s := &Server{TLSConfig: p.serverTLS()}
	addr := startServer(t, s)
	g := newGate()
	defer g.open()
	reg1 := NewRegistry()
	reg1.Handle("get", "slow", g.handler)
	reg1.Handle("get", "who", func(context.Context, *Event) (any, error) { return "first", nil })
	first := &Client{Addr: addr, TLSConfig: p.clientTLS(t, "node1"), Registry: reg1, MaxBackoff: time.Hour, MinBackoff: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); first.Run(ctx) }()
	defer func() { cancel(); <-done }()
	require.NoError(t, first.WaitConnected(context.Background()))
	waitClients(t, s, "node1")

	inflight := make(chan error, 1)
	go func() {
		_, err := s.Call(context.Background(), "node1", &Event{Verb: "get", Noun: "slow"})
		inflight <- err
	}()
	<-g.entered

	// The same identity connects again (a restarted process).
	reg2 := NewRegistry()
	reg2.Handle("get", "who", func(context.Context, *Event) (any, error) { return "second", nil })
	second := &Client{Addr: addr, TLSConfig: p.clientTLS(t, "node1"), Registry: reg2}
	startClient(t, second)

	select {
	case err := <-inflight:
		require.ErrorIs(t, err, ErrPipeClosed)
		assert.Contains(t, err.Error(), "replaced")
	case <-time.After(10 * time.Second):
		t.Fatal("the call in flight on the replaced pipe did not fail within 10 s")
	}
	r, err := s.Call(context.Background(), "node1", &Event{Verb: "get", Noun: "who"})
	require.NoError(t, err)
	assert.Equal(t, `"second"`, string(r.Data))
	assert.Equal(t, []string{"node1"}, s.Clients())
}

func TestCallErrors(t *testing.T) {
	g := newGate()
	defer g.open()
	sreg, creg := echoRegistry("server"), echoRegistry("client")
	sreg.Handle("get", "slow", g.handler)
	creg.Handle("get", "slow", g.handler)
	s, c := pair(t, sreg, creg)

	_, err := s.Call(context.Background(), "nobody", &Event{Verb: "get", Noun: "time"})
	require.ErrorIs(t, err, ErrNoSuchClient)

	for name, call := range directions(s, c) {
		t.Run(name+"/timeout", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := call(ctx, &Event{Verb: "get", Noun: "slow"})
			require.ErrorIs(t, err, ErrTimeout)
			require.ErrorIs(t, err, context.DeadlineExceeded)
		})
		t.Run(name+"/invalid", func(t *testing.T) {
			_, err := call(context.Background(), &Event{Verb: "GET /x", Noun: "time"})
			require.Error(t, err)
			_, err = call(context.Background(), &Event{Verb: "get"})
			require.Error(t, err)
		})
	}

	// The pipe goes down: calls in flight both ways fail with ErrPipeClosed.
	g2 := newGate()
	defer g2.open()
	sreg.Handle("get", "slow2", g2.handler)
	creg.Handle("get", "slow2", g2.handler)
	results := make(chan error, 2)
	for _, call := range directions(s, c) {
		go func() {
			_, err := call(context.Background(), &Event{Verb: "get", Noun: "slow2"})
			results <- err
		}()
	}
	<-g2.entered
	<-g2.entered
	require.NoError(t, s.Close())
	for range 2 {
		select {
		case err := <-results:
			require.True(t, errors.Is(err, ErrPipeClosed), "got %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("a call in flight did not fail within 10 s of the server closing")
		}
	}
}
