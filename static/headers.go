package static

import (
	"math"
	"net/http"
	"strings"
	"time"
)

// rangeKind is what a Range header asks of a representation.
type rangeKind uint8

const (
	rangeNone          rangeKind = iota // absent, malformed or multiple: send it all
	rangeOne                            // one satisfiable range: 206
	rangeUnsatisfiable                  // 416
)

// parseRange interprets a Range header value against a representation of
// size bytes. It grants a single byte range only. nginx and Go's
// http.ServeContent answer several ranges with a multipart/byteranges body
// (Go sends the whole representation instead when the ranges add up to more
// than it); this server sends the whole representation with 200 for any
// request of several ranges, which RFC 9110 §14.2 allows ("A server MAY
// ignore the Range header field") and which costs a client that asked for
// several parts (rare outside PDF readers) one full download. A malformed
// value or another unit is ignored the same way (§14.2: "A server MUST ignore
// a Range header field received with ... an unknown range unit").
func parseRange(h string, size int64) (start, length int64, kind rangeKind) {
	const unit = "bytes="
	if len(h) < len(unit) || !strings.EqualFold(h[:len(unit)], unit) {
		return 0, 0, rangeNone
	}
	spec := ""
	for s := range strings.SplitSeq(h[len(unit):], ",") {
		s = strings.Trim(s, " \t")
		if s == "" {
			continue // RFC 9110 §5.6.1: empty list elements are ignored
		}
		if spec != "" {
			return 0, 0, rangeNone // several ranges: send the whole
		}
		spec = s
	}
	dash := strings.IndexByte(spec, '-')
	if dash < 0 {
		return 0, 0, rangeNone
	}
	first, last := spec[:dash], spec[dash+1:]
	if first == "" {
		// suffix-range: the last n bytes. RFC 9110 §14.1.3: a suffix range
		// is satisfiable when its length is non-zero (and the
		// representation is not empty).
		n, ok := parseUint(last)
		if !ok {
			return 0, 0, rangeNone
		}
		if n == 0 || size == 0 {
			return 0, 0, rangeUnsatisfiable
		}
		n = min(n, size)
		return size - n, n, rangeOne
	}
	a, ok := parseUint(first)
	if !ok {
		return 0, 0, rangeNone
	}
	end := int64(math.MaxInt64)
	if last != "" {
		b, ok := parseUint(last)
		if !ok || b < a {
			// RFC 9110 §14.1.1: a last-pos less than first-pos makes the
			// range-spec invalid.
			return 0, 0, rangeNone
		}
		end = b
	}
	// RFC 9110 §14.1.1: an int-range is satisfiable when its first-pos is
	// less than the current length of the representation.
	if a >= size {
		return 0, 0, rangeUnsatisfiable
	}
	end = min(end, size-1)
	return a, end - a + 1, rangeOne
}

// parseUint parses decimal digits, saturating at math.MaxInt64 so that a huge
// position still compares as huge.
func parseUint(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxInt64-9)/10 {
			n = math.MaxInt64
			continue
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// listElems calls f with each non-empty element of a comma-separated header
// list and its weight (the q parameter, 0..1000; 1000 when absent), until f
// returns false. Elements with a malformed weight are skipped.
func listElems(h string, f func(token string, q int) bool) {
	for h != "" {
		var elem string
		if i := strings.IndexByte(h, ','); i >= 0 {
			elem, h = h[:i], h[i+1:]
		} else {
			elem, h = h, ""
		}
		token, params, _ := strings.Cut(elem, ";")
		token = strings.Trim(token, " \t")
		if token == "" {
			continue
		}
		q := 1000
		ok := true
		for p := range strings.SplitSeq(params, ";") {
			p = strings.Trim(p, " \t")
			if len(p) >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=' {
				q, ok = parseQ(p[2:])
			}
		}
		if ok && !f(token, q) {
			return
		}
	}
}

