package handler

import (
	"io"
	"sync"
)

// pumpBufSize is the size of a pump's buffer: two default-sized DATA frames.
const pumpBufSize = 32 << 10

// pump reads a possibly blocking io.Reader on its own goroutine and serves the
// bytes to the connection goroutine with the BodyGenerator contract, so that a
// slow reader (a pipe, a socket, a process) never blocks the connection. At most
// one buffer (pumpBufSize) is held per stream: the pump reads again only after the
// connection has taken everything it read before, which bounds memory whatever
// the reader does.
type pump struct {
	r    io.Reader
	wake func() // Stream.Resume

	mu       sync.Mutex
	buf      []byte
	lo, hi   int
	err      error // the reader's error once it returned one (io.EOF at the end)
	deferred bool  // the connection is waiting for Resume
	reading  bool  // a refill was requested and has not completed: buf belongs to the reader
	refill   chan struct{}
	done     chan struct{}
}

func newPump(r io.Reader, wake func()) *pump {
	p := &pump{r: r, wake: wake, buf: make([]byte, pumpBufSize),
		refill: make(chan struct{}, 1), done: make(chan struct{}), reading: true}
	p.refill <- struct{}{}
	go p.run()
	return p
}

// maxEmptyReads is how many Reads in a row may return nothing and no error
// before the pump gives up with io.ErrNoProgress (as bufio does): io.Reader
// discourages (0, nil), and a reader stuck returning it would spin the pump.
const maxEmptyReads = 100

func (p *pump) run() {
	empty := 0
	for {
		select {
		case <-p.refill:
		case <-p.done:
			return
		}
		n, err := p.r.Read(p.buf)
		if n == 0 && err == nil {
			// A Read of nothing: try again rather than spin the connection,
			// but not for ever.
			if empty++; empty < maxEmptyReads {
				p.refill <- struct{}{}
				continue
			}
			err = io.ErrNoProgress
		}
		empty = 0
		p.mu.Lock()
		p.lo, p.hi, p.err = 0, n, err
		p.reading = false
		wake := p.deferred
		p.deferred = false
		p.mu.Unlock()
		select {
		case <-p.done:
			// The stream closed while we were reading: nobody to wake.
			return
		default:
		}
		if wake {
			p.wake()
		}
		if err != nil {
			return
		}
	}
}

// next returns the next piece of the body, as a BodyGenerator would, or the
// reader's error once the bytes read before it are sent. The returned slice
// aliases the pump's buffer, which the pump does not touch again until next is
// called with it drained.
func (p *pump) next(max int) ([]byte, DataFlag, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lo < p.hi {
		n := min(max, p.hi-p.lo)
		data := p.buf[p.lo : p.lo+n]
		p.lo += n
		if p.lo == p.hi && p.err == io.EOF {
			return data, DataEOF, nil
		}
		return data, DataOK, nil
	}
	switch p.err {
	case nil:
	case io.EOF:
		return nil, DataEOF, nil
	default:
		// The body cannot be completed: the stream is reset.
		return nil, 0, p.err
	}
	if !p.reading {
		// Hand the drained buffer to the reader goroutine; exactly one
		// refill per drain, so buf is never written while data from it may
		// still be in use.
		p.reading = true
		p.refill <- struct{}{}
	}
	p.deferred = true
	return nil, DataDeferred, nil
}

// stop ends the pump goroutine once its current Read (if any) returns.
func (p *pump) stop() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
}
