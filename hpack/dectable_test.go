package hpack

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

// TestDecTableAliasedNames adds entries whose names alias the table's own
// memory (as a literal with an indexed name does), including names of
// entries the insertion evicts and names longer than the on-stack copy used
// during compaction, and checks the table against a plain model after each
// insertion.
func TestDecTableAliasedNames(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	d := NewInflater()
	tb := &d.table
	type pair struct{ name, value string }
	var model []pair // newest first
	modelSize := func() (n uint32) {
		for _, p := range model {
			n += uint32(len(p.name)+len(p.value)) + entryOverhead
		}
		return n
	}
	compactions := 0
	for i := range 20000 {
		var name []byte
		if tb.count > 0 && r.IntN(3) > 0 {
			// Alias an entry's name, often the oldest (about to be
			// evicted).
			k := tb.count - 1
			if r.IntN(2) == 0 {
				k = r.IntN(tb.count)
			}
			n, _ := tb.field(tb.entry(k))
			name = unsafe.Slice(unsafe.StringData(n), len(n))
		} else {
			l := 1 + r.IntN(40)
			if r.IntN(8) == 0 {
				l = 100 + r.IntN(400) // longer than the stack copy
			}
			name = []byte(strings.Repeat(string(rune('a'+i%26)), l))
		}
		value := bytes.Repeat([]byte{byte('A' + i%26)}, r.IntN(600))
		ns, vs := string(name), string(value) // before add can move them
		before := tb.start
		tb.add(name, value)
		if tb.start == 0 && before != 0 && tb.count > 0 {
			compactions++
		}
		model = append([]pair{{ns, vs}}, model...)
		for len(model) > 0 && modelSize() > tb.maxSize {
			model = model[:len(model)-1]
		}
		got := tb.entries()
		if len(got) != len(model) || tb.size != modelSize() {
			t.Fatalf("step %d: %d entries of size %d, want %d of size %d", i, len(got), tb.size, len(model), modelSize())
		}
		for j, e := range got {
			if e.Name != model[j].name || e.Value != model[j].value {
				t.Fatalf("step %d: entry %d is %q: %q, want %q: %q", i, j, e.Name, e.Value, model[j].name, model[j].value)
			}
		}
	}
	if compactions == 0 {
		t.Fatal("no compaction happened")
	}
}

// TestHuffmanDecodeDensest decodes the densest Huffman strings (only 5-bit
// codes, and all-zero octets, which are 5-bit codes followed by invalid
// padding) into exactly the room huffmanDecodedMax reserves.
func TestHuffmanDecodeDensest(t *testing.T) {
	const five = "012aceiost" // the symbols with 5-bit codes
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 300 {
		b := make([]byte, n)
		for i := range b {
			b[i] = five[r.IntN(len(five))]
		}
		enc := appendHuffman(nil, string(b))
		if 8*len(enc)/5 < n {
			t.Fatalf("%d symbols in %d octets", n, len(enc))
		}
		dst := make([]byte, 0, huffmanDecodedMax(len(enc)))
		dec, err := appendHuffmanDecode(dst, enc)
		if err != nil || string(dec) != string(b) {
			t.Fatalf("%q: decoded %q, %v", b, dec, err)
		}
		if unsafe.SliceData(dec) != unsafe.SliceData(dst) {
			t.Fatalf("%d octets: decoding grew a buffer of huffmanDecodedMax", len(enc))
		}
		zeros := make([]byte, n)
		dec, err = appendHuffmanDecode(dst, zeros)
		// 8n bits of zeros are 8n/5 codes of '0', then padding that
		// is not all ones unless no bit is left over.
		if (8*n%5 == 0) != (err == nil) {
			t.Fatalf("%d zero octets: %v", n, err)
		}
		if want := 8 * n / 5; len(dec) < want-1 || strings.Trim(string(dec), "0") != "" {
			t.Fatalf("%d zero octets: decoded %q before the error", n, dec)
		}
	}
}

// TestDecTableEmptyValueAtBufferEnd: an entry with an empty value that ends
// exactly at the end of the table buffer (a long name, the first entry of an
// empty table) is looked up without forming a pointer past the buffer,
// which -race (checkptr) reports as a fatal error.
func TestDecTableEmptyValueAtBufferEnd(t *testing.T) {
	for _, n := range []int{512, 1024, 2048} { // Go size classes: no slack after the buffer
		name := strings.Repeat("n", n)
		d := NewInflater()
		blk := appendInteger([]byte{0x40}, 0, 7, uint64(n)) // §6.2.1, new name, raw
		blk = append(blk, name...)
		blk = append(blk, 0) // empty value
		blk = append(blk, 0x80|62)
		fs, err := d.Inflate(blk)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 2 || fs[1].Name != name || fs[1].Value != "" {
			t.Fatalf("name length %d: got %d fields", n, len(fs))
		}
	}
}
