package rgi

import (
	"errors"
	"strconv"
)

// ProtocolError reports input that breaks the HTTP/1.1 subset this package
// speaks (a malformed preamble, a limit exceeded, an unsupported feature).
//
// Status and Reason are the answer a server sends before closing the
// connection (400, 413, 431, 501 or 505; the reason is letters and
// spaces only, because Degu's client rejects anything else). Status is 0 for
// errors found in a response, which only a client meets. Msg says what was
// wrong, in a few lowercase words; it never quotes the peer's bytes.
//
// The package returns the same *ProtocolError values for the same mistakes,
// so errors.Is works against the exported ErrXxx variables and errors.As
// gives the status.
type ProtocolError struct {
	Status int
	Reason string
	Msg    string
}

// Error implements error.
func (e *ProtocolError) Error() string {
	if e.Status == 0 {
		return "rgi: " + e.Msg
	}
	return "rgi: " + strconv.Itoa(e.Status) + " " + e.Reason + ": " + e.Msg
}

func badRequest(msg string) *ProtocolError { return &ProtocolError{400, "Bad Request", msg} }
func badResponse(msg string) *ProtocolError {
	return &ProtocolError{0, "", msg}
}

// Errors found while reading a preamble, a request or response head.
var (
	// ErrEmptyPreamble: the peer closed the connection before sending a byte
	// of the next message. Between keep-alive requests this is a clean close.
	ErrEmptyPreamble = errors.New("rgi: connection closed before a preamble")
	// ErrPreambleTooLarge: no "\r\n\r\n" within MaxPreambleSize bytes.
	ErrPreambleTooLarge = &ProtocolError{431, "Request Header Fields Too Large", "preamble longer than 32768 bytes"}
	// errPreambleTimeout: Timeout passed with a preamble begun but not ended.
	errPreambleTimeout = &ProtocolError{408, "Request Timeout", "request preamble not received in time"}
	// ErrTruncatedPreamble: the peer closed the connection in the middle of a preamble.
	ErrTruncatedPreamble = badRequest("connection closed inside the preamble")

	ErrBadRequestLine = badRequest("malformed request line")
	ErrBadVersion     = &ProtocolError{505, "HTTP Version Not Supported", "only HTTP/1.1 is supported"}
	// ErrMethodNotAllowed and ErrUnknownMethod are the client's: it sends
	// only Degu's five methods. The server passes every method to the app.
	ErrMethodNotAllowed = &ProtocolError{405, "Method Not Allowed", "method is not GET, HEAD, PUT, POST or DELETE"}
	ErrUnknownMethod    = &ProtocolError{501, "Not Implemented", "unknown method"}
	ErrBadURI           = badRequest("bad request target")
	ErrBadPath          = badRequest("bad path component")

	ErrBadHeaderLine       = badRequest("malformed header line")
	ErrBadHeaderName       = badRequest("bad header name")
	ErrHeaderNameTooLong   = badRequest("header name longer than 32 bytes")
	ErrBadHeaderValue      = badRequest("bad header value")
	ErrDuplicateHeader     = badRequest("duplicate header")
	ErrBadContentLength    = badRequest("bad content-length")
	ErrContentLengthTooBig = &ProtocolError{413, "Content Too Large", "content-length longer than 16 digits"}
	ErrBadTransferEncoding = &ProtocolError{501, "Not Implemented", "transfer-encoding other than chunked"}
	ErrLengthAndChunked    = badRequest("both content-length and transfer-encoding")
	ErrBodyNotAllowed      = badRequest("no request body allowed with GET, HEAD or DELETE")

	ErrBadStatusLine = badResponse("malformed status line")
	ErrBadStatus     = badResponse("bad status code")
	ErrBadReason     = badResponse("bad reason phrase")
)

// Errors found while reading a body.
var (
	ErrBadChunkLine      = badRequest("malformed chunk size line")
	ErrChunkLineTooLong  = badRequest("chunk size line longer than 4096 bytes")
	ErrChunkTooLarge     = &ProtocolError{413, "Content Too Large", "chunk larger than 16 MiB"}
	ErrBadChunkExtension = badRequest("bad chunk extension")
	ErrBadChunkEnd       = badRequest("chunk data not followed by CRLF")
	ErrTruncatedBody     = badRequest("connection closed inside the body")
)

// Errors in what an application (or a client caller) hands over for output.
// They are programming errors; a server answers 500 for them when it still
// can, and closes the connection otherwise.
var (
	ErrBodyTooLarge         = errors.New("rgi: body larger than 16 MiB cannot be read at once")
	ErrBodyConsumed         = errors.New("rgi: body already consumed")
	ErrBodyLengthExceeded   = errors.New("rgi: body source exceeds its content length")
	ErrBodyLengthShort      = errors.New("rgi: body source ends before its content length")
	ErrChunkAfterLast       = errors.New("rgi: chunk after the empty last chunk")
	ErrNoLastChunk          = errors.New("rgi: chunked body ended without an empty last chunk")
	ErrBadOutputExtension   = errors.New("rgi: bad chunk extension in output")
	ErrBadOutputHeaderName  = errors.New("rgi: header name must be lowercase [a-z0-9-], 1 to 32 bytes")
	ErrBadOutputHeaderValue = errors.New("rgi: header value must be printable ASCII and not empty")
	ErrBadOutputStatus      = errors.New("rgi: status must be 100 to 599")
	ErrBadOutputReason      = errors.New("rgi: reason must be printable ASCII and not empty")
	ErrBadOutputBody        = errors.New("rgi: unsupported body type")
	ErrFramingMismatch      = errors.New("rgi: framing header disagrees with the body")
	ErrOutputHeadTooLarge   = errors.New("rgi: headers too large for the peer's 32 KiB preamble limit")
)
