package hpack

import "unsafe"

// Limits of a remembered block: a server's responses have six to ten fields
// of a few hundred octets in all.
const (
	memoFields = 12
	memoText   = 512
)

// blockMemo remembers the last header block Deflate encoded with indexed
// representations only (RFC 7541 §6.1). Such a block changes no encoder
// state: no insertion, no eviction, no entry in the recent values. Encoding
// fields equal to it again while the table has had no insertion or eviction
// since (and so has the peer's) therefore gives the same octets, which the
// memo returns without looking anything up. A server sends the same fields
// again and again (a file's precomputed header list, the date of the current
// second), so after the first responses on a connection most blocks are
// such repeats.
//
// The memo keeps its own copy of the fields' octets and compares contents,
// not string addresses: a caller may pass strings that alias memory it
// reuses (the engine's per-stream arena does), where the same address can
// hold other octets by the next block. Only when both the remembered block
// and the new one come from DeflateStable, whose caller promises that the
// bytes never change, do equal addresses and lengths stand for equal
// contents; the memo holds the remembered strings' addresses as pointers,
// so that their memory cannot be reused for other strings meanwhile.
type blockMemo struct {
	inserted  uint64 // the table's state the octets are valid for
	evicted   uint64
	maxSize   uint32
	n         uint8
	nout      uint8
	out       [2 * memoFields]byte // an index below 190 takes at most two octets
	lens      [memoFields][2]uint16
	sensitive [memoFields]bool
	stable    bool                 // remembered by DeflateStable
	ptrs      [memoFields][2]*byte // the strings' addresses, when stable
	text      [memoText]byte       // the names and values, one after the other
}

// matches reports whether fields equal the remembered block's and the table
// is in the state they were encoded against.
func (m *blockMemo) matches(t *encTable, fields []HeaderField, stable bool) bool {
	if int(m.n) != len(fields) || m.inserted != t.inserted || m.evicted != t.evicted || m.maxSize != t.maxSize {
		return false
	}
	if stable && m.stable && m.sameStrings(fields) {
		return true
	}
	// The lengths were checked against memoText when the block was
	// remembered, so the text is read without bounds checks.
	text := unsafe.Pointer(&m.text)
	for i := range fields {
		f := &fields[i]
		l := &m.lens[i]
		nl, vl := uintptr(l[0]), uintptr(l[1])
		if int(nl) != len(f.Name) || int(vl) != len(f.Value) || m.sensitive[i] != f.Sensitive ||
			unsafe.String((*byte)(text), nl) != f.Name ||
			unsafe.String((*byte)(unsafe.Add(text, nl)), vl) != f.Value {
			return false
		}
		text = unsafe.Add(text, nl+vl)
	}
	return true
}

// sameStrings reports whether fields are the remembered strings, by address
// and length, with the same Sensitive flags.
func (m *blockMemo) sameStrings(fields []HeaderField) bool {
	for i := range fields {
		f := &fields[i]
		l, p := &m.lens[i], &m.ptrs[i]
		if int(l[0]) != len(f.Name) || int(l[1]) != len(f.Value) || m.sensitive[i] != f.Sensitive ||
			len(f.Name) > 0 && p[0] != unsafe.StringData(f.Name) ||
			len(f.Value) > 0 && p[1] != unsafe.StringData(f.Value) {
			return false
		}
	}
	return true
}

// remember records fields, which encoded to out with indexed
// representations only, against the current table state; a block over the
// memo's limits leaves it as it was.
func (d *Deflater) remember(fields []HeaderField, out []byte, stable bool) {
	size := 0
	for i := range fields {
		size += len(fields[i].Name) + len(fields[i].Value)
	}
	if len(fields) > memoFields || size > memoText || len(out) > len(blockMemo{}.out) {
		return
	}
	m := d.memo
	if m == nil {
		m = new(blockMemo)
		d.memo = m
	}
	text := m.text[:0]
	for i := range fields {
		f := &fields[i]
		m.lens[i] = [2]uint16{uint16(len(f.Name)), uint16(len(f.Value))}
		m.sensitive[i] = f.Sensitive
		m.ptrs[i] = [2]*byte{}
		if stable {
			m.ptrs[i] = [2]*byte{unsafe.StringData(f.Name), unsafe.StringData(f.Value)}
		}
		text = append(text, f.Name...)
		text = append(text, f.Value...)
	}
	clear(m.ptrs[len(fields):]) // keep no other strings alive
	m.n = uint8(len(fields))
	m.stable = stable
	m.nout = uint8(copy(m.out[:], out))
	t := &d.table
	m.inserted, m.evicted, m.maxSize = t.inserted, t.evicted, t.maxSize
}
