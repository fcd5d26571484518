package rgi

import "bytes"

// Methods is the request methods the subset allows (Degu's tutorial,
// "HTTP request method").
const (
	MethodGet    = "GET"
	MethodHead   = "HEAD"
	MethodPut    = "PUT"
	MethodPost   = "POST"
	MethodDelete = "DELETE"
)

const proto11 = "HTTP/1.1"

// requestHead is what the server needs from a request preamble beyond the
// Request handed to the app.
type requestHead struct {
	framing
	expectContinue bool // "expect: 100-continue"
	close          bool // "connection: close"
	upgrade        bool // an upgrade header is present
}

// parseRequest parses a request preamble (from readPreamble) into req, whose
// Headers map the caller has cleared and whose Script/Path the caller may
// have given backing storage (comps is reused). Strings come from in.
//
// Checks, in order: the request line's shape and version (505 for another
// HTTP version), the method (a token, see requestMethod), the target (400),
// the headers (see parseHeaders), and that the method may carry a body
// (BodyAllowed).
func parseRequest(pre []byte, in *interner, req *Request, comps []string) (requestHead, error) {
	var rh requestHead
	eol := bytes.Index(pre, crlf)
	if eol < 0 {
		return rh, ErrBadRequestLine
	}
	line := pre[:eol]
	// RFC 9112 §3: request-line = method SP request-target SP HTTP-version.
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		return rh, ErrBadRequestLine
	}
	sp2 := bytes.IndexByte(line[sp1+1:], ' ')
	if sp2 < 0 {
		return rh, ErrBadRequestLine
	}
	sp2 += sp1 + 1
	method, target, version := line[:sp1], line[sp1+1:sp2], line[sp2+1:]
	if string(version) != proto11 {
		if isHTTPVersion(version) {
			return rh, ErrBadVersion
		}
		return rh, ErrBadRequestLine
	}
	m, err := requestMethod(method, in)
	if err != nil {
		return rh, err
	}
	req.Method = m
	if err := parseTarget(target, in, req, comps); err != nil {
		return rh, err
	}
	fr, seen, err := parseHeaders(pre[eol+2:len(pre)-2], in, req.Headers)
	if err != nil {
		return rh, err
	}
	rh.framing = fr
	rh.upgrade = seen&markUpgrade != 0
	if fr.kind != framingNone && !BodyAllowed(m) {
		return rh, ErrBodyNotAllowed
	}
	if seen&markExpect != 0 && fr.kind != framingNone && equalFold(req.Headers[hExpect], "100-continue") {
		rh.expectContinue = true
	}
	if seen&markConnection != 0 && equalFold(req.Headers[hConnection], "close") {
		rh.close = true
	}
	return rh, nil
}

var crlf = []byte("\r\n")

// BodyAllowed reports whether a request with method may carry a body, by the
// rule the HTTP/1.1 server applies (and a server running an App over HTTP/2
// should): Degu's tutorial ("HTTP request body") allows a body, even
// "content-length: 0", with none of GET, HEAD and DELETE, whose content RFC
// 9110 §9.3 gives no defined semantics; PUT, POST and every other method
// (PATCH, OPTIONS, ..., which Degu never passes on) may carry one, as
// clients send it (Go's sends "content-length: 0" with an empty PATCH).
func BodyAllowed(method string) bool {
	return method != MethodGet && method != MethodHead && method != MethodDelete
}

// requestMethod is the server's method rule, for HTTP/1.1 and (through
// NewRequest) for an App served over HTTP/2: any RFC 9110 §9.1 method token
// reaches the app, which alone knows what its resources support. RFC 9110
// §15.5.6 requires a 405 to list the methods the *target resource* allows,
// and §9.1 gives the 501 for an unimplemented method to the origin server:
// an engine answering in the app's place (Degu closes the connection) would
// contradict an app that handles OPTIONS, or answer the same request
// differently from HTTP/2, where the handler sees every method. Only
// malformed methods (not a token) are refused here, as a bad request line.
func requestMethod[T string | []byte](b T, in *interner) (string, error) {
	if m, err := parseMethod(b); err == nil {
		return m, nil
	}
	if len(b) == 0 {
		return "", ErrBadRequestLine
	}
	for i := 0; i < len(b); i++ {
		if !isTchar(b[i]) {
			return "", ErrBadRequestLine
		}
	}
	return in.str([]byte(b)), nil
}

// parseMethod is the client's method rule: Degu's five methods; 405 for
// another standard method, 501 for an unknown one.
func parseMethod[T string | []byte](b T) (string, error) {
	switch string(b) {
	case MethodGet:
		return MethodGet, nil
	case MethodHead:
		return MethodHead, nil
	case MethodPost:
		return MethodPost, nil
	case MethodPut:
		return MethodPut, nil
	case MethodDelete:
		return MethodDelete, nil
	case "OPTIONS", "TRACE", "CONNECT", "PATCH":
		// RFC 9110 §15.5.6: 405 for a method known to the origin server but
		// not supported by the target resource.
		return "", ErrMethodNotAllowed
	}
	for i := 0; i < len(b); i++ {
		if !isTchar(b[i]) {
			return "", ErrBadRequestLine
		}
	}
	// RFC 9110 §9.1: 501 for an unrecognized method (methods are case-sensitive,
	// so "get" lands here too).
	return "", ErrUnknownMethod
}

// isTchar reports an RFC 9110 §5.6.2 tchar.
func isTchar(c byte) bool {
	return class[c]&cName != 0 || contains("!#$%&'*+.^_`|~", c)
}

// isHTTPVersion reports "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).
func isHTTPVersion(v []byte) bool {
	return len(v) == 8 && string(v[:5]) == "HTTP/" && isDigit(v[5]) && v[6] == '.' && isDigit(v[7])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// equalFold is ASCII case-insensitive string equality.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}
