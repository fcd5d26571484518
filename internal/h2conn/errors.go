package h2conn

import "github.com/h2kit/h2kit/internal/frame"

// ConnError is a connection error (RFC 9113 §5.4.1): GOAWAY with Code, then
// close. Feed returns it after queueing the GOAWAY.
type ConnError = frame.ConnError

// StreamError is a stream error (RFC 9113 §5.4.2): RST_STREAM with Code.
type StreamError = frame.StreamError

// ErrCode is an HTTP/2 error code (RFC 9113 §7); String prints RFC names.
type ErrCode = frame.ErrCode

// Error codes, re-exported from internal/frame for the handler layer.
const (
	ErrCodeNo              = frame.ErrCodeNo
	ErrCodeProtocol        = frame.ErrCodeProtocol
	ErrCodeInternal        = frame.ErrCodeInternal
	ErrCodeFlowControl     = frame.ErrCodeFlowControl
	ErrCodeSettingsTimeout = frame.ErrCodeSettingsTimeout
	ErrCodeStreamClosed    = frame.ErrCodeStreamClosed
	ErrCodeFrameSize       = frame.ErrCodeFrameSize
	ErrCodeRefusedStream   = frame.ErrCodeRefusedStream
	ErrCodeCancel          = frame.ErrCodeCancel
	ErrCodeCompression     = frame.ErrCodeCompression
	ErrCodeConnect         = frame.ErrCodeConnect
	ErrCodeEnhanceYourCalm = frame.ErrCodeEnhanceYourCalm
	ErrCodeInadequateSec   = frame.ErrCodeInadequateSecurity
	ErrCodeHTTP11Required  = frame.ErrCodeHTTP11Required
)

// Errors returned by the command methods (SendHeaders, SetBody, ...). They
// are programming errors of the handler layer, not protocol errors; the
// connection carries on.
var (
	ErrStreamClosed = errorString("h2conn: stream is closed")
	ErrHeadersSent  = errorString("h2conn: response headers already sent")
	ErrNoHeaders    = errorString("h2conn: response headers not sent yet")
	ErrBodySet      = errorString("h2conn: response body already set")
	ErrStreamEnded  = errorString("h2conn: response already ended")
	ErrBadStatus    = errorString("h2conn: status code outside 100..999")
	ErrConnClosed   = errorString("h2conn: connection is closed")
	ErrBadField     = errorString("h2conn: response field name or value not allowed in HTTP/2 (RFC 9113 §8.2)")
)

type errorString string

func (e errorString) Error() string { return string(e) }
