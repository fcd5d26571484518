package frame

import "errors"

// ConnError is a connection error (RFC 9113 §5.4.1): the endpoint sends
// GOAWAY with Code and closes the connection.
type ConnError struct {
	Code   ErrCode
	Reason string // short, stable description; also sent as GOAWAY debug data
}

// Error implements error.
func (e *ConnError) Error() string {
	if e.Reason == "" {
		return "h2: connection error: " + e.Code.String()
	}
	return "h2: connection error: " + e.Code.String() + ": " + e.Reason
}

// StreamError is a stream error (RFC 9113 §5.4.2): the endpoint sends
// RST_STREAM with Code for StreamID and the connection carries on.
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
func connErr(code ErrCode, reason string) error { return &ConnError{Code: code, Reason: reason} }

func streamErr(id uint32, code ErrCode, cause error) error {
	return &StreamError{StreamID: id, Code: code, Cause: cause}
}

var errZeroIncrement = errors.New("zero_window_increment")

// Reasons returns every ConnError.Reason the parsers produce: stable
// snake_case tokens, usable as metric names.
func Reasons() []string {
	return []string{
		"continuation_stream_0",
		"data_stream_0",
		"frame_too_large",
		"goaway_on_stream",
		"goaway_too_short",
		"headers_stream_0",
		"headers_too_short",
		"invalid_boolean_setting",
		"invalid_enable_push",
		"invalid_initial_window_size",
		"invalid_max_frame_size",
		"missing_pad_length",
		"padding_too_long",
		"ping_length",
		"ping_on_stream",
		"priority_stream_0",
		"priority_update_on_stream",
		"priority_update_too_short",
		"push_promise_stream_0",
		"push_promise_too_short",
		"rst_stream_length",
		"rst_stream_stream_0",
		"settings_ack_with_payload",
		"settings_length",
		"settings_on_stream",
		"window_update_length",
		"zero_window_increment",
	}
}
