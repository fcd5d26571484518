package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzStory feeds arbitrary documents to both sub-commands. Either one
// returns an error, or it writes a story with one case per input case; and
// whatever deflate writes, inflate must read back to the same headers.
func FuzzStory(f *testing.F) {
	for _, name := range []string{"example.json", "rfc7541-c4-wire.json", "example.deflated.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"cases":[{"header_table_size":0,"headers":[{"a":"b"}]},{"wire":"3f45"}]}`))
	f.Add([]byte(`{"cases":[{"wire":"be"},{"wire":"00016101ff"}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if err := Inflate(bytes.NewReader(in), &out, Options{}); err == nil {
			checkStory(t, in, out.Bytes())
		}
		out.Reset()
		if err := Deflate(bytes.NewReader(in), &out, Options{DeflaterCap: 4096}); err != nil {
			return
		}
		deflated := out.Bytes()
		checkStory(t, in, deflated)
		var back bytes.Buffer
		if err := Inflate(bytes.NewReader(deflated), &back, Options{}); err != nil {
			// Only names or values that are not UTF-8 may fail to come back:
			// JSON input never holds such strings, so nothing may fail.
			t.Fatalf("inflate cannot read what deflate wrote: %v\n%s", err, deflated)
		}
		var a, b testStory
		if err := json.Unmarshal(deflated, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(back.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		for i := range a.Cases {
			if !equalHeaders(a.Cases[i].Headers, b.Cases[i].Headers) {
				t.Fatalf("case %d: deflate/inflate gives %v, want %v", i, b.Cases[i].Headers, a.Cases[i].Headers)
			}
		}
	})
}

// checkStory checks that out is a story with as many cases as in.
func checkStory(t *testing.T, in, out []byte) {
	t.Helper()
	var src struct{ Cases []json.RawMessage }
	if err := json.Unmarshal(in, &src); err != nil {
		t.Fatalf("accepted input that is not a story: %v", err)
	}
	var got testStory
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("wrote invalid JSON: %v\n%s", err, out)
	}
	if len(got.Cases) != len(src.Cases) {
		t.Fatalf("wrote %d cases for %d", len(got.Cases), len(src.Cases))
	}
}
