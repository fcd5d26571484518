// Command prometheus serves "hello, world" over HTTP/2 (h2c with prior
// knowledge) with h2kit and exports the server's counters to Prometheus
// with github.com/prometheus/client_golang:
//
//	go run . -addr 127.0.0.1:8080 -metrics 127.0.0.1:9090
//	curl --http2-prior-knowledge http://127.0.0.1:8080/
//	curl http://127.0.0.1:9090/metrics | grep h2kit_
//
// It is a module of its own so that client_golang never enters the
// dependencies of h2kit's users; Collector (collector.go) is the part to
// copy.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "h2c listen address")
	metrics := flag.String("metrics", "127.0.0.1:9090", "listen address of /metrics")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, *metrics, nil); err != nil {
		fmt.Fprintln(os.Stderr, "prometheus:", err)
		os.Exit(1)
	}
}

// hello answers every request with "hello, world".
func hello(*handler.Stream) handler.RequestHandler {
	return handler.HandlerFunc(func(s *handler.Stream) { s.SendResponse(200, nil, "hello, world\n") })
}

// run serves until ctx ends; ready, if set, receives the two bound
// addresses once both listen.
func run(ctx context.Context, addr, metricsAddr string, ready func(h2, metrics net.Addr), configure ...func(*h2server.Server)) error {
	srv := &h2server.Server{Handler: hello}
	col := NewCollector(srv)
	srv.ConnState = col.ConnState
	for _, f := range configure {
		f(srv)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(col)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mln, err := net.Listen("tcp", metricsAddr)
	if err != nil {
		ln.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	ms := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	go func() { errc <- ms.Serve(mln) }()
	if ready != nil {
		ready(ln.Addr(), mln.Addr())
	}
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	ms.Shutdown(sctx)
	if errors.Is(err, h2server.ErrServerClosed) || errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
