package static

import (
	"errors"
	"io"
	"os"
	"sync"

	"github.com/h2kit/h2kit/internal/filecache"
)

// ErrShortFile is the error of a FileSection whose file ended before the
// promised content-length: it was truncated while being sent.
var ErrShortFile = errors.New("static: file shrank while being sent")

// chunkSize is the buffer a FileSection reads into: large enough for a
// maximum-size HTTP/2 frame of the default SETTINGS_MAX_FRAME_SIZE several
// times over, small enough to pool.
const chunkSize = 64 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// FileSection is the content of a response taken from a large cached file:
// bytes [off, end) read with pread from the shared descriptor. It holds a
// reference to the cached file until Close, so that eviction never closes the
// descriptor under it. A FileSection is used by one goroutine at a time.
type FileSection struct {
	e        *filecache.Entry
	start    int64 // where the section begins in the file
	off, end int64
	buf      *[]byte
	pending  []byte // read ahead, not handed out yet
	err      error
	closed   bool
}

// sectionReader returns the whole section as an *io.SectionReader over the
// cached descriptor, for the RGI engine, which sends such a body with
// sendfile(2) at explicit offsets on a TCP connection (and reads it with
// pread otherwise). The read-ahead buffer is given back; f keeps the
// reference to the cached file until Close, and is not read itself.
func (f *FileSection) sectionReader() *io.SectionReader {
	f.pending = nil
	if f.buf != nil {
		chunkPool.Put(f.buf)
		f.buf = nil
	}
	return io.NewSectionReader(f.e.File(), f.start, f.end-f.start)
}

// Len returns the bytes not handed out yet.
func (f *FileSection) Len() int64 { return f.end - f.off + int64(len(f.pending)) }

// prefetch reads the first chunk, so that a file that cannot be read fails
// before any response is sent.
func (f *FileSection) prefetch() error {
	f.buf = chunkPool.Get().(*[]byte)
	b, err := f.fill(chunkSize)
	f.pending = b
	return err
}

// fill reads up to max bytes at off into the buffer.
func (f *FileSection) fill(max int) ([]byte, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.closed {
		return nil, os.ErrClosed
	}
	b := (*f.buf)[:min(int64(max), int64(len(*f.buf)), f.end-f.off)]
	n, err := f.e.ReadAt(b, f.off)
	f.off += int64(n)
	if n < len(b) {
		if err == nil || err == io.EOF {
			err = ErrShortFile
		}
		f.err = err
		return nil, err
	}
	return b, nil
}

// Next returns the next piece of at most max bytes, valid until the next
// call, and io.EOF after the last. A read error or a file that shrank is
// returned as an error.
func (f *FileSection) Next(max int) ([]byte, error) {
	if len(f.pending) > 0 {
		n := min(max, len(f.pending))
		b := f.pending[:n]
		f.pending = f.pending[n:]
		return b, nil
	}
	if f.off >= f.end {
		return nil, io.EOF
	}
	// A whole chunk per read: the engine asks for a frame's worth
	// (16 KiB by default), and one pread for four frames costs a quarter
	// of the system calls.
	b, err := f.fill(chunkSize)
	if err != nil {
		return nil, err
	}
	n := min(max, len(b))
	f.pending = b[n:]
	return b[:n], nil
}

// Read implements io.Reader.
func (f *FileSection) Read(p []byte) (int, error) {
	b, err := f.Next(len(p))
	n := copy(p, b)
	if err == io.EOF || (err == nil && f.Len() == 0) {
		f.Close()
	}
	if err != nil {
		f.Close()
	}
	return n, err
}

// Close releases the cached file; it may be called more than once.
func (f *FileSection) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.pending = nil
	if f.buf != nil {
		chunkPool.Put(f.buf)
		f.buf = nil
	}
	f.e.Release()
	return nil
}
