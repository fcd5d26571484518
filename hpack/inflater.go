package hpack

import "unsafe"

// Default decode budgets of an Inflater.
const (
	// DefaultMaxHeaderListSize is the default budget for the sum of the
	// decoded fields' Size() (name + value + 32 each), as counted by
	// SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2).
	DefaultMaxHeaderListSize = 64 << 10
	// DefaultMaxFieldCount is the default budget of fields per block.
	DefaultMaxFieldCount = 512
	// DefaultMaxStringLength is the default budget for one decoded name or
	// value, in octets.
	DefaultMaxStringLength = 16 << 10
)

// Inflater is an HPACK decoder (RFC 7541): one per connection and direction,
// fed the header blocks in the order they arrive. It is not safe for
// concurrent use.
//
// A block is decoded either whole with Inflate, or streamed: SetEmitFunc,
// then Write for each fragment (HEADERS, then CONTINUATION payloads) and
// Close when the block ends (END_HEADERS). A representation split between two
// fragments is carried over in an internal buffer, whose size is bounded by
// the budgets and the dynamic table size.
//
// Budgets (SetMaxHeaderListSize, SetMaxFieldCount, SetMaxStringLength) limit
// what a peer can make the application hold. When one is exceeded, the
// fields from then on are no longer emitted but the block is still decoded to
// its end, so that the dynamic table stays in step with the peer's encoder;
// Close (or Inflate) then returns a *DecodingError wrapping a *BudgetError,
// and the Inflater remains usable. The content of a string that exceeds
// MaxStringLength and cannot enter the dynamic table is skipped without being
// decoded (so its Huffman coding is not checked).
//
// Any other decoding error (ErrInvalidIndex, ErrInvalidHuffman,
// ErrIntegerOverflow, ErrTableSizeUpdate, ErrTruncated) leaves the decoder
// state unknown: the connection must be closed with COMPRESSION_ERROR (RFC
// 9113 §4.3), and every later call returns an error matching
// ErrInflaterFailed.
type Inflater struct {
	table  decTable
	limit  uint32 // largest size update allowed: the advertised SETTINGS_HEADER_TABLE_SIZE
	needUp bool   // the limit went below the table size: the next block must open with an update
	// minLimit is, while needUp, the smallest limit set since the last
	// block: the first size update must not exceed it.
	minLimit uint32

	emit func(HeaderField)

	maxListSize uint32
	maxFields   int
	maxString   int

	failed error // sticky non-budget error

	// Per-block state.
	inBlock   bool
	sawField  bool   // a field representation was seen; size updates are over
	consumed  int    // block offset of the first unconsumed byte
	fields    int    // fields seen, emitted or not
	listSize  uint64 // sum of Size() of the fields seen
	budgetErr error  // first budget error of the block
	pending   []byte // an incomplete item carried to the next Write
	skipN     int    // octets of a skipped string still to discard
	skipValue bool   // after skipN, a value string must be skipped too
	scratch   []byte // Huffman-decoded strings of the current representation

	// Inflate's owned copies (see Inflate). collecting routes the fields
	// to collect instead of emit. What precedes strUsed in the current
	// chunk and slabUsed in slab has been handed out and is never written
	// again.
	collecting bool
	lastOK     bool          // the current representation's field is slab[slabUsed-1]
	inf        *inflateState // allocated by the first Inflate
}

// inflateState is Inflate's memory, apart from the Inflater so that a
// connection that only streams does not carry it.
type inflateState struct {
	// lastGen is, when lastOK, the chunk generation holding the strings of
	// the field collected last (0: not all in one chunk, so not ownable),
	// and lastOwned where they are in it: what ownNewest records.
	lastGen    uint32
	strGen     uint32 // generation of the current chunk, from 1
	lastOwned  ownedField
	strUsed    int
	chunks     [2][]byte // the chunks of generations strGen (current) and strGen-1, at gen&1
	slab       []HeaderField
	slabUsed   int
	slabBytes  int // string bytes copied for the fields of slab
	blockFirst int // slab index of the current block's first field
	lastFields int // fields in the last block Inflate returned
}

