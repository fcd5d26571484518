package rgi

import (
	"bufio"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/h2kit/h2kit/internal/httpdate"
	"github.com/h2kit/h2kit/internal/rawio"
)

// conn is one connection's state. The buffers, the Request and its header
// map are reused from request to request and, through connPool, from
// connection to connection, so a warm connection allocates nothing per
// request.
type conn struct {
	srv     *Server
	dc      deadlineConn
	br      *bufio.Reader
	bw      *bufio.Writer
	in      *interner
	hw      headWriter
	memo    headMemo   // the last response head (server_headmemo.go)
	loan    headerLoan // header maps lent to the app (server_loan.go)
	call    appCall    // the app call in progress, for lending (server_loan.go)
	req     Request
	headers map[string]string
	comps   []string
	body    Body
	cbody   ChunkedBody
	sess    *Session
	track   *connTrack
	cont    bool // a "100 Continue" is owed before the body is read
}

// The header map starts small: up to 8 entries the runtime keeps it in one
// group, where lookups compare keys without hashing and iteration is cheap
// (a client like wrk sends one or two headers); a browser's request grows
// it once per pooled connection.
var connPool = sync.Pool{New: func() any {
	c := &conn{in: newInterner(), headers: make(map[string]string), comps: make([]string, 0, 8)}
	c.br = newWireReader(&c.dc)
	c.bw = bufio.NewWriterSize(&c.dc, 8192)
	return c
}}

// deadlineConn sets the timeout before every read and write (Degu's socket
// timeout), and first serves bytes the caller read before handing over.
//
// Setting a deadline costs a few percent of a small request's CPU time, so
// it is renewed only when it would move by more than timeout/64: a wait
// may end up to timeout/64 early (under 0.25 s for 15 s), never late. The
// check reads the monotonic clock only (time.Since of a time with a
// monotonic reading), half the cost of time.Now.
type deadlineConn struct {
	c          net.Conn
	rio        *rawio.Conn // c's reads and writes (raw system calls on a socket)
	timeout    time.Duration
	pre        []byte
	rset, wset time.Time // when the deadlines were last set (timeout before them)
	hold       bool      // keep the read deadline (see holdReadDeadline)
}

// holdReadDeadline sets the read deadline to Timeout from now and keeps it
// until hold is cleared.
func (d *deadlineConn) holdReadDeadline() {
	d.renewRead()
	d.hold = true
}

func (d *deadlineConn) renewRead() {
	if d.rset.IsZero() || time.Since(d.rset) > d.timeout>>6 {
		now := time.Now()
		d.c.SetReadDeadline(now.Add(d.timeout))
		d.rset = now
	}
}

func (d *deadlineConn) Read(p []byte) (int, error) {
	if len(d.pre) > 0 {
		n := copy(p, d.pre)
		d.pre = d.pre[n:]
		return n, nil
	}
	if !d.hold {
		d.renewRead()
	}
	return d.rio.Read(p)
}

func (d *deadlineConn) Write(p []byte) (int, error) {
	d.renewWrite()
	return d.rio.Write(p)
}

func (d *deadlineConn) renewWrite() {
	if d.wset.IsZero() || time.Since(d.wset) > d.timeout>>6 {
		now := time.Now()
		d.c.SetWriteDeadline(now.Add(d.timeout))
		d.wset = now
	}
}

// date returns the date header value for a response written now, or ""
// when Options.DisableDate is set. RFC 9110 §6.6.1: "An origin server with
// a clock ... MUST generate a Date header field" in 2xx, 3xx and 4xx
// responses, and may in the others; Degu sends none, HTTP/2 (the handler
// package) does, and one app must answer the same on both.
func (s *Server) date() string {
	if s.opts.DisableDate {
		return ""
	}
	return httpdate.Format(time.Time{})
}

// errAppPanicked ends a connection whose app call panicked.
var errAppPanicked = errors.New("rgi: app panicked")

// errHandedOff ends the loop when an H2CUpgrader took the connection.
var errHandedOff = errors.New("rgi: connection handed to the h2c upgrader")

