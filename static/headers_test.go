package static

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		h        string
		size     int64
		start, n int64
		kind     rangeKind
	}{
		{"bytes=0-0", 10, 0, 1, rangeOne},
		{"bytes=0-9", 10, 0, 10, rangeOne},
		{"bytes=0-99", 10, 0, 10, rangeOne},
		{"bytes=9-", 10, 9, 1, rangeOne},
		{"bytes=10-", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=-1", 10, 9, 1, rangeOne},
		{"bytes=-10", 10, 0, 10, rangeOne},
		{"bytes=-11", 10, 0, 10, rangeOne},
		{"bytes=-0", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=-5", 0, 0, 0, rangeUnsatisfiable},
		{"bytes=0-", 0, 0, 0, rangeUnsatisfiable},
		{"BYTES=1-2", 10, 1, 2, rangeOne},
		{"bytes= 1-2 ,", 10, 1, 2, rangeOne},
		{"bytes=99999999999999999999999-", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=0-99999999999999999999999", 10, 0, 10, rangeOne},
		{"bytes=2-1", 10, 0, 0, rangeNone},
		{"bytes=0-1,2-3", 10, 0, 0, rangeNone},
		{"bytes=a-b", 10, 0, 0, rangeNone},
		{"bytes=1", 10, 0, 0, rangeNone},
		{"bytes=", 10, 0, 0, rangeNone},
		{"bytes=--1", 10, 0, 0, rangeNone},
		{"bytes=+1-2", 10, 0, 0, rangeNone},
		{"items=0-1", 10, 0, 0, rangeNone},
		{"", 10, 0, 0, rangeNone},
	} {
		start, n, kind := parseRange(c.h, c.size)
		require.Equal(t, c.kind, kind, "%q", c.h)
		if kind == rangeOne {
			require.Equal(t, [2]int64{c.start, c.n}, [2]int64{start, n}, "%q", c.h)
		}
	}
}

func TestEncodingWeights(t *testing.T) {
	for _, c := range []struct {
		h      string
		br, gz int
	}{
		{"", 0, 0},
		{"gzip, deflate", 0, 1000},
		{"gzip, deflate, br", 1000, 1000},
		{"br;q=0.5, gzip;q=0.8", 500, 800},
		{"BR; Q=1.0, X-GZIP", 1000, 1000},
		{"*", 1000, 1000},
		{"*;q=0.1, br;q=0", 0, 100},
		{"br;q=2", 0, 0},       // malformed weight: element ignored
		{"br;q=0.1234", 0, 0},  // too many digits
		{"gzip;q=1.001", 0, 0}, // above 1
		{"identity", 0, 0},
		{",,br,,", 1000, 0},
	} {
		br, gz := encodingWeights(c.h)
		require.Equal(t, [2]int{c.br, c.gz}, [2]int{br, gz}, "%q", c.h)
	}
}

func TestPrefersPlain(t *testing.T) {
	for _, c := range []struct {
		accept string
		plain  bool
	}{
		{"", false},
		{"*/*", false},
		{"text/plain", true},
		{"text/plain, text/html", false},
		{"text/html;q=0.5, text/plain", true},
		{"text/*;q=0.5, text/plain", true},
		{"text/*, text/html;q=0.1", true},
		{"text/html", false},
		{"application/json", false},
	} {
		require.Equal(t, c.plain, prefersPlain(c.accept), "%q", c.accept)
	}
}

func TestMatchETag(t *testing.T) {
	const e = `"abc"`
	for _, c := range []struct {
		h     string
		match bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", "abc"`, true},
		{`"x",W/"abc"`, true},
		{`*`, true},
		{`"ab"`, false},
		{`abc`, false},
		{`"abc`, false},
		{``, false},
		{`"a,b", "abc"`, true},
	} {
		require.Equal(t, c.match, matchETag(c.h, e), "%q", c.h)
	}
}

func TestIfRange(t *testing.T) {
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	require.True(t, ifRangeHolds("", `"e"`, mod))
	require.True(t, ifRangeHolds(`"e"`, `"e"`, mod))
	require.False(t, ifRangeHolds(`W/"e"`, `"e"`, mod))
	require.True(t, ifRangeHolds("Fri, 02 Jan 2026 03:04:05 GMT", `"e"`, mod))
	require.False(t, ifRangeHolds("Fri, 02 Jan 2026 03:04:04 GMT", `"e"`, mod))
	require.False(t, ifRangeHolds("garbage", `"e"`, mod))
}

func TestContentType(t *testing.T) {
	for name, want := range map[string]string{
		"a.html": "text/html; charset=utf-8", "A.HTML": "text/html; charset=utf-8",
		"x.js": "text/javascript; charset=utf-8", "p.png": "image/png",
		"noext": "application/octet-stream", "f.woff2": "font/woff2",
	} {
		require.Equal(t, want, contentType(name), name)
	}
}

// FuzzRange: parseRange never panics and a range it grants lies inside the
// representation.
func FuzzRange(f *testing.F) {
	for _, s := range []string{"bytes=0-1", "bytes=-5", "bytes=5-", "bytes=1-2,3-4", "bytes=99999999999999999999-"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -(size + 1)
		}
		start, n, kind := parseRange(h, size)
		if kind == rangeOne && (start < 0 || n < 1 || start+n > size || start+n < start) {
			t.Fatalf("parseRange(%q, %d) = %d, %d", h, size, start, n)
		}
	})
}

// FuzzAcceptHeaders: the accept-encoding, accept, entity-tag and If-Range
// parsers never panic and weights stay in 0..1000.
func FuzzAcceptHeaders(f *testing.F) {
	for _, s := range []string{"gzip, deflate, br", "br;q=0.5", "*;q=0", `"a", W/"b"`, "text/plain;q=0.9, */*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		br, gz := encodingWeights(h)
		if br < 0 || br > 1000 || gz < 0 || gz > 1000 {
			t.Fatalf("encodingWeights(%q) = %d, %d", h, br, gz)
		}
		prefersPlain(h)
		matchETag(h, `"x"`)
		ifRangeHolds(h, `"x"`, time.Unix(0, 0))
	})
}
