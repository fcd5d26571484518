package restpipe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
)

// Defaults of Server and Client fields.
const (
	DefaultConcurrency       = 256
	DefaultCallTimeout       = 30 * time.Second
	DefaultHeartbeatInterval = 15 * time.Second
	DefaultPipeIdleTimeout   = 45 * time.Second
)

// Server is the central node: it accepts the clients' pipes over mutual TLS,
// serves their events with Registry, and sends events to them with Call.
type Server struct {
	// TLSConfig must hold the server certificate and require and verify
	// client certificates (ClientAuth tls.RequireAndVerifyClientCert with
	// ClientCAs); ServerTLSConfig builds one from PEM files.
	TLSConfig *tls.Config
	// Registry handles the events clients send. Nil answers CodeNoHandler.
	Registry *Registry
	// Concurrency bounds the handlers running at once for client events;
	// further events wait for a slot (or their request's end). Default
	// DefaultConcurrency.
	Concurrency int
	// CallTimeout bounds a Call whose context has no deadline. Default
	// DefaultCallTimeout.
	CallTimeout time.Duration
	// PipeIdleTimeout closes a pipe that brought nothing (no reply, no
	// heartbeat) for this long: the client is gone. Clients send a heartbeat
	// every HeartbeatInterval. Default DefaultPipeIdleTimeout.
	PipeIdleTimeout time.Duration
	// MaxFrameSize bounds an event or reply (frame or request body). Default
	// DefaultMaxFrameSize.
	MaxFrameSize int
	// OnConnect and OnDisconnect, if set, are called when a client's pipe is
	// registered and when it ends (with the cause). They run on connection
	// goroutines and must not block.
	OnConnect    func(identity string)
	OnDisconnect func(identity string, err error)
	// Metrics, if set, records events and connections (nil: none).
	Metrics *Metrics
	// Logger, if set, logs connections at Info and refusals at Warn.
	Logger *slog.Logger

	once sync.Once
	sem  semaphore
	h2   *h2server.Server

	mu       sync.Mutex
	pipes    map[string]*pipe
	shutting bool
}

func (s *Server) init() {
	s.once.Do(func() {
		s.sem = make(semaphore, cmp(s.Concurrency, DefaultConcurrency))
		s.pipes = make(map[string]*pipe)
		s.h2 = &h2server.Server{
			TLSConfig: s.TLSConfig,
			Handler:   handler.HTTPHandler(http.HandlerFunc(s.serveHTTP)),
			Logger:    s.Logger,
		}
		s.Metrics.ObserveH2(s.h2) // rejects, connection states, h2kit counters
	})
}

// cmp returns v, or def when v is not positive.
func cmp[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Serve accepts pipes on l over TLS until Shutdown or Close. TLSConfig must
// require and verify client certificates.
func (s *Server) Serve(l net.Listener) error {
	if s.TLSConfig == nil || s.TLSConfig.ClientAuth != tls.RequireAndVerifyClientCert || s.TLSConfig.ClientCAs == nil {
		return errors.New("restpipe: Server.TLSConfig must require and verify client certificates (ClientAuth tls.RequireAndVerifyClientCert, ClientCAs)")
	}
	s.init()
	return s.h2.ServeTLS(l, "", "")
}

// Shutdown closes every pipe (their calls fail with ErrPipeClosed), then shuts
// the HTTP/2 server down gracefully (see h2server.Server.Shutdown).
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.closePipes()
	return s.h2.Shutdown(ctx)
}

// Close closes every pipe and connection at once.
func (s *Server) Close() error {
	s.init()
	s.closePipes()
	return s.h2.Close()
}

func (s *Server) closePipes() {
	s.mu.Lock()
	s.shutting = true
	ps := make([]*pipe, 0, len(s.pipes))
	for _, p := range s.pipes {
		ps = append(ps, p)
	}
	s.mu.Unlock()
	for _, p := range ps {
		p.close(errors.New("server shutting down"))
	}
}

// Clients returns the identities of the connected clients, sorted.
func (s *Server) Clients() []string {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.pipes))
	for id := range s.pipes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Call sends ev to the client known by identity and waits for the reply. It
// fails with ErrNoSuchClient when the client has no pipe, ErrPipeClosed when
// the pipe drops before the reply, and ErrTimeout when ctx's deadline (or
// CallTimeout) passes. A reply with a non-zero code is not an error of Call:
// see Reply.Err.
func (s *Server) Call(ctx context.Context, identity string, ev *Event) (reply *Reply, err error) {
	s.init()
	if err := checkEvent(ev); err != nil {
		return nil, err
	}
	start := time.Now()
	defer func() { s.Metrics.observeCall(ev, start, reply, err) }()
	s.mu.Lock()
	p := s.pipes[identity]
	s.mu.Unlock()
	if p == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchClient, identity)
	}
	ctx, cancel := withCallTimeout(ctx, cmp(s.CallTimeout, DefaultCallTimeout))
	defer cancel()
	return p.call(ctx, ev)
}

