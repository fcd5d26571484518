package hpack

import "encoding/binary"

// huffmanEncodedLen returns the length in octets of the Huffman encoding of
// s (RFC 7541 §5.2: the code is padded to an octet boundary).
func huffmanEncodedLen(s string) int {
	var bits uint64
	for i := 0; i < len(s); i++ {
		bits += huffEnc[s[i]] & 0xff
	}
	return int((bits + 7) >> 3)
}

// huffEnc holds, for each octet, its code (RFC 7541 Appendix B) shifted left
// by 8 and the code's length in bits in the low 8 bits: one load per symbol
// in the encoder's loop instead of two.
var huffEnc = func() (t [256]uint64) {
	for c := range t {
		t[c] = uint64(huffCodes[c])<<8 | uint64(huffCodeLen[c])
	}
	return t
}()

// appendHuffman appends the Huffman encoding of s to dst (appendHuffmanN
// when its length n is known from huffmanEncodedLen). RFC 7541 §5.2: "As the Huffman-encoded data
// doesn't always end at an octet boundary, some padding is inserted after
// it, up to the next octet boundary. To prevent this padding from being
// misinterpreted as part of the string literal, the most significant bits
// of the code corresponding to the EOS (end-of-string) symbol are used."
func appendHuffman(dst []byte, s string) []byte {
	return appendHuffmanN(dst, s, huffmanEncodedLen(s))
}

func appendHuffmanN(dst []byte, s string, n int) []byte {
	start := len(dst)
	// huffmanEncode stores up to 4 octets past the encoding.
	dst = grow(dst, n+4)
	huffmanEncode(dst[start:], s)
	return dst[:start+n]
}

// huffmanEncode writes the Huffman encoding of s, padded with the most
// significant bits of EOS, at the start of out and returns its length n.
// It stores whole 32-bit words: out must have room for n+4 octets (it never
// needs more than 4*len(s)+4).
//
// Pending bits are kept right-aligned in acc, fewer than 32 between steps.
// The loop takes four symbols at a time and, when their codes total at most
// 32 bits (four characters of ordinary header text always do: their codes
// have 5 to 8 bits), appends them with one shift of acc: the four codes are
// combined off the loop-carried dependency on acc, which makes this about a
// fifth faster than one symbol per step. Other groups fall back to one
// symbol per step.
func huffmanEncode(out []byte, s string) int {
	var acc uint64 // pending bits, right-aligned
	var nb uint64  // number of pending bits, < 32 between steps
	j := 0
	i := 0
	for ; i+4 <= len(s); i += 4 {
		e0, e1, e2, e3 := huffEnc[s[i]], huffEnc[s[i+1]], huffEnc[s[i+2]], huffEnc[s[i+3]]
		l1, l2, l3 := e1&0xff, e2&0xff, e3&0xff
		if l := e0&0xff + l1 + l2 + l3; l <= 32 {
			acc = acc<<l | ((e0>>8<<l1|e1>>8)<<l2|e2>>8)<<l3 | e3>>8
			nb += l
			if nb >= 32 {
				nb -= 32
				binary.BigEndian.PutUint32(out[j:j+4], uint32(acc>>nb))
				j += 4
			}
			continue
		}
		for _, e := range [4]uint64{e0, e1, e2, e3} {
			acc = acc<<(e&0xff) | e>>8
			nb += e & 0xff
			if nb >= 32 {
				nb -= 32
				binary.BigEndian.PutUint32(out[j:j+4], uint32(acc>>nb))
				j += 4
			}
		}
	}
	for ; i < len(s); i++ {
		e := huffEnc[s[i]]
		acc = acc<<(e&0xff) | e>>8
		nb += e & 0xff
		if nb >= 32 {
			nb -= 32
			binary.BigEndian.PutUint32(out[j:j+4], uint32(acc>>nb))
			j += 4
		}
	}
	// The last nb < 32 bits, padded with ones (the prefix of EOS) to a
	// whole word, of which the octets holding code bits are kept.
	pad := 32 - nb
	binary.BigEndian.PutUint32(out[j:j+4], uint32(acc<<pad|(1<<pad-1)))
	return j + int(nb+7)>>3
}

// grow extends dst by n octets, reallocating at most once.
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) < n {
		nd := make([]byte, len(dst), 2*cap(dst)+n)
		copy(nd, dst)
		dst = nd
	}
	return dst[:len(dst)+n]
}

// appendHuffmanDecode appends the decoding of the Huffman string src to dst.
// It returns ErrInvalidHuffman for EOS inside the string, padding longer than
// 7 bits, or padding that is not a prefix of EOS (RFC 7541 §5.2: "A padding
// strictly longer than 7 bits MUST be treated as a decoding error. A padding
// not corresponding to the most significant bits of the code for the EOS
// symbol MUST be treated as a decoding error. A Huffman-encoded string
// literal containing the EOS symbol MUST be treated as a decoding error.")
//
// Bits are kept MSB-aligned in a 64-bit register. One lookup of the next 13
// bits decodes one or two symbols when their codes fit in those bits (all
// common header characters have codes of 5 to 8 bits); the rare longer
// codes are decoded canonically.
func appendHuffmanDecode(dst []byte, src []byte) ([]byte, error) {
	start := len(dst)
	dst = grow(dst, huffmanDecodedMax(len(src)))
	n, err := huffmanDecode(dst[start:], src)
	return dst[:start+n], err
}

