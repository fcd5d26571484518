package rgi

import "strconv"

// This file exports, for servers that run an App over another protocol (the
// HTTP/2 adapter, rgi/rgih2), the checks and answers the HTTP/1.1 server
// applies, so that one app gets the same treatment on both.

// CheckHeader reports whether a request header, its name already lowercase,
// is one the HTTP/1.1 server accepts: a name of [-0-9a-z], 1 to 32 bytes
// (ErrBadHeaderName, ErrHeaderNameTooLong) and a value of printable ASCII
// and spaces, not empty and without surrounding spaces (ErrBadHeaderValue).
// Uppercase letters are refused: the caller lowercases names first when its
// protocol does not guarantee it (HTTP/2 does: RFC 9113 §8.2.1).
func CheckHeader(name, value string) error {
	if len(name) == 0 {
		return ErrBadHeaderName
	}
	if len(name) > maxHeaderName {
		return ErrHeaderNameTooLong
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; class[c]&cName == 0 || c >= 'A' && c <= 'Z' {
			return ErrBadHeaderName
		}
	}
	if len(value) == 0 || value[0] == ' ' || value[len(value)-1] == ' ' {
		return ErrBadHeaderValue
	}
	for i := 0; i < len(value); i++ {
		if class[value[i]]&cValue == 0 {
			return ErrBadHeaderValue
		}
	}
	return nil
}

// CheckTarget reports whether the HTTP/1.1 server accepts target as a
// request target, with the rule it applies (and NewRequest, used over
// HTTP/2): origin-form only, no empty path component before the last ("//"),
// no ".." component, path components of [-+.:_~0-9A-Za-z] and %HH escapes
// (checked, not decoded), a query of those plus "%&=/?". The errors are
// ErrBadURI and ErrBadPath (400). It does not allocate, so a handler that
// serves the same site as an App can apply the same rule to an HTTP/2
// :path.
//
// Why refuse rather than normalize "/../x" and "//x": RFC 3986 §5.2 removes
// dot-segments when a client resolves a reference, so a ".." still present
// in an absolute path was never resolved (a broken or hostile client), and
// an empty segment is significant in a URI (RFC 3986 §3.3: "//x" is not
// "/x") yet names no component an App's Path can hold. Degu refuses both.
func CheckTarget(target string) error {
	_, err := scanTarget(target)
	return err
}

// CheckResponse reports whether the HTTP/1.1 server would send resp, the
// app's answer to a request (isHead for HEAD), or replace it by a 500: the
// status, the reason, the header names and values, the body type and the
// agreement of a content-length or transfer-encoding the app set with the
// body (see Response). The errors are ErrBadOutputStatus,
// ErrBadOutputReason, ErrBadOutputHeaderName, ErrBadOutputHeaderValue,
// ErrOutputHeadTooLarge, ErrBadOutputBody and ErrFramingMismatch.
//
// On success length is the body's content length (nil: -1; []byte, string,
// *Body, *BodyIter: their length) and chunked is true for *ChunkedBody and
// *ChunkedBodyIter, which the HTTP/1.1 server sends with
// "transfer-encoding: chunked".
func CheckResponse(resp *Response, isHead bool) (length int64, chunked bool, err error) {
	fr, err := framingOf(resp.Body)
	if err != nil {
		return -1, false, err
	}
	if resp.Status < 100 || resp.Status > 599 {
		return -1, false, ErrBadOutputStatus
	}
	if !validOutputValue(resp.Reason) {
		return -1, false, ErrBadOutputReason
	}
	pass := resp.Body == nil && (isHead || resp.Status == 304)
	if err := checkHeaders(resp.Headers, fr, pass); err != nil {
		return -1, false, err
	}
	switch fr.kind {
	case framingLength:
		return fr.length, false, nil
	case framingChunked:
		return -1, true, nil
	}
	return -1, false, nil
}

// StatusResponse returns the short plain-text answer the HTTP/1.1 server
// gives when it answers in the app's place (a *ProtocolError, an app that
// panicked or returned an invalid response): status and reason, msg and a
// newline as the body, content-type text/plain and, for 405, the allow
// header RFC 9110 §15.5.6 requires. (The HTTP/1.1 server also says
// "connection: close", which only HTTP/1.1 has.)
func StatusResponse(status int, reason, msg string) Response {
	h := map[string]string{
		hContentLength: strconv.Itoa(len(msg) + 1),
		"content-type": "text/plain",
	}
	if status == 405 {
		// RFC 9110 §15.5.6: "The origin server MUST generate an Allow header
		// field in a 405 (Method Not Allowed) response".
		h["allow"] = "DELETE, GET, HEAD, POST, PUT"
	}
	return Response{Status: status, Reason: reason, Headers: h, Body: msg + "\n"}
}
