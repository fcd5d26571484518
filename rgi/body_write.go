package rgi

import (
	"bufio"
	"io"
)

// framingOf tells how an output body is framed: nil has none; []byte,
// string, *Body and *BodyIter have a content-length; *ChunkedBody and
// *ChunkedBodyIter are chunked. Any other type (a nil pointer of these types
// included) is ErrBadOutputBody.
func framingOf(body any) (framing, error) {
	switch b := body.(type) {
	case nil:
		return framing{}, nil
	case []byte:
		return framing{kind: framingLength, length: int64(len(b))}, nil
	case string:
		return framing{kind: framingLength, length: int64(len(b))}, nil
	case *Body:
		if b != nil && b.ContentLength >= 0 && b.ContentLength <= MaxContentLength && (b.r != nil || b.ContentLength == 0) {
			return framing{kind: framingLength, length: b.ContentLength}, nil
		}
	case *BodyIter:
		if b != nil && b.ContentLength >= 0 && b.ContentLength <= MaxContentLength && b.Seq != nil {
			return framing{kind: framingLength, length: b.ContentLength}, nil
		}
	case *ChunkedBody:
		if b != nil && b.br != nil {
			return framing{kind: framingChunked}, nil
		}
	case *ChunkedBodyIter:
		if b != nil && b.Seq != nil {
			return framing{kind: framingChunked}, nil
		}
	}
	return framing{}, ErrBadOutputBody
}

// writeBody writes an output body accepted by framingOf, in that framing.
// An error means the peer has an incomplete message: close the connection.
func writeBody(bw *bufio.Writer, body any) error { return writeBodyChunks(bw, body, false) }

// writeStreamedBody is writeBody for a response: each chunk of a chunked
// body is flushed before the next is asked for, so that a body whose
// sequence or reader waits between chunks (an event stream, a request body
// echoed back) reaches the client as it goes, as Degu sends every chunk with
// sock.send. (A request keeps its chunks in one write.)
func writeStreamedBody(bw *bufio.Writer, body any) error { return writeBodyChunks(bw, body, true) }

// writeBodyChunks is writeBody, flushing after each chunk with flushChunks.
func writeBodyChunks(bw *bufio.Writer, body any, flushChunks bool) error {
	switch b := body.(type) {
	case nil:
		return nil
	case []byte:
		_, err := bw.Write(b)
		return err
	case string:
		_, err := bw.WriteString(b)
		return err
	case *Body:
		return b.writeTo(bw)
	case *BodyIter:
		return b.writeTo(bw)
	case *ChunkedBody:
		return b.writeChunks(bw, flushChunks)
	case *ChunkedBodyIter:
		return b.writeChunks(bw, flushChunks)
	}
	return ErrBadOutputBody
}

// closeBody closes an output body that is an io.Closer (*Body and
// *ChunkedBody are; see NewBody). The server and the client call it on
// every path once a message is done with, so that a file behind a body is
// not left open until a finalizer runs.
func closeBody(body any) {
	if c, ok := body.(io.Closer); ok {
		c.Close()
	}
}
