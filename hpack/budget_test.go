package hpack

import (
	"errors"
	"strings"
	"testing"
)

// budgetBlock is one block of a budget scenario with its expected outcome.
type budgetBlock struct {
	wire   []byte
	fields []HeaderField // emitted fields
	err    error         // nil, or the budget sentinel
	table  []Entry       // table after the block
}

// runBudget decodes the blocks with Inflate, then streamed one octet at a
// time, then streamed in two pieces split at every position, and checks
// the emitted fields, the error and the table after every block.
func runBudget(t *testing.T, setup func(*Inflater), blocks []budgetBlock) {
	t.Helper()
	check := func(mode string, i int, got []HeaderField, err error, d *Inflater, b budgetBlock) {
		t.Helper()
		if !errors.Is(err, b.err) || (err != nil && b.err == nil) {
			t.Fatalf("%s block %d: error %v, want %v", mode, i, err, b.err)
		}
		if b.err != nil && !errors.As(err, new(*BudgetError)) {
			t.Fatalf("%s block %d: %v is not a *BudgetError", mode, i, err)
		}
		if len(got) != len(b.fields) {
			t.Fatalf("%s block %d: fields %v, want %v", mode, i, got, b.fields)
		}
		for j := range got {
			if got[j] != b.fields[j] {
				t.Fatalf("%s block %d: field %d %+v, want %+v", mode, i, j, got[j], b.fields[j])
			}
		}
		var size uint32
		for _, e := range b.table {
			size += e.Size
		}
		checkTable(t, d.Table(), d.TableSize(), b.table, size)
	}
	d := NewInflater()
	setup(d)
	for i, b := range blocks {
		got, err := d.Inflate(b.wire)
		check("Inflate", i, got, err, d, b)
	}
	stream := func(mode string, split func(p []byte) [][]byte) {
		d := NewInflater()
		setup(d)
		var got []HeaderField
		d.SetEmitFunc(func(f HeaderField) {
			got = append(got, HeaderField{strings.Clone(f.Name), strings.Clone(f.Value), f.Sensitive})
		})
		for i, b := range blocks {
			got = got[:0]
			for _, piece := range split(b.wire) {
				if n, err := d.Write(piece); err != nil || n != len(piece) {
					t.Fatalf("%s block %d: Write(%d octets) = %d, %v", mode, i, len(piece), n, err)
				}
			}
			err := d.Close()
			check(mode, i, got, err, d, b)
		}
	}
	stream("octets", func(p []byte) [][]byte {
		var out [][]byte
		for i := range p {
			out = append(out, p[i:i+1])
		}
		return out
	})
	maxLen := 0
	for _, b := range blocks {
		maxLen = max(maxLen, len(b.wire))
	}
	for at := 0; at <= maxLen; at++ {
		stream("split", func(p []byte) [][]byte {
			k := min(at, len(p))
			return [][]byte{p[:k], p[k:]}
		})
	}
}

