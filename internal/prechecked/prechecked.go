// Package prechecked lets h2kit's own packages send a response whose header
// fields passed internal/httpfield's policy when they were built, without
// the handler layer checking them again on every response: the static
// server checks a file's precomputed header lists once, when the file enters
// its cache, and then sends them thousands of times.
//
// It is internal so that a user's fields always go through the check
// (handler.Stream.SendResponse); the lists sent through it must not change
// after they were checked, and neither may the bytes of their strings (they
// are never views of a reused buffer): the HPACK encoder then recognises a
// repeated header block by its strings' addresses
// (hpack.Deflater.DeflateStable).
package prechecked

import "github.com/h2kit/h2kit/hpack"

// SendResponse is handler.Stream.SendResponse (st is a *handler.Stream)
// without the field check. The handler package sets it when it is
// initialised, as driver.NewHandler is set.
var SendResponse func(st any, status int, fields []hpack.HeaderField, body any) error
