package restpipe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// HTTP names shared by both ends of a pipe.
const (
	pipePath     = "/pipe"
	eventPrefix  = "/event/"
	pipeMime     = "application/x-restpipe"
	hdrCode      = "Restpipe-Code"     // the reply's return code
	hdrIdentity  = "Restpipe-Identity" // the identity a client claims (optional)
	serverPeerID = "server"            // Event.Peer of events from the server
)

// pipe is one registered pipe stream: the frames queued for its writer, the
// calls waiting for their replies, and its end.
type pipe struct {
	peer string
	out  chan []byte   // frames for the writer; unbuffered, so senders wait their turn
	done chan struct{} // closed by close
	once sync.Once
	err  error // why it closed (wraps ErrPipeClosed); set before done is closed

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan *Reply
}

func newPipe(peer string) *pipe {
	return &pipe{peer: peer, out: make(chan []byte), done: make(chan struct{}), pending: make(map[uint64]chan *Reply)}
}

// close ends the pipe: every call waiting on it fails with ErrPipeClosed
// wrapping cause. Only the first call counts.
func (p *pipe) close(cause error) {
	p.once.Do(func() {
		if cause == nil || errors.Is(cause, ErrPipeClosed) {
			p.err = cause
			if cause == nil {
				p.err = ErrPipeClosed
			}
		} else {
			p.err = fmt.Errorf("%w: %w", ErrPipeClosed, cause)
		}
		close(p.done)
	})
}

// closed reports whether the pipe has ended.
func (p *pipe) closed() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// send hands frame to the writer, waiting for its turn.
func (p *pipe) send(ctx context.Context, frame []byte) error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	select {
	case p.out <- frame:
		return nil
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctxErr(ctx)
	}
}

// call sends ev as a request frame and waits for its reply.
func (p *pipe) call(ctx context.Context, ev *Event) (*Reply, error) {
	ch := make(chan *Reply, 1)
	p.mu.Lock()
	p.nextID++
	id := p.nextID
	p.pending[id] = ch
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.pending, id)
		p.mu.Unlock()
	}()
	if err := p.send(ctx, encodeRequest(id, ev)); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r, nil
	case <-p.done:
		return nil, p.err
	case <-ctx.Done():
		return nil, ctxErr(ctx)
	}
}

// deliver hands a reply to the call waiting for it. A reply nobody waits for
// (its call timed out) is dropped.
func (p *pipe) deliver(id uint64, r *Reply) {
	p.mu.Lock()
	ch := p.pending[id]
	delete(p.pending, id)
	p.mu.Unlock()
	if ch != nil {
		ch <- r // buffered, one reply per id
	}
}

// writeBatch is how many bytes of queued frames writeLoop gathers into one
// write and one flush.
const writeBatch = 64 << 10

// writeLoop writes the queued frames to w until the pipe closes or a write
// fails. Frames queued together are written together with one flush: under
// load that saves a wake-up of the connection (and a DATA frame) per frame.
// Only this goroutine touches w.
func (p *pipe) writeLoop(w io.Writer, flush func()) error {
	var buf []byte
	for {
		var f []byte
		select {
		case f = <-p.out:
		case <-p.done:
			return p.err
		}
		out := f
	gather:
		for len(out) < writeBatch {
			select {
			case g := <-p.out:
				if len(buf) == 0 {
					buf = append(buf[:0], out...)
				}
				buf = append(buf, g...)
				out = buf
			default:
				break gather
			}
		}
		_, err := w.Write(out)
		buf = buf[:0]
		if cap(buf) > 4*writeBatch {
			buf = nil // a large frame was gathered: do not keep its copy
		}
		if err != nil {
			return err
		}
		if flush != nil {
			flush()
		}
	}
}

// ctxErr is the error of a call whose context ended.
func ctxErr(ctx context.Context) error {
	err := ctx.Err()
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// withCallTimeout applies the node's default timeout to a context without a
// deadline.
func withCallTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// semaphore bounds the handlers running at once.
type semaphore chan struct{}

func (s semaphore) acquire(ctx context.Context, done <-chan struct{}) bool {
	select {
	case s <- struct{}{}:
		return true
	case <-ctx.Done():
	case <-done:
	}
	return false
}

func (s semaphore) release() { <-s }
