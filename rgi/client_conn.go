package rgi

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"time"
)

// maxInterim bounds the 1xx responses skipped before a final response, so a
// server cannot keep a client reading interim responses forever.
const maxInterim = 8

// clientWriteBuffer is the size of a connection's write buffer: a typical
// request head and a small body go out in one write.
const clientWriteBuffer = 16 * 1024

// Connection is one client connection (Degu's client Connection). It is
// stateful and not safe for concurrent use: send one request at a time, and
// read the response body (if any) to its end before the next request.
//
// Any error closes the connection, as in Degu; Closed then reports true.
type Connection struct {
	nc      net.Conn
	tc      *timeoutConn
	br      *bufio.Reader
	bw      *bufio.Writer
	hw      headWriter
	in      *interner
	base    map[string]string
	merged  map[string]string
	last    clientBody // the previous response's body, until consumed
	closing bool       // the server said "connection: close"
	closed  bool
}

// clientBody is what the connection needs to know of a response body it
// handed out.
type clientBody interface {
	Consumed() bool
	Err() error
}

func newConnection(nc net.Conn, base map[string]string, timeout time.Duration) *Connection {
	tc := &timeoutConn{Conn: nc, timeout: timeout}
	return &Connection{
		nc:   nc,
		tc:   tc,
		br:   newWireReader(tc),
		bw:   bufio.NewWriterSize(tc, clientWriteBuffer),
		in:   newInterner(),
		base: base,
	}
}

// Conn returns the underlying connection (a *tls.Conn for an SSL client).
func (c *Connection) Conn() net.Conn { return c.nc }

// ConnectionState returns the TLS state, and false for a plain connection.
func (c *Connection) ConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.nc.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// Close closes the connection. Closing twice is harmless.
func (c *Connection) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	return c.nc.Close()
}

// Closed reports whether the connection is closed.
func (c *Connection) Closed() bool { return c.closed }

func (c *Connection) fail(err error) error {
	c.Close()
	return err
}

// Request sends a request and reads the response's head (Degu's
// conn.request(method, uri, headers, body)).
//
// method is GET, HEAD, PUT, POST or DELETE; uri is an origin-form target
// ("/path?query") following the server's rules; header names must be
// lowercase. headers is only read, never changed (Degu adds the base
// headers to the caller's dict; here they are merged into a private map).
// body is nil, []byte, string, *Body, *BodyIter, *ChunkedBody or
// *ChunkedBodyIter, and only allowed with PUT and POST; the client adds
// content-length or "transfer-encoding: chunked" to match it. A body that
// is an io.Closer (NewBody over an *os.File, say) is closed when Request
// returns, whatever happened.
//
// The response's Headers are a new map with lowercase names. Its Body is
// nil for a HEAD request, for 1xx, 204 and 304 responses (RFC 9112 §6.3),
// and when the response has neither content-length nor transfer-encoding
// (the client never reads until close, as in Degu); otherwise it is a *Body
// or a *ChunkedBody reading from this connection, to be read to its end
// before the next request. A Response can be returned as it is by an App,
// which is how a reverse proxy forwards it.
func (c *Connection) Request(method, uri string, headers map[string]string, body any) (Response, error) {
	// The request body is closed however the request ends (see NewBody).
	defer closeBody(body)
	if c.closed {
		return Response{}, ErrConnectionClosed
	}
	if c.last != nil {
		if err := c.last.Err(); err != nil {
			return Response{}, c.fail(err)
		}
		if !c.last.Consumed() {
			return Response{}, c.fail(ErrResponseNotConsumed)
		}
		c.last = nil
	}
	if c.closing {
		return Response{}, c.fail(ErrServerClosing)
	}
	fr, err := framingOf(body)
	if err != nil {
		return Response{}, c.fail(err)
	}
	h := headers
	if c.base != nil {
		if c.merged == nil {
			c.merged = make(map[string]string, len(c.base)+len(headers))
		}
		clear(c.merged)
		for k, v := range c.base {
			c.merged[k] = v
		}
		for k, v := range headers {
			c.merged[k] = v
		}
		h = c.merged
	}
	if err := c.hw.writeRequestHead(c.bw, method, uri, h, fr); err != nil {
		return Response{}, c.fail(err)
	}
	werr := writeBody(c.bw, body)
	if werr == nil {
		werr = c.bw.Flush()
	}
	if werr != nil {
		if earlyAnswerPossible(werr) {
			// The server may have answered early (a 413, say) and closed
			// before reading the whole request: return its answer when
			// there is one.
			resp, err := c.readResponse(method)
			if err == nil {
				c.closing = true
				return resp, nil
			}
			if !errors.Is(err, ErrEmptyPreamble) {
				// What the server sent before closing (a TLS alert, say)
				// explains more than the broken pipe.
				werr = err
			}
		}
		return Response{}, c.fail(werr)
	}
	resp, err := c.readResponse(method)
	if err != nil {
		return Response{}, c.fail(err)
	}
	return resp, nil
}

