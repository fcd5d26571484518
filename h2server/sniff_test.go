package h2server

import (
	"testing"

	"github.com/h2kit/h2kit/internal/frame"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		in   string
		want proto
	}{
		{"", protoUnknown},
		{"PRI * HTTP/2.0\r\n", protoUnknown},
		{frame.ClientPreface, protoIsH2},
		{frame.ClientPreface + "\x00\x00\x00\x04", protoIsH2},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", protoIsHTTP1},
		{"POST /a?b HTTP/1.0\n", protoIsHTTP1},
		{"GET / HTTP/1.1", protoUnknown}, // no end of line yet
		{"GE", protoUnknown},
		{"PRI * HTTP/1.1\r\n", protoIsHTTP1}, // diverges from the preface after "PRI * HTTP/"
		{"INVALID CONNECTION PREFACE\r\n\r\n", protoInvalid},
		{"GET / HTTP/2.0\r\n", protoInvalid},
		{"GET /\r\n", protoInvalid},
		{" GET / HTTP/1.1\r\n", protoInvalid},
		{"\x16\x03\x01\x02\x00", protoInvalid}, // a TLS ClientHello on the cleartext port
		{"G(T / HTTP/1.1\r\n", protoInvalid},
	}
	for _, tt := range tests {
		if got := sniff([]byte(tt.in)); got != tt.want {
			t.Errorf("sniff(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	long := make([]byte, maxRequestLine)
	for i := range long {
		long[i] = 'A'
	}
	if got := sniff(long); got != protoInvalid {
		t.Errorf("sniff of %d bytes without a line end = %d, want invalid", len(long), got)
	}
}

// FuzzSniff: any opening classifies without panicking, and a classification
// other than "need more" never changes as more bytes arrive.
func FuzzSniff(f *testing.F) {
	f.Add([]byte(frame.ClientPreface), []byte("x"))
	f.Add([]byte("GET / HTTP/1.1\r\n"), []byte("Host: a\r\n"))
	f.Add([]byte("PRI"), []byte(" * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		p := sniff(a)
		if p == protoUnknown {
			return
		}
		if q := sniff(append(a[:len(a):len(a)], b...)); q != p {
			t.Fatalf("sniff(%q) = %d but with %q appended = %d", a, p, b, q)
		}
	})
}