// huffmanDecode decodes the Huffman string src into out, which must have
// room for huffmanDecodedMax(len(src)) octets, and returns the number of
// octets decoded (also on error: those before it).
func huffmanDecode(out []byte, src []byte) (int, error) {
	j, i, cur, nbits, ok := huffDecodeBulk(out, src)
	if !ok {
		return j, ErrInvalidHuffman
	}
	// The last octets: as many as fit in cur at once (at least four,
	// since fewer than 30 bits are left), decoded without checks while
	// 30 bits are valid (every code is then complete), be they the last.
	for {
		if r := min(len(src)-i, int(64-nbits)>>3); r > 0 {
			cur |= loadHigh(src[i:i+r]) >> nbits
			i += r
			nbits += uint(r) << 3
		}
		for nbits >= 30 {
			e := huffPrimary[cur>>(64-huffPrimaryBits)]
			if e != 0 {
				out[j] = byte(e)
				out[j+1] = byte(e >> 8)
				j += int(e >> 26)
				total := uint(e>>21) & 31
				cur <<= total
				nbits -= total
				continue
			}
			sym, l := huffDecodeLong(cur)
			if sym == 256 {
				return j, ErrInvalidHuffman
			}
			out[j] = byte(sym)
			j++
			cur <<= l
			nbits -= l
		}
		if i == len(src) {
			break
		}
	}
	// All input is in cur, fewer than 30 bits: the last codes and the
	// padding, checked.
	for nbits > 0 {
		e := huffPrimary[cur>>(64-huffPrimaryBits)]
		if total := uint(e>>21) & 31; e != 0 && total <= nbits {
			out[j] = byte(e)
			out[j+1] = byte(e >> 8)
			j += int(e >> 26)
			cur <<= total
			nbits -= total
			continue
		}
		var sym, l uint
		if e != 0 {
			// The second symbol would run into the padding.
			sym, l = uint(e&0xff), uint(e>>16)&31
		} else {
			sym, l = huffDecodeLong(cur)
		}
		if l > nbits {
			// Only padding is left.
			if nbits > 7 || cur>>(64-nbits) != 1<<nbits-1 {
				return j, ErrInvalidHuffman
			}
			break
		}
		if sym == 256 {
			return j, ErrInvalidHuffman
		}
		out[j] = byte(sym)
		j++
		cur <<= l
		nbits -= l
	}
	return j, nil
}

// loadHigh returns the 1 to 8 octets of b big-endian in the high bits of a
// word, the low bits zero, with at most two loads.
func loadHigh(b []byte) uint64 {
	n := len(b)
	switch {
	case n >= 4:
		return uint64(binary.BigEndian.Uint32(b))<<32 | uint64(binary.BigEndian.Uint32(b[n-4:]))<<(64-8*n)
	case n >= 2:
		return uint64(binary.BigEndian.Uint16(b))<<48 | uint64(binary.BigEndian.Uint16(b[n-2:]))<<(64-8*n)
	default:
		return uint64(b[0]) << 56
	}
}

// huffmanDecodedMax returns the room appendHuffmanDecode needs to decode n
// Huffman-coded octets: at most 8n/5 symbols (the shortest codes have 5
// bits, and every symbol decoded consumes real input bits), plus one octet
// of slack for the two-symbol store, which writes one octet past the
// symbols when it decodes a single one.
func huffmanDecodedMax(n int) int { return 8*n/5 + 2 }

// huffDecodeBulk decodes src into out while 8 input octets can be loaded at
// once, and returns the number of octets written (j) and read (i), the bits
// left over (cur, MSB-aligned, and nbits), and ok false for EOS. After each
// load at least 56 bits are valid, and every code (at most 30 bits) is
// complete while 30 remain. It is a function of its own so that the
// compiler keeps its few variables in registers.
func huffDecodeBulk(out []byte, src []byte) (j, i int, cur uint64, nbits uint, ok bool) {
	for i+8 <= len(src) {
		// The load also sets some bits past nbits, which are exactly the
		// next input bits, so OR-ing them again later is harmless.
		cur |= binary.BigEndian.Uint64(src[i:]) >> nbits
		k := (63 - nbits) >> 3
		i += int(k)
		nbits += k << 3
		for nbits >= 30 {
			e := huffPrimary[cur>>(64-huffPrimaryBits)]
			if e != 0 {
				// Both symbols are stored; j advances by the count.
				_ = out[j+1]
				out[j] = byte(e)
				out[j+1] = byte(e >> 8)
				j += int(e >> 26)
				total := uint(e>>21) & 31
				cur <<= total
				nbits -= total
				continue
			}
			sym, l := huffDecodeLong(cur)
			if sym == 256 {
				return j, i, cur, nbits, false
			}
			out[j] = byte(sym)
			j++
			cur <<= l
			nbits -= l
		}
	}
	return j, i, cur, nbits, true
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
