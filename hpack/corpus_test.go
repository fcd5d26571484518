package hpack_test

import (
	"testing"

	"github.com/h2kit/h2kit/hpack"
)

// TestCorpusDecode decodes every story of every implementation directory of
// hpack-test-case (encoders nobody here wrote: go-hpack, nghttp2, python-hpack,
// node-http2-hpack, haskell-http2, swift-nio-hpack, ...) with one Inflater per
// story, cases in order, and checks each block against the story's "headers"
// and the dynamic table after each block against an independent model.
func TestCorpusDecode(t *testing.T) {
	dirs := corpus(t)
	for _, dir := range corpusDirs(dirs) {
		if dir == corpusRawDir {
			continue
		}
		t.Run(dir, func(t *testing.T) {
			blocks := 0
			for _, s := range dirs[dir] {
				blocks += corpusDecodeStory(t, s)
			}
			if blocks == 0 {
				t.Fatalf("%s: no blocks decoded", dir)
			}
		})
	}
}

// corpusDecodeStory decodes one story and returns the number of blocks.
func corpusDecodeStory(t *testing.T, s corpusStory) int {
	t.Helper()
	in := hpack.NewInflater()
	model := newShadowTable()
	for i, c := range s.Cases {
		if c.Wire == nil {
			t.Errorf("%s/%s case %d: no wire", s.Dir, s.File, i)
			return i
		}
		// hpack-test-case: header_table_size is "the header table size sent in
		// SETTINGS_HEADER_TABLE_SIZE and ACKed just before this case".
		if c.HeaderTableSize != nil {
			if err := in.ChangeTableSize(*c.HeaderTableSize); err != nil {
				t.Errorf("%s/%s seqno %d: ChangeTableSize(%d): %v", s.Dir, s.File, c.Seqno, *c.HeaderTableSize, err)
				return i
			}
		}
		got, err := in.Inflate(c.Wire)
		if err != nil {
			t.Errorf("%s/%s seqno %d: Inflate(%s): %v", s.Dir, s.File, c.Seqno, shortHex(c.Wire), err)
			return i
		}
		if d := corpusFieldsDiff(got, c.Fields, sensitiveIgnored); d != "" {
			t.Errorf("%s/%s seqno %d: %s", s.Dir, s.File, c.Seqno, d)
			return i
		}
		if err := model.apply(c.Wire, c.Fields); err != nil {
			t.Fatalf("%s/%s seqno %d: the test's table model cannot walk the block: %v", s.Dir, s.File, c.Seqno, err)
		}
		if d := model.diff(in.Table(), in.TableSize()); d != "" {
			t.Errorf("%s/%s seqno %d: Inflater table: %s", s.Dir, s.File, c.Seqno, d)
			return i
		}
		if in.TableSize() > in.MaxTableSize() {
			t.Errorf("%s/%s seqno %d: TableSize %d > MaxTableSize %d", s.Dir, s.File, c.Seqno, in.TableSize(), in.MaxTableSize())
		}
	}
	return len(s.Cases)
}

// corpusSizeChanges returns the SETTINGS_HEADER_TABLE_SIZE to apply before
// case i of n when simulating table size changes: like nghttp2's
// hpackmake.py -c (used for nghttp2-change-table-size), smaller sizes at 1/3
// and 2/3 of the story, then the default again near the end.
func corpusSizeChanges(i, n int) (uint32, bool) {
	switch {
	case n < 4:
		return 0, false
	case i == n/3:
		return 1365, true
	case i == 2*n/3:
		return 512, true
	case i == n-2:
		return hpack.DefaultHeaderTableSize, true
	}
	return 0, false
}

