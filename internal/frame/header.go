package frame

import "github.com/h2kit/h2kit/reject"

// Header is the fixed 9-octet frame header (RFC 9113 §4.1).
type Header struct {
	Length   uint32 // payload length, 24 bits
	Type     Type
	Flags    Flags
	StreamID uint32 // 31 bits; the reserved bit is ignored on receipt
}

// ParseHeader decodes the 9-octet frame header at the start of b. It returns
// ErrShort if b holds fewer than 9 octets.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, ErrShort
	}
	return Header{
		Length: uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]),
		Type:   Type(b[3]),
		Flags:  Flags(b[4]),
		// RFC 9113 §4.1: "The semantics of this bit are undefined, and the bit
		// MUST remain unset (0x00) when sending and MUST be ignored when
		// receiving."
		StreamID: be32(b[5:]) & MaxStreamID,
	}, nil
}

// AppendHeader appends the encoded frame header h to dst.
func AppendHeader(dst []byte, h Header) []byte {
	return append(dst,
		byte(h.Length>>16), byte(h.Length>>8), byte(h.Length),
		byte(h.Type), byte(h.Flags),
		byte(h.StreamID>>24)&0x7f, byte(h.StreamID>>16), byte(h.StreamID>>8), byte(h.StreamID))
}

// ReadFrame splits one frame off the front of b. It returns the header, the
// payload (aliasing b) and the number of bytes consumed. If b does not yet
// hold the whole frame it returns n == 0 and a nil error; the caller should
// wait for more input. A frame longer than maxFrameSize is a connection
// error of type FRAME_SIZE_ERROR, reported as soon as the header is read.
//
// RFC 9113 §4.2: "An endpoint MUST send an error code of FRAME_SIZE_ERROR if
// a frame exceeds the size defined in SETTINGS_MAX_FRAME_SIZE". Every such
// frame is treated as a connection error here, because the receiver cannot
// resynchronise without reading the oversized payload.
func ReadFrame(b []byte, maxFrameSize uint32) (h Header, payload []byte, n int, err error) {
	if len(b) < HeaderLen {
		return Header{}, nil, 0, nil
	}
	h, _ = ParseHeader(b)
	if h.Length > maxFrameSize {
		return h, nil, 0, connErr(ErrCodeFrameSize, reject.FrameTooLarge)
	}
	end := HeaderLen + int(h.Length)
	if len(b) < end {
		return h, nil, 0, nil
	}
	return h, b[HeaderLen:end:end], end, nil
}

func be32(b []byte) uint32 {
	_ = b[3]
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
