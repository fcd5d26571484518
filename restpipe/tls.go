package restpipe

import (
	"crypto/tls"
	"fmt"
	"path/filepath"

	"github.com/h2kit/h2kit/rgi"
)

// ServerTLSConfig builds the server's mutual TLS configuration from PEM files
// with rgi.BuildServerTLSConfig: client certificates required and verified
// against caFile. Relative paths are made absolute.
func ServerTLSConfig(certFile, keyFile, caFile string) (*tls.Config, error) {
	var err error
	for _, p := range []*string{&certFile, &keyFile, &caFile} {
		if *p, err = absPath(*p); err != nil {
			return nil, err
		}
	}
	return rgi.BuildServerTLSConfig(rgi.SSLConfig{CertFile: certFile, KeyFile: keyFile, CAFile: caFile})
}

// ClientTLSConfig builds a client's mutual TLS configuration from PEM files
// with rgi.BuildClientTLSConfig: its certificate, the server verified against
// caFile and serverName (the host of the server's address when empty).
func ClientTLSConfig(certFile, keyFile, caFile, serverName string) (*tls.Config, error) {
	var err error
	for _, p := range []*string{&certFile, &keyFile, &caFile} {
		if *p, err = absPath(*p); err != nil {
			return nil, err
		}
	}
	return rgi.BuildClientTLSConfig(rgi.ClientSSLConfig{CertFile: certFile, KeyFile: keyFile, CAFile: caFile, ServerName: serverName})
}

func absPath(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("restpipe: a certificate, key or CA file is missing")
	}
	return filepath.Abs(p)
}
