package hpack_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/hpack"
)

// shadowTable is an independent model of an HPACK dynamic table, written
// for the tests from RFC 7541 §4 alone. It does not decode strings: it only
// walks a block's representations to learn which of the block's fields
// (known from the corpus JSON or from x/net's decoder) were inserted, and
// where the dynamic table size updates are. Its table is what Table() must
// return on the Deflater that wrote the block and on the Inflater that read
// it.
type shadowTable struct {
	entries []hpack.Entry // newest first
	size    uint32
	max     uint32
	// updates holds the size updates that opened the last block applied.
	updates []uint32
}

func newShadowTable() *shadowTable {
	return &shadowTable{max: hpack.DefaultHeaderTableSize}
}

var errShadowMalformed = errors.New("shadow: malformed block")

// apply walks block, whose decoded fields are fields in order, and updates
// the model.
func (s *shadowTable) apply(block []byte, fields []hpack.HeaderField) error {
	s.updates = s.updates[:0]
	k := 0 // next field
	start := true
	for len(block) > 0 {
		b := block[0]
		var err error
		switch {
		case b&0x80 != 0: // RFC 7541 §6.1: indexed header field
			_, block, err = shadowInt(block, 7)
			if err == nil {
				k++
			}
		case b&0xc0 == 0x40: // §6.2.1: literal with incremental indexing
			block, err = shadowLiteral(block, 6)
			if err == nil {
				if k >= len(fields) {
					return fmt.Errorf("%w: more representations than the %d fields", errShadowMalformed, len(fields))
				}
				s.add(fields[k])
				k++
			}
		case b&0xe0 == 0x20: // §6.3: dynamic table size update
			if !start {
				return fmt.Errorf("%w: size update after a field", errShadowMalformed)
			}
			var v uint64
			v, block, err = shadowInt(block, 5)
			if err == nil {
				s.max = uint32(v)
				s.updates = append(s.updates, s.max)
				s.evict(0)
			}
		default: // §6.2.2 and §6.2.3: literal without indexing / never indexed
			block, err = shadowLiteral(block, 4)
			if err == nil {
				k++
			}
		}
		if err != nil {
			return err
		}
		if b&0xe0 != 0x20 {
			start = false
		}
	}
	if k != len(fields) {
		return fmt.Errorf("%w: %d representations for %d fields", errShadowMalformed, k, len(fields))
	}
	return nil
}

// add inserts f as RFC 7541 §4.4 says: evict until it fits; an entry larger
// than the table empties it and is not inserted.
func (s *shadowTable) add(f hpack.HeaderField) {
	e := hpack.Entry{Name: f.Name, Value: f.Value, Size: f.Size()}
	if e.Size > s.max {
		s.entries, s.size = s.entries[:0], 0
		return
	}
	s.evict(e.Size)
	s.entries = append([]hpack.Entry{e}, s.entries...)
	s.size += e.Size
}

// evict drops the oldest entries until room more octets fit under max
// (RFC 7541 §4.3).
func (s *shadowTable) evict(room uint32) {
	for len(s.entries) > 0 && s.size+room > s.max {
		last := s.entries[len(s.entries)-1]
		s.entries = s.entries[:len(s.entries)-1]
		s.size -= last.Size
	}
}

// diff compares a codec's table with the model; "" means equal.
func (s *shadowTable) diff(table []hpack.Entry, size uint32) string {
	if size != s.size {
		return fmt.Sprintf("TableSize() = %d, model %d", size, s.size)
	}
	if len(table) != len(s.entries) {
		return fmt.Sprintf("Table() has %d entries, model %d", len(table), len(s.entries))
	}
	for i := range table {
		if table[i] != s.entries[i] {
			return fmt.Sprintf("Table()[%d] = %+v, model %+v", i, table[i], s.entries[i])
		}
	}
	return ""
}