// serveConn runs the request loop on c and closes it.
func (s *Server) serveConn(nc net.Conn, buffered []byte) (err error) {
	defer s.untrack(nc)
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	log := s.opts.logger()
	sess := &Session{Client: FormatAddress(nc.RemoteAddr()), Credentials: peerCredentials(nc), Store: make(map[string]any)}
	if s.hook != nil && !s.callHook(nc, sess) {
		log.Debug("rgi: connection rejected by OnConnect", "client", sess.Client)
		nc.Close()
		return nil
	}
	c := connPool.Get().(*conn)
	c.srv, c.sess, c.track = s, sess, s.tracker(nc)
	c.dc = deadlineConn{c: nc, rio: rawio.New(nc), timeout: s.opts.Timeout, pre: buffered}
	c.br.Reset(&c.dc)
	c.bw.Reset(&c.dc)
	linger, err := c.loop()
	c.release()
	defer sess.closeStore()
	if err == errHandedOff {
		return nil
	}
	if linger {
		lingerClose(nc, s.opts.Timeout)
	} else {
		nc.Close()
	}
	log.Debug("rgi: connection closed", "client", sess.Client, "requests", sess.Requests, "err", err)
	if errors.Is(err, ErrEmptyPreamble) {
		err = nil
	}
	if errors.Is(err, net.ErrClosed) && s.isClosed() {
		err = ErrServerClosed
	}
	return err
}

// closeStore closes the session's resources (see Session) once its
// connection has ended.
func (s *Session) closeStore() {
	for _, v := range s.Store {
		if c, ok := v.(io.Closer); ok {
			c.Close()
		}
	}
}

// Past these sizes the per-request header map and path storage are
// replaced rather than cleared: a request with thousands of headers or
// path components (possible within 32 KiB) must not leave that much memory
// held by a pooled connection.
const (
	keepHeaders = 64
	keepComps   = 64
)

func (c *conn) resetScratch() {
	if len(c.headers) > keepHeaders {
		c.headers = make(map[string]string)
	} else {
		clear(c.headers)
	}
	if cap(c.comps) > keepComps {
		c.comps = make([]string, 0, 8)
	}
}

func (c *conn) release() {
	c.dc = deadlineConn{}
	c.br.Reset(&c.dc)
	c.bw.Reset(&c.dc)
	c.resetScratch()
	clear(c.comps[:cap(c.comps)])
	c.req = Request{}
	c.body = Body{}
	c.cbody = ChunkedBody{}
	c.srv, c.sess, c.track, c.cont = nil, nil, nil, false
	c.memo.forget()
	c.loanDo((*headerLoan).reset)
	connPool.Put(c)
}

func (s *Server) callHook(nc net.Conn, sess *Session) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			s.opts.logger().Error("rgi: OnConnect panicked", "client", sess.Client, "panic", p, "stack", string(debug.Stack()))
			ok = false
		}
	}()
	return s.hook.OnConnect(nc, sess)
}

