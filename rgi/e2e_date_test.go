package rgi_test

import (
	"net/http"
	"regexp"
	"testing"
)

// dropDate checks that a response's headers carry a valid date (RFC 9110
// §6.6.1: the server adds it) and removes it, so that the rest can be
// compared with fixed values.
func dropDate(t *testing.T, h map[string]string) map[string]string {
	t.Helper()
	if _, err := http.ParseTime(h["date"]); err != nil || len(h["date"]) != len(http.TimeFormat) {
		t.Fatalf("date %q: %v", h["date"], err)
	}
	delete(h, "date")
	return h
}

var dateLine = regexp.MustCompile(`date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\n`)

// stripDates removes n valid date lines from wire text, and fails unless
// there were exactly n.
func stripDates(t *testing.T, s string, n int) string {
	t.Helper()
	if got := len(dateLine.FindAllStringIndex(s, -1)); got != n {
		t.Fatalf("%d date lines, want %d in %.200q", got, n, s)
	}
	return dateLine.ReplaceAllString(s, "")
}
