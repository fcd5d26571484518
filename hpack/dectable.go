package hpack

import "unsafe"

// decEntry locates one dynamic table entry of an Inflater in decTable.buf.
type decEntry struct {
	off      uint32 // offset of the name in buf; the value follows it
	nameLen  uint32
	valueLen uint32
	// ownGen is the Inflate arena chunk generation of the entry's owned
	// copy in decTable.owned, 0 for none. A new entry starts with none
	// without touching owned, so that the streaming path writes no
	// pointers into the heap (which costs a write barrier while the GC
	// marks).
	ownGen uint32
}

// decTable is the Inflater's dynamic table (RFC 7541 §2.3.2). Names and
// values live in one byte buffer that grows at its end; evicting the oldest
// entry only advances start, and the live bytes are moved back to the front
// when the buffer is full and at least half of it is dead. Every entry is
// therefore contiguous, so decoded fields can alias it without copying, and
// once the buffer and the entry ring have reached their working size an
// insertion allocates nothing. Both start empty and double as entries
// arrive (the buffer from 256 octets up to twice the maximum size, the ring
// from 16 entries up to maxSize/32), so that a connection holds what its
// blocks put in the table, not the maximum.
type decTable struct {
	buf   []byte
	start int    // offset of the oldest live byte
	tmp   []byte // a name saved across a compaction

	ring  []decEntry // circular, newest at head-1
	head  int        // next slot to write
	count int        // live entries

	size    uint32 // RFC 7541 §4.1 size of the live entries
	maxSize uint32 // current maximum size (RFC 7541 §4.2)

	// owned holds, for Inflate, where the immutable copy of each entry
	// is, slot for slot with ring (allocated on Inflate's first use):
	// every block that references an entry returns the same strings
	// instead of new copies. owned[j] is valid while ring[j].ownGen != 0,
	// and refers to Inflate's arena chunk of that generation by offsets,
	// not pointers, so that recording a copy stores no pointer (no write
	// barrier while the GC marks). Copies older than the previous chunk
	// are dropped (Inflater.newChunk), so that only the two chunks the
	// Inflater holds are ever referenced.
	owned []ownedField
}

// ownedField locates the owned copy of a dynamic table entry: the offsets
// of its name and value in the arena chunk of the entry's ownGen (lengths
// are the entry's), or for a name from the static table, ownedStatic|index.
// The zero value means none yet.
type ownedField struct{ name, value uint32 }

// ownedStatic marks an ownedField name that is the static table entry's
// name (an immutable string constant) rather than an offset.
const ownedStatic = 1 << 31

// slot returns the ring index of the i-th newest entry.
func (t *decTable) slot(i int) int {
	j := t.head - 1 - i
	if j < 0 {
		j += len(t.ring)
	}
	return j
}

// entry returns the i-th newest entry, i from 0.
func (t *decTable) entry(i int) decEntry { return t.ring[t.slot(i)] }

// field returns name and value of e as strings aliasing the table's memory:
// they are valid until the next insertion.
func (t *decTable) field(e decEntry) (name, value string) {
	if e.nameLen+e.valueLen == 0 {
		return "", ""
	}
	p := unsafe.Pointer(&t.buf[e.off])
	name = unsafe.String((*byte)(p), e.nameLen)
	if e.valueLen > 0 {
		// Only then: an entry with an empty value can end exactly at
		// the end of the buffer, and a pointer past an allocation is
		// invalid (checkptr, -race).
		value = unsafe.String((*byte)(unsafe.Add(p, e.nameLen)), e.valueLen)
	}
	return name, value
}

// evictTo evicts the oldest entries until the table size is at most n
// (RFC 7541 §4.3, §4.4).
func (t *decTable) evictTo(n uint32) {
	for t.size > n && t.count > 0 {
		j := t.slot(t.count - 1)
		e := t.ring[j]
		t.count--
		t.size -= e.nameLen + e.valueLen + entryOverhead
		t.start = int(e.off + e.nameLen + e.valueLen)
	}
	if t.count == 0 {
		t.buf = t.buf[:0]
		t.start = 0
	}
}

// setMaxSize applies a dynamic table size update (RFC 7541 §4.3: "Whenever
// the maximum size for the dynamic table is reduced, entries are evicted from
// the end of the dynamic table until the size of the dynamic table is less
// than or equal to the maximum size").
func (t *decTable) setMaxSize(n uint32) {
	t.maxSize = n
	t.evictTo(n)
}

