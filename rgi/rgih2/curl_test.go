package rgih2

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/internal/testenv"
	"github.com/h2kit/h2kit/rgi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// curlGet fetches path with curl and returns the protocol, status line
// fields and body it reports.
func curlGet(t *testing.T, b *both, proto string, path string, extra ...string) (version, status, body string) {
	t.Helper()
	curl := testenv.RequireTool(t, "curl", "curl")
	args := append([]string{"-sS", "-o", "-", "-w", "\n%{http_version} %{response_code}", proto}, extra...)
	if b.tls {
		c := b.pki.ClientSSLConfig()
		args = append(args, "--cacert", c.CAFile, "--cert", c.CertFile, "--key", c.KeyFile)
	}
	out, err := exec.Command(curl, append(args, b.url(path))...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	s := string(out)
	i := strings.LastIndexByte(s, '\n')
	f := strings.Fields(s[i+1:])
	require.Len(t, f, 2, "%s", out)
	return f[0], f[1], s[:i]
}

// TestCurl: curl gets the same pages over h2 (prior knowledge in cleartext,
// ALPN over mutual TLS) and over HTTP/1.1 from the one server.
func TestCurl(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		opts, _ := quiet()
		b := startBoth(t, rgi.AppFunc(site), tlsOn, opts, nil)
		h2 := "--http2-prior-knowledge"
		if tlsOn {
			h2 = "--http2"
		}
		for _, path := range []string{"/hello", "/nope", "/iter", "/chunks", "/path/x?y"} {
			v2, s2, b2 := curlGet(t, b, h2, path)
			v1, s1, b1 := curlGet(t, b, "--http1.1", path)
			assert.Equal(t, "2", v2, "tls=%v %s", tlsOn, path)
			assert.Equal(t, "1.1", v1, "tls=%v %s", tlsOn, path)
			assert.Equal(t, s1, s2, "tls=%v %s status", tlsOn, path)
			assert.Equal(t, b1, b2, "tls=%v %s body", tlsOn, path)
			assert.NotEmpty(t, b2)
		}
		v, s, body := curlGet(t, b, h2, "/echo", "-X", "PUT", "--data-binary", "posted by curl")
		assert.Equal(t, "2", v)
		assert.Equal(t, "201", s)
		assert.Equal(t, "posted by curl", body)
	}
}
