package rgi_test

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// handshake runs a TLS handshake between the two configs over a loopback
// TCP connection (a synchronous net.Pipe can deadlock when both ends write
// at once, as a refusing client and a server sending its flight do). The server writes one byte after its handshake, so a client whose
// certificate is refused after a TLS 1.3 handshake still sees the failure.
func handshake(t *testing.T, server, client *tls.Config) (state tls.ConnectionState, serverErr, clientErr error) {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b, err := net.Dial("tcp4", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	_ = a.SetDeadline(deadline)
	_ = b.SetDeadline(deadline)
	done := make(chan error, 1)
	go func() {
		s := tls.Server(a, server)
		err := s.Handshake()
		if err == nil {
			_, err = s.Write([]byte("x"))
		}
		a.Close()
		done <- err
	}()
	c := tls.Client(b, client)
	clientErr = c.Handshake()
	if clientErr == nil {
		var buf [1]byte
		_, clientErr = io.ReadFull(c, buf[:])
		state = c.ConnectionState()
	}
	b.Close()
	serverErr = <-done
	return state, serverErr, clientErr
}

func buildServer(t *testing.T, c rgi.SSLConfig) *tls.Config {
	t.Helper()
	cfg, err := rgi.BuildServerTLSConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func buildClient(t *testing.T, c rgi.ClientSSLConfig) *tls.Config {
	t.Helper()
	cfg, err := rgi.BuildClientTLSConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func wantTLSError(t *testing.T, err error, field, reason string) {
	t.Helper()
	var te *rgi.TLSConfigError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *rgi.TLSConfigError", err)
	}
	if te.Field != field || !strings.Contains(te.Reason, reason) {
		t.Fatalf("err = %v (field %q), want field %q and reason containing %q", err, te.Field, field, reason)
	}
}

func TestBuildServerTLSConfigRules(t *testing.T) {
	pki := rgitest.TempPKI(t)
	cfg := buildServer(t, pki.ServerSSLConfig())
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x", cfg.MinVersion)
	}
	if cfg.MaxVersion != 0 {
		t.Errorf("MaxVersion = %x, want 0 (TLS 1.3 allowed)", cfg.MaxVersion)
	}
	want := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}
	if !slices.Equal(cfg.CipherSuites, want) {
		t.Errorf("CipherSuites = %v", cfg.CipherSuites)
	}
	if cfg.ClientAuth != tls.RequireAndVerifyClientCert || cfg.ClientCAs == nil {
		t.Errorf("ClientAuth = %v, ClientCAs = %v", cfg.ClientAuth, cfg.ClientCAs)
	}
	if len(cfg.Certificates) != 1 {
		t.Errorf("Certificates = %d", len(cfg.Certificates))
	}

	anon := buildServer(t, pki.AnonymousServerSSLConfig())
	if anon.ClientAuth != tls.NoClientCert || anon.ClientCAs != nil {
		t.Errorf("anonymous ClientAuth = %v", anon.ClientAuth)
	}
}

