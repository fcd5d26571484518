package static

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/handler/handlertest"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgih2"
	"github.com/h2kit/h2kit/rgi/rgitest"
	"github.com/stretchr/testify/require"
)

// answer is one response reduced to what must agree across front ends.
type answer struct {
	Status int
	Header map[string]string // lowercase names, without date
	Body   string
}

// tree writes the test site into a new directory and returns it. big.bin is
// larger than the SmallFile the tests configure (1 KiB), so it is streamed.
func tree(t *testing.T) string {
	t.Helper()
	outside := t.TempDir()
	write(t, filepath.Join(outside, "secret.txt"), "secret\n")
	dir := t.TempDir()
	files := map[string]string{
		"index.html":         "<h1>home</h1>\n",
		"hello.txt":          "hello, world\n",
		"sub/a.txt":          "a\n",
		"sub/c d.css":        "body{}\n",
		"sub/deep/x.js":      "x()\n",
		"app.js":             "console.log('identity')\n",
		"app.js.br":          "BR-ENCODED",
		"app.js.gz":          "GZ-ENCODED-BYTES",
		"plain.js":           "plain()\n",
		"empty":              "",
		"big.bin":            strings.Repeat("0123456789abcdef", 1000),
		"withidx/index.html": "idx\n",
	}
	for n, c := range files {
		write(t, filepath.Join(dir, n), c)
	}
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "escape.txt")))
	require.NoError(t, os.Symlink("../"+filepath.Base(outside), filepath.Join(dir, "escdir")))
	require.NoError(t, os.Symlink("hello.txt", filepath.Join(dir, "link.txt")))
	// A fixed mtime makes If-Modified-Since cases independent of the clock.
	mt := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for n := range files {
		require.NoError(t, os.Chtimes(filepath.Join(dir, n), mt, mt))
	}
	return dir
}

func write(t *testing.T, name, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
	require.NoError(t, os.WriteFile(name, []byte(content), 0o644))
}

func testConfig() *Config {
	return &Config{SmallFile: 1024, Listing: true, Precompressed: true}
}

type frontCase struct {
	name   string
	method string
	target string
	header map[string]string
	status int
	check  func(t *testing.T, a answer)
	// rgiRefuses: the RGI engine's strict request-target rules (no empty,
	// "." or ".." components, no "%" escapes it does not allow) answer 400
	// before the app sees the request.
	rgiRefuses bool
	// httpRefuses: net/http answers 400 itself (a target url.ParseRequestURI
	// rejects), or its client cannot send the target in origin form.
	httpRefuses bool
}

func hasHeader(name, value string) func(t *testing.T, a answer) {
	return func(t *testing.T, a answer) {
		t.Helper()
		require.Equal(t, value, a.Header[name], "header %s", name)
	}
}

func bodyIs(body string) func(t *testing.T, a answer) {
	return func(t *testing.T, a answer) {
		t.Helper()
		require.Equal(t, body, a.Body)
	}
}

func all(fs ...func(t *testing.T, a answer)) func(t *testing.T, a answer) {
	return func(t *testing.T, a answer) {
		t.Helper()
		for _, f := range fs {
			f(t, a)
		}
	}
}

const modDate = "Fri, 02 Jan 2026 03:04:05 GMT"

var big = strings.Repeat("0123456789abcdef", 1000)

