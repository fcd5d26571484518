package rgih2

import (
	"errors"
	"io"
	"strconv"
	"sync"

	"github.com/h2kit/h2kit/handler"
)

// errStreamClosed is what a request body read returns when the stream closed
// (reset by the peer, or the connection went away) before the body ended.
var errStreamClosed = errors.New("rgih2: HTTP/2 stream closed before the request body ended")

// bodyPipe carries the request body from OnData (connection goroutine) to
// the app's reads (request goroutine). It holds what was received and not yet
// read; bytes are returned to the peer's flow-control windows (Stream.Consume)
// only as they are read, so the peer can never have sent more than a stream
// window ahead of the app: memory stays bounded whatever the app does.
type bodyPipe struct {
	s *handler.Stream

	mu        sync.Mutex
	cond      sync.Cond
	buf       []byte
	eof       bool  // END_STREAM received
	err       error // the stream closed before eof
	abandoned bool  // nobody reads any more: consume on arrival
}

func (p *bodyPipe) init(s *handler.Stream) {
	p.s = s
	p.cond.L = &p.mu
}

// write appends received data (connection goroutine).
func (p *bodyPipe) write(data []byte) {
	p.mu.Lock()
	if p.abandoned {
		p.mu.Unlock()
		p.s.Consume(len(data))
		return
	}
	p.buf = append(p.buf, data...)
	p.cond.Broadcast()
	p.mu.Unlock()
}

// end records END_STREAM, or with a non-nil err the stream's early close.
func (p *bodyPipe) end(err error) {
	p.mu.Lock()
	if err == nil {
		p.eof = true
	} else if !p.eof {
		p.err = err
	}
	p.cond.Broadcast()
	p.mu.Unlock()
}

// wait blocks until data is buffered or the body ended; it returns how many
// bytes are buffered, or 0 and io.EOF or the close error.
func (p *bodyPipe) wait() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 && !p.eof && p.err == nil {
		p.cond.Wait()
	}
	if len(p.buf) > 0 {
		return len(p.buf), nil
	}
	if p.eof {
		return 0, io.EOF
	}
	return 0, p.err
}

// Read implements io.Reader over the raw body bytes.
func (p *bodyPipe) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if _, err := p.wait(); err != nil {
		return 0, err
	}
	p.mu.Lock()
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	if len(p.buf) == 0 {
		p.buf = p.buf[:0:0] // let the next write start a fresh array
	}
	p.mu.Unlock()
	p.s.Consume(n)
	return n, nil
}

// abandon discards what is buffered and whatever arrives later, returning the
// window, once the app is done with the body.
func (p *bodyPipe) abandon() {
	p.mu.Lock()
	n := len(p.buf)
	p.buf = nil
	p.abandoned = true
	p.mu.Unlock()
	p.s.Consume(n)
}

// maxChunk bounds the chunks chunkCoder makes, well under the 16 MiB chunk
// limit of rgi.ChunkedBody.
const maxChunk = 1 << 20

// chunkCoder presents the raw body as chunked transfer coding (RFC 9112 §7.1)
// for rgi.NewChunkedBody, so that a request without content-length reaches
// the app as the same *rgi.ChunkedBody an HTTP/1.1 chunked request gives.
// Each run of data buffered when the app asks for more becomes one chunk.
type chunkCoder struct {
	p     *bodyPipe
	frame []byte // framing bytes to emit before more data
	left  int    // data bytes of the current chunk still to emit
	done  bool   // the last chunk has been framed
	tmp   [24]byte
}

func (c *chunkCoder) Read(b []byte) (int, error) {
	for {
		if len(c.frame) > 0 {
			n := copy(b, c.frame)
			c.frame = c.frame[n:]
			return n, nil
		}
		if c.left > 0 {
			n, err := c.p.Read(b[:min(len(b), c.left)])
			c.left -= n
			if c.left == 0 {
				c.frame = append(c.tmp[:0], "\r\n"...)
			}
			return n, err
		}
		if c.done {
			return 0, io.EOF
		}
		n, err := c.p.wait()
		switch {
		case err == io.EOF:
			// RFC 9112 §7.1: last-chunk, then the empty trailer section.
			c.frame = append(c.tmp[:0], "0\r\n\r\n"...)
			c.done = true
		case err != nil:
			return 0, err
		default:
			c.left = min(n, maxChunk)
			f := strconv.AppendInt(c.tmp[:0], int64(c.left), 16)
			c.frame = append(f, "\r\n"...)
		}
	}
}
