package main

import (
	"testing"
)

func bodyBytes(t *testing.T, r reply) []byte {
	t.Helper()
	switch b := r.body.(type) {
	case nil:
		return nil
	case []byte:
		return b
	default:
		t.Fatalf("unexpected body type %T", r.body)
		return nil
	}
}

func TestEmbeddedSite(t *testing.T) {
	s, err := newSite()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		status       int
		ctype        string
		body         string // "" means: check only length
		length       int64
	}{
		{"GET", "/hello.txt", 200, "text/plain; charset=utf-8", "hello, world", 12},
		{"HEAD", "/hello.txt", 200, "text/plain; charset=utf-8", "", 12},
		{"GET", "/", 200, "text/html; charset=utf-8", "", -2},
		{"GET", "/1m", 200, "application/octet-stream", "", 1 << 20},
		{"GET", "/nope.txt", 404, "text/plain; charset=utf-8", "not found\n", 10},
		// rgi.CheckTarget's rule, as the HTTP/1.1 fallback answers.
		{"GET", "/../../etc/passwd", 400, "text/plain", "bad path component\n", 19},
		{"POST", "/hello.txt", 405, "text/plain; charset=utf-8", "method not allowed\n", 19},
		{"GET", "hello.txt", 400, "text/plain", "bad request target\n", 19},
		{"OPTIONS", "//x", 400, "text/plain", "bad path component\n", 19}, // the target is checked first
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := s.serve(tt.method, tt.path, viaH2)
			if r.status != tt.status || r.ctype != tt.ctype {
				t.Fatalf("got %d %q, want %d %q", r.status, r.ctype, tt.status, tt.ctype)
			}
			b := bodyBytes(t, r)
			if tt.length != -2 && r.length != tt.length {
				t.Errorf("length %d, want %d", r.length, tt.length)
			}
			if tt.method == "HEAD" {
				if b != nil {
					t.Errorf("HEAD reply has a body of %d bytes", len(b))
				}
				return
			}
			if int64(len(b)) != r.length {
				t.Errorf("body is %d bytes, length says %d", len(b), r.length)
			}
			if tt.body != "" && string(b) != tt.body {
				t.Errorf("body %q, want %q", b, tt.body)
			}
			if tt.status == 405 && r.allow != "GET, HEAD" {
				t.Errorf("allow %q", r.allow)
			}
		})
	}
}