var frontCases = []frontCase{
	{name: "file", target: "/hello.txt", status: 200, check: all(bodyIs("hello, world\n"),
		hasHeader("content-type", "text/plain; charset=utf-8"), hasHeader("content-length", "13"),
		hasHeader("last-modified", modDate), hasHeader("accept-ranges", "bytes"), hasHeader("vary", ""))},
	{name: "head", method: "HEAD", target: "/hello.txt", status: 200, check: all(bodyIs(""), hasHeader("content-length", "13"))},
	{name: "query ignored", target: "/hello.txt?x=1", status: 200, check: bodyIs("hello, world\n")},
	{name: "escaped name", target: "/sub/c%20d.css", status: 200, check: hasHeader("content-type", "text/css; charset=utf-8")},
	{name: "empty file", target: "/empty", status: 200, check: all(bodyIs(""), hasHeader("content-length", "0"))},
	{name: "root index", target: "/", status: 200, check: all(bodyIs("<h1>home</h1>\n"), hasHeader("content-type", "text/html; charset=utf-8"))},
	{name: "dir index", target: "/withidx/", status: 200, check: bodyIs("idx\n")},
	{name: "dir redirect", target: "/sub", status: 301, check: hasHeader("location", "/sub/")},
	{name: "dir redirect keeps query", target: "/sub/deep?a=b", status: 301, check: hasHeader("location", "/sub/deep/?a=b")},
	{name: "redirect escapes query", target: "/sub?q=\xc3\xa9", status: 301, check: hasHeader("location", "/sub/?q=%C3%A9"), rgiRefuses: true},
	{name: "redirect escapes controls", target: "/sub?q= x\x7f", status: 301, check: hasHeader("location", "/sub/?q=%20x%7F"), rgiRefuses: true, httpRefuses: true},
	{name: "no open redirect", target: "//sub", status: 301, check: hasHeader("location", "/sub/"), rgiRefuses: true, httpRefuses: true},
	{name: "listing html", target: "/sub/", status: 200, check: all(hasHeader("content-type", "text/html; charset=utf-8"),
		hasHeader("vary", "accept"), func(t *testing.T, a answer) {
			require.Contains(t, a.Body, `<a href="./a.txt">a.txt</a>`)
			require.Contains(t, a.Body, `<a href="./c%20d.css">c d.css</a>`)
			require.Contains(t, a.Body, `<a href="./deep/">deep/</a>`)
		})},
	{name: "listing plain", target: "/sub/", header: map[string]string{"accept": "text/plain"}, status: 200,
		check: all(hasHeader("content-type", "text/plain; charset=utf-8"), bodyIs("a.txt\nc d.css\ndeep/\n"))},
	{name: "listing html preferred", target: "/sub/", header: map[string]string{"accept": "text/plain;q=0.5, text/html"}, status: 200,
		check: hasHeader("content-type", "text/html; charset=utf-8")},
	{name: "missing", target: "/nope.txt", status: 404, check: hasHeader("content-type", "text/plain; charset=utf-8")},
	{name: "file as dir", target: "/hello.txt/", status: 404},
	{name: "file under file", target: "/hello.txt/x", status: 404},
	{name: "dotdot stays in root", target: "/../../hello.txt", status: 200, check: bodyIs("hello, world\n"), rgiRefuses: true},
	{name: "escaped dotdot", target: "/sub/%2e%2e/hello.txt", status: 200, check: bodyIs("hello, world\n")},
	{name: "symlink escape", target: "/escape.txt", status: 404},
	{name: "symlink dir escape", target: "/escdir/secret.txt", status: 404},
	{name: "symlink inside", target: "/link.txt", status: 200, check: bodyIs("hello, world\n")},
	{name: "backslash", target: "/sub%5c..%5chello.txt", status: 400},
	{name: "bad escape", target: "/%zz", status: 400, rgiRefuses: true, httpRefuses: true},
	{name: "post", method: "POST", target: "/hello.txt", status: 405, check: hasHeader("allow", "GET, HEAD")},
	{name: "delete", method: "DELETE", target: "/", status: 405, check: hasHeader("allow", "GET, HEAD")},
	{name: "range", target: "/hello.txt", header: map[string]string{"range": "bytes=0-4"}, status: 206,
		check: all(bodyIs("hello"), hasHeader("content-range", "bytes 0-4/13"), hasHeader("content-length", "5"))},
	{name: "range suffix", target: "/hello.txt", header: map[string]string{"range": "bytes=-6"}, status: 206,
		check: all(bodyIs("world\n"), hasHeader("content-range", "bytes 7-12/13"))},
	{name: "range open", target: "/hello.txt", header: map[string]string{"range": "bytes=7-"}, status: 206, check: bodyIs("world\n")},
	{name: "range clamps", target: "/hello.txt", header: map[string]string{"range": "bytes=7-999"}, status: 206, check: bodyIs("world\n")},
	{name: "range unsatisfiable", target: "/hello.txt", header: map[string]string{"range": "bytes=13-"}, status: 416,
		check: hasHeader("content-range", "bytes */13")},
	{name: "range multiple ignored", target: "/hello.txt", header: map[string]string{"range": "bytes=0-1,3-4"}, status: 200, check: bodyIs("hello, world\n")},
	{name: "range bad unit", target: "/hello.txt", header: map[string]string{"range": "lines=0-1"}, status: 200},
	{name: "range on head ignored", method: "HEAD", target: "/hello.txt", header: map[string]string{"range": "bytes=0-1"}, status: 200},
	{name: "if-range date matches", target: "/hello.txt", header: map[string]string{"range": "bytes=0-4", "if-range": modDate}, status: 206},
	{name: "if-range date differs", target: "/hello.txt", header: map[string]string{"range": "bytes=0-4", "if-range": "Fri, 02 Jan 2026 03:04:06 GMT"}, status: 200},
	{name: "if-range weak etag", target: "/hello.txt", header: map[string]string{"range": "bytes=0-4", "if-range": `W/"x"`}, status: 200},
	{name: "if-range other etag", target: "/hello.txt", header: map[string]string{"range": "bytes=0-4", "if-range": `"x"`}, status: 200},
	{name: "ims not modified", target: "/hello.txt", header: map[string]string{"if-modified-since": modDate}, status: 304,
		check: all(bodyIs(""), hasHeader("last-modified", modDate), hasHeader("content-length", ""))},
	{name: "ims modified", target: "/hello.txt", header: map[string]string{"if-modified-since": "Fri, 02 Jan 2026 03:04:04 GMT"}, status: 200},
	{name: "inm star", target: "/hello.txt", header: map[string]string{"if-none-match": "*"}, status: 304},
	{name: "inm other wins over ims", target: "/hello.txt", header: map[string]string{"if-none-match": `"nope"`, "if-modified-since": modDate}, status: 200},
	{name: "big", target: "/big.bin", status: 200, check: all(bodyIs(big), hasHeader("content-length", "16000"),
		hasHeader("content-type", "application/octet-stream"))},
	{name: "big range", target: "/big.bin", header: map[string]string{"range": "bytes=15990-"}, status: 206, check: bodyIs("6789abcdef")},
	{name: "big head", method: "HEAD", target: "/big.bin", status: 200, check: all(bodyIs(""), hasHeader("content-length", "16000"))},
	{name: "precompressed br", target: "/app.js", header: map[string]string{"accept-encoding": "gzip, deflate, br"}, status: 200,
		check: all(bodyIs("BR-ENCODED"), hasHeader("content-encoding", "br"), hasHeader("vary", "accept-encoding"),
			hasHeader("content-type", "text/javascript; charset=utf-8"))},
	{name: "precompressed gzip by q", target: "/app.js", header: map[string]string{"accept-encoding": "br;q=0.5, gzip"}, status: 200,
		check: all(bodyIs("GZ-ENCODED-BYTES"), hasHeader("content-encoding", "gzip"))},
	{name: "precompressed refused", target: "/app.js", header: map[string]string{"accept-encoding": "br;q=0, gzip;q=0"}, status: 200,
		check: all(bodyIs("console.log('identity')\n"), hasHeader("content-encoding", ""), hasHeader("vary", "accept-encoding"))},
	{name: "precompressed none asked", target: "/app.js", status: 200,
		check: all(bodyIs("console.log('identity')\n"), hasHeader("vary", "accept-encoding"))},
	{name: "precompressed star", target: "/app.js", header: map[string]string{"accept-encoding": "*"}, status: 200, check: hasHeader("content-encoding", "br")},
	{name: "precompressed range", target: "/app.js", header: map[string]string{"accept-encoding": "gzip", "range": "bytes=0-1"}, status: 206,
		check: all(bodyIs("GZ"), hasHeader("content-encoding", "gzip"), hasHeader("vary", "accept-encoding"), hasHeader("content-range", "bytes 0-1/16"))},
	{name: "precompressed 304 has vary", target: "/app.js", header: map[string]string{"if-none-match": "*"}, status: 304, check: hasHeader("vary", "accept-encoding")},
	{name: "no sibling no vary", target: "/plain.js", header: map[string]string{"accept-encoding": "br"}, status: 200, check: hasHeader("vary", "")},
	{name: "sibling range served plainly", target: "/app.js.gz", header: map[string]string{"range": "bytes=0-1"}, status: 206,
		check: all(hasHeader("content-type", "application/gzip"), hasHeader("content-encoding", ""), hasHeader("vary", ""))},
	{name: "sibling served plainly", target: "/app.js.gz", status: 200, check: all(hasHeader("content-type", "application/gzip"), hasHeader("content-encoding", ""))},
}

