package h2conn

import (
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/httpfield"
	"github.com/h2kit/h2kit/reject"
)

// Request header decoding and validation (RFC 9113 §8.1–§8.3). Fields are
// copied into the stream's arena as the HPACK decoder emits them; strings
// are made once the block is complete, so the arena can grow meanwhile.

// Pseudo-header bits.
const (
	pMethod uint8 = 1 << iota
	pScheme
	pAuthority
	pPath
	pProtocol
)

func pseudoBit(name string) uint8 {
	switch name {
	case ":method":
		return pMethod
	case ":scheme":
		return pScheme
	case ":authority":
		return pAuthority
	case ":path":
		return pPath
	case ":protocol":
		return pProtocol
	}
	return 0
}

// beginBlock resets the per-block decoding state. For trailers the arena
// keeps the request's fields.
func (st *Stream) beginBlock(trailers bool) {
	st.refs = st.refs[:0]
	st.pseudo = 0
	st.sawRegular = false
	st.cookies = 0
	st.listSize = 0
	st.nfields = 0
	st.tooLarge = ""
	st.malformed = ""
	if !trailers {
		st.arena = st.arena[:0]
	}
}

// validName and validValue are the field policy of internal/httpfield,
// shared with the response side so that requests and responses follow one
// rule set.
func validName(s string) bool { return httpfield.ValidName(s) }

func validValue(s string) bool { return httpfield.ValidValue(s) }

