package driver

import "sync/atomic"

// Streams returns how many streams the connection has opened so far and how
// many are open now, for the server's connection-state reports (active,
// idle). It reads only; like every method it runs on the owning goroutine.
func (d *Driver) Streams() (opened uint64, open int) {
	return d.eng.StreamsOpened(), d.eng.OpenStreams()
}

// connIDs numbers the connections of the process (handler.ConnInfo.ID).
var connIDs atomic.Uint64

// NewConnID returns a connection identifier unique within the process,
// never 0: the server takes one when it accepts a connection, so that its
// connection-state reports and the handler layer's ConnInfo agree.
func NewConnID() uint64 { return connIDs.Add(1) }
