package restpipe

import (
	"errors"
	"fmt"
)

// Errors of a call. They are returned wrapped (with the cause or the peer), so
// test them with errors.Is.
var (
	// ErrNoSuchClient is returned by Server.Call when no pipe is registered
	// under the client identity.
	ErrNoSuchClient = errors.New("restpipe: no such client")
	// ErrPipeClosed is returned for every call in flight when its pipe drops
	// (the connection died, the peer was killed, the client reconnected and
	// replaced this pipe, or the node is shutting down).
	ErrPipeClosed = errors.New("restpipe: pipe closed")
	// ErrNotConnected is returned by Client.Call while the client has no pipe
	// (before the first connection and between reconnections): calls fail at
	// once instead of waiting for a connection that may never come.
	ErrNotConnected = errors.New("restpipe: not connected")
	// ErrTimeout is returned when a call's context deadline (or the node's
	// CallTimeout) passes before the reply arrives. It wraps
	// context.DeadlineExceeded too.
	ErrTimeout = errors.New("restpipe: call timed out")
	// ErrIdentityMismatch is the reason a client that claims an identity other
	// than its certificate's common name is refused (HTTP 403).
	ErrIdentityMismatch = errors.New("restpipe: claimed identity does not match the client certificate")
	// ErrNoIdentity is the reason a connection without a verified client
	// certificate (or with an empty common name) is refused (HTTP 403).
	ErrNoIdentity = errors.New("restpipe: no verified client certificate")
)

// FrameError is a malformed pipe frame: the pipe that carried it is closed.
type FrameError struct {
	Reason string
}

func (e *FrameError) Error() string { return "restpipe: bad frame: " + e.Reason }

// HandlerError lets a handler choose the return code of its error reply. Any
// other error returned by a handler travels back with CodeHandlerError.
type HandlerError struct {
	Code    int // non-zero
	Message string
}

func (e *HandlerError) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

// RemoteError is a reply with a non-zero return code, as returned by
// Reply.Err: Message is the "error" member of its JSON body when there is one.
type RemoteError struct {
	Code    int
	Message string
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("restpipe: remote handler failed with code %d: %s", e.Code, e.Message)
}

// StatusError is an HTTP status other than 200 on an event request: the server
// refused it before any handler ran (403 identity, 400 bad target, 503 busy).
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("restpipe: server answered HTTP %d: %s", e.Status, e.Body)
}
