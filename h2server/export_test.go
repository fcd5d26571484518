package h2server

import (
	"io"
	"net"
	"testing"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/reject"
)

// Test helpers for the external tests (package h2server_test), which import
// rgi/rgih2 for the RGI fallback: rgih2 imports h2server, so they cannot be
// internal tests.
var (
	EchoFactory = echoFactory
	StartServer = startServer
	TestCert    = testCert
	NeedTool    = needTool
	DialClient  = dialClient
	NewRelay    = newRelay
)

// SwitchingProtocols is the 101 answer of an accepted upgrade.
const SwitchingProtocols = switchingProtocols

// Rejects collects OnReject names.
type Rejects = rejects

func (r *rejects) Add(name reject.Name) { r.add(name) }
func (r *rejects) Has(name string) bool { return r.has(name) }

// Client is the raw-frame HTTP/2 client of the internal tests.
type Client = client

// NewRawClient is a client over nc that reads frames from r and writes none
// of its own first (no preface, no SETTINGS).
func NewRawClient(t *testing.T, nc net.Conn, w io.Writer) *client {
	return &client{t: t, nc: nc, fr: http2.NewFramer(w, nc)}
}

func (c *client) Framer() *http2.Framer                          { return c.fr }
func (c *client) Get(id uint32, path string)                     { c.get(id, path) }
func (c *client) Until(match func(http2.Frame) bool) http2.Frame { c.t.Helper(); return c.until(match) }

func (r *rejects) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.names...)
}
