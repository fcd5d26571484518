package handler

import "strconv"

// DataFlag is what a body generator returns with its data, as in nghttp2's
// DATA_OK, DATA_EOF and DATA_DEFERRED.
type DataFlag int

const (
	// DataOK: the returned data (at least one byte) is part of the body and
	// more follows; the generator is called again as the windows allow.
	DataOK DataFlag = iota
	// DataEOF: the returned data (possibly empty) ends the body. The last
	// DATA frame carries END_STREAM, or the trailers follow if the stream has
	// any (Stream.SetTrailers).
	DataEOF
	// DataDeferred: no more data is available right now. The data returned
	// with it (usually none) is sent, then the generator is not called again
	// until Stream.Resume.
	DataDeferred
)

// String returns the flag's name.
func (f DataFlag) String() string {
	switch f {
	case DataOK:
		return "DataOK"
	case DataEOF:
		return "DataEOF"
	case DataDeferred:
		return "DataDeferred"
	}
	return "DataFlag(" + strconv.Itoa(int(f)) + ")"
}

// BodyGenerator produces a response body piece by piece. max is the most the
// connection may send now: the minimum of the peer's SETTINGS_MAX_FRAME_SIZE, the
// stream's send window and the connection's send window; it is always at least 1,
// because the generator is not called while a window is empty. The generator runs
// on the connection goroutine and must not block: when it has nothing yet it
// returns DataDeferred and someone calls Stream.Resume later.
//
// Returning more than max bytes, a flag other than the three DataFlags, DataOK
// with no data, or panicking is a bug in the generator: the stream is reset with
// INTERNAL_ERROR, the failure is logged (a GeneratorError) and counted once as
// reject.BodyGeneratorError, and the connection carries on (the Python binding
// this API is modeled on overflowed a buffer instead). The returned slice is copied before the
// generator is called again, so it may be reused.
type BodyGenerator func(max int) ([]byte, DataFlag)
