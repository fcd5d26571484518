package rgi

import (
	"bufio"
	"strconv"
)

// maxOutputHeaders bounds the header lines of an output head, leaving room
// in MaxPreambleSize for a request line with a long URI or a status line,
// the framing and connection headers, and the final CRLF.
const maxOutputHeaders = MaxPreambleSize - 4096

// headWriter writes request and response heads. It keeps a scratch slice
// for sorting headers and a buffer to render a head in, so a warm
// writer allocates nothing. The zero value is ready to use; it is not safe
// for concurrent use.
type headWriter struct {
	fields []hField // the headers of the head being rendered
	buf    []byte   // the head being rendered (see keepHead)
}

// hField is a header field.
type hField struct{ name, value string }

// Output header names: [a-z0-9-]{1,32}, the case-folded form Degu's apps
// and callers must use (Degu's tutorial, "HTTP headers").
func validOutputName(k string) bool {
	if len(k) == 0 || len(k) > maxHeaderName {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if class[c]&cName == 0 || c >= 'A' && c <= 'Z' {
			return false
		}
	}
	return true
}

// validOutputValue forbids CTLs, so a value can never inject a header line
// (RFC 9110 §5.5: CR, LF and NUL are invalid in field values). Degu 0.19 does
// not check this.
//
// Eight bytes are checked at a time: a byte b of x (as uint64) is outside
// 0x20–0x7e when b has its high bit set, when b-0x20 borrows (b < 0x20,
// which sets that byte's high bit) or when b+1 reaches 0x80 (b == 0x7f). A
// borrow or carry crossing into the next byte starts only at a byte that
// is itself outside the range, so the word fails exactly when one of its
// bytes is invalid.
func validOutputValue(v string) bool {
	if len(v) == 0 {
		return false
	}
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := uint64(v[i]) | uint64(v[i+1])<<8 | uint64(v[i+2])<<16 | uint64(v[i+3])<<24 |
			uint64(v[i+4])<<32 | uint64(v[i+5])<<40 | uint64(v[i+6])<<48 | uint64(v[i+7])<<56
		if (x|(x-0x2020202020202020)|(x+0x0101010101010101))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(v); i++ {
		if class[v[i]]&cValue == 0 {
			return false
		}
	}
	return true
}

// checkHeaders validates headers and their agreement with the framing fr.
// With passThrough (a HEAD response, or 304, with no body), the framing
// headers the app set are sent as they are; otherwise a content-length or
// transfer-encoding the app set must say what the body says.
//
// The head must also fit the peer's preamble limit: MaxPreambleSize, less
// a margin for the first line and the headers the writer adds.
func checkHeaders(headers map[string]string, fr framing, passThrough bool) error {
	_, _, err := collectHeaders(nil, false, headers, fr, passThrough)
	return err
}

// collectHeaders is checkHeaders, which it implements, appending the
// headers to fs when collect is set (one pass over the map, so that
// writing the head needs no lookup). seen marks the headers the writer
// looks at (content-length, connection; markDate for date).
func collectHeaders(fs []hField, collect bool, headers map[string]string, fr framing, passThrough bool) (_ []hField, seen marks, err error) {
	size := 0
	var cl, te string
	for k, v := range headers {
		if !validOutputName(k) {
			return fs, 0, ErrBadOutputHeaderName
		}
		if !validOutputValue(v) {
			return fs, 0, ErrBadOutputHeaderValue
		}
		size += len(k) + len(v) + 4
		switch k {
		case hContentLength:
			cl, seen = v, seen|markContentLength
		case hTransferEncoding:
			te, seen = v, seen|markTransferEncoding
		case hConnection:
			seen |= markConnection
		case hDate:
			seen |= markDate
		}
		if collect {
			fs = append(fs, hField{k, v})
		}
	}
	if size > maxOutputHeaders {
		return fs, 0, ErrOutputHeadTooLarge
	}
	if passThrough {
		return fs, seen, nil
	}
	hasCL, hasTE := seen&markContentLength != 0, seen&markTransferEncoding != 0
	switch fr.kind {
	case framingNone:
		if hasTE || hasCL && cl != "0" {
			return fs, 0, ErrFramingMismatch
		}
	case framingLength:
		if hasTE || hasCL && !equalsInt(cl, fr.length) {
			return fs, 0, ErrFramingMismatch
		}
	case framingChunked:
		if hasCL || hasTE && te != "chunked" {
			return fs, 0, ErrFramingMismatch
		}
	}
	return fs, seen, nil
}

func equalsInt(s string, n int64) bool {
	var buf [20]byte
	return s == string(strconv.AppendInt(buf[:0], n, 10))
}

