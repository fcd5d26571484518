package frame

import "github.com/h2kit/h2kit/reject"

// This file turns a frame payload into a typed frame. Every ParseXxx takes
// the header and payload returned by ReadFrame and returns a value whose
// slices alias the payload; nothing allocates on the success path. The
// caller must have dispatched on h.Type already.

// Data is a DATA frame (RFC 9113 §6.1) with the padding removed.
type Data struct {
	StreamID uint32
	Flags    Flags
	Data     []byte
	// FlowLen is the whole payload length including padding: RFC 9113
	// §6.9.1 counts "the entire DATA frame payload ... including the Pad
	// Length and Padding fields" against flow control.
	FlowLen uint32
}

// EndStream reports whether END_STREAM is set.
func (d Data) EndStream() bool { return d.Flags.Has(FlagEndStream) }

// PriorityParam is the (deprecated) RFC 7540 priority information carried
// in PRIORITY frames and HEADERS frames with the PRIORITY flag.
type PriorityParam struct {
	StreamDep uint32
	Exclusive bool
	Weight    uint8
}

// Headers is a HEADERS frame (RFC 9113 §6.2) with padding and priority
// fields removed; Fragment is the field block fragment.
type Headers struct {
	StreamID    uint32
	Flags       Flags
	HasPriority bool
	Priority    PriorityParam
	Fragment    []byte
}

// EndStream reports whether END_STREAM is set.
func (h Headers) EndStream() bool { return h.Flags.Has(FlagEndStream) }

// EndHeaders reports whether END_HEADERS is set.
func (h Headers) EndHeaders() bool { return h.Flags.Has(FlagEndHeaders) }

// Priority is a PRIORITY frame (RFC 9113 §6.3).
type Priority struct {
	StreamID uint32
	PriorityParam
}

// RSTStream is a RST_STREAM frame (RFC 9113 §6.4).
type RSTStream struct {
	StreamID uint32
	Code     ErrCode
}

// Settings is a SETTINGS frame (RFC 9113 §6.5). Its parameters are read with
// Len and At, so parsing never allocates.
type Settings struct {
	Ack     bool
	payload []byte
}

// Len returns the number of parameters in the frame.
func (s Settings) Len() int { return len(s.payload) / 6 }

// At returns the i-th parameter.
func (s Settings) At(i int) Setting {
	p := s.payload[i*6 : i*6+6]
	return Setting{ID: SettingID(uint16(p[0])<<8 | uint16(p[1])), Val: be32(p[2:])}
}

// PushPromise is a PUSH_PROMISE frame (RFC 9113 §6.6).
type PushPromise struct {
	StreamID  uint32
	Flags     Flags
	PromiseID uint32
	Fragment  []byte
}

// Ping is a PING frame (RFC 9113 §6.7).
type Ping struct {
	Ack  bool
	Data [8]byte
}

// GoAway is a GOAWAY frame (RFC 9113 §6.8).
type GoAway struct {
	LastStreamID uint32
	Code         ErrCode
	Debug        []byte
}

// WindowUpdate is a WINDOW_UPDATE frame (RFC 9113 §6.9).
type WindowUpdate struct {
	StreamID  uint32
	Increment uint32
}

// Continuation is a CONTINUATION frame (RFC 9113 §6.10).
type Continuation struct {
	StreamID uint32
	Flags    Flags
	Fragment []byte
}

// EndHeaders reports whether END_HEADERS is set.
func (c Continuation) EndHeaders() bool { return c.Flags.Has(FlagEndHeaders) }

// stripPadding removes the Pad Length octet and the padding of a PADDED
// frame. RFC 9113 §6.1: "If the length of the padding is the length of the
// frame payload or greater, the recipient MUST treat this as a connection
// error (Section 5.4.1) of type PROTOCOL_ERROR." (Same rule for HEADERS,
// §6.2, and PUSH_PROMISE, §6.6.)
func stripPadding(h Header, p []byte) ([]byte, error) {
	if !h.Flags.Has(FlagPadded) {
		return p, nil
	}
	if len(p) == 0 {
		return nil, connErr(ErrCodeFrameSize, reject.MissingPadLength)
	}
	pad := int(p[0])
	if pad >= len(p) {
		return nil, connErr(ErrCodeProtocol, reject.PaddingTooLong)
	}
	return p[1 : len(p)-pad], nil
}

// ParseData parses a DATA frame.
func ParseData(h Header, p []byte) (Data, error) {
	// RFC 9113 §6.1: "If a DATA frame is received whose Stream Identifier
	// field is 0x00, the recipient MUST respond with a connection error
	// (Section 5.4.1) of type PROTOCOL_ERROR."
	if h.StreamID == 0 {
		return Data{}, connErr(ErrCodeProtocol, reject.DataStream0)
	}
	d, err := stripPadding(h, p)
	if err != nil {
		return Data{}, err
	}
	return Data{StreamID: h.StreamID, Flags: h.Flags, Data: d, FlowLen: h.Length}, nil
}

