package hpack

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// TestInflateFieldsStayOwned keeps every block's fields returned by Inflate
// and checks them all at the end: later blocks, table evictions that reuse
// ring slots (small tables, size updates), entries added by streamed blocks
// in between, long values and failing blocks must not change fields already
// returned, and a dynamic entry's shared copy must never outlive the entry.
func TestInflateFieldsStayOwned(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	pool := []string{"a", "bb", "x-custom", "user-agent", "cookie", ":path", "accept"}
	val := func() string {
		switch r.IntN(10) {
		case 0:
			return strings.Repeat(string(rune('a'+r.IntN(26))), 1500+r.IntN(500)) // own allocation
		case 1:
			return ""
		}
		return fmt.Sprintf("v%d", r.IntN(40)) // repeats: indexed from the table
	}
	e := NewDeflater(4096)
	d := NewInflater()
	var want, got [][]HeaderField
	for i := 0; i < 3000; i++ {
		if i%97 == 0 {
			n := uint32(r.IntN(5) * 256)
			e.ChangeTableSize(n)
			d.ChangeTableSize(n)
		}
		fs := make([]HeaderField, 1+r.IntN(40))
		for j := range fs {
			fs[j] = HeaderField{Name: pool[r.IntN(len(pool))], Value: val(), Sensitive: r.IntN(20) == 0}
		}
		blk, _ := e.Deflate(nil, fs)
		if i%5 == 4 {
			// A streamed block adds entries behind Inflate's back.
			d.SetEmitFunc(func(HeaderField) {})
			if _, err := d.Write(blk); err != nil {
				t.Fatal(err)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		out, err := d.Inflate(blk)
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		want = append(want, fs)
		got = append(got, out)
		if i%7 == 0 {
			// Appending to a returned slice must not touch the next block's.
			_ = append(out, HeaderField{Name: "junk", Value: "junk"})
		}
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("kept block %d changed:\n got %v\nwant %v", i, got[i], want[i])
		}
	}
	// A failing block returns nothing and leaves the fields returned
	// before intact.
	if _, err := d.Inflate([]byte{0x82, 0xff}); err == nil {
		t.Fatal("truncated block accepted")
	}
	if !slices.Equal(got[len(got)-1], want[len(want)-1]) {
		t.Fatal("a failing block changed the last fields returned")
	}
}

// TestInflateAllocs: a warm Inflater's Inflate costs well under one
// allocation per block (the fields slice and the strings are carved from
// slabs and chunks shared by successive blocks), where it used to cost two
// (a slice and a string per block).
func TestInflateAllocs(t *testing.T) {
	lists := sampleLists()
	e := NewDeflater(4096)
	var blocks [][]byte
	for _, l := range lists {
		b, _ := e.Deflate(nil, l)
		blocks = append(blocks, b)
	}
	d := NewInflater()
	run := func() {
		d.table.evictTo(0)
		for _, b := range blocks {
			if _, err := d.Inflate(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	run()
	a := testing.AllocsPerRun(50, run)
	if perBlock := a / float64(len(blocks)); perBlock > 0.5 {
		t.Errorf("Inflate allocates %.2f times per block, want at most 0.5", perBlock)
	}
}

// TestInflateTableKeepsTwoChunks: over a long connection whose table keeps
// entries inserted long ago, the Inflater's owned copies of table entries
// never reference arena chunks older than the previous one, so an Inflater
// keeps at most two chunks alive however its table was filled.
func TestInflateTableKeepsTwoChunks(t *testing.T) {
	e := NewDeflater(4096)
	d := NewInflater()
	for i := 0; i < 2000; i++ {
		fs := []HeaderField{
			{Name: "x-old", Value: "kept since the first block"}, // indexed from block 1 on
			{Name: ":path", Value: fmt.Sprintf("/%0100d", i)},    // a literal never indexed: new chunks, no eviction
		}
		blk, _ := e.Deflate(nil, fs)
		if _, err := d.Inflate(blk); err != nil {
			t.Fatal(err)
		}
		tb := &d.table
		for j := range tb.owned {
			if g := tb.ring[j].ownGen; g != 0 && g+1 < d.inf.strGen {
				t.Fatalf("block %d: slot %d keeps a copy from chunk %d, current %d", i, j, g, d.inf.strGen)
			}
			if tb.ring[j].ownGen == 0 && tb.owned[j] != (ownedField{}) {
				t.Fatalf("block %d: slot %d keeps a dropped copy", i, j)
			}
		}
	}
	if d.inf.strGen < 5 {
		t.Fatalf("only %d chunks used: the test does not exercise dropping", d.inf.strGen)
	}
}

// TestInflateFirstBlockMemory: Inflate's slab of fields and chunk of
// strings start small and double, so that a connection's first request
// costs about what its fields and table need (they used to be a 128-field
// slab and a 4 KiB chunk, over 9 KiB, from the first block on).
func TestInflateFirstBlockMemory(t *testing.T) {
	const maxBytes = 3 << 10
	blk, _ := NewDeflater(4096).Deflate(nil, sampleLists()[0])
	keep := make([][]HeaderField, 0, 101)
	b := allocBytes(100, func() {
		fs, err := NewInflater().Inflate(blk)
		if err != nil {
			t.Fatal(err)
		}
		keep = append(keep, fs)
	})
	if b > maxBytes {
		t.Errorf("a new Inflater's first Inflate of a 10-field request allocates %.0f bytes, want at most %d", b, maxBytes)
	}
	for _, fs := range keep {
		if !slices.Equal(fs, sampleLists()[0]) {
			t.Fatalf("fields %v, want %v", fs, sampleLists()[0])
		}
	}
}

// TestInflateEmptyStringsDoNotAliasTable: an empty name or value that
// Inflate returns for a dynamic table entry is "", not a zero-length view
// of the table's buffer, which would keep that buffer (and the peer's
// other headers in it) alive as long as the caller keeps the field.
func TestInflateEmptyStringsDoNotAliasTable(t *testing.T) {
	d := NewInflater()
	blocks := [][]byte{
		{0x40, 0x00, 0x01, 'v'}, // literal with indexing: "" = "v" (entry 62)
		{0xbe},                  // indexed 62: first reference, copied
		{0xbe},                  // indexed 62: the owned copy
		{0x40, 0x01, 'n', 0x00}, // "n" = "" (entry 62, "" = "v" becomes 63)
		{0xbe, 0xbf},            // both by index
		{0x7e, 0x00},            // literal with indexing, name of 62 ("n"), value ""
		nil,                     // streamed: "" = "w" (entry 62), not copied by Inflate
		{0xbe},                  // indexed 62: its first copy
	}
	for i, b := range blocks {
		if b == nil {
			d.SetEmitFunc(func(HeaderField) {})
			if _, err := d.Write([]byte{0x40, 0x00, 0x01, 'w'}); err != nil {
				t.Fatal(err)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		fs, err := d.Inflate(b)
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		buf := d.table.buf[:cap(d.table.buf)]
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
		hi := lo + uintptr(len(buf))
		for _, f := range fs {
			for _, s := range []string{f.Name, f.Value} {
				if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); p != 0 && p >= lo && p <= hi {
					t.Errorf("block %d: field %q: %q points into the dynamic table's buffer", i, f.Name, s)
				}
			}
		}
	}
}
