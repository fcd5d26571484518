package rgi

import (
	"errors"
	"net"
	"syscall"
)

// peerGone reports whether a write error means the peer closed or reset
// the connection (a broken pipe or a reset), not a timeout or an error of
// the body's source. The client uses it to look for an early answer; the
// server logs such an end of a response at Debug, as an ordinary client
// going away (a browser leaving an event stream), not at Error.
func peerGone(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}
