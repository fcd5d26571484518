package rgi

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SSLConfig describes a server's TLS set-up, like Degu's server sslconfig
// dict. Every path must be absolute and normalised.
type SSLConfig struct {
	// CertFile and KeyFile hold the server's PEM certificate chain and key.
	CertFile, KeyFile string
	// CAFile and/or CAPath name the CA certificates (a PEM file, a directory
	// of PEM files) that client certificates must chain to.
	CAFile, CAPath string
	// AllowUnauthenticatedClients must be set, instead of CAFile/CAPath, to
	// accept clients without a certificate. Omitting the CA alone is an
	// error, so anonymous clients are never allowed by accident (Degu,
	// build_server_sslctx).
	AllowUnauthenticatedClients bool
}

// ClientSSLConfig describes a client's TLS set-up, like Degu's client
// sslconfig dict. Every path must be absolute and normalised.
type ClientSSLConfig struct {
	// CAFile and/or CAPath name the CA certificates the server's certificate
	// must chain to. Without them the system roots are used.
	CAFile, CAPath string
	// CertFile and KeyFile hold the optional client certificate and key.
	// KeyFile may be empty when CertFile holds the key too; a KeyFile
	// without a CertFile is an error.
	CertFile, KeyFile string
	// ServerName is sent as SNI and checked against the server's
	// certificate. When empty, Client uses the IP address it dials (Degu's
	// ssl_host); a Unix-socket address has no such default.
	ServerName string
	// NoHostnameCheck verifies the server's chain against the CA but not the
	// name in it (Degu's check_hostname=False, which TempPKI's client config
	// uses). It requires CAFile or CAPath: with the system roots, any
	// certificate of any site would do.
	NoHostnameCheck bool
}

// tls12Suites are the only TLS 1.2 suites offered and accepted: ECDHE key
// exchange (forward secrecy) with AES-256-GCM, as the Degu docs fix the
// cipher to ECDHE-RSA-AES256-GCM-SHA384; the ECDSA twin is allowed for ECDSA
// keys. TLS 1.3 suites are not configurable in Go and are all AEAD with
// ephemeral key exchange.
var tls12Suites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
}

// TLSConfigError reports an SSLConfig or ClientSSLConfig that cannot be
// built.
type TLSConfigError struct {
	Field  string // the offending field, e.g. "CAFile"
	Reason string
	Err    error // the underlying error, if any
}

// Error implements error.
func (e *TLSConfigError) Error() string {
	s := "rgi: TLS config"
	if e.Field != "" {
		s += " " + e.Field
	}
	s += ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *TLSConfigError) Unwrap() error { return e.Err }

func tlsErr(field, reason string, err error) error {
	return &TLSConfigError{Field: field, Reason: reason, Err: err}
}

// checkPath applies Degu's rule that configured paths are absolute and
// normalised, so a config means the same thing whatever the working
// directory.
func checkPath(field, p string) error {
	if !filepath.IsAbs(p) {
		return tlsErr(field, fmt.Sprintf("path %q is not absolute", p), nil)
	}
	if filepath.Clean(p) != p {
		return tlsErr(field, fmt.Sprintf("path %q is not normalised", p), nil)
	}
	return nil
}

