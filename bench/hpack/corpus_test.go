//go:build nghttp2

package hpackbench

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/testenv"
)

// story is one hpack-test-case story: the blocks of one connection.
type story struct {
	file   string
	fields [][]hpack.HeaderField // raw-data: the header list of each block
	wire   [][]byte              // encoded stories: each block's wire
}

// loadDir reads every story of one hpack-test-case directory, in file order.
func loadDir(tb testing.TB, dir string) []story {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(testenv.HPACKCorpus(tb), dir, "*.json"))
	if len(files) == 0 {
		tb.Fatalf("no stories in hpack-test-case/%s", dir)
	}
	sort.Strings(files)
	var out []story
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var st struct {
			Cases []struct {
				Wire            string              `json:"wire"`
				HeaderTableSize *uint32             `json:"header_table_size"`
				Headers         []map[string]string `json:"headers"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(data, &st); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		s := story{file: filepath.Base(f)}
		for i, c := range st.Cases {
			// The nghttp2 stories announce the default size in case 0
			// only, which a new decoder already has.
			if c.HeaderTableSize != nil && (i != 0 || *c.HeaderTableSize != hpack.DefaultHeaderTableSize) {
				tb.Fatalf("%s case %d: header_table_size %d not handled here", f, i, *c.HeaderTableSize)
			}
			var fs []hpack.HeaderField
			for _, h := range c.Headers {
				for k, v := range h {
					fs = append(fs, hpack.HeaderField{Name: k, Value: v})
				}
			}
			s.fields = append(s.fields, fs)
			if c.Wire != "" {
				w, err := hex.DecodeString(c.Wire)
				if err != nil {
					tb.Fatalf("%s case %d: %v", f, i, err)
				}
				s.wire = append(s.wire, w)
			}
		}
		out = append(out, s)
	}
	return out
}

// wireSet is what every decoder decodes in one benchmark: the blocks of each
// story, for h2kit as slices and for libnghttp2 laid end to end.
type wireSet struct {
	name    string
	blocks  [][][]byte // [story][block]wire
	c       []Blocks   // the same, per story
	nblocks int
	fields  int
}

func newWireSet(name string, blocks [][][]byte) *wireSet {
	w := &wireSet{name: name, blocks: blocks}
	for _, st := range blocks {
		w.c = append(w.c, NewBlocks(st))
		w.nblocks += len(st)
	}
	return w
}

// wireSets returns the raw-data stories as h2kit's Deflater encodes them
// (what hpack's BenchmarkDecode decodes) and as nghttp2's encoder did (the
// corpus's nghttp2 directory).
func wireSets(tb testing.TB) []*wireSet {
	tb.Helper()
	raw := loadDir(tb, "raw-data")
	var ours [][][]byte
	for _, s := range raw {
		d := hpack.NewDeflater(hpack.DeflateMaxHeaderTableSize)
		var ws [][]byte
		for _, fs := range s.fields {
			w, err := d.Deflate(nil, fs)
			if err != nil {
				tb.Fatal(err)
			}
			ws = append(ws, w)
		}
		ours = append(ours, ws)
	}
	var theirs [][][]byte
	ng := loadDir(tb, "nghttp2")
	if len(ng) != len(raw) {
		tb.Fatalf("nghttp2 has %d stories, raw-data %d", len(ng), len(raw))
	}
	for i, s := range ng {
		if s.file != raw[i].file || len(s.wire) != len(raw[i].fields) {
			tb.Fatalf("nghttp2/%s does not match raw-data/%s", s.file, raw[i].file)
		}
		theirs = append(theirs, s.wire)
	}
	sets := []*wireSet{newWireSet("h2kit-wire", ours), newWireSet("nghttp2-wire", theirs)}
	for _, w := range sets {
		for _, s := range raw {
			for _, fs := range s.fields {
				w.fields += len(fs)
			}
		}
	}
	return sets
}
