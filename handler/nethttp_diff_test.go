package handler_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/pki"
)

// The differential test: every case's handler runs once on net/http's own
// server (HTTP/2 and HTTP/1.1 over TLS, chosen by ALPN) and once on h2kit
// (h2server.NetHTTP: h2kit's HTTP/2, net/http's HTTP/1.1 on the connections
// h2kit hands over), called by Go's client (its HTTP/2 transport for h2), and
// the outcomes are compared field by field: status, 1xx responses, headers
// (without date), body, trailers, the error the client saw, and what the
// handler saw (its errors reduced to their kind). The differences that
// remain are listed in the handler package's doc ("Differences from
// net/http") and skipped here by name.

// diffCase is one handler and how the client calls it.
type diffCase struct {
	name string
	// handler returns the handler of one run; rec records what it sees.
	handler func(rec *diffRec) http.Handler
	// request makes the request (nil: GET /).
	request func(ctx context.Context, base string, rec *diffRec) *http.Request
	// read consumes the response body (nil: io.ReadAll).
	read func(resp *http.Response, rec *diffRec) (string, error)
	// cancelAt cancels the request's context once the handler signals
	// entered (rec.enter).
	cancelAtEnter bool
	// expectContinue sets the client's ExpectContinueTimeout.
	expectContinue bool
	// normalize removes what differs from run to run (a random
	// boundary).
	normalize func(o *outcome)
	// only limits the case to "h1" or "h2".
	only string
	// differs names the protocol where h2kit differs from net/http on
	// purpose (listed in the package doc); the outcome is logged, not
	// compared.
	differs string
}

// diffRec is what a handler saw, and the signals between a handler and its
// client.
type diffRec struct {
	mu      sync.Mutex
	notes   []string
	entered chan struct{} // closed by enter
	proceed chan struct{} // closed by the client (go)
	done    chan struct{} // closed when the handler returned
	started atomic.Bool
	once    sync.Once
	goOnce  sync.Once
	dir     string // a directory of files for http.FileServer
	cancel  func() // cancels the request's context
	addr    string // the address the client dialed
}

func (r *diffRec) note(format string, args ...any) {
	r.mu.Lock()
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *diffRec) enter() { r.once.Do(func() { close(r.entered) }) }
func (r *diffRec) goOn()  { r.goOnce.Do(func() { close(r.proceed) }) }

// wait waits for the client's signal, for at most 10 s (a guard against a
// hang, not a synchronization).
func (r *diffRec) wait() bool {
	select {
	case <-r.proceed:
		return true
	case <-time.After(10 * time.Second):
		return false
	}
}

// kind reduces an error to what a handler can rely on.
func kind(err error) string {
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, io.EOF):
		return "EOF"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "deadline"
	case errors.As(err, &mbe):
		return "MaxBytesError"
	case errors.Is(err, http.ErrBodyNotAllowed):
		return "ErrBodyNotAllowed"
	case errors.Is(err, http.ErrNotSupported):
		return "ErrNotSupported"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "error"
}

// outcome is what one run produced.
type outcome struct {
	Status    int
	Info      []string // 1xx responses: "103 Link: </a>"
	Continue  bool     // the client got 100 Continue
	Header    http.Header
	Body      string
	Trailer   http.Header
	ClientErr string
	Handler   []string
}

func (o outcome) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "status %d info %q continue %v\n", o.Status, o.Info, o.Continue)
	for _, k := range sortedKeys(o.Header) {
		fmt.Fprintf(&b, "  %s: %q\n", k, o.Header[k])
	}
	fmt.Fprintf(&b, "body %q\ntrailer %v\nclient error %q\nhandler %q", o.Body, o.Trailer, o.ClientErr, o.Handler)
	return b.String()
}

func sortedKeys[V any](h map[string]V) []string {
	ks := make([]string, 0, len(h))
	for k := range h {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// diffServer is a server under test: its base URL and how it stops.
type diffServer struct {
	base string
	stop func()
}

var discardLog = log.New(io.Discard, "", 0)

func startNetHTTP(t *testing.T, h http.Handler, cert tls.Certificate) diffServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, ErrorLog: discardLog, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	done := make(chan struct{})
	go func() { hs.ServeTLS(l, "", ""); close(done) }()
	return diffServer{"https://" + l.Addr().String(), func() { hs.Close(); <-done }}
}

func startH2kit(t *testing.T, h http.Handler, cert tls.Certificate) diffServer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &h2server.Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	h2server.NetHTTP(srv, h).ErrorLog = discardLog
	done := make(chan struct{})
	go func() { srv.ServeTLS(l, "", ""); close(done) }()
	return diffServer{"https://" + l.Addr().String(), func() { srv.Close(); <-done }}
}

