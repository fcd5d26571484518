package h2conn

import (
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/reject"
)

// Handler receives a connection's events. All methods are called on the
// connection goroutine, synchronously from Feed, AppendOutput, Tick or a
// command, and must not block.
type Handler interface {
	// OnHeaders: the request header block of st is complete and valid.
	OnHeaders(st *Stream)
	// OnData: a piece of the request body. data is valid only during the
	// call. Call Engine.Consume when the bytes have been consumed, or the
	// flow-control windows close.
	OnData(st *Stream, data []byte)
	// OnTrailers: the request trailers are in st.Trailers(); OnEndStream
	// follows.
	OnTrailers(st *Stream)
	// OnEndStream: the request has been received completely.
	OnEndStream(st *Stream)
	// OnClose: st is closed; code is the peer's RST_STREAM code, the code
	// we reset it with, or NO_ERROR on a clean close. st is recycled after
	// OnClose returns. OnClose is only called for streams that got
	// OnHeaders.
	OnClose(st *Stream, code ErrCode)
	// OnReject counts a reject path (a refused stream, a malformed request,
	// a flood cap, ...).
	OnReject(name reject.Name)
}

// DataFlag is what a BodySource says about the data it returns.
type DataFlag uint8

// The flags a BodySource may return.
const (
	// DataOK: more data follows; the returned slice must not be empty.
	DataOK DataFlag = iota
	// DataEOF: the body ends with the returned bytes (possibly none).
	DataEOF
	// DataDeferred: nothing more for now (the returned bytes, if any, are
	// sent); the engine does not call Read again until Engine.Resume.
	DataDeferred
)

// BodySource produces a response body. AppendOutput pulls from it when the
// flow-control windows allow: Read(max) returns at most max bytes (max ≥ 1)
// which the engine copies before Read is called again.
//
// A source that cannot go on (a failed read, a broken generator) returns a
// non-nil error; the data and flag are then ignored. The engine resets the
// stream with INTERNAL_ERROR and counts reject.BodyGeneratorError once; the
// source is where the cause is known, so logging it is the source's job.
// A source that breaks this contract instead (more than max bytes, an
// unknown flag, DataOK with no bytes, a panic) is treated the same way but
// counted as reject.BodySourceMisbehaved. Either way the connection carries
// on.
//
// A BodySource that also implements TrailerSource has its trailers sent
// after DataEOF.
type BodySource interface {
	Read(max int) ([]byte, DataFlag, error)
}

// TrailerSource is an optional interface of a BodySource: at DataEOF the
// engine calls Trailers and, if it returns fields, sends them as a trailing
// HEADERS frame with END_STREAM.
type TrailerSource interface {
	Trailers() []hpack.HeaderField
}
