package rgi

import "bytes"

// parseResponseHead parses a response preamble (from readPreamble): the
// status line "HTTP/1.1 NNN Reason" and the headers, into h (cleared by the
// caller). Only HTTP/1.1 is accepted, the status is three digits from 100
// to 599, the reason is printable ASCII and not empty (Degu's client allows
// only [A-Za-z0-9 -]; we take any printable reason but produce only that
// set). Errors have Status 0: they are the server's fault, not the
// client's.
func parseResponseHead(pre []byte, in *interner, h map[string]string) (status int, reason string, fr framing, err error) {
	eol := bytes.Index(pre, crlf)
	if eol < 0 {
		return 0, "", fr, ErrBadStatusLine
	}
	line := pre[:eol]
	// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
	if len(line) < len(proto11)+5 || string(line[:len(proto11)]) != proto11 || line[8] != ' ' || line[12] != ' ' {
		return 0, "", fr, ErrBadStatusLine
	}
	for _, c := range line[9:12] {
		if !isDigit(c) {
			return 0, "", fr, ErrBadStatus
		}
		status = status*10 + int(c-'0')
	}
	if status < 100 || status > 599 {
		return 0, "", fr, ErrBadStatus
	}
	r := line[13:]
	if len(r) == 0 {
		return 0, "", fr, ErrBadReason
	}
	for _, c := range r {
		if class[c]&cReason == 0 {
			return 0, "", fr, ErrBadReason
		}
	}
	fr, _, err = parseHeaders(pre[eol+2:len(pre)-2], in, h)
	if err != nil {
		return 0, "", framing{}, err
	}
	return status, in.str(r), fr, nil
}
