package rgi

import (
	"bytes"
	"net"
	"time"
)

// H2CUpgrader takes over a cleartext connection whose request asks to
// switch to HTTP/2 (RFC 7540 §3.2, "Starting HTTP/2 for http URIs"; RFC 9113
// deprecates it but curl --http2 still sends it). It is called on the
// connection's goroutine with the underlying connection (deadlines
// cleared), the request (valid only during the call: copy what is needed,
// such as Headers["http2-settings"] and the target for stream 1) and the
// bytes already read past the request. From then on the upgrader owns
// conn: it sends "101 Switching Protocols" and speaks HTTP/2, and closes
// conn when done. The RGI app is not called for that request. Install it
// with Options.H2CUpgrader.
type H2CUpgrader func(conn net.Conn, req *Request, buffered []byte)

// wantsH2C reports an h2c upgrade request: "upgrade" lists "h2c",
// "connection" lists both "upgrade" and "http2-settings", and one
// "http2-settings" header is present (RFC 7540 §3.2 and §3.2.1).
func wantsH2C(h map[string]string) bool {
	up, ok := h["upgrade"]
	if !ok {
		return false
	}
	if _, ok := h["http2-settings"]; !ok {
		return false
	}
	conn := h[hConnection]
	return hasToken(up, "h2c") && hasToken(conn, "upgrade") && hasToken(conn, "http2-settings")
}

// hasToken reports whether the comma-separated list v holds token t,
// ignoring case and optional whitespace (RFC 9110 §5.6.1).
func hasToken(v, t string) bool {
	for v != "" {
		var item string
		if i := indexByte(v, ','); i >= 0 {
			item, v = v[:i], v[i+1:]
		} else {
			item, v = v, ""
		}
		for len(item) > 0 && (item[0] == ' ' || item[0] == '\t') {
			item = item[1:]
		}
		for len(item) > 0 && (item[len(item)-1] == ' ' || item[len(item)-1] == '\t') {
			item = item[:len(item)-1]
		}
		if equalFold(item, t) {
			return true
		}
	}
	return false
}

// handOff gives the connection to the upgrader.
func (c *conn) handOff(u H2CUpgrader) {
	rest := bytes.Clone(c.dc.pre)
	if n := c.br.Buffered(); n > 0 {
		p, _ := c.br.Peek(n)
		rest = append(bytes.Clone(p), rest...)
	}
	nc := c.dc.c
	nc.SetDeadline(time.Time{})
	u(nc, &c.req, rest)
}
