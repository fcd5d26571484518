package hpack

import (
	"bytes"
	"strings"
	"testing"
)

// cloneFields returns fields with copies of every string: equal contents at
// other addresses, which the memo never matches.
func cloneFields(fields []HeaderField) []HeaderField {
	out := make([]HeaderField, len(fields))
	for i, f := range fields {
		out[i] = HeaderField{Name: strings.Clone(f.Name), Value: strings.Clone(f.Value), Sensitive: f.Sensitive}
	}
	return out
}

// TestDeflateMemoSameOctets: a Deflater given the same strings again (so
// that its block memo answers) writes exactly the octets of a Deflater given
// copies (which encodes every block afresh), through insertions, evictions,
// table size changes and Sensitive flips between repeats; and the memo did
// answer the repeats it may answer.
func TestDeflateMemoSameOctets(t *testing.T) {
	resp := []HeaderField{
		{Name: "content-type", Value: "text/plain; charset=utf-8"},
		{Name: "content-length", Value: "12"},
		{Name: "etag", Value: `"2a-c-18f0"`},
		{Name: "accept-ranges", Value: "bytes"},
		{Name: "x-custom", Value: "one"},
	}
	other := []HeaderField{{Name: "x-other", Value: strings.Repeat("v", 100)}}
	sensitive := append([]HeaderField(nil), resp...)
	sensitive[4].Sensitive = true
	big := []HeaderField{{Name: "x-big", Value: strings.Repeat("b", 3000)}}
	type step struct {
		fields    []HeaderField
		tableSize []uint32 // SETTINGS_HEADER_TABLE_SIZE changes first
		memo      bool     // the memo must answer this block
	}
	steps := []step{
		{fields: resp},             // inserts (content-length only remembered)
		{fields: resp},             // inserts content-length (a repeat)
		{fields: resp},             // all indexed: remembered
		{fields: resp, memo: true}, // answered by the memo
		{fields: resp, memo: true}, // again
		{fields: other},            // an insertion shifts every index
		{fields: resp},             // so the memo must not answer
		{fields: resp, memo: true}, // until remembered again
		{fields: sensitive},        // a never-indexed literal: not remembered
		{fields: resp, memo: true}, // the older memo still holds
		{fields: resp, tableSize: []uint32{8192}, memo: true}, // capped at 4096: an update, the same table
		{fields: resp, memo: true},
		{fields: resp, tableSize: []uint32{200}}, // evicts
		{fields: resp},
		{fields: resp},
		{fields: big, tableSize: []uint32{4096}}, // empties the table
		{fields: resp},                           // content-length was sent recently: all inserted
		{fields: resp},                           // remembered
		{fields: resp, memo: true},
		{fields: resp[:3]}, // fewer fields: encoded afresh
		{fields: resp[:3], memo: true},
		{fields: resp, memo: false},
		{fields: resp, memo: true},
		// Down and back up between two blocks: the same maximum size, but
		// the block opens with a size update of 0 that empties the table.
		{fields: resp, tableSize: []uint32{100, 4096}},
		{fields: resp},
		{fields: resp, memo: true},
	}
	a, b := NewDeflater(4096), NewDeflater(4096)
	dec := NewInflater()
	for i, s := range steps {
		for _, n := range s.tableSize {
			a.ChangeTableSize(n)
			b.ChangeTableSize(n)
			if err := dec.ChangeTableSize(min(n, 4096)); err != nil {
				t.Fatal(err)
			}
		}
		hit := a.memo != nil && a.memo.matches(&a.table, s.fields)
		got, _ := a.Deflate(nil, s.fields)
		want, _ := b.Deflate(nil, cloneFields(s.fields))
		if !bytes.Equal(got, want) {
			t.Fatalf("step %d: memo Deflater wrote %x, fresh one %x", i, got, want)
		}
		if s.memo != hit {
			t.Errorf("step %d: memo answered %v, want %v", i, hit, s.memo)
		}
		fields, err := dec.Inflate(got)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		checkSame(t, "decoded", fields, s.fields)
	}
}

// TestDeflateMemoHoldsNoStaleStrings: a shorter block remembered after a
// longer one clears the longer one's slots.
func TestDeflateMemoHoldsNoStaleStrings(t *testing.T) {
	long := []HeaderField{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"}, {Name: "accept-ranges", Value: "bytes"}}
	e := NewDeflater(4096)
	e.Deflate(nil, long)
	e.Deflate(nil, long[:1])
	if e.memo == nil || e.memo.n != 1 {
		t.Fatalf("memo %+v, want one field", e.memo)
	}
	for i := 1; i < len(e.memo.fields); i++ {
		if e.memo.fields[i] != (HeaderField{}) {
			t.Errorf("slot %d still holds %+v", i, e.memo.fields[i])
		}
	}
}
