// Package rgi is h2kit's HTTP/1.1 engine: a server running RGI
// applications compatible with Degu (github.com/json420/degu), the matching
// client, mutual-TLS configuration builders and address handling for TCP
// (IPv4, IPv6 with zones), Unix socket paths and Linux abstract sockets.
//
// # Applications
//
// An App is called once per request with the connection's *Session, the
// *Request and the body constructors (Bodies), and returns a Response:
// Degu's app(session, request, bodies) -> (status, reason, headers, body).
//
//	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
//		if r.Method != rgi.MethodGet && r.Method != rgi.MethodHead {
//			return rgi.Response{Status: 405, Reason: "Method Not Allowed"}
//		}
//		return rgi.Response{Status: 200, Reason: "OK",
//			Headers: map[string]string{"content-type": "text/plain"},
//			Body:    []byte("hello, world")}
//	})
//	srv, err := rgi.NewServer("127.0.0.1:0", app, nil)
//	// srv.Address() is "127.0.0.1:<port>"; srv.Serve() blocks.
//
// An App that also implements ConnectHook has OnConnect called per
// connection. The server adds only content-length or
// "transfer-encoding: chunked" to a response, chosen from the body's type.
//
// # The wire
//
// The server speaks Degu's strict HTTP/1.1 subset: HTTP/1.1 only; methods
// GET, HEAD, PUT, POST and DELETE; a request body only with PUT and POST;
// never content-length and transfer-encoding together; transfer-encoding
// only "chunked" (chunk extensions of one key=value are kept); no duplicate
// headers; header lines of exactly "Name: Value\r\n"; a preamble of at most
// 32 KiB; keep-alive by default. Where Degu silently drops the connection on
// bad input, this server answers first with a short plain-text error (400,
// 405, 413, 431, 501 or 505, reason phrases of letters and spaces) and then
// closes.
//
// Deliberate differences from Degu 0.19, each for safety or for clients
// other than Degu's: header values may contain any printable ASCII
// (Degu refuses e.g. "!", "#", "{"), a path may contain %HH escapes; a
// response header value containing a control character is the app's
// mistake (500), not sent; the request's "Connection: close" is honoured;
// the response after which the server closes carries "connection: close";
// TCP_NODELAY is set; "Expect: 100-continue" is answered when the app
// first reads the body.
package rgi
