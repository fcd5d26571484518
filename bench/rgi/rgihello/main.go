// Command rgihello serves the hello-world RGI app of Degu's benchmark,
// (200, "OK", {"content-type": "text/plain"}, "hello, world"), for
// bench/rgi/run.sh. It prints the bound address on its first output line
// and serves until SIGINT or SIGTERM.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/h2kit/h2kit/rgi"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (rgi address form)")
	maxConns := flag.Int("max-connections", rgi.DefaultMaxConnections, "MaxConnections")
	maxReqs := flag.Int("max-requests", rgi.DefaultMaxRequestsPerConnection, "MaxRequestsPerConnection")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file until the server is stopped")
	flag.Parse()

	// The body is put in an interface once: converting a []byte to the
	// Response's Body (any) on every request would allocate.
	var body any = []byte("hello, world")
	headers := map[string]string{"content-type": "text/plain"}
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		return rgi.Response{Status: 200, Reason: "OK", Headers: headers, Body: body}
	})
	opts := rgi.DefaultOptions()
	opts.MaxConnections = *maxConns
	opts.MaxRequestsPerConnection = *maxReqs
	srv, err := rgi.NewServer(*addr, app, &opts)
	if err != nil {
		log.Fatal(err)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	fmt.Println(srv.Address())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	go func() { <-stop; srv.Close() }()
	if err := srv.Serve(); err != nil && err != rgi.ErrServerClosed {
		log.Fatal(err)
	}
}
