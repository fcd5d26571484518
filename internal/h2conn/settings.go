package h2conn

import (
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/reject"
)

// appendOurSettings appends the server's SETTINGS frame. Values equal to
// the RFC 9113 §6.5.2 initial values are omitted; ENABLE_PUSH is never sent
// ("A server MAY choose to omit this setting when it sends a SETTINGS
// frame").
func appendOurSettings(dst []byte, cfg *Config) []byte {
	var s [8]frame.Setting
	n := 0
	add := func(id frame.SettingID, v uint32) {
		s[n] = frame.Setting{ID: id, Val: v}
		n++
	}
	add(frame.SettingMaxConcurrentStreams, cfg.MaxConcurrentStreams)
	if cfg.InitialWindowSize != frame.DefaultWindow {
		add(frame.SettingInitialWindowSize, cfg.InitialWindowSize)
	}
	if cfg.MaxFrameSize != frame.DefaultMaxFrameSize {
		add(frame.SettingMaxFrameSize, cfg.MaxFrameSize)
	}
	if cfg.HeaderTableSize != hpack.DefaultHeaderTableSize {
		add(frame.SettingHeaderTableSize, cfg.HeaderTableSize)
	}
	add(frame.SettingMaxHeaderListSize, cfg.MaxHeaderListSize)
	if cfg.EnableConnectProtocol {
		add(frame.SettingEnableConnectProtocol, 1)
	}
	// RFC 9218 §2.1: we use extensible priorities, not RFC 7540's.
	add(frame.SettingNoRFC7540Priorities, 1)
	return frame.AppendSettings(dst, s[:n]...)
}

func (c *Engine) processSettings(f frame.Settings) error {
	if f.Ack {
		// RFC 9113 §6.5.3: the ACK tells us our SETTINGS are in force. A
		// smaller SETTINGS_HEADER_TABLE_SIZE applies to the decoder from
		// now on; the peer's next block must start with a dynamic table
		// size update (RFC 7541 §4.2). An ACK cannot arrive inside a header
		// block (RFC 9113 §6.10), so the decoder is between blocks.
		if c.awaitingAck && c.cfg.HeaderTableSize < hpack.DefaultHeaderTableSize {
			if err := c.dec.ChangeTableSize(c.cfg.HeaderTableSize); err != nil {
				return &ConnError{Code: ErrCodeInternal, Reason: reject.EncoderTableSize}
			}
		}
		c.awaitingAck = false
		c.ackDeadline = zeroTime
		return nil
	}
	// The preface SETTINGS is free; later ones count as glitches.
	if c.peerSettings++; c.peerSettings > 1 {
		if err := c.glitch(); err != nil {
			return err
		}
	}
	if err := c.checkSettings(f); err != nil {
		return err
	}
	c.applySettings(f)
	// RFC 9113 §6.5.3: "Upon receiving the SETTINGS frame, the recipient
	// MUST immediately ... emit a SETTINGS frame with the ACK flag set."
	c.ctl = frame.AppendSettingsAck(c.ctl)
	return c.queueCtl()
}

// checkSettings checks every parameter of the peer's SETTINGS frame (or of
// the HTTP2-Settings header field of an h2c upgrade, see Upgrade) before
// any is applied, so that applySettings cannot fail and a refused frame
// changes nothing.
func (c *Engine) checkSettings(f frame.Settings) error {
	if f.Len() > c.cfg.MaxSettingsEntries {
		return &ConnError{Code: ErrCodeEnhanceYourCalm, Reason: reject.TooManySettings}
	}
	// The widest stream send window moves with each
	// SETTINGS_INITIAL_WINDOW_SIZE, in order (see changeInitialWindow).
	widest, iw := window(-1<<62), c.peerInitialWindow
	for _, st := range c.streams {
		widest = max(widest, st.sendWindow)
	}
	for i := range f.Len() {
		s := f.At(i)
		if err := s.Valid(); err != nil {
			return err
		}
		if s.ID == frame.SettingInitialWindowSize && len(c.streams) > 0 {
			if !widest.add(int64(s.Val) - iw) {
				return &ConnError{Code: ErrCodeFlowControl, Reason: reject.InitialWindowOverflow}
			}
			iw = int64(s.Val)
		}
	}
	return nil
}

// applySettings applies the parameters of a SETTINGS frame that
// checkSettings accepted. SETTINGS_MAX_HEADER_LIST_SIZE is not recorded:
// the peer's header list limit is advisory (RFC 9113 §6.5.2) while our
// responses' headers are the handler's.
func (c *Engine) applySettings(f frame.Settings) {
	for i := range f.Len() {
		s := f.At(i)
		switch s.ID {
		case frame.SettingHeaderTableSize:
			// The peer's decoder allows this much; our encoder uses at most
			// MaxEncoderTableSize and signals the change in its next block
			// (RFC 7541 §6.3). Deflater.ChangeTableSize never fails.
			c.enc.ChangeTableSize(min(s.Val, c.cfg.MaxEncoderTableSize))
		case frame.SettingEnablePush:
			c.peerEnablePush = s.Val == 1
		case frame.SettingInitialWindowSize:
			c.changeInitialWindow(int64(s.Val))
		case frame.SettingMaxFrameSize:
			c.peerMaxFrame = s.Val
		case frame.SettingMaxConcurrentStreams:
			c.setPeerMaxStreams(s.Val) // bounds our pushed streams (push.go)
		}
	}
}

// PeerEnablePush reports the peer's SETTINGS_ENABLE_PUSH (PushPromise
// refuses to push without it).
func (c *Engine) PeerEnablePush() bool { return c.peerEnablePush }