// appendHeaders validates headers as checkHeaders does and appends the
// header lines to dst, sorted by name, adding the framing header for fr
// when headers lack it, a date header with the value date when date is not
// empty and headers lack one, then "connection: close" when closing
// (unless headers has a connection header), then the empty line. dateAt is
// the offset in the result of the date value it added, or -1. On error dst
// is returned unchanged.
func (w *headWriter) appendHeaders(dst []byte, headers map[string]string, fr framing, date string, passThrough, closing bool) (out []byte, dateAt int, err error) {
	fs, seen, err := collectHeaders(w.fields[:0], true, headers, fr, passThrough)
	defer func() {
		clear(fs)
		w.fields = fs[:0]
	}()
	if err != nil {
		return dst, -1, err
	}
	// The headers the writer adds; an empty value (never an app's: see
	// validOutputValue) stands for the generated content-length and date.
	if date != "" && seen&markDate == 0 {
		fs = append(fs, hField{hDate, ""})
	}
	switch fr.kind {
	case framingLength:
		if seen&markContentLength == 0 {
			fs = append(fs, hField{hContentLength, ""})
		}
	case framingChunked:
		if seen&markTransferEncoding == 0 {
			fs = append(fs, hField{hTransferEncoding, "chunked"})
		}
	}
	if closing && seen&markConnection == 0 {
		fs = append(fs, hField{hConnection, "close"})
	}
	// Insertion sort: a head has a handful of headers.
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].name < fs[j-1].name; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
	dateAt = -1
	for _, f := range fs {
		dst = append(dst, f.name...)
		dst = append(dst, ": "...)
		switch {
		case f.value != "":
			dst = append(dst, f.value...)
		case f.name == hContentLength:
			dst = strconv.AppendInt(dst, fr.length, 10)
		default: // hDate
			dateAt = len(dst)
			dst = append(dst, date...)
		}
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "\r\n"...)
	return dst, dateAt, nil
}

// keepHead bounds the scratch buffer a pooled connection keeps for heads:
// a rare large head must not leave its buffer held.
const keepHead = 4096

// flush writes the head rendered in head to bw and keeps the buffer for
// the next one.
func (w *headWriter) flush(bw *bufio.Writer, head []byte) {
	bw.Write(head)
	if cap(head) <= keepHead {
		w.buf = head[:0]
	} else {
		w.buf = nil
	}
}

// writeInt writes n in the given base without allocating.
func writeInt(bw *bufio.Writer, n int64, base int) {
	if bw.Available() < 20 {
		bw.Flush()
	}
	bw.Write(strconv.AppendInt(bw.AvailableBuffer(), n, base))
}

// writeResponseHead writes "HTTP/1.1 status reason\r\n" and the headers,
// with a date header (see appendHeaders) when date is not empty. It
// validates everything before writing a byte, so an error leaves bw
// untouched. passThrough is as for checkHeaders.
func (w *headWriter) writeResponseHead(bw *bufio.Writer, status int, reason string, headers map[string]string, fr framing, date string, passThrough, closing bool) error {
	head, _, err := w.appendResponseHead(w.buf[:0], status, reason, headers, fr, date, passThrough, closing)
	if err != nil {
		return err
	}
	w.flush(bw, head)
	return nil
}

// appendResponseHead is writeResponseHead appending to dst; dateAt is as
// for appendHeaders. On error dst is returned unchanged.
func (w *headWriter) appendResponseHead(dst []byte, status int, reason string, headers map[string]string, fr framing, date string, passThrough, closing bool) (head []byte, dateAt int, err error) {
	if status < 100 || status > 599 {
		return dst, -1, ErrBadOutputStatus
	}
	if !validOutputValue(reason) {
		return dst, -1, ErrBadOutputReason
	}
	start := len(dst)
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, reason...)
	dst = append(dst, "\r\n"...)
	head, dateAt, err = w.appendHeaders(dst, headers, fr, date, passThrough, closing)
	if err != nil {
		return dst[:start], -1, err
	}
	return head, dateAt, nil
}

// writeRequestHead writes "METHOD uri HTTP/1.1\r\n" and the headers, for a
// client. The method must be one of the five; the uri must pass the
// server's target rules.
func (w *headWriter) writeRequestHead(bw *bufio.Writer, method, uri string, headers map[string]string, fr framing) error {
	if _, err := parseMethod(method); err != nil {
		return err
	}
	if _, err := scanTarget(uri); err != nil {
		return err
	}
	if fr.kind != framingNone && !BodyAllowed(method) {
		return ErrBodyNotAllowed
	}
	head := append(w.buf[:0], method...)
	head = append(head, ' ')
	head = append(head, uri...)
	head = append(head, " HTTP/1.1\r\n"...)
	head, _, err := w.appendHeaders(head, headers, fr, "", false, false)
	if err != nil {
		return err
	}
	w.flush(bw, head)
	return nil
}
