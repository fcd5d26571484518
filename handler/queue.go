package handler

import "github.com/h2kit/h2kit/internal/frame"

// enqueueLocked records op for s (c.mu held) and reports whether the loop must
// be woken.
func (c *connState) enqueueLocked(s *Stream, op uint8) bool {
	if s.state.Load()&stClosed != 0 {
		// OnClose has run: the operation has nothing left to act on.
		return false
	}
	if s.ops == 0 {
		c.pending = append(c.pending, s)
	}
	s.ops |= op
	wake := c.sleeping
	c.sleeping = false
	return wake
}

// Sleep tells the Conn that the loop is about to block (in a read). It reports
// false when work is pending, in which case the loop must call RunPending
// instead of blocking. After Sleep returned true, the next enqueue calls wake.
func (c *connState) Sleep() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) > 0 || c.goAway || c.held != nil {
		c.sleeping = false
		return false
	}
	c.sleeping = true
	return true
}

// Awake tells the Conn that the loop is running again (it returned from a read).
func (c *connState) Awake() {
	c.mu.Lock()
	c.sleeping = false
	c.mu.Unlock()
}

// HasPending reports whether Stream methods queued work for RunPending.
func (c *connState) HasPending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending) > 0 || c.goAway
}

// RunPending applies the operations queued by Stream methods (SendResponse,
// Resume, Reset, consumed request data) to the engine, in the order the streams
// first queued them, then a GOAWAY queued by Stream.GoAway. It runs until
// nothing is pending.
func (c *connState) RunPending() {
	c.deliverHeld()
	for {
		c.mu.Lock()
		if len(c.pending) == 0 {
			goAway := c.goAway
			c.mu.Unlock()
			if goAway {
				c.applyGoAway()
				continue
			}
			return
		}
		c.work, c.pending = c.pending, c.work[:0]
		for _, s := range c.work {
			s.taken, s.ops = s.ops, 0
		}
		c.mu.Unlock()
		for i, s := range c.work {
			c.apply(s)
			c.work[i] = nil
		}
	}
}

// apply performs the operations taken for s.
func (c *connState) apply(s *Stream) {
	ops := s.taken
	s.taken = 0
	if ops&opPush != 0 {
		c.runPushes(s) // before the response that may refer to the promises
	}
	if s.es == nil {
		// The stream closed before the operation could be applied.
		if ops&opRespond != 0 {
			s.src.close()
		}
		return
	}
	if ops&opReset != 0 {
		c.mu.Lock()
		code := s.resetCode
		c.mu.Unlock()
		if ops&opRespond != 0 {
			s.src.close()
		}
		c.eng.Reset(s.es, frame.ErrCode(code))
		return
	}
	if ops&opInfo != 0 {
		c.mu.Lock()
		info := s.info
		s.info = nil
		c.mu.Unlock()
		for _, r := range info {
			if s.es == nil {
				break
			}
			if err := c.eng.SendHeaders(s.es, r.status, r.header, false); err != nil {
				c.streamFailed(s, err)
			}
		}
	}
	if ops&opRespond != 0 && s.es != nil {
		c.respond(s)
	}
	if ops&opConsume != 0 && s.es != nil {
		c.mu.Lock()
		n := s.consume
		s.consume = 0
		c.mu.Unlock()
		c.eng.Consume(s.es, n)
	}
	if ops&opResume != 0 && s.es != nil {
		c.eng.Resume(s.es)
	}
}