// ParseHeaders parses a HEADERS frame.
func ParseHeaders(h Header, p []byte) (Headers, error) {
	// RFC 9113 §6.2: "If a HEADERS frame is received whose Stream Identifier
	// field is 0x00, the recipient MUST respond with a connection error
	// (Section 5.4.1) of type PROTOCOL_ERROR."
	if h.StreamID == 0 {
		return Headers{}, connErr(ErrCodeProtocol, reject.HeadersStream0)
	}
	p, err := stripPadding(h, p)
	if err != nil {
		return Headers{}, err
	}
	f := Headers{StreamID: h.StreamID, Flags: h.Flags}
	if h.Flags.Has(FlagPriority) {
		if len(p) < 5 {
			return Headers{}, connErr(ErrCodeFrameSize, reject.HeadersTooShort)
		}
		f.HasPriority = true
		f.Priority = parsePriorityParam(p)
		p = p[5:]
	}
	f.Fragment = p
	return f, nil
}

func parsePriorityParam(p []byte) PriorityParam {
	v := be32(p)
	return PriorityParam{StreamDep: v & MaxStreamID, Exclusive: v>>31 == 1, Weight: p[4]}
}

// ParsePriority parses a PRIORITY frame.
func ParsePriority(h Header, p []byte) (Priority, error) {
	// RFC 9113 §6.3: "If a PRIORITY frame is received with a stream
	// identifier of 0x00, the recipient MUST respond with a connection error
	// (Section 5.4.1) of type PROTOCOL_ERROR."
	if h.StreamID == 0 {
		return Priority{}, connErr(ErrCodeProtocol, reject.PriorityStream0)
	}
	// "A PRIORITY frame with a length other than 5 octets MUST be treated as
	// a stream error (Section 5.4.2) of type FRAME_SIZE_ERROR."
	if len(p) != 5 {
		return Priority{}, streamErr(h.StreamID, ErrCodeFrameSize, reject.PriorityFrameSize)
	}
	return Priority{StreamID: h.StreamID, PriorityParam: parsePriorityParam(p)}, nil
}

// ParseRSTStream parses a RST_STREAM frame.
func ParseRSTStream(h Header, p []byte) (RSTStream, error) {
	// RFC 9113 §6.4: "If a RST_STREAM frame is received with a stream
	// identifier of 0x00, the recipient MUST treat this as a connection error
	// (Section 5.4.1) of type PROTOCOL_ERROR."
	if h.StreamID == 0 {
		return RSTStream{}, connErr(ErrCodeProtocol, reject.RSTStreamStream0)
	}
	// "A RST_STREAM frame with a length other than 4 octets MUST be treated
	// as a connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
	if len(p) != 4 {
		return RSTStream{}, connErr(ErrCodeFrameSize, reject.RSTStreamLength)
	}
	return RSTStream{StreamID: h.StreamID, Code: ErrCode(be32(p))}, nil
}

// ParseSettings parses a SETTINGS frame. Parameter values are not range
// checked here; use Setting.Valid.
func ParseSettings(h Header, p []byte) (Settings, error) {
	// RFC 9113 §6.5: "If an endpoint receives a SETTINGS frame whose Stream
	// Identifier field is anything other than 0x00, the endpoint MUST respond
	// with a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
	if h.StreamID != 0 {
		return Settings{}, connErr(ErrCodeProtocol, reject.SettingsOnStream)
	}
	if h.Flags.Has(FlagAck) {
		// "Receipt of a SETTINGS frame with the ACK flag set and a length
		// field value other than 0 MUST be treated as a connection error
		// (Section 5.4.1) of type FRAME_SIZE_ERROR."
		if len(p) != 0 {
			return Settings{}, connErr(ErrCodeFrameSize, reject.SettingsAckWithPayload)
		}
		return Settings{Ack: true}, nil
	}
	// "A SETTINGS frame with a length other than a multiple of 6 octets MUST
	// be treated as a connection error (Section 5.4.1) of type
	// FRAME_SIZE_ERROR."
	if len(p)%6 != 0 {
		return Settings{}, connErr(ErrCodeFrameSize, reject.SettingsLength)
	}
	return Settings{payload: p}, nil
}

// ParsePushPromise parses a PUSH_PROMISE frame. (A server receiving one
// treats it as a connection error; that is the engine's business.)
func ParsePushPromise(h Header, p []byte) (PushPromise, error) {
	if h.StreamID == 0 {
		return PushPromise{}, connErr(ErrCodeProtocol, reject.PushPromiseStream0)
	}
	p, err := stripPadding(h, p)
	if err != nil {
		return PushPromise{}, err
	}
	if len(p) < 4 {
		return PushPromise{}, connErr(ErrCodeFrameSize, reject.PushPromiseTooShort)
	}
	return PushPromise{StreamID: h.StreamID, Flags: h.Flags, PromiseID: be32(p) & MaxStreamID, Fragment: p[4:]}, nil
}

