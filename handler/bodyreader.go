package handler

import (
	"errors"
	"io"
	"sync"
)

// ErrBodyClosed is what BodyReader.Read and Wait return after Close.
var ErrBodyClosed = errors.New("handler: read on a closed request body")

// BodyReader carries a request body from a ManualFlowControl handler's
// callbacks (the connection goroutine) to a reader on another goroutine, under
// flow control: bytes are returned to the peer's windows (Stream.Consume) only
// as they are read, so the peer never has more than a stream window of body
// outstanding and the memory a stream holds stays bounded whatever the reader
// does. HTTPHandler's request bodies are BodyReaders.
//
// The handler calls Init in OnHeaders, Write from OnData, End(nil) from
// OnRequestDone and End(err) from OnClose; the reader calls Read (or Wait and
// Read) and finally Close, which drops what is buffered and what arrives
// later, returning its window. The zero value is ready after Init.
type BodyReader struct {
	s   *Stream // connection goroutine only (Write)
	ref Handle  // for the reader's goroutine: the Stream may be recycled

	mu     sync.Mutex
	cond   sync.Cond
	buf    []byte // received bytes; buf[off:] not yet read
	off    int
	eof    bool  // END_STREAM received
	err    error // the stream closed before eof
	closed bool  // Close: nobody reads any more
}

// Init binds b to s. It must be called before the other methods, from
// OnHeaders.
func (b *BodyReader) Init(s *Stream) {
	b.s, b.ref = s, s.Handle()
	b.cond.L = &b.mu
}

// Write appends request body bytes; call it from OnData (on the connection
// goroutine) with the data OnData got. After Close the bytes are returned to
// the windows at once.
func (b *BodyReader) Write(data []byte) {
	if len(data) == 0 {
		return
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		// On the connection goroutine: credit the engine directly instead of
		// queuing a Consume.
		if es := b.s.es; es != nil {
			b.s.conn.eng.Consume(es, len(data))
		}
		return
	}
	if b.off > 0 && len(b.buf)+len(data) > cap(b.buf) {
		// Reuse the bytes already read before growing.
		b.buf = b.buf[:copy(b.buf, b.buf[b.off:])]
		b.off = 0
	}
	b.buf = append(b.buf, data...)
	b.cond.Broadcast()
	b.mu.Unlock()
}

// End records the end of the body: err == nil for END_STREAM (OnRequestDone),
// else the error reads return once the buffered bytes are read, for a stream
// that closed before its body ended (OnClose). An End after END_STREAM
// changes nothing, so OnClose may call End unconditionally.
func (b *BodyReader) End(err error) {
	b.mu.Lock()
	if err == nil {
		b.eof = true
	} else if !b.eof && b.err == nil {
		b.err = err
	}
	b.cond.Broadcast()
	b.mu.Unlock()
}

// Wait blocks until body bytes are buffered or the body has ended. It returns
// how many bytes a Read would find, or 0 and io.EOF at the end of the body, the
// End error when the stream closed early, or ErrBodyClosed after Close.
func (b *BodyReader) Wait() (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waitLocked()
}

func (b *BodyReader) waitLocked() (int, error) {
	for len(b.buf) == b.off && !b.eof && b.err == nil && !b.closed {
		b.cond.Wait()
	}
	switch {
	case b.closed:
		return 0, ErrBodyClosed
	case len(b.buf) > b.off:
		return len(b.buf) - b.off, nil
	case b.eof:
		return 0, io.EOF
	}
	return 0, b.err
}

// Read implements io.Reader: it blocks until bytes arrive or the body ends,
// and returns the bytes it copies to the peer's windows (Stream.Consume).
func (b *BodyReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b.mu.Lock()
	if _, err := b.waitLocked(); err != nil {
		b.mu.Unlock()
		return 0, err
	}
	n := copy(p, b.buf[b.off:])
	b.off += n
	if b.off == len(b.buf) {
		b.buf, b.off = b.buf[:0], 0
	}
	b.mu.Unlock()
	b.ref.Consume(n)
	return n, nil
}

// Close discards the buffered bytes and those that arrive later, returning
// their window, and makes Read and Wait fail with ErrBodyClosed. It may be
// called any number of times, from any goroutine.
func (b *BodyReader) Close() error {
	b.mu.Lock()
	n := len(b.buf) - b.off
	b.buf, b.off = nil, 0
	b.closed = true
	b.cond.Broadcast()
	b.mu.Unlock()
	b.ref.Consume(n)
	return nil
}
