package rgih2

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/rgi"
)

// Options configure Handler. The zero value (or nil) is ready to use.
type Options struct {
	// Logger receives the app's mistakes (a panic, an invalid response, a
	// failing response body) at Error, as rgi.Options.Logger does for
	// HTTP/1.1. Nil means slog.Default().
	Logger *slog.Logger
	// Serialize calls the app for one stream of a connection at a time, as
	// over HTTP/1.1, so that it needs no lock for Session.Store. By default
	// the streams of a connection are served at once. See the package
	// documentation for the flow-control cost of Serialize.
	Serialize bool
}

// adapter is what Handler's streams share.
type adapter struct {
	app       rgi.App
	log       *slog.Logger
	serialize bool
	sessions  sessions
	idle      chan *stream // requests for an idle worker
}

// Handler returns a handler.Factory that serves app over HTTP/2 streams (for
// h2server.Server.Handler): one request goroutine per stream, the same
// *rgi.Session for every stream of a connection, request and response checked
// and framed as rgi's HTTP/1.1 server does (see the package documentation).
// opts may be nil.
func Handler(app rgi.App, opts *Options) handler.Factory {
	return newAdapter(app, opts).factory
}

func (a *adapter) factory(*handler.Stream) handler.RequestHandler { return &stream{a: a} }

func newAdapter(app rgi.App, opts *Options) *adapter {
	a := &adapter{app: app, log: slog.Default(), idle: make(chan *stream)}
	if opts != nil {
		if opts.Logger != nil {
			a.log = opts.Logger
		}
		a.serialize = opts.Serialize
	}
	return a
}

// stream serves one request. Its fields are used on the connection
// goroutine (the RequestHandler methods) until start hands req to the request
// goroutine; body is shared under its own lock. It keeps no *handler.Stream:
// with handler.Options.ReuseStreams the Stream serves another request once
// this one closed, and ref then refuses every call (ErrStreamClosed).
type stream struct {
	a       *adapter
	ref     handler.Handle // the request: the request goroutine uses only this, as the Stream may be recycled
	req     *rgi.Request
	body    handler.BodyReader
	started bool // the request goroutine runs (or an early answer was sent)
}

// ManualFlowControl: request body bytes go back to the peer's windows as the
// app reads them (handler.BodyReader).
func (*stream) ManualFlowControl() {}

func (st *stream) OnHeaders(s *handler.Stream) {
	st.ref = s.Handle()
	st.body.Init(s)
	req, pe := newRequest(s)
	if pe != nil {
		st.refuse(pe)
		return
	}
	st.req = req
	if cl := s.ContentLength(); cl >= 0 {
		if pe := bodyAllowed(req.Method, cl); pe != nil {
			st.refuse(pe)
			return
		}
		req.Body = rgi.NewBody(&st.body, cl)
		st.start()
	} else if s.BodyEnded() {
		st.start() // no body
	}
}

func (st *stream) OnData(s *handler.Stream, data []byte) {
	if len(data) == 0 {
		return
	}
	if !st.started {
		// No content-length: the body's first bytes decide its kind.
		if pe := bodyAllowed(st.req.Method, -1); pe != nil {
			st.refuse(pe)
		} else {
			st.req.Body = rgi.NewChunkedBody(&chunkCoder{p: &st.body})
			st.start()
		}
	}
	st.body.Write(data)
}

func (st *stream) OnRequestDone(s *handler.Stream) {
	st.body.End(nil)
	if !st.started {
		st.start() // no body
	}
}

func (st *stream) OnClose(s *handler.Stream, code handler.ErrCode) {
	if code != handler.NoError {
		st.body.End(fmt.Errorf("%w: %v", errStreamClosed, code))
	} else {
		st.body.End(errStreamClosed)
	}
}

// refuse answers a request the HTTP/1.1 server would refuse, with its answer,
// and discards the request body.
func (st *stream) refuse(pe *rgi.ProtocolError) {
	st.started = true
	st.body.Close()
	st.send(rgi.StatusResponse(pe.Status, pe.Reason, pe.Msg), -1)
}

// start hands the request to an idle worker goroutine, or to a new one.
func (st *stream) start() {
	st.started = true
	select {
	case st.a.idle <- st:
	default:
		go st.a.worker(st)
	}
}

// workerIdle is how long a worker waits for another request before it ends.
const workerIdle = time.Second

// worker serves requests until none came for workerIdle. Reusing goroutines
// saves the start of a new one and, above all, the growth of its stack,
// which an app call needs every time (a third of the adapter's CPU time in
// the hello benchmark without it).
func (a *adapter) worker(st *stream) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		st.serve()
		t.Reset(workerIdle)
		select {
		case st = <-a.idle:
		case <-t.C:
			return
		}
	}
}

// serve runs on the request goroutine: connection hook, app, response.
func (st *stream) serve() {
	a := st.a
	defer st.body.Close()
	info := st.ref.Conn()
	cs := a.sessions.acquire(info)
	defer a.sessions.release(cs)
	if !a.connect(cs, info) {
		// Degu closes a refused connection without a response.
		st.ref.GoAway(refuseCode, "connection refused")
		return
	}
	resp, ok := a.call(cs, st.req)
	st.respond(resp, ok)
}

// call runs the app, one stream of a connection at a time with
// Options.Serialize; a panic is logged and reported as ok == false.
//
// Session.Requests counts the completed requests of the connection. With
// Serialize the app gets the connection's *Session, as over HTTP/1.1: calls do
// not overlap, so the count changes only between them. Otherwise calls run at
// once and the app could not order its reads of the count after the
// adapter's updates, so each call gets its own copy of the Session (the same
// Client and Store map) whose Requests is the count when the call began; the
// connection's count is read and written under cs.serve only.
func (a *adapter) call(cs *connState, req *rgi.Request) (resp rgi.Response, ok bool) {
	sess := cs.sess
	if a.serialize {
		cs.serve.Lock()
		defer cs.serve.Unlock()
	} else {
		cs.serve.Lock()
		own := *cs.sess
		cs.serve.Unlock()
		sess = &own
	}
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("rgih2: app panicked", "client", sess.Client, "method", req.Method, "uri", req.URI, "panic", p, "stack", string(debug.Stack()))
			ok = false
		}
	}()
	resp = a.app.Serve(sess, req, rgi.Bodies{})
	if a.serialize {
		cs.sess.Requests++
	} else {
		cs.serve.Lock()
		cs.sess.Requests++
		cs.serve.Unlock()
	}
	return resp, true
}
