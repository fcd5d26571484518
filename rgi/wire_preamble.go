package rgi

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

var crlfcrlf = []byte("\r\n\r\n")

// newWireReader returns a reader whose buffer holds a whole preamble, as
// readPreamble needs.
func newWireReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, MaxPreambleSize) }

// readPreamble returns the next preamble (request or status line plus header
// lines) up to and including its terminating "\r\n\r\n", without copying: the
// slice points into br's buffer and is valid until br is next read. The
// caller parses it, then calls br.Discard(len(pre)).
//
// Degu reads at most 32768 bytes (BUF_LEN), terminator included; a longer
// preamble is ErrPreambleTooLarge. A bare "\n\n" is not a terminator. A peer
// that closes before the first byte gives ErrEmptyPreamble (a clean close
// between keep-alive messages), one that closes in the middle
// ErrTruncatedPreamble. Other read errors (timeouts) are returned as they are.
//
// br's buffer must be at least MaxPreambleSize bytes (newWireReader).
func readPreamble(br *bufio.Reader) ([]byte, error) {
	if br.Size() < MaxPreambleSize {
		panic("rgi: readPreamble needs a reader from newWireReader")
	}
	start := 0
	want := br.Buffered()
	if want == 0 {
		want = 1
	}
	for {
		buf, err := br.Peek(want)
		if i := bytes.Index(buf[start:], crlfcrlf); i >= 0 {
			return buf[:start+i+4], nil
		}
		if len(buf) >= MaxPreambleSize {
			return nil, ErrPreambleTooLarge
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				if len(buf) == 0 {
					return nil, ErrEmptyPreamble
				}
				return nil, ErrTruncatedPreamble
			}
			return nil, err
		}
		start = max(0, len(buf)-3)
		want = max(br.Buffered(), len(buf)+1)
		want = min(want, MaxPreambleSize)
	}
}