// register makes p the pipe of its identity and closes the pipe it replaces,
// in one step under the lock: a call never sees two pipes, and once register
// returns every new call goes to p.
func (s *Server) register(p *pipe) bool {
	s.mu.Lock()
	if s.shutting {
		s.mu.Unlock()
		return false
	}
	old := s.pipes[p.peer]
	s.pipes[p.peer] = p
	s.mu.Unlock()
	if old != nil {
		s.Metrics.Incr("pipe.replaced")
		old.close(errors.New("replaced by a new connection of the same client"))
	}
	return true
}

// unregister removes p unless it was already replaced.
func (s *Server) unregister(p *pipe) {
	s.mu.Lock()
	if s.pipes[p.peer] == p {
		delete(s.pipes, p.peer)
	}
	s.mu.Unlock()
}

// serveHTTP routes the two endpoints of a pipe connection.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	id, err := peerIdentity(r)
	if err != nil {
		s.log(slog.LevelWarn, "restpipe: refused", "remote", r.RemoteAddr, "err", err)
		httpError(w, http.StatusForbidden, err)
		return
	}
	switch {
	case r.URL.Path == pipePath && r.Method == http.MethodPost:
		s.servePipe(w, r, id)
	case strings.HasPrefix(r.URL.Path, eventPrefix) && r.Method == http.MethodPost:
		s.serveEvent(w, r, id)
	default:
		httpError(w, http.StatusNotFound, fmt.Errorf("restpipe: no endpoint %s %s", r.Method, r.URL.Path))
	}
}

// peerIdentity is the common name of the verified client certificate. A
// client may state the identity it expects to register under; a claim that is
// not its certificate's is refused rather than ignored, so that a
// misconfigured node fails loudly.
func peerIdentity(r *http.Request) (string, error) {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return "", ErrNoIdentity
	}
	cn := r.TLS.VerifiedChains[0][0].Subject.CommonName
	if cn == "" {
		return "", ErrNoIdentity
	}
	if claim := r.Header.Get(hdrIdentity); claim != "" && claim != cn {
		return "", fmt.Errorf("%w: claims %q, certificate says %q", ErrIdentityMismatch, claim, cn)
	}
	return cn, nil
}

// servePipe runs the pipe stream of a client: server→client requests go down
// the response body, the client's replies and heartbeats come up the request
// body. The handler goroutine is the only writer of w, and returns when the
// pipe ends (which ends the response, and so the client's pipe).
func (s *Server) servePipe(w http.ResponseWriter, r *http.Request, id string) {
	p := newPipe(id)
	if !s.register(p) {
		httpError(w, http.StatusServiceUnavailable, errors.New("restpipe: server shutting down"))
		return
	}
	defer s.unregister(p)
	w.Header().Set("Content-Type", pipeMime)
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	flush := func() {}
	if flusher != nil {
		flush = flusher.Flush
	}
	flush()
	s.Metrics.Incr("pipe.connect")
	s.log(slog.LevelInfo, "restpipe: client connected", "client", id, "remote", r.RemoteAddr)
	if s.OnConnect != nil {
		s.OnConnect(id)
	}

	idle := cmp(s.PipeIdleTimeout, DefaultPipeIdleTimeout)
	watchdog := time.AfterFunc(idle, func() { p.close(fmt.Errorf("nothing received for %v", idle)) })
	defer watchdog.Stop()
	stop := context.AfterFunc(r.Context(), func() { p.close(errors.New("stream closed")) })
	defer stop()
	go func() {
		br := bufio.NewReaderSize(r.Body, 64<<10)
		maxFrame := cmp(s.MaxFrameSize, DefaultMaxFrameSize)
		for {
			f, err := readFrame(br, maxFrame)
			if err != nil {
				if err == io.EOF {
					err = errors.New("client ended the pipe")
				}
				p.close(err)
				return
			}
			watchdog.Reset(idle)
			if f.typ == frameReply {
				reply := f.reply
				p.deliver(f.id, &reply)
			} else if f.typ != frameHeartbeat {
				p.close(&FrameError{Reason: fmt.Sprintf("type %d from a client", f.typ)})
				return
			}
		}
	}()
	p.close(p.writeLoop(w, flush))
	s.Metrics.Incr("pipe.disconnect")
	s.log(slog.LevelInfo, "restpipe: client disconnected", "client", id, "err", p.err)
	if s.OnDisconnect != nil {
		s.OnDisconnect(id, p.err)
	}
}

// serveEvent handles one client→server event: POST /event/VERB/TARGET with
// the post data as body; the reply is 200 with the return code in
// Restpipe-Code.
func (s *Server) serveEvent(w http.ResponseWriter, r *http.Request, id string) {
	ev, err := eventFromRequest(r, strings.TrimPrefix(r.URL.EscapedPath(), eventPrefix), "", cmp(s.MaxFrameSize, DefaultMaxFrameSize))
	if err != nil {
		httpError(w, statusOf(err), err)
		return
	}
	ev.Peer = id
	if !s.sem.acquire(r.Context(), nil) {
		return // the request is gone
	}
	defer s.sem.release()
	start := time.Now()
	reply := s.Registry.Dispatch(r.Context(), ev)
	s.Metrics.observeEvent(ev, start, reply)
	writeReply(w, reply)
}

func (s *Server) log(level slog.Level, msg string, args ...any) {
	if s.Logger != nil {
		s.Logger.Log(context.Background(), level, msg, args...)
	}
}
