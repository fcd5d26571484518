package h2server

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
	"github.com/h2kit/h2kit/reject"
)

// switchingProtocols is the answer to an accepted h2c upgrade (RFC 7540 §3.2:
// "A server that supports HTTP/2 accepts the upgrade with a 101 (Switching
// Protocols) response. After the empty line that terminates the 101
// response, the server can begin sending HTTP/2 frames.").
const switchingProtocols = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"

// UpgradeError is why UpgradeH2C refused an h2c upgrade request: the
// HTTP/1.1 side answers with Status and Error() as a plain-text body
// (RefuseUpgrade does it on a raw connection) and closes the connection.
type UpgradeError struct {
	// Status is 400, or 431 for a request over the HTTP/2 header budgets.
	Status int
	// Reject is the name passed to Server.OnReject.
	Reject reject.Name
	// Detail says what is wrong, citing the RFC.
	Detail string
}

func (e *UpgradeError) Error() string {
	return "h2c upgrade refused: " + e.Detail
}

// UpgradeRequest is an HTTP/1.1 request that asks to switch to HTTP/2 (RFC
// 7540 §3.2), as the HTTP/1.1 server parsed it: the fields UpgradeH2C needs,
// independent of that server's types.
type UpgradeRequest struct {
	// Method is the request method, e.g. "GET".
	Method string
	// Target is the request target in origin-form ("/path?query"); it
	// becomes :path of stream 1.
	Target string
	// Authority is the Host header field's value; it becomes :authority.
	Authority string
	// HTTP2Settings is the HTTP2-Settings header field's value (RFC 7540
	// §3.2.1).
	HTTP2Settings string
	// HasBody reports a request body (a content-length other than 0 or a
	// transfer-encoding). RFC 7540 §3.2 lets the server ignore such an
	// upgrade; UpgradeH2C does (ErrUpgradeBody).
	HasBody bool
	// Fields are the other header fields, names in lower case. Host and
	// the connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2:
	// connection, upgrade, http2-settings, keep-alive, proxy-connection,
	// transfer-encoding, te other than "trailers") are dropped here, so
	// the HTTP/1.1 side may pass all it has.
	Fields []hpack.HeaderField
}

// ErrUpgradeBody is UpgradeH2C's answer to a request with a body: nothing
// was written, and the HTTP/1.1 server should serve the request as HTTP/1.1,
// ignoring the Upgrade header field (RFC 9110 §7.8 allows it).
var ErrUpgradeBody = errors.New("h2server: h2c upgrade of a request with a body is not done")

// ErrUpgradeNotServing is UpgradeH2C's answer when the server cannot take the
// connection: it has no Handler, or it is closed or shutting down. Nothing
// was written; the caller closes the connection (or serves it as HTTP/1.1).
var ErrUpgradeNotServing = errors.New("h2server: not serving h2c upgrades")