// readResponse reads a response head, skipping 1xx interim responses, and
// sets up the body.
func (c *Connection) readResponse(method string) (Response, error) {
	for interim := 0; ; interim++ {
		pre, err := readPreamble(c.br)
		if err != nil {
			return Response{}, err
		}
		h := make(map[string]string)
		status, reason, fr, err := parseResponseHead(pre, c.in, h)
		c.br.Discard(len(pre))
		if err != nil {
			return Response{}, err
		}
		if !validClientReason(reason) {
			return Response{}, ErrBadClientReason
		}
		if status < 200 {
			// RFC 9110 §15.2: a client must be able to parse one or more
			// 1xx responses before the final response, even unexpected ones.
			// 101 would switch protocols, which this client never asks for.
			if status == 101 || interim == maxInterim {
				return Response{}, ErrTooManyInterim
			}
			continue
		}
		if v, ok := h[hConnection]; ok && equalFold(v, "close") {
			c.closing = true
		}
		resp := Response{Status: status, Reason: reason, Headers: h}
		// RFC 9112 §6.3: a response to HEAD and any 204 or 304 response
		// ends with its header section, whatever its framing headers say.
		if method == MethodHead || status == 204 || status == 304 {
			return resp, nil
		}
		switch fr.kind {
		case framingLength:
			b := new(Body)
			b.reset(c.br, fr.length, nil)
			resp.Body, c.last = b, b
		case framingChunked:
			b := new(ChunkedBody)
			b.reset(c.br, c.in, nil)
			resp.Body, c.last = b, b
		}
		return resp, nil
	}
}

// validClientReason applies the reason-phrase set of Degu's client,
// [A-Za-z0-9 -]: stricter than RFC 9112 §4 (reason-phrase = 1*( HTAB / SP
// / VCHAR / obs-text )), so what goes into an app's Response from a proxied
// server is always something an rgi server will send on.
func validClientReason(r string) bool {
	if r == "" {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '-') {
			return false
		}
	}
	return true
}

// Get sends a GET request without a body.
func (c *Connection) Get(uri string, headers map[string]string) (Response, error) {
	return c.Request(MethodGet, uri, headers, nil)
}

// ErrBadRange: GetRange was given a range outside 0 <= start < stop <=
// MaxContentLength.
var ErrBadRange = errors.New("rgi: range must satisfy 0 <= start < stop <= 9999999999999999")

// GetRange sends a GET request for the bytes [start, stop) of the resource,
// with Python slice semantics as Degu's get_range: the header sent is
// "range: bytes=start-(stop-1)" (RFC 9110 §14.1.2). It overrides a range
// header in headers, which is not changed.
func (c *Connection) GetRange(uri string, headers map[string]string, start, stop int64) (Response, error) {
	if start < 0 || start >= stop || stop > MaxContentLength {
		return Response{}, c.fail(ErrBadRange)
	}
	h := make(map[string]string, len(headers)+1)
	for k, v := range headers {
		h[k] = v
	}
	h["range"] = "bytes=" + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(stop-1, 10)
	return c.Request(MethodGet, uri, h, nil)
}

// Head sends a HEAD request; the response has no body.
func (c *Connection) Head(uri string, headers map[string]string) (Response, error) {
	return c.Request(MethodHead, uri, headers, nil)
}

// Delete sends a DELETE request without a body.
func (c *Connection) Delete(uri string, headers map[string]string) (Response, error) {
	return c.Request(MethodDelete, uri, headers, nil)
}

// Put sends a PUT request with body (see Request for the body types).
func (c *Connection) Put(uri string, headers map[string]string, body any) (Response, error) {
	return c.Request(MethodPut, uri, headers, body)
}

// Post sends a POST request with body (see Request for the body types).
func (c *Connection) Post(uri string, headers map[string]string, body any) (Response, error) {
	return c.Request(MethodPost, uri, headers, body)
}

// ReadBody reads a whole body as the client returns it (nil, *Body or
// *ChunkedBody; []byte and string are returned as they are), refusing more
// than MaxReadSize bytes like the bodies' own ReadAll.
func ReadBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case *Body:
		return b.ReadAll()
	case *ChunkedBody:
		return b.ReadAll()
	case []byte:
		return b, nil
	case string:
		return []byte(b), nil
	}
	return nil, ErrBadOutputBody
}
