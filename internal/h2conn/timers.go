package h2conn

import "time"

// Timers and rate limits run on the time the caller passes to Tick; the
// engine never reads a clock.

var zeroTime time.Time

// Tick sets the engine's clock to now, arms timers that are due to start,
// and fires those that have expired. It returns the connection error a
// timeout caused, if any.
func (c *Conn) Tick(now time.Time) error {
	if c.err != nil {
		return c.err
	}
	c.now = now
	// Arm.
	if c.prefaceLeft > 0 || !c.sawSettings {
		if c.prefaceDue.IsZero() && c.cfg.PrefaceTimeout > 0 {
			c.prefaceDue = now.Add(c.cfg.PrefaceTimeout)
		}
	}
	if c.awaitingAck && c.ackDeadline.IsZero() && c.cfg.SettingsAckTimeout > 0 {
		c.ackDeadline = now.Add(c.cfg.SettingsAckTimeout)
	}
	if len(c.streams) == 0 && c.idleDue.IsZero() && c.cfg.IdleTimeout > 0 && !c.goAwaySent {
		c.idleDue = now.Add(c.cfg.IdleTimeout)
	}
	if c.shutdownPhase == 1 && c.shutdownDue.IsZero() {
		c.shutdownDue = now.Add(max(c.cfg.ShutdownDelay, 0))
	}
	// Fire.
	if due(c.prefaceDue, now) {
		return c.connError(&ConnError{Code: ErrCodeProtocol, Reason: rejectPrefaceTimeout})
	}
	if due(c.ackDeadline, now) {
		// RFC 9113 §6.5.3: "If the sender of a SETTINGS frame does not
		// receive an acknowledgment within a reasonable amount of time, it
		// MAY issue a connection error (Section 5.4.1) of type
		// SETTINGS_TIMEOUT."
		return c.connError(&ConnError{Code: ErrCodeSettingsTimeout, Reason: rejectSettingsTimeout})
	}
	if due(c.shutdownDue, now) && c.shutdownPhase == 1 {
		c.finalGoAway()
	}
	if due(c.idleDue, now) && len(c.streams) == 0 && !c.goAwaySent {
		c.idleDue = zeroTime
		c.reject(rejectIdleTimeout)
		c.GoAway(ErrCodeNo, rejectIdleTimeout)
	}
	return c.checkStall(now)
}

// flowBlocked reports whether st has a body to send that the peer's
// windows hold back.
func (c *Conn) flowBlocked(st *Stream) bool {
	return st.body != nil && !st.deferred && (st.sendWindow <= 0 || c.sendWindow <= 0)
}

// checkStall resets the streams blocked by flow control when no DATA has
// gone out for Config.FlowStallTimeout.
func (c *Conn) checkStall(now time.Time) error {
	if c.cfg.FlowStallTimeout <= 0 {
		return nil
	}
	blocked := false
	for _, st := range c.streams {
		if c.flowBlocked(st) {
			blocked = true
			break
		}
	}
	if !blocked || c.progressed {
		c.progressed = false
		c.stallSince = zeroTime
		if blocked {
			c.stallSince = now
		}
		return nil
	}
	if c.stallSince.IsZero() {
		c.stallSince = now
		return nil
	}
	if now.Sub(c.stallSince) < c.cfg.FlowStallTimeout {
		return nil
	}
	c.stallSince = zeroTime
	for i := len(c.streams) - 1; i >= 0; i-- {
		if i >= len(c.streams) {
			continue
		}
		if st := c.streams[i]; c.flowBlocked(st) {
			c.reject(rejectFlowStall)
			if err := c.resetStream(st.ID, st, ErrCodeCancel); err != nil {
				return err
			}
		}
	}
	return nil
}

func due(t, now time.Time) bool { return !t.IsZero() && !now.Before(t) }

// NextDeadline returns when Tick must be called next, if any timer is
// armed. A timer that is waiting to be armed reports the time of the last
// Tick, so the loop calls Tick at once.
func (c *Conn) NextDeadline() (time.Time, bool) {
	var d time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (d.IsZero() || t.Before(d)) {
			d = t
		}
	}
	if c.err != nil {
		return d, false
	}
	consider(c.prefaceDue)
	consider(c.ackDeadline)
	consider(c.shutdownDue)
	if !c.stallSince.IsZero() {
		consider(c.stallSince.Add(c.cfg.FlowStallTimeout))
	}
	if len(c.streams) == 0 && !c.goAwaySent {
		consider(c.idleDue)
	}
	pending := (c.prefaceLeft > 0 || !c.sawSettings) && c.prefaceDue.IsZero() && c.cfg.PrefaceTimeout > 0 ||
		c.awaitingAck && c.ackDeadline.IsZero() && c.cfg.SettingsAckTimeout > 0 ||
		len(c.streams) == 0 && c.idleDue.IsZero() && c.cfg.IdleTimeout > 0 && !c.goAwaySent ||
		c.shutdownPhase == 1 && c.shutdownDue.IsZero()
	if pending && !c.now.IsZero() {
		consider(c.now)
	}
	return d, !d.IsZero()
}

// bucket is a token bucket on the engine's clock.
type bucket struct {
	tokens float64
	burst  float64
	rate   float64
	last   time.Time
}

func newBucket(burst int, rate float64) bucket {
	return bucket{tokens: float64(burst), burst: float64(burst), rate: rate}
}

// take refills the bucket for the time since the last call and takes one
// token; it reports false when none is left.
func (b *bucket) take(now time.Time) bool {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if !now.IsZero() {
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
