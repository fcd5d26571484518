package rgi

import (
	"io"
	"os"
	"syscall"
)

// sendfileChunk bounds one sendfile call, so that the write deadline is
// renewed as a long transfer progresses (as it is for every buffered write).
const sendfileChunk = 1 << 20

// sectionReader is the part of *io.SectionReader's method set sendFile uses,
// so that a type embedding one (with a Close method, say) qualifies too.
type sectionReader interface {
	Outer() (r io.ReaderAt, off int64, n int64)
	io.Seeker
}

// sendFile sends b with sendfile(2) when its reader is an *io.SectionReader
// (or embeds one) over an *os.File, still unread, and the connection is a
// socket (not TLS):
// the bytes go from the page cache to the socket without passing through
// this process. The file's offset is passed explicitly, so the file's own
// position is neither used nor moved, and one descriptor may serve
// concurrent responses (as the static package's open-file cache does).
// handled is false when sendfile does not apply; the body is then untouched
// and is written through the buffer as usual.
func (c *conn) sendFile(b *Body) (handled bool, err error) {
	sr, ok := b.r.(sectionReader)
	if !sendfileSupported || !ok || b.remaining != b.ContentLength || b.err != nil || b.remaining == 0 {
		return false, nil
	}
	ra, base, size := sr.Outer()
	f, ok := ra.(*os.File)
	if !ok {
		return false, nil
	}
	sc, ok := c.dc.c.(syscall.Conn)
	if !ok {
		return false, nil
	}
	dst, err := sc.SyscallConn()
	if err != nil {
		return false, nil
	}
	src, err := f.SyscallConn()
	if err != nil {
		return false, nil
	}
	pos, err := sr.Seek(0, io.SeekCurrent)
	if err != nil {
		return false, nil
	}
	// The headers (and any earlier pipelined answers) go first.
	if err := c.bw.Flush(); err != nil {
		return true, err
	}
	off := base + pos
	left := min(b.remaining, size-pos)
	for left > 0 {
		c.dc.renewWrite()
		n, err := sendfileOnce(dst, src, &off, int(min(left, sendfileChunk)))
		b.remaining -= int64(n)
		left -= int64(n)
		if err != nil {
			b.err = err
			return true, err
		}
		if n == 0 {
			break // the file ended early
		}
	}
	sr.Seek(off-base, io.SeekStart)
	if b.remaining > 0 {
		// The file is shorter than the content-length promised.
		b.err = ErrBodyLengthShort
		return true, b.err
	}
	return true, nil
}
