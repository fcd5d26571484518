// Package frame is h2kit's zero-allocation HTTP/2 frame codec (RFC 9113 §4 and §6).
//
// It parses frames straight from a byte slice (no io.Reader): ReadFrame splits
// one frame header and payload off the front of a buffer, and the ParseXxx
// functions turn the payload into a typed frame value whose byte slices alias
// the input. Writers are append-style (AppendData, AppendHeaders, ...) so a
// caller can coalesce many frames into one output buffer.
//
// Nothing here allocates on the success path, keeps state, or knows about
// streams; the connection engine (internal/h2conn) owns all of that.
package frame
