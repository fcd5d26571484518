package rgi

import (
	"bufio"
	"io"
	"iter"
	"slices"
)

// Extension is the optional chunk extension, a single key=value pair
// (Degu's (key, value) tuple). The zero Extension means none.
type Extension struct {
	Key, Value string
}

// IsZero reports whether there is no extension.
func (e Extension) IsZero() bool { return e.Key == "" && e.Value == "" }

// Chunk is one chunk of a chunked body: its extension and its data. The
// last chunk of a body has empty Data (it may still carry an extension).
type Chunk struct {
	Ext  Extension
	Data []byte
}

// ChunkedBody is a body in chunked transfer coding read from a stream: a
// request body with "transfer-encoding: chunked", or an output body the app
// builds from a reader of chunked-coded bytes (Degu's ChunkedBody(rfile)).
// Written out, its chunks are re-emitted with their extensions, so passing
// one through a proxy keeps them.
//
// Parsing follows Degu: a size line of at most 4096 bytes, 1 to 7 hex digits
// without leading zero (except "0"), at most 16 MiB, then at most one
// ";key=value" extension (key [-0-9A-Za-z]+, value from Degu's EXTVAL set,
// both non-empty), then CRLF; data then CRLF; no trailers after the last,
// empty chunk. A ChunkedBody is read once.
type ChunkedBody struct {
	br        *bufio.Reader
	in        *interner
	remaining int64 // data left in the current chunk
	ext       Extension
	state     chunkState
	err       error
	cont      *conn
	src       io.Closer // the source of an output body, closed by Close
}

type chunkState uint8

const (
	chunkHeader chunkState = iota // at a size line
	chunkData                     // inside data (remaining may be 0: CRLF next)
	chunkDone                     // after the last chunk
)

// NewChunkedBody returns a body reading chunked-coded bytes from r. r is
// used directly when it is a *bufio.Reader of at least MaxChunkLineSize
// bytes. When r is an io.Closer, the body owns it, as NewBody's does.
func NewChunkedBody(r io.Reader) *ChunkedBody {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < MaxChunkLineSize {
		br = bufio.NewReaderSize(r, MaxChunkLineSize)
	}
	src, _ := r.(io.Closer)
	return &ChunkedBody{br: br, src: src}
}

// Close closes the source of a body made by NewChunkedBody when it is an
// io.Closer, once; later calls return nil. As with Body.Close, servers and
// the client call it for every body they send, and it does nothing on a
// body read from a connection or a nil *ChunkedBody.
func (b *ChunkedBody) Close() error {
	if b == nil {
		return nil
	}
	src := b.src
	b.src = nil
	if src == nil {
		return nil
	}
	return src.Close()
}

func (b *ChunkedBody) reset(br *bufio.Reader, in *interner, cont *conn) {
	*b = ChunkedBody{br: br, in: in, cont: cont}
}

func (b *ChunkedBody) fail(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = ErrTruncatedBody
	}
	b.err = err
	return err
}

// nextHeader reads the next chunk-size line; the chunk's size lands in
// b.remaining and its extension in b.ext.
func (b *ChunkedBody) nextHeader() error {
	if b.cont != nil {
		if err := b.cont.sendContinue(); err != nil {
			return b.fail(err)
		}
		b.cont = nil
	}
	line, err := b.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > MaxChunkLineSize {
		return b.fail(ErrChunkLineTooLong)
	}
	if err != nil {
		return b.fail(err)
	}
	size, ext, perr := parseChunkLine(line, b.in)
	if perr != nil {
		return b.fail(perr)
	}
	b.remaining, b.ext, b.state = size, ext, chunkData
	if size == 0 {
		// RFC 9112 §7.1: the last chunk may be followed by trailers; Degu
		// allows none, so CRLF must follow at once.
		if err := b.readCRLF(); err != nil {
			return err
		}
		b.state = chunkDone
	}
	return nil
}

func (b *ChunkedBody) readCRLF() error {
	p, err := b.br.Peek(2)
	if len(p) == 2 && p[0] == '\r' && p[1] == '\n' {
		b.br.Discard(2)
		return nil
	}
	if err != nil && len(p) < 2 {
		return b.fail(err)
	}
	return b.fail(ErrBadChunkEnd)
}

