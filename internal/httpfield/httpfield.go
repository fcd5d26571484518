// Package httpfield is h2kit's one policy for HTTP/2 field names and values:
// what a request may carry (the engine's header decoder) and what a response
// may carry (handler.Stream.SendResponse, the net/http adapter and the
// engine's commands all ask it, so they cannot disagree).
package httpfield

import "github.com/h2kit/h2kit/hpack"

// nameByte marks the bytes a field name may contain: RFC 9113 §8.2.1 "A
// field name MUST NOT contain characters in the ranges 0x00-0x20, 0x41-0x5a,
// or 0x7f-0xff (all ranges inclusive)" and "field names MUST NOT include a
// colon" (pseudo-headers aside), narrowed to RFC 9110 §5.1's token ("field-name
// = token") so that nothing outside tchar is sent or accepted.
var nameByte = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = false
	}
	for _, c := range "\"(),/:;<=>?@[\\]{}" {
		t[c] = false
	}
	return t
}()

// ValidName reports whether name is a lowercase token (see nameByte).
func ValidName(name string) bool {
	if len(name) == 0 {
		return false
	}
	if len(name) >= 4 && commonName(name) {
		return true
	}
	return tokenBytes(name)
}

// commonName reports whether name (at least 4 bytes) has only a-z, 0-9 and
// "-", the bytes of nearly every field name, eight at a time; false leaves
// the decision to the table. The last word overlaps the one before when
// len(name) is not a multiple of 8; a name of 4 to 7 bytes is one word made
// of its first and last four bytes.
func commonName(name string) bool {
	n := len(name)
	if n < 8 {
		return commonWord(uint64(word32(name)) | uint64(word32(name[n-4:]))<<32)
	}
	for s := name; len(s) > 8; s = s[8:] {
		if !commonWord(word64(s)) {
			return false
		}
	}
	return commonWord(word64(name[n-8:]))
}

// word64 returns the first eight bytes of s (at least eight long), little
// endian: one load on amd64 and arm64, with no bounds check after the first.
func word64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// word32 is word64 for the first four bytes.
func word32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// commonWord reports whether every byte of x is in a-z, 0-9 or "-". For
// bytes below 0x80, adding a constant below 0x80 cannot carry into the next
// byte, so each byte's high bit says whether it reached a bound.
func commonWord(x uint64) bool {
	if x&highs != 0 {
		return false
	}
	// x + (0x80-lo)*ones has a byte's high bit set when the byte is >= lo,
	// x + (0x7f-hi)*ones when it is > hi.
	az := (x + (0x80-'a')*ones) &^ (x + (0x7f-'z')*ones)
	digit := (x + (0x80-'0')*ones) &^ (x + (0x7f-'9')*ones)
	dash := ^((x ^ '-'*ones) + 0x7f*ones) // high bit: byte == '-'
	return (az|digit|dash)&highs == highs
}

// tokenBytes is ValidName's rule, one byte at a time.
func tokenBytes(name string) bool {
	for i := 0; i < len(name); i++ {
		if !nameByte[name[i]] {
			return false
		}
	}
	return true
}

// ValidValue reports whether a received field value is acceptable: RFC 9113
// §8.2.1 "A field value MUST NOT contain the zero value (ASCII NUL, 0x00),
// line feed (ASCII LF, 0x0a), or carriage return (ASCII CR, 0x0d) at any
// position. A field value MUST NOT start or end with an ASCII whitespace
// character (ASCII SP or HTAB, 0x20 or 0x09)." Other control characters are
// kept, as RFC 9110 §5.5 allows recipients to ("recipients MAY retain such
// characters for the sake of robustness").
func ValidValue(value string) bool {
	return valueProblem(value, false) == ""
}

