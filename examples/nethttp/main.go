// Command nethttp serves an existing http.ServeMux with h2kit on one port:
// HTTP/2 with prior knowledge (h2c), the h2c Upgrade and HTTP/1.1 (Go's own
// net/http server). h2server.ListenAndServeTLS does the same over TLS (h2 and
// http/1.1 by ALPN).
//
//	go run ./examples/nethttp &
//	curl --http1.1 http://127.0.0.1:8080/               # hello over HTTP/1.1
//	curl --http2 http://127.0.0.1:8080/                 # hello over HTTP/2.0 (Upgrade)
//	curl --http2-prior-knowledge http://127.0.0.1:8080/ # hello over HTTP/2.0
package main

import (
	"fmt"
	"log"
	"net/http"

	"github.com/h2kit/h2kit/h2server"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "hello over %s\n", r.Proto) })
	log.Fatal(h2server.ListenAndServe("127.0.0.1:8080", mux))
}
