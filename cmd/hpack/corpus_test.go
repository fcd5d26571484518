package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// corpusRoot is hpack-test-case: $HPACK_TEST_CASE, or shared/testdata beside
// the repository clone.
func corpusRoot() string {
	if d := os.Getenv("HPACK_TEST_CASE"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "testdata", "hpack-test-case")
}

// TestCorpus runs the tool over every story of hpack-test-case: inflate
// must reproduce each implementation's "headers", and deflate followed by
// inflate must reproduce every raw-data story.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusRoot(), "*", "story_*.json"))
	if len(files) == 0 {
		abs, _ := filepath.Abs(corpusRoot())
		t.Skipf("hpack-test-case corpus not found at %s (set HPACK_TEST_CASE)", abs)
	}
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var want testStory
		if err := json.Unmarshal(in, &want); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Join(filepath.Base(filepath.Dir(f)), filepath.Base(f))
		if filepath.Base(filepath.Dir(f)) == "raw-data" {
			var enc bytes.Buffer
			if err := Deflate(bytes.NewReader(in), &enc, Options{DeflaterCap: 4096}); err != nil {
				t.Fatalf("%s: deflate: %v", name, err)
			}
			in = enc.Bytes()
		}
		var out bytes.Buffer
		if err := Inflate(bytes.NewReader(in), &out, Options{}); err != nil {
			t.Fatalf("%s: inflate: %v", name, err)
		}
		var got testStory
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got.Cases) != len(want.Cases) {
			t.Fatalf("%s: %d cases, want %d", name, len(got.Cases), len(want.Cases))
		}
		for i := range want.Cases {
			if !equalHeaders(got.Cases[i].Headers, want.Cases[i].Headers) {
				t.Fatalf("%s case %d: headers differ:\ngot  %v\nwant %v", name, i, got.Cases[i].Headers, want.Cases[i].Headers)
			}
		}
	}
}
