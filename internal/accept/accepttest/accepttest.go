// Package accepttest provides listeners whose Accept fails on a script, for
// tests of the servers' accept back-off (internal/accept).
package accepttest

import (
	"net"
	"os"
	"sync"
	"syscall"
)

// Listener fails its first Accepts with the errors of Script, then accepts
// from the embedded listener.
type Listener struct {
	net.Listener
	mu     sync.Mutex
	Script []error
}

// Accept returns the next scripted error, or a connection once the script is
// used up.
func (l *Listener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if len(l.Script) > 0 {
		err := l.Script[0]
		l.Script = l.Script[1:]
		l.mu.Unlock()
		return nil, err
	}
	l.mu.Unlock()
	return l.Listener.Accept()
}

// Errno is what a TCP listener's Accept returns for errno e.
func Errno(e syscall.Errno) error {
	return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", e)}
}