// shadowInt decodes an RFC 7541 §5.1 integer with an n-bit prefix.
func shadowInt(b []byte, n uint) (uint64, []byte, error) {
	mask := uint64(1)<<n - 1
	v := uint64(b[0]) & mask
	b = b[1:]
	if v < mask {
		return v, b, nil
	}
	for m := uint(0); ; m += 7 {
		if len(b) == 0 {
			return 0, nil, fmt.Errorf("%w: truncated integer", errShadowMalformed)
		}
		if m > 56 {
			return 0, nil, fmt.Errorf("%w: integer too long", errShadowMalformed)
		}
		c := b[0]
		b = b[1:]
		v += uint64(c&0x7f) << m
		if c&0x80 == 0 {
			return v, b, nil
		}
	}
}

// shadowLiteral skips a literal representation: an index with an n-bit
// prefix, a name string when the index is 0, and a value string (§6.2).
func shadowLiteral(b []byte, n uint) ([]byte, error) {
	idx, b, err := shadowInt(b, n)
	if err != nil {
		return nil, err
	}
	if idx == 0 {
		if b, err = shadowString(b); err != nil {
			return nil, err
		}
	}
	return shadowString(b)
}

// shadowString skips an RFC 7541 §5.2 string literal.
func shadowString(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: missing string", errShadowMalformed)
	}
	n, b, err := shadowInt(b, 7)
	if err != nil {
		return nil, err
	}
	if uint64(len(b)) < n {
		return nil, fmt.Errorf("%w: string of %d octets, %d left", errShadowMalformed, n, len(b))
	}
	return b[n:], nil
}

// TestShadowModelRFC checks the model itself against the tables printed in
// RFC 7541 Appendix C.5 (responses, dynamic table of 256 octets, with
// evictions), so that the corpus and differential tests rest on a model
// that is known to be right.
func TestShadowModelRFC(t *testing.T) {
	const date1, date2 = "Mon, 21 Oct 2013 20:13:21 GMT", "Mon, 21 Oct 2013 20:13:22 GMT"
	const loc, cookie = "https://www.example.com", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
	hf := func(kv ...string) []hpack.HeaderField {
		var fs []hpack.HeaderField
		for i := 0; i < len(kv); i += 2 {
			fs = append(fs, hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
		}
		return fs
	}
	ent := func(kv ...string) []hpack.Entry {
		var es []hpack.Entry
		for _, f := range hf(kv...) {
			es = append(es, hpack.Entry{Name: f.Name, Value: f.Value, Size: f.Size()})
		}
		return es
	}
	steps := []struct {
		wire   string
		fields []hpack.HeaderField
		table  []hpack.Entry
		size   uint32
	}{
		{"4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
			hf(":status", "302", "cache-control", "private", "date", date1, "location", loc),
			ent("location", loc, "date", date1, "cache-control", "private", ":status", "302"), 222},
		{"4803333037c1c0bf",
			hf(":status", "307", "cache-control", "private", "date", date1, "location", loc),
			ent(":status", "307", "location", loc, "date", date1, "cache-control", "private"), 222},
		{"88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
			hf(":status", "200", "cache-control", "private", "date", date2, "location", loc, "content-encoding", "gzip", "set-cookie", cookie),
			ent("set-cookie", cookie, "content-encoding", "gzip", "date", date2), 215},
	}
	m := &shadowTable{max: 256}
	for i, st := range steps {
		block, err := hex.DecodeString(st.wire)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.apply(block, st.fields); err != nil {
			t.Fatalf("C.5.%d: %v", i+1, err)
		}
		if d := m.diff(st.table, st.size); d != "" {
			t.Fatalf("C.5.%d: model differs from the RFC: %s", i+1, d)
		}
	}
	// Malformed blocks are reported, not mis-walked.
	for _, bad := range []string{"3f", "40", "4001", "00016101", "82 20"} {
		block, _ := hex.DecodeString(strings.ReplaceAll(bad, " ", ""))
		if err := newShadowTable().apply(block, hf("a", "b", "c", "d")); !errors.Is(err, errShadowMalformed) {
			t.Errorf("apply(%s) = %v, want errShadowMalformed", bad, err)
		}
	}
}
