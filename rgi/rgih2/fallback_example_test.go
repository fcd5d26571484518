package rgih2_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgih2"
)

// ExampleFallback serves one RGI app to HTTP/2 clients (through
// rgih2) and to HTTP/1.1 clients (the fallback), which may also switch to
// HTTP/2 with the h2c Upgrade (curl --http2 http://...).
func ExampleFallback() {
	app := rgi.AppFunc(func(_ *rgi.Session, r *rgi.Request, _ rgi.Bodies) rgi.Response {
		return rgi.Response{Status: 200, Reason: "OK", Body: "hello from " + r.URI + "\n"}
	})
	srv := &h2server.Server{Address: "127.0.0.1:0", Handler: rgih2.Handler(app, nil)}
	if err := rgih2.Fallback(srv, app, nil); err != nil {
		fmt.Println(err)
		return
	}
	go srv.ListenAndServe()
	defer srv.Shutdown(context.Background())
	for srv.Addr() == nil {
		time.Sleep(time.Millisecond)
	}

	// Go's HTTP/1.1 client.
	resp, err := http.Get("http://" + srv.Addr().String() + "/h1")
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.Proto, " ", resp.Status, ": ", string(b))
	// Output: HTTP/1.1 200 OK: hello from /h1
}
