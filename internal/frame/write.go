package frame

// Append-style writers. Each appends exactly one frame to dst and returns the
// extended slice; callers are responsible for respecting the peer's
// SETTINGS_MAX_FRAME_SIZE (RFC 9113 §4.2) and flow-control windows.

func appendU32(dst []byte, v uint32) []byte {
	return append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// AppendData appends a DATA frame (RFC 9113 §6.1).
func AppendData(dst []byte, streamID uint32, endStream bool, data []byte) []byte {
	var fl Flags
	if endStream {
		fl = FlagEndStream
	}
	dst = AppendHeader(dst, Header{Length: uint32(len(data)), Type: TypeData, Flags: fl, StreamID: streamID})
	return append(dst, data...)
}

// AppendHeaders appends a HEADERS frame (RFC 9113 §6.2) carrying fragment.
func AppendHeaders(dst []byte, streamID uint32, endStream, endHeaders bool, fragment []byte) []byte {
	var fl Flags
	if endStream {
		fl |= FlagEndStream
	}
	if endHeaders {
		fl |= FlagEndHeaders
	}
	dst = AppendHeader(dst, Header{Length: uint32(len(fragment)), Type: TypeHeaders, Flags: fl, StreamID: streamID})
	return append(dst, fragment...)
}

// AppendContinuation appends a CONTINUATION frame (RFC 9113 §6.10).
func AppendContinuation(dst []byte, streamID uint32, endHeaders bool, fragment []byte) []byte {
	var fl Flags
	if endHeaders {
		fl = FlagEndHeaders
	}
	dst = AppendHeader(dst, Header{Length: uint32(len(fragment)), Type: TypeContinuation, Flags: fl, StreamID: streamID})
	return append(dst, fragment...)
}

// AppendRSTStream appends a RST_STREAM frame (RFC 9113 §6.4).
func AppendRSTStream(dst []byte, streamID uint32, code ErrCode) []byte {
	dst = AppendHeader(dst, Header{Length: 4, Type: TypeRSTStream, StreamID: streamID})
	return appendU32(dst, uint32(code))
}

// AppendSettings appends a SETTINGS frame (RFC 9113 §6.5) with the given
// parameters.
func AppendSettings(dst []byte, settings ...Setting) []byte {
	dst = AppendHeader(dst, Header{Length: uint32(6 * len(settings)), Type: TypeSettings})
	for _, s := range settings {
		dst = append(dst, byte(s.ID>>8), byte(s.ID))
		dst = appendU32(dst, s.Val)
	}
	return dst
}

// AppendSettingsAck appends an empty SETTINGS frame with the ACK flag.
func AppendSettingsAck(dst []byte) []byte {
	return AppendHeader(dst, Header{Type: TypeSettings, Flags: FlagAck})
}

// AppendPing appends a PING frame (RFC 9113 §6.7).
func AppendPing(dst []byte, ack bool, data [8]byte) []byte {
	var fl Flags
	if ack {
		fl = FlagAck
	}
	dst = AppendHeader(dst, Header{Length: 8, Type: TypePing, Flags: fl})
	return append(dst, data[:]...)
}

// AppendGoAway appends a GOAWAY frame (RFC 9113 §6.8).
func AppendGoAway(dst []byte, lastStreamID uint32, code ErrCode, debug []byte) []byte {
	dst = AppendHeader(dst, Header{Length: 8 + uint32(len(debug)), Type: TypeGoAway})
	dst = appendU32(dst, lastStreamID&MaxStreamID)
	dst = appendU32(dst, uint32(code))
	return append(dst, debug...)
}

// AppendWindowUpdate appends a WINDOW_UPDATE frame (RFC 9113 §6.9).
func AppendWindowUpdate(dst []byte, streamID, increment uint32) []byte {
	dst = AppendHeader(dst, Header{Length: 4, Type: TypeWindowUpdate, StreamID: streamID})
	return appendU32(dst, increment&MaxWindow)
}

// AppendPushPromise appends a PUSH_PROMISE frame (RFC 9113 §6.6) without
// padding: streamID is the associated stream, promiseID the reserved one.
func AppendPushPromise(dst []byte, streamID, promiseID uint32, endHeaders bool, fragment []byte) []byte {
	var fl Flags
	if endHeaders {
		fl = FlagEndHeaders
	}
	dst = AppendHeader(dst, Header{Length: 4 + uint32(len(fragment)), Type: TypePushPromise, Flags: fl, StreamID: streamID})
	dst = appendU32(dst, promiseID&MaxStreamID)
	return append(dst, fragment...)
}
