package frame

import (
	"errors"

	"github.com/h2kit/h2kit/reject"
)

// ConnError is a connection error (RFC 9113 §5.4.1): the endpoint sends
// GOAWAY with Code and closes the connection.
type ConnError struct {
	Code ErrCode
	// Reason names the reject; it is also sent as GOAWAY debug data. It is
	// empty for a GOAWAY the server chose to send (not a reject).
	Reason reject.Name
}

// Error implements error.
func (e *ConnError) Error() string {
	if e.Reason == "" {
		return "h2: connection error: " + e.Code.String()
	}
	return "h2: connection error: " + e.Code.String() + ": " + string(e.Reason)
}

// StreamError is a stream error (RFC 9113 §5.4.2): the endpoint sends
// RST_STREAM with Code for StreamID and the connection carries on. Cause is
// the reject.Name of the error (match it with errors.Is).
type StreamError struct {
	StreamID uint32
	Code     ErrCode
	Cause    error
}

// Error implements error.
func (e *StreamError) Error() string {
	s := "h2: stream error on stream " + utoa(e.StreamID) + ": " + e.Code.String()
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *StreamError) Unwrap() error { return e.Cause }

// ErrShort is returned by parsers when the input does not yet hold a whole
// frame header; it is not a protocol error.
var ErrShort = errors.New("frame: short buffer")

func utoa(v uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}

// connErr and streamErr build the typed errors; they allocate, which is
// fine because every caller is on an error path that ends a stream or the
// connection.
func connErr(code ErrCode, reason reject.Name) error { return &ConnError{Code: code, Reason: reason} }

func streamErr(id uint32, code ErrCode, cause reject.Name) error {
	return &StreamError{StreamID: id, Code: code, Cause: cause}
}