// Inflate's memory: names and values are copied into chunks of arenaChunk
// octets (strings longer than arenaChunk/4 get an allocation of their own,
// so that a chunk is never mostly wasted), and the fields of successive
// blocks are carved from slabs of slabFields. A new slab is started for a
// block when the last block's count of fields would not fit in the current
// one or the strings copied for it exceed slabMaxBytes, which bounds what
// holding on to one block's fields keeps alive: one slab, and the strings
// of its fields. An Inflater's first slab and chunk are smaller
// (minSlabFields, minArenaChunk) and each next one doubles up to the full
// size, so that a connection of a few blocks allocates about what they
// need, not 9 KiB.
const (
	arenaChunk    = 4096
	minArenaChunk = 512
	slabFields    = 128
	minSlabFields = 16
	slabMaxBytes  = 16 << 10
)

// minScratch is the capacity Inflater.scratch, which holds the
// Huffman-decoded name and value of one representation, starts with when
// first needed. It grows to the longest representation seen (at most
// 8/5 of the octets of its strings), once per size doubling, and is dropped
// at the end of a block when over 64 KiB.
const minScratch = 256

// NewInflater returns an Inflater with a dynamic table of
// DefaultHeaderTableSize octets and the default budgets
// (DefaultMaxHeaderListSize, DefaultMaxFieldCount, DefaultMaxStringLength).
func NewInflater() *Inflater {
	d := &Inflater{
		limit:       DefaultHeaderTableSize,
		maxListSize: DefaultMaxHeaderListSize,
		maxFields:   DefaultMaxFieldCount,
		maxString:   DefaultMaxStringLength,
	}
	// The table's buffers and the Huffman scratch are allocated when
	// first needed and grow with use (see decTable), so that an idle
	// connection holds only what its blocks put in the table.
	d.table.maxSize = DefaultHeaderTableSize
	return d
}

// SetMaxHeaderListSize sets the budget for the sum of Size() over a block's
// fields (default DefaultMaxHeaderListSize). A list of exactly n octets is
// accepted.
func (d *Inflater) SetMaxHeaderListSize(n uint32) { d.maxListSize = n }

// SetMaxFieldCount sets the budget of fields per block (default
// DefaultMaxFieldCount); n <= 0 allows none.
func (d *Inflater) SetMaxFieldCount(n int) { d.maxFields = n }

// SetMaxStringLength sets the budget for one decoded name or value (default
// DefaultMaxStringLength); n < 0 counts as 0.
func (d *Inflater) SetMaxStringLength(n int) { d.maxString = max(n, 0) }

// SetEmitFunc sets the function that Write calls for each decoded field.
// The Name and Value strings passed to emit may alias the input fragment or
// the Inflater's memory: they are valid only during the call (use
// strings.Clone to keep them).
func (d *Inflater) SetEmitFunc(emit func(f HeaderField)) { d.emit = emit }

// ChangeTableSize sets the dynamic table size this side allows (the
// SETTINGS_HEADER_TABLE_SIZE it advertised and the peer acknowledged). Size
// updates above n are then errors. If n is below the current maximum size,
// the next block must open with a size update not above the smallest size
// set since the last block (RFC 7541 §4.2: "In the case that this size is
// changed more than once in this interval, the smallest maximum table size
// that occurs in that interval MUST be signaled in a dynamic table size
// update"); so after ChangeTableSize(0) and ChangeTableSize(4096), the next
// block must open with an update to 0, evicting every entry. It returns
// ErrMidBlock inside a streamed block.
func (d *Inflater) ChangeTableSize(n uint32) error {
	if d.failed != nil {
		return &failedError{d.failed}
	}
	if d.inBlock {
		return ErrMidBlock
	}
	d.limit = n
	switch {
	case d.needUp:
		d.minLimit = min(d.minLimit, n)
	case n < d.table.maxSize:
		d.needUp = true
		d.minLimit = n
	}
	return nil
}

// Table returns a copy of the dynamic table, newest entry (HPACK index 62)
// first.
func (d *Inflater) Table() []Entry { return d.table.entries() }

// TableSize returns the size of the dynamic table (RFC 7541 §4.1).
func (d *Inflater) TableSize() uint32 { return d.table.size }

// MaxTableSize returns the current maximum size of the dynamic table, as set
// by the last size update.
func (d *Inflater) MaxTableSize() uint32 { return d.table.maxSize }

