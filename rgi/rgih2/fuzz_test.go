package rgih2

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/h2kit/h2kit/handler/handlertest"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

// bodyApp answers with the request body it read: through ReadChunk for a
// *rgi.ChunkedBody (checking the chunk coding the adapter makes), through
// Read otherwise.
var bodyApp = rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	var got []byte
	switch body := r.Body.(type) {
	case nil:
		return rgi.Response{Status: 204, Reason: "No Content"}
	case *rgi.ChunkedBody:
		last := false
		for {
			c, err := body.ReadChunk()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return rgi.Response{Status: 400, Reason: "Bad", Body: err.Error()}
			}
			if last || !c.Ext.IsZero() || len(c.Data) > maxChunk {
				return rgi.Response{Status: 500, Reason: "Bad Chunk", Body: "bad chunk sequence"}
			}
			last = len(c.Data) == 0
			got = append(got, c.Data...)
		}
		if !last {
			return rgi.Response{Status: 500, Reason: "Bad Chunk", Body: "no last chunk"}
		}
	default:
		var err error
		if got, err = io.ReadAll(r.Body); err != nil {
			return rgi.Response{Status: 400, Reason: "Bad", Body: err.Error()}
		}
	}
	return rgi.Response{Status: 200, Reason: "OK", Body: got}
})

// FuzzRequestBody sends arbitrary request bodies, with and without
// content-length, through the adapter in memory (handlertest) and checks
// that the app reads exactly what was sent, as a well-formed *rgi.Body or
// *rgi.ChunkedBody.
func FuzzRequestBody(f *testing.F) {
	f.Add([]byte("hello"), false)
	f.Add([]byte("hello"), true)
	f.Add([]byte{}, true)
	f.Add(bytes.Repeat([]byte("0123456789abcdef"), 20000), true)
	f.Add(bytes.Repeat([]byte{0}, 70000), false)
	factory := Handler(bodyApp, nil)
	f.Fuzz(func(t *testing.T, body []byte, chunked bool) {
		req := handlertest.Request{Method: "POST", Path: "/", Body: body}
		if !chunked {
			req.Header = []hpack.HeaderField{{Name: "content-length", Value: strconv.Itoa(len(body))}}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := handlertest.Do(ctx, factory, req)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case len(body) == 0 && chunked:
			// No DATA at all: a request without a body.
			if resp.Status != 204 {
				t.Fatalf("status %d for an empty request, want 204", resp.Status)
			}
		case resp.Status != 200:
			t.Fatalf("status %d: %s", resp.Status, resp.Body)
		case !bytes.Equal(resp.Body, body):
			t.Fatalf("app read %d bytes, %d sent", len(resp.Body), len(body))
		}
	})
}
