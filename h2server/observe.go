package h2server

import (
	"crypto/tls"
	"net"
	"strconv"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/internal/driver"
	"github.com/h2kit/h2kit/reject"
)

// ConnState is the state of a connection reported to Server.ConnState.
type ConnState int

// The states a connection goes through, in order; StateActive and
// StateIdle alternate.
const (
	// StateNew: the connection was accepted; nothing has been read yet.
	StateNew ConnState = iota
	// StateActive: an HTTP/2 connection with at least one stream open
	// (reported once per batch of input in which streams opened, even if
	// they all closed within it).
	StateActive
	// StateIdle: an HTTP/2 connection with no stream open: after the
	// preface, and whenever the last open stream closed.
	StateIdle
	// StateHTTP1: the connection was handed to the HTTP/1.1 fallback
	// (Server.HTTP1); the server sees no requests on it any more. An h2c
	// upgrade on it (UpgradeH2C) turns it into an HTTP/2 connection again
	// (StateIdle, StateActive).
	StateHTTP1
	// StateClosed: the connection ended (a refused one too). For one
	// handed to HTTP1, when the HTTP1 function returned.
	StateClosed
)

var connStateNames = [...]string{"new", "active", "idle", "http1", "closed"}

// String returns the state's name: "new", "active", "idle", "http1" or
// "closed".
func (s ConnState) String() string {
	if s >= 0 && int(s) < len(connStateNames) {
		return connStateNames[s]
	}
	return "ConnState(" + strconv.Itoa(int(s)) + ")"
}

// connObs is what the server observes of one connection: its ConnInfo and
// state as reported to Server.ConnState. It is used by the goroutine that
// serves the connection.
type connObs struct {
	srv    *Server
	info   handler.ConnInfo
	state  ConnState
	opened uint64 // driver.Streams's count when last checked
}

// set moves the connection to st and reports the change.
func (o *connObs) set(st ConnState) {
	if o.state == st {
		return
	}
	o.state = st
	if f := o.srv.ConnState; f != nil {
		f(o.info, st)
	}
}

// setTLS records the handshake's outcome in the reported ConnInfo.
func (o *connObs) setTLS(st tls.ConnectionState) { o.info.TLS = &st }

// openConn counts a connection the server takes and reports StateNew. Over
// limit (negative: none) it refuses the connection instead: closed at
// once, counted as reject.MaxConnections, StateNew then StateClosed
// reported; it returns nil. Every non-nil result is ended by closeConn.
func (s *Server) openConn(nc net.Conn, limit int) *connObs {
	st := &s.stats
	st.accepted.Add(1)
	o := &connObs{srv: s, state: -1, info: handler.ConnInfo{
		ClientAddr: nc.RemoteAddr(), LocalAddr: nc.LocalAddr(), ID: driver.NewConnID()}}
	n := st.open.Add(1)
	o.set(StateNew)
	if limit >= 0 && n > int64(limit) {
		s.reject(reject.MaxConnections)
		nc.Close()
		s.closeConn(o)
		return nil
	}
	s.lock()
	if s.obs == nil {
		s.obs = make(map[net.Conn]*connObs)
	}
	s.obs[nc] = o
	s.mu.Unlock()
	return o
}

// closeConn counts the end of a connection counted by openConn and reports
// StateClosed.
func (s *Server) closeConn(o *connObs) {
	s.stats.open.Add(-1)
	s.stats.closed.Add(1)
	o.set(StateClosed)
}

// forgetConn drops nc from the connections UpgradeH2C can find.
func (s *Server) forgetConn(nc net.Conn) {
	s.lock()
	delete(s.obs, nc)
	s.mu.Unlock()
}

// upgradeObs returns the connObs of a connection being upgraded to h2c:
// the one openConn made if the server accepted it, else a new one, counted
// but never refused (done tells closeConn to end it).
func (s *Server) upgradeObs(nc net.Conn) (o *connObs, own bool) {
	s.lock()
	o = s.obs[nc]
	s.mu.Unlock()
	if o != nil {
		return o, false
	}
	return s.openConn(nc, -1), true
}

// noteState reports StateActive when streams opened since the last call,
// and StateIdle when none is open; the loop calls it once per batch.
func (c *serverConn) noteState() {
	o := c.obs
	if o == nil || c.srv.ConnState == nil {
		return
	}
	opened, open := c.drv.Streams()
	if opened != o.opened {
		o.opened = opened
		o.set(StateActive)
	}
	if open == 0 {
		o.set(StateIdle)
	}
}

// countReject counts name and passes it to OnReject.
func (s *Server) reject(name reject.Name) {
	s.stats.reject(name)
	if s.OnReject != nil {
		s.OnReject(name)
	}
}