// Inflate decodes one complete header block and returns its fields as owned
// copies. Names and values are copied once: static table strings are
// immutable and returned as they are, and each dynamic table entry is copied
// once for all the blocks that reference it. The returned slice and strings
// share memory with those of neighbouring blocks, so that a block costs a
// fraction of an allocation; holding on to one block's fields keeps alive at
// most 128 fields and about 24 KiB of strings beyond its own (more only if
// they are longer than 1 KiB each). On a budget error it returns the fields
// decoded before the budget was exceeded, with the error; the Inflater stays
// usable. It returns ErrMidBlock inside a streamed block.
func (d *Inflater) Inflate(block []byte) ([]HeaderField, error) {
	if d.failed != nil {
		return nil, &failedError{d.failed}
	}
	if d.inBlock {
		return nil, ErrMidBlock
	}
	if d.inf == nil {
		d.inf = &inflateState{strGen: 1} // 0 means no owned copy (decEntry.ownGen)
	}
	if len(d.inf.slab)-d.inf.slabUsed < d.inf.lastFields || d.inf.slabBytes > slabMaxBytes {
		// A new one, twice as large up to slabFields, at the first field.
		d.inf.slabUsed, d.inf.slabBytes = len(d.inf.slab), 0
	}
	d.inf.blockFirst = d.inf.slabUsed
	d.collecting = true
	_, err := d.Write(block)
	if err == nil {
		err = d.Close()
	}
	d.collecting = false
	first, end := d.inf.blockFirst, d.inf.slabUsed
	if err != nil && d.failed != nil {
		clear(d.inf.slab[first:end])
		d.inf.slabUsed = first
		return nil, err
	}
	// The next block is likely to be about as long: it starts a new slab
	// rather than grow one mid-block if this one would not fit.
	d.inf.lastFields = end - first
	if end == first {
		return nil, err
	}
	return d.inf.slab[first:end:end], err
}

// Where a field's name and value come from, for collect: static table
// strings are immutable and need no copy; a dynamic table entry has one
// owned copy for all the blocks that reference it (decTable.owned).
const (
	srcLiteral     = iota // both literal (or the name from a literal, the value from a literal)
	srcStatic             // an indexed static field: both static strings
	srcStaticName         // a static name, a literal value
	srcDynamic            // an indexed dynamic field: both from the entry at slot
	srcDynamicName        // a name from the entry at slot, a literal value
)

// collect appends the owned copy of a field to the slab; src and slot say
// where its strings come from.
func (d *Inflater) collect(name, value string, sensitive bool, src uint8, slot int) {
	s := d.inf
	s.lastGen = 0
	switch src {
	case srcDynamic:
		// Half the fields of typical traffic. The common case, an
		// entry whose owned copy exists, is written out here rather
		// than called (ownedEntry), which would cost a call and the
		// spilling of the arguments around it.
		t := &d.table
		e := t.ring[slot]
		if e.ownGen == 0 {
			name, value, _, _ = d.ownEntry(slot)
			break
		}
		o := t.owned[slot]
		c := unsafe.Pointer(unsafe.SliceData(s.chunks[e.ownGen&1]))
		// name and value alias the table until replaced; empty ones
		// too, which would keep the table's buffer alive.
		name, value = "", ""
		if o.name&ownedStatic != 0 {
			name = staticTable[o.name&^ownedStatic].name
		} else if e.nameLen > 0 {
			name = unsafe.String((*byte)(unsafe.Add(c, o.name)), e.nameLen)
		}
		if e.valueLen > 0 {
			value = unsafe.String((*byte)(unsafe.Add(c, o.value)), e.valueLen)
		}
	case srcStaticName:
		// A third of the fields of typical traffic: only the value
		// is copied, here when it fits the current chunk.
		off := 0
		if n := len(value); n > 0 {
			c := s.chunks[s.strGen&1]
			off = s.strUsed
			if n <= arenaChunk/4 && n <= len(c)-off {
				b := c[off : off+n : off+n]
				s.strUsed = off + n
				s.slabBytes += n
				copy(b, value)
				value = unsafe.String(&b[0], n)
			} else {
				value, off = d.copyValue(value)
			}
		}
		if off >= 0 {
			s.lastGen, s.lastOwned = s.strGen, ownedField{ownedStatic | uint32(slot), uint32(off)}
		}
	case srcDynamicName:
		var o ownedField
		var gen uint32
		name, o, gen = d.ownedName(slot)
		var off int
		value, off = d.copyValue(value)
		// Ownable if the name is static or in the chunk the value
		// went to.
		if off >= 0 && (o.name&ownedStatic != 0 || gen == s.strGen) {
			s.lastGen, s.lastOwned = s.strGen, ownedField{o.name, uint32(off)}
		}
	case srcLiteral:
		var off int
		name, value, off = d.copyStrings(name, value)
		if off >= 0 {
			s.lastGen, s.lastOwned = s.strGen, ownedField{uint32(off), uint32(off + len(name))}
		}
	}
	i := s.slabUsed
	if i == len(s.slab) {
		d.growSlab()
		i = s.slabUsed
	}
	// Field by field: single pointer writes cost less than the bulk
	// write barrier of a struct assignment while the GC is marking.
	f := &s.slab[i]
	f.Name = name
	f.Value = value
	f.Sensitive = sensitive
	s.slabUsed = i + 1
	d.lastOK = true
}