// parseChunkLine parses "size[;key=value]\r\n".
func parseChunkLine(line []byte, in *interner) (int64, Extension, error) {
	var ext Extension
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return 0, ext, ErrBadChunkLine
	}
	line = line[:len(line)-2]
	var size int64
	i := 0
	for ; i < len(line) && isHex(line[i]); i++ {
		if i == 7 {
			return 0, ext, ErrChunkTooLarge
		}
		size = size<<4 | int64(unhex(line[i]))
	}
	if i == 0 || i > 1 && line[0] == '0' {
		return 0, ext, ErrBadChunkLine
	}
	if size > MaxChunkSize {
		return 0, ext, ErrChunkTooLarge
	}
	if i == len(line) {
		return size, ext, nil
	}
	if line[i] != ';' {
		return 0, ext, ErrBadChunkLine
	}
	rest := line[i+1:]
	eq := -1
	for j, c := range rest {
		if c == '=' {
			eq = j
			break
		}
		if class[c]&cExtKey == 0 {
			return 0, ext, ErrBadChunkExtension
		}
	}
	if eq <= 0 || eq == len(rest)-1 {
		return 0, ext, ErrBadChunkExtension
	}
	for _, c := range rest[eq+1:] {
		if class[c]&cExtVal == 0 {
			return 0, ext, ErrBadChunkExtension
		}
	}
	ext.Key, ext.Value = in.str(rest[:eq]), in.str(rest[eq+1:])
	return size, ext, nil
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// The chunk state machine lives in three methods, used by every way of
// reading a body: next moves to the next chunk's data (the CRLF ending the
// previous chunk's data, then a size line), readData reads the current
// chunk's data, endData takes the CRLF after it.

// next moves to the start of the next chunk's data, or to chunkDone. It
// expects the current chunk's data to be read to its end.
func (b *ChunkedBody) next() error {
	if b.state == chunkData {
		if err := b.endData(); err != nil {
			return err
		}
	}
	return b.nextHeader()
}

// readData reads up to len(p) bytes of the current chunk's data.
func (b *ChunkedBody) readData(p []byte) (int, error) {
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.br.Read(p)
	b.remaining -= int64(n)
	if err != nil && b.remaining > 0 {
		return n, b.fail(err)
	}
	return n, nil
}

// endData reads the CRLF after a chunk's data, whose end has been read.
func (b *ChunkedBody) endData() error {
	if err := b.readCRLF(); err != nil {
		return err
	}
	b.state = chunkHeader
	return nil
}

// appendData appends the rest of the current chunk's data to dst and
// takes the CRLF after it. dst grows with the bytes received, not with the
// size the chunk line declared: a peer that declares 16 MiB and sends
// nothing more costs nothing.
func (b *ChunkedBody) appendData(dst []byte) ([]byte, error) {
	dst, err := appendN(dst, b.remaining, b.readData)
	if err != nil {
		return nil, err
	}
	return dst, b.endData()
}

// growStep is the smallest growth of a buffer appendN fills.
const growStep = 16 << 10

// appendN appends n bytes from read to dst, growing dst as bytes arrive
// (doubling, from at most growStep) rather than by n up front, so memory
// follows the bytes received, not the length a peer declared.
func appendN(dst []byte, n int64, read func([]byte) (int, error)) ([]byte, error) {
	empty := 0
	for n > 0 {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, int(min(n, max(int64(len(dst)), growStep))))
		}
		p := dst[len(dst):cap(dst)]
		if int64(len(p)) > n {
			p = p[:n]
		}
		k, err := read(p)
		dst, n = dst[:len(dst)+k], n-int64(k)
		if err != nil && n > 0 {
			return dst, err
		}
		if k > 0 {
			empty = 0
		} else if empty++; empty > 100 {
			return dst, io.ErrNoProgress
		}
	}
	return dst, nil
}

// ReadChunk returns the next chunk, the last one (empty Data) included, then
// io.EOF. Data is a new slice of up to 16 MiB. When Read has taken part of
// a chunk's data, ReadChunk returns the rest of that chunk first.
func (b *ChunkedBody) ReadChunk() (Chunk, error) {
	if b.err != nil {
		return Chunk{}, b.err
	}
	if b.state == chunkDone {
		return Chunk{}, io.EOF
	}
	if b.state == chunkHeader || b.remaining == 0 {
		if err := b.next(); err != nil {
			return Chunk{}, err
		}
		if b.state == chunkDone {
			return Chunk{Ext: b.ext, Data: []byte{}}, nil
		}
	}
	data, err := b.appendData(nil)
	if err != nil {
		return Chunk{}, err
	}
	return Chunk{Ext: b.ext, Data: data}, nil
}

// Read implements io.Reader over the chunks' data, dropping extensions.
func (b *ChunkedBody) Read(p []byte) (int, error) {
	for {
		if b.err != nil {
			return 0, b.err
		}
		if b.state == chunkDone {
			return 0, io.EOF
		}
		if b.state == chunkHeader || b.remaining == 0 {
			if err := b.next(); err != nil {
				return 0, err
			}
			continue
		}
		if len(p) == 0 {
			return 0, nil
		}
		return b.readData(p)
	}
}

// Chunks returns the chunks as a sequence; reading stops at the first
// error, which is yielded with a zero Chunk.
func (b *ChunkedBody) Chunks() iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		for {
			c, err := b.ReadChunk()
			if err == io.EOF {
				return
			}
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
}

