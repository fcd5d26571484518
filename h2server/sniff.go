package h2server

import (
	"bytes"
	"strings"

	"github.com/h2kit/h2kit/internal/frame"
)

// proto is what a cleartext connection turned out to speak.
type proto uint8

const (
	protoUnknown proto = iota // not enough bytes yet
	protoIsH2                 // the HTTP/2 connection preface (prior knowledge, RFC 9113 §3.3)
	protoIsHTTP1              // an HTTP/1.x request line: given to the HTTP/1.1 fallback
	protoInvalid              // neither: the connection is closed
)

// maxRequestLine bounds how much of a cleartext connection is read while looking
// for the end of an HTTP/1.x request line.
const maxRequestLine = 8 << 10

// sniff classifies the first bytes of a cleartext connection. RFC 9113 §3.3: a
// client with prior knowledge "MUST send the connection preface" first, so the
// preface bytes identify h2c. An opening that is an HTTP/1.x request line
// ("method SP request-target SP HTTP/1.d", RFC 9112 §3) goes to the HTTP/1.1
// fallback. Anything else is an invalid connection preface, which RFC 9113 §3.4
// says to treat as a connection error: the connection is closed.
func sniff(b []byte) proto {
	const p = frame.ClientPreface
	n := min(len(b), len(p))
	if string(b[:n]) == p[:n] {
		if n == len(p) {
			return protoIsH2
		}
		return protoUnknown
	}
	eol := bytes.IndexByte(b, '\n')
	if eol < 0 {
		if len(b) >= maxRequestLine {
			return protoInvalid
		}
		// Reject early what can never become a request line.
		if i := bytes.IndexByte(b, ' '); i == 0 || (i < 0 && !isToken(b)) || (i > 0 && !isToken(b[:i])) {
			return protoInvalid
		}
		return protoUnknown
	}
	if isRequestLine(bytes.TrimSuffix(b[:eol], []byte("\r"))) {
		return protoIsHTTP1
	}
	return protoInvalid
}

// isRequestLine reports whether line has the shape of an HTTP/1.x request line:
// a token method, a request target without spaces, and HTTP/1.0 or HTTP/1.1.
func isRequestLine(line []byte) bool {
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1+1 {
		return false
	}
	version := line[sp2+1:]
	if len(version) != 8 || string(version[:7]) != "HTTP/1." || version[7] < '0' || version[7] > '9' {
		return false
	}
	return isToken(line[:sp1])
}

// isToken reports whether b is a non-empty RFC 9110 §5.6.2 token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
