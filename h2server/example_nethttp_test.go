package h2server_test

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/h2kit/h2kit/h2server"
)

// The whole program that serves an existing http.ServeMux to every client:
// curl --http1.1, --http2 (the h2c Upgrade) and --http2-prior-knowledge on
// http://127.0.0.1:8080. ListenAndServeTLS adds h2 and HTTP/1.1 over TLS.
func ExampleListenAndServe() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello over %s\n", r.Proto)
	})
	log.Fatal(h2server.ListenAndServe("127.0.0.1:8080", mux))
}

// NetHTTP serves a net/http handler through a Server of your own (its
// Config, Logger and Shutdown): HTTP/2 by h2kit, HTTP/1.1 by net/http, on
// the same port.
func ExampleNetHTTP() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello over %s\n", r.Proto)
	})
	srv := &h2server.Server{}
	h2server.NetHTTP(srv, mux)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(l)
	defer srv.Close()

	h1 := &http.Client{}
	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true)
	h2 := &http.Client{Transport: &http.Transport{Protocols: h2c}}
	for _, c := range []*http.Client{h1, h2} {
		resp, err := c.Get("http://" + l.Addr().String() + "/")
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Print(string(body))
	}
	// Output:
	// hello over HTTP/1.1
	// hello over HTTP/2.0
}
