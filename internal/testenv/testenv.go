// Package testenv lets tests require what lives outside the repository: a
// program on $PATH (curl, nghttp, h2load) or the hpack-test-case corpus.
//
// Locally, a missing prerequisite skips the test with a message saying how to
// get it. In continuous integration ($CI set to true, as GitHub Actions,
// GitLab CI and most other services do, and as .ci/run does) it fails the
// test instead: a run that silently tested nothing must not pass.
package testenv

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// CorpusEnv is the environment variable naming the hpack-test-case
// directory (https://github.com/http2jp/hpack-test-case).
const CorpusEnv = "HPACK_TEST_CASE"

// CI reports whether the tests run in continuous integration: $CI holds a
// true value ("true", "1", ...).
func CI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// Missing reports a prerequisite of tb that is not there: it skips tb with
// the message, or fails it when CI reports true.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if CI() {
		tb.Fatal(msg + " (CI is set: a missing prerequisite fails the run)")
	}
	tb.Skip(msg)
}

// RequireTool returns the path of the program name found on $PATH. When it
// is not there, it calls Missing, naming the Debian package that provides
// it (.ci/run installs them).
func RequireTool(tb testing.TB, name, debianPkg string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, "%s not installed (Debian package %s)", name, debianPkg)
	}
	return p
}

// HPACKCorpus returns the hpack-test-case directory: $HPACK_TEST_CASE when
// set, otherwise shared/testdata/hpack-test-case beside the repository clone
// (../shared from the module root). The corpus is never copied into the
// repository. A directory named by $HPACK_TEST_CASE that does not hold the
// corpus fails tb, in CI or not: it is a mistake, not an absence; so does a
// default directory that is there but is not the corpus. A missing default
// directory calls Missing.
func HPACKCorpus(tb testing.TB) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	return hpackCorpus(tb, os.Getenv(CorpusEnv), filepath.Join(filepath.Dir(root), "shared", "testdata", "hpack-test-case"))
}

func hpackCorpus(tb testing.TB, env, def string) string {
	tb.Helper()
	if env != "" {
		if err := checkCorpus(env); err != nil {
			tb.Fatalf("%s=%s: %v", CorpusEnv, env, err)
		}
		return env
	}
	if _, err := os.Stat(def); errors.Is(err, fs.ErrNotExist) {
		Missing(tb, "hpack-test-case corpus not found at %s: clone https://github.com/http2jp/hpack-test-case there or set %s", def, CorpusEnv)
	}
	if err := checkCorpus(def); err != nil {
		tb.Fatalf("%s: %v", def, err)
	}
	return def
}

// checkCorpus reports whether dir looks like hpack-test-case: implementation
// directories of story_*.json files, raw-data among them.
func checkCorpus(dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return err
	}
	raw, err := filepath.Glob(filepath.Join(dir, "raw-data", "story_*.json"))
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		return errors.New("no raw-data/story_*.json: not an hpack-test-case clone")
	}
	return nil
}

// moduleRoot returns the directory of the go.mod above the working directory
// (a test runs in its package directory).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}
