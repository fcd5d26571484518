package rgi

// The wire layer: Degu's strict HTTP/1.1 subset, shared by the server and the
// client of this package.
//
// Reading (all on a *bufio.Reader of at least MaxPreambleSize bytes; get one
// from newWireReader):
//
//	readPreamble(br) (pre []byte, err)                    next "...\r\n\r\n", ≤ 32 KiB, zero-copy (valid until
//	                                                      br is read again; br.Discard(len(pre)) after parsing)
//	parseRequest(pre, in, req, comps) (requestHead, err)  request line + headers (server)
//	parseResponseHead(pre, in, h) (status, reason, framing, err)  status line + headers (client)
//	parseHeaders(block, in, h) (framing, marks, err)      header lines into h (lowercase names)
//	(*Body).reset(br, n, nil), (*ChunkedBody).reset(br, in, nil)  the body that follows
//
// in is an *interner (newInterner(); one per connection, not safe for
// concurrent use; nil allocates every string); it turns repeated bytes into
// the same string without allocating.
//
// Writing (on a *bufio.Writer; nothing is flushed; a headWriter per
// connection keeps its sorting scratch):
//
//	(*headWriter).writeResponseHead(bw, status, reason, headers, fr, passThrough, closing) error
//	(*headWriter).writeRequestHead(bw, method, uri, headers, fr) error
//	(*headMemo).writeResponseHead(hw, bw, ...) error  the server's: repeats the last head when it can
//	framingOf(body any) (framing, error)   content-length or chunked for an output body
//	writeBody(bw, body) error              the body bytes in the framing framingOf chose
//
// Heads are validated completely before a byte is written, so an error
// leaves bw untouched. Headers are written sorted by name, as Degu does;
// names must already be lowercase and are validated, values may not contain
// CTLs (no header injection). The only headers these writers add are the
// framing one and, for a closing response, "connection: close".

// Limits from Degu's source (degu/_base.h).
const (
	// MaxPreambleSize bounds a request or response preamble, the final
	// "\r\n\r\n" included.
	MaxPreambleSize = 32 * 1024
	// MaxContentLength is the largest content-length: 16 decimal digits.
	MaxContentLength = 9999999999999999
	// MaxChunkLineSize bounds a chunk-size line, CRLF included.
	MaxChunkLineSize = 4096
	// MaxChunkSize is the largest chunk, 16 MiB.
	MaxChunkSize = 16 * 1024 * 1024
	// MaxReadSize bounds ReadAll on a body, 16 MiB.
	MaxReadSize = 16 * 1024 * 1024
	// maxHeaderName is the longest header name Degu accepts.
	maxHeaderName = 32
	// maxContentLengthDigits is len("9999999999999999").
	maxContentLengthDigits = 16
)

// Character classes, one bit each, looked up by byte.
const (
	cName   = 1 << iota // header name: [-0-9A-Za-z]
	cValue              // header value: printable ASCII and SP (RFC 9110 §5.5 field-vchar minus obs-text)
	cPath               // path component: [-+.:_~0-9A-Za-z] (Degu), plus '%' (see uri.go)
	cQuery              // query: path set plus "%&=/?"
	cExtKey             // chunk extension key: [-0-9A-Za-z]
	cExtVal             // chunk extension value: Degu's EXTVAL
	cReason             // reason phrase we accept from a peer: printable ASCII and SP
)

var class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		alnum := b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
		if alnum || b == '-' {
			t[c] |= cName | cExtKey
		}
		if b >= 0x20 && b <= 0x7e {
			t[c] |= cValue | cReason
		}
		if alnum || contains("-+.:_~", b) {
			t[c] |= cPath | cQuery | cExtVal
		}
		if contains("%&=/?", b) {
			t[c] |= cQuery
		}
		if contains("\"'()*,;<>[]", b) {
			t[c] |= cExtVal
		}
	}
	return t
}()

func contains(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

// lower is the ASCII lowercase of a byte.
func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}
