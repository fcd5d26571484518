package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func bodyBytes(t *testing.T, r reply) []byte {
	t.Helper()
	switch b := r.body.(type) {
	case nil:
		return nil
	case []byte:
		return b
	case *os.File:
		defer b.Close()
		data, err := io.ReadAll(b)
		if err != nil {
			t.Fatal(err)
		}
		return data
	default:
		t.Fatalf("unexpected body type %T", r.body)
		return nil
	}
}

func TestEmbeddedSite(t *testing.T) {
	s, err := newSite("")
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
			r := s.serve(tt.method, tt.path)
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

func TestRootSite(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "a.css"), []byte("body{}"), 0o644))
	must(os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "sub", "index.html"), []byte("<p>sub</p>"), 0o644))
	must(os.Mkdir(filepath.Join(dir, "empty"), 0o755))
	big := bytes.Repeat([]byte("0123456789abcdef"), (inlineMax+1000)/16)
	must(os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o644))
	must(os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "abs-link")))
	must(os.Symlink("../"+filepath.Base(outside)+"/secret.txt", filepath.Join(dir, "rel-link")))
	must(os.Symlink("a.css", filepath.Join(dir, "inside-link.css")))

	s, err := newSite(dir)
	must(err)
	defer s.Close()

	tests := []struct {
		path   string
		status int
		ctype  string
		body   string
	}{
		{"/a.css", 200, "text/css; charset=utf-8", "body{}"},
		{"/sub/", 200, "text/html; charset=utf-8", "<p>sub</p>"},
		{"/sub", 200, "text/html; charset=utf-8", "<p>sub</p>"},
		{"/sub/../a.css", 400, "", "bad path component\n"},
		{"/sub/./a.css", 404, "", "not found\n"},
		{"/./a.css", 200, "text/css; charset=utf-8", "body{}"},
		{"/%2e%2e/" + filepath.Base(outside) + "/secret.txt", 404, "", "not found\n"},
		{"/../" + filepath.Base(outside) + "/secret.txt", 400, "", "bad path component\n"},
		{"/abs-link", 404, "", "not found\n"},
		{"/rel-link", 404, "", "not found\n"},
		{"/inside-link.css", 200, "text/css; charset=utf-8", "body{}"},
		{"/empty/", 404, "", "not found\n"},
		{"/a.css%00.txt", 400, "", "bad request path\n"},
		{"/missing", 404, "", "not found\n"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := s.serve("GET", tt.path)
			b := bodyBytes(t, r)
			if r.status != tt.status || string(b) != tt.body {
				t.Fatalf("got %d %q, want %d %q", r.status, b, tt.status, tt.body)
			}
			if tt.ctype != "" && r.ctype != tt.ctype {
				t.Errorf("content-type %q, want %q", r.ctype, tt.ctype)
			}
			if r.length != int64(len(b)) {
				t.Errorf("length %d for %d bytes", r.length, len(b))
			}
		})
	}

	r := s.serve("GET", "/big.bin")
	f, ok := r.body.(*os.File)
	if !ok {
		t.Fatalf("big file body is %T, want *os.File (streamed)", r.body)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, big) || r.length != int64(len(big)) || r.ctype != "application/octet-stream" {
		t.Fatalf("big file: %d bytes, length %d, type %q", len(got), r.length, r.ctype)
	}
	if r := s.serve("HEAD", "/big.bin"); r.body != nil || r.length != int64(len(big)) {
		t.Fatalf("HEAD big file: body %T length %d", r.body, r.length)
	}
}
