// Package rgitest provides throw-away servers and certificates for testing
// RGI apps and clients, like Degu's degu.misc helpers (TempServer,
// TempSSLServer, TempPKI).
package rgitest

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"testing"
	"time"

	"github.com/h2kit/h2kit/pki"
	"github.com/h2kit/h2kit/rgi"
)

// Cert is one generated certificate with its key, in memory and on disk
// (made by package pki).
type Cert struct {
	Cert     *x509.Certificate
	Key      crypto.Signer
	CertPEM  []byte
	KeyPEM   []byte
	CertFile string // absolute path of CertPEM
	KeyFile  string // absolute path of KeyPEM
}

// PKI is a throw-away public-key infrastructure: a server CA that signs the
// server certificate and a separate client CA that signs the client
// certificate, as in Degu's TempPKI. All files live in Dir.
type PKI struct {
	Dir      string
	ServerCA *Cert
	Server   *Cert
	ClientCA *Cert
	Client   *Cert
}

// ServerNames are the names and addresses the server certificate is valid
// for: the loopback addresses a TempSSLServer listens on, plus "localhost".
var ServerNames = []string{"localhost", "127.0.0.1", "::1"}

// TempPKI generates a PKI in a directory removed when tb's test ends. It
// stops the test on failure.
func TempPKI(tb testing.TB) *PKI {
	tb.Helper()
	p, err := NewPKI(tb.TempDir())
	if err != nil {
		tb.Fatalf("rgitest: TempPKI: %v", err)
	}
	return p
}

// NewPKI generates a PKI and writes its PEM files into dir, which must be
// an existing directory. Keys are ECDSA P-256 (package pki): quick to
// generate, and served with the TLS 1.2 suite ECDHE-ECDSA-AES256-GCM-SHA384
// that rgi.BuildServerTLSConfig allows.
func NewPKI(dir string) (*PKI, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	serverCA, err := pki.NewCA("rgitest server-ca", 24*time.Hour)
	if err != nil {
		return nil, err
	}
	clientCA, err := pki.NewCA("rgitest client-ca", 24*time.Hour)
	if err != nil {
		return nil, err
	}
	server, err := serverCA.IssueServer("rgitest server", ServerNames, 24*time.Hour)
	if err != nil {
		return nil, err
	}
	client, err := clientCA.IssueClient("rgitest client", 24*time.Hour)
	if err != nil {
		return nil, err
	}
	p := &PKI{Dir: dir}
	for _, c := range []struct {
		dst  **Cert
		name string
		cert *pki.Cert
	}{
		{&p.ServerCA, "server-ca", &serverCA.Cert},
		{&p.Server, "server", server},
		{&p.ClientCA, "client-ca", &clientCA.Cert},
		{&p.Client, "client", client},
	} {
		certFile, keyFile, err := c.cert.WriteFiles(dir, c.name)
		if err != nil {
			return nil, err
		}
		*c.dst = &Cert{Cert: c.cert.Cert, Key: c.cert.Key, CertPEM: c.cert.CertPEM, KeyPEM: c.cert.KeyPEM, CertFile: certFile, KeyFile: keyFile}
	}
	return p, nil
}

// ServerSSLConfig is the server side of mutual TLS: the server certificate,
// and the client CA to verify client certificates with.
func (p *PKI) ServerSSLConfig() rgi.SSLConfig {
	return rgi.SSLConfig{CertFile: p.Server.CertFile, KeyFile: p.Server.KeyFile, CAFile: p.ClientCA.CertFile}
}

// AnonymousServerSSLConfig is a server configuration that accepts clients
// without a certificate.
func (p *PKI) AnonymousServerSSLConfig() rgi.SSLConfig {
	return rgi.SSLConfig{CertFile: p.Server.CertFile, KeyFile: p.Server.KeyFile, AllowUnauthenticatedClients: true}
}

// ClientSSLConfig is the client side of mutual TLS: the server CA and the
// client certificate. Like Degu's, it skips the host name check (the chain
// is still verified), so it also works over Unix sockets.
func (p *PKI) ClientSSLConfig() rgi.ClientSSLConfig {
	return rgi.ClientSSLConfig{CAFile: p.ServerCA.CertFile, CertFile: p.Client.CertFile, KeyFile: p.Client.KeyFile, NoHostnameCheck: true}
}

// AnonymousClientSSLConfig is ClientSSLConfig without a client certificate.
func (p *PKI) AnonymousClientSSLConfig() rgi.ClientSSLConfig {
	return rgi.ClientSSLConfig{CAFile: p.ServerCA.CertFile, NoHostnameCheck: true}
}

// ServerTLSConfig builds ServerSSLConfig, stopping the test on failure.
func (p *PKI) ServerTLSConfig(tb testing.TB) *tls.Config {
	tb.Helper()
	return mustServer(tb, p.ServerSSLConfig())
}

// ClientTLSConfig builds ClientSSLConfig, stopping the test on failure.
func (p *PKI) ClientTLSConfig(tb testing.TB) *tls.Config {
	tb.Helper()
	return mustClient(tb, p.ClientSSLConfig())
}

func mustServer(tb testing.TB, c rgi.SSLConfig) *tls.Config {
	tb.Helper()
	cfg, err := rgi.BuildServerTLSConfig(c)
	if err != nil {
		tb.Fatalf("rgitest: %v", err)
	}
	return cfg
}

func mustClient(tb testing.TB, c rgi.ClientSSLConfig) *tls.Config {
	tb.Helper()
	cfg, err := rgi.BuildClientTLSConfig(c)
	if err != nil {
		tb.Fatalf("rgitest: %v", err)
	}
	return cfg
}
