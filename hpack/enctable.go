package hpack

import "math/rand/v2"

// encEntry is one dynamic table entry of a Deflater. The Deflater keeps the
// caller's strings (Go strings are immutable), so an insertion copies no
// bytes.
type encEntry struct {
	name, value string
	nameHash    uint64
	pairHash    uint64
	nextName    uint64 // seq+1 of the next older entry in the same name bucket, 0 for none
	nextPair    uint64 // same for the name+value bucket
	inNames     bool   // linked in the name buckets (names not in the static table)
	staticName  uint8  // lowest static index with this name, 0 if none
}

// encTable is the Deflater's dynamic table with a hash index. Entries are
// numbered by insertion (seq); the entry with seq s is live when s >= evicted
// and has HPACK index staticTableLen + inserted - s. Each bucket holds seq+1
// of the newest entry hashing to it, and entries chain to older ones, so a
// lookup stops at the first evicted seq and no index maintenance is needed on
// eviction.
type encTable struct {
	ring     []encEntry // len is a power of two; entry seq lives at seq&(len-1)
	inserted uint64     // number of insertions so far (next seq)
	evicted  uint64     // seq of the oldest live entry

	nameBuckets []uint64
	pairBuckets []uint64

	seed    uint64
	size    uint32
	maxSize uint32
}

// newEncTable returns an empty table. The ring and the buckets are
// allocated at the first insertion and double as entries arrive (4, 8, 16
// … entries; 128 at most for 4096 octets, since an entry takes at least
// 32), so that a connection holds what its blocks put in the table, not the
// maximum: a server's first response typically adds two or three entries.
func newEncTable(maxSize uint32) encTable {
	return encTable{seed: rand.Uint64(), maxSize: maxSize}
}

func (t *encTable) count() int { return int(t.inserted - t.evicted) }

func (t *encTable) at(seq uint64) *encEntry { return &t.ring[seq&uint64(len(t.ring)-1)] }

// evictTo evicts the oldest entries until the size is at most n.
func (t *encTable) evictTo(n uint32) {
	for t.size > n && t.evicted < t.inserted {
		e := t.at(t.evicted)
		t.size -= uint32(len(e.name)+len(e.value)) + entryOverhead
		e.name, e.value = "", "" // let the collector have them
		t.evicted++
	}
}

func (t *encTable) setMaxSize(n uint32) {
	t.maxSize = n
	t.evictTo(n)
}

// lookupPair returns the HPACK index of the newest entry equal to
// name: value, 0 if none. staticName is the lowest static index with that
// name (0 if none): for such names, comparing it stands for comparing the
// names.
func (t *encTable) lookupPair(name, value string, staticName int, ph uint64) int {
	if t.inserted == t.evicted {
		return 0
	}
	mask := uint64(len(t.pairBuckets) - 1)
	for s := t.pairBuckets[ph&mask]; s != 0; {
		seq := s - 1
		if seq < t.evicted {
			break
		}
		e := t.at(seq)
		if e.pairHash == ph && int(e.staticName) == staticName && strEqual(e.value, value) &&
			(staticName != 0 || strEqual(e.name, name)) {
			return staticTableLen + int(t.inserted-seq)
		}
		s = e.nextPair
	}
	return 0
}

// add inserts name: value (RFC 7541 §4.4), evicting as needed; an entry
// larger than the maximum size empties the table.
// staticName is the lowest static index with that name, 0 if none; only
// other names are linked in the name index, since a static index is always
// used for a static name.
func (t *encTable) add(name, value string, nh, ph uint64, staticName int) {
	inNames := staticName == 0
	sz := uint64(len(name)) + uint64(len(value)) + entryOverhead
	if sz > uint64(t.maxSize) {
		t.evictTo(0)
		return
	}
	t.evictTo(t.maxSize - uint32(sz))
	if t.count() == len(t.ring) {
		t.grow()
	}
	mask := uint64(len(t.pairBuckets) - 1)
	seq := t.inserted
	e := t.at(seq)
	*e = encEntry{name: name, value: value, nameHash: nh, pairHash: ph,
		nextPair: t.pairBuckets[ph&mask], inNames: inNames, staticName: uint8(staticName)}
	t.pairBuckets[ph&mask] = seq + 1
	if inNames {
		e.nextName = t.nameBuckets[nh&mask]
		t.nameBuckets[nh&mask] = seq + 1
	}
	t.inserted++
	t.size += uint32(sz)
}

// minEncRing is the first size of the ring.
const minEncRing = 4

// grow doubles the ring and rebuilds the buckets (twice as many as ring
// slots) from the live entries, oldest first.
func (t *encTable) grow() {
	n := max(2*len(t.ring), minEncRing)
	old := t.ring
	oldMask := uint64(len(old) - 1)
	t.ring = make([]encEntry, n)
	t.nameBuckets = make([]uint64, 2*n)
	t.pairBuckets = make([]uint64, 2*n)
	mask := uint64(2*n - 1)
	for seq := t.evicted; seq < t.inserted; seq++ {
		e := old[seq&oldMask]
		if e.inNames {
			e.nextName = t.nameBuckets[e.nameHash&mask]
			t.nameBuckets[e.nameHash&mask] = seq + 1
		}
		e.nextPair = t.pairBuckets[e.pairHash&mask]
		t.pairBuckets[e.pairHash&mask] = seq + 1
		*t.at(seq) = e
	}
}

// entries returns the live entries, newest first.
func (t *encTable) entries() []Entry {
	out := make([]Entry, 0, t.count())
	for seq := t.inserted; seq > t.evicted; seq-- {
		e := t.at(seq - 1)
		out = append(out, Entry{Name: e.name, Value: e.value, Size: uint32(len(e.name)+len(e.value)) + entryOverhead})
	}
	return out
}

// lookupName returns the HPACK index of the newest entry named name, 0 if
// none.
func (t *encTable) lookupName(name string, nh uint64) int {
	if t.inserted == t.evicted {
		return 0
	}
	mask := uint64(len(t.nameBuckets) - 1)
	for s := t.nameBuckets[nh&mask]; s != 0; {
		seq := s - 1
		if seq < t.evicted {
			break
		}
		e := t.at(seq)
		if e.nameHash == nh && strEqual(e.name, name) {
			return staticTableLen + int(t.inserted-seq)
		}
		s = e.nextName
	}
	return 0
}
