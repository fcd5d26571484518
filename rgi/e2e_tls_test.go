package rgi_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// certApp records the client certificate's subject in OnConnect (under a
// "_" key, the hook's prefix) and answers it on every request.
type certApp struct {
	connects, requests atomic.Int32
}

func (a *certApp) OnConnect(conn net.Conn, s *rgi.Session) bool {
	a.connects.Add(1)
	tc, ok := conn.(*tls.Conn)
	if !ok {
		return false
	}
	user := "anonymous"
	if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
		user = certs[0].Subject.CommonName
	}
	s.Store["_user"] = user
	return true
}

func (a *certApp) Serve(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	a.requests.Add(1)
	return rgi.Response{Status: 200, Reason: "OK", Body: s.Store["_user"].(string)}
}

func TestE2EMutualTLS(t *testing.T) {
	pki := rgitest.TempPKI(t)
	for _, fam := range rgitest.Families {
		t.Run(fam.String(), func(t *testing.T) {
			app := &certApp{}
			srv := rgitest.TempSSLServer(t, pki.ServerSSLConfig(), rgitest.FreeAddress(t, fam), app, nil)

			conn := rgitest.Connect(t, srv.SSLClient(t, pki.ClientSSLConfig(), nil))
			st, ok := conn.ConnectionState()
			if !ok || !st.HandshakeComplete {
				t.Fatalf("not a TLS connection: %v", ok)
			}
			for range 2 {
				resp, err := conn.Get("/", nil)
				if err != nil {
					t.Fatal(err)
				}
				if got := mustRead(t, resp); got != "rgitest client" {
					t.Fatalf("server saw client %q", got)
				}
			}

			// A client without a certificate is refused: the TLS 1.3
			// handshake completes on the client's side, and the server's
			// alert arrives on the first read.
			anon, err := rgi.NewSSLClient(mustClientTLS(t, pki.AnonymousClientSSLConfig()), srv.Address(), nil)
			if err != nil {
				t.Fatal(err)
			}
			before := app.requests.Load()
			c, err := anon.Connect(context.Background())
			if err == nil {
				_, err = c.Get("/", nil)
				if !c.Closed() {
					t.Errorf("connection not closed after an error")
				}
			}
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Fatalf("client without certificate: %v", err)
			}
			// The same over TLS 1.2, where the handshake itself fails.
			cfg12 := mustClientTLS(t, pki.AnonymousClientSSLConfig())
			cfg12.MaxVersion = tls.VersionTLS12
			anon12, err := rgi.NewSSLClient(cfg12, srv.Address(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := anon12.Connect(context.Background()); err == nil {
				t.Fatal("TLS 1.2 client without certificate connected")
			}
			if app.requests.Load() != before {
				t.Fatalf("the app served a client without a certificate")
			}

			// A client that does not trust the server's CA gives up.
			other := rgitest.TempPKI(t)
			stranger, err := rgi.NewSSLClient(mustClientTLS(t, other.ClientSSLConfig()), srv.Address(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := stranger.Connect(context.Background()); err == nil || !strings.Contains(err.Error(), "unknown authority") {
				t.Fatalf("client of another PKI: %v", err)
			}
		})
	}
}

func TestE2EAllowUnauthenticatedClients(t *testing.T) {
	pki := rgitest.TempPKI(t)
	app := &certApp{}
	srv := rgitest.TempSSLServer(t, pki.AnonymousServerSSLConfig(), "127.0.0.1:0", app, nil)
	for _, cfg := range []rgi.ClientSSLConfig{pki.AnonymousClientSSLConfig(), pki.ClientSSLConfig()} {
		conn := rgitest.Connect(t, srv.SSLClient(t, cfg, nil))
		resp, err := conn.Get("/", nil)
		if err != nil {
			t.Fatal(err)
		}
		// The server asks for no certificate, so even a client that has
		// one stays anonymous.
		if got := mustRead(t, resp); got != "anonymous" {
			t.Fatalf("user %q", got)
		}
	}
}

func TestE2ESSLClientServerName(t *testing.T) {
	pki := rgitest.TempPKI(t)
	checked := pki.ClientSSLConfig()
	checked.NoHostnameCheck = false

	// Over TCP the client checks the IP address it dials (Degu's ssl_host).
	for _, fam := range []rgi.Family{rgi.FamilyTCP4, rgi.FamilyTCP6} {
		srv := rgitest.TempSSLServer(t, pki.ServerSSLConfig(), rgitest.FreeAddress(t, fam), &certApp{}, nil)
		conn := rgitest.Connect(t, srv.SSLClient(t, checked, nil))
		if _, err := conn.Get("/", nil); err != nil {
			t.Fatalf("%v: %v", fam, err)
		}
		wrong := checked
		wrong.ServerName = "wrong.example"
		c := srv.SSLClient(t, wrong, nil)
		if _, err := c.Connect(context.Background()); err == nil || !strings.Contains(err.Error(), "wrong.example") {
			t.Fatalf("%v: wrong server name: %v", fam, err)
		}
	}

	// A Unix socket has no host to check: a name must be given.
	srv := rgitest.TempSSLServer(t, pki.ServerSSLConfig(), rgitest.FreeAddress(t, rgi.FamilyUnix), &certApp{}, nil)
	var oe *rgi.OptionError
	if _, err := rgi.NewSSLClient(mustClientTLS(t, checked), srv.Address(), nil); !errors.As(err, &oe) {
		t.Fatalf("Unix address without ServerName: %v", err)
	}
	named := checked
	named.ServerName = "localhost"
	conn := rgitest.Connect(t, srv.SSLClient(t, named, nil))
	if _, err := conn.Get("/", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := rgi.NewSSLClient(nil, srv.Address(), nil); !errors.As(err, &oe) {
		t.Fatalf("nil config: %v", err)
	}
}

func mustClientTLS(t *testing.T, c rgi.ClientSSLConfig) *tls.Config {
	t.Helper()
	cfg, err := rgi.BuildClientTLSConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
