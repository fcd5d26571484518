package httpfield

import (
	"testing"

	"github.com/h2kit/h2kit/hpack"
)

// TestPolicy pins the rules that differ between what is accepted and what
// is sent, and the reasons given.
func TestPolicy(t *testing.T) {
	tests := []struct {
		name, value string
		valid       bool   // ValidName && ValidValue: acceptable in a request
		reason      string // CheckResponse
	}{
		{"x-a", "v", true, ""},
		{"x-a", "a\x01b", true, ReasonValueCTL}, // RFC 9110 §5.5: kept when received, never sent
		{"x-a", "a\x7fb", true, ReasonValueCTL},
		{"x-a", "a\tb", true, ""},
		{"x-a", "a\x80b", true, ""}, // obs-text
		{"x-a", "a\x00b", false, ReasonValueNUL},
		{"x-a", " a", false, ReasonValueSpace},
		{"x:a", "v", false, ReasonNameByte},
		{"X-A", "v", false, ReasonNameByte},
		{"", "v", false, ReasonEmptyName},
		{":status", "200", false, ReasonPseudo},
		{"connection", "close", true, ReasonConnection},
		{"te", "trailers", true, ""},
		{"te", "gzip", true, ReasonTE},
	}
	for _, tc := range tests {
		if got := ValidName(tc.name) && ValidValue(tc.value); got != tc.valid {
			t.Errorf("%q: %q: valid = %v, want %v", tc.name, tc.value, got, tc.valid)
		}
		if got := CheckResponse(tc.name, tc.value); got != tc.reason {
			t.Errorf("%q: %q: CheckResponse = %q, want %q", tc.name, tc.value, got, tc.reason)
		}
	}
}

// TestValueWords checks the eight-bytes-at-a-time scan against the byte rule:
// every byte value at every position of values of every length path (one
// to three bytes, four to seven, eight, longer), in both directions.
func TestValueWords(t *testing.T) {
	for _, base := range []string{"text/plain; charset=utf-8 and some more", "GET", "http", "gzip, d", "abcdefgh", "abcdefghi"} {
		for pos := range len(base) {
			for c := 0; c < 256; c++ {
				b := []byte(base)
				b[pos] = byte(c)
				v := string(b)
				if c == ' ' || c == '\t' {
					if pos == 0 || pos == len(b)-1 {
						if valueProblem(v, false) != ReasonValueSpace {
							t.Fatalf("%q: not refused for its whitespace", v)
						}
						continue
					}
				}
				for _, send := range []bool{false, true} {
					if got, want := valueProblem(v, send), bytesProblem(v, send); got != want {
						t.Fatalf("%q send %v: %q, want %q", v, send, got, want)
					}
				}
			}
		}
	}
}

// FuzzValueProblem: the word scan agrees with the byte rule on any value.
func FuzzValueProblem(f *testing.F) {
	f.Add("text/plain; charset=utf-8")
	f.Add("a\x7fbcdefghij\x01")
	f.Add("\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x9f\xff\tx")
	f.Fuzz(func(t *testing.T, v string) {
		if n := len(v); n > 0 && (v[0] == ' ' || v[0] == '\t' || v[n-1] == ' ' || v[n-1] == '\t') {
			return
		}
		for _, send := range []bool{false, true} {
			if got, want := valueProblem(v, send), bytesProblem(v, send); got != want {
				t.Fatalf("%q send %v: %q, want %q", v, send, got, want)
			}
		}
	})
}

// BenchmarkCheckResponse: the fields of a static file's 200 response.
func BenchmarkCheckResponse(b *testing.B) {
	fields := []hpack.HeaderField{
		{Name: "content-type", Value: "text/plain; charset=utf-8"},
		{Name: "content-length", Value: "12"},
		{Name: "etag", Value: `"1a2b3c-c-187a6f0e2c3d4e5f"`},
		{Name: "last-modified", Value: "Sun, 06 Dec 2026 16:28:21 GMT"},
		{Name: "accept-ranges", Value: "bytes"},
		{Name: "date", Value: "Sun, 06 Dec 2026 16:28:21 GMT"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if i, _ := FirstInvalid(fields); i >= 0 {
			b.Fatal(i)
		}
	}
}

// TestNameWords checks the eight-bytes-at-a-time name check against the
// byte table: every byte value at every position of names long enough for
// it.
func TestNameWords(t *testing.T) {
	for _, base := range []string{"content-type", "x-forwarded-for-0123", "abcdefgh", "date", "accept", "abcdefg", "te"} {
		for pos := range len(base) {
			for c := range 256 {
				b := []byte(base)
				b[pos] = byte(c)
				if got, want := ValidName(string(b)), tokenBytes(string(b)); got != want {
					t.Fatalf("%q: ValidName %v, byte rule %v", b, got, want)
				}
			}
		}
	}
}

// FuzzValidName: the word check agrees with the byte table on any name.
func FuzzValidName(f *testing.F) {
	f.Add("content-length")
	f.Add("accept-encoding")
	f.Add("X-Upper-Case-Name")
	f.Fuzz(func(t *testing.T, name string) {
		if name == "" {
			return
		}
		if got, want := ValidName(name), tokenBytes(name); got != want {
			t.Fatalf("%q: ValidName %v, byte rule %v", name, got, want)
		}
	})
}
