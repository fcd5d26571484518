package hpack_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/testenv"
)

// This file loads the hpack-test-case corpus
// (https://github.com/http2jp/hpack-test-case) for the corpus, differential
// and benchmark files. The corpus is never copied into the repository: it is
// read from $HPACK_TEST_CASE, or from shared/testdata/hpack-test-case beside
// the clone (testenv.HPACKCorpus).

// corpusRawDir is the directory of the original header lists (no "wire").
const corpusRawDir = "raw-data"

// corpusStory is one story file: a series of header blocks sharing one
// compression context.
type corpusStory struct {
	Dir, File string // implementation directory and file name
	Cases     []corpusCase
}

// corpusCase is one case of a story.
type corpusCase struct {
	Seqno int
	// HeaderTableSize is the SETTINGS_HEADER_TABLE_SIZE acknowledged just
	// before this case; nil when absent or null.
	HeaderTableSize *uint32
	Wire            []byte // nil in raw-data
	Fields          []hpack.HeaderField
	RawBytes        int // sum of len(Name)+len(Value)
}

// corpusOnce holds the parsed corpus, loaded once per test binary.
var corpusOnce struct {
	sync.Once
	dirs map[string][]corpusStory
	err  error
}

// corpusLoad parses every story under root.
func corpusLoad(root string) (map[string][]corpusStory, error) {
	files, err := filepath.Glob(filepath.Join(root, "*", "story_*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	dirs := map[string][]corpusStory{}
	for _, f := range files {
		s, err := corpusReadStory(f)
		if err != nil {
			return nil, err
		}
		dirs[s.Dir] = append(dirs[s.Dir], *s)
	}
	if len(dirs[corpusRawDir]) == 0 {
		return nil, fmt.Errorf("hpack-test-case at %s has no %s stories", root, corpusRawDir)
	}
	return dirs, nil
}

// corpus returns the stories by implementation directory. A missing corpus
// skips tb, or fails it under CI=true (internal/testenv).
func corpus(tb testing.TB) map[string][]corpusStory {
	tb.Helper()
	root := testenv.HPACKCorpus(tb)
	corpusOnce.Do(func() { corpusOnce.dirs, corpusOnce.err = corpusLoad(root) })
	if corpusOnce.err != nil {
		tb.Fatalf("loading hpack-test-case: %v", corpusOnce.err)
	}
	return corpusOnce.dirs
}

// corpusDirs returns the implementation directory names, sorted.
func corpusDirs(dirs map[string][]corpusStory) []string {
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	return names
}

func corpusReadStory(path string) (*corpusStory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Cases []struct {
			Seqno           *int                `json:"seqno"`
			HeaderTableSize *uint32             `json:"header_table_size"`
			Wire            *string             `json:"wire"`
			Headers         []map[string]string `json:"headers"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s := &corpusStory{Dir: filepath.Base(filepath.Dir(path)), File: filepath.Base(path)}
	for i, c := range raw.Cases {
		cc := corpusCase{Seqno: i, HeaderTableSize: c.HeaderTableSize}
		if c.Seqno != nil {
			cc.Seqno = *c.Seqno
		}
		if c.Wire != nil {
			if cc.Wire, err = hex.DecodeString(strings.TrimSpace(*c.Wire)); err != nil {
				return nil, fmt.Errorf("%s case %d: wire: %w", path, i, err)
			}
		}
		for j, h := range c.Headers {
			if len(h) != 1 {
				return nil, fmt.Errorf("%s case %d header %d: %d members, want 1", path, i, j, len(h))
			}
			for name, value := range h {
				cc.Fields = append(cc.Fields, hpack.HeaderField{Name: name, Value: value})
				cc.RawBytes += len(name) + len(value)
			}
		}
		s.Cases = append(s.Cases, cc)
	}
	return s, nil
}

// sensitiveCheck says how corpusFieldsDiff compares the Sensitive flags.
type sensitiveCheck int

const (
	// sensitiveIgnored: the reference does not know the flag (corpus JSON).
	sensitiveIgnored sensitiveCheck = iota
	// sensitiveExact: both sides decoded the same wire.
	sensitiveExact
	// sensitiveKept: a round trip, where a field marked Sensitive must come
	// back Sensitive (RFC 7541 §6.2.3) and the encoder may also choose to
	// send other fields as never-indexed literals (nghttp2 does so for
	// authorization and short cookies, RFC 7541 §7.1.3).
	sensitiveKept
)

// corpusFieldsDiff describes how got differs from want, or returns "".
func corpusFieldsDiff(got, want []hpack.HeaderField, sens sensitiveCheck) string {
	n := max(len(got), len(want))
	for i := range n {
		switch {
		case i >= len(got):
			return fmt.Sprintf("field %d missing: want %q: %s", i, want[i].Name, shortString(want[i].Value))
		case i >= len(want):
			return fmt.Sprintf("extra field %d: %q: %s", i, got[i].Name, shortString(got[i].Value))
		case got[i].Name != want[i].Name || got[i].Value != want[i].Value:
			return fmt.Sprintf("field %d: got %q: %s, want %q: %s", i, got[i].Name, shortString(got[i].Value), want[i].Name, shortString(want[i].Value))
		case sens == sensitiveExact && got[i].Sensitive != want[i].Sensitive,
			sens == sensitiveKept && want[i].Sensitive && !got[i].Sensitive:
			return fmt.Sprintf("field %d (%q): Sensitive %v, want %v", i, got[i].Name, got[i].Sensitive, want[i].Sensitive)
		}
	}
	return ""
}

// shortString quotes s, cut to 80 bytes so that failures stay readable.
func shortString(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q...(%d bytes)", s[:80], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// shortHex is a block in hex, cut to 64 bytes.
func shortHex(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%x...(%d bytes)", b[:64], len(b))
	}
	return fmt.Sprintf("%x", b)
}
