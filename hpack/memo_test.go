package hpack

import (
	"bytes"
	"strings"
	"testing"
	"unsafe"
)

// cloneFields returns fields with copies of every string.
func cloneFields(fields []HeaderField) []HeaderField {
	out := make([]HeaderField, len(fields))
	for i, f := range fields {
		out[i] = HeaderField{Name: strings.Clone(f.Name), Value: strings.Clone(f.Value), Sensitive: f.Sensitive}
	}
	return out
}

// TestDeflateMemoSameOctets: a Deflater whose block memo answers repeats
// writes exactly the octets of a Deflater whose memo is dropped before every
// block (which encodes every block afresh), through insertions, evictions,
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
	for _, stable := range []bool{false, true} {
		deflate := (*Deflater).Deflate
		if stable {
			deflate = (*Deflater).DeflateStable // the strings above never change
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
			hit := a.memo != nil && a.memo.matches(&a.table, s.fields, stable)
			got, _ := deflate(a, nil, s.fields)
			b.memo = nil
			want, _ := b.Deflate(nil, cloneFields(s.fields))
			if !bytes.Equal(got, want) {
				t.Fatalf("stable %v, step %d: memo Deflater wrote %x, fresh one %x", stable, i, got, want)
			}
			if s.memo != hit {
				t.Errorf("stable %v, step %d: memo answered %v, want %v", stable, i, hit, s.memo)
			}
			fields, err := dec.Inflate(got)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			checkSame(t, "decoded", fields, s.fields)
		}
	}
}

// TestDeflateStableByAddress: between DeflateStable calls a repeat is
// recognised by the strings' addresses (equal contents elsewhere are
// compared); a block remembered by Deflate is never matched by address.
func TestDeflateStableByAddress(t *testing.T) {
	fields := []HeaderField{{Name: "content-type", Value: "text/plain"}, {Name: "x-a", Value: "b"}}
	e := NewDeflater(4096)
	for range 3 {
		e.DeflateStable(nil, fields)
	}
	if e.memo == nil || !e.memo.stable || !e.memo.sameStrings(fields) {
		t.Fatal("the stable block is not remembered by address")
	}
	if e.memo.sameStrings(cloneFields(fields)) {
		t.Error("copies at other addresses matched by address")
	}
	if !e.memo.matches(&e.table, cloneFields(fields), true) {
		t.Error("copies with equal contents did not match")
	}
	e = NewDeflater(4096)
	for range 3 {
		e.Deflate(nil, fields)
	}
	if e.memo == nil || e.memo.stable || e.memo.ptrs[0][0] != nil {
		t.Error("a block remembered by Deflate keeps addresses")
	}
	if !e.memo.matches(&e.table, fields, true) {
		t.Error("a repeat through DeflateStable did not match the contents")
	}
}

// TestDeflateMemoComparesContents: strings that alias a reused buffer (as
// the engine's per-stream arena is reused) can hold other octets at the same
// address by the next block; the memo compares contents, so it answers only
// for equal fields and never replays an index for the old value.
func TestDeflateMemoComparesContents(t *testing.T) {
	buf := []byte("aaa")
	aliased := unsafe.String(&buf[0], len(buf))
	fields := []HeaderField{{Name: "x-echo", Value: aliased}, {Name: "accept-ranges", Value: "bytes"}}
	e := NewDeflater(4096)
	dec := NewInflater()
	for i, v := range []string{"aaa", "bbb", "aaa", "bbb", "aaa", "bbb", "bbb", "aaa"} {
		copy(buf, v)
		block, _ := e.Deflate(nil, fields)
		got, err := dec.Inflate(block)
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		if got[0].Value != v {
			t.Fatalf("block %d: x-echo decoded as %q, want %q", i, got[0].Value, v)
		}
	}
	if e.memo == nil {
		t.Fatal("no block was remembered")
	}
}
