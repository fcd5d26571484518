package hpack

import (
	"errors"
	"testing"
)

func TestInflateErrors(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(d *Inflater)
		wire   string
		err    error
		offset int
	}{
		{"index 0", nil, "80", ErrInvalidIndex, 0},
		{"index past static on empty table", nil, "82be", ErrInvalidIndex, 1},
		{"literal name index past tables", nil, "7e0161", ErrInvalidIndex, 0},
		{"never-indexed name index past tables", nil, "1f2f0161", ErrInvalidIndex, 0},
		{"integer over 32 bits", nil, "ffffffffff0f", ErrIntegerOverflow, 0},
		{"integer with 11 continuation octets", nil, "ff8080808080808080808000", ErrIntegerOverflow, 0},
		{"string length over 32 bits", nil, "40ffffffffff0f", ErrIntegerOverflow, 1},
		{"truncated index", nil, "ff", ErrTruncated, 0},
		{"truncated literal name", nil, "4003616263", ErrTruncated, 0},
		{"truncated Huffman value", nil, "418cf1e3c2e5", ErrTruncated, 0},
		{"missing value", nil, "41", ErrTruncated, 0},
		{"bad Huffman padding", nil, "418118", ErrInvalidHuffman, 1},
		{"EOS in a name", nil, "4084ffffffff0161", ErrInvalidHuffman, 1},
		{"size update above default limit", nil, "3fe21f", ErrTableSizeUpdate, 0},
		{"size update after a field", nil, "8220", ErrTableSizeUpdate, 1},
		{"size update above advertised limit", func(d *Inflater) { d.ChangeTableSize(100) }, "3f46", ErrTableSizeUpdate, 0},
		{"required size update missing", func(d *Inflater) { d.ChangeTableSize(100) }, "82", ErrTableSizeUpdate, 0},
		{"required size update missing in empty block", func(d *Inflater) { d.ChangeTableSize(100) }, "", ErrTableSizeUpdate, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewInflater()
			if tt.setup != nil {
				tt.setup(d)
			}
			_, err := d.Inflate(unhex(t, tt.wire))
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			var de *DecodingError
			if !errors.As(err, &de) || de.Offset != tt.offset {
				t.Errorf("error %#v, want a *DecodingError at offset %d", err, tt.offset)
			}
			if errors.As(err, new(*BudgetError)) {
				t.Errorf("%v is not a budget error", err)
			}
			// The Inflater is now unusable, and says so.
			_, err2 := d.Inflate(unhex(t, "82"))
			if !errors.Is(err2, ErrInflaterFailed) || !errors.Is(err2, tt.err) {
				t.Errorf("after failure: %v, want ErrInflaterFailed wrapping %v", err2, tt.err)
			}
			if _, err := d.Write([]byte{0x82}); !errors.Is(err, ErrInflaterFailed) {
				t.Errorf("Write after failure: %v", err)
			}
			if err := d.Close(); !errors.Is(err, ErrInflaterFailed) {
				t.Errorf("Close after failure: %v", err)
			}
			if err := d.ChangeTableSize(10); !errors.Is(err, ErrInflaterFailed) {
				t.Errorf("ChangeTableSize after failure: %v", err)
			}
		})
	}
}

// TestInflateErrorsStreamed: the same malformed blocks fed one octet at a
// time give the same errors (at Write, or at Close for truncation).
func TestInflateErrorsStreamed(t *testing.T) {
	tests := []struct {
		wire string
		err  error
	}{
		{"80", ErrInvalidIndex},
		{"ffffffffff0f", ErrIntegerOverflow},
		{"418cf1e3c2e5", ErrTruncated},
		{"418118", ErrInvalidHuffman},
		{"8220", ErrTableSizeUpdate},
	}
	for _, tt := range tests {
		d := NewInflater()
		var err error
		for _, b := range unhex(t, tt.wire) {
			if _, err = d.Write([]byte{b}); err != nil {
				break
			}
		}
		if err == nil {
			err = d.Close()
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.wire, err, tt.err)
		}
	}
}

