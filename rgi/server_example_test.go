package rgi_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"

	"github.com/h2kit/h2kit/rgi"
)

// ExampleNewServer runs Degu's hello-world app and talks to it with raw
// HTTP/1.1, showing exactly what goes over the wire: the only headers the
// server adds are content-length and date (RFC 9110 §6.6.1; its value, the
// server's clock, is shown as "<now>" here).
func ExampleNewServer() {
	headers := map[string]string{"content-type": "text/plain"}
	var body any = []byte("hello, world") // boxed once: no allocation per request
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
		switch r.Method {
		case rgi.MethodGet:
			return rgi.Response{Status: 200, Reason: "OK", Headers: headers, Body: body}
		case rgi.MethodHead: // a HEAD answer carries the headers a GET would get
			return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-type": "text/plain", "content-length": "12"}}
		}
		return rgi.Response{Status: 405, Reason: "Method Not Allowed"}
	})
	srv, err := rgi.NewServer("127.0.0.1:0", app, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve()
	defer srv.Close()

	c, err := net.Dial("tcp", srv.Address())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\n\r\nHEAD / HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\n\r\n")
	out, _ := io.ReadAll(bufio.NewReader(c))
	now := regexp.MustCompile(`date: [^\r]*`)
	fmt.Print(strings.ReplaceAll(now.ReplaceAllString(string(out), "date: <now>"), "\r\n", "\n"))
	// Output:
	// HTTP/1.1 200 OK
	// content-length: 12
	// content-type: text/plain
	// date: <now>
	//
	// hello, worldHTTP/1.1 200 OK
	// content-length: 12
	// content-type: text/plain
	// date: <now>
	//
	// HTTP/1.1 405 Method Not Allowed
	// connection: close
	// date: <now>
	//
}

// ExampleRequest_Shift mounts a sub-application the way Degu's routers do:
// the first path component picks it, Shift moves that component to Script,
// and RelativeURI is what a proxy forwards.
func ExampleRequest_Shift() {
	r, _ := rgi.NewRequest("GET", "/api/users/42?fields=name", nil, nil)
	mount, _ := r.Shift()
	fmt.Println(mount, r.Script, r.Path, r.RelativeURI(), r.AbsoluteURI())
	// Output: api [api] [users 42] /users/42?fields=name /api/users/42?fields=name
}
