package rgih2

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

// errInterimStatus: a 1xx status, which HTTP/1.1 can send as the app's answer
// but HTTP/2 cannot (RFC 9113 §8.1: a 1xx is never a final response).
var errInterimStatus = errors.New("rgih2: status below 200 cannot be a final HTTP/2 response")

// noBody is the body of a response without content: a generator that ends at
// once. Unlike a nil body it has no known length, so the handler layer adds no
// "content-length: 0" the HTTP/1.1 server would not send (and a HEAD response
// keeps the content-length the app stated).
var noBody = handler.BodyGenerator(func(int) ([]byte, handler.DataFlag) { return nil, handler.DataEOF })

// respond sends the app's response (ok == false: the app panicked). The
// body's source, when it is an io.Closer (rgi.NewBody over a file, say), is
// closed once respond returns, however the response ended: send copies a
// streamed body on this goroutine, so by then it is sent, cut short by the
// client, skipped for HEAD, or replaced by a 500.
func (st *stream) respond(resp rgi.Response, ok bool) {
	if c, isCloser := resp.Body.(io.Closer); isCloser {
		defer c.Close()
	}
	if !ok {
		st.send(rgi.StatusResponse(500, "Internal Server Error", "the application failed"), -1)
		return
	}
	isHead := st.req.Method == rgi.MethodHead
	length, _, err := rgi.CheckResponse(&resp, isHead)
	if err == nil && resp.Status < 200 {
		err = errInterimStatus
	}
	if err != nil {
		st.a.log.Error("rgih2: bad response from app", "client", st.clientAddr(), "method", st.req.Method, "uri", st.req.URI, "status", resp.Status, "err", err)
		st.send(rgi.StatusResponse(500, "Internal Server Error", "the application returned an invalid response"), -1)
		return
	}
	st.send(resp, length)
}

func (st *stream) clientAddr() string {
	if a := st.ref.Conn().ClientAddr; a != nil {
		return a.String()
	}
	return ""
}

// send hands a checked response to the stream; length is the body's content
// length (-1 when unknown or none). A streamed body is copied from the app's
// reader or sequence on this goroutine, so it blocks until the body is sent
// or the stream closes.
func (st *stream) send(resp rgi.Response, length int64) {
	fields := responseFields(resp.Headers, length)
	isHead := st.req != nil && st.req.Method == rgi.MethodHead
	var body any
	switch b := resp.Body.(type) {
	case nil:
		body = noBody
	case []byte, string:
		body = b
	default:
		if isHead {
			body = noBody
			break
		}
		pr, pw := io.Pipe()
		if err := st.ref.SendResponse(resp.Status, fields, pr); err != nil {
			pr.Close()
			return
		}
		if err := copyBody(pw, resp.Body, length); err != nil {
			st.a.log.Error("rgih2: response body failed", "client", st.clientAddr(), "method", st.req.Method, "uri", st.req.URI, "err", err)
		}
		return
	}
	if isHead {
		body = noBody
	}
	st.ref.SendResponse(resp.Status, fields, body)
}

// responseFields turns the app's headers into HTTP/2 fields, sorted by name
// as the HTTP/1.1 server writes them, adding content-length when the body's
// length is known and the app did not state it.
func responseFields(h map[string]string, length int64) []hpack.HeaderField {
	f := make([]hpack.HeaderField, 0, len(h)+1)
	hasLen := false
	for k, v := range h {
		switch k {
		case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
			// RFC 9113 §8.2.2: "An endpoint MUST NOT generate an HTTP/2
			// message containing connection-specific header fields".
			continue
		case "te":
			// RFC 9113 §8.2.2: TE "MUST NOT contain any value other than
			// "trailers"".
			if v != "trailers" {
				continue
			}
		case "content-length":
			hasLen = true
		}
		f = append(f, hpack.HeaderField{Name: k, Value: v})
	}
	if !hasLen && length >= 0 {
		f = append(f, hpack.HeaderField{Name: "content-length", Value: strconv.FormatInt(length, 10)})
	}
	slices.SortFunc(f, func(a, b hpack.HeaderField) int { return strings.Compare(a.Name, b.Name) })
	return f
}

// copyBody writes a streamed response body into w and closes w, with the
// error that ended it (nil at a clean end). Like the HTTP/1.1 server it holds
// the body to its promise: a length other than the content length, or a
// chunk sequence without its last chunk, is an error (the stream is then
// reset). A panic in the app's reader or sequence is an error too.
func copyBody(w *io.PipeWriter, body any, length int64) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("rgih2: response body panicked: %v", p)
		}
		w.CloseWithError(err)
	}()
	switch b := body.(type) {
	case *rgi.Body:
		_, err = io.Copy(w, b)
	case *rgi.ChunkedBody:
		_, err = io.Copy(w, b)
	case *rgi.BodyIter:
		var n int64
		for p := range b.Seq {
			if n += int64(len(p)); n > length {
				return rgi.ErrBodyLengthExceeded
			}
			if _, err = w.Write(p); err != nil {
				return err
			}
		}
		if n < length {
			return rgi.ErrBodyLengthShort
		}
	case *rgi.ChunkedBodyIter:
		done := false
		for c := range b.Seq {
			switch {
			case done:
				return rgi.ErrChunkAfterLast
			case len(c.Data) > rgi.MaxChunkSize:
				return rgi.ErrChunkTooLarge
			case len(c.Data) == 0:
				done = true
				continue
			}
			// Chunk extensions have no HTTP/2 equivalent: only data goes.
			if _, err = w.Write(c.Data); err != nil {
				return err
			}
		}
		if !done {
			return rgi.ErrNoLastChunk
		}
	}
	return err
}