// parseQ parses a weight (RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] )
// / ( "1" [ "." 0*3("0") ] )) into thousandths.
func parseQ(s string) (int, bool) {
	if s == "" || len(s) > 5 || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	q := int(s[0]-'0') * 1000
	if len(s) > 1 {
		if s[1] != '.' {
			return 0, false
		}
		mul := 100
		for i := 2; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
			q += int(s[i]-'0') * mul
			mul /= 10
		}
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}

// encodingWeights returns the weights accept-encoding gives br and gzip
// (0..1000; 0 refuses). RFC 9110 §12.5.3: a coding not listed takes the
// weight of "*" when present, else it is not acceptable; "x-gzip" is an
// alias of gzip (§8.4.1.3). Codings are case-insensitive.
func encodingWeights(h string) (br, gzip int) {
	br, gzip = -1, -1
	star := 0
	listElems(h, func(t string, q int) bool {
		switch {
		case strings.EqualFold(t, "br"):
			br = q
		case strings.EqualFold(t, "gzip"), strings.EqualFold(t, "x-gzip"):
			gzip = max(gzip, q)
		case t == "*":
			star = q
		}
		return true
	})
	if br < 0 {
		br = star
	}
	if gzip < 0 {
		gzip = star
	}
	return br, gzip
}

// prefersPlain reports whether an Accept header weighs text/plain above
// text/html, the choice between a plain-text and an HTML directory listing.
// Each type takes the weight of its most specific matching range (RFC 9110
// §12.5.1); ties go to HTML.
func prefersPlain(accept string) bool {
	if accept == "" {
		return false
	}
	plain, html := weightOf(accept, "text/plain"), weightOf(accept, "text/html")
	return plain > html
}

// weightOf returns the weight accept gives to the media type mt (type/subtype).
func weightOf(accept, mt string) int {
	q, spec := 0, 0
	slash := strings.IndexByte(mt, '/')
	listElems(accept, func(t string, w int) bool {
		s := 0
		switch {
		case strings.EqualFold(t, mt):
			s = 3
		case len(t) == slash+2 && strings.EqualFold(t[:slash+1], mt[:slash+1]) && t[slash+1] == '*':
			s = 2
		case t == "*/*":
			s = 1
		}
		if s > spec {
			q, spec = w, s
		}
		return true
	})
	return q
}

// matchETag reports whether the entity-tag list h (If-None-Match) matches
// etag by weak comparison (RFC 9110 §8.8.3.2: weakness indicators ignored),
// "*" matching any current representation (§13.1.2).
func matchETag(h, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for {
		h = strings.TrimLeft(h, " \t,")
		if h == "" {
			return false
		}
		if h[0] == '*' {
			return true
		}
		h = strings.TrimPrefix(h, "W/")
		if h == "" || h[0] != '"' {
			return false // malformed: nothing matches
		}
		end := strings.IndexByte(h[1:], '"')
		if end < 0 {
			return false
		}
		if h[:end+2] == etag {
			return true
		}
		h = h[end+2:]
	}
}

// ifRangeHolds reports whether an If-Range value still describes the
// representation, so that its Range applies. RFC 9110 §13.1.5: an entity-tag
// is compared strongly (a weak tag never matches), an HTTP-date must equal
// Last-Modified exactly.
func ifRangeHolds(v, etag string, modSec time.Time) bool {
	if v == "" {
		return true
	}
	if v[0] == '"' {
		return v == etag
	}
	if strings.HasPrefix(v, "W/") {
		return false
	}
	t, err := http.ParseTime(v)
	return err == nil && t.Equal(modSec)
}

// notModifiedSince reports whether If-Modified-Since v holds (the
// representation has not changed since): RFC 9110 §13.1.3, compared at the
// one-second granularity of HTTP dates.
func notModifiedSince(v string, modSec time.Time) bool {
	t, err := http.ParseTime(v)
	return err == nil && !modSec.After(t)
}
