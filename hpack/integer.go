package hpack

import "errors"

// errNeedMore is returned internally when the input ends inside an item.
var errNeedMore = errors.New("hpack: need more input")

// maxInteger bounds the integers the decoder accepts (RFC 7541 §5.1: "Integer
// encodings that exceed implementation limits ... MUST be treated as decoding
// errors"). Every integer HPACK carries (index, string length, table size)
// fits in 32 bits here.
const maxInteger = 1<<32 - 1

// maxIntegerContinuations bounds the continuation octets of an integer: at
// most 9, the most x/net's decoder (Go's HTTP/2) accepts, so that a block
// one of them decodes the other decodes too. Octets beyond the 32-bit range
// must be zero padding.
const maxIntegerContinuations = 9

// appendInteger appends v with an n-bit prefix (RFC 7541 §5.1); first holds
// the representation's flag bits above the prefix.
func appendInteger(dst []byte, first byte, n uint, v uint64) []byte {
	max := uint64(1)<<n - 1
	if v < max {
		return append(dst, first|byte(v))
	}
	dst = append(dst, first|byte(max))
	v -= max
	for v >= 128 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// readInteger decodes an integer with an n-bit prefix from the start of p
// (RFC 7541 §5.1) and returns it with the number of octets used. It returns
// errNeedMore when p ends inside the integer and ErrIntegerOverflow when the
// value exceeds maxInteger.
func readInteger(p []byte, n uint) (uint64, int, error) {
	if len(p) == 0 {
		return 0, 0, errNeedMore
	}
	max := uint64(1)<<n - 1
	v := uint64(p[0]) & max
	if v < max {
		return v, 1, nil
	}
	var shift uint
	for i := 1; i < len(p); i++ {
		b := p[i]
		if shift < 32 {
			v += uint64(b&0x7f) << shift
			if v > maxInteger {
				return 0, 0, ErrIntegerOverflow
			}
		} else if b&0x7f != 0 {
			return 0, 0, ErrIntegerOverflow
		}
		if b&0x80 == 0 {
			return v, i + 1, nil
		}
		if i == maxIntegerContinuations {
			// A tenth continuation octet would follow: only zero
			// padding could, refused so that integers stay short.
			return 0, 0, ErrIntegerOverflow
		}
		shift += 7
	}
	return 0, 0, errNeedMore
}
