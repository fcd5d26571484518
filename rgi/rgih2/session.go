package rgih2

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/rgi"
)

// connState is the adapter's state of one HTTP/2 connection: its session, the
// connection hook's verdict, and the lock that serializes app calls.
type connState struct {
	sess *rgi.Session

	hook    sync.Once
	refused bool // OnConnect returned false or panicked; set inside hook

	serve sync.Mutex // held around app.Serve with Options.Serialize

	id uint64 // handler.ConnInfo.ID; 0 outside the map

	// Guarded by sessions.mu.
	active int  // request goroutines using the state
	ended  bool // the connection has ended
}

// refuseCode is the GOAWAY code of a connection the hook refused. CANCEL,
// not REFUSED_STREAM: a refused stream invites clients to retry the request
// on a new connection, which the hook would refuse again.
const refuseCode = handler.Cancel

// sessions holds the connState of every connection that has requests, keyed
// by handler.ConnInfo.ID. A state lives until its connection has ended
// (ConnInfo.Context is cancelled) and no request goroutine uses it any more;
// then it is forgotten and its store closed.
type sessions struct {
	mu sync.Mutex
	m  map[uint64]*connState
}

// acquire returns the connState of the connection info describes, creating it on the first
// stream, and counts the caller as its user until release.
func (ss *sessions) acquire(info handler.ConnInfo) *connState {
	if info.Context == nil {
		// Not from a handler.Conn (a test double): a state of its own,
		// closed by release.
		cs := newConnState(info.ClientAddr)
		cs.active, cs.ended = 1, true
		return cs
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	cs, ok := ss.m[info.ID]
	if !ok {
		if ss.m == nil {
			ss.m = make(map[uint64]*connState)
		}
		cs = newConnState(info.ClientAddr)
		cs.id = info.ID
		ss.m[cs.id] = cs
		context.AfterFunc(info.Context, func() { ss.end(cs) })
	}
	cs.active++
	return cs
}

// release ends a request goroutine's use of cs.
func (ss *sessions) release(cs *connState) {
	ss.mu.Lock()
	cs.active--
	last := cs.ended && cs.active == 0
	ss.mu.Unlock()
	if last {
		ss.forget(cs)
	}
}

// end records that cs's connection has ended.
func (ss *sessions) end(cs *connState) {
	ss.mu.Lock()
	cs.ended = true
	last := cs.active == 0
	ss.mu.Unlock()
	if last {
		ss.forget(cs)
	}
}

// forget removes cs from the map and closes its store.
func (ss *sessions) forget(cs *connState) {
	ss.mu.Lock()
	if ss.m[cs.id] == cs {
		delete(ss.m, cs.id)
	}
	ss.mu.Unlock()
	closeStore(cs.sess)
}

// len reports how many connections have a live state (for tests).
func (ss *sessions) len() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.m)
}

func newConnState(addr net.Addr) *connState {
	client := ""
	if addr != nil {
		client = rgi.FormatAddress(addr)
	}
	return &connState{sess: &rgi.Session{Client: client, Store: map[string]any{}}}
}

// closeStore closes the store values that are io.Closers, as the HTTP/1.1
// server does when a connection ends.
func closeStore(sess *rgi.Session) {
	for _, v := range sess.Store {
		if c, ok := v.(io.Closer); ok {
			c.Close()
		}
	}
}

// connect runs the app's connection hook once per connection and reports
// whether the connection is accepted. It may block (the hook is app code), so
// it runs on a request goroutine; concurrent streams of the connection wait
// for the first one's verdict.
func (a *adapter) connect(cs *connState, info handler.ConnInfo) bool {
	hook, ok := a.app.(rgi.ConnectHook)
	if !ok {
		return true
	}
	cs.hook.Do(func() {
		defer func() {
			if p := recover(); p != nil {
				a.log.Error("rgih2: connection hook panicked", "client", cs.sess.Client, "panic", fmt.Sprint(p))
				cs.refused = true
			}
		}()
		cs.refused = !hook.OnConnect(&Conn{info: info}, cs.sess)
	})
	return !cs.refused
}

// ErrNoIO is what Conn's Read and Write return.
var ErrNoIO = errors.New("rgih2: an HTTP/2 connection cannot be read or written by the connection hook")

// Conn is the net.Conn an rgi.ConnectHook receives for an HTTP/2 connection.
// It gives the addresses and, over TLS, ConnectionState (as *tls.Conn does,
// so a hook can use interface{ ConnectionState() tls.ConnectionState } for
// both protocols); the connection's bytes belong to the HTTP/2 server, so
// Read and Write fail with ErrNoIO and Close and the deadlines do nothing.
type Conn struct {
	info handler.ConnInfo
}

// Read returns ErrNoIO.
func (*Conn) Read([]byte) (int, error) { return 0, ErrNoIO }

// Write returns ErrNoIO.
func (*Conn) Write([]byte) (int, error) { return 0, ErrNoIO }

// Close does nothing: a hook refuses a connection by returning false.
func (*Conn) Close() error { return nil }

// LocalAddr returns the server's address of the connection.
func (c *Conn) LocalAddr() net.Addr { return c.info.LocalAddr }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.info.ClientAddr }

// SetDeadline does nothing.
func (*Conn) SetDeadline(time.Time) error { return nil }

// SetReadDeadline does nothing.
func (*Conn) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline does nothing.
func (*Conn) SetWriteDeadline(time.Time) error { return nil }

// ConnectionState returns the TLS state of the connection; the zero value
// for h2c.
func (c *Conn) ConnectionState() tls.ConnectionState {
	if c.info.TLS == nil {
		return tls.ConnectionState{}
	}
	return *c.info.TLS
}

// TLS reports whether the connection is over TLS.
func (c *Conn) TLS() bool { return c.info.TLS != nil }