// growSlab starts a new slab with room for the current block's fields.
func (d *Inflater) growSlab() {
	k := d.inf.slabUsed - d.inf.blockFirst
	n := min(max(2*len(d.inf.slab), minSlabFields), slabFields)
	ns := make([]HeaderField, max(n, 2*k))
	copy(ns, d.inf.slab[d.inf.blockFirst:d.inf.slabUsed])
	clear(d.inf.slab[d.inf.blockFirst:d.inf.slabUsed])
	d.inf.slab, d.inf.slabUsed, d.inf.blockFirst = ns, k, 0
}

// newChunk starts a new arena chunk for Inflate's strings, with room for
// n <= arenaChunk/4 octets, and drops the dynamic table's owned copies in
// chunks older than the previous one.
func (d *Inflater) newChunk(n int) {
	size := min(max(2*len(d.inf.chunks[d.inf.strGen&1]), minArenaChunk), arenaChunk)
	for size < n {
		size *= 2
	}
	d.inf.strGen++
	d.inf.chunks[d.inf.strGen&1], d.inf.strUsed = make([]byte, size), 0
	d.table.dropOwned(d.inf.strGen - 1)
}

// ownNewest records the field collected last as the owned copy of the
// dynamic table entry it just became.
func (d *Inflater) ownNewest() {
	if d.inf.lastGen != 0 {
		d.table.setOwned(d.table.slot(0), d.inf.lastOwned, d.inf.lastGen)
	}
}

// ownedName returns the owned copy of the name of the dynamic table entry
// at slot, making the entry's copy on first use, with where it is (o in
// the chunk of generation gen; gen 0 for a copy that is not recorded).
func (d *Inflater) ownedName(slot int) (name string, o ownedField, gen uint32) {
	t := &d.table
	e := t.ring[slot]
	if e.ownGen == 0 {
		name, _, o, gen = d.ownEntry(slot)
		return name, o, gen
	}
	o = t.owned[slot]
	if o.name&ownedStatic != 0 {
		name = staticTable[o.name&^ownedStatic].name
	} else if e.nameLen > 0 {
		c := unsafe.Pointer(unsafe.SliceData(d.inf.chunks[e.ownGen&1]))
		name = unsafe.String((*byte)(unsafe.Add(c, o.name)), e.nameLen)
	}
	return name, o, e.ownGen
}

// ownEntry makes and records the owned copy of the dynamic table entry at
// slot, which has none.
func (d *Inflater) ownEntry(slot int) (name, value string, o ownedField, gen uint32) {
	t := &d.table
	e := t.ring[slot]
	name, value, off := d.copyStrings(t.field(e))
	if off < 0 {
		return name, value, ownedField{}, 0
	}
	o = ownedField{uint32(off), uint32(off) + e.nameLen}
	t.setOwned(slot, o, d.inf.strGen)
	return name, value, o, d.inf.strGen
}

// copyStrings returns copies of name and value in Inflate's arena, and the
// offset of the copy in the current chunk (-1 for a copy of its own).
func (d *Inflater) copyStrings(name, value string) (string, string, int) {
	n := len(name) + len(value)
	if n == 0 {
		return "", "", 0
	}
	b, off := d.alloc(n)
	copy(b, name)
	copy(b[len(name):], value)
	// An empty name or value is "", not the argument, which may alias
	// the table's buffer.
	var on, ov string
	if len(name) > 0 {
		on = unsafe.String(&b[0], len(name))
	}
	if len(value) > 0 {
		ov = unsafe.String(&b[len(name)], len(value))
	}
	return on, ov, off
}

