package restpipe

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
)

// Front serves a node's REST front (ClientFront, ServerFront) in cleartext,
// meant for loopback: HTTP/2 with prior knowledge (h2c) through h2kit, and
// HTTP/1.1 through net/http on the connections h2kit hands over (its HTTP1
// hook). This file is the only place that wires HTTP/1.1, so that it can move
// to h2kit's own net/http fallback when that exists.
type Front struct {
	Handler http.Handler

	once sync.Once
	h2   *h2server.Server
	h1   *http.Server
	ln   *connListener
}

func (f *Front) init() {
	f.once.Do(func() {
		f.ln = &connListener{conns: make(chan net.Conn), done: make(chan struct{})}
		f.h1 = &http.Server{Handler: f.Handler}
		f.h2 = &h2server.Server{
			Handler: handler.HTTPHandler(f.Handler),
			HTTP1: func(c net.Conn, buffered []byte) {
				f.ln.hand(h2server.PrefixConn(c, buffered))
			},
		}
		go f.h1.Serve(f.ln)
	})
}

// Serve serves l until Shutdown or Close.
func (f *Front) Serve(l net.Listener) error {
	f.init()
	f.ln.setAddr(l.Addr())
	return f.h2.Serve(l)
}

// Shutdown stops both protocols gracefully.
func (f *Front) Shutdown(ctx context.Context) error {
	f.init()
	f.ln.Close()
	return errors.Join(f.h2.Shutdown(ctx), f.h1.Shutdown(ctx))
}

// Close stops both protocols at once.
func (f *Front) Close() error {
	f.init()
	f.ln.Close()
	return errors.Join(f.h2.Close(), f.h1.Close())
}

// connListener is a net.Listener fed one connection at a time by h2kit's
// HTTP1 hook.
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	addr  net.Addr
}

func (l *connListener) hand(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) setAddr(a net.Addr) {
	l.mu.Lock()
	l.addr = a
	l.mu.Unlock()
}

func (l *connListener) Addr() net.Addr {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.addr == nil {
		return &net.TCPAddr{}
	}
	return l.addr
}
