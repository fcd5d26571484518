package h2server

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/testenv"
)

// h2cTransport is Go's HTTP/2 client (net/http) speaking h2c with prior
// knowledge and nothing else.
func h2cTransport() *http.Transport {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Transport{Protocols: p}
}

// tlsTransport is Go's HTTP/2 client over TLS (ALPN h2 only: a server that
// does not offer h2 fails the handshake instead of falling back).
func tlsTransport() *http.Transport {
	p := new(http.Protocols)
	p.SetHTTP2(true)
	return &http.Transport{Protocols: p, TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
}

// TestGoClient drives the server with Go's HTTP/2 client over
// h2c and TLS: GETs, a POST echo, and many concurrent requests on one connection.
func TestGoClient(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		t.Run(fmt.Sprint("tls=", tlsOn), func(t *testing.T) {
			srv := &Server{Handler: echoFactory}
			base := startServer(t, srv, tlsOn)
			tr := h2cTransport()
			if tlsOn {
				tr = tlsTransport()
			}
			defer tr.CloseIdleConnections()
			cl := &http.Client{Transport: tr}

			resp, err := cl.Get(base + "/x?y=1")
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(t, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || body != "hello, GET /x?y=1\n" || resp.ProtoMajor != 2 {
				t.Fatalf("GET: %d %q proto %d", resp.StatusCode, body, resp.ProtoMajor)
			}
			if resp.ContentLength != int64(len(body)) || resp.Header.Get("Date") == "" {
				t.Errorf("content-length %d, date %q", resp.ContentLength, resp.Header.Get("Date"))
			}

			big := bytes.Repeat([]byte("0123456789"), 300_000) // 3 MB: beyond every window
			resp, err = cl.Post(base+"/echo", "application/octet-stream", bytes.NewReader(big))
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, resp.Body)
			resp.Body.Close()
			if got != string(big) {
				t.Fatalf("POST echo: got %d bytes, want %d", len(got), len(big))
			}

			errs := make(chan error, 200)
			for i := range 200 {
				go func() {
					resp, err := cl.Get(fmt.Sprintf("%s/c/%d", base, i))
					if err != nil {
						errs <- err
						return
					}
					defer resp.Body.Close()
					var buf bytes.Buffer
					buf.ReadFrom(resp.Body)
					if want := fmt.Sprintf("hello, GET /c/%d\n", i); buf.String() != want {
						errs <- fmt.Errorf("got %q, want %q", buf.String(), want)
						return
					}
					errs <- nil
				}()
			}
			for range 200 {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	return testenv.RequireTool(t, name, pkg)
}

// TestCurl fetches with Debian's curl over h2c (--http2-prior-knowledge) and TLS
// (--http2 with ALPN), and checks that an HTTP/1.1 request gets the 505 answer.
func TestCurl(t *testing.T) {
	curl := needTool(t, "curl", "curl")
	h2c := startServer(t, &Server{Handler: echoFactory}, false)
	tlsBase := startServer(t, &Server{Handler: echoFactory}, true)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"h2c", []string{"--http2-prior-knowledge", h2c + "/a"}, "hello, GET /a\n"},
		{"tls", []string{"--http2", "-k", tlsBase + "/b"}, "hello, GET /b\n"},
		{"post", []string{"--http2-prior-knowledge", "--data-binary", "abc", h2c + "/p"}, "abc"},
	} {
		out, err := exec.Command(curl, append([]string{"-sS", "-w", "|%{http_version} %{http_code}"}, tc.args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: curl: %v: %s", tc.name, err, out)
		}
		if want := tc.want + "|2 200"; string(out) != want {
			t.Errorf("%s: curl printed %q, want %q", tc.name, out, want)
		}
	}
	out, err := exec.Command(curl, "-sS", "--http1.1", "-w", "|%{http_code}", h2c+"/").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "505 HTTP Version Not Supported") || !strings.HasSuffix(string(out), "|505") {
		t.Errorf("HTTP/1.1 request: %v: %q", err, out)
	}
	out, err = exec.Command(curl, "-sS", "-k", "--http1.1", "-w", "|%{http_code}", tlsBase+"/").CombinedOutput()
	if err != nil || !strings.HasSuffix(string(out), "|505") {
		t.Errorf("HTTP/1.1 over TLS (ALPN http/1.1): %v: %q", err, out)
	}
}

// TestNghttp fetches with nghttp -nv and checks the frames it reports.
func TestNghttp(t *testing.T) {
	nghttp := needTool(t, "nghttp", "nghttp2-client")
	for _, tlsOn := range []bool{false, true} {
		base := startServer(t, &Server{Handler: echoFactory}, tlsOn)
		out, err := exec.Command(nghttp, "-nv", base+"/n").CombinedOutput()
		if err != nil {
			t.Fatalf("nghttp: %v: %s", err, out)
		}
		s := string(out)
		for _, want := range []string{
			"recv SETTINGS frame", "recv HEADERS frame", ":status: 200", "content-length: 14",
			"recv DATA frame <length=14, flags=0x01, stream_id=13>", "send GOAWAY frame",
		} {
			if !strings.Contains(s, want) {
				t.Errorf("tls=%v: nghttp output lacks %q:\n%s", tlsOn, want, s)
			}
		}
	}
}

// TestH2load runs a short h2load load and requires every request to succeed.
func TestH2load(t *testing.T) {
	h2load := needTool(t, "h2load", "nghttp2-client")
	for _, tlsOn := range []bool{false, true} {
		base := startServer(t, &Server{Handler: echoFactory}, tlsOn)
		out, err := exec.Command(h2load, "-n", "20000", "-c", "10", "-m", "32", base+"/load").CombinedOutput()
		if err != nil {
			t.Fatalf("h2load: %v: %s", err, out)
		}
		m := regexp.MustCompile(`requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored`).FindStringSubmatch(string(out))
		if m == nil || m[1] != "20000" || m[4] != "20000" || m[5] != "0" || m[6] != "0" {
			t.Errorf("tls=%v: h2load did not succeed on every request:\n%s", tlsOn, out)
		}
	}
}

var (
	allocHello  any = []byte("hello, world")
	allocHeader     = []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}
)

// TestServerAllocsPerRequest: through real sockets (h2load over h2c, 10
// connections), the server's allocations do not grow with the number of
// requests: the same 10 connections serving 2,000 or 50,000 requests allocate
// the same (per-connection setup only), i.e. 0 allocations per request once warm.
func TestServerAllocsPerRequest(t *testing.T) {
	h2load := needTool(t, "h2load", "nghttp2-client")
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	srv := &Server{Handler: handler.FactoryFunc(func(s *handler.Stream) { s.SendResponse(200, allocHeader, allocHello) }),
		Config: Config{ReuseStreams: true}}
	base := startServer(t, srv, false)
	mallocs := func(n string) uint64 {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		out, err := exec.Command(h2load, "-n", n, "-c", "10", "-m", "32", base+"/hello.txt").CombinedOutput()
		runtime.ReadMemStats(&b)
		if err != nil || !strings.Contains(string(out), n+" succeeded") {
			t.Fatalf("h2load: %v: %s", err, out)
		}
		return b.Mallocs - a.Mallocs
	}
	mallocs("2000") // warm up
	small, large := mallocs("2000"), mallocs("50000")
	perRequest := (float64(large) - float64(small)) / 48000
	t.Logf("allocations: %d for 2,000 requests, %d for 50,000: %.4f per extra request", small, large, perRequest)
	if perRequest > 0.01 {
		t.Errorf("%.4f allocations per request, want 0", perRequest)
	}
}
