package rgitest

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/rgi"
)

func TestTempPKI(t *testing.T) {
	p := TempPKI(t)
	pool := func(c *Cert) *x509.CertPool {
		x := x509.NewCertPool()
		x.AddCert(c.Cert)
		return x
	}
	// The server certificate chains to the server CA, for each name, and
	// only for server authentication.
	for _, name := range ServerNames {
		if _, err := p.Server.Cert.Verify(x509.VerifyOptions{DNSName: name, Roots: pool(p.ServerCA)}); err != nil {
			t.Errorf("server cert for %q: %v", name, err)
		}
	}
	if _, err := p.Server.Cert.Verify(x509.VerifyOptions{Roots: pool(p.ClientCA)}); err == nil {
		t.Error("server cert verifies against the client CA")
	}
	if _, err := p.Server.Cert.Verify(x509.VerifyOptions{Roots: pool(p.ServerCA), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("server cert is usable as a client cert")
	}
	// The client certificate chains to the client CA, for client auth only.
	if _, err := p.Client.Cert.Verify(x509.VerifyOptions{Roots: pool(p.ClientCA), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client cert: %v", err)
	}
	if _, err := p.Client.Cert.Verify(x509.VerifyOptions{Roots: pool(p.ClientCA)}); err == nil {
		t.Error("client cert is usable as a server cert")
	}
	if !p.ServerCA.Cert.IsCA || !p.ClientCA.Cert.IsCA || p.Server.Cert.IsCA || p.Client.Cert.IsCA {
		t.Error("CA flags wrong")
	}
	// The files are where the configs say, keys private to the user.
	for _, c := range []*Cert{p.ServerCA, p.Server, p.ClientCA, p.Client} {
		if filepath.Dir(c.CertFile) != p.Dir || !filepath.IsAbs(c.CertFile) {
			t.Errorf("cert file %q not in %q", c.CertFile, p.Dir)
		}
		fi, err := os.Stat(c.KeyFile)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("key file %q: %v %v", c.KeyFile, fi.Mode(), err)
		}
		if b, err := os.ReadFile(c.CertFile); err != nil || string(b) != string(c.CertPEM) {
			t.Errorf("cert file %q: %v", c.CertFile, err)
		}
	}
	if c := p.ServerSSLConfig(); c.CAFile != p.ClientCA.CertFile || c.AllowUnauthenticatedClients {
		t.Errorf("ServerSSLConfig %+v", c)
	}
	if c := p.AnonymousServerSSLConfig(); c.CAFile != "" || !c.AllowUnauthenticatedClients {
		t.Errorf("AnonymousServerSSLConfig %+v", c)
	}
	if c := p.ClientSSLConfig(); c.CAFile != p.ServerCA.CertFile || c.CertFile != p.Client.CertFile || !c.NoHostnameCheck {
		t.Errorf("ClientSSLConfig %+v", c)
	}
	if c := p.AnonymousClientSSLConfig(); c.CertFile != "" || c.KeyFile != "" {
		t.Errorf("AnonymousClientSSLConfig %+v", c)
	}
	// Two PKIs share nothing.
	q := TempPKI(t)
	if _, err := q.Server.Cert.Verify(x509.VerifyOptions{Roots: pool(p.ServerCA)}); err == nil {
		t.Error("another PKI's server cert verifies against this CA")
	}
	if p.ServerTLSConfig(t) == nil || p.ClientTLSConfig(t) == nil {
		t.Error("nil config")
	}
}

func TestNewPKIBadDir(t *testing.T) {
	if _, err := NewPKI(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("NewPKI in a missing directory succeeded")
	}
}

func TestFreeAddressOf(t *testing.T) {
	for _, fam := range Families {
		addr, dir, err := FreeAddressOf(fam)
		if errors.Is(err, ErrNoIPv6) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		a, err := rgi.ParseAddress(addr)
		if err != nil || a.Family != fam {
			t.Fatalf("%v: %q parses as %v, %v", fam, addr, a.Family, err)
		}
		if (dir != "") != (fam == rgi.FamilyUnix) || dir != "" && !strings.HasPrefix(addr, dir+"/") {
			t.Fatalf("%v: dir %q for %q", fam, dir, addr)
		}
		l, err := rgi.Listen(addr)
		if err != nil {
			t.Fatalf("%v: %v", fam, err)
		}
		l.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	if _, _, err := FreeAddressOf(rgi.Family(99)); err == nil {
		t.Fatal("unknown family accepted")
	}
}

func TestStartErrors(t *testing.T) {
	app := rgi.AppFunc(func(*rgi.Session, *rgi.Request, rgi.Bodies) rgi.Response { return rgi.Response{} })
	if _, err := Start(nil, "127.0.0.1:0", app, &rgi.Options{}); err == nil {
		t.Fatal("zero options accepted")
	}
	if _, err := Start(nil, "bad", app, nil); err == nil {
		t.Fatal("bad address accepted")
	}
}
