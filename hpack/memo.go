package hpack

import "unsafe"

// memoFields is the most fields a remembered block may have. A server's
// responses have six to ten.
const memoFields = 12

// blockMemo remembers the last header block Deflate encoded with indexed
// representations only (RFC 7541 §6.1). Such a block changes no encoder
// state: no insertion, no eviction, no entry in the recent values. Encoding
// the same fields again while the table has had no insertion or eviction
// since therefore gives the same octets, which the memo returns without
// looking anything up. A server sends the same fields again and again (a
// file's precomputed header list, the date of the current second), so after
// the first responses on a connection most blocks are such repeats.
//
// "The same fields" means the same strings, compared by address and length
// (Go strings are immutable, so equal addresses and lengths mean equal
// contents), and the same Sensitive flags: the check costs a few
// comparisons per field, and fields equal only in content are encoded
// afresh. The memo holds the strings, so that their memory cannot be reused
// for other contents while it refers to it.
type blockMemo struct {
	fields   [memoFields]HeaderField
	n        uint8
	nout     uint8
	out      [2 * memoFields]byte // an index below 190 takes at most two octets
	inserted uint64               // the table's state the octets are valid for
	evicted  uint64
	maxSize  uint32
}

// matches reports whether fields are the remembered block's and the table
// is in the state they were encoded against.
func (m *blockMemo) matches(t *encTable, fields []HeaderField) bool {
	if int(m.n) != len(fields) || m.inserted != t.inserted || m.evicted != t.evicted || m.maxSize != t.maxSize {
		return false
	}
	for i := range fields {
		if !sameString(m.fields[i].Name, fields[i].Name) || !sameString(m.fields[i].Value, fields[i].Value) ||
			m.fields[i].Sensitive != fields[i].Sensitive {
			return false
		}
	}
	return true
}

// sameString reports whether a and b are the same bytes in memory.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// remember records fields, which encoded to out with indexed
// representations only, against the current table state.
func (d *Deflater) remember(fields []HeaderField, out []byte) {
	if len(out) > len(blockMemo{}.out) {
		return
	}
	m := d.memo
	if m == nil {
		m = new(blockMemo)
		d.memo = m
	}
	// The slots of an older, longer block are cleared so that the memo
	// keeps no strings it does not use.
	if int(m.n) > len(fields) {
		clear(m.fields[len(fields):m.n])
	}
	copy(m.fields[:], fields)
	m.n = uint8(len(fields))
	m.nout = uint8(copy(m.out[:], out))
	t := &d.table
	m.inserted, m.evicted, m.maxSize = t.inserted, t.evicted, t.maxSize
}
