package main

import (
	"errors"
	"expvar"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/h2kit/h2kit/h2server"
)

// observer is h2demo's observability: every HTTP/2 stream is logged by the
// servers' access log (h2server.Server.AccessLog, one slog record per
// stream; off with -quiet), and with -debug ADDR the servers' counters
// (h2server.Stats) are served as expvar JSON at http://ADDR/debug/vars,
// under "h2kit" with one object per server ("tls", "h2c").
type observer struct {
	debugAddr string
	debugURL  string // of /debug/vars, once listening

	mu        sync.Mutex
	accessLog *slog.Logger
	servers   map[string]*h2server.Server
}

// obs is the process's observer: its flags are defined once per run, and
// start registers each server with it.
var obs = &observer{}

// publishOnce publishes the "h2kit" expvar (names are process-wide; tests
// run the demo many times).
var publishOnce sync.Once

// observeFlags defines -debug on fs.
func observeFlags(fs *flag.FlagSet) {
	fs.StringVar(&obs.debugAddr, "debug", "", "serve the server counters as expvar JSON at http://ADDR/debug/vars (empty: off)")
}

// start sets the access log (nil with quiet) and, with -debug, serves
// /debug/vars; stop ends that listener.
func (o *observer) start(log *slog.Logger, quiet bool) (stop func(), err error) {
	o.mu.Lock()
	o.accessLog = nil
	if !quiet {
		o.accessLog = log
	}
	o.servers = map[string]*h2server.Server{}
	o.mu.Unlock()
	publishOnce.Do(func() { expvar.Publish("h2kit", expvar.Func(o.vars)) })
	if o.debugAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", o.debugAddr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/debug/vars", expvar.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("debug listener", "err", err)
		}
	}()
	o.debugURL = "http://" + ln.Addr().String() + "/debug/vars"
	log.Info("serving expvar", "url", o.debugURL)
	return func() { hs.Close() }, nil
}

// server registers srv under name: before it serves, it gets the access
// log, and its counters join the "h2kit" expvar.
func (o *observer) server(srv *h2server.Server, name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	srv.AccessLog = o.accessLog
	if o.servers == nil {
		o.servers = map[string]*h2server.Server{}
	}
	o.servers[name] = srv
}

// vars is the value of the "h2kit" expvar: each server's Stats by name.
func (o *observer) vars() any {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[string]h2server.Stats, len(o.servers))
	for name, srv := range o.servers {
		out[name] = srv.Stats()
	}
	return out
}
