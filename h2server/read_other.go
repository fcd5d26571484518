//go:build !unix

package h2server

// rawReader is unused where there is no syscall.Read: every connection is
// read through its Read (serverConn.readConn).
type rawReader struct{}

func (r *rawReader) init(*serverConn) {}

func (r *rawReader) ok() bool { return false }

func (r *rawReader) read(*serverConn) ([]byte, error) { panic("unreachable") }
