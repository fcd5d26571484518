package handler

import "github.com/h2kit/h2kit/internal/frame"

// ErrCode is an HTTP/2 error code (RFC 9113 §7), as carried by RST_STREAM and
// GOAWAY. Its String method prints the RFC name ("CANCEL", "INTERNAL_ERROR",
// ...), or the number for a code the RFC does not define.
type ErrCode uint32

// The error codes of RFC 9113 §7, for Stream.Reset and RequestHandler.OnClose.
const (
	NoError            ErrCode = 0x0
	ProtocolError      ErrCode = 0x1
	InternalError      ErrCode = 0x2
	FlowControlError   ErrCode = 0x3
	SettingsTimeout    ErrCode = 0x4
	StreamClosed       ErrCode = 0x5
	FrameSizeError     ErrCode = 0x6
	RefusedStream      ErrCode = 0x7
	Cancel             ErrCode = 0x8
	CompressionError   ErrCode = 0x9
	ConnectError       ErrCode = 0xa
	EnhanceYourCalm    ErrCode = 0xb
	InadequateSecurity ErrCode = 0xc
	HTTP11Required     ErrCode = 0xd
)

// String returns the RFC 9113 name of c (the frame codec keeps the one table
// of names).
func (c ErrCode) String() string { return frame.ErrCode(c).String() }
