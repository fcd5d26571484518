package h2server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
)

// greet answers every request from its path.
type greet struct{ handler.BaseRequestHandler }

func (greet) OnHeaders(s *handler.Stream) {
	s.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}, "hello from "+s.Path()+"\n")
}

// Serving handlers over cleartext HTTP/2 (h2c) on a listener of your own, and
// calling it with Go's own client speaking h2c with prior knowledge.
func ExampleServer_Serve() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := &h2server.Server{Handler: func(*handler.Stream) handler.RequestHandler { return greet{} }}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	h2c := new(http.Protocols)
	h2c.SetUnencryptedHTTP2(true) // http:// URLs over HTTP/2, no TLS
	client := &http.Client{Transport: &http.Transport{Protocols: h2c}}
	resp, err := client.Get("http://" + l.Addr().String() + "/docs")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Proto, " ", resp.StatusCode, " ", resp.Header.Get("Content-Type"), " ", string(body))
	// Output: HTTP/2.0 200 text/plain hello from /docs
}
