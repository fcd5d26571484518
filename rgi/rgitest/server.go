package rgitest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/h2kit/h2kit/rgi"
)

// Server is an rgi.Server running in the background (Degu's TempServer, in
// a goroutine rather than a process: Go apps need no pickling and the race
// detector sees both sides). Close stops it.
type Server struct {
	*rgi.Server
	done chan error
}

// Start binds address and serves app on it until Close. config nil serves
// plain HTTP/1.1, otherwise TLS. opts nil means rgi.DefaultOptions().
func Start(config *tls.Config, address string, app rgi.App, opts *rgi.Options) (*Server, error) {
	var srv *rgi.Server
	var err error
	if config != nil {
		srv, err = rgi.NewSSLServer(config, address, app, opts)
	} else {
		srv, err = rgi.NewServer(address, app, opts)
	}
	if err != nil {
		return nil, err
	}
	s := &Server{Server: srv, done: make(chan error, 1)}
	go func() { s.done <- srv.Serve() }()
	return s, nil
}

// Close stops the server, closes its connections and waits for Serve to
// return. Closing twice is harmless.
func (s *Server) Close() error {
	err := s.Server.Close()
	if s.done != nil {
		serveErr := <-s.done
		s.done = nil
		if err == nil && !errors.Is(serveErr, rgi.ErrServerClosed) {
			err = serveErr
		}
	}
	return err
}

// TempServer starts a server for app on address (use FreeAddress to pick
// one of a family) and stops it when tb's test ends. It stops the test if
// the server cannot start.
func TempServer(tb testing.TB, address string, app rgi.App, opts *rgi.Options) *Server {
	tb.Helper()
	return temp(tb, nil, address, app, opts)
}

// TempSSLServer is TempServer over TLS, configured from sslconfig with
// rgi.BuildServerTLSConfig (Degu's TempSSLServer takes the sslconfig dict
// too). Pair it with a client from PKI.ClientSSLConfig.
func TempSSLServer(tb testing.TB, sslconfig rgi.SSLConfig, address string, app rgi.App, opts *rgi.Options) *Server {
	tb.Helper()
	cfg := mustServer(tb, sslconfig)
	return temp(tb, cfg, address, app, opts)
}

func temp(tb testing.TB, cfg *tls.Config, address string, app rgi.App, opts *rgi.Options) *Server {
	tb.Helper()
	s, err := Start(cfg, address, app, opts)
	if err != nil {
		tb.Fatalf("rgitest: start server on %q: %v", address, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("rgitest: close server: %v", err)
		}
	})
	return s
}

// Client returns a client for the server. opts may be nil.
func (s *Server) Client(tb testing.TB, opts *rgi.ClientOptions) *rgi.Client {
	tb.Helper()
	c, err := rgi.NewClient(s.Address(), opts)
	if err != nil {
		tb.Fatalf("rgitest: %v", err)
	}
	return c
}

// SSLClient returns a TLS client for the server built from sslconfig.
func (s *Server) SSLClient(tb testing.TB, sslconfig rgi.ClientSSLConfig, opts *rgi.ClientOptions) *rgi.Client {
	tb.Helper()
	c, err := rgi.NewSSLClient(mustClient(tb, sslconfig), s.Address(), opts)
	if err != nil {
		tb.Fatalf("rgitest: %v", err)
	}
	return c
}

// Connect opens a connection with c and closes it when tb's test ends.
func Connect(tb testing.TB, c *rgi.Client) *rgi.Connection {
	tb.Helper()
	conn, err := c.Connect(context.Background())
	if err != nil {
		tb.Fatalf("rgitest: connect to %s: %v", c.Address(), err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// Families are the address families FreeAddress knows, for tests that run
// over each.
var Families = []rgi.Family{rgi.FamilyTCP4, rgi.FamilyTCP6, rgi.FamilyUnix, rgi.FamilyAbstract}

// ErrNoIPv6 is returned by FreeAddressOf for FamilyTCP6 when the machine
// has no IPv6 loopback.
var ErrNoIPv6 = errors.New("rgitest: no IPv6 loopback on this machine")

// FreeAddressOf returns an address of family that Listen can bind: a
// loopback address with port 0, a path in a new temporary directory (which
// the caller removes), or "@" for a kernel-assigned abstract name.
func FreeAddressOf(family rgi.Family) (address, dir string, err error) {
	switch family {
	case rgi.FamilyTCP4:
		return "127.0.0.1:0", "", nil
	case rgi.FamilyTCP6:
		l, err := rgi.Listen("[::1]:0")
		if err != nil {
			return "", "", fmt.Errorf("%w: %v", ErrNoIPv6, err)
		}
		l.Close()
		return "[::1]:0", "", nil
	case rgi.FamilyUnix:
		// A short directory under the system temp dir: t.TempDir() paths
		// grow with the test name and can pass the 107-byte socket limit.
		dir, err := os.MkdirTemp("", "rgi")
		if err != nil {
			return "", "", err
		}
		return filepath.Join(dir, "rgi.socket"), dir, nil
	case rgi.FamilyAbstract:
		return "@", "", nil
	}
	return "", "", fmt.Errorf("rgitest: unknown family %v", family)
}

// FreeAddress is FreeAddressOf for tests: the temporary directory goes away
// with the test, and a machine without an IPv6 loopback skips the test.
func FreeAddress(tb testing.TB, family rgi.Family) string {
	tb.Helper()
	address, dir, err := FreeAddressOf(family)
	if errors.Is(err, ErrNoIPv6) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	if dir != "" {
		tb.Cleanup(func() { os.RemoveAll(dir) })
	}
	return address
}
