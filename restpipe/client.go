//lint:file-ignore SA1019 The pipe needs x/net's http2.ClientConn on a
// connection it wraps (readErrConn keeps the TLS alert that explains a
// refused certificate); net/http's Transport.NewClientConn speaks HTTP/2
// only on a bare *tls.Conn, so it cannot replace it yet.

package restpipe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/http2"
)

// Defaults of Client fields.
const (
	DefaultMinBackoff  = 100 * time.Millisecond
	DefaultMaxBackoff  = 30 * time.Second
	DefaultPingIdle    = 15 * time.Second
	DefaultPingTimeout = 10 * time.Second
	DefaultDialTimeout = 10 * time.Second
)

// Client is a node that keeps one pipe to the server: Run connects and
// reconnects forever, Call sends events to the server, and Registry handles
// the events the server sends.
type Client struct {
	// Addr is the server's host:port.
	Addr string
	// TLSConfig holds the client certificate, the server's CA (RootCAs) and
	// ServerName; ClientTLSConfig builds one from PEM files. ALPN "h2" is
	// added.
	TLSConfig *tls.Config
	// Identity, if set, is the identity the client expects to register under.
	// The server refuses the pipe (403, ErrIdentityMismatch) when it is not
	// the certificate's common name. The certificate decides either way.
	Identity string
	// Registry handles the events the server sends. Nil answers CodeNoHandler.
	Registry *Registry
	// Concurrency bounds the handlers running at once for server events;
	// further events wait (the pipe's reader waits with them). Default
	// DefaultConcurrency.
	Concurrency int
	// CallTimeout bounds a Call whose context has no deadline. Default
	// DefaultCallTimeout.
	CallTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between connection attempts:
	// it doubles from MinBackoff after every failure up to MaxBackoff, with
	// jitter (a random wait between half and all of it), and starts over
	// after a pipe that was up. Defaults DefaultMinBackoff, DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// PingIdle and PingTimeout detect a dead pipe: after PingIdle without a
	// frame from the server the client sends an HTTP/2 PING, and drops the
	// connection when no answer comes within PingTimeout (a dead server is
	// noticed within PingIdle + PingTimeout). Defaults DefaultPingIdle,
	// DefaultPingTimeout.
	PingIdle, PingTimeout time.Duration
	// HeartbeatInterval is how often the client sends a heartbeat frame up
	// the pipe, which keeps the server's PipeIdleTimeout and h2kit's
	// RequestBodyTimeout (1 min) from ending a quiet pipe. Default
	// DefaultHeartbeatInterval.
	HeartbeatInterval time.Duration
	// DialTimeout bounds the TCP connection and TLS handshake. Default
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// MaxFrameSize bounds an event or reply. Default DefaultMaxFrameSize.
	MaxFrameSize int
	// OnConnect is called when a pipe is up; OnDisconnect when a connection
	// attempt fails or a pipe ends, with the cause. They run on Run's
	// goroutine and should not block.
	OnConnect    func()
	OnDisconnect func(err error)
	// Metrics, if set, records events and connections (nil: none).
	Metrics *Metrics
	// Logger, if set, logs connections at Info.
	Logger *slog.Logger

	mu   sync.Mutex
	cur  *clientPipe
	wait chan struct{} // closed when a pipe comes up
}

// clientPipe is the connection of a pipe that is up.
type clientPipe struct {
	cc   *http2.ClientConn
	pipe *pipe
}