// ParsePing parses a PING frame.
func ParsePing(h Header, p []byte) (Ping, error) {
	// RFC 9113 §6.7: "If a PING frame is received with a Stream Identifier
	// field value other than 0x00, the recipient MUST respond with a
	// connection error (Section 5.4.1) of type PROTOCOL_ERROR."
	if h.StreamID != 0 {
		return Ping{}, connErr(ErrCodeProtocol, reject.PingOnStream)
	}
	// "Receipt of a PING frame with a length field value other than 8 MUST be
	// treated as a connection error (Section 5.4.1) of type
	// FRAME_SIZE_ERROR."
	if len(p) != 8 {
		return Ping{}, connErr(ErrCodeFrameSize, reject.PingLength)
	}
	f := Ping{Ack: h.Flags.Has(FlagAck)}
	copy(f.Data[:], p)
	return f, nil
}

// ParseGoAway parses a GOAWAY frame.
func ParseGoAway(h Header, p []byte) (GoAway, error) {
	// RFC 9113 §6.8: "An endpoint MUST treat a GOAWAY frame with a stream
	// identifier other than 0x00 as a connection error (Section 5.4.1) of
	// type PROTOCOL_ERROR."
	if h.StreamID != 0 {
		return GoAway{}, connErr(ErrCodeProtocol, reject.GoAwayOnStream)
	}
	if len(p) < 8 {
		return GoAway{}, connErr(ErrCodeFrameSize, reject.GoAwayTooShort)
	}
	return GoAway{LastStreamID: be32(p) & MaxStreamID, Code: ErrCode(be32(p[4:])), Debug: p[8:]}, nil
}

// ParseWindowUpdate parses a WINDOW_UPDATE frame.
func ParseWindowUpdate(h Header, p []byte) (WindowUpdate, error) {
	// RFC 9113 §6.9: "A WINDOW_UPDATE frame with a length other than 4
	// octets MUST be treated as a connection error (Section 5.4.1) of type
	// FRAME_SIZE_ERROR."
	if len(p) != 4 {
		return WindowUpdate{}, connErr(ErrCodeFrameSize, reject.WindowUpdateLength)
	}
	inc := be32(p) & MaxWindow
	// "A receiver MUST treat the receipt of a WINDOW_UPDATE frame with a
	// flow-control window increment of 0 as a stream error (Section 5.4.2)
	// of type PROTOCOL_ERROR; errors on the connection flow-control window
	// MUST be treated as a connection error (Section 5.4.1)."
	if inc == 0 {
		if h.StreamID == 0 {
			return WindowUpdate{}, connErr(ErrCodeProtocol, reject.ZeroWindowIncrement)
		}
		return WindowUpdate{}, streamErr(h.StreamID, ErrCodeProtocol, reject.ZeroWindowIncrement)
	}
	return WindowUpdate{StreamID: h.StreamID, Increment: inc}, nil
}

// ParseContinuation parses a CONTINUATION frame.
func ParseContinuation(h Header, p []byte) (Continuation, error) {
	// RFC 9113 §6.10: "If a CONTINUATION frame is received with a Stream
	// Identifier field of 0x00, the recipient MUST respond with a connection
	// error (Section 5.4.1) of type PROTOCOL_ERROR."
	if h.StreamID == 0 {
		return Continuation{}, connErr(ErrCodeProtocol, reject.ContinuationStream0)
	}
	return Continuation{StreamID: h.StreamID, Flags: h.Flags, Fragment: p}, nil
}

// PriorityUpdate is a PRIORITY_UPDATE frame (RFC 9218 §7.1): the priority
// field value (RFC 9218 §4) for a request stream.
type PriorityUpdate struct {
	PrioritizedID uint32
	Value         []byte
}

// ParsePriorityUpdate parses a PRIORITY_UPDATE frame.
func ParsePriorityUpdate(h Header, p []byte) (PriorityUpdate, error) {
	// RFC 9218 §7.1: "The PRIORITY_UPDATE frame ... is sent on stream 0
	// ... If a PRIORITY_UPDATE frame is received with a Stream Identifier
	// of anything other than 0x00, the recipient MUST respond with a
	// connection error of type PROTOCOL_ERROR."
	if h.StreamID != 0 {
		return PriorityUpdate{}, connErr(ErrCodeProtocol, reject.PriorityUpdateOnStream)
	}
	if len(p) < 4 {
		return PriorityUpdate{}, connErr(ErrCodeFrameSize, reject.PriorityUpdateTooShort)
	}
	return PriorityUpdate{PrioritizedID: be32(p) & MaxStreamID, Value: p[4:]}, nil
}
