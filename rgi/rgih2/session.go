package rgih2

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"time"
	"weak"

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
}

// sessions finds the connState of a stream's connection.
//
// The handler API exposes no connection identity, so the connection is known
// by the address object its ConnInfo.ClientAddr points to: the server reads
// RemoteAddr once per connection and every Stream of the connection carries
// that same pointer. The map holds it weakly, so it does not keep the address
// alive; when the connection is gone and the address collected, a runtime
// cleanup removes the entry and closes the session's store.
type sessions struct {
	mu sync.Mutex
	m  map[any]*connState
}

// lookup returns the connState of s's connection, creating it on the first
// stream. A connection whose address is not a *net.TCPAddr or *net.UnixAddr
// (a pipe, a test double) cannot be told apart from others and gets a fresh
// state per stream.
func (ss *sessions) lookup(s *handler.Stream) *connState {
	addr := s.ClientAddr()
	var key any
	switch a := addr.(type) {
	case *net.TCPAddr:
		if a != nil {
			key = weak.Make(a)
		}
	case *net.UnixAddr:
		if a != nil {
			key = weak.Make(a)
		}
	}
	if key == nil {
		return newConnState(addr)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if cs, ok := ss.m[key]; ok {
		return cs
	}
	if ss.m == nil {
		ss.m = make(map[any]*connState)
	}
	cs := newConnState(addr)
	ss.m[key] = cs
	forget := func(key any) {
		ss.mu.Lock()
		delete(ss.m, key)
		ss.mu.Unlock()
		closeStore(cs.sess)
	}
	switch a := addr.(type) {
	case *net.TCPAddr:
		runtime.AddCleanup(a, forget, key)
	case *net.UnixAddr:
		runtime.AddCleanup(a, forget, key)
	}
	return cs
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
func (a *adapter) connect(cs *connState, s *handler.Stream) bool {
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
		cs.refused = !hook.OnConnect(&Conn{info: s.Conn()}, cs.sess)
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
