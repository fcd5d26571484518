package hpack

// Deflater is an HPACK encoder (RFC 7541): one per connection and direction,
// used for the header blocks in the order they are sent. It is not safe for
// concurrent use.
//
// Indexing policy (at least as good as nghttp2's): a field equal to a static
// or dynamic entry is sent as an index, unless it is Sensitive; Sensitive
// fields are never-indexed literals (RFC 7541 §6.2.3) and decode with
// Sensitive set. Authorization, proxy-authorization and cookies shorter
// than 20 octets, which nghttp2 also keeps out of the table (RFC 7541
// §7.1.3), are literals without indexing (§6.2.2) so that the peer sees
// exactly the Sensitive flags the caller set. Fields that rarely repeat
// (:path, age, if-none-match) and set-cookie (which carries secrets) are
// literals without indexing, as in nghttp2; unlike nghttp2, location and
// if-modified-since are indexed because they do repeat in real traffic, and
// content-length and etag are indexed once a value repeats among the last
// eight such values sent (a file server sends the same ones for every
// response of a file; a dynamic resource new ones each time). The
// hpack-test-case raw-data stories compress to 0.3080 of their size
// (nghttp2: 0.3087; 0.3076 when content-length and etag are never indexed,
// at the cost of about 25 octets in every response of a file server).
// Fields larger than 3/4 of the table are never indexed, so that one large
// value does not evict the whole table; everything else is added to the
// dynamic table. A string is Huffman-coded only when that is strictly
// shorter.
//
// A block whose fields all encode as indexes is remembered (see blockMemo):
// the same fields sent again, with no table change since, are written from
// the memo without any lookup, which is what a server sending a file's
// precomputed header list again costs.
//
// Deflate keeps references to the Name and Value strings of the fields it
// indexes; they must stay unchanged (as Go strings normally do).
type Deflater struct {
	table encTable
	cap   uint32 // NewDeflater's maxTableSize: never exceeded

	// Pending dynamic table size updates for the next block (RFC 7541
	// §4.2): the smallest size set since the last block and the final one.
	pendingUpdate bool
	minSize       uint32

	// recent holds the pair hashes (|1, so that 0 is free) of the last
	// content-length and etag values sent without indexing: such a field
	// is indexed when it repeats (see policyRepeat).
	recent     [8]uint64
	recentNext uint8

	// memo is the last block that encoded to indexed representations
	// only (see blockMemo); nil until there is one.
	memo *blockMemo
}

// NewDeflater returns a Deflater whose dynamic table never exceeds
// maxTableSize, whatever larger size the peer allows. The table starts at
// min(maxTableSize, DefaultHeaderTableSize), the peer's initial limit; when
// maxTableSize is below DefaultHeaderTableSize the first block opens with a
// dynamic table size update (as nghttp2 does).
func NewDeflater(maxTableSize uint32) *Deflater {
	d := &Deflater{cap: maxTableSize}
	size := min(maxTableSize, DefaultHeaderTableSize)
	d.table = newEncTable(size)
	if size < DefaultHeaderTableSize {
		d.pendingUpdate = true
		d.minSize = size
	}
	return d
}

// ChangeTableSize records that the peer now allows a dynamic table of n
// octets (its SETTINGS_HEADER_TABLE_SIZE). The Deflater uses min(n, cap),
// evicting entries at once, and opens the next block with the size update(s)
// RFC 7541 §4.2 requires: "In the case that this size is changed more than
// once in this interval, the smallest maximum table size that occurs in that
// interval MUST be signaled in a dynamic table size update. The final
// maximum size is always signaled, resulting in at most two dynamic table
// size updates." It never fails; the error is for API symmetry.
func (d *Deflater) ChangeTableSize(n uint32) error {
	size := min(n, d.cap)
	if !d.pendingUpdate || size < d.minSize {
		d.minSize = size
	}
	d.pendingUpdate = true
	d.table.setMaxSize(size)
	return nil
}

// Table returns a copy of the dynamic table, newest entry (HPACK index 62)
// first.
func (d *Deflater) Table() []Entry { return d.table.entries() }