// TestCorpusRoundTrip encodes every raw-data story with one Deflater and
// decodes it with one Inflater (one connection per story), checking the
// fields and that both tables equal the model after every block, with the
// default table size and with size changes during the story.
func TestCorpusRoundTrip(t *testing.T) {
	stories := corpus(t)[corpusRawDir]
	for _, changes := range []bool{false, true} {
		name := "default-size"
		if changes {
			name = "size-changes"
		}
		t.Run(name, func(t *testing.T) {
			var raw, wire int
			for _, s := range stories {
				d := hpack.NewDeflater(hpack.DeflateMaxHeaderTableSize)
				in := hpack.NewInflater()
				model := newShadowTable()
				var buf []byte
				for i, c := range s.Cases {
					if n, ok := corpusSizeChanges(i, len(s.Cases)); changes && ok {
						if err := d.ChangeTableSize(n); err != nil {
							t.Fatalf("%s case %d: Deflater.ChangeTableSize(%d): %v", s.File, i, n, err)
						}
						if err := in.ChangeTableSize(n); err != nil {
							t.Fatalf("%s case %d: Inflater.ChangeTableSize(%d): %v", s.File, i, n, err)
						}
					}
					var err error
					buf, err = d.Deflate(buf[:0], c.Fields)
					if err != nil {
						t.Fatalf("%s case %d: Deflate: %v", s.File, i, err)
					}
					raw += c.RawBytes
					wire += len(buf)
					got, err := in.Inflate(buf)
					if err != nil {
						t.Fatalf("%s case %d: Inflate(%s): %v", s.File, i, shortHex(buf), err)
					}
					if diff := corpusFieldsDiff(got, c.Fields, sensitiveKept); diff != "" {
						t.Fatalf("%s case %d: round trip: %s", s.File, i, diff)
					}
					if err := model.apply(buf, c.Fields); err != nil {
						t.Fatalf("%s case %d: model cannot walk the Deflater's block %s: %v", s.File, i, shortHex(buf), err)
					}
					if diff := model.diff(d.Table(), d.TableSize()); diff != "" {
						t.Fatalf("%s case %d: Deflater table: %s", s.File, i, diff)
					}
					if diff := model.diff(in.Table(), in.TableSize()); diff != "" {
						t.Fatalf("%s case %d: Inflater table: %s", s.File, i, diff)
					}
					if d.TableSize() > d.MaxTableSize() {
						t.Fatalf("%s case %d: Deflater TableSize %d > MaxTableSize %d", s.File, i, d.TableSize(), d.MaxTableSize())
					}
				}
			}
			t.Logf("%d raw bytes -> %d wire bytes (ratio %.4f)", raw, wire, float64(wire)/float64(raw))
		})
	}
}

// TestCorpusCompression checks the indexing policy against nghttp2's C
// encoder on the same traffic: over all raw-data stories (one Deflater per
// story), our total wire size must not exceed the nghttp2 directory's.
func TestCorpusCompression(t *testing.T) {
	dirs := corpus(t)
	ref := map[string]corpusStory{}
	for _, s := range dirs["nghttp2"] {
		ref[s.File] = s
	}
	var ours, theirs, raw int
	for _, s := range dirs[corpusRawDir] {
		r, ok := ref[s.File]
		if !ok || len(r.Cases) != len(s.Cases) {
			t.Fatalf("nghttp2/%s does not hold the %d cases of raw-data/%s", s.File, len(s.Cases), s.File)
		}
		d := hpack.NewDeflater(hpack.DeflateMaxHeaderTableSize)
		var buf []byte
		for i, c := range s.Cases {
			if diff := corpusFieldsDiff(r.Cases[i].Fields, c.Fields, sensitiveIgnored); diff != "" {
				t.Fatalf("nghttp2/%s case %d is not raw-data's: %s", s.File, i, diff)
			}
			var err error
			if buf, err = d.Deflate(buf[:0], c.Fields); err != nil {
				t.Fatalf("%s case %d: %v", s.File, i, err)
			}
			ours += len(buf)
			theirs += len(r.Cases[i].Wire)
			raw += c.RawBytes
		}
	}
	t.Logf("raw %d bytes; h2kit %d (%.4f); nghttp2 %d (%.4f)", raw, ours, float64(ours)/float64(raw), theirs, float64(theirs)/float64(raw))
	if ours > theirs {
		t.Errorf("h2kit wrote %d wire bytes, nghttp2 %d: the indexing policy compresses worse than nghttp2 on hpack-test-case", ours, theirs)
	}
}
