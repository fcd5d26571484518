package handler

import (
	"strconv"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
	"github.com/h2kit/h2kit/internal/httpdate"
)

// respond sends the response recorded by SendResponse.
func (c *connState) respond(s *Stream) {
	src := &s.src
	hdr := append(c.hdr[:0], s.respHdr...)
	var hasLen, hasDate bool
	for i := range s.respHdr {
		switch s.respHdr[i].Name {
		case "content-length":
			hasLen = true
		case "date":
			hasDate = true
		}
	}
	// RFC 9110 §8.6: content-length when the length is known in advance; for
	// 204 and 304 (§15.3.5, §15.4.5) and 1xx no content is sent.
	noContent := s.status == 204 || s.status == 304
	if !hasLen && src.length >= 0 && !noContent {
		hdr = append(hdr, hpack.HeaderField{Name: "content-length", Value: c.itoa(src.length)})
	}
	// RFC 9110 §6.6.1: "An origin server with a clock ... MUST generate a Date
	// header field" in 2xx, 3xx and 4xx responses (and MAY in others).
	if !hasDate && !c.opts.DisableDate {
		hdr = append(hdr, hpack.HeaderField{Name: "date", Value: httpdate.Format(c.now)})
	}
	c.hdr = hdr[:0]

	// RFC 9110 §9.3.2: the server "MUST NOT send content in the response" to HEAD.
	if s.method == "HEAD" || noContent {
		src.close()
	}
	// The trailers are taken, and the body marked ended when nothing later
	// will look at them again, in one critical section: a SetTrailers from
	// another goroutine either lands before (and is sent) or gets
	// ErrTrailersTooLate, never a silent loss.
	c.mu.Lock()
	trailers := s.outTrail
	if src.kind == bodyNone || (src.kind == bodyBytes && len(trailers) == 0) {
		s.state.Or(stBodyEnded)
	}
	c.mu.Unlock()
	if src.kind == bodyNone {
		if len(trailers) == 0 {
			if err := c.sendHeaders(s, hdr, true); err != nil {
				c.streamFailed(s, err)
			}
			return
		}
		if err := c.sendHeaders(s, hdr, false); err != nil {
			c.streamFailed(s, err)
			return
		}
		if err := c.eng.SendTrailers(s.es, trailers); err != nil {
			c.streamFailed(s, err)
		}
		return
	}
	if err := c.sendHeaders(s, hdr, false); err != nil {
		c.streamFailed(s, err)
		return
	}
	var err error
	if src.kind == bodyBytes && len(trailers) == 0 {
		err = c.eng.SetBodyBytes(s.es, src.b)
		src.b = nil
	} else {
		err = c.eng.SetBody(s.es, (*streamBody)(s))
	}
	if err != nil {
		c.streamFailed(s, err)
	}
}

// sendHeaders sends the response header block of s: fields from
// internal/prechecked (and the content-length and date added here, built
// once and never changed) are stable, which lets the encoder recognise a
// repeated block by address.
func (c *connState) sendHeaders(s *Stream, hdr []hpack.HeaderField, endStream bool) error {
	if s.stableHdr {
		return c.eng.SendStableHeaders(s.es, s.status, hdr, endStream)
	}
	return c.eng.SendCheckedHeaders(s.es, s.status, hdr, endStream)
}

// streamFailed resets a stream whose response the engine refused.
func (c *connState) streamFailed(s *Stream, err error) {
	c.log.Debug("h2: response refused", "stream", s.id, "err", err)
	if s.es != nil {
		c.eng.Reset(s.es, frame.ErrCodeInternal)
	}
}

func (c *connState) itoa(n int64) string {
	if n >= 0 && n < int64(len(smallInts)) {
		return smallInts[n]
	}
	// Servers often send the same large file repeatedly: keep the last one.
	if n != c.lastLen || c.lastLenStr == "" {
		c.lastLen, c.lastLenStr = n, strconv.FormatInt(n, 10)
	}
	return c.lastLenStr
}

// smallInts caches the content-length strings of small bodies.
var smallInts = func() []string {
	s := make([]string, 1025)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

// streamBody is a Stream seen as the engine's BodySource and TrailerSource.
type streamBody Stream

// Read serves the engine from the stream's body. A failure (a misbehaving
// generator, a reader's error) is logged here, where its cause is known, and
// returned: the engine resets the stream and counts it once as
// reject.BodyGeneratorError.
func (b *streamBody) Read(max int) ([]byte, h2conn.DataFlag, error) {
	s := (*Stream)(b)
	c := s.conn
	if len(c.scratch) < max {
		c.scratch = make([]byte, max)
	}
	data, flag, err := s.src.next(max, c.scratch)
	if err != nil {
		c.log.Warn("h2: response body failed; resetting the stream", "stream", s.id, "err", err)
		return nil, 0, err
	}
	if flag == DataEOF {
		s.state.Or(stBodyEnded)
	}
	return data, h2conn.DataFlag(flag), nil
}

func (b *streamBody) Trailers() []hpack.HeaderField {
	s := (*Stream)(b)
	s.conn.mu.Lock()
	defer s.conn.mu.Unlock()
	return s.outTrail
}
