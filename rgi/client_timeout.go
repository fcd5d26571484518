package rgi

import (
	"net"
	"time"
)

// timeoutConn gives every read and write on a client connection its own
// deadline, Degu's socket timeout: a stalled server fails the call after
// timeout, while a long body that keeps moving never does. To keep the
// timer updates off the per-read path, a deadline is moved only once an
// eighth of the timeout has passed since it was set, so an operation always
// gets at least 7/8 of the timeout.
type timeoutConn struct {
	net.Conn
	timeout        time.Duration
	readSet, wrSet time.Time
}

func (t *timeoutConn) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(t.readSet) > t.timeout/8 {
		if err := t.Conn.SetReadDeadline(now.Add(t.timeout)); err != nil {
			return 0, err
		}
		t.readSet = now
	}
	return t.Conn.Read(p)
}

func (t *timeoutConn) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(t.wrSet) > t.timeout/8 {
		if err := t.Conn.SetWriteDeadline(now.Add(t.timeout)); err != nil {
			return 0, err
		}
		t.wrSet = now
	}
	return t.Conn.Write(p)
}

// earlyAnswerPossible reports whether a write error may mean the server
// answered and closed before reading the whole request (a reset or broken
// pipe), rather than a timeout or an error of the body's source.
func earlyAnswerPossible(err error) bool { return peerGone(err) }