// BuildServerTLSConfig returns the opinionated server configuration of the
// Degu docs ("build_server_sslctx"):
//
//   - TLS 1.2 at least (Degu pins exactly 1.2; 1.3 is allowed here because
//     it only removes weaker options);
//   - for TLS 1.2 only ECDHE with AES-256-GCM;
//   - client certificates required and verified against CAFile/CAPath,
//     unless AllowUnauthenticatedClients is set, which cannot be combined
//     with a CA (as in Degu) and is the only way to go without one;
//   - no compression (Go's TLS never compresses) and no renegotiation.
func BuildServerTLSConfig(c SSLConfig) (*tls.Config, error) {
	if c.CertFile == "" {
		return nil, tlsErr("CertFile", "required", nil)
	}
	if c.KeyFile == "" {
		return nil, tlsErr("KeyFile", "required", nil)
	}
	hasCA := c.CAFile != "" || c.CAPath != ""
	switch {
	case c.AllowUnauthenticatedClients && hasCA:
		return nil, tlsErr("AllowUnauthenticatedClients", "cannot be combined with CAFile or CAPath", nil)
	case !c.AllowUnauthenticatedClients && !hasCA:
		return nil, tlsErr("CAFile", "a CA to verify clients (CAFile or CAPath) is required unless AllowUnauthenticatedClients is set", nil)
	}
	cert, err := loadKeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: tls12Suites,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.NoClientCert,
	}
	if hasCA {
		pool, err := loadCAs(c.CAFile, c.CAPath)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// BuildClientTLSConfig returns a client configuration matching
// BuildServerTLSConfig: TLS 1.2 at least with the same TLS 1.2 suites, the
// server verified against CAFile/CAPath (or the system roots), an optional
// client certificate, and ServerName for SNI and the name check.
func BuildClientTLSConfig(c ClientSSLConfig) (*tls.Config, error) {
	if c.KeyFile != "" && c.CertFile == "" {
		return nil, tlsErr("KeyFile", "given without CertFile", nil)
	}
	hasCA := c.CAFile != "" || c.CAPath != ""
	if c.NoHostnameCheck && !hasCA {
		return nil, tlsErr("NoHostnameCheck", "requires CAFile or CAPath (with the system roots any site's certificate would pass)", nil)
	}
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: tls12Suites,
		ServerName:   c.ServerName,
	}
	if hasCA {
		pool, err := loadCAs(c.CAFile, c.CAPath)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if c.CertFile != "" {
		key := c.KeyFile
		if key == "" {
			key = c.CertFile
		}
		cert, err := loadKeyPair(c.CertFile, key)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if c.NoHostnameCheck {
		// crypto/tls can only skip the chain and the name together, so the
		// chain is verified here by hand, without a DNSName.
		roots := cfg.RootCAs
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			return verifyChain(cs.PeerCertificates, roots)
		}
	}
	return cfg, nil
}

// verifyChain checks that a server's certificate chains to roots and may be
// used for server authentication, without checking its name.
func verifyChain(certs []*x509.Certificate, roots *x509.CertPool) error {
	if len(certs) == 0 {
		return errors.New("rgi: server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

func loadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	if err := checkPath("CertFile", certFile); err != nil {
		return tls.Certificate{}, err
	}
	if err := checkPath("KeyFile", keyFile); err != nil {
		return tls.Certificate{}, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, tlsErr("CertFile", "cannot load certificate and key", err)
	}
	return cert, nil
}

// loadCAs reads the CA certificates of a PEM file and of every regular file
// in a directory (symbolic links followed, as in OpenSSL's hashed CA
// directories). Files without a certificate in the directory are skipped,
// but the directory as a whole must give at least one.
func loadCAs(caFile, caPath string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if caFile != "" {
		if err := checkPath("CAFile", caFile); err != nil {
			return nil, err
		}
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, tlsErr("CAFile", "cannot read", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, tlsErr("CAFile", fmt.Sprintf("no PEM certificate in %q", caFile), nil)
		}
	}
	if caPath != "" {
		if err := checkPath("CAPath", caPath); err != nil {
			return nil, err
		}
		entries, err := os.ReadDir(caPath)
		if err != nil {
			return nil, tlsErr("CAPath", "cannot read directory", err)
		}
		found := false
		for _, e := range entries {
			p := filepath.Join(caPath, e.Name())
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			pem, err := os.ReadFile(p)
			if err != nil {
				return nil, tlsErr("CAPath", "cannot read", err)
			}
			if pool.AppendCertsFromPEM(pem) {
				found = true
			}
		}
		if !found {
			return nil, tlsErr("CAPath", fmt.Sprintf("no PEM certificate in directory %q", caPath), nil)
		}
	}
	return pool, nil
}
