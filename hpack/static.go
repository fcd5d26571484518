package hpack

// staticEntry is one entry of the static table (RFC 7541 Appendix A).
type staticEntry struct{ name, value string }

// staticTableLen is the number of entries in the static table; dynamic
// indices start after it (RFC 7541 §2.3.3).
const staticTableLen = len(staticTable) - 1
