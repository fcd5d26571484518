package reject_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync/atomic"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/reject"
)

// One counter per name, registered up front from All and incremented by the
// server's OnReject hook (which runs on connection goroutines).
func Example() {
	counters := make(map[reject.Name]*atomic.Int64)
	for _, name := range reject.All() {
		counters[name] = new(atomic.Int64)
	}

	srv := &h2server.Server{
		Handler:  func(*handler.Stream) handler.RequestHandler { return handler.BaseRequestHandler{} },
		OnReject: func(name reject.Name) { counters[name].Add(1) },
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	// A cleartext client whose preface is neither HTTP/2's nor an HTTP/1.1
	// request: the server closes the connection.
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	io.WriteString(c, "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")
	io.Copy(io.Discard, c) // until the server closes
	c.Close()

	for _, name := range reject.All() {
		if n := counters[name].Load(); n > 0 {
			fmt.Println(name, n)
		}
	}
	// Output: invalid_preface 1
}
