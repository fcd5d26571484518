package hpack

// staticEntry is one entry of the static table (RFC 7541 Appendix A).
type staticEntry struct{ name, value string }

// staticTableLen is the number of entries in the static table; dynamic
// indices start after it (RFC 7541 §2.3.3).
const staticTableLen = len(staticTable) - 1

// StaticIndex returns the index of the field name: value in the static
// table (RFC 7541 Appendix A), or 0 if the pair is not there. Such a field
// can be sent as the one-octet indexed representation 0x80|index (RFC 7541
// §6.1), which involves no encoder state.
func StaticIndex(name, value string) int {
	i, _ := staticLookup(name, value)
	return i
}

// staticName is a slot of the generated perfect hash of static names.
type staticName struct {
	name         string
	first, count uint8
}

// staticLookup returns the static index of the field name: value (0 if
// none) and the lowest static index with that name (0 if none).
func staticLookup(name, value string) (index, nameIndex int) {
	n := len(name)
	if n < staticNameMinLen || n > staticNameMaxLen {
		return 0, 0
	}
	key := uint32(n)<<16 | uint32(name[1])<<8 | uint32(name[n-1])
	e := &staticNames[key*staticNameHashMul>>(32-staticNameHashBits)]
	if !strEqual(e.name, name) {
		return 0, 0
	}
	first := int(e.first)
	for i := first; i < first+int(e.count); i++ {
		if strEqual(staticTable[i].value, value) {
			return i, first
		}
	}
	return 0, first
}
