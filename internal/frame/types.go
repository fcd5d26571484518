package frame

import "strconv"

// Type is an HTTP/2 frame type (RFC 9113 §6).
type Type uint8

// The frame types defined by RFC 9113 §6.
const (
	TypeData         Type = 0x0
	TypeHeaders      Type = 0x1
	TypePriority     Type = 0x2
	TypeRSTStream    Type = 0x3
	TypeSettings     Type = 0x4
	TypePushPromise  Type = 0x5
	TypePing         Type = 0x6
	TypeGoAway       Type = 0x7
	TypeWindowUpdate Type = 0x8
	TypeContinuation Type = 0x9
	// TypePriorityUpdate is the PRIORITY_UPDATE frame of RFC 9218 §7.1.
	TypePriorityUpdate Type = 0x10
)

var typeNames = [...]string{
	TypeData:         "DATA",
	TypeHeaders:      "HEADERS",
	TypePriority:     "PRIORITY",
	TypeRSTStream:    "RST_STREAM",
	TypeSettings:     "SETTINGS",
	TypePushPromise:  "PUSH_PROMISE",
	TypePing:         "PING",
	TypeGoAway:       "GOAWAY",
	TypeWindowUpdate: "WINDOW_UPDATE",
	TypeContinuation: "CONTINUATION",
}

// Known reports whether t is one of the ten RFC 9113 frame types. RFC 9113
// §4.1: "Implementations MUST ignore and discard frames of unknown types."
func (t Type) Known() bool { return int(t) < len(typeNames) }

// String returns the RFC name of the type, or "UNKNOWN_FRAME_TYPE_0x..".
func (t Type) String() string {
	if t.Known() {
		return typeNames[t]
	}
	if t == TypePriorityUpdate {
		return "PRIORITY_UPDATE"
	}
	return "UNKNOWN_FRAME_TYPE_0x" + strconv.FormatUint(uint64(t), 16)
}

// Flags are the 8 flag bits of a frame header; their meaning depends on the
// frame type.
type Flags uint8

// Flag bits (RFC 9113 §6). FlagAck shares its bit with FlagEndStream.
const (
	FlagEndStream  Flags = 0x1
	FlagAck        Flags = 0x1
	FlagEndHeaders Flags = 0x4
	FlagPadded     Flags = 0x8
	FlagPriority   Flags = 0x20
)

// Has reports whether all bits of v are set in f.
func (f Flags) Has(v Flags) bool { return f&v == v }

// Size limits from RFC 9113 §4.2 and §6.5.2.
const (
	HeaderLen           = 9
	DefaultMaxFrameSize = 16384
	MaxFrameSizeLimit   = 1<<24 - 1
	MaxWindow           = 1<<31 - 1
	DefaultWindow       = 65535
	MaxStreamID         = 1<<31 - 1
)

// ClientPreface is the connection preface a client sends first (RFC 9113 §3.4).
const ClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