// ReadAll returns the data of all remaining chunks, refusing
// (ErrBodyTooLarge) beyond MaxReadSize bytes.
func (b *ChunkedBody) ReadAll() ([]byte, error) {
	var out []byte
	for {
		if b.err != nil {
			return nil, b.err
		}
		if b.state == chunkDone {
			return out, nil
		}
		if b.state == chunkHeader || b.remaining == 0 {
			if err := b.next(); err != nil {
				return nil, err
			}
			continue
		}
		if int64(len(out))+b.remaining > MaxReadSize {
			return nil, ErrBodyTooLarge
		}
		var err error
		if out, err = b.appendData(out); err != nil {
			return nil, err
		}
	}
}

// Consumed reports whether the last chunk has been read.
func (b *ChunkedBody) Consumed() bool { return b.state == chunkDone }

// Err returns the error that stopped reading the body, if any.
func (b *ChunkedBody) Err() error { return b.err }

// writeTo re-emits the remaining chunks, extensions included.
func (b *ChunkedBody) writeTo(bw *bufio.Writer) error { return b.writeChunks(bw, false) }

// writeChunks is writeTo, flushing each chunk before the next is read with
// flushChunks.
func (b *ChunkedBody) writeChunks(bw *bufio.Writer, flushChunks bool) error {
	if b.state != chunkHeader || b.err != nil {
		return ErrBodyConsumed
	}
	for {
		if err := b.next(); err != nil {
			return err
		}
		writeChunkHead(bw, b.remaining, b.ext)
		if b.state == chunkDone {
			bw.WriteString("\r\n")
			return nil
		}
		for b.remaining > 0 {
			if bw.Available() == 0 {
				if err := bw.Flush(); err != nil {
					return err
				}
			}
			buf := bw.AvailableBuffer()
			n, err := b.readData(buf[:cap(buf)])
			bw.Write(buf[:n]) // copies onto itself: buf is bw's own buffer
			if err != nil {
				return err
			}
		}
		bw.WriteString("\r\n")
		// The chunk goes out before the next is read, which may wait for
		// the peer: a request body passed on as the response (an echo, a
		// proxy) flows chunk by chunk.
		if flushChunks {
			if err := bw.Flush(); err != nil {
				return err
			}
		}
	}
}

// writeChunkHead writes "size[;key=value]\r\n" in lowercase hex, as Degu does.
func writeChunkHead(bw *bufio.Writer, size int64, ext Extension) {
	writeInt(bw, size, 16)
	if !ext.IsZero() {
		bw.WriteByte(';')
		bw.WriteString(ext.Key)
		bw.WriteByte('=')
		bw.WriteString(ext.Value)
	}
	bw.WriteString("\r\n")
}

// validOutputExtension checks ext against the rules the reader enforces.
func validOutputExtension(ext Extension) bool {
	if ext.IsZero() {
		return true
	}
	if ext.Key == "" || ext.Value == "" {
		return false
	}
	for i := 0; i < len(ext.Key); i++ {
		if class[ext.Key[i]]&cExtKey == 0 {
			return false
		}
	}
	for i := 0; i < len(ext.Value); i++ {
		if class[ext.Value[i]]&cExtVal == 0 {
			return false
		}
	}
	return true
}

// ChunkedBodyIter is an output body given as a sequence of chunks (Degu's
// ChunkedBodyIter(source)). The sequence must end with exactly one chunk of
// empty Data; only that last chunk may be empty (ErrChunkAfterLast,
// ErrNoLastChunk). Chunks are at most MaxChunkSize and extensions follow
// the reader's rules (ErrBadOutputExtension). It is written once; as a
// response, each chunk is sent before the next is asked for, so a sequence
// may wait between chunks (server-sent events).
type ChunkedBodyIter struct {
	Seq  iter.Seq[Chunk]
	used bool
}

// NewChunkedBodyIter returns an output body made of the chunks seq yields.
func NewChunkedBodyIter(seq iter.Seq[Chunk]) *ChunkedBodyIter {
	return &ChunkedBodyIter{Seq: seq}
}

// writeChunks writes the chunks, flushing each before the sequence is asked
// for the next with flushChunks.
func (b *ChunkedBodyIter) writeChunks(bw *bufio.Writer, flushChunks bool) error {
	if b.used {
		return ErrBodyConsumed
	}
	b.used = true
	done := false
	var err error
	for c := range b.Seq {
		switch {
		case done:
			err = ErrChunkAfterLast
		case len(c.Data) > MaxChunkSize:
			err = ErrChunkTooLarge
		case !validOutputExtension(c.Ext):
			err = ErrBadOutputExtension
		}
		if err != nil {
			break
		}
		writeChunkHead(bw, int64(len(c.Data)), c.Ext)
		if len(c.Data) == 0 {
			done = true
		} else {
			bw.Write(c.Data)
		}
		if _, err = bw.WriteString("\r\n"); err != nil {
			break
		}
		// Each chunk goes out before the sequence is asked for the next,
		// which may wait (an event stream).
		if flushChunks {
			if err = bw.Flush(); err != nil {
				break
			}
		}
	}
	if err == nil && !done {
		err = ErrNoLastChunk
	}
	return err
}
