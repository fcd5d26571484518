// Command refserver is the Go net/http reference server of the h2kit benchmarks
// (bench/h2/run.sh). It listens for h2c with prior knowledge (and HTTP/1.1) on
// -h2c and for TLS with ALPN h2 (and http/1.1) on -addr, using only the standard
// library's HTTP/2 server.
//
// By default it answers from memory, the benchmark's "engine" workload: /hello.txt
// (the 12 bytes "hello, world") and /1m (1 MiB), written by a handler from fixed
// byte slices. With -root DIR it serves that directory with http.FileServer, the
// benchmark's "disk" workload, from the same directory as the other servers.
//
// Cleartext HTTP/2 uses net/http's own support (http.Protocols with
// SetUnencryptedHTTP2), which replaced the deprecated golang.org/x/net/http2/h2c
// package; it speaks the same prior-knowledge h2c that h2load uses.
package main

import (
	"crypto/tls"
	"flag"
	"log"
	"net"
	"net/http"
	"strconv"

	"github.com/h2kit/h2kit/pki"
)

func main() {
	h2cAddr := flag.String("h2c", "127.0.0.1:9080", "h2c (prior knowledge) and HTTP/1.1 listen address")
	tlsAddr := flag.String("addr", "127.0.0.1:9443", "TLS listen address")
	root := flag.String("root", "", "serve this directory with http.FileServer instead of the in-memory resources")
	certFile := flag.String("cert", "", "TLS certificate PEM file (default: in-memory self-signed)")
	keyFile := flag.String("key", "", "TLS private key PEM file")
	flag.Parse()

	var h http.Handler
	if *root != "" {
		h = http.FileServer(http.Dir(*root))
	} else {
		h = memoryMux()
	}

	var cert tls.Certificate
	var err error
	if *certFile != "" || *keyFile != "" {
		cert, err = tls.LoadX509KeyPair(*certFile, *keyFile)
	} else {
		cert, err = pki.SelfSigned()
	}
	if err != nil {
		log.Fatal(err)
	}

	plain := &http.Server{Addr: *h2cAddr, Handler: h}
	plain.Protocols = new(http.Protocols)
	plain.Protocols.SetHTTP1(true)
	plain.Protocols.SetUnencryptedHTTP2(true)

	secure := &http.Server{Addr: *tlsAddr, Handler: h,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}

	errc := make(chan error, 2)
	go func() { errc <- plain.ListenAndServe() }()
	go func() {
		ln, err := net.Listen("tcp", *tlsAddr)
		if err != nil {
			errc <- err
			return
		}
		errc <- secure.ServeTLS(ln, "", "")
	}()
	log.Printf("refserver: h2c http://%s  tls https://%s", *h2cAddr, *tlsAddr)
	log.Fatal(<-errc)
}

// memoryMux answers /hello.txt and /1m from fixed byte slices, with the
// content-length set up front so that no response is chunked or sniffed.
func memoryMux() *http.ServeMux {
	hello := []byte("hello, world")
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	mux := http.NewServeMux()
	serve := func(body []byte, ctype string) http.HandlerFunc {
		n := strconv.Itoa(len(body))
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Header().Set("Content-Length", n)
			if r.Method != http.MethodHead {
				w.Write(body)
			}
		}
	}
	mux.HandleFunc("/hello.txt", serve(hello, "text/plain; charset=utf-8"))
	mux.HandleFunc("/1m", serve(big, "application/octet-stream"))
	return mux
}
