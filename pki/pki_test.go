package pki

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestIssuedChainsVerify(t *testing.T) {
	ca, err := NewCA("test ca", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.IssueServer("server", []string{"example.test", "127.0.0.1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ca.IssueClient("node-7", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"example.test", "127.0.0.1"} {
		if _, err := srv.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name}); err != nil {
			t.Errorf("server certificate for %s: %v", name, err)
		}
	}
	if _, err := srv.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "other.test"}); err == nil {
		t.Error("server certificate verified for a name it does not have")
	}
	clientUse := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if _, err := cli.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: clientUse}); err != nil {
		t.Errorf("client certificate: %v", err)
	}
	if cli.Cert.Subject.CommonName != "node-7" {
		t.Errorf("client identity = %q", cli.Cert.Subject.CommonName)
	}
	// A server certificate is no client certificate, and the reverse.
	if _, err := srv.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: clientUse}); err == nil {
		t.Error("server certificate accepted for client authentication")
	}
	other, err := NewCA("other ca", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Cert.Verify(x509.VerifyOptions{Roots: other.Pool(), KeyUsages: clientUse}); err == nil {
		t.Error("client certificate verified against another CA")
	}
	if srv.Cert.SerialNumber.Cmp(cli.Cert.SerialNumber) == 0 {
		t.Error("two certificates share a serial number")
	}
}

func TestCAMaySignLeavesOnly(t *testing.T) {
	ca, err := NewCA("test ca", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Cert.Cert.IsCA || !ca.Cert.Cert.MaxPathLenZero {
		t.Errorf("IsCA=%v MaxPathLenZero=%v", ca.Cert.Cert.IsCA, ca.Cert.Cert.MaxPathLenZero)
	}
	leaf, err := ca.IssueClient("x", 0)
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Cert.IsCA {
		t.Error("leaf certificate is a CA")
	}
	if got := leaf.Cert.NotAfter.Sub(leaf.Cert.NotBefore); got < DefaultValidity || got > DefaultValidity+2*time.Hour {
		t.Errorf("validity with 0 = %v, want DefaultValidity plus the hour of skew", got)
	}
}

func TestBadArguments(t *testing.T) {
	ca, err := NewCA("test ca", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.IssueServer("s", nil, time.Hour); err == nil {
		t.Error("IssueServer without names: no error")
	}
	if _, err := ca.IssueClient("", time.Hour); err == nil {
		t.Error("IssueClient without identity: no error")
	}
	if _, err := NewCA("ca", -time.Second); err == nil {
		t.Error("negative validity: no error")
	}
}

func TestWriteFilesLoads(t *testing.T) {
	ca, err := NewCA("test ca", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.IssueServer("server", LoopbackNames, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile, err := srv.WriteFiles(dir, "server")
	if err != nil {
		t.Fatal(err)
	}
	if certFile != filepath.Join(dir, "server.cert") || keyFile != filepath.Join(dir, "server.key") {
		t.Errorf("paths %s %s", certFile, keyFile)
	}
	st, err := os.Stat(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
		t.Errorf("LoadX509KeyPair: %v", err)
	}
}

// TestSelfSignedHandshake runs a real TLS handshake against the quick-start
// certificate, trusting it as its own root.
func TestSelfSignedHandshake(t *testing.T) {
	cert, err := SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.(*tls.Conn).Handshake()
		c.Close()
	}()
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: roots, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	c.Close()
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "::1"}); err != nil {
		t.Errorf("::1: %v", err)
	}
}