// loop serves requests until the connection must end. linger reports that
// a response was written and the connection should be closed gently (see
// lingerClose); err says why it ended.
func (c *conn) loop() (linger bool, err error) {
	s := c.srv
	for {
		// The whole preamble, idle wait included, must arrive within one
		// Timeout: renewing the deadline per read would let a client that
		// trickles a byte now and then hold the connection forever.
		if c.br.Buffered() == 0 {
			// Idle: Shutdown may close the connection now. Whichever of
			// this store and Shutdown's flag comes first, one side sees
			// the other.
			c.track.idle.Store(true)
			if s.shutting.Load() {
				return false, ErrServerClosed
			}
		}
		c.dc.holdReadDeadline()
		pre, err := readPreamble(c.br)
		c.dc.hold = false
		c.track.idle.Store(false)
		if err != nil {
			var pe *ProtocolError
			if errors.As(err, &pe) {
				c.writeError(pe)
				return true, err
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && c.br.Buffered() > 0 {
				// RFC 9110 §15.5.9: 408 for a request not completed in time.
				c.writeError(errPreambleTimeout)
				return true, err
			}
			return false, err // EOF between requests, idle timeout, reset: nothing to answer
		}
		c.resetScratch()
		c.req = Request{Headers: c.headers}
		rh, err := parseRequest(pre, c.in, &c.req, c.comps)
		c.br.Discard(len(pre))
		if err != nil {
			c.writeError(err.(*ProtocolError))
			return true, err
		}
		c.comps = c.req.Path[:0]
		if u := s.opts.H2CUpgrader; u != nil && rh.kind == framingNone && rh.upgrade && wantsH2C(c.headers) {
			if err := c.bw.Flush(); err != nil { // answers to pipelined requests before it
				return false, err
			}
			c.handOff(u)
			return false, errHandedOff
		}
		switch rh.kind {
		case framingLength:
			c.body.reset(c.br, rh.length, nil)
			c.req.Body = &c.body
		case framingChunked:
			c.cbody.reset(c.br, c.in, nil)
			c.req.Body = &c.cbody
		}
		if rh.expectContinue {
			// RFC 9110 §10.1.1: a server that will read the body sends 100
			// (Continue); it is sent when the app first reads, so an app
			// that answers without reading does not invite the upload.
			c.cont = true
			c.body.cont, c.cbody.cont = c, c
		}
		isHead := c.req.Method == MethodHead
		resp, ok := c.callApp()

		// The request body: a wire error in it is answered instead of the
		// app's response; an unread rest closes the connection, because
		// the next request would start inside it.
		closing := rh.close || !ok
		var bodyErr error
		// A request body the app passes on as the response body is read
		// while the response is written.
		passedOn := !isHead && ok && (resp.Body == any(&c.body) || resp.Body == any(&c.cbody))
		switch rh.kind {
		case framingLength:
			bodyErr = c.body.err
			closing = closing || !c.body.Consumed() && !passedOn
		case framingChunked:
			bodyErr = c.cbody.err
			closing = closing || !c.cbody.Consumed() && !passedOn
		}
		if pe, isPE := bodyErr.(*ProtocolError); isPE {
			closeBody(resp.Body)
			c.writeError(pe)
			return true, pe
		}
		if passedOn {
			// RFC 9110 §10.1.1: the app passes the unread body on as its
			// response, so the client must send it: 100 (Continue) goes
			// before the response head (a client waiting for it, as curl
			// does for large uploads, would send nothing until its own
			// timeout). A no-op without Expect or once the app has read.
			if err := c.sendContinue(); err != nil {
				closeBody(resp.Body)
				return true, err
			}
		}
		c.cont = false
		if s.opts.MaxRequestsPerConnection-c.sess.Requests <= 1 || s.shutting.Load() {
			closing = true
		}
		// Degu's server closes after an error status except 404, 409 and
		// 412, which leave the connection usable.
		if st := resp.Status; st >= 400 && st != 404 && st != 409 && st != 412 {
			closing = true
		}
		if !ok {
			c.writeStatus(500, "Internal Server Error", "the application failed")
			return true, errAppPanicked
		}
		if answered, werr := c.writeResponse(&resp, isHead, closing); werr != nil {
			return answered, werr
		}
		if closing || c.br.Buffered() == 0 {
			if err := c.bw.Flush(); err != nil {
				return false, err
			}
		}
		c.sess.Requests++
		if closing {
			return true, nil
		}
	}
}

// callApp calls the app, turning a panic into ok == false.
func (c *conn) callApp() (resp Response, ok bool) {
	c.loanDo(func(l *headerLoan) { l.tmpl, l.given = nil, nil })
	c.call.set(true)
	defer func() {
		c.call.set(false)
		if p := recover(); p != nil {
			c.srv.opts.logger().Error("rgi: app panicked", "client", c.sess.Client, "method", c.req.Method, "uri", c.req.URI, "panic", p, "stack", string(debug.Stack()))
			ok = false
		}
	}()
	return c.srv.app.Serve(c.sess, &c.req, Bodies{c: c}), true
}

// writeResponse writes the app's response. A response the app got wrong
// (see Response) is logged and replaced by a 500, and the connection then
// closes; an error writing the body leaves the peer a short message, so
// the error is returned and the connection dropped. answered reports that
// the peer got a whole response (the 500).
//
// The body is closed on return, whatever happened (see NewBody).
func (c *conn) writeResponse(resp *Response, isHead, closing bool) (answered bool, err error) {
	defer closeBody(resp.Body)
	fr, err := framingOf(resp.Body)
	if err == nil {
		err = c.writeHead(resp, fr, isHead, closing)
	}
	if err != nil {
		c.srv.opts.logger().Error("rgi: bad response from app", "client", c.sess.Client, "method", c.req.Method, "uri", c.req.URI, "status", resp.Status, "err", err)
		c.writeStatus(500, "Internal Server Error", "the application returned an invalid response")
		return true, err
	}
	if isHead {
		return true, nil
	}
	if err := c.writeAppBody(resp.Body); err != nil {
		if peerGone(err) {
			c.srv.opts.logger().Debug("rgi: client went away during the response body", "client", c.sess.Client, "method", c.req.Method, "uri", c.req.URI, "err", err)
		} else {
			c.srv.opts.logger().Error("rgi: response body failed", "client", c.sess.Client, "method", c.req.Method, "uri", c.req.URI, "err", err)
		}
		c.bw.Flush()
		return false, err
	}
	return true, nil
}

// writeHead writes the response head, copying the previous one when the
// response repeats it (see headMemo).
func (c *conn) writeHead(resp *Response, fr framing, isHead, closing bool) error {
	pass := resp.Body == nil && (isHead || resp.Status == 304)
	hit, err := c.memo.writeResponseHead(&c.hw, c.bw, resp.Status, resp.Reason, resp.Headers, fr, c.srv.date(), pass, closing)
	c.call.mu.Lock()
	defer c.call.mu.Unlock()
	if err != nil {
		c.loan.tmpl, c.loan.given = nil, nil
		return err
	}
	c.loan.settle(resp.Headers, !hit)
	return nil
}

// writeAppBody writes the body, whose reader or sequence is app code: a
// panic in it is an error that ends the connection, like a panic in Serve.
func (c *conn) writeAppBody(body any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			c.srv.opts.logger().Error("rgi: response body panicked", "panic", p, "stack", string(debug.Stack()))
			err = errAppPanicked
		}
	}()
	if b, ok := body.(*Body); ok {
		if handled, err := c.sendFile(b); handled {
			return err
		}
	}
	return writeStreamedBody(c.bw, body)
}