// valueProblem returns why v may not be received (or, with send, sent): a
// sender follows RFC 9110 §5.5's grammar, "field-content = field-vchar [ 1*(
// SP / HTAB / field-vchar ) field-vchar ]", which leaves out every control
// character but HTAB.
func valueProblem(v string, send bool) string {
	n := len(v)
	if n == 0 {
		return ""
	}
	if first, last := v[0], v[n-1]; first == ' ' || first == '\t' || last == ' ' || last == '\t' {
		return ReasonValueSpace
	}
	// Eight bytes at a time: a word with no byte below 0x20 and no 0x7f
	// holds nothing either rule refuses (obs-text, 0x80-0xff, is allowed).
	// Such words are nearly all of every value, so the byte loop runs only
	// on a value with a control character (an HTAB, say). The last word
	// overlaps the one before when n is not a multiple of 8; a value of 4 to
	// 7 bytes is one word made of its first and last four bytes.
	switch {
	case n < 4:
		return bytesProblem(v, send)
	case n < 8:
		if hasCTL(uint64(word32(v)) | uint64(word32(v[n-4:]))<<32) {
			return bytesProblem(v, send)
		}
		return ""
	}
	for s := v; len(s) > 8; s = s[8:] {
		if hasCTL(word64(s)) {
			return bytesProblem(v, send)
		}
	}
	if hasCTL(word64(v[n-8:])) {
		return bytesProblem(v, send)
	}
	return ""
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasCTL reports whether a byte of x is below 0x20 or is 0x7f (the
// "has less than" and "has zero byte" word tests: exact about whether such
// a byte exists, not about which one).
func hasCTL(x uint64) bool {
	y := x ^ (0x7f * ones)
	return ((x-0x20*ones)&^x|(y-ones)&^y)&highs != 0
}

// bytesProblem is valueProblem's rule for the bytes of v, one at a time.
func bytesProblem(v string, send bool) string {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == 0 || c == '\n' || c == '\r' {
			return ReasonValueNUL
		}
		if send && (c < 0x20 && c != '\t' || c == 0x7f) {
			return ReasonValueCTL
		}
	}
	return ""
}

// Reasons a response field is refused, as CheckResponse returns them.
const (
	ReasonEmptyName  = "empty name"
	ReasonPseudo     = "pseudo-header field (the library sends :status)"
	ReasonNameByte   = "name is not a lowercase token (RFC 9113 §8.2.1, RFC 9110 §5.1)"
	ReasonConnection = "connection-specific field (RFC 9113 §8.2.2)"
	ReasonTE         = `te other than "trailers" (RFC 9113 §8.2.2)`
	ReasonValueNUL   = "value contains NUL, CR or LF (RFC 9113 §8.2.1)"
	ReasonValueCTL   = "value contains a control character (RFC 9110 §5.5)"
	ReasonValueSpace = "value starts or ends with whitespace (RFC 9113 §8.2.1)"
)

// CheckResponse returns why the field name: value may not be sent in an
// HTTP/2 response (header or trailer section), or "" when it may.
func CheckResponse(name, value string) string {
	if name == "" {
		return ReasonEmptyName
	}
	if name[0] == ':' {
		return ReasonPseudo
	}
	if !ValidName(name) {
		return ReasonNameByte
	}
	// RFC 9113 §8.2.2: "An endpoint MUST NOT generate an HTTP/2 message
	// containing connection-specific header fields." and "The only
	// exception to this is the TE header field, which MAY be present in an
	// HTTP/2 request; when it is, it MUST NOT contain any value other than
	// "trailers"."
	switch name {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
		return ReasonConnection
	case "te":
		if value != "trailers" {
			return ReasonTE
		}
	}
	return valueProblem(value, true)
}

// FirstInvalid returns the index of the first field of fields that
// CheckResponse refuses and the reason, or -1 and "".
func FirstInvalid(fields []hpack.HeaderField) (int, string) {
	for i := range fields {
		if r := CheckResponse(fields[i].Name, fields[i].Value); r != "" {
			return i, r
		}
	}
	return -1, ""
}
