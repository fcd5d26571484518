package rgih2

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

var helloFields = []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}

// nativeHello is the hello handler written against the handler API: the
// reference the adapter is measured against.
func nativeHello(s *handler.Stream) { s.SendResponse(200, helloFields, "hello, world") }

var helloHeaders = map[string]string{"content-type": "text/plain"}

// rgiHello is the same site as an RGI app.
func rgiHello(*rgi.Session, *rgi.Request, rgi.Bodies) rgi.Response {
	return rgi.Response{Status: 200, Reason: "OK", Headers: helloHeaders, Body: "hello, world"}
}

// h2loadRate serves f over h2c and returns h2load's requests per second.
func h2loadRate(t *testing.T, h2load string, f handler.Factory, reuse bool, args ...string) float64 {
	t.Helper()
	srv := &h2server.Server{Handler: f}
	srv.Config.ReuseStreams = reuse
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	args = append(args, "http://"+ln.Addr().String()+"/hello")
	out, err := exec.Command(h2load, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("h2load: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`finished in [^,]+, ([0-9.]+) req/s`).FindSubmatch(out)
	ok := regexp.MustCompile(`(\d+) succeeded, 0 failed, 0 errored`).Find(out)
	if m == nil || ok == nil {
		t.Fatalf("h2load output:\n%s", out)
	}
	r, _ := strconv.ParseFloat(string(m[1]), 64)
	return r
}

// TestH2loadHelloRatio compares, in one run, h2load's request rate for the
// hello page written natively against the handler API (with ReuseStreams, as
// cmd/h2demo runs) and the same page as an RGI app through the adapter. It is
// a measurement, not a check: it runs only with RGIH2_H2LOAD=1 and logs the
// rates, alternating the two servers three times.
//
//	RGIH2_H2LOAD=1 go test ./rgi/rgih2 -run H2loadHelloRatio -v
func TestH2loadHelloRatio(t *testing.T) {
	if os.Getenv("RGIH2_H2LOAD") == "" {
		t.Skip("set RGIH2_H2LOAD=1 to measure")
	}
	h2load, err := exec.LookPath("h2load")
	if err != nil {
		t.Skip("h2load not installed")
	}
	args := []string{"-n", "200000", "-c", "10", "-m", "32", "-t", "1"}
	netHello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("content-type", "text/plain")
		w.Write([]byte("hello, world"))
	})
	var native, adapted, nethttp float64
	for range 3 {
		n := h2loadRate(t, h2load, handler.FactoryFunc(nativeHello), true, args...)
		a := h2loadRate(t, h2load, Handler(rgi.AppFunc(rgiHello), nil), false, args...)
		h := h2loadRate(t, h2load, handler.HTTPHandler(netHello), false, args...)
		t.Logf("native %.0f req/s, rgih2 %.0f req/s (%.2f), handler.HTTPHandler %.0f req/s (%.2f)", n, a, a/n, h, h/n)
		native, adapted, nethttp = native+n, adapted+a, nethttp+h
	}
	t.Logf("total: rgih2/native = %.2f, HTTPHandler/native = %.2f", adapted/native, nethttp/native)
}
