package static

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/handler/handlertest"
)

// TestPrecheckedHeaderLists: a cached file's header lists are checked once,
// when the file enters the cache, and the native front end then sends them
// unchecked (internal/prechecked); a list that breaks the response field
// policy (here a media type with a control character, as a host's
// mime.types could supply) is not marked, so the handler layer still checks
// it and refuses it: the stream is reset with INTERNAL_ERROR instead of
// carrying the field.
func TestPrecheckedHeaderLists(t *testing.T) {
	builtinTypes[".h2kitbad"] = "text/plain; x=\"a\x01b\""
	defer delete(builtinTypes, ".h2kitbad")
	dir := t.TempDir()
	for _, name := range []string{"ok.txt", "bad.h2kitbad"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("hello"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	for _, target := range []string{"/ok.txt", "/bad.h2kitbad"} {
		r := Request{Method: "GET", Target: target}
		resp := s.Resolve(&r)
		resp.Release()
		if want := target == "/ok.txt"; resp.checked != want {
			t.Errorf("%s: checked %v, want %v", target, resp.checked, want)
		}
	}
	if !respNotFound.checked || !respMethod.checked {
		t.Error("the fixed answers are not marked checked")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ok, err := handlertest.Do(ctx, s.Handler(), handlertest.Request{Path: "/ok.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if ok.Status != 200 || string(ok.Body) != "hello" || ok.Get("content-type") != "text/plain; charset=utf-8" {
		t.Errorf("/ok.txt: %d %q %v", ok.Status, ok.Body, ok.Header)
	}
	bad, err := handlertest.Do(ctx, s.Handler(), handlertest.Request{Path: "/bad.h2kitbad"})
	if err != nil {
		t.Fatal(err)
	}
	if !bad.WasReset || bad.Reset != handler.InternalError || bad.Status != 0 {
		t.Errorf("/bad.h2kitbad: status %d, reset %v (%v), want a reset with INTERNAL_ERROR and no headers", bad.Status, bad.WasReset, bad.Reset)
	}
}
