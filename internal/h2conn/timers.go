package h2conn

import (
	"time"

	"github.com/h2kit/h2kit/reject"
)

// Timers and rate limits run on the time the caller passes to Tick; the
// engine never reads a clock.

var zeroTime time.Time

// cachedDeadline is now.Add(d) remembered for the now it was computed at.
type cachedDeadline struct {
	now, at time.Time
	ok      bool // at has been computed
}

// deadline returns now.Add(d), computing it only when now is not the clock
// value of the last call (d is a fixed Config duration).
func (cd *cachedDeadline) deadline(now time.Time, d time.Duration) time.Time {
	if !cd.ok || cd.now != now {
		cd.now, cd.at, cd.ok = now, now.Add(d), true
	}
	return cd.at
}

// SetTime sets the engine's clock to now without firing timers: the loop
// calls it with the time bytes were read before it feeds them, so that the
// timers Feed arms (a new stream's request-body timer, the idle timer when
// the last stream closes) and the rate buckets it draws on count from the
// arrival, not from the Tick before the loop slept. Tick fires what is due
// afterwards. A time before the clock's is ignored (the clock never goes
// back).
func (c *Engine) SetTime(now time.Time) {
	if now.After(c.now) {
		c.now = now
	}
}

// Tick sets the engine's clock to now, arms timers that are due to start,
// and fires those that have expired. It returns the connection error a
// timeout caused, if any.
func (c *Engine) Tick(now time.Time) error {
	if c.err != nil {
		return c.err
	}
	c.now = now
	c.timers(now, true)
	if due(c.prefaceDue, now) {
		return c.connError(&ConnError{Code: ErrCodeProtocol, Reason: reject.PrefaceTimeout})
	}
	if due(c.ackDeadline, now) {
		// RFC 9113 §6.5.3: "If the sender of a SETTINGS frame does not
		// receive an acknowledgment within a reasonable amount of time, it
		// MAY issue a connection error (Section 5.4.1) of type
		// SETTINGS_TIMEOUT."
		return c.connError(&ConnError{Code: ErrCodeSettingsTimeout, Reason: reject.SettingsAckTimeout})
	}
	if due(c.blockDue, now) {
		// A header block "MUST be transmitted as a contiguous sequence of
		// frames, with no interleaved frames of any other type or from any
		// other stream" (RFC 9113 §4.3): until its END_HEADERS nothing else
		// can happen on the connection, and its stream cannot be reset in
		// the middle of it (the HPACK state would diverge). A peer that
		// stops in the middle would hold the connection, and its stream
		// the idle timer, forever.
		return c.connError(&ConnError{Code: ErrCodeProtocol, Reason: reject.HeaderBlockTimeout})
	}
	if due(c.shutdownDue, now) && c.lc == lcDraining {
		c.finalGoAway()
	}
	if due(c.idleDue, now) && len(c.streams) == 0 && c.lc < lcDraining {
		c.idleDue = zeroTime
		c.reject(reject.IdleTimeout)
		c.GoAway(ErrCodeNo, string(reject.IdleTimeout))
	}
	if err := c.checkRequestBodies(now); err != nil {
		return err
	}
	return c.checkStall(now)
}