// sendContinue writes "HTTP/1.1 100 Continue" once, before the request
// body is first read.
func (c *conn) sendContinue() error {
	if !c.cont {
		return nil
	}
	c.cont = false
	c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
	return c.bw.Flush()
}

// writeError answers a protocol error (Degu closes without a word; we say
// what was wrong, then close).
func (c *conn) writeError(pe *ProtocolError) {
	c.writeStatus(pe.Status, pe.Reason, pe.Msg)
}

// writeStatus writes a short plain-text response that closes the
// connection, and flushes it.
func (c *conn) writeStatus(status int, reason, msg string) {
	bw := c.bw
	bw.WriteString("HTTP/1.1 ")
	bw.WriteString(strconv.Itoa(status))
	bw.WriteByte(' ')
	bw.WriteString(reason)
	bw.WriteString("\r\nconnection: close\r\ncontent-length: ")
	bw.WriteString(strconv.Itoa(len(msg) + 1))
	bw.WriteString("\r\ncontent-type: text/plain")
	if d := c.srv.date(); d != "" {
		bw.WriteString("\r\ndate: ")
		bw.WriteString(d)
	}
	bw.WriteString("\r\n\r\n")
	bw.WriteString(msg)
	bw.WriteString("\n")
	bw.Flush()
}

// lingerClose closes a connection after a final response without losing
// it: closing a socket with unread input makes the kernel send RST, which
// can destroy the response before the peer reads it. So: half-close, read
// and drop what the peer still sends (at most 256 KiB, for at most a
// second), then close.
func lingerClose(nc net.Conn, timeout time.Duration) {
	type closeWriter interface{ CloseWrite() error }
	cw, ok := nc.(closeWriter)
	if !ok || cw.CloseWrite() != nil {
		nc.Close()
		return
	}
	nc.SetReadDeadline(time.Now().Add(min(timeout, time.Second)))
	io.CopyN(io.Discard, nc, 256<<10)
	nc.Close()
}
