package handler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unsafe"
)

// ErrBodyType is returned by SendResponse for a body of an unsupported type.
var ErrBodyType = errors.New("handler: unsupported response body type (want nil, []byte, string, io.Reader or BodyGenerator)")

// GeneratorError describes how a body generator misbehaved; the stream was reset
// with INTERNAL_ERROR because of it. It is logged at Warn on Options.Logger as
// the "err" attribute, and the failure is counted once as
// reject.BodyGeneratorError through Options.OnReject.
type GeneratorError struct {
	Max   int      // the max the generator was given
	Len   int      // how many bytes it returned
	Flag  DataFlag // the flag it returned
	Panic any      // the recovered panic value, if it panicked
}

func (e *GeneratorError) Error() string {
	switch {
	case e.Panic != nil:
		return fmt.Sprintf("handler: body generator panicked: %v", e.Panic)
	case e.Len > e.Max:
		return fmt.Sprintf("handler: body generator returned %d bytes, more than max %d", e.Len, e.Max)
	case e.Flag == DataOK:
		return "handler: body generator returned DataOK with no data"
	}
	return fmt.Sprintf("handler: body generator returned invalid flag %v", e.Flag)
}

type bodyKind uint8

const (
	bodyNone   bodyKind = iota
	bodyBytes           // b holds what is left to send
	bodyReader          // an in-memory or regular-file reader, read inline
	bodyGen             // a BodyGenerator
	bodyPump            // any other io.Reader, read by a pump goroutine
)

// source is a response body being sent. It turns every body kind into the
// generator contract: next(max) returns at most max bytes and a flag.
type source struct {
	kind   bodyKind
	b      []byte
	r      io.Reader
	gen    BodyGenerator
	pump   *pump     // the goroutine reading a blocking reader, if any
	closer io.Closer // closed when the stream ends
	length int64     // content-length, -1 if unknown
	left   int64     // bytes an inline reader still has to give
}

// setBody classifies body. It does not allocate for []byte, string and
// BodyGenerator bodies.
//
// io.Reader bodies are read on the connection goroutine only when they cannot
// block: *bytes.Reader, *strings.Reader, *bytes.Buffer and *os.File opened on a
// regular file. Any other reader is read by a pump goroutine (see pump.go) and
// fed to the connection like a deferred generator, so a slow reader never stalls
// the connection.
func (src *source) setBody(body any, h Handle) error {
	*src = source{length: -1}
	switch b := body.(type) {
	case nil:
		src.kind = bodyNone
		src.length = 0
	case []byte:
		src.kind, src.b, src.length = bodyBytes, b, int64(len(b))
	case string:
		// The bytes are only ever copied into frames, never written.
		src.kind, src.b, src.length = bodyBytes, unsafe.Slice(unsafe.StringData(b), len(b)), int64(len(b))
	case BodyGenerator:
		src.kind, src.gen = bodyGen, b
	case func(int) ([]byte, DataFlag):
		src.kind, src.gen = bodyGen, b
	case *bytes.Reader:
		src.kind, src.r, src.length = bodyReader, b, int64(b.Len())
	case *strings.Reader:
		src.kind, src.r, src.length = bodyReader, b, int64(b.Len())
	case *bytes.Buffer:
		src.kind, src.r, src.length = bodyReader, b, int64(b.Len())
	case *os.File:
		src.closer = b
		if st, err := b.Stat(); err == nil && st.Mode().IsRegular() {
			src.kind, src.r = bodyReader, b
			if off, err := b.Seek(0, io.SeekCurrent); err == nil {
				src.length = st.Size() - off
			}
			src.left = src.length
			return nil
		}
		src.kind, src.pump = bodyPump, newPump(b, h.Resume)
	case io.Reader:
		if c, ok := b.(io.Closer); ok {
			src.closer = c
		}
		src.kind, src.pump = bodyPump, newPump(b, h.Resume)
	default:
		return ErrBodyType
	}
	src.left = src.length
	return nil
}

// next returns the next piece of the body, at most max bytes, using scratch (at
// least max bytes long) for inline readers. A non-nil error means the body failed
// (a misbehaving generator or a reader error) and the stream must be reset.
func (src *source) next(max int, scratch []byte) (data []byte, flag DataFlag, err error) {
	switch src.kind {
	case bodyNone:
		return nil, DataEOF, nil
	case bodyBytes:
		n := min(max, len(src.b))
		data, src.b = src.b[:n], src.b[n:]
		if len(src.b) == 0 {
			return data, DataEOF, nil
		}
		return data, DataOK, nil
	case bodyReader:
		if src.length >= 0 && src.left == 0 {
			return nil, DataEOF, nil
		}
		if src.length >= 0 {
			max = int(min(int64(max), src.left))
		}
		n, err := io.ReadFull(src.r, scratch[:max])
		src.left -= int64(n)
		switch err {
		case nil:
			if src.length >= 0 && src.left == 0 {
				return scratch[:n], DataEOF, nil
			}
			return scratch[:n], DataOK, nil
		case io.EOF, io.ErrUnexpectedEOF:
			if src.length >= 0 && src.left != 0 {
				// The file shrank under us: the promised content-length
				// cannot be honoured, so the stream must be reset.
				return nil, 0, io.ErrUnexpectedEOF
			}
			return scratch[:n], DataEOF, nil
		}
		return nil, 0, err
	case bodyGen:
		return callGenerator(src.gen, max)
	case bodyPump:
		return src.pump.next(max)
	}
	return nil, 0, ErrBodyType
}

// callGenerator runs gen under the checks of the BodyGenerator contract: it is
// the one place where a generator's misbehaviour (including a panic) becomes an
// error value.
func callGenerator(gen BodyGenerator, max int) (data []byte, flag DataFlag, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, flag, err = nil, 0, &GeneratorError{Max: max, Panic: p}
		}
	}()
	data, flag = gen(max)
	switch {
	case len(data) > max, flag < DataOK, flag > DataDeferred, flag == DataOK && len(data) == 0:
		return nil, 0, &GeneratorError{Max: max, Len: len(data), Flag: flag}
	}
	return data, flag, nil
}

// close releases the body's resources (an io.Closer reader, a pump goroutine).
func (src *source) close() {
	if src.pump != nil {
		src.pump.stop()
	}
	if src.closer != nil {
		src.closer.Close()
		src.closer = nil
	}
	*src = source{}
}
