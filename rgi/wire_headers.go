package rgi

// framingKind says how a message body is delimited.
type framingKind uint8

const (
	framingNone    framingKind = iota // no body (or, in a response, none announced)
	framingLength                     // content-length
	framingChunked                    // transfer-encoding: chunked
)

// framing is what the framing headers of a message say about its body.
type framing struct {
	kind   framingKind
	length int64 // when kind == framingLength
}

// marks records which of the headers the wire layer looks at a message
// has, so that its callers look up only those present.
type marks uint8

const (
	markContentLength marks = 1 << iota
	markConnection
	markExpect
	markUpgrade
	markTransferEncoding // set by collectHeaders (output) only
	markDate             // set by collectHeaders (output) only
)

// Header names the wire layer itself looks at.
const (
	hContentLength    = "content-length"
	hTransferEncoding = "transfer-encoding"
	hConnection       = "connection"
	hDate             = "date"
	hExpect           = "expect"
	hUpgrade          = "upgrade"
)

// parseHeaders parses header lines, each "Name: Value\r\n", into h (which
// the caller has cleared), case-folding the names. block holds the lines
// after the request or status line, without the preamble's final empty line.
//
// The subset (Degu's tutorial, "HTTP headers"): exactly one ": " between
// name and value, no line folding, no duplicate names, never both
// content-length and transfer-encoding, transfer-encoding only "chunked".
// Names are [-0-9A-Za-z]{1,32} as in Degu. Values are printable ASCII and
// SP, not empty and without surrounding spaces: RFC 9110 §5.5 field-vchar
// without obs-text, no HTAB. (Degu's own value set is narrower; it refuses
// characters browsers put in cookies, so we take the RFC's.)
//
// seen says which of the headers the wire layer looks at are present.
func parseHeaders(block []byte, in *interner, h map[string]string) (framing, marks, error) {
	var fr framing
	var seen marks
	var name [maxHeaderName]byte
	chunked := false
	for i := 0; i < len(block); {
		// Name.
		n := 0
		for i < len(block) && class[block[i]]&cName != 0 {
			if n == maxHeaderName {
				return fr, seen, ErrHeaderNameTooLong
			}
			name[n] = lower(block[i])
			n++
			i++
		}
		if n == 0 {
			// RFC 9112 §5.2: obs-fold (a line starting with SP or HTAB) is
			// rejected, like any other line that does not start with a name.
			return fr, seen, ErrBadHeaderLine
		}
		if i+1 >= len(block) || block[i] != ':' || block[i+1] != ' ' {
			if i < len(block) && block[i] != ':' {
				return fr, seen, ErrBadHeaderName
			}
			return fr, seen, ErrBadHeaderLine
		}
		i += 2
		// Value.
		vs := i
		for i < len(block) && class[block[i]]&cValue != 0 {
			i++
		}
		value := block[vs:i]
		if i+1 >= len(block) || block[i] != '\r' || block[i+1] != '\n' {
			if i < len(block) && block[i] != '\r' {
				return fr, seen, ErrBadHeaderValue // a CTL, HTAB, DEL or non-ASCII byte
			}
			return fr, seen, ErrBadHeaderLine
		}
		i += 2
		if len(value) == 0 || value[0] == ' ' || value[len(value)-1] == ' ' {
			return fr, seen, ErrBadHeaderValue
		}
		key := knownName(name[:n])
		if key == "" {
			key = in.str(name[:n])
		}
		switch key {
		case hContentLength:
			l, err := parseContentLength(value)
			if err != nil {
				return fr, seen, err
			}
			fr.length = l
			seen |= markContentLength
		case hTransferEncoding:
			// RFC 9112 §6.1: a server that receives a transfer coding it does
			// not understand SHOULD respond with 501. Degu knows only chunked.
			if string(value) != "chunked" {
				return fr, seen, ErrBadTransferEncoding
			}
			chunked = true
		case hConnection:
			seen |= markConnection
		case hExpect:
			seen |= markExpect
		case hUpgrade:
			seen |= markUpgrade
		}
		before := len(h)
		h[key] = in.str(value)
		if len(h) == before { // the name was there already
			return fr, seen, ErrDuplicateHeader
		}
	}
	hasLength := seen&markContentLength != 0
	switch {
	case hasLength && chunked:
		// RFC 9112 §6.3: such a message "ought to be handled as an error";
		// Degu rejects it outright (request smuggling).
		return fr, seen, ErrLengthAndChunked
	case hasLength:
		fr.kind = framingLength
	case chunked:
		fr.kind = framingChunked
	}
	return fr, seen, nil
}

// parseContentLength accepts 1 to 16 decimal digits with no leading zero
// (except "0" itself), as Degu does. More digits are 413, anything else 400.
func parseContentLength(v []byte) (int64, error) {
	if len(v) == 0 || len(v) > 1 && v[0] == '0' {
		return 0, ErrBadContentLength
	}
	var n int64
	for i, c := range v {
		if c < '0' || c > '9' {
			return 0, ErrBadContentLength
		}
		if i == maxContentLengthDigits {
			return 0, ErrContentLengthTooBig
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// knownName returns the constant string for a common (lowercased) header
// name, "" for others; the compiler turns the switch into a few length and
// word comparisons, cheaper than an interner lookup.
func knownName(b []byte) string {
	switch string(b) {
	case "host":
		return "host"
	case "user-agent":
		return "user-agent"
	case "accept":
		return "accept"
	case "accept-encoding":
		return "accept-encoding"
	case "accept-language":
		return "accept-language"
	case "authorization":
		return "authorization"
	case "cache-control":
		return "cache-control"
	case hConnection:
		return hConnection
	case hContentLength:
		return hContentLength
	case "content-type":
		return "content-type"
	case "cookie":
		return "cookie"
	case hExpect:
		return hExpect
	case "origin":
		return "origin"
	case "range":
		return "range"
	case "referer":
		return "referer"
	case hTransferEncoding:
		return hTransferEncoding
	case "upgrade":
		return "upgrade"
	case "http2-settings":
		return "http2-settings"
	case "if-none-match":
		return "if-none-match"
	case "if-modified-since":
		return "if-modified-since"
	}
	return ""
}
