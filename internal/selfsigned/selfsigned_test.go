package selfsigned

import (
	"crypto/x509"
	"testing"
	"time"
)

// TestCertificateVerifies checks that the certificate verifies as a server
// certificate for every loopback name it claims, and only for those.
func TestCertificateVerifies(t *testing.T) {
	cert, err := Certificate("test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: roots}); err == nil {
		t.Error("example.com verified; want a hostname error")
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: roots, CurrentTime: time.Now().Add(2 * time.Hour)}); err == nil {
		t.Error("verified after validFor; want an expiry error")
	}
	if got := cert.Leaf.Subject.CommonName; got != "test" {
		t.Errorf("CommonName = %q", got)
	}
}
