package handler_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/handler/handlertest"
	"github.com/h2kit/h2kit/hpack"
)

// An ordinary net/http handler served over HTTP/2: every request runs on its
// own goroutine, with its body streamed under flow control.
func ExampleHTTPHandler() {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upper", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write(bytes.ToUpper(body))
	})

	resp, err := handlertest.Do(context.Background(), handler.HTTPHandler(mux), handlertest.Request{
		Method: "POST",
		Path:   "/upper",
		Body:   []byte("hello, h2"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, resp.Get("content-type"), string(resp.Body))
	// Output: 200 text/plain HELLO, H2
}

// ticker streams a body produced by another goroutine: its generator returns
// DataDeferred when it has nothing yet, and the goroutine calls Resume when it
// has added something.
type ticker struct{ handler.BaseRequestHandler }

func (ticker) OnHeaders(s *handler.Stream) {
	var (
		mu      sync.Mutex
		pending []byte
		done    bool
	)
	s.SendResponse(200, nil, handler.BodyGenerator(func(max int) ([]byte, handler.DataFlag) {
		// Runs on the connection goroutine: it must not block.
		mu.Lock()
		defer mu.Unlock()
		if len(pending) == 0 {
			if done {
				return nil, handler.DataEOF
			}
			return nil, handler.DataDeferred // until Resume
		}
		n := min(max, len(pending))
		data := pending[:n]
		pending = pending[n:]
		return data, handler.DataOK
	}))

	h := s.Handle() // safe to keep on another goroutine, unlike s
	go func() {
		for i := 1; i <= 3; i++ {
			mu.Lock()
			pending = fmt.Appendf(pending, "tick %d\n", i)
			mu.Unlock()
			h.Resume()
		}
		mu.Lock()
		done = true
		mu.Unlock()
		h.Resume()
	}()
}

func ExampleBodyGenerator() {
	f := func(*handler.Stream) handler.RequestHandler { return ticker{} }
	resp, err := handlertest.Do(context.Background(), f, handlertest.Request{Path: "/ticks"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(resp.Body))
	// Output:
	// tick 1
	// tick 2
	// tick 3
}

// counter hands the request body to a worker goroutine and returns the bytes
// to the peer's flow-control windows (Consume) only once the worker has
// processed them, so a slow worker slows the client down instead of making the
// server buffer: at most a stream window of body is ever queued.
type counter struct {
	mu    sync.Mutex
	queue []byte // received, not yet processed
	ended bool
	wake  chan struct{}
}

// ManualFlowControl marks counter as consuming its request body itself.
func (*counter) ManualFlowControl() {}

func (c *counter) OnHeaders(s *handler.Stream) {
	c.wake = make(chan struct{}, 1)
	h := s.Handle() // safe to keep on another goroutine, unlike s
	go func() {
		lines := 0
		for range c.wake {
			c.mu.Lock()
			chunk, ended := c.queue, c.ended
			c.queue = nil
			c.mu.Unlock()
			lines += bytes.Count(chunk, []byte("\n"))
			h.Consume(len(chunk)) // processed: the peer may send as much again
			if ended {
				break
			}
		}
		h.SendResponse(200, nil, fmt.Sprintf("%d lines\n", lines))
	}()
}

func (c *counter) OnData(s *handler.Stream, data []byte) {
	c.mu.Lock()
	c.queue = append(c.queue, data...) // data is only valid during the call
	c.mu.Unlock()
	c.notify()
}

func (c *counter) OnRequestDone(*handler.Stream) {
	c.mu.Lock()
	c.ended = true
	c.mu.Unlock()
	c.notify()
}

func (c *counter) OnClose(*handler.Stream, handler.ErrCode) {}

// notify wakes the worker without blocking the connection goroutine.
func (c *counter) notify() {
	select {
	case c.wake <- struct{}{}:
	default: // already due to wake up
	}
}

func ExampleManualFlowControl() {
	f := func(*handler.Stream) handler.RequestHandler { return &counter{} }
	// 1 900 000 bytes: more than the default 1 MiB stream window, so the
	// upload completes only because the worker consumes.
	body := strings.Repeat("nineteen bytes ...\n", 100000)
	resp, err := handlertest.Do(context.Background(), f, handlertest.Request{Method: "POST", Path: "/count", Body: []byte(body)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(resp.Body))
	// Output: 100000 lines
}

// upload reads its request body as an io.Reader on another goroutine through a
// BodyReader, which does the flow-control plumbing of ManualFlowControl.
type upload struct {
	body handler.BodyReader
}

// ManualFlowControl marks upload as consuming its request body itself.
func (*upload) ManualFlowControl() {}

func (u *upload) OnHeaders(s *handler.Stream) {
	u.body.Init(s)
	h := s.Handle()
	go func() {
		defer u.body.Close()
		n, err := io.Copy(io.Discard, &u.body)
		if err != nil {
			h.Reset(handler.InternalError)
			return
		}
		h.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}, fmt.Sprintf("stored %d bytes\n", n))
	}()
}

func (u *upload) OnData(s *handler.Stream, data []byte)        { u.body.Write(data) }
func (u *upload) OnRequestDone(*handler.Stream)                { u.body.End(nil) }
func (u *upload) OnClose(s *handler.Stream, _ handler.ErrCode) { u.body.End(context.Canceled) }

func ExampleBodyReader() {
	f := func(*handler.Stream) handler.RequestHandler { return &upload{} }
	resp, err := handlertest.Do(context.Background(), f, handlertest.Request{
		Method: "PUT",
		Path:   "/files/big",
		Body:   make([]byte, 3<<20), // more than a stream window
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(resp.Status, " ", string(resp.Body))
	// Output: 200 stored 3145728 bytes
}