// copyValue is copyStrings for a value alone.
func (d *Inflater) copyValue(value string) (string, int) {
	if len(value) == 0 {
		return "", 0
	}
	b, off := d.alloc(len(value))
	copy(b, value)
	return unsafe.String(&b[0], len(b)), off
}

// alloc returns n > 0 octets of Inflate's arena and their offset in the
// current chunk (-1 for an allocation of their own).
func (d *Inflater) alloc(n int) ([]byte, int) {
	s := d.inf
	s.slabBytes += n
	if n > arenaChunk/4 {
		return make([]byte, n), -1
	}
	c := s.chunks[s.strGen&1]
	off := s.strUsed
	if len(c)-off < n {
		d.newChunk(n)
		c, off = s.chunks[s.strGen&1], 0
	}
	s.strUsed = off + n
	return c[off : off+n : off+n], off
}

// Write decodes the next fragment of the current header block, calling the
// emit function for each field completed. It returns len(p) or a
// *DecodingError for malformed input, after which the Inflater is unusable.
// Budget errors are reported by Close.
func (d *Inflater) Write(p []byte) (int, error) {
	if d.failed != nil {
		return 0, &failedError{d.failed}
	}
	d.inBlock = true
	n := len(p)
	if d.skipN > 0 && len(d.pending) == 0 {
		// Inside a skipped string: discard without buffering.
		k := min(d.skipN, len(p))
		d.skipN -= k
		d.consumed += k
		p = p[k:]
		if len(p) == 0 {
			return n, nil
		}
	}
	var buf []byte
	if len(d.pending) > 0 {
		d.pending = append(d.pending, p...)
		buf = d.pending
	} else {
		buf = p
	}
	c, err := d.feed(buf)
	if err != nil {
		d.failed = err
		return 0, err
	}
	d.consumed += c
	if len(d.pending) > 0 {
		if c > 0 {
			d.pending = d.pending[:copy(d.pending, d.pending[c:])]
		}
	} else if c < len(buf) {
		d.pending = append(d.pending, buf[c:]...)
	}
	return n, nil
}

// Close ends the current header block (END_HEADERS). It reports a block that
// ends inside a representation (ErrTruncated), a required size update that
// did not come (ErrTableSizeUpdate), and the first budget error of the block
// (a *DecodingError wrapping a *BudgetError, after which the Inflater stays
// usable).
func (d *Inflater) Close() error {
	if d.failed != nil {
		return &failedError{d.failed}
	}
	var err error
	switch {
	case len(d.pending) > 0 || d.skipN > 0 || d.skipValue:
		err = &DecodingError{ErrTruncated, d.consumed}
	case d.needUp:
		// RFC 7541 §4.2: the change "MUST occur at the beginning of the
		// first header block following the change".
		err = &DecodingError{ErrTableSizeUpdate, 0}
	}
	if err != nil {
		d.failed = err
		return err
	}
	err = d.budgetErr
	// Do not hold on to the memory of an exceptionally large block.
	if cap(d.pending) > 64<<10 {
		d.pending = nil
	}
	if cap(d.scratch) > 64<<10 {
		d.scratch = nil
	}
	d.inBlock, d.sawField = false, false
	d.consumed, d.fields, d.listSize, d.budgetErr = 0, 0, 0, nil
	return err
}

// feed decodes the representations of buf, returning how many octets were
// consumed: all of buf, or up to an incomplete item to be completed by the
// next Write.
func (d *Inflater) feed(buf []byte) (int, error) {
	pos := 0
	if d.skipN > 0 {
		k := min(d.skipN, len(buf))
		d.skipN -= k
		pos += k
	}
	for pos < len(buf) {
		if d.skipValue {
			// The value of a field whose name was skipped: only its
			// length matters.
			l, n, err := readInteger(buf[pos:], 7)
			if err == errNeedMore {
				return pos, nil
			}
			if err != nil {
				return pos, &DecodingError{err, d.consumed + pos}
			}
			d.skipValue = false
			pos += n
			k := min(int(l), len(buf)-pos)
			pos += k
			d.skipN = int(l) - k
			continue
		}
		n, err := d.decodeRepr(buf[pos:], d.consumed+pos)
		if err == errNeedMore {
			return pos, nil
		}
		if err != nil {
			return pos, err
		}
		pos += n
	}
	return pos, nil
}

