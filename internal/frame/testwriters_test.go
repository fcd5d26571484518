package frame

// Frame writers that only tests use: the server never sends padding,
// priority signals, PRIORITY_UPDATE or PUSH_PROMISE (push is not
// implemented), but the golden-byte tests check the parsers against them.

// AppendDataPadded appends a PADDED DATA frame with pad octets of padding.
func AppendDataPadded(dst []byte, streamID uint32, endStream bool, data []byte, pad uint8) []byte {
	fl := FlagPadded
	if endStream {
		fl |= FlagEndStream
	}
	dst = AppendHeader(dst, Header{Length: uint32(len(data)) + 1 + uint32(pad), Type: TypeData, Flags: fl, StreamID: streamID})
	dst = append(dst, pad)
	dst = append(dst, data...)
	for range pad {
		dst = append(dst, 0)
	}
	return dst
}

// AppendHeadersPriority appends a HEADERS frame with the PRIORITY flag (and
// optional padding); used by tests and clients.
func AppendHeadersPriority(dst []byte, streamID uint32, endStream, endHeaders bool, prio PriorityParam, pad uint8, fragment []byte) []byte {
	fl := FlagPriority
	if endStream {
		fl |= FlagEndStream
	}
	if endHeaders {
		fl |= FlagEndHeaders
	}
	n := uint32(len(fragment)) + 5
	if pad > 0 {
		fl |= FlagPadded
		n += 1 + uint32(pad)
	}
	dst = AppendHeader(dst, Header{Length: n, Type: TypeHeaders, Flags: fl, StreamID: streamID})
	if pad > 0 {
		dst = append(dst, pad)
	}
	dst = appendPriorityParam(dst, prio)
	dst = append(dst, fragment...)
	for range pad {
		dst = append(dst, 0)
	}
	return dst
}

func appendPriorityParam(dst []byte, p PriorityParam) []byte {
	v := p.StreamDep & MaxStreamID
	if p.Exclusive {
		v |= 1 << 31
	}
	return append(appendU32(dst, v), p.Weight)
}

// AppendPriority appends a PRIORITY frame (RFC 9113 §6.3).
func AppendPriority(dst []byte, streamID uint32, p PriorityParam) []byte {
	dst = AppendHeader(dst, Header{Length: 5, Type: TypePriority, StreamID: streamID})
	return appendPriorityParam(dst, p)
}

// AppendPriorityUpdate appends a PRIORITY_UPDATE frame (RFC 9218 §7.1).
func AppendPriorityUpdate(dst []byte, prioritizedID uint32, value []byte) []byte {
	dst = AppendHeader(dst, Header{Length: 4 + uint32(len(value)), Type: TypePriorityUpdate})
	dst = appendU32(dst, prioritizedID&MaxStreamID)
	return append(dst, value...)
}
