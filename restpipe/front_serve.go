package restpipe

import (
	"context"
	"net"
	"net/http"
	"sync"

	"github.com/h2kit/h2kit/h2server"
)

// Front serves a node's REST front (ClientFront, ServerFront) in cleartext,
// meant for loopback: HTTP/2 through h2kit (h2c with prior knowledge, or by
// Upgrade from HTTP/1.1), and HTTP/1.1 through net/http on the connections
// h2kit hands over (h2server.NetHTTP).
type Front struct {
	Handler http.Handler

	once sync.Once
	srv  *h2server.Server
}

func (f *Front) init() {
	f.once.Do(func() {
		f.srv = &h2server.Server{}
		h2server.NetHTTP(f.srv, f.Handler)
	})
}

// Serve serves l until Shutdown or Close.
func (f *Front) Serve(l net.Listener) error {
	f.init()
	return f.srv.Serve(l)
}

// Shutdown stops both protocols gracefully.
func (f *Front) Shutdown(ctx context.Context) error {
	f.init()
	return f.srv.Shutdown(ctx)
}

// Close stops both protocols at once.
func (f *Front) Close() error {
	f.init()
	return f.srv.Close()
}
