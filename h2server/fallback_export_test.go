package h2server

import (
	"context"
	"net"
)

// HasHTTP1Server reports whether s has an HTTP/1.1 fallback, for the
// external tests.
func HasHTTP1Server(s *Server) bool {
	s.lock()
	defer s.mu.Unlock()
	return s.fallback != nil
}

// hookServer is an HTTP1Server made of a function, for tests that look at
// the connections handed over.
type hookServer func(nc net.Conn, buffered []byte)

func (h hookServer) ServeConn(nc net.Conn, buffered []byte) { h(nc, buffered) }
func (hookServer) Shutdown(context.Context) error           { return nil }
func (hookServer) Close() error                             { return nil }