// lit builds a literal representation with a literal name (raw strings).
func lit(first byte, name, value string) []byte {
	b := []byte{first}
	b = appendInteger(b, 0, 7, uint64(len(name)))
	b = append(b, name...)
	b = appendInteger(b, 0, 7, uint64(len(value)))
	return append(b, value...)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestBudgetFieldCount(t *testing.T) {
	three := []byte{0x82, 0x86, 0x84}
	runBudget(t, func(d *Inflater) { d.SetMaxFieldCount(3) }, []budgetBlock{
		{three, hf(":method", "GET", ":scheme", "http", ":path", "/"), nil, nil},
		// Four fields: one over. The fifth field, after the budget
		// error, still enters the dynamic table.
		{cat(three, []byte{0x87}, lit(0x40, "k", "v")), hf(":method", "GET", ":scheme", "http", ":path", "/"), ErrTooManyFields, entries("k", "v")},
		// The table is in step: index 62 is k: v.
		{[]byte{0xbe}, hf("k", "v"), nil, entries("k", "v")},
	})
}

func TestBudgetHeaderListSize(t *testing.T) {
	// :method: GET is 42, abc: d is 36: 78 in all.
	block := cat([]byte{0x82}, lit(0x00, "abc", "d"))
	runBudget(t, func(d *Inflater) { d.SetMaxHeaderListSize(78) }, []budgetBlock{
		{block, hf(":method", "GET", "abc", "d"), nil, nil},
	})
	runBudget(t, func(d *Inflater) { d.SetMaxHeaderListSize(77) }, []budgetBlock{
		{cat(block, lit(0x40, "x", "y")), hf(":method", "GET"), ErrHeaderListTooLarge, entries("x", "y")},
		{[]byte{0xbe}, hf("x", "y"), nil, entries("x", "y")},
	})
}

func TestBudgetStringLength(t *testing.T) {
	huffValue := func(s string) []byte { // literal without indexing, name "a"
		b := []byte{0x00, 0x01, 'a'}
		b = appendInteger(b, 0x80, 7, uint64(huffmanEncodedLen(s)))
		return appendHuffman(b, s)
	}
	runBudget(t, func(d *Inflater) { d.SetMaxStringLength(5) }, []budgetBlock{
		{lit(0x00, "abcde", "abcde"), hf("abcde", "abcde"), nil, nil},
		{huffValue("abcde"), hf("a", "abcde"), nil, nil},
		{cat(lit(0x00, "a", "abcdef"), []byte{0x82}), nil, ErrStringTooLong, nil},
		{cat(lit(0x00, "a", "b"), huffValue("abcdef")), hf("a", "b"), ErrStringTooLong, nil},
		{lit(0x00, "abcdef", "a"), nil, ErrStringTooLong, nil},
		// Indexed after the error: the table stays in step.
		{cat(lit(0x00, "a", "abcdef"), lit(0x40, "k", "v")), nil, ErrStringTooLong, entries("k", "v")},
		// A long string that can enter the table is decoded and
		// inserted, though not emitted; later references to it are
		// over budget too.
		{lit(0x40, "k", "0123456789"), nil, ErrStringTooLong, entries("k", "0123456789", "k", "v")},
		{[]byte{0xbf}, hf("k", "v"), nil, entries("k", "0123456789", "k", "v")},
		{[]byte{0xbe}, nil, ErrStringTooLong, entries("k", "0123456789", "k", "v")},
	})
}

// TestBudgetSkippedStrings: strings over budget that cannot enter the table
// are skipped without being buffered, and an indexed representation with
// one empties the table (RFC 7541 §4.4).
func TestBudgetSkippedStrings(t *testing.T) {
	long := strings.Repeat("x", 300)
	runBudget(t, func(d *Inflater) { d.SetMaxStringLength(16) }, []budgetBlock{
		{cat([]byte{0x3f, 0x61}, lit(0x40, "k", "v")), hf("k", "v"), nil, entries("k", "v")}, // table of 128
		{cat(lit(0x00, "a", long), []byte{0x82}), nil, ErrStringTooLong, entries("k", "v")},
		{cat(lit(0x10, long, "b"), []byte{0xbe}), nil, ErrStringTooLong, entries("k", "v")},
		{[]byte{0xbe}, hf("k", "v"), nil, entries("k", "v")},
		// Too long for the table with incremental indexing: empties it.
		{cat(lit(0x40, long, "b"), lit(0x40, "n", "m")), nil, ErrStringTooLong, entries("n", "m")},
		{cat(lit(0x40, "a", long), []byte{0x82}), nil, ErrStringTooLong, nil},
		{[]byte{0x82}, hf(":method", "GET"), nil, nil},
	})
}

func TestBudgetDefaults(t *testing.T) {
	d := NewInflater()
	if d.maxListSize != DefaultMaxHeaderListSize || d.maxFields != DefaultMaxFieldCount || d.maxString != DefaultMaxStringLength {
		t.Fatalf("defaults %d %d %d", d.maxListSize, d.maxFields, d.maxString)
	}
	// DefaultMaxFieldCount fields pass, one more does not.
	block := make([]byte, DefaultMaxFieldCount)
	for i := range block {
		block[i] = 0x82
	}
	if got, err := d.Inflate(block); err != nil || len(got) != DefaultMaxFieldCount {
		t.Fatalf("%d fields: %v", len(got), err)
	}
	if _, err := d.Inflate(append(block, 0x82)); !errors.Is(err, ErrTooManyFields) {
		t.Fatalf("one over: %v", err)
	}
	// A value of DefaultMaxStringLength passes, one more does not.
	v := strings.Repeat("v", DefaultMaxStringLength)
	if _, err := d.Inflate(lit(0, "a", v)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Inflate(lit(0, "a", v+"v")); !errors.Is(err, ErrStringTooLong) {
		t.Fatalf("one over: %v", err)
	}
	// The Inflater is still usable.
	if got, err := d.Inflate([]byte{0x82}); err != nil || len(got) != 1 {
		t.Fatalf("after budget errors: %v %v", got, err)
	}
}

// TestHugeStringMemoryBounded: an 8 MB value streamed in frame-sized pieces
// is skipped, not buffered: the Inflater's memory stays small and the block
// ends with a budget error, the Inflater still usable.
func TestHugeStringMemoryBounded(t *testing.T) {
	for _, first := range []byte{0x00, 0x40, 0x10} {
		d := NewInflater()
		const size = 8 << 20
		hdr := []byte{first, 0x01, 'a'}
		hdr = appendInteger(hdr, 0x80, 7, size) // Huffman flag: content is never decoded
		if _, err := d.Write(hdr); err != nil {
			t.Fatal(err)
		}
		piece := make([]byte, 16384)
		for i := range piece {
			piece[i] = 0xff
		}
		for sent := 0; sent < size; sent += len(piece) {
			if _, err := d.Write(piece); err != nil {
				t.Fatal(err)
			}
			if cap(d.pending) > 64 {
				t.Fatalf("pending buffer grew to %d octets", cap(d.pending))
			}
		}
		if _, err := d.Write([]byte{0x82}); err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); !errors.Is(err, ErrStringTooLong) {
			t.Fatalf("%02x: %v, want ErrStringTooLong", first, err)
		}
		if got, err := d.Inflate([]byte{0x82}); err != nil || len(got) != 1 {
			t.Fatalf("%02x: after the block: %v %v", first, got, err)
		}
	}
}
