package rgih2

import (
	"errors"
	"io"
	"strconv"

	"github.com/h2kit/h2kit/handler"
)

// errStreamClosed is what a request body read returns when the stream closed
// (reset by the peer, or the connection went away) before the body ended.
var errStreamClosed = errors.New("rgih2: HTTP/2 stream closed before the request body ended")

// maxChunk bounds the chunks chunkCoder makes, well under the 16 MiB chunk
// limit of rgi.ChunkedBody.
const maxChunk = 1 << 20

// chunkCoder presents the raw body as chunked transfer coding (RFC 9112 §7.1)
// for rgi.NewChunkedBody, so that a request without content-length reaches
// the app as the same *rgi.ChunkedBody an HTTP/1.1 chunked request gives.
// Each run of data buffered when the app asks for more becomes one chunk.
type chunkCoder struct {
	p     *handler.BodyReader
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
		n, err := c.p.Wait()
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
