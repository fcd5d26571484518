package rgi

import (
	"io"
	"iter"
	"net"
	"strings"
)

// App is an RGI application: Serve is called once per request with the
// connection's session, the request and the body constructors, and returns
// the response (Degu: app(session, request, bodies) -> (status, reason,
// headers, body)). Serve may be called from many goroutines at once, one per
// connection.
//
// Ownership: the *Request, its Headers map and its Script/Path slices belong
// to the server and are reused for the connection's next request, so Serve
// must not keep them after returning (the strings in them are ordinary
// immutable strings and may be kept). The same holds for the request Body.
// The returned Response's Headers map is only read, never changed, so an
// app may return the same map for every request.
//
// A panic in Serve is recovered: the server logs it, answers 500 and
// closes that connection; other connections carry on.
type App interface {
	Serve(s *Session, r *Request, b Bodies) Response
}

// AppFunc adapts a function to App.
type AppFunc func(s *Session, r *Request, b Bodies) Response

// Serve calls f.
func (f AppFunc) Serve(s *Session, r *Request, b Bodies) Response { return f(s, r, b) }

// ConnectHook is the optional connection handler (Degu's app.on_connect):
// an App that also implements it has OnConnect called once per accepted
// connection, after the TLS handshake and before the first request.
// Returning false closes the connection without a response. conn is the
// *net.TCPConn, *net.UnixConn or *tls.Conn. OnConnect should store what it
// learns (an authenticated identity, say) in the session under keys
// starting with "_".
type ConnectHook interface {
	OnConnect(conn net.Conn, s *Session) bool
}

// Session is the state of one connection: the same *Session is passed to
// OnConnect and to every request on that connection, and to nothing else.
//
// Store is the connection's key/value store, created empty. By the
// convention Degu documents, the connection hook uses keys starting with
// "_" (for example "_user") and the app keys starting with "__" (for
// example "__conn", a client connection a proxy keeps open per session).
// Requests on one connection are served one at a time, so an app needs no
// locking for the store.
//
// When the connection ends, the server calls Close on every value in Store
// that implements io.Closer (a per-session upstream connection, say); do
// not store there a closer shared with other sessions.
type Session struct {
	// Client is the peer's address in the form Listen and Dial accept
	// ("127.0.0.1:54321", "[::1]:54321", "@name"); "" for an unnamed Unix
	// peer.
	Client string
	// Credentials identifies the peer process of a Unix socket connection
	// (SO_PEERCRED, Linux); nil for TCP and TLS.
	Credentials *Credentials
	// Requests is the number of requests completed on this connection: 0
	// while the first is served.
	Requests int
	// Store is the per-connection key/value store (see above).
	Store map[string]any
}

// Credentials are the process identity of a Unix socket peer, as the
// kernel reported it when the peer connected (Degu's (pid, uid, gid)).
type Credentials struct {
	PID, UID, GID int
}

// Request is one HTTP request as the app sees it.
//
// For "GET /foo/bar/baz?stuff=junk": Method "GET", URI
// "/foo/bar/baz?stuff=junk", Script [] (nothing consumed yet), Path ["foo",
// "bar", "baz"], Query "stuff=junk" with HasQuery true. The path of "/" is
// [], of "/foo/" is ["foo", ""]. Without a "?" HasQuery is false; with a
// trailing "?" it is true and Query is "" (Degu's None and an empty string).
type Request struct {
	// Method is one of the Method constants or any other method token
	// ("OPTIONS", "PATCH", "FOO"): the server passes every method on, and
	// the app answers those it does not support, 405 with an allow header
	// listing what the resource does support, or 501 (RFC 9110 §9.1).
	// GET, HEAD and DELETE requests carry no body (see BodyAllowed).
	Method string
	URI    string
	// Script holds the path components consumed so far (by Shift), Path the
	// remaining ones. They share storage: move components with Shift.
	Script []string
	Path   []string
	// Query is the raw (undecoded) text after the first "?".
	Query    string
	HasQuery bool
	// Headers has lowercase names and one value per name.
	Headers map[string]string
	// Body is nil when the request has no body, else a *Body (content-length)
	// or a *ChunkedBody (transfer-encoding: chunked). The app must read it to
	// the end, or the server closes the connection after the response.
	Body io.Reader
}

// Shift moves the first component of Path to the end of Script and returns
// it; with Path empty it returns "" and false (Degu's shift_path()).
func (r *Request) Shift() (string, bool) {
	if len(r.Path) == 0 {
		return "", false
	}
	c := r.Path[0]
	// When Script and Path share storage (as the server builds them), this
	// append rewrites the slot Path[0] occupies with the same value.
	r.Script = append(r.Script, c)
	r.Path = r.Path[1:]
	return c, true
}