func TestSizeUpdateRules(t *testing.T) {
	// Several updates at the start of a block are allowed (RFC 7541 §4.2).
	d := NewInflater()
	if _, err := d.Inflate(unhex(t, "20 3fe11f 82")); err != nil {
		t.Fatal(err)
	}
	if d.MaxTableSize() != 4096 {
		t.Errorf("MaxTableSize %d", d.MaxTableSize())
	}
	// Reducing the advertised size requires an update <= n in the next
	// block; a smaller one is fine, and later blocks need none.
	if _, err := d.Inflate(unhex(t, "4003616263016482")); err != nil { // abc: d
		t.Fatal(err)
	}
	if err := d.ChangeTableSize(100); err != nil {
		t.Fatal(err)
	}
	if len(d.Table()) != 1 {
		t.Fatalf("the table changes only with the update: %v", d.Table())
	}
	if _, err := d.Inflate(unhex(t, "3e 82")); err != nil { // update to 30
		t.Fatal(err)
	}
	if d.MaxTableSize() != 30 || d.TableSize() != 0 {
		t.Errorf("max %d size %d, want 30 and evicted", d.MaxTableSize(), d.TableSize())
	}
	if _, err := d.Inflate(unhex(t, "82")); err != nil {
		t.Fatal(err)
	}
	// Raising the advertised size requires no update, and allows one up
	// to the new limit.
	if err := d.ChangeTableSize(8192); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Inflate(unhex(t, "82")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Inflate(unhex(t, "3fe13f 82")); err != nil { // 8192
		t.Fatal(err)
	}
	if d.MaxTableSize() != 8192 {
		t.Errorf("MaxTableSize %d", d.MaxTableSize())
	}
	// ChangeTableSize inside a streamed block is refused.
	d.Write(unhex(t, "82"))
	if err := d.ChangeTableSize(10); !errors.Is(err, ErrMidBlock) {
		t.Errorf("mid-block ChangeTableSize: %v", err)
	}
	if _, err := d.Inflate(nil); !errors.Is(err, ErrMidBlock) {
		t.Errorf("mid-block Inflate: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestEvictionKeepsReferencedName: RFC 7541 §4.4 "the new entry can reference
// the name of an entry in the dynamic table that will be evicted when adding
// this new entry".
func TestEvictionKeepsReferencedName(t *testing.T) {
	d := NewInflater()
	// Table of 64: "aaaa: b" (37) fits; then a literal with incremental
	// indexing naming index 62 with a 20-octet value evicts it.
	if _, err := d.Inflate(unhex(t, "3f21 4004616161610162")); err != nil {
		t.Fatal(err)
	}
	got, err := d.Inflate(unhex(t, "7e14"+"3031323334353637383930313233343536373839"))
	if err != nil {
		t.Fatal(err)
	}
	want := hf("aaaa", "01234567890123456789")
	checkFields(t, got, want)
	checkTable(t, d.Table(), d.TableSize(), entries("aaaa", "01234567890123456789"), 56)
}

// TestSizeUpdateSmallestSinceLastBlock: when the advertised size changes more
// than once between two blocks, the first size update of the next block must
// be at most the smallest size set in between (RFC 7541 §4.2), so that the
// entries the encoder evicted are evicted here too.
func TestSizeUpdateSmallestSinceLastBlock(t *testing.T) {
	tests := []struct {
		name    string
		changes []uint32
		wire    string // the block after the changes
		err     error  // nil: decoded
		max     uint32 // MaxTableSize afterwards
		size    uint32 // TableSize afterwards
	}{
		// The case: 0 then 4096, and a lone update to 4096
		// would keep "abc: d".
		{"down to 0 and back, final only", []uint32{0, 4096}, "3fe11f 82", ErrTableSizeUpdate, 0, 0},
		{"down to 0 and back, smallest then final", []uint32{0, 4096}, "20 3fe11f 82", nil, 4096, 0},
		{"down to 0 and back, smallest only", []uint32{0, 4096}, "20 82", nil, 0, 0},
		{"down to 100 and back, update above 100", []uint32{100, 4096}, "3f46 82", ErrTableSizeUpdate, 0, 0},
		{"down to 100 and back, update of 100", []uint32{100, 4096}, "3f45 3fe11f 82", nil, 4096, 36},
		{"smallest of three", []uint32{2000, 30, 3000}, "3f00 82", ErrTableSizeUpdate, 0, 0},
		{"smallest of three, honoured", []uint32{2000, 30, 3000}, "3e 3f9917 82", nil, 3000, 0},
		{"up then down, no shrink below the table size", []uint32{8192, 4096}, "82", nil, 4096, 36},
		{"up then down below", []uint32{8192, 100}, "3fe13f 82", ErrTableSizeUpdate, 0, 0},
		{"up then down below, honoured", []uint32{8192, 100}, "3f45 82", nil, 100, 36},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewInflater()
			if _, err := d.Inflate(unhex(t, "4003616263016482")); err != nil { // abc: d
				t.Fatal(err)
			}
			for _, n := range tt.changes {
				if err := d.ChangeTableSize(n); err != nil {
					t.Fatalf("ChangeTableSize(%d): %v", n, err)
				}
			}
			_, err := d.Inflate(unhex(t, tt.wire))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.MaxTableSize() != tt.max || d.TableSize() != tt.size {
				t.Errorf("max %d size %d, want %d and %d", d.MaxTableSize(), d.TableSize(), tt.max, tt.size)
			}
			// The rule applies to one block only.
			if _, err := d.Inflate(unhex(t, "82")); err != nil {
				t.Errorf("next block: %v", err)
			}
		})
	}
}
