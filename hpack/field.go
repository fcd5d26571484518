package hpack

// DefaultHeaderTableSize is the initial maximum size of the dynamic table of
// both endpoints (RFC 7541 §4.2, SETTINGS_HEADER_TABLE_SIZE default in RFC
// 9113 §6.5.2).
const DefaultHeaderTableSize = 4096

// DeflateMaxHeaderTableSize is the default cap on the dynamic table size that
// a Deflater uses, whatever larger size the peer allows (nghttp2's
// DEFLATE_MAX_HEADER_TABLE_SIZE).
const DeflateMaxHeaderTableSize = 4096

// entryOverhead is the per-entry overhead of RFC 7541 §4.1: "The size of an
// entry is the sum of its name's length in octets ..., its value's length in
// octets, and 32."
const entryOverhead = 32

// HeaderField is one header field (name and value). Sensitive marks a field
// that must never be indexed by any compressor on the path (RFC 7541 §6.2.3):
// the Deflater encodes it as a never-indexed literal and the Inflater sets it
// when it decodes one.
type HeaderField struct {
	Name, Value string
	Sensitive   bool
}

// Size returns the size of the field as an HPACK table entry and as counted
// by SETTINGS_MAX_HEADER_LIST_SIZE: len(Name)+len(Value)+32 (RFC 7541 §4.1).
func (f HeaderField) Size() uint32 {
	return uint32(len(f.Name)) + uint32(len(f.Value)) + entryOverhead
}

// Entry is one entry of a dynamic table, as returned by Table. Size is
// len(Name)+len(Value)+32.
type Entry struct {
	Name, Value string
	Size        uint32
}