// RelativeURI rebuilds the URI from the remaining Path and the query: "/" +
// Path joined by "/", then "?" + Query when HasQuery (Degu's relative_uri()
// and build_proxy_uri()). A proxy mounted at Script forwards it upstream.
func (r *Request) RelativeURI() string {
	return buildURI(nil, r.Path, r.Query, r.HasQuery)
}

// AbsoluteURI rebuilds the full URI, Script and Path (Degu's
// absolute_uri()).
func (r *Request) AbsoluteURI() string {
	return buildURI(r.Script, r.Path, r.Query, r.HasQuery)
}

func buildURI(script, path []string, query string, hasQuery bool) string {
	var b strings.Builder
	for _, c := range script {
		b.WriteByte('/')
		b.WriteString(c)
	}
	for _, c := range path {
		b.WriteByte('/')
		b.WriteString(c)
	}
	if len(script)+len(path) == 0 {
		b.WriteByte('/')
	}
	if hasQuery {
		b.WriteByte('?')
		b.WriteString(query)
	}
	return b.String()
}

// Response is what an app returns (Degu's (status, reason, headers, body)).
//
// Status is 100–599 and Reason printable ASCII, not empty (use letters,
// digits, spaces and hyphens: Degu's client accepts nothing else). Header
// names must be lowercase [a-z0-9-], at most 32 bytes; values printable
// ASCII. Body is nil, []byte, string, *Body, *BodyIter, *ChunkedBody or
// *ChunkedBodyIter; the server adds content-length (the first four) or
// "transfer-encoding: chunked" (the last two) and a date header when the
// app sets none (RFC 9110 §6.6.1; Options.DisableDate turns it off), and
// nothing else: no server. A content-length or transfer-encoding the app sets itself must
// agree with the body, except on a HEAD (or 304) response without a body,
// where the app states the framing a GET would get. A HEAD response never
// carries a body: the server sends the headers and drops the body.
// Violations are the app's mistake: the server logs it and answers 500.
// Headers belongs to the server once returned: an app, or an app wrapping
// another, must not keep it or change it afterwards (the server may reuse
// it).
// A Body that is an io.Closer (a *Body or *ChunkedBody over a file, see
// NewBody) is closed once the response is done with, on every path: sent,
// HEAD, peer gone, write error, invalid response.
//
// Putting a []byte into Body allocates (Go boxes the slice header); an app
// that sends the same bytes every time can box them once, in a package
// variable of type any, or use a string constant, which never allocates.
type Response struct {
	Status  int
	Reason  string
	Headers map[string]string
	Body    any
}

// Bodies exposes the four body constructors to apps, as Degu's bodies
// argument does: b.Body(r, n), b.BodyIter(seq, n), b.ChunkedBody(r),
// b.ChunkedBodyIter(seq). They are the package functions NewBody and so
// on; the zero value is ready to use.
type Bodies struct {
	c *conn // the HTTP/1.1 connection calling the app, or nil (server_loan.go)
}

// Body returns NewBody(r, contentLength).
func (Bodies) Body(r io.Reader, contentLength int64) *Body { return NewBody(r, contentLength) }

// BodyIter returns NewBodyIter(seq, contentLength).
func (Bodies) BodyIter(seq iter.Seq[[]byte], contentLength int64) *BodyIter {
	return NewBodyIter(seq, contentLength)
}

// ChunkedBody returns NewChunkedBody(r).
func (Bodies) ChunkedBody(r io.Reader) *ChunkedBody { return NewChunkedBody(r) }

// ChunkedBodyIter returns NewChunkedBodyIter(seq).
func (Bodies) ChunkedBodyIter(seq iter.Seq[Chunk]) *ChunkedBodyIter {
	return NewChunkedBodyIter(seq)
}

// NewRequest builds a Request the way the server does from a request line:
// method must be a method token (the server passes every method to the app,
// see Request.Method), uri an origin-form target the server accepts; Path and Query come from uri, Script is empty. headers
// (nil for none) is used as it is, and should have lowercase names; body is
// nil or the request body. It is for tests and for serving an App over
// another protocol (the HTTP/2 adapter), and allocates.
func NewRequest(method, uri string, headers map[string]string, body io.Reader) (*Request, error) {
	m, err := requestMethod(method, nil)
	if err != nil {
		return nil, err
	}
	r := &Request{Method: m, Headers: headers, Body: body}
	if r.Headers == nil {
		r.Headers = map[string]string{}
	}
	if err := parseTarget([]byte(uri), nil, r, nil); err != nil {
		return nil, err
	}
	return r, nil
}
