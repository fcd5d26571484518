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
//			return rgi.Response{Status: 405, Reason: "Method Not Allowed",
//				Headers: map[string]string{"allow": "GET, HEAD"}}
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
// "transfer-encoding: chunked" to a response, chosen from the body's type,
// and date (RFC 9110 §6.6.1).
//
// # The wire
//
// The server speaks Degu's strict HTTP/1.1 subset: HTTP/1.1 only; any
// method token, passed to the app (Degu's are GET, HEAD, PUT, POST and
// DELETE); no request body with GET, HEAD or DELETE (see BodyAllowed);
// never content-length and transfer-encoding together; transfer-encoding
// only "chunked" (chunk extensions of one key=value are kept); no duplicate
// headers; header lines of exactly "Name: Value\r\n"; a preamble of at most
// 32 KiB; keep-alive by default. Where Degu silently drops the connection on
// bad input, this server answers first with a short plain-text error (400,
// 413, 431, 501 or 505, reason phrases of letters and spaces) and then
// closes.
//
// # Addresses
//
// One address string serves Listen, NewServer and NewClient alike: "127.0.0.1:0" (TCP over IPv4),
// "[::1]:0" or "[fe80::1%eth0]:0" (TCP over IPv6; the brackets decide the family, the zone is the
// seed's scope id), an absolute clean path that must not exist yet (a Unix socket file, removed on
// Close), "@name" (a Linux abstract socket) or "@" (a kernel-assigned abstract name). Server.Address
// and AddressOf give the bound address in the same form. Host names are not addresses.
//
// # TLS
//
// BuildServerTLSConfig(SSLConfig) applies Degu's opinionated rules: TLS 1.2 or later, for 1.2 only
// ECDHE with AES-256-GCM, client certificates required and verified against CAFile/CAPath unless
// AllowUnauthenticatedClients is set (an error when neither is given). BuildClientTLSConfig builds the
// matching client side. rgitest.TempPKI makes a throw-away CA, server and client certificates.
//
// # Client
//
// NewClient(address, opts) and NewSSLClient(tlsConfig, address, opts) return a stateless Client;
// Connect gives a Connection whose Request(method, uri, headers, body) returns a Response, the same
// type an App returns, so a proxy can hand it back as is. Connections are kept alive; a response body
// must be read before the next request. The client sends no header by default (set ClientOptions.Host).
//
// # Handing connections over
//
// Server.ServeConn serves a connection accepted elsewhere (an HTTP/2 server falling back to
// HTTP/1.1 for ALPN "http/1.1" or a cleartext HTTP/1.1 request line), with the bytes already read;
// NewConnServer makes a Server for that use only. Options.H2CUpgrader hands a cleartext request
// with "Upgrade: h2c" (and no body) back to the HTTP/2 server (rgih2.Fallback wires both ways).
//
// # Performance
//
// Buffers, the Request, its header map and path storage are reused per connection (and pooled
// across connections), and repeated header values are interned, so a warm keep-alive request
// costs the server no allocation (TestServeConnAllocsPerRequest). See Request and Response for the
// ownership rules that make this possible.
//
// A connection also remembers its last response head: a response whose status, reason, header
// map and framing equal the previous one's gets the previous head, validated and sorted already,
// with only the date copied in; it gives the bytes the general path gives (TestHeadMemoGolden).
// Requests are always parsed: a memo of the last request would help only a client repeating the
// same bytes (a load generator), so there is none.
//
// # Differences from Degu
//
// Deliberate differences from Degu 0.19, each for safety or for clients other than Degu's:
//   - bad input gets a short plain-text answer (400, 413, 431, 501, 505) before the close,
//     where Degu closes silently; so does an app that panics or returns an invalid response
//     (500), and a request body the app left unread gets the app's response before the close;
//   - header values may hold any printable ASCII (Degu refuses "!", "#", "{", which browsers put
//     in cookies) but no surrounding spaces (Degu keeps "Host:  x" as " x"); a path may hold
//     %HH escapes, checked and not decoded;
//   - a response header value with a control character, a framing header that disagrees with the
//     body, or a head over the peer's 32 KiB limit is the app's mistake (500); Degu 0.19 sends
//     them;
//   - a HEAD response drops the app's body (Degu closes the connection);
//   - the request's "Connection: close" is honoured, and the response after which the server
//     closes says "connection: close";
//   - TCP_NODELAY is set, and "Expect: 100-continue" is answered when the app first reads the body;
//   - responses carry a date header (RFC 9110 §6.6.1; Options.DisableDate for Degu's none), as
//     the same app's responses over HTTP/2 do;
//   - every method token reaches the app (Request.Method), which answers those it does not
//     support (405 with allow, or 501): only the app knows what a resource allows, and HTTP/2
//     handlers see every method too (Degu closes the connection on OPTIONS or PATCH; the client
//     still sends only Degu's five);
//   - the Timeout and MaxConnections defaults are the seed's (15 s, 25 connections), not Degu
//     0.19's code (30 s, 50); the request limit is Degu 0.19's 1000 per connection (the seed's 100
//     broke Degu clients, which do not reconnect); a connection beyond MaxConnections is closed at
//     once (Degu waits up to 2 s for a slot);
//   - a request preamble must arrive within one Timeout in total (Degu renews it per read, so a
//     client trickling bytes holds a connection forever); a late one gets 408;
//   - Range and Content-Range are not parsed: "range" reaches the app as a string.
package rgi