// lookup returns the field at HPACK index idx (RFC 7541 §2.3.3): static
// entries first, then the dynamic table, newest first.
func (d *Inflater) lookup(idx uint64) (name, value string, ok bool) {
	if idx == 0 {
		// RFC 7541 §6.1: "The index value of 0 is not used. It MUST be
		// treated as a decoding error if found in an indexed header
		// field representation."
		return "", "", false
	}
	if idx <= uint64(staticTableLen) {
		e := &staticTable[idx]
		return e.name, e.value, true
	}
	// RFC 7541 §2.3.3: "Indices strictly greater than the sum of the
	// lengths of both tables MUST be treated as a decoding error."
	i := idx - uint64(staticTableLen) - 1
	if i >= uint64(d.table.count) {
		return "", "", false
	}
	name, value = d.table.field(d.table.entry(int(i)))
	return name, value, true
}

// maxStringLen bounds string lengths so that offsets fit an int on 32-bit
// platforms too.
const maxStringLen = 1<<31 - 1

// strInfo describes a string literal (RFC 7541 §5.2) at the start of a
// buffer: its header length, encoded length, and Huffman flag.
type strInfo struct {
	hdr  int
	n    int
	huff bool
}

// lowerBound is the least decoded length of the string: a Huffman code is at
// most 30 bits per symbol, with at most 7 bits of padding.
func (s strInfo) lowerBound() uint64 {
	if !s.huff {
		return uint64(s.n)
	}
	if s.n == 0 {
		return 0
	}
	return (uint64(s.n)*8 - 7) / 30
}

func readStrInfo(b []byte) (strInfo, error) {
	if len(b) > 0 && b[0]&0x7f != 0x7f {
		return strInfo{hdr: 1, n: int(b[0] & 0x7f), huff: b[0]&0x80 != 0}, nil
	}
	return readLongStrInfo(b)
}

func readLongStrInfo(b []byte) (strInfo, error) {
	l, n, err := readInteger(b, 7)
	if err != nil {
		return strInfo{}, err
	}
	if l > maxStringLen {
		// RFC 7541 §5.1: "Integer encodings that exceed
		// implementation limits ... MUST be treated as decoding
		// errors."
		return strInfo{}, ErrIntegerOverflow
	}
	return strInfo{hdr: n, n: int(l), huff: b[0]&0x80 != 0}, nil
}

// decodeString decodes the string s whose encoded octets are raw. A raw
// string aliases raw; a Huffman string is decoded onto the end of d.scratch
// (so a later decoding may move it).
func (d *Inflater) decodeString(s strInfo, raw []byte) (str []byte, err error) {
	if !s.huff {
		return raw, nil
	}
	off := len(d.scratch)
	if need := huffmanDecodedMax(len(raw)); cap(d.scratch)-off < need {
		if d.scratch == nil {
			d.scratch = make([]byte, 0, max(minScratch, need))
		} else {
			d.scratch = grow(d.scratch, need)[:off]
		}
	}
	// Decoding into the room and reslicing stores only the length of
	// d.scratch, not its pointer (no write barrier while the GC marks).
	n, err := huffmanDecode(d.scratch[off:cap(d.scratch)], raw)
	d.scratch = d.scratch[:off+n]
	if err != nil {
		return nil, err
	}
	return d.scratch[off:], nil
}

