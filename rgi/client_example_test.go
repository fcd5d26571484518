package rgi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// The tutorial's first example: a throw-away server on the IPv4 loopback
// and a client connection making two requests on it.
func Example() {
	exampleApp := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"x-msg": "hello, world"}}
	})
	server, err := rgitest.Start(nil, "127.0.0.1:0", exampleApp, nil)
	if err != nil {
		panic(err)
	}
	defer server.Close()

	client, err := rgi.NewClient(server.Address(), nil)
	if err != nil {
		panic(err)
	}
	conn, err := client.Connect(context.Background())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	for _, method := range []string{"GET", "PUT"} {
		resp, err := conn.Request(method, "/foo", nil, nil)
		if err != nil {
			panic(err)
		}
		delete(resp.Headers, "date") // the server's clock (RFC 9110 §6.6.1)
		fmt.Printf("%d %s %v %v\n", resp.Status, resp.Reason, resp.Headers, resp.Body)
	}
	// Output:
	// 200 OK map[x-msg:hello, world] <nil>
	// 200 OK map[x-msg:hello, world] <nil>
}

// Mutual TLS over a Unix socket with a throw-away PKI: the server requires
// a client certificate signed by the client CA, the client checks the
// server's chain against the server CA.
func ExampleNewSSLClient() {
	dir, err := os.MkdirTemp("", "rgi-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	pki, err := rgitest.NewPKI(dir)
	if err != nil {
		panic(err)
	}
	serverTLS, err := rgi.BuildServerTLSConfig(pki.ServerSSLConfig())
	if err != nil {
		panic(err)
	}
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		return rgi.Response{Status: 200, Reason: "OK", Body: "hello, " + r.Method}
	})
	server, err := rgitest.Start(serverTLS, filepath.Join(dir, "rgi.socket"), app, nil)
	if err != nil {
		panic(err)
	}
	defer server.Close()

	clientTLS, err := rgi.BuildClientTLSConfig(pki.ClientSSLConfig())
	if err != nil {
		panic(err)
	}
	client, err := rgi.NewSSLClient(clientTLS, server.Address(), nil)
	if err != nil {
		panic(err)
	}
	conn, err := client.Connect(context.Background())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	resp, err := conn.Get("/", nil)
	if err != nil {
		panic(err)
	}
	body, err := rgi.ReadBody(resp.Body)
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Status, resp.Headers["content-length"], string(body))
	// Output:
	// 200 10 hello, GET
}
