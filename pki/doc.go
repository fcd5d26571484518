// Package pki makes X.509 certificates and keys for development, tests and
// small private deployments: a self-signed server certificate for a quick
// start, and certificate authorities that issue server and client
// certificates for mutual TLS (what rgi.BuildServerTLSConfig and
// rgi.BuildClientTLSConfig load, and what rgi/rgitest.TempPKI writes).
//
// A TLS hello-world needs no openssl:
//
//	cert, err := pki.SelfSigned("localhost", "127.0.0.1", "::1")
//	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
//
// Keys are ECDSA P-256: quick to generate, and served with every TLS suite
// that RFC 9113 §9.2.2 allows. Serial numbers are random, so that clients that
// cached an earlier certificate never see two with the same serial. Validity
// starts an hour in the past to tolerate clock skew between hosts.
package pki