// decodeRepr decodes one representation at the start of b (RFC 7541 §6)
// and applies it. It returns errNeedMore, with no effect, when b ends
// inside it; base is the block offset of b for errors.
func (d *Inflater) decodeRepr(b []byte, base int) (int, error) {
	b0 := b[0]
	var prefix uint
	var sensitive, indexing bool
	switch {
	case b0&0x80 != 0: // §6.1 Indexed Header Field
		idx, n := uint64(b0&0x7f), 1
		if idx == 0x7f {
			var err error
			if idx, n, err = readInteger(b, 7); err != nil {
				return 0, d.decErr(err, base)
			}
		}
		name, value, ok := d.lookup(idx)
		if !ok {
			return 0, &DecodingError{ErrInvalidIndex, base}
		}
		if err := d.startField(base); err != nil {
			return 0, err
		}
		src, slot := uint8(srcStatic), 0
		if idx > uint64(staticTableLen) {
			src, slot = srcDynamic, d.table.slot(int(idx)-staticTableLen-1)
		}
		d.deliver(name, value, false, src, slot, base)
		return n, nil
	case b0&0xc0 == 0x40: // §6.2.1 Literal with Incremental Indexing
		prefix, indexing = 6, true
	case b0&0xe0 == 0x20: // §6.3 Dynamic Table Size Update
		v, n, err := readInteger(b, 5)
		if err != nil {
			return 0, d.decErr(err, base)
		}
		// RFC 7541 §4.2: "This dynamic table size update MUST occur at
		// the beginning of the first header block following the change
		// to the dynamic table size."
		if d.sawField {
			return 0, &DecodingError{ErrTableSizeUpdate, base}
		}
		// RFC 7541 §6.3: "The new maximum size MUST be lower than or
		// equal to the limit determined by the protocol using HPACK. A
		// value that exceeds this limit MUST be treated as a decoding
		// error."
		if v > uint64(d.limit) {
			return 0, &DecodingError{ErrTableSizeUpdate, base}
		}
		// RFC 7541 §4.2: "the smallest maximum table size that occurs
		// in that interval MUST be signaled": the first update must
		// evict at least what the encoder evicted.
		if d.needUp && v > uint64(d.minLimit) {
			return 0, &DecodingError{ErrTableSizeUpdate, base}
		}
		d.table.setMaxSize(uint32(v))
		d.needUp = false
		return n, nil
	case b0&0xf0 == 0x10: // §6.2.3 Literal Never Indexed
		prefix, sensitive = 4, true
	default: // §6.2.2 Literal without Indexing
		prefix = 4
	}

	mask := byte(1)<<prefix - 1
	idx, pos := uint64(b0&mask), 1
	if idx == uint64(mask) {
		var err error
		if idx, pos, err = readInteger(b, prefix); err != nil {
			return 0, d.decErr(err, base)
		}
	}
	d.scratch = d.scratch[:0]
	var iname string
	var ns strInfo
	var namePos int
	if idx != 0 {
		var ok bool
		iname, _, ok = d.lookup(idx)
		if !ok {
			return 0, &DecodingError{ErrInvalidIndex, base}
		}
	} else {
		var err error
		if ns, err = readStrInfo(b[pos:]); err != nil {
			return 0, d.decErr(err, base+pos)
		}
		if d.skip(ns, indexing) {
			// The name alone cannot enter the table and is not
			// emitted: discard it and the value.
			start := pos + ns.hdr
			if start+ns.n > len(b) {
				if err := d.skipOversize(indexing, base); err != nil {
					return 0, err
				}
				d.skipN = start + ns.n - len(b)
				d.skipValue = true
				return len(b), nil
			}
			pos = start + ns.n
			vs, err := readStrInfo(b[pos:])
			if err == errNeedMore {
				if err := d.skipOversize(indexing, base); err != nil {
					return 0, err
				}
				d.skipValue = true
				return pos, nil
			}
			if err != nil {
				return 0, d.decErr(err, base+pos)
			}
			if err := d.skipOversize(indexing, base); err != nil {
				return 0, err
			}
			start = pos + vs.hdr
			if start+vs.n > len(b) {
				d.skipN = start + vs.n - len(b)
				return len(b), nil
			}
			return start + vs.n, nil
		}
		namePos = pos
		pos += ns.hdr + ns.n
		if pos > len(b) {
			return 0, errNeedMore
		}
	}
	vs, err := readStrInfo(b[pos:])
	if err != nil {
		return 0, d.decErr(err, base+pos)
	}
	if d.skip(vs, indexing) {
		start := pos + vs.hdr
		if err := d.skipOversize(indexing, base); err != nil {
			return 0, err
		}
		if start+vs.n > len(b) {
			d.skipN = start + vs.n - len(b)
			return len(b), nil
		}
		return start + vs.n, nil
	}
	valuePos := pos
	pos += vs.hdr + vs.n
	if pos > len(b) {
		// Nothing is decoded before the whole representation is
		// there, so that a long one arriving in many small fragments
		// costs linear time.
		return 0, errNeedMore
	}

	// Decode the strings.
	var name []byte // literal name (raw alias or scratch)
	if idx == 0 {
		start := namePos + ns.hdr
		var err error
		if name, err = d.decodeString(ns, b[start:start+ns.n]); err != nil {
			return 0, &DecodingError{err, base + namePos}
		}
	}
	start := valuePos + vs.hdr
	value, err := d.decodeString(vs, b[start:start+vs.n])
	if err != nil {
		return 0, &DecodingError{err, base + valuePos}
	}
	if idx == 0 && ns.huff {
		// The value's decoding may have moved d.scratch.
		name = d.scratch[:len(name)]
	}

	// The representation is complete: apply it.
	if err := d.startField(base); err != nil {
		return 0, err
	}
	var nameStr string
	src, slot := uint8(srcLiteral), 0
	switch {
	case idx > uint64(staticTableLen):
		nameStr = iname
		src, slot = srcDynamicName, d.table.slot(int(idx)-staticTableLen-1)
	case idx != 0:
		nameStr = iname
		src, slot = srcStaticName, int(idx)
	default:
		nameStr = unsafe.String(unsafe.SliceData(name), len(name))
	}
	valueStr := unsafe.String(unsafe.SliceData(value), len(value))
	d.lastOK = false
	d.deliver(nameStr, valueStr, sensitive, src, slot, base)
	if indexing {
		d.table.add(unsafe.Slice(unsafe.StringData(nameStr), len(nameStr)), value)
		if d.lastOK && d.table.count > 0 {
			// Inflate's copy of the field is the new entry's.
			d.ownNewest()
		}
	}
	return pos, nil
}

