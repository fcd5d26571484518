package hpack

import "encoding/binary"

// huffmanEncodedLen returns the length in octets of the Huffman encoding of
// s (RFC 7541 §5.2: the code is padded to an octet boundary).
func huffmanEncodedLen(s string) int {
	var bits uint64
	for i := 0; i < len(s); i++ {
		bits += uint64(huffCodeLen[s[i]])
	}
	return int((bits + 7) >> 3)
}

// appendHuffman appends the Huffman encoding of s to dst. RFC 7541 §5.2: "As
// the Huffman-encoded data doesn't always end at an octet boundary, some
// padding is inserted after it, up to the next octet boundary. ... this
// padding is constructed from the most significant bits of the code
// corresponding to the EOS symbol."
func appendHuffman(dst []byte, s string) []byte {
	var acc uint64 // pending bits, right-aligned
	var n uint     // number of pending bits, < 32 between symbols
	for i := 0; i < len(s); i++ {
		c := s[i]
		l := uint(huffCodeLen[c])
		acc = acc<<l | uint64(huffCodes[c])
		n += l
		if n >= 32 {
			n -= 32
			dst = binary.BigEndian.AppendUint32(dst, uint32(acc>>n))
		}
	}
	for n >= 8 {
		n -= 8
		dst = append(dst, byte(acc>>n))
	}
	if n > 0 {
		dst = append(dst, byte(acc<<(8-n))|byte(0xff>>n))
	}
	return dst
}

// appendHuffmanDecode appends the decoding of the Huffman string src to dst.
// It returns ErrInvalidHuffman for EOS inside the string, padding longer than
// 7 bits, or padding that is not a prefix of EOS (RFC 7541 §5.2: "A padding
// strictly longer than 7 bits MUST be treated as a decoding error. A padding
// not corresponding to the most significant bits of the code for the EOS
// symbol MUST be treated as a decoding error. A Huffman-encoded string
// literal containing the EOS symbol MUST be treated as a decoding error.")
//
// Bits are kept MSB-aligned in a 64-bit register; each symbol is resolved by
// one lookup of the next 11 bits for codes of up to 11 bits (all common
// header characters) and by canonical decoding for the rare longer ones.
func appendHuffmanDecode(dst []byte, src []byte) ([]byte, error) {
	var cur uint64 // MSB-aligned pending bits
	var nbits uint // number of valid bits in cur
	i := 0
	for {
		// Refill to at least 56 valid bits when possible. The bulk load
		// also sets some bits past nbits, which are exactly the next
		// input bits, so OR-ing them again later is harmless.
		if nbits < 32 {
			if i+8 <= len(src) {
				cur |= binary.BigEndian.Uint64(src[i:]) >> nbits
				k := (63 - nbits) >> 3
				i += int(k)
				nbits += k << 3
			} else {
				for nbits <= 56 && i < len(src) {
					cur |= uint64(src[i]) << (56 - nbits)
					nbits += 8
					i++
				}
			}
		}
		if nbits == 0 {
			return dst, nil
		}
		e := huffPrimary[cur>>(64-huffPrimaryBits)]
		var sym, l uint
		if e != 0 {
			sym, l = uint(e&0x1ff), uint(e>>9)
		} else {
			sym, l = huffDecodeLong(cur)
		}
		if l > nbits {
			// Only padding is left (there is no more input: we refill
			// to 32+ bits whenever input remains).
			if nbits > 7 || cur>>(64-nbits) != 1<<nbits-1 {
				return dst, ErrInvalidHuffman
			}
			return dst, nil
		}
		if sym == 256 {
			return dst, ErrInvalidHuffman
		}
		dst = append(dst, byte(sym))
		cur <<= l
		nbits -= l
	}
}

// huffDecodeLong decodes a code longer than huffPrimaryBits at the top of cur
// using the canonical form of the code (checked by the generator).
func huffDecodeLong(cur uint64) (sym, l uint) {
	for n := uint(huffPrimaryBits + 1); n <= 30; n++ {
		c := uint32(cur >> (64 - n))
		if c < huffLimit[n] {
			return uint(huffCanonical[int32(c)+huffOffset[n]]), n
		}
	}
	// Unreachable for a complete code: every 30-bit value is below
	// huffLimit[30].
	return 256, 30
}