// timers is the one list of the engine's timers: each is armed (at now plus
// its duration) while its condition holds and disarmed when it stops
// holding. With set, Tick arms and disarms; without, NextDeadline only
// asks. It returns the earliest armed deadline (zero if none) and whether
// a timer is waiting to be armed. Because NextDeadline and Tick read the
// same list, a condition that starts between two Ticks (a response
// attached after Tick, a window closing in AppendOutput) always either has
// its timer armed already or makes NextDeadline ask for a Tick at once,
// whatever order the loop does its work in.
func (c *Engine) timers(now time.Time, set bool) (next time.Time, pending bool) {
	arm := func(t *time.Time, cond bool, d time.Duration) {
		switch {
		case !cond:
			if set {
				*t = zeroTime
			}
			return
		case t.IsZero() && set:
			*t = now.Add(d)
		case t.IsZero():
			pending = true
			return
		}
		if next.IsZero() || t.Before(next) {
			next = *t
		}
	}
	cfg := &c.cfg
	arm(&c.prefaceDue, (c.prefaceLeft > 0 || !c.sawSettings) && cfg.PrefaceTimeout > 0, cfg.PrefaceTimeout)
	arm(&c.ackDeadline, c.awaitingAck && cfg.SettingsAckTimeout > 0, cfg.SettingsAckTimeout)
	arm(&c.idleDue, len(c.streams) == 0 && cfg.IdleTimeout > 0 && c.lc < lcDraining, cfg.IdleTimeout)
	arm(&c.shutdownDue, c.lc == lcDraining, cfg.ShutdownDelay)
	arm(&c.blockDue, c.hb.active && cfg.RequestBodyTimeout > 0, cfg.RequestBodyTimeout)
	blocked := false
	for _, st := range c.streams {
		blocked = blocked || c.flowBlocked(st)
		arm(&st.readDue, awaitingRequest(st) && cfg.RequestBodyTimeout > 0, cfg.RequestBodyTimeout)
	}
	arm(&c.stallDue, blocked && cfg.FlowStallTimeout > 0, cfg.FlowStallTimeout)
	return next, pending
}

// awaitingRequest reports whether the rest of st's request (its body) is
// still to come.
func awaitingRequest(st *Stream) bool {
	return st.state == StateOpen || st.state == StateHalfClosedLocal
}

// flowBlocked reports whether st has a body to send that the peer's
// windows hold back.
func (c *Engine) flowBlocked(st *Stream) bool {
	return st.body != nil && !st.deferred && (st.sendWindow.available() <= 0 || c.sendWindow.available() <= 0)
}

// checkStall resets the streams blocked by flow control when no DATA has
// gone out for Config.FlowStallTimeout (sendData pushes the deadline back
// whenever DATA goes out).
func (c *Engine) checkStall(now time.Time) error {
	if !due(c.stallDue, now) {
		return nil
	}
	c.stallDue = zeroTime
	for i := len(c.streams) - 1; i >= 0; i-- {
		if i >= len(c.streams) {
			continue
		}
		if st := c.streams[i]; c.flowBlocked(st) {
			c.reject(reject.FlowControlStall)
			if err := c.resetStream(st.ID, st, ErrCodeCancel); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRequestBodies resets the streams whose request has received no DATA
// for Config.RequestBodyTimeout, with INTERNAL_ERROR as nghttpd does when
// its stream read timeout fires. A request the engine's own receive window
// holds back (the handler has not consumed what it was given) is not the
// peer's fault: its timer starts again. So is one whose header block is
// still arriving, which cannot be reset in the middle of the block (the
// header block timer in Tick closes the connection for that).
func (c *Engine) checkRequestBodies(now time.Time) error {
	for i := len(c.streams) - 1; i >= 0; i-- {
		if i >= len(c.streams) {
			continue
		}
		st := c.streams[i]
		if !awaitingRequest(st) || !due(st.readDue, now) {
			continue
		}
		if st.recv.win.available() <= 0 || c.recv.win.available() <= 0 || c.hb.active && c.hb.st == st {
			st.readDue = now.Add(c.cfg.RequestBodyTimeout)
			continue
		}
		c.reject(reject.RequestBodyTimeout)
		if err := c.resetStream(st.ID, st, ErrCodeInternal); err != nil {
			return err
		}
	}
	return nil
}

func due(t, now time.Time) bool { return !t.IsZero() && !now.Before(t) }

// NextDeadline returns when Tick must be called next, if any timer is
// armed. A timer that is waiting to be armed reports the time of the last
// Tick, so the loop calls Tick at once.
func (c *Engine) NextDeadline() (time.Time, bool) {
	if c.err != nil {
		return time.Time{}, false
	}
	d, pending := c.timers(c.now, false)
	if pending && !c.now.IsZero() && (d.IsZero() || c.now.Before(d)) {
		d = c.now
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