// parseContentLength accepts 1*DIGIT (RFC 9110 §8.6) up to 2^62.
func parseContentLength(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// onField is the HPACK emit function: it validates one field and copies it
// into the arena. After a budget or validation failure it keeps counting
// but stores nothing; the decoder still runs to the end of the block so
// that its dynamic table stays in step.
func (c *Engine) onField(f hpack.HeaderField) {
	st := c.hb.st
	if st == nil {
		return
	}
	// The fields are taken out of f once: f.Size() copies the whole struct
	// through the stack at every call (a store-forwarding stall on this,
	// the hottest path of request decoding).
	name, value, sensitive := f.Name, f.Value, f.Sensitive
	size := uint32(len(name)) + uint32(len(value)) + 32 // f.Size(), RFC 7541 §4.1
	st.nfields++
	st.listSize += size
	if st.tooLarge != "" {
		return
	}
	if st.nfields > c.cfg.MaxHeaderFields {
		st.tooLarge = reject.TooManyHeaderFields
		return
	}
	// SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2) counts "the
	// uncompressed size of field name and value in octets plus an overhead
	// of 32 octets for each field".
	if st.listSize > c.cfg.MaxHeaderListSize || st.listSize < size {
		st.tooLarge = reject.HeaderListTooLarge
		return
	}
	if st.malformed != "" {
		return
	}
	if !validValue(value) {
		st.malformed = reject.InvalidHeaderValue
		return
	}
	var bit uint8
	if len(name) > 0 && name[0] == ':' {
		// RFC 9113 §8.1: "Trailers MUST NOT include pseudo-header fields".
		if c.hb.trailers {
			st.malformed = reject.PseudoHeaderInTrailers
			return
		}
		// RFC 9113 §8.3: "All pseudo-header fields MUST appear in a field
		// block before all regular field lines. Any request or response
		// that contains a pseudo-header field that appears in a field block
		// after a regular field line MUST be treated as malformed".
		if st.sawRegular {
			st.malformed = reject.PseudoHeaderAfterRegular
			return
		}
		// "Endpoints MUST treat a request or response that contains
		// undefined or invalid pseudo-header fields as malformed". :protocol
		// is defined only with SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441).
		bit = pseudoBit(name)
		if bit == 0 || bit == pProtocol && !c.cfg.EnableConnectProtocol {
			st.malformed = reject.UnknownPseudoHeader
			return
		}
		// "The same pseudo-header field name MUST NOT appear more than once
		// in a field block."
		if st.pseudo&bit != 0 {
			st.malformed = reject.DuplicatePseudoHeader
			return
		}
		st.pseudo |= bit
	} else {
		st.sawRegular = true
		if !validName(name) {
			st.malformed = reject.InvalidHeaderName
			return
		}
		switch name {
		case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
			// RFC 9113 §8.2.2: "An endpoint MUST NOT generate an HTTP/2
			// message containing connection-specific header fields. ... Any
			// message containing connection-specific header fields MUST be
			// treated as malformed".
			st.malformed = reject.ConnectionSpecificHeader
			return
		case "te":
			// "The only exception to this is the TE header field, which MAY
			// be present in an HTTP/2 request; when it is, it MUST NOT
			// contain any value other than "trailers"."
			if value != "trailers" {
				st.malformed = reject.TENotTrailers
				return
			}
		case "priority":
			// RFC 9218 §5: the priority header field signals the
			// request's initial priority.
			if !c.hb.trailers {
				st.urgency, st.incremental = parsePriority(unsafeBytes(value), st.urgency, st.incremental)
			}
		case "cookie":
			st.cookies++
		case "content-length":
			if !c.hb.trailers {
				v, ok := parseContentLength(value)
				if !ok || st.contentLength >= 0 && st.contentLength != v {
					st.malformed = reject.InvalidContentLength
					return
				}
				st.contentLength = v
			}
		}
	}
	// A pseudo-header's name is not kept: its bit says which it is.
	off := uint32(len(st.arena))
	if bit == 0 {
		st.arena = append(st.arena, name...)
	} else {
		name = ""
	}
	st.arena = append(st.arena, value...)
	// Filled in place: a fieldRef literal is built on the stack and copied
	// with wide loads that stall on the narrow stores just made.
	st.refs = append(st.refs, fieldRef{})
	r := &st.refs[len(st.refs)-1]
	r.nameOff, r.nameLen = off, uint32(len(name))
	r.valOff, r.valLen = off+uint32(len(name)), uint32(len(value))
	r.sensitive = sensitive
	r.pseudo = bit
}

// buildRequest turns the refs of a request block into the stream's
// pseudo-headers and fields, joining cookie crumbs, and checks the required
// pseudo-headers. It returns a reject name for a malformed request.
func (st *Stream) buildRequest() reject.Name {
	// RFC 9113 §8.2.3: "If there are multiple Cookie header fields after
	// decompression, these MUST be concatenated into a single octet string
	// using the two-octet delimiter of 0x3b, 0x20 (the ASCII string "; ")
	// before being passed into a non-HTTP/2 context".
	cookies, first := st.cookies, -1
	if cookies > 1 {
		for i, r := range st.refs {
			if r.nameLen == 6 && string(st.arena[r.nameOff:r.nameOff+6]) == "cookie" {
				first = i
				break
			}
		}
		start := uint32(len(st.arena))
		n := 0
		for _, r := range st.refs {
			if r.nameLen == 6 && string(st.arena[r.nameOff:r.nameOff+6]) == "cookie" {
				if n > 0 {
					st.arena = append(st.arena, "; "...)
				}
				st.arena = append(st.arena, st.arena[r.valOff:r.valOff+r.valLen]...)
				n++
			}
		}
		st.refs[first].valOff = start
		st.refs[first].valLen = uint32(len(st.arena)) - start
	}
	st.fields = st.fields[:0]
	for i, r := range st.refs {
		value := st.str(r.valOff, r.valLen)
		if r.pseudo != 0 {
			switch r.pseudo {
			case pMethod:
				st.method = value
			case pScheme:
				st.scheme = value
			case pAuthority:
				st.authority = value
			case pPath:
				st.path = value
			case pProtocol:
				st.protocol = value
			}
			continue
		}
		name := st.str(r.nameOff, r.nameLen)
		if cookies > 1 && i != first && name == "cookie" {
			continue
		}
		if name == "host" {
			st.host = value
		}
		st.fields = append(st.fields, hpack.HeaderField{Name: name, Value: value, Sensitive: r.sensitive})
	}
	// RFC 9113 §8.3.1: "All HTTP/2 requests MUST include exactly one valid
	// value for the ":method", ":scheme", and ":path" pseudo-header fields,
	// unless they are CONNECT requests (Section 8.5)."
	if st.pseudo&pMethod == 0 {
		return reject.MissingPseudoHeader
	}
	if st.method == "CONNECT" && st.pseudo&pProtocol == 0 {
		// RFC 9113 §8.5: "The ":scheme" and ":path" pseudo-header fields
		// MUST be omitted. The ":authority" pseudo-header field contains
		// the host and port to connect to".
		if st.pseudo&(pScheme|pPath) != 0 {
			return reject.ForbiddenPseudoHeader
		}
		if st.pseudo&pAuthority == 0 {
			return reject.MissingPseudoHeader
		}
		return ""
	}
	if st.pseudo&pProtocol != 0 && st.method != "CONNECT" {
		return reject.ForbiddenPseudoHeader
	}
	if st.pseudo&(pScheme|pPath) != pScheme|pPath {
		return reject.MissingPseudoHeader
	}
	// "This pseudo-header field MUST NOT be empty for "http" or "https"
	// URIs"; it holds the absolute-path and query parts of the target URI,
	// or "*" for a server-wide OPTIONS request (RFC 9113 §8.3.1, RFC 9110
	// §7.1).
	if st.path == "" {
		return reject.EmptyPath
	}
	if (st.scheme == "https" || st.scheme == "http") && st.path[0] != '/' && !(st.path == "*" && st.method == "OPTIONS") {
		return reject.InvalidPath
	}
	return ""
}

// buildTrailers turns the refs of a trailer block into st.trailers.
func (st *Stream) buildTrailers() {
	st.trailers = st.trailers[:0]
	for _, r := range st.refs {
		st.trailers = append(st.trailers, hpack.HeaderField{
			Name: st.str(r.nameOff, r.nameLen), Value: st.str(r.valOff, r.valLen), Sensitive: r.sensitive,
		})
	}
}

// finishBlock acts on a complete header block.
func (c *Engine) finishBlock() error {
	hb := c.hb
	c.hb = headerBlock{}
	if hb.reset {
		if hb.resetCode == ErrCodeRefusedStream {
			c.reject(hb.reject)
			return c.resetStream(hb.streamID, nil, hb.resetCode)
		}
		return c.streamError(hb.streamID, hb.resetCode, hb.reject)
	}
	st := hb.st
	if st == nil {
		return nil
	}
	if st.tooLarge != "" {
		c.reject(st.tooLarge)
		if st.headersSent {
			return c.resetStream(st.ID, st, ErrCodeCancel)
		}
		return c.send431(st, hb.endStream)
	}
	if st.malformed != "" {
		return c.streamError(st.ID, ErrCodeProtocol, st.malformed)
	}
	if hb.trailers {
		st.endSeen = true // trailers always end the request (checked above)
		st.buildTrailers()
		// RFC 9113 §8.1.1: content-length must equal the DATA received.
		if st.contentLength >= 0 && st.recvBytes != st.contentLength {
			return c.streamError(st.ID, ErrCodeProtocol, reject.ContentLengthMismatch)
		}
		c.h.OnTrailers(st)
		if st.state != StateClosed {
			return c.recvEndStream(st)
		}
		return nil
	}
	if name := st.buildRequest(); name != "" {
		return c.streamError(st.ID, ErrCodeProtocol, name)
	}
	if hb.endStream && st.contentLength > 0 {
		return c.streamError(st.ID, ErrCodeProtocol, reject.ContentLengthMismatch)
	}
	c.applyEarlyPriority(st)
	st.notified = true
	st.endSeen = hb.endStream
	c.h.OnHeaders(st)
	if hb.endStream && st.state != StateClosed {
		return c.recvEndStream(st)
	}
	return nil
}

// send431 answers a request whose header list is over budget with a 431
// response (RFC 6585 §5) and, if the request is still coming, RST_STREAM
// NO_ERROR (RFC 9113 §8.1: the server "MAY request that the client abort
// transmission of a request without error by sending a RST_STREAM with an
// error code of NO_ERROR after sending a complete response").
func (c *Engine) send431(st *Stream, requestEnded bool) error {
	if err := c.writeHeaders(st.ID, 431, nil, true); err != nil {
		return err
	}
	if requestEnded {
		c.closeStream(st, ErrCodeNo, rsClosedEnded)
		return nil
	}
	return c.resetStream(st.ID, st, ErrCodeNo)
}
