// Package rgih2 serves an RGI application (rgi.App) over HTTP/2 streams, so
// that a site written once answers h2 clients (through h2server and this
// adapter) and HTTP/1.1 clients (through the rgi fallback) alike:
//
//	app := rgi.AppFunc(site)
//	srv := &h2server.Server{Handler: rgih2.Handler(app, nil)}
//	if err := rgih2.Fallback(srv, app, nil); err != nil { ... }
//
// Fallback is the bridge the other way: it makes an rgi server srv's
// HTTP/1.1 fallback (an h2server.HTTP1Server that srv's Shutdown and Close
// drain) and hands cleartext "Upgrade: h2c" requests to srv.UpgradeH2C
// (Upgrader), so that h2server itself depends on no HTTP/1.1 engine.
//
// Request goroutines may outlive their streams; they hold generation-checked
// handler.Handles and private copies of the request, so the adapter is safe
// with h2server.Config.ReuseStreams (handler.Options.ReuseStreams).
//
// # Connections and sessions
//
// Every stream of one HTTP/2 connection shares one session, as every request
// of one TCP connection does over HTTP/1.1 (sessions are kept per
// handler.ConnInfo.ID): the same Store map and Client. With Options.Serialize
// every stream gets the same *rgi.Session, as over HTTP/1.1; without it the
// streams run at once and each app call gets its own copy of the Session,
// whose Requests is the number of requests of the connection completed when
// the call began (so that reading it is not a data race). Session.Client is the
// peer's address in rgi's address form; Session.Credentials is nil (the
// socket is not reachable from a stream). An app that implements
// rgi.ConnectHook has OnConnect called once per connection, on the goroutine
// of the connection's first request, before that request; other streams of
// the connection wait for its answer. The net.Conn it receives is a *Conn
// (addresses and, over TLS, ConnectionState, but no I/O). When OnConnect
// returns false (or panics) the connection is refused, as Degu closes the
// connection without a response: the adapter sends GOAWAY with CANCEL and
// the debug data "connection refused" (handler.Stream.GoAway), which closes
// the connection and every stream on it without a response. The GOAWAY's
// last stream ID covers every stream the client opened, and the code is
// CANCEL rather than REFUSED_STREAM, so that clients do not retry the
// requests on a new connection, which the hook would refuse again.
//
// Over HTTP/1.1 an app sees the requests of a connection one at a time and
// needs no lock for Session.Store. Over HTTP/2 the streams of a connection
// are served at once, each on its own goroutine, so an app that changes
// Session.Store while serving requests (Degu's "__" keys, such as a proxy's
// per-session upstream connection) must lock it, or set Options.Serialize,
// which calls the app for one stream of a connection at a time, as HTTP/1.1
// does. Serialize is not the default because of flow control: a stream
// queued behind another keeps its received body unread, and the handler
// layer returns connection-level window only as bodies are read, so a few
// concurrent uploads larger than the stream window can fill the
// connection's window and stall the upload being served. With Serialize, set
// h2server's ConnWindowSize to at least 2 × MaxConcurrentStreams ×
// InitialWindowSize (the connection window is returned in batches of half of
// it), as TestUploadsSerialized does.
//
// The session's store values that are io.Closers are closed when the
// connection has ended (handler.ConnInfo.Context is cancelled) and no app
// call of the connection is still running: an app still serving a request of
// a connection that went away keeps its store open until it returns.
//
// # Requests
//
// Method, URI (:path), Path and Query are those of the HTTP/1.1 server
// (rgi.NewRequest): a method other than GET, HEAD, PUT, POST or DELETE gets
// 405 (with allow) or 501, a target the HTTP/1.1 server refuses 400.
// Headers have lowercase names (HTTP/2 sends them so) and one value each;
// :authority becomes the "host" header and pseudo-headers are dropped.
// Fields must pass the HTTP/1.1 server's rules (rgi.CheckHeader: names of
// [-0-9a-z], at most 32 bytes; values printable ASCII) or the request gets
// 400, and a field that appears twice gets 400 as over HTTP/1.1 (Degu's "no
// duplicate headers"); the cookie crumbs of RFC 9113 §8.2.3 arrive already
// joined into one cookie field.
//
// The request body follows the HTTP/1.1 framing rules: GET, HEAD and DELETE
// may not have one (400; rgi.BodyAllowed). With content-length it is an *rgi.Body of that
// length; without, an *rgi.ChunkedBody in which each piece of received data
// is one chunk without extension (HTTP/2 has no chunk extensions); a request
// that ends with its headers, or sends no DATA, has a nil Body. A request
// with content-length, or whose HEADERS frame ends it (handler.Stream.BodyEnded
// in OnHeaders), reaches the app at once; one without content-length whose
// body is still to come starts with its first DATA frame (or its end). The body
// is read under flow control (handler.BodyReader): the peer's windows are
// only reopened as the app reads, so a slow app holds at most a stream window
// of body (h2server's InitialWindowSize). A body the app leaves unread is discarded
// as it arrives (with its window returned) after the app returns; over
// HTTP/1.1 the connection would be closed instead. If the stream is reset
// before the body ends, the app's read fails. Request trailers are not given
// to the app (RGI has none), and no 100 (Continue) is sent: HTTP/2 clients
// may send the body without waiting for it.
//
// # Responses
//
// Each request runs on its own goroutine. The response is checked as the
// HTTP/1.1 server checks it (rgi.CheckResponse): lowercase header names,
// valid values, a framing header that agrees with the body; any mistake (or a
// panic in the app) is logged and answered with the same plain-text 500 the
// HTTP/1.1 server sends. HTTP/2 has no reason phrase, so Reason is checked but
// not sent; a status below 200 cannot be a final HTTP/2 response (RFC 9113
// §8.1) and is a 500 too.
//
// Connection-specific header fields (connection, keep-alive,
// proxy-connection, transfer-encoding, upgrade, and te other than
// "trailers") are dropped: RFC 9113 §8.2.2 forbids them in HTTP/2, and the
// same app may rightly send them to HTTP/1.1 clients. Bodies map to DATA
// frames: nil sends no content and no content-length; []byte, string,
// *rgi.Body and *rgi.BodyIter carry content-length; *rgi.ChunkedBody and
// *rgi.ChunkedBodyIter send their chunks' data without content-length, and
// their chunk extensions are lost (HTTP/2 has no chunked coding). A body
// whose bytes disagree with its length, or whose reader or sequence fails or
// panics, resets the stream with INTERNAL_ERROR (over HTTP/1.1 the
// connection is closed). A response to HEAD carries the headers, with the
// content-length the body would have, and no content. The server's date
// header (h2server.Config.DisableDate) is added as for any HTTP/2 response.
package rgih2
