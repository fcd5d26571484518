package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// DefaultValidity is how long a certificate is valid when the caller passes
// a zero duration.
const DefaultValidity = 7 * 24 * time.Hour

// LoopbackNames are the names a loopback server certificate covers:
// "localhost", 127.0.0.1 and ::1.
var LoopbackNames = []string{"localhost", "127.0.0.1", "::1"}

// Cert is a certificate with its private key, parsed and PEM-encoded.
type Cert struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte // "CERTIFICATE" block
	KeyPEM  []byte // PKCS #8 "PRIVATE KEY" block
}

// TLS returns c as a tls.Certificate (with Leaf set) for tls.Config.Certificates.
func (c *Cert) TLS() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{c.Cert.Raw}, PrivateKey: c.Key, Leaf: c.Cert}
}

// WriteFiles writes c's certificate to dir/name.cert (mode 0644) and its key
// to dir/name.key (mode 0600), and returns both absolute paths.
func (c *Cert) WriteFiles(dir, name string) (certFile, keyFile string, err error) {
	if dir, err = filepath.Abs(dir); err != nil {
		return "", "", err
	}
	certFile, keyFile = filepath.Join(dir, name+".cert"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, c.CertPEM, 0o644); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(keyFile, c.KeyPEM, 0o600); err != nil {
		return "", "", err
	}
	return certFile, keyFile, nil
}

// CA is a certificate authority: a self-signed CA certificate whose key
// signs the certificates it issues. It may sign leaf certificates only
// (path length zero).
type CA struct {
	Cert
}

// NewCA makes a certificate authority named commonName, valid for validFor
// (DefaultValidity if zero).
func NewCA(commonName string, validFor time.Duration) (*CA, error) {
	tmpl, err := template(commonName, validFor)
	if err != nil {
		return nil, err
	}
	tmpl.BasicConstraintsValid = true
	tmpl.IsCA = true
	tmpl.MaxPathLenZero = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	c, err := issue(tmpl, nil)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: *c}, nil
}

// IssueServer signs a server certificate for names (DNS names, or IP
// addresses in text form; at least one), with commonName as its subject.
func (ca *CA) IssueServer(commonName string, names []string, validFor time.Duration) (*Cert, error) {
	if len(names) == 0 {
		return nil, errors.New("pki: a server certificate needs at least one name")
	}
	tmpl, err := template(commonName, validFor)
	if err != nil {
		return nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	addNames(tmpl, names)
	return issue(tmpl, ca)
}

// IssueClient signs a client certificate whose subject common name is
// identity: a server that verifies the chain knows the client by it.
func (ca *CA) IssueClient(identity string, validFor time.Duration) (*Cert, error) {
	if identity == "" {
		return nil, errors.New("pki: a client certificate needs an identity")
	}
	tmpl, err := template(identity, validFor)
	if err != nil {
		return nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return issue(tmpl, ca)
}

// Pool returns a certificate pool holding only the CA's certificate, for
// tls.Config.RootCAs (clients) or ClientCAs (servers).
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert.Cert)
	return p
}

// SelfSigned returns an in-memory, self-signed server certificate for names
// (LoopbackNames if none), valid for DefaultValidity: the quick start's
// certificate. Clients must be told to trust it (curl -k, or the
// certificate as the root), as with any self-signed certificate.
func SelfSigned(names ...string) (tls.Certificate, error) {
	if len(names) == 0 {
		names = LoopbackNames
	}
	tmpl, err := template(names[0], DefaultValidity)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	addNames(tmpl, names)
	c, err := issue(tmpl, nil)
	if err != nil {
		return tls.Certificate{}, err
	}
	return c.TLS(), nil
}

// template is the part every certificate shares: a random serial, the
// subject, and the validity window.
func template(commonName string, validFor time.Duration) (*x509.Certificate, error) {
	if validFor == 0 {
		validFor = DefaultValidity
	}
	if validFor < 0 {
		return nil, fmt.Errorf("pki: negative validity %v", validFor)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validFor),
	}, nil
}

func addNames(tmpl *x509.Certificate, names []string) {
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
}

// issue makes a key and signs tmpl with ca's key (self-signed if ca is nil).
func issue(tmpl *x509.Certificate, ca *CA) (*Cert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	parent, signer := tmpl, crypto.Signer(key)
	if ca != nil {
		parent, signer = ca.Cert.Cert, ca.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("pki: certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &Cert{
		Cert:    cert,
		Key:     key,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}