// run runs c against one server over proto ("h1" or "h2").
func (c *diffCase) run(t *testing.T, start func(*testing.T, http.Handler, tls.Certificate) diffServer, proto string, cert tls.Certificate, roots *tls.Config, dir string) outcome {
	rec := &diffRec{entered: make(chan struct{}), proceed: make(chan struct{}), done: make(chan struct{}), dir: dir}
	inner := c.handler(rec)
	srv := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.started.Store(true)
		defer close(rec.done)
		inner.ServeHTTP(w, r)
	}), cert)
	defer srv.stop()
	rec.addr = strings.TrimPrefix(srv.base, "https://")

	p := new(http.Protocols)
	if proto == "h2" {
		p.SetHTTP2(true)
	} else {
		p.SetHTTP1(true)
	}
	tcfg := roots.Clone()
	if proto == "h1" {
		tcfg.NextProtos = []string{"http/1.1"}
	}
	tr := &http.Transport{TLSClientConfig: tcfg, Protocols: p}
	if c.expectContinue {
		tr.ExpectContinueTimeout = 5 * time.Second
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec.cancel = cancel
	var o outcome
	var infoMu sync.Mutex
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			infoMu.Lock()
			defer infoMu.Unlock()
			s := fmt.Sprint(code)
			for _, k := range sortedKeys(http.Header(h)) {
				s += fmt.Sprintf(" %s: %s", k, strings.Join(h[k], ", "))
			}
			o.Info = append(o.Info, s)
			return nil
		},
		Got100Continue: func() { infoMu.Lock(); o.Continue = true; infoMu.Unlock() },
	})
	var req *http.Request
	if c.request != nil {
		req = c.request(ctx, srv.base, rec)
	} else {
		req, _ = http.NewRequestWithContext(ctx, "GET", srv.base+"/", nil)
	}
	if c.cancelAtEnter {
		go func() {
			select {
			case <-rec.entered:
				cancel()
			case <-rec.done:
			}
		}()
	}
	resp, err := client.Do(req)
	if err == nil {
		o.Status = resp.StatusCode
		o.Header = resp.Header.Clone()
		o.Header.Del("Date")
		read := c.read
		if read == nil {
			read = func(resp *http.Response, _ *diffRec) (string, error) {
				b, err := io.ReadAll(resp.Body)
				return string(b), err
			}
		}
		o.Body, err = read(resp, rec)
		resp.Body.Close()
		o.Trailer = resp.Trailer
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		o.ClientErr = err.Error()
	}
	rec.goOn()
	if rec.started.Load() {
		select {
		case <-rec.done:
		case <-time.After(10 * time.Second):
			t.Errorf("%s: the handler never returned", c.name)
		}
	}
	rec.mu.Lock()
	o.Handler = rec.notes
	rec.mu.Unlock()
	infoMu.Lock()
	defer infoMu.Unlock()
	if c.normalize != nil {
		c.normalize(&o)
	}
	return o
}

func TestNetHTTPDifferential(t *testing.T) {
	ca, err := pki.NewCA("diff CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.IssueServer("localhost", pki.LoopbackNames, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	roots := &tls.Config{RootCAs: ca.Pool()}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("0123456789abcdef"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.html"), []byte("<html>b</html>"), 0o644)
	mtime := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(filepath.Join(dir, "a.txt"), mtime, mtime)

	for _, c := range diffCases {
		for _, proto := range []string{"h2", "h1"} {
			if c.only != "" && c.only != proto {
				continue
			}
			t.Run(c.name+"/"+proto, func(t *testing.T) {
				ref := c.run(t, startNetHTTP, proto, leaf.TLS(), roots, dir)
				got := c.run(t, startH2kit, proto, leaf.TLS(), roots, dir)
				if reflect.DeepEqual(ref, got) {
					return
				}
				if c.differs == proto {
					t.Logf("documented difference:\nnet/http:\n%v\nh2kit:\n%v", ref, got)
					return
				}
				t.Errorf("h2kit differs from net/http:\nnet/http:\n%v\nh2kit:\n%v", ref, got)
			})
		}
	}
}

