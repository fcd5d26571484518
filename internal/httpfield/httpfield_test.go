package httpfield

import "testing"

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
