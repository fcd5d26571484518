package rgi

import (
	"bufio"
	"io"
	"iter"
)

// Body is a body with a known length: a request body framed by
// content-length, or an output body the app (or a client caller) builds
// from a reader and a length (Degu's Body(rfile, content_length)).
//
// As input, Read returns the body and io.EOF at its end, ErrTruncatedBody
// when the peer closes early. As output, the server or client copies
// exactly ContentLength bytes from the reader; a reader that ends sooner
// fails the message (the connection is closed, the peer sees a short body).
// A Body is read once. Passing a request's Body on as a response body (or a
// response's as a request body) streams it, as a proxy does.
type Body struct {
	// ContentLength is the body's length in bytes, 0 to MaxContentLength.
	ContentLength int64

	r         io.Reader
	remaining int64
	err       error
	input     bool  // read from a connection: an early EOF is the peer's fault
	closed    bool  // Close has run
	cont      *conn // sends "100 Continue" before the first read, then nil
}

// NewBody returns an output body of contentLength bytes read from r.
//
// When r is an io.Closer (an *os.File, say), the body owns it: the server
// that sends the body as a response, or the client that sends it as a
// request, closes it once the message is done with, however it ends (sent,
// a HEAD request, the peer gone, a write error, an invalid response). See
// Close.
//
// When r is an *io.SectionReader over an *os.File (or a type embedding one,
// to add a Close method), the server sends the response body with
// sendfile(2) on Linux TCP and Unix connections: from the page cache to the
// socket, at the section's offsets, without moving the file's position, so
// that one descriptor can serve concurrent responses. Over TLS it is read
// like any reader.
func NewBody(r io.Reader, contentLength int64) *Body {
	return &Body{ContentLength: contentLength, r: r, remaining: contentLength}
}

// Close closes the reader of an output body when it is an io.Closer, once;
// later calls return nil. Servers and the client call it for every body
// they send. On a body read from a connection (a request body, or a
// client's response body) it does nothing: the connection is not the
// body's to close. A nil *Body (an invalid output body) is allowed.
func (b *Body) Close() error {
	if b == nil || b.closed || b.input {
		return nil
	}
	b.closed = true
	if c, ok := b.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (b *Body) reset(r io.Reader, n int64, cont *conn) {
	*b = Body{ContentLength: n, r: r, remaining: n, input: true, cont: cont}
}

// Read implements io.Reader.
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.remaining == 0 {
		return 0, io.EOF
	}
	if b.cont != nil {
		if err := b.cont.sendContinue(); err != nil {
			b.err = err
			return 0, err
		}
		b.cont = nil
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.r.Read(p)
	b.remaining -= int64(n)
	if b.remaining == 0 {
		return n, nil
	}
	if err == io.EOF {
		err = ErrBodyLengthShort
		if b.input {
			err = ErrTruncatedBody
		}
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

// ReadAll returns the rest of the body. It refuses (ErrBodyTooLarge) when
// more than MaxReadSize bytes remain, as Degu's read() does.
func (b *Body) ReadAll() ([]byte, error) {
	if b.remaining > MaxReadSize {
		return nil, ErrBodyTooLarge
	}
	// Allocated as the bytes arrive (appendN), not by the declared length.
	buf, err := appendN(nil, b.remaining, b.Read)
	if err != nil {
		return nil, err
	}
	if buf == nil {
		buf = []byte{}
	}
	return buf, nil
}

// Consumed reports whether the whole body has been read.
func (b *Body) Consumed() bool { return b.remaining == 0 }

// Err returns the error that stopped reading the body, if any.
func (b *Body) Err() error { return b.err }

// BodyIter is an output body of ContentLength bytes given as a sequence of
// byte slices (Degu's BodyIter(source, content_length)). Empty slices are
// allowed; a total other than ContentLength fails the message
// (ErrBodyLengthExceeded before the excess is written, ErrBodyLengthShort at
// the end). It is written once.
type BodyIter struct {
	ContentLength int64
	Seq           iter.Seq[[]byte]
	used          bool
}

// NewBodyIter returns an output body made of the slices seq yields.
func NewBodyIter(seq iter.Seq[[]byte], contentLength int64) *BodyIter {
	return &BodyIter{ContentLength: contentLength, Seq: seq}
}

func (b *BodyIter) writeTo(bw *bufio.Writer) error {
	if b.used {
		return ErrBodyConsumed
	}
	b.used = true
	var total int64
	var err error
	for p := range b.Seq {
		if total+int64(len(p)) > b.ContentLength {
			err = ErrBodyLengthExceeded
			break
		}
		total += int64(len(p))
		if _, err = bw.Write(p); err != nil {
			break
		}
	}
	if err == nil && total != b.ContentLength {
		err = ErrBodyLengthShort
	}
	return err
}

// writeTo copies the body to bw.
func (b *Body) writeTo(bw *bufio.Writer) error {
	if b.remaining != b.ContentLength || b.err != nil {
		return ErrBodyConsumed
	}
	empty := 0
	for b.remaining > 0 {
		if bw.Available() == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
		}
		buf := bw.AvailableBuffer()
		buf = buf[:min(int64(cap(buf)), b.remaining)]
		n, err := b.Read(buf)
		if n > 0 {
			bw.Write(buf[:n]) // copies onto itself: buf is bw's own buffer
			empty = 0
		} else if empty++; empty > 100 {
			return io.ErrNoProgress
		}
		if err != nil {
			return err
		}
	}
	return nil
}
