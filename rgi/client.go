package rgi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"
)

// DefaultClientTimeout is the client's default socket timeout, Degu's 65 s:
// longer than a server's idle keep-alive timeout, so the server is the one
// that gives up on an idle connection.
const DefaultClientTimeout = 65 * time.Second

// ClientOptions are a Client's settings; the zero value gives the defaults.
type ClientOptions struct {
	// Timeout bounds every read and write on a connection (Degu's socket
	// timeout), and connecting. 0 means DefaultClientTimeout; negative is an
	// *OptionError.
	Timeout time.Duration
	// Host, when not empty, is sent as the "host" header of every request.
	// Like the seed's client (Degu tutorial, "HTTP headers"), the client
	// sends no header by default, not even host; servers other than Degu and
	// rgi usually want one.
	Host string
	// Authorization, when not empty, is sent as the "authorization" header
	// of every request.
	Authorization string
	// BaseHeaders are sent with every request; a header the caller passes to
	// Request overrides the base one. Names must be lowercase.
	BaseHeaders map[string]string
	// OnConnect, when set, is called with each new connection before it is
	// handed out; returning false closes it and Connect fails with
	// ErrConnectRejected (Degu's client on_connect).
	OnConnect func(*Connection) bool
}

// Client connects to one server address. It holds no socket: it is
// stateless and safe for concurrent use, and each Connect gives a new
// Connection (Degu's Client).
type Client struct {
	address string
	parsed  ParsedAddress
	tls     *tls.Config
	timeout time.Duration
	base    map[string]string
	onConn  func(*Connection) bool
}

// Errors of the client connection.
var (
	// ErrConnectionClosed: the Connection was closed (by Close, or after an
	// error, which always closes it, as in Degu).
	ErrConnectionClosed = errors.New("rgi: client connection is closed")
	// ErrServerClosing: the server's last response said "connection: close",
	// so no further request can be sent on this connection.
	ErrServerClosing = errors.New("rgi: server announced it closes the connection")
	// ErrResponseNotConsumed: the previous response's body was not read to
	// its end before the next request (Degu: "response body not consumed").
	ErrResponseNotConsumed = errors.New("rgi: previous response body not consumed")
	// ErrConnectRejected: ClientOptions.OnConnect returned false.
	ErrConnectRejected = errors.New("rgi: OnConnect rejected the connection")
	// ErrBadClientReason: a reason phrase outside [A-Za-z0-9 -], which
	// Degu's client refuses.
	ErrBadClientReason = errors.New("rgi: response reason phrase outside letters, digits, spaces and hyphens")
	// ErrTooManyInterim: more 1xx responses before the final one than the
	// client accepts.
	ErrTooManyInterim = errors.New("rgi: too many 1xx responses")
)

// NewClient returns a client for address (see ParseAddress; "@" alone, a
// kernel-assigned name, cannot be dialled). opts may be nil.
func NewClient(address string, opts *ClientOptions) (*Client, error) {
	return newClient(nil, address, opts)
}

// NewSSLClient returns a client that speaks TLS with cfg (usually from
// BuildClientTLSConfig) to address. When cfg has no ServerName and address is
// a TCP address, the server's IP address is checked against its certificate
// (Degu's ssl_host defaults to the address's host); a Unix-socket address
// needs a ServerName or a config that skips the name check.
func NewSSLClient(cfg *tls.Config, address string, opts *ClientOptions) (*Client, error) {
	if cfg == nil {
		return nil, &OptionError{Option: "tls", Reason: "nil *tls.Config"}
	}
	return newClient(cfg, address, opts)
}

func newClient(cfg *tls.Config, address string, opts *ClientOptions) (*Client, error) {
	a, err := ParseAddress(address)
	if err != nil {
		return nil, err
	}
	if a.Family == FamilyAbstract && a.Name == "@" {
		return nil, addrErr(address, "cannot dial a kernel-assigned abstract name; use the name the server reports", nil)
	}
	if opts == nil {
		opts = &ClientOptions{}
	}
	c := &Client{address: address, parsed: a, timeout: opts.Timeout, onConn: opts.OnConnect}
	switch {
	case c.timeout == 0:
		c.timeout = DefaultClientTimeout
	case c.timeout < 0:
		return nil, &OptionError{Option: "Timeout", Reason: fmt.Sprintf("must be positive, not %v", opts.Timeout)}
	}
	base := make(map[string]string, len(opts.BaseHeaders)+2)
	for k, v := range opts.BaseHeaders {
		base[k] = v
	}
	if opts.Host != "" {
		base["host"] = opts.Host
	}
	if opts.Authorization != "" {
		base["authorization"] = opts.Authorization
	}
	for k, v := range base {
		if !validOutputName(k) {
			return nil, &OptionError{Option: "BaseHeaders", Reason: fmt.Sprintf("header name %q must be lowercase [a-z0-9-], 1 to 32 bytes", k)}
		}
		if !validOutputValue(v) {
			return nil, &OptionError{Option: "BaseHeaders", Reason: fmt.Sprintf("header %q: value must be printable ASCII and not empty", k)}
		}
		if k == hContentLength || k == hTransferEncoding {
			return nil, &OptionError{Option: "BaseHeaders", Reason: k + " is set per request from the body"}
		}
	}
	if len(base) > 0 {
		c.base = base
	}
	if cfg != nil {
		cfg = cfg.Clone()
		if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
			if a.Family != FamilyTCP4 && a.Family != FamilyTCP6 {
				return nil, &OptionError{Option: "tls", Reason: "a Unix-socket address needs ServerName in the TLS config, or NoHostnameCheck"}
			}
			cfg.ServerName = a.Host
		}
		c.tls = cfg
	}
	return c, nil
}

// Address returns the address the client connects to.
func (c *Client) Address() string { return c.address }

// Connect opens a new connection to the server: dial, the TLS handshake for
// an SSL client, then OnConnect. ctx bounds the connecting (besides the
// client's Timeout), not the connection's later use.
func (c *Client) Connect(ctx context.Context) (*Connection, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, c.parsed.Network(), c.parsed.String())
	if err != nil {
		return nil, addrErr(c.address, "cannot connect", err)
	}
	if c.tls != nil {
		tc := tls.Client(nc, c.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, fmt.Errorf("rgi: TLS handshake with %s: %w", c.address, err)
		}
		nc = tc
	}
	conn := newConnection(nc, c.base, c.timeout)
	if c.onConn != nil && !c.onConn(conn) {
		conn.Close()
		return nil, ErrConnectRejected
	}
	return conn, nil
}