func TestFrontEndsAgree(t *testing.T) {
	dir := tree(t)
	s, err := New(dir, testConfig())
	require.NoError(t, err)
	defer s.Close()

	hs := httptest.NewServer(s)
	defer hs.Close()
	hc := hs.Client()
	// No transparent gzip: the test compares what the server sent.
	hc.Transport.(*http.Transport).DisableCompression = true
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	rs := rgitest.TempServer(t, rgitest.FreeAddress(t, rgi.FamilyTCP4), s.App(), nil)
	rcl := rs.Client(t, nil)
	viaRGIH2 := rgih2.Handler(s.App(), nil)

	for _, c := range frontCases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = "GET"
			}
			native := doNative(t, s.Handler(), method, c.target, c.header)
			require.Equal(t, c.status, native.Status, "native status")
			if c.check != nil {
				c.check(t, native)
			}
			rc := rgitest.Connect(t, rcl)
			if c.rgiRefuses {
				_, err := rc.Request(method, c.target, maps.Clone(c.header), nil)
				require.ErrorContains(t, err, "400")
			} else {
				require.Equal(t, native, doRGI(t, rc, method, c.target, c.header), "RGI differs from native")
			}
			if !c.rgiRefuses {
				// The same RGI app over HTTP/2 (rgi/rgih2).
				require.Equal(t, native, doNative(t, viaRGIH2, method, c.target, c.header), "rgih2 differs from native")
			}
			if !c.httpRefuses {
				require.Equal(t, native, doHTTP(t, hc, hs.URL, method, c.target, c.header), "net/http differs from native")
			}
		})
	}
}

