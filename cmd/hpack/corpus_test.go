package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/h2kit/h2kit/internal/testenv"
)

// TestCorpus runs the tool over every story of hpack-test-case: inflate
// must reproduce each implementation's "headers", and deflate followed by
// inflate must reproduce every raw-data story.
func TestCorpus(t *testing.T) {
	// The corpus is $HPACK_TEST_CASE, or shared/testdata beside the
	// repository clone; a wrong $HPACK_TEST_CASE fails, and a missing
	// corpus fails under CI=true.
	root := testenv.HPACKCorpus(t)
	files, _ := filepath.Glob(filepath.Join(root, "*", "story_*.json"))
	if len(files) == 0 {
		t.Fatalf("no stories in %s", root)
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
