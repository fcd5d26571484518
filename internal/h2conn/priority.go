package h2conn

import (
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// Response scheduling by RFC 9218 extensible priorities. Each urgency
// (0 highest .. 7 lowest, default 3) has a ring of streams ready to send.
// AppendOutput serves the most urgent non-empty ring; within it a
// non-incremental response keeps the front until it is done or blocked
// (RFC 9218 §4.2: "a server ... SHOULD send the responses ... one by one in
// the order of their stream identifiers"), while incremental ones take
// turns, one frame each (round-robin).

const (
	defaultUrgency = 3
	numUrgencies   = 8
)

// readyRing is a FIFO of streams with a head index, reused without
// allocating once grown.
type readyRing struct {
	q    []*Stream
	head int
}

func (r *readyRing) empty() bool { return r.head == len(r.q) }

func (r *readyRing) pushBack(st *Stream) { r.q = append(r.q, st) }

func (r *readyRing) pushFront(st *Stream) {
	if r.head > 0 {
		r.head--
		r.q[r.head] = st
		return
	}
	r.q = append(r.q, nil)
	copy(r.q[1:], r.q)
	r.q[0] = st
}

func (r *readyRing) pop() *Stream {
	st := r.q[r.head]
	r.q[r.head] = nil
	r.head++
	if r.head == len(r.q) {
		r.q = r.q[:0]
		r.head = 0
	} else if r.head > 64 && r.head*2 > len(r.q) {
		n := copy(r.q, r.q[r.head:])
		clear(r.q[n:])
		r.q = r.q[:n]
		r.head = 0
	}
	return st
}

func (r *readyRing) remove(st *Stream) {
	for i := r.head; i < len(r.q); i++ {
		if r.q[i] == st {
			copy(r.q[i:], r.q[i+1:])
			r.q[len(r.q)-1] = nil
			r.q = r.q[:len(r.q)-1]
			if r.head == len(r.q) {
				r.q = r.q[:0]
				r.head = 0
			}
			return
		}
	}
}

// maybeReady puts st in its urgency's ring if it has a body to send and a
// window to send it in.
func (c *Engine) maybeReady(st *Stream) {
	if st.inReady || st.body == nil || st.deferred || st.sendWindow.available() <= 0 || st.state == StateClosed || st.parked != nil {
		return
	}
	st.inReady = true
	c.ready[st.urgency].pushBack(st)
	c.nready++
}

// requeue puts st back after it sent a frame and has more to send.
func (c *Engine) requeue(st *Stream) {
	if st.inReady || st.body == nil || st.deferred || st.sendWindow.available() <= 0 || st.state == StateClosed {
		return
	}
	st.inReady = true
	if st.incremental {
		c.ready[st.urgency].pushBack(st)
	} else {
		c.ready[st.urgency].pushFront(st)
	}
	c.nready++
}

func (c *Engine) removeReady(st *Stream) {
	st.inReady = false
	c.ready[st.urgency].remove(st)
	c.nready--
}

// popReady returns the next stream to send for, or nil.
func (c *Engine) popReady() *Stream {
	if c.nready == 0 {
		return nil
	}
	for u := range c.ready {
		if r := &c.ready[u]; !r.empty() {
			st := r.pop()
			st.inReady = false
			c.nready--
			return st
		}
	}
	return nil
}

func (c *Engine) clearReady() {
	for u := range c.ready {
		r := &c.ready[u]
		for i := r.head; i < len(r.q); i++ {
			r.q[i].inReady = false
		}
		clear(r.q)
		r.q, r.head = r.q[:0], 0
	}
	c.nready = 0
}

// setPriority applies a priority field value (RFC 9218 §4) to st, moving
// it between rings if it is queued.
func (c *Engine) setPriority(st *Stream, value []byte) {
	u, inc := parsePriority(value, st.urgency, st.incremental)
	if u == st.urgency && inc == st.incremental {
		return
	}
	queued := st.inReady
	if queued {
		c.removeReady(st)
	}
	st.urgency, st.incremental = u, inc
	if queued {
		c.maybeReady(st)
	}
}

// parsePriority reads the "u" and "i" members of a priority field value, a
// Structured Fields dictionary (RFC 9218 §4, RFC 8941 §3.2), starting from
// the current values. RFC 9218 §4: members with invalid values, and
// unknown members, are ignored.
func parsePriority(v []byte, u uint8, inc bool) (uint8, bool) {
	for len(v) > 0 {
		// One member: up to the next comma.
		end := 0
		for end < len(v) && v[end] != ',' {
			end++
		}
		m := trimOWS(v[:end])
		if end < len(v) {
			v = v[end+1:]
		} else {
			v = nil
		}
		// Parameters (";...") are ignored.
		for i, b := range m {
			if b == ';' {
				m = m[:i]
				break
			}
		}
		switch {
		case len(m) == 3 && m[0] == 'u' && m[1] == '=' && m[2] >= '0' && m[2] <= '7':
			u = m[2] - '0'
		case len(m) == 1 && m[0] == 'i':
			inc = true
		case len(m) == 4 && m[0] == 'i' && m[1] == '=' && m[2] == '?' && (m[3] == '0' || m[3] == '1'):
			inc = m[3] == '1'
		}
	}
	return u, inc
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// processPriorityUpdate handles PRIORITY_UPDATE (RFC 9218 §7.1).
func (c *Engine) processPriorityUpdate(f frame.PriorityUpdate) error {
	// "If the Prioritized Stream ID field ... refers to stream 0x00 ... or
	// a push stream [in a server, any even ID since we never push], the
	// recipient MUST respond with a connection error of type
	// PROTOCOL_ERROR."
	if f.PrioritizedID == 0 || f.PrioritizedID%2 == 0 {
		return &ConnError{Code: ErrCodeProtocol, Reason: reject.PriorityUpdateBadStream}
	}
	if err := c.glitch(); err != nil {
		return err
	}
	if st := c.Stream(f.PrioritizedID); st != nil {
		c.setPriority(st, f.Value)
		return nil
	}
	// RFC 9218 §7.1: an update may arrive before the request it refers to;
	// the last few such are kept (a fixed number, so a peer cannot make us
	// hold more) and applied when the stream opens. One for a closed
	// stream is dropped.
	if f.PrioritizedID > c.maxPeerID {
		u, inc := parsePriority(f.Value, defaultUrgency, false)
		c.early[c.earlyNext] = earlyPriority{f.PrioritizedID, u, inc}
		c.earlyNext = (c.earlyNext + 1) % len(c.early)
	}
	return nil
}

// earlyPriority is a PRIORITY_UPDATE received for a stream not yet open.
type earlyPriority struct {
	id          uint32
	urgency     uint8
	incremental bool
}

// applyEarlyPriority gives a new stream the priority an earlier
// PRIORITY_UPDATE set for it. RFC 9218 §7.1: the PRIORITY_UPDATE "overrides
// the priority field value received in the request", so it is applied
// after the header block.
func (c *Engine) applyEarlyPriority(st *Stream) {
	for i := range c.early {
		if e := &c.early[i]; e.id == st.ID {
			st.urgency, st.incremental = e.urgency, e.incremental
			e.id = 0
			return
		}
	}
}
