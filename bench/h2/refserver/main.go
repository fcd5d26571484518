// Command refserver is the Go net/http reference server for the h2kit benchmarks
// (bench/h2/run.sh). It serves the same two resources as h2demo and nghttpd in the
// benchmark run: /hello.txt (12 bytes) and /1m (1 MiB), over h2c with prior knowledge
// and over TLS with ALPN h2, using only the standard library's HTTP/2 server.
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
	h2cAddr := flag.String("h2c", "127.0.0.1:9080", "h2c (prior knowledge) listen address")
	tlsAddr := flag.String("addr", "127.0.0.1:9443", "TLS listen address")
	flag.Parse()

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

	cert, err := pki.SelfSigned()
	if err != nil {
		log.Fatal(err)
	}

	plain := &http.Server{Addr: *h2cAddr, Handler: mux}
	plain.Protocols = new(http.Protocols)
	plain.Protocols.SetHTTP1(true)
	plain.Protocols.SetUnencryptedHTTP2(true)

	secure := &http.Server{Addr: *tlsAddr, Handler: mux,
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