// skip checks a string literal against the string budget. It reports
// whether the string's content is not needed: it exceeds the budget and
// cannot enter the dynamic table.
func (d *Inflater) skip(s strInfo, indexing bool) bool {
	lb := s.lowerBound()
	if lb <= uint64(d.maxString) {
		return false
	}
	// A long string that may fit in the table is decoded normally (to be
	// inserted) and then refused by deliver.
	return !indexing || lb+entryOverhead > uint64(d.table.maxSize)
}

// skipOversize applies a representation whose name or value was skipped as
// too long: it counts as a field over budget, and if it was to be indexed,
// it empties the table since it cannot fit (RFC 7541 §4.4).
func (d *Inflater) skipOversize(indexing bool, base int) error {
	if err := d.startField(base); err != nil {
		return err
	}
	d.fields++
	d.setBudget(ErrStringTooLong, uint64(d.maxString), uint64(d.maxString)+1, base)
	if indexing {
		d.table.evictTo(0)
	}
	return nil
}

// startField enforces, at the first field of a block, a size update that
// ChangeTableSize made mandatory.
func (d *Inflater) startField(base int) error {
	if d.needUp {
		return &DecodingError{ErrTableSizeUpdate, base}
	}
	d.sawField = true
	return nil
}

// deliver counts the field against the budgets and emits (or, for Inflate,
// collects) it if none is exceeded. src and slot say where name and value
// come from (srcLiteral and the others).
func (d *Inflater) deliver(name, value string, sensitive bool, src uint8, slot int, base int) {
	d.fields++
	d.listSize += uint64(len(name)) + uint64(len(value)) + entryOverhead
	if d.budgetErr != nil {
		return
	}
	if l := max(len(name), len(value)); l > d.maxString {
		d.setBudget(ErrStringTooLong, uint64(d.maxString), uint64(l), base)
		return
	}
	if d.fields > d.maxFields {
		d.setBudget(ErrTooManyFields, uint64(max(d.maxFields, 0)), uint64(d.fields), base)
		return
	}
	if d.listSize > uint64(d.maxListSize) {
		d.setBudget(ErrHeaderListTooLarge, uint64(d.maxListSize), d.listSize, base)
		return
	}
	if d.collecting {
		d.collect(name, value, sensitive, src, slot)
	} else if d.emit != nil {
		d.emit(HeaderField{Name: name, Value: value, Sensitive: sensitive})
	}
}

func (d *Inflater) setBudget(err error, limit, value uint64, off int) {
	if d.budgetErr == nil {
		d.budgetErr = &DecodingError{&BudgetError{Err: err, Limit: limit, Value: value}, off}
	}
}

// decErr wraps an integer or string header error; errNeedMore passes
// through.
func (d *Inflater) decErr(err error, off int) error {
	if err == errNeedMore {
		return err
	}
	return &DecodingError{err, off}
}