func handle(f func(w http.ResponseWriter, r *http.Request, rec *diffRec)) func(*diffRec) http.Handler {
	return func(rec *diffRec) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(w, r, rec) })
	}
}

// post makes a POST with a fresh body from body.
func post(path string, body func() io.Reader) func(context.Context, string, *diffRec) *http.Request {
	return func(ctx context.Context, base string, _ *diffRec) *http.Request {
		r, _ := http.NewRequestWithContext(ctx, "POST", base+path, body())
		return r
	}
}

func get(path string, h ...string) func(context.Context, string, *diffRec) *http.Request {
	return method("GET", path, h...)
}

func method(m, path string, h ...string) func(context.Context, string, *diffRec) *http.Request {
	return func(ctx context.Context, base string, _ *diffRec) *http.Request {
		r, _ := http.NewRequestWithContext(ctx, m, base+path, nil)
		for i := 0; i+1 < len(h); i += 2 {
			r.Header.Add(h[i], h[i+1])
		}
		return r
	}
}

// sized is a request body of n bytes whose length the client does not
// know (chunked over HTTP/1.1, no content-length over HTTP/2).
type sized struct{ n int }

func (s *sized) Read(p []byte) (int, error) {
	if s.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), s.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	s.n -= k
	return k, nil
}

var big = bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16)