func TestBuildServerTLSConfigErrors(t *testing.T) {
	pki := rgitest.TempPKI(t)
	good := pki.ServerSSLConfig()
	empty := t.TempDir()
	junk := filepath.Join(empty, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		edit          func(*rgi.SSLConfig)
		field, reason string
	}{
		{"no cert", func(c *rgi.SSLConfig) { c.CertFile = "" }, "CertFile", "required"},
		{"no key", func(c *rgi.SSLConfig) { c.KeyFile = "" }, "KeyFile", "required"},
		{"no CA, no flag", func(c *rgi.SSLConfig) { c.CAFile = "" }, "CAFile", "AllowUnauthenticatedClients"},
		{"CA and flag", func(c *rgi.SSLConfig) { c.AllowUnauthenticatedClients = true }, "AllowUnauthenticatedClients", "cannot be combined"},
		{"CAPath and flag", func(c *rgi.SSLConfig) { c.CAFile, c.CAPath, c.AllowUnauthenticatedClients = "", pki.Dir, true }, "AllowUnauthenticatedClients", "cannot be combined"},
		{"relative cert", func(c *rgi.SSLConfig) { c.CertFile = "server.cert" }, "CertFile", "not absolute"},
		{"unclean key", func(c *rgi.SSLConfig) { c.KeyFile = pki.Dir + "/./server.key" }, "KeyFile", "not normalised"},
		{"relative CA", func(c *rgi.SSLConfig) { c.CAFile = "ca.pem" }, "CAFile", "not absolute"},
		{"unclean CAPath", func(c *rgi.SSLConfig) { c.CAPath = pki.Dir + "/" }, "CAPath", "not normalised"},
		{"missing cert", func(c *rgi.SSLConfig) { c.CertFile = filepath.Join(empty, "none.cert") }, "CertFile", "cannot load"},
		{"key of another cert", func(c *rgi.SSLConfig) { c.KeyFile = pki.Client.KeyFile }, "CertFile", "cannot load"},
		{"missing CA", func(c *rgi.SSLConfig) { c.CAFile = filepath.Join(empty, "none.pem") }, "CAFile", "cannot read"},
		{"CA without PEM", func(c *rgi.SSLConfig) { c.CAFile = junk }, "CAFile", "no PEM certificate"},
		{"CAPath without PEM", func(c *rgi.SSLConfig) { c.CAFile, c.CAPath = "", empty }, "CAPath", "no PEM certificate"},
		{"missing CAPath", func(c *rgi.SSLConfig) { c.CAFile, c.CAPath = "", filepath.Join(empty, "nodir") }, "CAPath", "cannot read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.edit(&c)
			cfg, err := rgi.BuildServerTLSConfig(c)
			if cfg != nil {
				t.Errorf("got a config with an error")
			}
			wantTLSError(t, err, tc.field, tc.reason)
		})
	}
}

func TestBuildClientTLSConfigErrors(t *testing.T) {
	pki := rgitest.TempPKI(t)
	_, err := rgi.BuildClientTLSConfig(rgi.ClientSSLConfig{KeyFile: pki.Client.KeyFile})
	wantTLSError(t, err, "KeyFile", "without CertFile")
	_, err = rgi.BuildClientTLSConfig(rgi.ClientSSLConfig{NoHostnameCheck: true})
	wantTLSError(t, err, "NoHostnameCheck", "requires CAFile")
	_, err = rgi.BuildClientTLSConfig(rgi.ClientSSLConfig{CAFile: "relative.pem"})
	wantTLSError(t, err, "CAFile", "not absolute")
	_, err = rgi.BuildClientTLSConfig(rgi.ClientSSLConfig{CertFile: pki.Client.CertFile})
	wantTLSError(t, err, "CertFile", "cannot load")

	// With the system roots and no client certificate, the config is valid.
	cfg := buildClient(t, rgi.ClientSSLConfig{ServerName: "example.org"})
	if cfg.RootCAs != nil || cfg.InsecureSkipVerify || cfg.ServerName != "example.org" || cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("system-roots config: %+v", cfg)
	}
}

