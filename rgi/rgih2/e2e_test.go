package rgih2

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/h2kit/h2kit/rgi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quiet keeps the expected app mistakes out of the test output while still
// recording them.
func quiet() (*Options, *logBuf) {
	buf := &logBuf{changed: make(chan struct{})}
	return &Options{Logger: slog.New(slog.NewTextHandler(buf, nil))}, buf
}

// logBuf records log output written by request goroutines, which may log
// after the client has seen the response (a broken body is logged after the
// stream was reset).
type logBuf struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed and replaced on every Write
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until the log holds want.
func (l *logBuf) waitFor(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		l.mu.Lock()
		found, ch := strings.Contains(l.b.String(), want), l.changed
		l.mu.Unlock()
		if found {
			return
		}
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("never logged %q; log:\n%s", want, l.String())
		}
	}
}

// TestBothProtocols sends a table of requests to one app over HTTP/2 (h2c
// and TLS, net/http's client, through the adapter) and over HTTP/1.1 (rgi's
// client, through the fallback of the same server) and checks that both give
// the same status, headers and body, and the expected ones.
func TestBothProtocols(t *testing.T) {
	small := []byte("some request body\n")
	tests := []struct {
		name         string
		method, path string
		header       map[string]string
		body         []byte
		length       int64 // -1: sent without content-length (h2) / chunked (HTTP/1.1)
		status       int
		wantHeader   string // a line the headers must hold ("" for none)
		wantBody     string // "" to skip
		h2Only       bool   // rgi's client refuses to send the request
	}{
		{"get", "GET", "/hello", nil, nil, 0, 200, "content-length: 13", "hello, world\n", false},
		{"head", "HEAD", "/hello", nil, nil, 0, 200, "content-length: 13", "", false},
		{"path and query", "GET", "/path/a/b/?x=1&y", map[string]string{"x-thing": "42"}, nil, 0, 200, "content-type: text/plain",
			`script=["path"] path=["a" "b" ""] query="x=1&y" hasQuery=true rel=/a/b/?x=1&y x="42"`, false},
		{"empty query", "GET", "/path/c?", nil, nil, 0, 200, "", `script=["path"] path=["c"] query="" hasQuery=true rel=/c? x=""`, false},
		{"put with body", "PUT", "/echo", nil, small, int64(len(small)), 201, "x-kind: *rgi.Body", string(small), false},
		{"post chunked", "POST", "/echo", nil, small, -1, 200, "x-kind: *rgi.ChunkedBody", string(small), false},
		{"post empty", "POST", "/echo", nil, []byte{}, 0, 201, "x-len: 0", "", false},
		{"get no body", "GET", "/echo", nil, nil, 0, 200, "x-kind: <nil>", "", false},
		{"not found", "GET", "/nope", nil, nil, 0, 404, "content-type: text/plain", "no such page\n", false},
		{"panic", "GET", "/panic", nil, nil, 0, 500, "content-type: text/plain", "the application failed\n", false},
		{"uppercase header", "GET", "/upper", nil, nil, 0, 500, "content-length: 45", "the application returned an invalid response\n", false},
		{"framing mismatch", "GET", "/mismatch", nil, nil, 0, 500, "", "the application returned an invalid response\n", false},
		{"hop-by-hop dropped", "GET", "/hop", nil, nil, 0, 200, "x-kept: yes", "hop\n", false},
		{"no content", "GET", "/empty", nil, nil, 0, 204, "x-empty: 1", "", false},
		{"body iter", "GET", "/iter", nil, nil, 0, 200, "content-length: 14", "one two three\n", false},
		{"chunked iter", "GET", "/chunks", nil, nil, 0, 200, "content-type: text/plain", "alpha beta\n", false},
		{"head chunked", "HEAD", "/chunks", nil, nil, 0, 200, "content-type: text/plain", "", false},
		{"large download", "GET", "/big", nil, nil, 0, 200, fmt.Sprintf("content-length: %d", len(bigBody)), string(bigBody), false},
		{"large upload", "PUT", "/echo", nil, bigBody, int64(len(bigBody)), 201, "x-sum: " + checksum(bigBody), string(bigBody), false},
		{"large chunked upload", "POST", "/echo", nil, bigBody, -1, 200, "x-len: " + fmt.Sprint(len(bigBody)), string(bigBody), false},
		{"stream body through", "PUT", "/stream", nil, bigBody, int64(len(bigBody)), 200, fmt.Sprintf("content-length: %d", len(bigBody)), string(bigBody), false},
		{"stream chunked through", "POST", "/stream", nil, bigBody, -1, 200, "x-kind: *rgi.ChunkedBody", string(bigBody), false},
		{"body not allowed", "DELETE", "/echo", nil, small, int64(len(small)), 400, "", "no request body allowed with GET, HEAD or DELETE\n", true},
		{"get with body", "GET", "/hello", nil, small, -1, 400, "content-type: text/plain", "no request body allowed with GET, HEAD or DELETE\n", true},
		{"interim status", "GET", "/interim", nil, nil, 0, 500, "content-type: text/plain", "the application returned an invalid response\n", true},
		// Every method token reaches the app (rgi.NewRequest), which answers.
		{"other method", "PATCH", "/hello", nil, nil, 0, 200, "content-length: 13", "hello, world\n", true},
		{"unknown method", "BREW", "/hello", nil, nil, 0, 200, "content-length: 13", "hello, world\n", true},
		{"bad path", "GET", "/a/../b", nil, nil, 0, 400, "", "bad path component\n", true},
		{"bad header name", "GET", "/hello", map[string]string{"x_under": "1"}, nil, 0, 400, "", "bad header name\n", true},
		{"header name too long", "GET", "/hello", map[string]string{strings.Repeat("x", 33): "1"}, nil, 0, 400, "", "header name longer than 32 bytes\n", true},
	}
	for _, tlsOn := range []bool{false, true} {
		t.Run(fmt.Sprint("tls=", tlsOn), func(t *testing.T) {
			opts, logs := quiet()
			b := startBoth(t, rgi.AppFunc(site), tlsOn, opts, nil)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					h2, err := b.viaH2(t, tc.method, tc.path, tc.header, tc.body, tc.length)
					require.NoError(t, err)
					if tc.h2Only {
						assert.Equal(t, tc.status, h2.Status, "h2 status")
						assert.Contains(t, strings.Split(h2.Headers, "\n"), "content-type: text/plain")
						assert.Equal(t, tc.wantBody, h2.Body)
						return
					}
					h1 := b.viaHTTP1(t, tc.method, tc.path, tc.header, tc.body, tc.length)
					assert.Equal(t, tc.status, h2.Status, "h2 status")
					if tc.wantHeader != "" {
						assert.Contains(t, strings.Split(h2.Headers, "\n"), tc.wantHeader, "h2 headers")
					}
					if tc.wantBody != "" {
						assert.True(t, h2.Body == tc.wantBody, "h2 body: %.200q", h2.Body)
					}
					if tc.method == "HEAD" || tc.status == 204 {
						assert.Empty(t, h2.Body)
					}
					assert.Equal(t, h1.Status, h2.Status, "status h1 vs h2")
					assert.Equal(t, h1.Headers, h2.Headers, "headers h1 vs h2")
					assert.True(t, h1.Body == h2.Body, "body h1 (%d bytes) vs h2 (%d bytes)", len(h1.Body), len(h2.Body))
				})
			}
			logs.waitFor(t, "app panicked")
			logs.waitFor(t, "bad response from app")
		})
	}
}

// TestBrokenResponseBody: a response body that breaks its promise (shorter or
// longer than its content length, a chunk sequence without its last chunk, a
// panic in the app's sequence) resets the stream, where HTTP/1.1 closes the
// connection; the mistake is logged and the server carries on.
func TestBrokenResponseBody(t *testing.T) {
	opts, logs := quiet()
	b := startBoth(t, rgi.AppFunc(site), false, opts, nil)
	for _, path := range []string{"/short", "/long-iter", "/panic-iter", "/no-last-chunk"} {
		_, err := b.viaH2(t, "GET", path, nil, nil, 0)
		assert.Error(t, err, path)
	}
	for _, want := range []string{"body source ends before its content length", "body source exceeds its content length",
		"response body panicked: the body fell over", "chunked body ended without an empty last chunk"} {
		logs.waitFor(t, want)
	}
	got, err := b.viaH2(t, "GET", "/hello", nil, nil, 0)
	require.NoError(t, err)
	assert.Equal(t, "hello, world\n", got.Body)
}