// doNative runs one request through a native handler factory (the static
// Handler, or an RGI app adapted by rgih2) on an in-memory HTTP/2 connection.
func doNative(t *testing.T, f handler.Factory, method, target string, header map[string]string) answer {
	t.Helper()
	var h []hpack.HeaderField
	for _, k := range slices.Sorted(maps.Keys(header)) {
		h = append(h, hpack.HeaderField{Name: k, Value: header[k]})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := handlertest.Do(ctx, f, handlertest.Request{Method: method, Path: target, Header: h})
	require.NoError(t, err)
	require.False(t, resp.WasReset, "stream reset %v", resp.Reset)
	a := answer{Status: resp.Status, Header: map[string]string{}, Body: string(resp.Body)}
	for _, f := range resp.Header {
		if f.Name != "date" {
			a.Header[f.Name] = f.Value
		}
	}
	require.NotEmpty(t, resp.Get("date"))
	return a
}

func doRGI(t *testing.T, c *rgi.Connection, method, target string, header map[string]string) answer {
	t.Helper()
	resp, err := c.Request(method, target, maps.Clone(header), nil)
	require.NoError(t, err)
	body, err := rgi.ReadBody(resp.Body)
	require.NoError(t, err)
	a := answer{Status: resp.Status, Header: map[string]string{}, Body: string(body)}
	for k, v := range resp.Headers {
		// connection is hop-by-hop: the RGI engine closes after some error
		// statuses; it is not part of the answer.
		if k != "date" && k != "connection" {
			a.Header[k] = v
		}
	}
	require.NotEmpty(t, resp.Headers["date"])
	return a
}

func doHTTP(t *testing.T, c *http.Client, base, method, target string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(method, base+"/", nil)
	require.NoError(t, err)
	req.URL.Opaque = target // sent as it is: no cleaning of "//" or "/../"
	if strings.HasPrefix(target, "//") || strings.Contains(target, "?") {
		p, q, _ := strings.Cut(target, "?")
		req.URL.Opaque, req.URL.RawQuery = p, q
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{Status: resp.StatusCode, Header: map[string]string{}, Body: string(body)}
	for k, v := range resp.Header {
		// connection is hop-by-hop: net/http closes after some error
		// statuses; it is not part of the answer.
		if k != "Date" && k != "Connection" {
			a.Header[strings.ToLower(k)] = strings.Join(v, ", ")
		}
	}
	require.NotEmpty(t, resp.Header.Get("Date"))
	return a
}