func TestMutualTLS(t *testing.T) {
	pki := rgitest.TempPKI(t)
	server := pki.ServerTLSConfig(t)

	t.Run("TLS 1.3", func(t *testing.T) {
		st, serr, cerr := handshake(t, server, pki.ClientTLSConfig(t))
		if serr != nil || cerr != nil {
			t.Fatalf("server %v, client %v", serr, cerr)
		}
		if st.Version != tls.VersionTLS13 {
			t.Errorf("version %x", st.Version)
		}
	})
	t.Run("TLS 1.2 suite is ECDHE AES-256-GCM", func(t *testing.T) {
		c := pki.ClientTLSConfig(t)
		c.MaxVersion = tls.VersionTLS12
		st, serr, cerr := handshake(t, server, c)
		if serr != nil || cerr != nil {
			t.Fatalf("server %v, client %v", serr, cerr)
		}
		if st.Version != tls.VersionTLS12 || st.CipherSuite != tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 {
			t.Errorf("version %x suite %s", st.Version, tls.CipherSuiteName(st.CipherSuite))
		}
	})
	t.Run("TLS 1.2 with AES-128 only is refused", func(t *testing.T) {
		c := pki.ClientTLSConfig(t)
		c.MaxVersion = tls.VersionTLS12
		c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305}
		_, serr, cerr := handshake(t, server, c)
		if serr == nil || cerr == nil {
			t.Fatalf("server %v, client %v", serr, cerr)
		}
	})
	t.Run("TLS 1.1 is refused", func(t *testing.T) {
		c := pki.ClientTLSConfig(t)
		c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
		_, serr, cerr := handshake(t, server, c)
		if serr == nil || cerr == nil {
			t.Fatalf("server %v, client %v", serr, cerr)
		}
	})
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run("client without certificate is refused/"+tls.VersionName(v), func(t *testing.T) {
			c := buildClient(t, pki.AnonymousClientSSLConfig())
			c.MaxVersion = v
			_, serr, cerr := handshake(t, server, c)
			if serr == nil || !strings.Contains(serr.Error(), "certificate") {
				t.Errorf("server error %v, want a missing-certificate error", serr)
			}
			if cerr == nil {
				t.Errorf("client got through")
			}
		})
	}
	t.Run("client certificate from another CA is refused", func(t *testing.T) {
		other := rgitest.TempPKI(t)
		_, serr, cerr := handshake(t, server, other.ClientTLSConfig(t))
		// The other PKI's client also distrusts our server's CA.
		if serr == nil || cerr == nil {
			t.Fatalf("server %v, client %v", serr, cerr)
		}
		c := pki.ClientSSLConfig()
		c.CertFile, c.KeyFile = other.Client.CertFile, other.Client.KeyFile
		_, serr, cerr = handshake(t, server, buildClient(t, c))
		if serr == nil || !strings.Contains(serr.Error(), "certificate") || cerr == nil {
			t.Fatalf("server %v, client %v", serr, cerr)
		}
	})
	t.Run("AllowUnauthenticatedClients", func(t *testing.T) {
		anon := buildServer(t, pki.AnonymousServerSSLConfig())
		_, serr, cerr := handshake(t, anon, buildClient(t, pki.AnonymousClientSSLConfig()))
		if serr != nil || cerr != nil {
			t.Fatalf("server %v, client %v", serr, cerr)
		}
	})
	t.Run("CAPath", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "README"), []byte("not a cert"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(pki.ClientCA.CertFile, filepath.Join(dir, "0123abcd.0")); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
		s := pki.ServerSSLConfig()
		s.CAFile, s.CAPath = "", dir
		_, serr, cerr := handshake(t, buildServer(t, s), pki.ClientTLSConfig(t))
		if serr != nil || cerr != nil {
			t.Fatalf("server %v, client %v", serr, cerr)
		}
	})
}

func TestClientServerVerification(t *testing.T) {
	pki := rgitest.TempPKI(t)
	server := buildServer(t, pki.AnonymousServerSSLConfig())
	withName := func(name string, noCheck bool) *tls.Config {
		c := pki.AnonymousClientSSLConfig()
		c.ServerName, c.NoHostnameCheck = name, noCheck
		return buildClient(t, c)
	}
	for _, name := range rgitest.ServerNames {
		if _, serr, cerr := handshake(t, server, withName(name, false)); serr != nil || cerr != nil {
			t.Errorf("name %q: server %v, client %v", name, serr, cerr)
		}
	}
	if _, _, cerr := handshake(t, server, withName("wrong.example", false)); cerr == nil {
		t.Errorf("a wrong server name was accepted")
	}
	if _, serr, cerr := handshake(t, server, withName("wrong.example", true)); serr != nil || cerr != nil {
		t.Errorf("NoHostnameCheck: server %v, client %v", serr, cerr)
	}
	// NoHostnameCheck still verifies the chain.
	other := rgitest.TempPKI(t)
	c := other.AnonymousClientSSLConfig()
	if _, _, cerr := handshake(t, server, buildClient(t, c)); cerr == nil || !strings.Contains(cerr.Error(), "unknown authority") {
		t.Errorf("a server from another CA was accepted: %v", cerr)
	}
	// A client certificate alone (key in the same file).
	both := filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(both, append(append([]byte{}, pki.Client.CertPEM...), pki.Client.KeyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	cc := pki.ClientSSLConfig()
	cc.CertFile, cc.KeyFile = both, ""
	if _, serr, cerr := handshake(t, pki.ServerTLSConfig(t), buildClient(t, cc)); serr != nil || cerr != nil {
		t.Errorf("cert and key in one file: server %v, client %v", serr, cerr)
	}
}
