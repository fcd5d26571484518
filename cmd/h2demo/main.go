// Command h2demo serves a small site over HTTP/2 with h2kit: TLS with ALPN h2
// and http/1.1 on 127.0.0.1:8443 (an in-memory self-signed certificate unless
// -cert and -key are given), and cleartext on 127.0.0.1:8080: h2c with prior
// knowledge, the h2c Upgrade, and HTTP/1.1.
//
//	go run ./cmd/h2demo                 # the embedded demo site
//	go run ./cmd/h2demo -root ./public  # files from a directory
//
// The embedded site is a showcase of h2kit's handler API: an index (/ or
// /index.html) that names the protocol it came over (h2, h2c or HTTP/1.1) and
// links the pages, each a small file named for it: /clock (server-sent events
// from a body generator resumed by a ticker goroutine), /echo (an upload echoed
// back as it streams, under manual flow control), /hpack (this connection's
// HPACK dynamic tables), /early-hints (103 before the page) and /trailers (a
// content-digest trailer). Beside them are /hello.txt ("hello, world", 12
// bytes), a generated 1 MiB /1m for benchmarks, /style.css and /favicon.svg,
// answered from memory for GET and HEAD only (405 otherwise), with
// content-type from the extension and content-length. Over HTTP/1.1 the pages
// do what that protocol allows and say what they cannot.
//
// With -root, the directory is served by the static package (static.Server):
// its open-file cache keeps descriptors, stat results and small files' contents
// across requests, and it answers with validators (etag, last-modified, 304),
// Range, a 301 to the slash form for directories, index.html, and, with
// -listing, directory listings (403 without). Nothing outside the root is ever
// served (os.Root refuses ".." and symbolic links leading out). See the static
// package for the whole behaviour.
//
// Request targets follow rgi's rule on every protocol (rgi.CheckTarget: "//x"
// and "/../x" get 400), so HTTP/2, h2c and HTTP/1.1 give the same status and
// headers (date included) for any request. Every request is logged with slog
// unless -quiet, by h2kit's access log (h2server.Server.AccessLog: method,
// path, status, bytes, duration, protocol, stream; see observe.go); with
// -debug ADDR the servers' counters are served at http://ADDR/debug/vars. Clients that do not speak HTTP/2 (ALPN
// http/1.1, or an HTTP/1.1 request line in cleartext) get the same site over
// HTTP/1.1 from the rgi engine, as an RGI app (with -root, static.Server.App).
// With -rgi, HTTP/2 clients are served by that same RGI app through the rgih2
// adapter (one app, both protocols); by default they get the native handler
// (with -root, static.Server.Handler), which costs several times less CPU per
// request (see rgi/rgih2's TestH2loadHelloRatio).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/pki"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgih2"
)

func main() {
	if err := run(os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "h2demo:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("h2demo", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8443", "TLS listen address (empty: no TLS)")
	h2c := fs.String("h2c", "127.0.0.1:8080", "cleartext listen address: h2c (prior knowledge or Upgrade) and HTTP/1.1 (empty: none)")
	root := fs.String("root", "", "serve files from this directory instead of the embedded demo site")
	listing := fs.Bool("listing", false, "with -root: list directories that have no index.html (default: 403)")
	certFile := fs.String("cert", "", "TLS certificate PEM file (default: in-memory self-signed)")
	keyFile := fs.String("key", "", "TLS private key PEM file")
	quiet := fs.Bool("quiet", false, "do not log every request (for benchmarks)")
	useRGI := fs.Bool("rgi", false, "serve HTTP/2 with the RGI app (rgi/rgih2) that serves HTTP/1.1, instead of the native handler")
	observeFlags(fs) // -debug (observe.go)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	stopObserve, err := obs.start(log, *quiet) // access log, /debug/vars (observe.go)
	if err != nil {
		return err
	}
	defer stopObserve()
	app, err := newDemo(*root, *listing, log, true) // requests: the access log (observe.go)
	if err != nil {
		return err
	}
	defer app.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srvs, err := start(app, *addr, *h2c, *certFile, *keyFile, *useRGI, log)
	if err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("shutting down")
	app.stop() // end the event streams, which would hold the drain up
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Shutdown drains HTTP/2 connections with GOAWAY and the HTTP/1.1
	// fallback's keep-alive connections with "connection: close".
	for _, s := range srvs {
		s.srv.Shutdown(sctx)
	}
	for _, s := range srvs {
		if err := <-s.done; err != nil && !errors.Is(err, h2server.ErrServerClosed) {
			return err
		}
	}
	return nil
}

type running struct {
	srv  *h2server.Server
	done chan error
}

// start listens on the TLS and h2c addresses and serves app on them, printing
// the URLs. Clients that do not speak HTTP/2 are served HTTP/1.1 by the site's
// RGI app through each server's RGI fallback (which also accepts the h2c
// Upgrade on cleartext); with useRGI HTTP/2 clients are served by the same RGI
// app through rgih2.
func start(app *demo, addr, h2c, certFile, keyFile string, useRGI bool, log *slog.Logger) ([]running, error) {
	var out []running
	cfg := h2server.Config{ReuseStreams: true}
	factory := app.factory
	if useRGI {
		// rgih2 does not allow ReuseStreams (its request goroutines may
		// touch a stream after it closed).
		factory = rgih2.Handler(newSiteApp(app, "HTTP/2"), &rgih2.Options{Logger: log})
		cfg.ReuseStreams = false
	}
	h1opts := rgi.DefaultOptions()
	h1opts.Logger = log
	h1app := newSiteApp(app, "HTTP/1.1")
	if addr != "" {
		tcfg := &tls.Config{}
		if certFile == "" && keyFile == "" {
			cert, err := pki.SelfSigned()
			if err != nil {
				return nil, err
			}
			tcfg.Certificates = []tls.Certificate{cert}
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, err
		}
		srv := &h2server.Server{TLSConfig: tcfg, Handler: factory, Config: cfg, Logger: log}
		obs.server(srv, "tls")
		if err := rgih2.Fallback(srv, h1app, &h1opts); err != nil {
			return nil, err
		}
		r := running{srv: srv, done: make(chan error, 1)}
		go func() { r.done <- srv.ServeTLS(ln, certFile, keyFile) }()
		fmt.Printf("h2demo: serving https://%s/ (TLS: h2 or http/1.1 by ALPN)\n", ln.Addr())
		out = append(out, r)
	}
	if h2c != "" {
		ln, err := net.Listen("tcp", h2c)
		if err != nil {
			for _, r := range out {
				r.srv.Close()
			}
			return nil, err
		}
		srv := &h2server.Server{Handler: factory, Config: cfg, Logger: log}
		obs.server(srv, "h2c")
		if err := rgih2.Fallback(srv, h1app, &h1opts); err != nil {
			for _, r := range out {
				r.srv.Close()
			}
			return nil, err
		}
		r := running{srv: srv, done: make(chan error, 1)}
		go func() { r.done <- srv.Serve(ln) }()
		fmt.Printf("h2demo: serving http://%s/ (cleartext: h2c with prior knowledge or Upgrade, and HTTP/1.1)\n", ln.Addr())
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, errors.New("nothing to serve: both -addr and -h2c are empty")
	}
	return out, nil
}
