package rgih2_test

import (
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgih2"
)

// One RGI app served over HTTP/2 (h2c with prior knowledge here) and, on the
// same port, HTTP/1.1.
func Example() {
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		return rgi.Response{Status: 200, Reason: "OK",
			Headers: map[string]string{"content-type": "text/plain"},
			Body:    "hello, " + r.Headers["host"] + r.URI + "\n"}
	})
	srv := &h2server.Server{Handler: rgih2.Handler(app, nil)}
	if err := rgih2.Fallback(srv, app, nil); err != nil { // nil: rgi.DefaultOptions()
		fmt.Println(err)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(ln)
	defer srv.Close()

	// net/http's client, h2c with prior knowledge.
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	h2c := &http.Transport{Protocols: p}
	defer h2c.CloseIdleConnections()
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/greeting", nil)
	req.Host = "example.test"
	resp, err := h2c.RoundTrip(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.Proto, " ", resp.StatusCode, " ", string(body))
	// Output: HTTP/2.0 200 hello, example.test/greeting
}