// UpgradeH2C switches a cleartext HTTP/1.1 connection to HTTP/2 (RFC 7540
// §3.2, "Starting HTTP/2 for "http" URIs"; RFC 9113 §3.1 deprecates the
// mechanism, but curl --http2 still uses it for http:// URLs). An HTTP/1.1
// server (see HTTP1Server) calls it for a request that carries
// "Upgrade: h2c", "Connection: Upgrade, HTTP2-Settings" and one
// HTTP2-Settings header field, with the underlying connection (deadlines
// cleared) and the bytes it has read past the request.
//
// The HTTP2-Settings value must be base64url (RFC 4648 §5, trailing "="
// optional) of a SETTINGS payload: a multiple of 6 octets with valid values
// (RFC 7540 §3.2.1). If it is not, or the request cannot be expressed as an
// HTTP/2 request (RFC 9113 §8.2, §8.3), or nc uses TLS (RFC 7540 §3.2
// defines the upgrade for cleartext "h2c" only), UpgradeH2C returns an
// *UpgradeError: 400 Bad Request, or 431 over the header budgets of Config;
// OnReject is told its Reject name. Otherwise it answers "101 Switching
// Protocols" and serves the connection as HTTP/2 with s.Handler: the
// server's SETTINGS is the first frame, the HTTP2-Settings payload is the
// client's initial SETTINGS, the request is stream 1 (half-closed remote)
// and its response goes out on stream 1; the client preface that follows is
// validated as on any h2c connection. The connection then takes part in
// Shutdown (GOAWAY) and Close like the others, and UpgradeH2C returns nil
// once it is closed.
//
// Ownership of nc: after an *UpgradeError, ErrUpgradeBody or
// ErrUpgradeNotServing nothing has been written to nc and the caller still
// owns it: it answers over HTTP/1.1 (RefuseUpgrade writes the answer to an
// *UpgradeError) or closes it. After nil or any other error (an I/O error
// while switching) nc has been closed.
//
// s need not be serving: on a Server that has not served yet (an HTTP/1.1
// server with its own listener wired to it by hand) the upgraded connection
// is served as ServeConn serves one, and Shutdown waits for it and Close
// closes it.
func (s *Server) UpgradeH2C(nc net.Conn, req UpgradeRequest, buffered []byte) error {
	err := s.upgrade(nc, &req, buffered)
	if err == nil {
		return nil
	}
	var ue *UpgradeError
	switch {
	case errors.As(err, &ue):
		s.reject(ue.Reject)
		s.logger().Debug("h2server: h2c upgrade refused", "remote", nc.RemoteAddr(), "err", err)
	case errors.Is(err, ErrUpgradeBody), errors.Is(err, ErrUpgradeNotServing):
		s.logger().Debug("h2server: h2c upgrade not done", "remote", nc.RemoteAddr(), "err", err)
	default:
		s.logger().Debug("h2server: h2c upgrade failed", "remote", nc.RemoteAddr(), "err", err)
		nc.Close()
	}
	return err
}

// upgrade does UpgradeH2C's work; it returns nil after serving the
// connection (which run closes).
func (s *Server) upgrade(nc net.Conn, req *UpgradeRequest, buffered []byte) error {
	if isTLS(nc) {
		return &UpgradeError{Status: 400, Reject: reject.H2CUpgradeOverTLS,
			Detail: "Upgrade: h2c is for cleartext connections only (RFC 7540 §3.2); this connection uses TLS"}
	}
	if req.HasBody {
		return ErrUpgradeBody
	}
	payload, err := DecodeHTTP2Settings(req.HTTP2Settings)
	if err != nil {
		return err
	}
	if s.Handler == nil {
		return fmt.Errorf("%w: %w", ErrUpgradeNotServing, ErrNoHandler)
	}
	// Count and track the connection here too, not only in serveConn: the
	// upgrade may come from an HTTP/1.1 server s does not run.
	if !s.holdConn(nc) {
		return fmt.Errorf("%w: %w", ErrUpgradeNotServing, ErrServerClosed)
	}
	defer s.releaseConn(nc)
	o, own := s.upgradeObs(nc)
	if own {
		defer s.closeConn(o)
	}
	cfg := s.Config.withDefaults()
	c := s.newConn(nc, nil, &cfg, o)
	if c == nil {
		return errors.New("h2server: bad configuration")
	}
	now := time.Now()
	if err := c.drv.Upgrade(now, payload, req.Method, "http", req.Authority, req.Target, upgradeFields(req.Fields)); err != nil {
		c.drv.Close(frame.ErrCodeCancel)
		return engineUpgradeError(err)
	}
	if cfg.WriteTimeout > 0 {
		nc.SetWriteDeadline(now.Add(cfg.WriteTimeout))
	}
	if _, err := io.WriteString(nc, switchingProtocols); err != nil {
		c.drv.Close(frame.ErrCodeCancel)
		return err
	}
	if !s.register(c) {
		c.drv.Close(frame.ErrCodeCancel)
		return ErrServerClosed
	}
	defer s.unregister(c)
	c.run(buffered)
	return nil
}

// isTLS reports whether nc is a TLS connection (or wraps one).
func isTLS(nc net.Conn) bool {
	if _, ok := nc.(*tls.Conn); ok {
		return true
	}
	_, ok := nc.(interface{ ConnectionState() tls.ConnectionState })
	return ok
}

