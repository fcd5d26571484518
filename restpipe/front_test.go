package restpipe

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func startFront(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &Front{Handler: h}
	done := make(chan struct{})
	go func() { defer close(done); f.Serve(ln) }()
	t.Cleanup(func() { f.Close(); <-done })
	return "http://" + ln.Addr().String()
}

func TestFrontsHTTP1AndH2C(t *testing.T) {
	s, c := pair(t, echoRegistry("server"), echoRegistry("client"))
	clientFront := startFront(t, ClientFront(c))
	serverFront := startFront(t, ServerFront(s))

	prior := new(http.Protocols)
	prior.SetUnencryptedHTTP2(true) // h2c with prior knowledge
	h2c := &http.Client{Transport: &http.Transport{Protocols: prior}}
	h1 := &http.Client{Transport: &http.Transport{ForceAttemptHTTP2: false}}
	clients := map[string]*http.Client{"HTTP/1.1": h1, "h2c": h2c}

	tests := []struct {
		method, url, ctype, body string
		status                   int
		code                     string
		wantCT, wantBody         string
	}{
		{"GET", clientFront + "/server/time", "", "", 200, "0", MimeJSON, `{"peer":"node1","side":"server"}`},
		{"GET", clientFront + "/server/cat//hello%20/world", "", "", 200, "0", MimeJSON, `"hello |world"`},
		{"POST", clientFront + "/server/echo", "text/plain", "hi there", 200, "0", "text/plain", "hi there"},
		{"GET", clientFront + "/server/fail", "", "", 200, "1", MimeJSON, `{"error":"disk on fire"}`},
		{"GET", clientFront + "/server/nothing", "", "", 200, "2", MimeJSON, `get_nothing`},
		{"GET", clientFront + "/elsewhere", "", "", 404, "", MimeJSON, `/server/NOUN`},
		{"GET", clientFront + "/server/a%2Fb", "", "", 400, "", MimeJSON, `error`},
		{"GET", serverFront + "/client/node1/time/utc", "", "", 200, "0", MimeJSON, `"utc from client"`},
		{"POST", serverFront + "/client/node1/echo", "image/png", "PNG", 200, "0", "image/png", "PNG"},
		{"GET", serverFront + "/client/nobody/time", "", "", 404, "", MimeJSON, `no such client`},
		{"GET", serverFront + "/client/node1", "", "", 404, "", MimeJSON, `IDENTITY`},
	}
	for proto, hc := range clients {
		for _, tt := range tests {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, tt.url, body)
			require.NoError(t, err)
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			resp, err := hc.Do(req)
			require.NoError(t, err, "%s %s %s", proto, tt.method, tt.url)
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			msg := proto + " " + tt.method + " " + tt.url
			assert.Equal(t, tt.status, resp.StatusCode, msg)
			assert.Equal(t, tt.code, resp.Header.Get("Restpipe-Code"), msg)
			assert.Equal(t, tt.wantCT, resp.Header.Get("Content-Type"), msg)
			if strings.HasPrefix(tt.wantBody, "{") {
				assert.JSONEq(t, tt.wantBody, string(data), msg)
			} else {
				assert.Contains(t, string(data), tt.wantBody, msg)
			}
			if proto == "h2c" {
				assert.Equal(t, 2, resp.ProtoMajor, msg)
			} else {
				assert.Equal(t, 1, resp.ProtoMajor, msg)
			}
		}
	}
}

func TestStatsdEmitter(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer pc.Close()
	m, err := NewMetrics("rp", pc.LocalAddr().String())
	require.NoError(t, err)
	defer m.Close()

	p := newTestPKI(t)
	s := &Server{TLSConfig: p.serverTLS(), Registry: echoRegistry("server"), Metrics: m}
	addr := startServer(t, s)
	c := &Client{Addr: addr, TLSConfig: p.clientTLS(t, "node1")}
	startClient(t, c)
	waitClients(t, s, "node1")
	_, err = c.Call(context.Background(), &Event{Verb: "get", Noun: "time/utc"})
	require.NoError(t, err)

	want := map[string]bool{"rp.pipe.connect:1|c": false, "rp.event.get_time_utc:1|c": false, "rp.event.get_time_utc:": false}
	buf := make([]byte, 1500)
	pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for missing := len(want); missing > 0; {
		n, _, err := pc.ReadFrom(buf)
		require.NoError(t, err, "statsd lines still missing: %v", want)
		line := string(buf[:n])
		for k, seen := range want {
			if !seen && (line == k || strings.HasSuffix(k, ":") && strings.HasPrefix(line, k) && strings.HasSuffix(line, "|ms")) {
				want[k] = true
				missing--
			}
		}
	}
	assert.Equal(t, int64(1), m.Counter("pipe.connect"))
	assert.Equal(t, int64(1), m.Counter("event.get_time_utc"))
	_, timings := m.Snapshot()
	assert.Equal(t, int64(1), timings["event.get_time_utc"].Count)

	off, err := NewMetrics("", "")
	require.NoError(t, err)
	off.Incr("x") // no statsd configured: counted, sent nowhere
	assert.Equal(t, int64(1), off.Counter("x"))
	var nilMetrics *Metrics
	nilMetrics.Incr("x")
}

func TestMetricsCountH2kitRejects(t *testing.T) {
	m, err := NewMetrics("", "")
	require.NoError(t, err)
	p := newTestPKI(t)
	s := &Server{TLSConfig: p.serverTLS(), Metrics: m}
	addr := startServer(t, s)
	cfg := p.clientTLS(t, "node1")
	cfg.NextProtos = []string{"h2"}
	cfg.ServerName = "127.0.0.1"
	conn, err := tls.Dial("tcp", addr, cfg)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("this is not the HTTP/2 connection preface\r\n"))
	require.NoError(t, err)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	io.Copy(io.Discard, conn) // the server closes the connection
	deadline := time.Now().Add(10 * time.Second)
	for m.Counter("h2.reject.bad_preface") != 1 {
		require.True(t, time.Now().Before(deadline), "h2.reject.bad_preface not counted within 10 s")
		time.Sleep(5 * time.Millisecond) // polling
	}
}
