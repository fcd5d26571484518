package hpack

import (
	"errors"
	"strconv"
)

// Sentinel errors, matched with errors.Is. Decoding errors are wrapped in a
// *DecodingError giving the offset in the header block.
var (
	// ErrInvalidIndex: an index of 0 or beyond the static and dynamic tables
	// (RFC 7541 §2.3.3, §6.1).
	ErrInvalidIndex = errors.New("hpack: invalid index")
	// ErrInvalidHuffman: a Huffman string that contains EOS, or whose padding
	// is longer than 7 bits or not made of the most significant bits of EOS
	// (RFC 7541 §5.2).
	ErrInvalidHuffman = errors.New("hpack: invalid Huffman-encoded data")
	// ErrIntegerOverflow: an integer (RFC 7541 §5.1) that does not fit the
	// decoder's 32-bit range or uses too many continuation octets.
	ErrIntegerOverflow = errors.New("hpack: integer overflow")
	// ErrTableSizeUpdate: a dynamic table size update above the advertised
	// limit, not at the start of a block, or missing when required, or a
	// first update above the smallest size advertised since the last block
	// (RFC 7541 §4.2, §6.3).
	ErrTableSizeUpdate = errors.New("hpack: invalid dynamic table size update")
	// ErrTruncated: the header block ended inside a representation.
	ErrTruncated = errors.New("hpack: truncated header block")
	// ErrHeaderListTooLarge: the decoded header list exceeds
	// SetMaxHeaderListSize (a budget error).
	ErrHeaderListTooLarge = errors.New("hpack: header list too large")
	// ErrTooManyFields: the block has more fields than SetMaxFieldCount
	// (a budget error).
	ErrTooManyFields = errors.New("hpack: too many header fields")
	// ErrStringTooLong: a name or value is longer than SetMaxStringLength
	// (a budget error).
	ErrStringTooLong = errors.New("hpack: header string too long")
	// ErrInflaterFailed is returned, joined with the original cause, by every
	// call on an Inflater after a non-budget decoding error: the
	// decoder state is lost and the connection must be closed with
	// COMPRESSION_ERROR (RFC 9113 §4.3).
	ErrInflaterFailed = errors.New("hpack: inflater failed on an earlier block")
	// ErrMidBlock is returned by Inflater.ChangeTableSize and Inflate while a
	// streamed block is open (Write called, Close not yet).
	ErrMidBlock = errors.New("hpack: call not allowed in the middle of a header block")
)

// DecodingError is the error returned for a header block that cannot be
// decoded. Err is one of the sentinel errors (possibly a *BudgetError); Offset
// is the byte offset in the header block where the faulty item starts.
type DecodingError struct {
	Err    error
	Offset int
}

// Error implements error.
func (e *DecodingError) Error() string {
	return e.Err.Error() + " at offset " + strconv.Itoa(e.Offset)
}

// Unwrap returns Err.
func (e *DecodingError) Unwrap() error { return e.Err }

// BudgetError reports a decode budget that was exceeded (header list size,
// field count or string length). It is found with errors.As(err,
// new(*BudgetError)). After a budget error the Inflater has still decoded the
// whole block and remains usable: only the stream is refused (HTTP 431).
type BudgetError struct {
	Err   error  // ErrHeaderListTooLarge, ErrTooManyFields or ErrStringTooLong
	Limit uint64 // the configured budget
	Value uint64 // the value that went over it (a lower bound for skipped strings)
}

// Error implements error.
func (e *BudgetError) Error() string {
	return e.Err.Error() + " (" + strconv.FormatUint(e.Value, 10) + " > limit " + strconv.FormatUint(e.Limit, 10) + ")"
}

// Unwrap returns Err.
func (e *BudgetError) Unwrap() error { return e.Err }

// failedError is returned after the Inflater failed: it matches both
// ErrInflaterFailed and the original cause.
type failedError struct{ cause error }

func (e *failedError) Error() string   { return ErrInflaterFailed.Error() + ": " + e.cause.Error() }
func (e *failedError) Unwrap() []error { return []error{ErrInflaterFailed, e.cause} }