// DecodeHTTP2Settings decodes an HTTP2-Settings header field value into a
// SETTINGS payload. RFC 7540 §3.2.1: "The content of the HTTP2-Settings
// header field is the payload of a SETTINGS frame (Section 6.5.1), encoded
// as a base64url string (that is, the URL- and filename-safe Base64
// encoding described in Section 5 of [RFC4648], with any trailing '='
// characters omitted)." Padding is tolerated (the field is a token68). The
// payload must be a whole number of 6-octet settings (RFC 9113 §6.5); the
// values are checked when they are applied. Errors are *UpgradeError.
func DecodeHTTP2Settings(v string) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(v, "="))
	if err != nil {
		return nil, &UpgradeError{Status: 400, Reject: reject.H2CSettingsNotBase64URL,
			Detail: fmt.Sprintf("HTTP2-Settings is not base64url (RFC 7540 §3.2.1): %v", err)}
	}
	if len(b)%6 != 0 {
		return nil, &UpgradeError{Status: 400, Reject: reject.H2CSettingsLength,
			Detail: fmt.Sprintf("HTTP2-Settings holds %d octets, not a multiple of 6 (RFC 7540 §3.2.1, RFC 9113 §6.5)", len(b))}
	}
	return b, nil
}

// engineUpgradeError turns the engine's refusal into the HTTP/1.1 answer: an
// invalid HTTP2-Settings payload (a *ConnError) or a request that is not a
// valid HTTP/2 request (a *StreamError naming the reject) is 400, a request
// over the header budgets 431 (RFC 6585 §5), as on an HTTP/2 stream.
func engineUpgradeError(err error) error {
	var ce *h2conn.ConnError
	if errors.As(err, &ce) {
		return &UpgradeError{Status: 400, Reject: reject.H2CUpgradeBadSettings,
			Detail: "HTTP2-Settings holds an invalid SETTINGS payload (RFC 7540 §3.2.1, RFC 9113 §6.5.2): " +
				string(ce.Reason) + " (" + ce.Code.String() + ")"}
	}
	var se *h2conn.StreamError
	if errors.As(err, &se) && se.Cause != nil {
		status := 400
		if errors.Is(se, reject.HeaderListTooLarge) || errors.Is(se, reject.TooManyHeaderFields) {
			status = 431
		}
		return &UpgradeError{Status: status, Reject: reject.H2CUpgradeBadRequest,
			Detail: "the request cannot be served as HTTP/2 stream 1 (RFC 9113 §8.2, §8.3): " + se.Cause.Error()}
	}
	return err
}

// upgradeFields keeps the HTTP/1.1 request header fields that are HTTP/2
// regular fields: without Host (it becomes :authority, RFC 9113 §8.3.1;
// :scheme is "http", the upgrade being for http URIs only) and the
// connection-specific fields HTTP/2 forbids (RFC 9113 §8.2.2), including
// HTTP2-Settings, which RFC 7540 §3.2.1 makes hop-by-hop.
func upgradeFields(h []hpack.HeaderField) []hpack.HeaderField {
	fs := make([]hpack.HeaderField, 0, len(h))
	for _, f := range h {
		switch f.Name {
		case "host", "connection", "upgrade", "http2-settings", "keep-alive", "proxy-connection", "transfer-encoding":
			continue
		case "te":
			if f.Value != "trailers" {
				continue
			}
		}
		fs = append(fs, f)
	}
	return fs
}

// RefuseUpgrade answers an upgrade UpgradeH2C refused with ue in HTTP/1.1
// (ue.Status, ue.Error() as a plain-text body, "connection: close") and
// closes nc, draining what the client still sends for a moment (bounded in
// time and size) so that the close does not reset the answer away.
func RefuseUpgrade(nc net.Conn, ue *UpgradeError) {
	defer nc.Close()
	body := ue.Error() + "\n"
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	resp := "HTTP/1.1 " + strconv.Itoa(ue.Status) + " " + http.StatusText(ue.Status) + "\r\n" +
		"content-type: text/plain; charset=utf-8\r\n" +
		"content-length: " + strconv.Itoa(len(body)) + "\r\n" +
		"connection: close\r\n\r\n" + body
	if _, err := io.WriteString(nc, resp); err != nil {
		return
	}
	if cw, ok := nc.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	nc.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, io.LimitReader(nc, 64<<10))
}
