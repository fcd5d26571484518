// Package rgitest provides throw-away servers and certificates for testing
// RGI apps and clients, like Degu's degu.misc helpers (TempServer,
// TempSSLServer, TempPKI).
package rgitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/h2kit/h2kit/rgi"
)

// Cert is one generated certificate with its key, in memory and on disk.
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
// an existing directory. Keys are ECDSA P-256: quick to generate, and
// served with the TLS 1.2 suite ECDHE-ECDSA-AES256-GCM-SHA384 that
// rgi.BuildServerTLSConfig allows.
func NewPKI(dir string) (*PKI, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	p := &PKI{Dir: dir}
	if p.ServerCA, err = newCert(dir, "server-ca", nil, true, nil); err != nil {
		return nil, err
	}
	if p.Server, err = newCert(dir, "server", p.ServerCA, false, ServerNames); err != nil {
		return nil, err
	}
	if p.ClientCA, err = newCert(dir, "client-ca", nil, true, nil); err != nil {
		return nil, err
	}
	if p.Client, err = newCert(dir, "client", p.ClientCA, false, nil); err != nil {
		return nil, err
	}
	return p, nil
}

// newCert creates a key and a certificate signed by parent (self-signed when
// parent is nil) and writes both to dir.
func newCert(dir, name string, parent *Cert, isCA bool, names []string) (*Cert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: "rgitest " + name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		tmpl.MaxPathLenZero = true
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		if names != nil {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		} else {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	signer, signerCert := crypto.Signer(key), tmpl
	if parent != nil {
		signer, signerCert = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("rgitest: certificate %s: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	c := &Cert{
		Cert:     cert,
		Key:      key,
		CertPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:   pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		CertFile: filepath.Join(dir, name+".cert"),
		KeyFile:  filepath.Join(dir, name+".key"),
	}
	if err := os.WriteFile(c.CertFile, c.CertPEM, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(c.KeyFile, c.KeyPEM, 0o600); err != nil {
		return nil, err
	}
	return c, nil
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
