package testenv

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a helper ended the test: Skip
// and Fatal stop the calling goroutine as the real ones do.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) { r.skipped = fmt.Sprint(args...); runtime.Goexit() }

func (r *recorder) Fatal(args ...any) { r.failed = fmt.Sprint(args...); runtime.Goexit() }

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder on its own goroutine (Skip and Fatal end it)
// and returns the outcome: "skip", "fail" or "ok", and the message.
func run(f func(tb testing.TB)) (string, string) {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	switch {
	case r.failed != "":
		return "fail", r.failed
	case r.skipped != "":
		return "skip", r.skipped
	}
	return "ok", ""
}

func TestRequireTool(t *testing.T) {
	tests := []struct {
		ci, tool, want string
	}{
		{"", "h2kit-no-such-tool", "skip"},
		{"false", "h2kit-no-such-tool", "skip"},
		{"true", "h2kit-no-such-tool", "fail"},
		{"1", "h2kit-no-such-tool", "fail"},
		{"", "go", "ok"},
		{"true", "go", "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.ci+"/"+tt.tool, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			var path string
			got, msg := run(func(tb testing.TB) { path = RequireTool(tb, tt.tool, "some-package") })
			if got != tt.want {
				t.Fatalf("%s (%q), want %s", got, msg, tt.want)
			}
			if got != "ok" && !strings.Contains(msg, "Debian package some-package") {
				t.Errorf("message %q does not say what to install", msg)
			}
			if got == "ok" && !filepath.IsAbs(path) {
				t.Errorf("path %q", path)
			}
		})
	}
}

func TestHPACKCorpus(t *testing.T) {
	good := t.TempDir()
	if err := os.Mkdir(filepath.Join(good, "raw-data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(good, "raw-data", "story_00.json"), []byte(`{"cases":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notCorpus := t.TempDir()
	absent := filepath.Join(t.TempDir(), "hpack-test-case")
	tests := []struct {
		name, ci, env, def, want string
	}{
		{"default present", "", "", good, "ok"},
		{"default present, CI", "true", "", good, "ok"},
		{"default absent", "", "", absent, "skip"},
		{"default absent, CI", "true", "", absent, "fail"},
		{"default not a corpus", "", "", notCorpus, "fail"},
		{"env names the corpus", "true", good, absent, "ok"},
		// A wrong $HPACK_TEST_CASE is a mistake wherever the tests run.
		{"env absent", "", absent, good, "fail"},
		{"env absent, CI", "true", absent, good, "fail"},
		{"env not a corpus", "", notCorpus, good, "fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			var dir string
			got, msg := run(func(tb testing.TB) { dir = hpackCorpus(tb, tt.env, tt.def) })
			if got != tt.want {
				t.Fatalf("%s (%q), want %s", got, msg, tt.want)
			}
			if want := cmp.Or(tt.env, tt.def); got == "ok" && dir != want {
				t.Errorf("dir %s, want %s", dir, want)
			}
		})
	}
}

// TestModuleRoot: the default corpus location is found from the module
// root, whatever package directory the test runs in.
func TestModuleRoot(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Dir(filepath.Dir(wd)); root != want {
		t.Errorf("module root %s, want %s", root, want)
	}
}
