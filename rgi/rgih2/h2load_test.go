package rgih2

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/testenv"
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

// cpuTime is the CPU time this process (the server; h2load is a child) has
// used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// h2loadRate serves f over h2c and returns the requests served per second of
// server CPU time (robust on a shared machine, unlike h2load's wall-clock
// rate).
func h2loadRate(t *testing.T, h2load string, f handler.Factory, reuse bool, n int, args ...string) float64 {
	t.Helper()
	srv := &h2server.Server{Handler: f}
	srv.Config.ReuseStreams = reuse
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	args = append(args, "-n", strconv.Itoa(n), "http://"+ln.Addr().String()+"/hello")
	cpu := cpuTime()
	out, err := exec.Command(h2load, args...).CombinedOutput()
	cpu = cpuTime() - cpu
	if err != nil {
		t.Fatalf("h2load: %v\n%s", err, out)
	}
	if !regexp.MustCompile(strconv.Itoa(n) + ` succeeded, 0 failed, 0 errored`).Match(out) {
		t.Fatalf("h2load output:\n%s", out)
	}
	return float64(n) / cpu.Seconds()
}

// TestH2loadHelloRatio compares, in one run, h2load's request rate for the
// hello page written natively against the handler API (with ReuseStreams, as
// cmd/h2demo runs) and the same page as an RGI app through the adapter. It is
// a measurement, not a check: it runs only with RGIH2_H2LOAD=1 and logs the
// requests served per second of server CPU time, alternating the servers
// three times.
//
//	RGIH2_H2LOAD=1 go test ./rgi/rgih2 -run H2loadHelloRatio -v
func TestH2loadHelloRatio(t *testing.T) {
	if os.Getenv("RGIH2_H2LOAD") == "" {
		t.Skip("set RGIH2_H2LOAD=1 to measure")
	}
	h2load := testenv.RequireTool(t, "h2load", "nghttp2-client")
	const n = 200000
	args := []string{"-c", "10", "-m", "32", "-t", "1"}
	netHello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("content-type", "text/plain")
		w.Write([]byte("hello, world"))
	})
	var native, adapted, nethttp float64
	for range 3 {
		r := h2loadRate(t, h2load, handler.FactoryFunc(nativeHello), true, n, args...)
		a := h2loadRate(t, h2load, Handler(rgi.AppFunc(rgiHello), nil), false, n, args...)
		h := h2loadRate(t, h2load, handler.HTTPHandler(netHello), false, n, args...)
		t.Logf("requests per server CPU second: native %.0f, rgih2 %.0f (%.2f), handler.HTTPHandler %.0f (%.2f)", r, a, a/r, h, h/r)
		native, adapted, nethttp = native+r, adapted+a, nethttp+h
	}
	t.Logf("total: rgih2/native = %.2f, HTTPHandler/native = %.2f", adapted/native, nethttp/native)
}
