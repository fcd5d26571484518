package rgitest_test

import (
	"crypto/x509"
	"fmt"
	"os"

	"github.com/h2kit/h2kit/rgi/rgitest"
)

// A throw-away PKI outside a test (inside one, TempPKI cleans up by itself):
// the server certificate verifies against the server CA, for every name in
// ServerNames.
func ExampleNewPKI() {
	dir, err := os.MkdirTemp("", "pki")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	p, err := rgitest.NewPKI(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	roots := x509.NewCertPool()
	roots.AddCert(p.ServerCA.Cert)
	for _, name := range rgitest.ServerNames {
		_, err := p.Server.Cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: name})
		fmt.Println(name, err == nil)
	}
	// Output:
	// localhost true
	// 127.0.0.1 true
	// ::1 true
}
