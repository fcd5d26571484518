package h2conn

import (
	"errors"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// ErrUpgradeLate is returned by Upgrade on a Engine that has already been fed
// bytes or upgraded.
var ErrUpgradeLate = errors.New("h2conn: Upgrade must come first on a new Conn")

// Upgrade switches a new Engine to HTTP/2 from an HTTP/1.1 request with
// "Upgrade: h2c" (RFC 7540 §3.2; RFC 9113 §3.1 deprecates the mechanism but
// clients such as curl --http2 over http:// still use it). Call it right
// after NewServerConn, before Feed; the caller sends "101 Switching
// Protocols" when it returns nil, and can answer over HTTP/1.1 (400, or 431
// for the header budgets) when it returns an error.
//
// http2Settings is the base64url-decoded HTTP2-Settings header: a SETTINGS
// payload that the server "decodes and interprets ... as it would any other
// SETTINGS frame", with no ACK ("a 101 response serves as implicit
// acknowledgement", RFC 7540 §3.2.1). An invalid payload returns the
// *ConnError a SETTINGS frame with it would cause (nothing is queued).
//
// method, scheme ("http"), authority (from Host; "" for none) and path
// (the request-target) become the pseudo-headers of the request; fields are
// its header fields with lowercase names. The hop-by-hop
// fields of the upgrade itself (connection, upgrade, http2-settings,
// keep-alive, proxy-connection, transfer-encoding, and te other than
// "trailers") are dropped; a request that is otherwise malformed in HTTP/2
// (RFC 9113 §8.2, §8.3), over the header budgets, or with a body returns a
// *StreamError for stream 1 whose Cause names the reject.
//
// On success the request is stream 1, as RFC 7540 §3.2 says: "The HTTP/1.1
// request that is sent prior to upgrade is assigned a stream identifier of
// 1 ... Stream 1 is implicitly "half-closed" from the client toward the
// server". OnHeaders and OnEndStream run inside Upgrade, so a response the
// handler queues goes out right after our SETTINGS. The engine then expects
// the client connection preface (RFC 7540 §3.5: the client sends it after
// the 101) as on any connection.
func (c *Engine) Upgrade(http2Settings []byte, method, scheme, authority, path string, fields []hpack.HeaderField) error {
	if c.upgraded || c.err != nil || c.prefaceLeft != len(frame.ClientPreface) || c.maxPeerID != 0 {
		return ErrUpgradeLate
	}
	f, err := frame.ParseSettings(frame.Header{Length: uint32(len(http2Settings)), Type: frame.TypeSettings}, http2Settings)
	if err == nil {
		// Every value is checked before any is applied, so that a failed
		// Upgrade changes nothing.
		err = c.checkSettings(f)
	}
	if err != nil {
		var ce *ConnError
		if errors.As(err, &ce) {
			c.reject(ce.Reason)
		}
		return err
	}

	// Decode the request into a stream that is not registered yet.
	st := c.takeStream(1)
	c.hb = headerBlock{active: true, streamID: 1, st: st, endStream: true}
	for _, kv := range [...][2]string{{":method", method}, {":scheme", scheme}, {":authority", authority}, {":path", path}} {
		if kv[1] != "" || kv[0] == ":path" {
			c.onField(hpack.HeaderField{Name: kv[0], Value: kv[1]})
		}
	}
	for _, f := range fields {
		switch f.Name {
		case "connection", "upgrade", "http2-settings", "keep-alive", "proxy-connection", "transfer-encoding":
			continue
		case "te":
			if f.Value != "trailers" {
				continue
			}
		}
		c.onField(f)
	}
	c.hb = headerBlock{}
	name := st.tooLarge
	if name == "" {
		name = st.malformed
	}
	if name == "" {
		name = st.buildRequest()
	}
	if name == "" && st.contentLength > 0 {
		name = reject.ContentLengthMismatch
	}
	if name != "" {
		c.free = append(c.free, st)
		c.reject(name)
		return &StreamError{StreamID: 1, Code: ErrCodeProtocol, Cause: name}
	}
	c.applySettings(f)

	c.upgraded = true
	c.maxPeerID = 1
	c.streams = append(c.streams, st)
	c.statStreamOpened()
	c.idleDue = zeroTime
	st.sendWindow = window(c.peerInitialWindow)
	if err := c.transition(st, evRecvHeaders); err != nil {
		return err
	}
	st.notified = true
	st.endSeen = true // the request has no body
	c.h.OnHeaders(st)
	if st.state != StateClosed {
		return c.recvEndStream(st)
	}
	return nil
}
