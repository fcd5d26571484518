package handler

import "github.com/h2kit/h2kit/internal/frame"

// ErrCode is an HTTP/2 error code (RFC 9113 §7), as carried by RST_STREAM and
// GOAWAY. Its String method prints the RFC name ("CANCEL", "INTERNAL_ERROR", ...).
type ErrCode = frame.ErrCode

// The error codes of RFC 9113 §7, for Stream.Reset and RequestHandler.OnClose.
const (
	NoError            = frame.ErrCodeNo
	ProtocolError      = frame.ErrCodeProtocol
	InternalError      = frame.ErrCodeInternal
	FlowControlError   = frame.ErrCodeFlowControl
	SettingsTimeout    = frame.ErrCodeSettingsTimeout
	StreamClosed       = frame.ErrCodeStreamClosed
	FrameSizeError     = frame.ErrCodeFrameSize
	RefusedStream      = frame.ErrCodeRefusedStream
	Cancel             = frame.ErrCodeCancel
	CompressionError   = frame.ErrCodeCompression
	ConnectError       = frame.ErrCodeConnect
	EnhanceYourCalm    = frame.ErrCodeEnhanceYourCalm
	InadequateSecurity = frame.ErrCodeInadequateSecurity
	HTTP11Required     = frame.ErrCodeHTTP11Required
)