// Run connects to the server and keeps the pipe up until ctx ends, which
// closes the pipe; it returns ctx's error.
func (c *Client) Run(ctx context.Context) error {
	var attempt int
	for {
		up, err := c.runOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if up {
			attempt = 0
			c.Metrics.Incr("pipe.disconnect")
		} else {
			c.Metrics.Incr("pipe.connect_error")
		}
		c.log("restpipe: pipe down", "server", c.Addr, "err", err)
		if c.OnDisconnect != nil {
			c.OnDisconnect(err)
		}
		t := time.NewTimer(backoff(attempt, cmp(c.MinBackoff, DefaultMinBackoff), cmp(c.MaxBackoff, DefaultMaxBackoff), rand.Float64))
		attempt++
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// backoff is the wait before reconnection attempt n (0-based): min doubled n
// times, capped at max, then scaled by a random factor in [0.5, 1) so that
// clients cut off together do not come back together.
func backoff(n int, min, max time.Duration, random func() float64) time.Duration {
	d := min
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return time.Duration(float64(d) * (0.5 + random()/2))
}

// Connected reports whether the pipe is up.
func (c *Client) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur != nil
}

// WaitConnected waits until the pipe is up or ctx ends.
func (c *Client) WaitConnected(ctx context.Context) error {
	for {
		c.mu.Lock()
		if c.cur != nil {
			c.mu.Unlock()
			return nil
		}
		if c.wait == nil {
			c.wait = make(chan struct{})
		}
		w := c.wait
		c.mu.Unlock()
		select {
		case <-w:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (c *Client) setCurrent(cp *clientPipe) {
	c.mu.Lock()
	c.cur = cp
	if cp != nil && c.wait != nil {
		close(c.wait)
		c.wait = nil
	}
	c.mu.Unlock()
}

// runOnce makes one connection and serves its pipe until it ends; up reports
// whether the pipe came up.
func (c *Client) runOnce(ctx context.Context) (up bool, err error) {
	cc, rc, err := c.dial(ctx)
	if err != nil {
		return false, err
	}
	defer cc.Close()
	pr, pw := io.Pipe()
	defer pw.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+c.authority()+pipePath, pr)
	if err != nil {
		return false, err
	}
	req.ContentLength = -1
	req.Header.Set("Content-Type", pipeMime)
	if c.Identity != "" {
		req.Header.Set(hdrIdentity, c.Identity)
	}
	resp, err := cc.RoundTrip(req)
	if err != nil {
		return false, fmt.Errorf("restpipe: opening the pipe: %w", rc.explain(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return false, &StatusError{Status: resp.StatusCode, Body: string(body)}
	}

	p := newPipe(serverPeerID)
	defer func() {
		// Order matters: new calls stop first, then the connection closes,
		// which fails the calls in flight at once.
		c.setCurrent(nil)
		p.close(err)
		cc.Close()
	}()
	go func() { p.close(p.writeLoop(pw, nil)); pw.CloseWithError(p.err) }()
	go c.heartbeat(p)
	c.setCurrent(&clientPipe{cc: cc, pipe: p})
	c.Metrics.Incr("pipe.connect")
	c.log("restpipe: pipe up", "server", c.Addr)
	if c.OnConnect != nil {
		c.OnConnect()
	}
	stop := context.AfterFunc(ctx, func() { p.close(ctx.Err()) })
	defer stop()
	go func() {
		<-p.done
		resp.Body.Close() // unblocks the reader below
	}()
	// Handlers of server events see the pipe's end as their context's.
	pctx, pcancel := context.WithCancel(ctx)
	defer pcancel()
	return true, c.readPipe(pctx, p, resp.Body)
}

// dial connects over TLS, checks ALPN h2, and starts an HTTP/2 client
// connection with PING-based dead connection detection.
func (c *Client) dial(ctx context.Context) (*http2.ClientConn, *readErrConn, error) {
	dctx, cancel := context.WithTimeout(ctx, cmp(c.DialTimeout, DefaultDialTimeout))
	defer cancel()
	cfg := c.tlsConfig()
	d := tls.Dialer{Config: cfg}
	nc, err := d.DialContext(dctx, "tcp", c.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("restpipe: connecting to %s: %w", c.Addr, err)
	}
	tc := nc.(*tls.Conn)
	if p := tc.ConnectionState().NegotiatedProtocol; p != "h2" {
		nc.Close()
		return nil, nil, fmt.Errorf("restpipe: %s negotiated ALPN %q, not h2", c.Addr, p)
	}
	t := &http2.Transport{
		// One connection carries every call: beyond the server's
		// SETTINGS_MAX_CONCURRENT_STREAMS, calls wait for a stream.
		StrictMaxConcurrentStreams: true,
		ReadIdleTimeout:            cmp(c.PingIdle, DefaultPingIdle),
		PingTimeout:                cmp(c.PingTimeout, DefaultPingTimeout),
	}
	rc := &readErrConn{Conn: tc}
	cc, err := t.NewClientConn(rc)
	if err != nil {
		nc.Close()
		return nil, nil, rc.explain(err)
	}
	return cc, rc, nil
}

// readErrConn remembers the first read error of a connection. With TLS 1.3
// a server that refuses the client's certificate says so in an alert that
// arrives after the handshake; x/net's client reports only that the
// connection could not be established, and the alert explains why.
type readErrConn struct {
	*tls.Conn
	mu  sync.Mutex
	err error
}

func (c *readErrConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	return n, err
}

// explain adds the connection's read error, if any, to err.
func (c *readErrConn) explain(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil || errors.Is(err, c.err) {
		return err
	}
	return fmt.Errorf("%w (connection: %w)", err, c.err)
}

func (c *Client) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if c.TLSConfig != nil {
		cfg = c.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	cfg.NextProtos = []string{"h2"}
	if cfg.ServerName == "" {
		if host, _, err := net.SplitHostPort(c.Addr); err == nil {
			cfg.ServerName = host
		}
	}
	return cfg
}

// authority is the :authority of the client's requests.
func (c *Client) authority() string {
	if c.TLSConfig != nil && c.TLSConfig.ServerName != "" {
		if _, port, err := net.SplitHostPort(c.Addr); err == nil {
			return net.JoinHostPort(c.TLSConfig.ServerName, port)
		}
	}
	return c.Addr
}

// heartbeat keeps the pipe's request body alive.
func (c *Client) heartbeat(p *pipe) {
	t := time.NewTicker(cmp(c.HeartbeatInterval, DefaultHeartbeatInterval))
	defer t.Stop()
	hb := encodeHeartbeat()
	for {
		select {
		case <-t.C:
			if p.send(context.Background(), hb) != nil {
				return
			}
		case <-p.done:
			return
		}
	}
}

// readPipe reads the server's requests and runs each on its own goroutine,
// at most Concurrency at once.
func (c *Client) readPipe(ctx context.Context, p *pipe, body io.Reader) error {
	sem := make(semaphore, cmp(c.Concurrency, DefaultConcurrency))
	br := bufio.NewReaderSize(body, 64<<10)
	maxFrame := cmp(c.MaxFrameSize, DefaultMaxFrameSize)
	for {
		f, err := readFrame(br, maxFrame)
		if err != nil {
			if p.closed() {
				return p.err
			}
			if err == io.EOF {
				err = errors.New("server ended the pipe")
			}
			return err
		}
		if f.typ == frameHeartbeat {
			continue
		}
		if f.typ != frameRequest {
			return &FrameError{Reason: fmt.Sprintf("type %d from the server", f.typ)}
		}
		if !sem.acquire(ctx, p.done) {
			return p.err
		}
		go func() {
			defer sem.release()
			ev := f.event
			ev.Peer = serverPeerID
			start := time.Now()
			reply := c.Registry.Dispatch(ctx, &ev)
			c.Metrics.observeEvent(&ev, start, reply)
			p.send(ctx, encodeReply(f.id, reply))
		}()
	}
}

// Call sends ev to the server and waits for the reply. It fails with
// ErrNotConnected when the pipe is down, ErrPipeClosed when the pipe drops
// before the reply, ErrTimeout when ctx's deadline (or CallTimeout) passes,
// and *StatusError when the server refuses the request. A reply with a
// non-zero code is not an error of Call: see Reply.Err.
func (c *Client) Call(ctx context.Context, ev *Event) (reply *Reply, err error) {
	if err := checkEvent(ev); err != nil {
		return nil, err
	}
	start := time.Now()
	defer func() { c.Metrics.observeCall(ev, start, reply, err) }()
	c.mu.Lock()
	cur := c.cur
	c.mu.Unlock()
	if cur == nil {
		return nil, ErrNotConnected
	}
	ctx, cancel := withCallTimeout(ctx, cmp(c.CallTimeout, DefaultCallTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+c.authority()+eventPrefix+ev.Verb+"/"+FormatTarget(ev.Noun, ev.Args), bytes.NewReader(ev.Data))
	if err != nil {
		return nil, err
	}
	if ev.Mime != "" {
		req.Header.Set("Content-Type", ev.Mime)
	}
	if c.Identity != "" {
		req.Header.Set(hdrIdentity, c.Identity)
	}
	resp, err := cur.cc.RoundTrip(req)
	if err != nil {
		return nil, c.transportErr(ctx, cur, err)
	}
	defer resp.Body.Close()
	maxData := cmp(c.MaxFrameSize, DefaultMaxFrameSize)
	data, err := io.ReadAll(io.LimitReader(resp.Body, int64(maxData)+1))
	if err != nil {
		return nil, c.transportErr(ctx, cur, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{Status: resp.StatusCode, Body: string(data)}
	}
	if len(data) > maxData {
		return nil, fmt.Errorf("restpipe: reply over %d bytes", maxData)
	}
	code, err := strconv.Atoi(resp.Header.Get(hdrCode))
	if err != nil {
		return nil, fmt.Errorf("restpipe: reply without a valid %s header", hdrCode)
	}
	return &Reply{Code: code, Mime: resp.Header.Get("Content-Type"), Data: data}, nil
}

// transportErr maps a failed request to the call's error: the context's end
// if it ended, otherwise the pipe's.
func (c *Client) transportErr(ctx context.Context, cur *clientPipe, err error) error {
	if ctx.Err() != nil {
		return ctxErr(ctx)
	}
	if cur.pipe.closed() {
		return cur.pipe.err
	}
	return fmt.Errorf("%w: %w", ErrPipeClosed, err)
}

func (c *Client) log(msg string, args ...any) {
	if c.Logger != nil {
		c.Logger.Info(msg, args...)
	}
}
