package static

import (
	"bytes"
	"net"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi/rgih2"
	"github.com/stretchr/testify/require"
)

// TestCurlSameAnswer: one h2server listener serves the files with the native
// handler to h2c clients and with the RGI app to HTTP/1.1 clients; curl gets
// the same status, fields and content both ways (date aside).
func TestCurlSameAnswer(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	s, err := New(tree(t), testConfig())
	require.NoError(t, err)
	defer s.Close()
	srv := &h2server.Server{Handler: s.Handler()}
	require.NoError(t, rgih2.Fallback(srv, s.App(), nil))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	defer srv.Close()
	url := "http://" + l.Addr().String()

	for _, args := range [][]string{
		{"URL/hello.txt"},
		{"-r", "3-7", "URL/hello.txt"},
		{"URL/big.bin"},
		{"-r", "100-", "URL/big.bin"},
		{"-H", "accept-encoding: br", "URL/app.js"},
		{"-H", "accept: text/plain", "URL/sub/"},
		{"URL/sub"},
		{"URL/escape.txt"},
		{"-I", "URL/big.bin"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			args := slices.Clone(args)
			for i := range args {
				args[i] = strings.Replace(args[i], "URL", url, 1)
			}
			h2 := curl(t, append([]string{"--http2-prior-knowledge"}, args...))
			h1 := curl(t, append([]string{"--http1.1"}, args...))
			require.Equal(t, h1, h2)
		})
	}
}

// curl runs curl and returns the status line's code, the sorted lowercase
// header lines without date and connection, and the content.
func curl(t *testing.T, args []string) string {
	t.Helper()
	out, err := exec.Command("curl", append([]string{"-sS", "-i", "--max-time", "10"}, args...)...).Output()
	require.NoError(t, err, "curl %v", args)
	head, body, _ := bytes.Cut(out, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	status := strings.Fields(lines[0])[1]
	var fields []string
	for _, l := range lines[1:] {
		l = strings.ToLower(l)
		if strings.HasPrefix(l, "date:") || strings.HasPrefix(l, "connection:") {
			continue
		}
		fields = append(fields, l)
	}
	slices.Sort(fields)
	return status + "\n" + strings.Join(fields, "\n") + "\n\n" + string(body)
}