// TableSize returns the size of the dynamic table (RFC 7541 §4.1).
func (d *Deflater) TableSize() uint32 { return d.table.size }

// MaxTableSize returns the current maximum size of the dynamic table.
func (d *Deflater) MaxTableSize() uint32 { return d.table.maxSize }

// Deflate appends to dst the header block encoding fields and returns the
// extended slice. Into a reused dst with enough capacity, a warm Deflater
// allocates nothing. The error is always nil today; it is kept so that
// limits can be enforced later without an API change.
func (d *Deflater) Deflate(dst []byte, fields []HeaderField) ([]byte, error) {
	return d.deflate(dst, fields, false), nil
}

// DeflateStable is Deflate for fields whose Name and Value bytes never
// change: string literals, or strings built once and never written through
// an unsafe view (not, say, strings aliasing a buffer that is reused). A
// block repeating the remembered one (see blockMemo) is then recognised by
// the addresses of its strings, without comparing their contents.
func (d *Deflater) DeflateStable(dst []byte, fields []HeaderField) ([]byte, error) {
	return d.deflate(dst, fields, true), nil
}

func (d *Deflater) deflate(dst []byte, fields []HeaderField, stable bool) []byte {
	if d.pendingUpdate {
		// RFC 7541 §6.3: '001' followed by the new maximum size as an
		// integer with a 5-bit prefix.
		if d.minSize < d.table.maxSize {
			// The smallest size first, then the final one (RFC 7541
			// §4.2). x/net's decoder (Go's HTTP/2) refuses a second
			// update while its table is not empty, so when entries
			// survive the smallest size we signal 0 instead, which
			// evicts at least as much on both sides.
			small := d.minSize
			if d.table.size > 0 {
				small = 0
				d.table.evictTo(0)
			}
			dst = appendInteger(dst, 0x20, 5, uint64(small))
		}
		dst = appendInteger(dst, 0x20, 5, uint64(d.table.maxSize))
		d.pendingUpdate = false
	}
	if len(fields) == 0 {
		return dst
	}
	if m := d.memo; m != nil && m.matches(&d.table, fields, stable) {
		return append(dst, m.out[:m.nout]...)
	}
	start := len(dst)
	allIndexed := true
	for i := range fields {
		at := len(dst)
		dst = d.appendField(dst, &fields[i])
		allIndexed = allIndexed && dst[at]&reprIndexed != 0
	}
	if allIndexed {
		d.remember(fields, dst[start:], stable)
	}
	return dst
}

// Representation patterns and prefix sizes (RFC 7541 §6).
const (
	reprIndexed     = 0x80 // §6.1, 7-bit prefix
	reprIncremental = 0x40 // §6.2.1, 6-bit prefix
	reprNoIndex     = 0x00 // §6.2.2, 4-bit prefix
	reprNeverIndex  = 0x10 // §6.2.3, 4-bit prefix
)

func (d *Deflater) appendField(dst []byte, f *HeaderField) []byte {
	name, value := f.Name, f.Value
	sidx, nameIdx := staticLookup(name, value)
	never := f.Sensitive
	if sidx != 0 && !never {
		return appendInteger(dst, reprIndexed, 7, uint64(sidx))
	}
	t := &d.table
	staticName := nameIdx // lowest static index with this name, 0 if none
	// Fields that the policy keeps out of the table cannot be found in
	// it: no hashing, no lookup.
	outside := never || (staticName != 0 && keptOut(staticName, value))
	index := !outside && uint64(len(name)+len(value)+entryOverhead)*4 <= uint64(t.maxSize)*3
	repeatPolicy := staticName != 0 && namePolicy[staticName] == policyRepeat
	var nh, ph uint64
	if staticName == 0 {
		nh = strHash(name, t.seed)
	}
	if !outside {
		// The pair hash of a static name is seeded with its index,
		// which saves hashing the name.
		if staticName != 0 {
			ph = strHash(value, t.seed^uint64(staticName)*0x9e3779b97f4a7c15)
		} else {
			ph = strHash(value, nh)
		}
		if t.count() > 0 {
			if pair := t.lookupPair(name, value, staticName, ph); pair != 0 {
				return appendInteger(dst, reprIndexed, 7, uint64(pair))
			}
		}
		if index && repeatPolicy {
			index = d.seenRecently(ph)
		}
	}
	if staticName == 0 && t.count() > 0 {
		// A literal may still reference an indexed name.
		nameIdx = t.lookupName(name, nh)
	}
	var first byte
	var prefix uint
	switch {
	case never:
		first, prefix = reprNeverIndex, 4
	case index:
		first, prefix = reprIncremental, 6
	default:
		first, prefix = reprNoIndex, 4
	}
	if nameIdx != 0 {
		dst = appendInteger(dst, first, prefix, uint64(nameIdx))
	} else {
		dst = append(dst, first)
		dst = appendString(dst, name)
	}
	dst = appendString(dst, value)
	if index {
		t.add(name, value, nh, ph, staticName)
	}
	return dst
}

