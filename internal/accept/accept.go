// Package accept is the accept loop rule shared by h2kit's servers (h2server
// and rgi): a listener's Accept that fails for lack of resources (the process
// or the system is out of file descriptors, buffers or memory) is retried
// after a wait that grows from 5 ms, doubling, to 1 s, as net/http does.
// Running out of descriptors degrades service (new clients wait in the
// kernel's backlog until connections close); it must never end it.
package accept

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// Backoff bounds of the wait between failed accepts (net/http's values).
const (
	MinDelay = 5 * time.Millisecond
	MaxDelay = time.Second
)

// Retryable reports whether err, returned by a listener's Accept, is a
// shortage worth waiting out rather than the end of the listener: EMFILE
// (the process's descriptor limit), ENFILE (the system's), ENOBUFS, ENOMEM,
// ECONNABORTED, or an error that says it is a timeout or temporary (a
// listener with a deadline, or a wrapper that classifies its own errors, as
// net/http honours). A closed listener (net.ErrClosed) is not retryable.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, net.ErrClosed) {
		return false
	}
	for _, e := range shortages {
		if errors.Is(err, e) {
			return true
		}
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return true
	}
	var tmp interface{ Temporary() bool }
	return errors.As(err, &tmp) && tmp.Temporary()
}

// shortages are the accept errors that name a resource running out.
var shortages = []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED}

// Loop accepts connections, waiting out Retryable errors. The zero value
// waits without interruption and reports nothing.
type Loop struct {
	// Stop, when closed, ends a wait at once: the owner closes it (after
	// closing the listener) when it stops serving.
	Stop <-chan struct{}
	// OnRetry, if set, is called with each error that is waited out and the
	// wait before the next Accept, to log or count it.
	OnRetry func(err error, delay time.Duration)

	delay time.Duration
}

// Accept returns the next connection of ln. A Retryable error is reported to
// OnRetry and waited out (MinDelay, doubling to MaxDelay; a success resets
// it); any other error is returned, as is the last error when Stop closes
// during a wait. The caller decides whether an error means it closed ln.
func (l *Loop) Accept(ln net.Listener) (net.Conn, error) {
	for {
		nc, err := ln.Accept()
		if err == nil {
			l.delay = 0
			return nc, nil
		}
		if !Retryable(err) {
			return nil, err
		}
		l.delay = NextDelay(l.delay)
		if l.OnRetry != nil {
			l.OnRetry(err, l.delay)
		}
		if !l.wait() {
			return nil, err
		}
	}
}

// NextDelay is the wait after a failure that followed a wait of d (0 for the
// first failure).
func NextDelay(d time.Duration) time.Duration {
	return min(max(2*d, MinDelay), MaxDelay)
}

// wait sleeps for l.delay; it reports false if Stop closed first.
func (l *Loop) wait() bool {
	if l.Stop == nil {
		time.Sleep(l.delay)
		return true
	}
	t := time.NewTimer(l.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.Stop:
		return false
	}
}