var diffCases = []diffCase{
	{name: "200 small", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("X-A", "1")
		io.WriteString(w, "<html>hi</html>")
	})},
	{name: "201 explicit", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(201)
		w.WriteHeader(202) // superfluous: ignored
		io.WriteString(w, "created")
	})},
	{name: "204 with a body", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.WriteHeader(204)
		_, err := io.WriteString(w, "no")
		rec.note("write %s", kind(err))
	})},
	{name: "304", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("ETag", `"x"`)
		w.WriteHeader(304)
		_, err := io.WriteString(w, "no")
		rec.note("write %s", kind(err))
	})},
	{name: "404 NotFound", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) { http.NotFound(w, r) })},
	{name: "500 Error", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) { http.Error(w, "boom", 500) })},
	{name: "599 unknown", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) { w.WriteHeader(599) })},
	{name: "no write", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {})},
	{name: "explicit content-length", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hello")
	})},
	{name: "content-length too short", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Content-Length", "3")
		n, err := io.WriteString(w, "hello")
		rec.note("write %d %s", n, kind(err))
	})},
	{name: "content-length too long", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Content-Length", "10")
		n, err := io.WriteString(w, "hello")
		rec.note("write %d %s", n, kind(err))
	})},
	{name: "content-length too long, flushed", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "hello")
		w.(http.Flusher).Flush()
	})},
	{name: "large body", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		n, err := w.Write(big[:1<<20])
		rec.note("wrote %d %s", n, kind(err))
	})},
	{name: "103 early hints", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Link", "</style.css>; rel=preload; as=style")
		w.WriteHeader(103)
		w.Header().Set("Link", "</script.js>; rel=preload; as=script")
		w.WriteHeader(103)
		w.Header().Del("Link")
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "page")
	})},
	{name: "102 processing", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.WriteHeader(102)
		w.WriteHeader(200)
		io.WriteString(w, "done")
	})},
	{name: "HEAD", request: method("HEAD", "/"), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		n, err := io.WriteString(w, "<html>a body HEAD does not get</html>")
		rec.note("write %d %s", n, kind(err))
	})},
	{name: "HEAD large", request: method("HEAD", "/"), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		n, err := w.Write(big[:100<<10])
		rec.note("write %d %s", n, kind(err))
	})},
	{name: "HEAD declared length", request: method("HEAD", "/"), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Content-Length", "1000")
	})},
	{name: "Flusher streaming",
		handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
			io.WriteString(w, "first;")
			w.(http.Flusher).Flush()
			if !rec.wait() {
				rec.note("the client never saw the first part")
			}
			io.WriteString(w, "second")
		}),
		read: func(resp *http.Response, rec *diffRec) (string, error) {
			first := make([]byte, len("first;"))
			if _, err := io.ReadFull(resp.Body, first); err != nil {
				return "", err
			}
			rec.goOn()
			rest, err := io.ReadAll(resp.Body)
			return string(first) + string(rest), err
		}},
	{name: "ResponseController.Flush",
		handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
			rc := http.NewResponseController(w)
			rec.note("flush headers %s", kind(rc.Flush()))
			if !rec.wait() {
				rec.note("the client never got the headers")
			}
			io.WriteString(w, "body")
			rec.note("flush %s", kind(rc.Flush()))
		}),
		read: func(resp *http.Response, rec *diffRec) (string, error) {
			rec.goOn() // the headers came before any body was written
			b, err := io.ReadAll(resp.Body)
			return string(b), err
		}},
	{name: "declared trailers", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Trailer", "X-Sum, X-Count")
		w.Header().Set("X-Sum", "early") // replaced below: trailers are read at the end
		io.WriteString(w, "data")
		w.Header().Set("X-Sum", "abc")
		w.Header().Set("X-Count", "1")
		w.Header().Set("X-Late", "not sent")
	})},
	{name: "declared trailers flushed", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Trailer", "X-Sum")
		io.WriteString(w, "data")
		w.(http.Flusher).Flush()
		w.Header().Set("X-Sum", "abc")
	})},
	{name: "TrailerPrefix trailers", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		io.WriteString(w, "data")
		w.(http.Flusher).Flush()
		w.Header().Set(http.TrailerPrefix+"X-Undeclared", "u")
	})},
	{name: "TrailerPrefix no body", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set(http.TrailerPrefix+"X-Undeclared", "u")
	})},
	{name: "header change after WriteHeader", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("X-Before", "1")
		w.WriteHeader(200)
		w.Header().Set("X-After", "1")
		w.Header().Del("X-Before")
		io.WriteString(w, "body")
	})},
	{name: "header change after Write", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		io.WriteString(w, "body")
		w.Header().Set("Content-Type", "application/x-late")
	})},
	{name: "forbidden response fields", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.Header().Set("Connection", "close")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("Transfer-Encoding", "chunked")
		w.Header().Set("Proxy-Connection", "keep-alive")
		w.Header().Set("Upgrade", "websocket")
		w.Header().Set("X-Ok", "1")
		io.WriteString(w, "body")
	}), only: "h2", differs: "h2"},
	{name: "split cookies", request: get("/", "Cookie", "a=1; b=2", "Cookie", "c=3"), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rec.note("Cookie %q %d cookies", r.Header["Cookie"], len(r.Cookies()))
	})},
	{name: "Write after Flush of 204", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		w.WriteHeader(204)
		rec.note("flush %s", kind(http.NewResponseController(w).Flush()))
		_, err := io.WriteString(w, "x")
		rec.note("write %s", kind(err))
	})},
	{name: "HEAD flushed", request: method("HEAD", "/"), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		io.WriteString(w, "<html>")
		rec.note("flush %s", kind(http.NewResponseController(w).Flush()))
	}), differs: "h2"},
	{name: "HEAD nothing written", request: method("HEAD", "/"), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {})},
	{name: "100 by WriteHeader", expectContinue: true,
		request: func(ctx context.Context, base string, _ *diffRec) *http.Request {
			r, _ := http.NewRequestWithContext(ctx, "PUT", base+"/", strings.NewReader("payload"))
			r.Header.Set("Expect", "100-continue")
			return r
		},
		handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
			w.WriteHeader(100)
			b, err := io.ReadAll(r.Body)
			rec.note("read %q %s", b, kind(err))
		})},
	{name: "write deadline passes while streaming", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rc := http.NewResponseController(w)
		io.WriteString(w, "part")
		rec.note("flush %s", kind(rc.Flush()))
		rec.note("SetWriteDeadline %s", kind(rc.SetWriteDeadline(time.Now())))
		_, err := io.WriteString(w, "more")
		if err == nil {
			err = rc.Flush()
		}
		rec.note("then %s", kind(err))
	}), read: func(resp *http.Response, rec *diffRec) (string, error) {
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}},
	{name: "panic before writing", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		panic("boom")
	})},
	{name: "panic after flushing", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic("boom")
	})},
	{name: "ErrAbortHandler", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})},
	{name: "body read partly", request: post("/", func() io.Reader { return bytes.NewReader(big[:4<<20]) }), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		b := make([]byte, 10)
		n, err := io.ReadFull(r.Body, b)
		rec.note("read %d %s", n, kind(err))
		io.WriteString(w, "partly")
	})},
	{name: "body not read", request: post("/", func() io.Reader { return bytes.NewReader(big[:4<<20]) }), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		io.WriteString(w, "not read")
	})},
	{name: "body not read, unknown length", request: post("/", func() io.Reader { return &sized{1 << 20} }), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rec.note("content-length %d", r.ContentLength)
		io.WriteString(w, "not read")
	})},
	{name: "large upload", request: post("/", func() io.Reader { return bytes.NewReader(big) }), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		rec.note("read %d %s content-length %d", n, kind(err), r.ContentLength)
		fmt.Fprintf(w, "%x", h.Sum(nil))
	})},
	{name: "Expect 100-continue read", expectContinue: true,
		request: func(ctx context.Context, base string, _ *diffRec) *http.Request {
			r, _ := http.NewRequestWithContext(ctx, "PUT", base+"/", strings.NewReader("payload"))
			r.Header.Set("Expect", "100-continue")
			return r
		},
		handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
			rec.note("expect %q", r.Header.Get("Expect"))
			b, err := io.ReadAll(r.Body)
			rec.note("read %q %s", b, kind(err))
		})},
	{name: "Expect 100-continue refused", expectContinue: true,
		request: func(ctx context.Context, base string, _ *diffRec) *http.Request {
			r, _ := http.NewRequestWithContext(ctx, "PUT", base+"/", strings.NewReader("payload"))
			r.Header.Set("Expect", "100-continue")
			return r
		},
		handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
			http.Error(w, "too big", http.StatusRequestEntityTooLarge)
		})},
	{name: "request trailers",
		request: func(ctx context.Context, base string, _ *diffRec) *http.Request {
			r, _ := http.NewRequestWithContext(ctx, "POST", base+"/", &sized{10})
			r.Trailer = http.Header{"X-Req-Trailer": {"t"}}
			return r
		},
		handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
			rec.note("before %v", r.Trailer)
			io.Copy(io.Discard, r.Body)
			rec.note("after %v", r.Trailer)
		})},
	{name: "cancel on client reset", cancelAtEnter: true, handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rec.enter()
		select {
		case <-r.Context().Done():
			rec.note("ctx %s", kind(r.Context().Err()))
		case <-time.After(10 * time.Second):
			rec.note("never cancelled")
		}
	})},
	{name: "cancel during streaming", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		io.WriteString(w, "part")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		rec.note("ctx %s", kind(r.Context().Err()))
	}), read: func(resp *http.Response, rec *diffRec) (string, error) {
		part := make([]byte, 4)
		if _, err := io.ReadFull(resp.Body, part); err != nil {
			return "", err
		}
		rec.cancel()
		// What the read returns now is a race in the client (HTTP/1.1:
		// a clean end or context.Canceled): the handler's view is what
		// is compared.
		io.ReadAll(resp.Body)
		return string(part), nil
	}},
	{name: "FileServer", request: get("/a.txt"), handler: fileServer},
	{name: "FileServer Range", request: get("/a.txt", "Range", "bytes=2-5"), handler: fileServer},
	{name: "FileServer multi Range", request: get("/a.txt", "Range", "bytes=0-1,4-5"), handler: fileServer, read: func(resp *http.Response, _ *diffRec) (string, error) {
		b, err := io.ReadAll(resp.Body)
		return fmt.Sprint(len(b)), err
	}, normalize: func(o *outcome) {
		// The multipart boundary is random: compare the length.
		if ct := o.Header.Get("Content-Type"); ct != "" {
			o.Header.Set("Content-Type", ct[:strings.Index(ct, "boundary=")+len("boundary=")])
		}
	}},
	{name: "FileServer bad Range", request: get("/a.txt", "Range", "bytes=100-200"), handler: fileServer},
	{name: "FileServer 304", request: get("/a.txt", "If-Modified-Since", "Thu, 02 Jan 2020 03:04:05 GMT"), handler: fileServer},
	{name: "FileServer HEAD", request: method("HEAD", "/b.html"), handler: fileServer},
	{name: "FileServer listing", request: get("/"), handler: fileServer},
	{name: "FileServer redirect", request: get("/index.html"), handler: fileServer},
	{name: "MaxBytesReader", request: post("/", func() io.Reader { return bytes.NewReader(big[:64<<10]) }), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		r.Body = http.MaxBytesReader(w, r.Body, 1000)
		b, err := io.ReadAll(r.Body)
		rec.note("read %d %s", len(b), kind(err))
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
	})},
	{name: "context keys", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		hs, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
		rec.note("ServerContextKey %T %v", r.Context().Value(http.ServerContextKey), hs != nil)
		la, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		rec.note("LocalAddrContextKey %T %v", la, la != nil && la.String() == rec.addr)
		rec.note("RemoteAddr set %v TLS %v Host %v RequestURI %q", r.RemoteAddr != "", r.TLS != nil, r.Host == rec.addr, r.RequestURI)
	})},
	{name: "request fields", request: get("/p/a%2Fb?q=1&q=2", "X-Multi", "a", "X-Multi", "b", "Cookie", "a=1"), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rec.note("%s %s %q %q %v", r.Method, r.URL.Path, r.URL.RawPath, r.URL.RawQuery, r.URL.Query())
		rec.note("X-Multi %q Cookie %q content-length %d body %v", r.Header["X-Multi"], r.Header["Cookie"], r.ContentLength, r.Body == http.NoBody)
		rec.note("Close %v", r.Close)
	})},
	{name: "Hijacker", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		_, ok := w.(http.Hijacker)
		rec.note("Hijacker %v", ok)
		if !ok {
			_, _, err := http.NewResponseController(w).Hijack()
			rec.note("Hijack %s", kind(err))
		}
	}), only: "h2"},
	{name: "SetReadDeadline",
		request: func(ctx context.Context, base string, rec *diffRec) *http.Request {
			pr, pw := io.Pipe()
			go func() {
				io.WriteString(pw, "abc")
				<-rec.done
				pw.Close()
			}()
			r, _ := http.NewRequestWithContext(ctx, "POST", base+"/", pr)
			return r
		},
		handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
			b := make([]byte, 3)
			n, err := io.ReadFull(r.Body, b)
			rec.note("read %d %s", n, kind(err))
			rc := http.NewResponseController(w)
			rec.note("SetReadDeadline %s", kind(rc.SetReadDeadline(time.Now().Add(-time.Second))))
			n, err = r.Body.Read(b)
			rec.note("read after the deadline %d %s", n, kind(err))
			io.WriteString(w, "done")
		})},
	{name: "SetReadDeadline expires during a read",
		request: func(ctx context.Context, base string, rec *diffRec) *http.Request {
			pr, pw := io.Pipe()
			go func() {
				io.WriteString(pw, "abc")
				<-rec.done
				pw.Close()
			}()
			r, _ := http.NewRequestWithContext(ctx, "POST", base+"/", pr)
			return r
		},
		handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
			b := make([]byte, 3)
			io.ReadFull(r.Body, b)
			rc := http.NewResponseController(w)
			rec.note("SetReadDeadline %s", kind(rc.SetReadDeadline(time.Now().Add(20*time.Millisecond))))
			n, err := r.Body.Read(b) // blocks: the client sends nothing more
			rec.note("read %d %s", n, kind(err))
			io.WriteString(w, "done")
		})},
	{name: "SetReadDeadline future", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rc := http.NewResponseController(w)
		rec.note("SetReadDeadline %s", kind(rc.SetReadDeadline(time.Now().Add(time.Hour))))
		rec.note("clear %s", kind(rc.SetReadDeadline(time.Time{})))
		io.WriteString(w, "done")
	})},
	{name: "SetWriteDeadline", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rc := http.NewResponseController(w)
		rec.note("SetWriteDeadline %s", kind(rc.SetWriteDeadline(time.Now().Add(-time.Second))))
		_, err := w.Write(big[:1<<20])
		if err == nil {
			err = rc.Flush()
		}
		rec.note("write after the deadline: failed %v", err != nil)
	})},
	{name: "SetWriteDeadline future", handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rc := http.NewResponseController(w)
		rec.note("SetWriteDeadline %s", kind(rc.SetWriteDeadline(time.Now().Add(time.Hour))))
		io.WriteString(w, "done")
	})},
	{name: "EnableFullDuplex", request: post("/", func() io.Reader { return strings.NewReader("echo me") }), handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rec.note("EnableFullDuplex %s", kind(http.NewResponseController(w).EnableFullDuplex()))
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		io.Copy(w, r.Body)
	})},
	{name: "write after the handler's context ended", cancelAtEnter: true, handler: handle(func(w http.ResponseWriter, r *http.Request, rec *diffRec) {
		rec.enter()
		<-r.Context().Done()
		var err error
		for range 64 { // the first writes may be buffered
			if _, err = w.Write(big[:64<<10]); err != nil {
				break
			}
			if err = http.NewResponseController(w).Flush(); err != nil {
				break
			}
		}
		rec.note("write failed %v", err != nil)
	})},
}

func fileServer(rec *diffRec) http.Handler { return http.FileServer(http.Dir(rec.dir)) }