// add inserts name: value as the newest entry (RFC 7541 §4.4). name and
// value may alias the table itself (a name taken from an entry that this
// insertion evicts): they are copied before any byte can be overwritten.
func (t *decTable) add(name, value []byte) {
	need := uint64(len(name)) + uint64(len(value))
	if need+entryOverhead > uint64(t.maxSize) {
		// RFC 7541 §4.4: "an attempt to add an entry larger than the
		// maximum size causes the table to be emptied of all existing
		// entries and results in an empty table."
		t.evictTo(0)
		return
	}
	sz := uint32(need) + entryOverhead
	t.evictTo(t.maxSize - sz)
	end := len(t.buf)
	if cap(t.buf)-end < int(need) {
		live := end - t.start
		if t.start >= live && cap(t.buf)-live >= int(need) {
			// Compact: move the live bytes to the front. A name
			// aliasing the buffer is saved first, since the move can
			// overwrite it.
			if t.aliases(name) {
				// Names are short: save them on the stack, so
				// that compaction does not allocate.
				var small [128]byte
				if len(name) <= len(small) {
					name = append(small[:0], name...)
				} else {
					t.tmp = append(t.tmp[:0], name...)
					name = t.tmp
				}
			}
			copy(t.buf, t.buf[t.start:end])
			t.rebase(t.start)
			t.buf = t.buf[:live]
			t.start = 0
		} else {
			// At twice the maximum size the buffer never needs to
			// grow again: the live bytes and the new entry fit in
			// maxSize, so when they do not fit at the end, at least
			// maxSize octets before start are dead and compaction
			// has room.
			c := min(max(2*cap(t.buf), 2*live+int(need), 256), 2*int(t.maxSize))
			nb := make([]byte, live, max(c, live+int(need)))
			copy(nb, t.buf[t.start:end])
			// name may alias the old buffer, which stays intact.
			t.rebase(t.start)
			nb = append(nb, name...)
			nb = append(nb, value...)
			t.buf = nb
			t.start = 0
			t.push(decEntry{off: uint32(live), nameLen: uint32(len(name)), valueLen: uint32(len(value))}, sz)
			return
		}
	}
	// The room is there: reslicing only stores the length, where
	// append would also store the pointer (a write barrier while the GC
	// marks).
	off := len(t.buf)
	t.buf = t.buf[:off+int(need)]
	copy(t.buf[off:], name)
	copy(t.buf[off+len(name):], value)
	t.push(decEntry{off: uint32(off), nameLen: uint32(len(name)), valueLen: uint32(len(value))}, sz)
}

// aliases reports whether s points into t.buf's backing array.
func (t *decTable) aliases(s []byte) bool {
	if len(s) == 0 || cap(t.buf) == 0 {
		return false
	}
	b := uintptr(unsafe.Pointer(unsafe.SliceData(t.buf[:1])))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	return p >= b && p < b+uintptr(cap(t.buf))
}

// rebase subtracts d from the offset of every live entry.
func (t *decTable) rebase(d int) {
	for i := 0; i < t.count; i++ {
		j := t.head - 1 - i
		if j < 0 {
			j += len(t.ring)
		}
		t.ring[j].off -= uint32(d)
	}
}

func (t *decTable) push(e decEntry, sz uint32) {
	if t.count == len(t.ring) {
		n := max(2*len(t.ring), 16)
		nr := make([]decEntry, n)
		var no []ownedField
		if t.owned != nil {
			no = make([]ownedField, n)
		}
		for i := 0; i < t.count; i++ {
			j := t.slot(i)
			nr[t.count-1-i] = t.ring[j]
			if no != nil {
				no[t.count-1-i] = t.owned[j]
			}
		}
		t.ring, t.owned = nr, no
		t.head = t.count
	}
	if t.head == len(t.ring) {
		t.head = 0
	}
	t.ring[t.head] = e
	t.head++
	t.count++
	t.size += sz
}

// entries returns copies of the live entries, newest first.
func (t *decTable) entries() []Entry {
	out := make([]Entry, t.count)
	for i := range out {
		e := t.entry(i)
		n, v := t.field(e)
		out[i] = Entry{Name: string([]byte(n)), Value: string([]byte(v)), Size: e.nameLen + e.valueLen + entryOverhead}
	}
	return out
}

// setOwned records o, made in arena chunk generation gen, as Inflate's
// owned copy of the entry at slot.
func (t *decTable) setOwned(slot int, o ownedField, gen uint32) {
	if t.owned == nil {
		t.owned = make([]ownedField, len(t.ring))
	}
	t.owned[slot] = o
	t.ring[slot].ownGen = gen
}

// dropOwned drops the owned copies made before arena chunk generation
// minGen, live or evicted, so that they no longer keep their chunk alive.
func (t *decTable) dropOwned(minGen uint32) {
	for j := range t.owned {
		if g := t.ring[j].ownGen; g != 0 && g < minGen {
			t.ring[j].ownGen = 0
			t.owned[j] = ownedField{}
		}
	}
}
