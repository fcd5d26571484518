package restpipebench

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"golang.org/x/net/http2"
)

// BenchmarkBareRequest is the floor under RestPipe's client→server events:
// one empty POST round trip from x/net's http2 ClientConn (what restpipe.Client
// uses) over mutual TLS, answered "ok" by a net/http handler on h2kit
// (handler.HTTPHandler) and on net/http's own HTTP/2 server.
func BenchmarkBareRequest(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	servers := []struct {
		name  string
		serve func(ln net.Listener, cfg *tls.Config) func()
	}{
		{"h2kit", func(ln net.Listener, cfg *tls.Config) func() {
			s := &h2server.Server{TLSConfig: cfg, Handler: handler.HTTPHandler(ok)}
			go s.ServeTLS(ln, "", "")
			return func() { s.Close() }
		}},
		{"net-http", func(ln net.Listener, cfg *tls.Config) func() {
			cfg = cfg.Clone()
			cfg.NextProtos = []string{"h2"}
			s := &http.Server{Handler: ok, TLSConfig: cfg}
			go s.ServeTLS(ln, "", "")
			return func() { s.Close() }
		}},
	}
	for _, srv := range servers {
		b.Run(srv.name, func(b *testing.B) {
			c := newCerts(b)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer srv.serve(ln, c.server)()
			cfg := c.client.Clone()
			cfg.NextProtos = []string{"h2"}
			nc, err := tls.Dial("tcp", ln.Addr().String(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			cc, err := (&http2.Transport{}).NewClientConn(nc)
			if err != nil {
				b.Fatal(err)
			}
			defer cc.Close()
			run(b, 1, func(ctx context.Context, _ []byte) ([]byte, error) {
				req, err := http.NewRequestWithContext(ctx, "POST", "https://127.0.0.1/x", nil)
				if err != nil {
					return nil, err
				}
				resp, err := cc.RoundTrip(req)
				if err != nil {
					return nil, err
				}
				defer resp.Body.Close()
				io.Copy(io.Discard, resp.Body)
				return payload, nil
			})
		})
	}
}