// Indexing policy by static name index (every name the policy singles out
// is in the static table).
const (
	policyIndex    = iota
	policyNoIndex  // rarely repeats, or carries secrets: never indexed
	policyShortOut // cookie: not indexed when shorter than 20 octets
	policyRepeat   // often unique: indexed only once a value repeats
)

var namePolicy = func() (p [staticTableLen + 1]uint8) {
	for i := 1; i <= staticTableLen; i++ {
		switch staticTable[i].name {
		case ":path", "age", "if-none-match", "set-cookie":
			// Rarely repeat (and set-cookie carries secrets).
			p[i] = policyNoIndex
		case "content-length", "etag":
			// Unique per response of a dynamic resource, but the same
			// on every response of a file server's file: a value is
			// indexed when it comes again among the last few sent.
			p[i] = policyRepeat
		case "authorization", "proxy-authorization":
			// Credentials must not stay in a table shared with
			// other requests.
			p[i] = policyNoIndex
		case "cookie":
			// Short cookies are easy to guess by brute force
			// through a shared compression context (RFC 7541
			// §7.1.3: "an encoder might choose not to index values
			// for header fields that are considered to be highly
			// valuable or sensitive to recovery, such as the Cookie
			// or Authorization header fields").
			p[i] = policyShortOut
		}
	}
	return p
}()

// seenRecently reports whether the pair hash ph is among the last values of
// policyRepeat fields sent without indexing, and remembers it if not.
func (d *Deflater) seenRecently(ph uint64) bool {
	ph |= 1
	for _, h := range d.recent {
		if h == ph {
			return true
		}
	}
	d.recent[d.recentNext%uint8(len(d.recent))] = ph
	d.recentNext++
	return false
}

// keptOut reports whether the policy keeps the field with static name
// index nameIdx out of the dynamic table.
func keptOut(nameIdx int, value string) bool {
	switch namePolicy[nameIdx] {
	case policyNoIndex:
		return true
	case policyShortOut:
		return len(value) < 20
	}
	return false
}

// appendString appends a string literal (RFC 7541 §5.2), Huffman-coded
// only when that is strictly shorter. A string shorter than 127 octets has a
// one-octet length either way, so when dst has room for the worst case it is
// Huffman-coded straight into dst's spare capacity and written raw instead
// in the rare case that is not shorter.
func appendString(dst []byte, s string) []byte {
	if at := len(dst); len(s) < 127 && cap(dst)-at > 4*len(s)+4 {
		if hl := huffmanEncode(dst[at+1:cap(dst)], s); hl < len(s) {
			dst = dst[:at+1+hl]
			dst[at] = 0x80 | byte(hl)
			return dst
		}
		dst = append(dst, byte(len(s)))
		return append(dst, s...)
	}
	if hl := huffmanEncodedLen(s); hl < len(s) {
		dst = appendInteger(dst, 0x80, 7, uint64(hl))
		return appendHuffmanN(dst, s, hl)
	}
	dst = appendInteger(dst, 0, 7, uint64(len(s)))
	return append(dst, s...)
}
