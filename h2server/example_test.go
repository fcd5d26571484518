package h2server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
)

// hello answers every request from its headers.
type hello struct{ handler.BaseRequestHandler }

func (hello) OnHeaders(s *handler.Stream) {
	s.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}, "hello, "+s.Path()+"\n")
}

// slow answers from another goroutine, with a generator fed by it.
type slow struct{ handler.BaseRequestHandler }

func (slow) OnHeaders(s *handler.Stream) {
	data := make(chan string, 1)
	var pending string
	done := false
	s.SendResponse(200, nil, handler.BodyGenerator(func(max int) ([]byte, handler.DataFlag) {
		if pending == "" && !done {
			select {
			case v, ok := <-data:
				pending, done = v, !ok
			default:
				return nil, handler.DataDeferred
			}
		}
		if done {
			return nil, handler.DataEOF
		}
		n := min(max, len(pending))
		b := []byte(pending[:n])
		pending = pending[n:]
		return b, handler.DataOK
	}))
	go func() {
		time.Sleep(10 * time.Millisecond) // slow work
		data <- "computed later\n"
		s.Resume()
		// (the generator sees the channel closed next time it runs dry)
		close(data)
		s.Resume()
	}()
}

func Example() {
	srv := &h2server.Server{
		Address: "127.0.0.1:0",
		Handler: func(s *handler.Stream) handler.RequestHandler {
			if s.Path() == "/slow" {
				return slow{}
			}
			return hello{}
		},
	}
	go srv.ListenAndServe()
	defer srv.Shutdown(context.Background())
	for srv.Addr() == nil {
		time.Sleep(time.Millisecond)
	}

	// Go's own client speaking h2c with prior knowledge.
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	defer tr.CloseIdleConnections()
	for _, p := range []string{"/world", "/slow"} {
		resp, err := (&http.Client{Transport: tr}).Get("http://" + srv.Addr().String() + p)
		if err != nil {
			fmt.Println(err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Print(resp.Proto, " ", resp.StatusCode, " ", string(b))
	}
	// Output:
	// HTTP/2.0 200 hello, /world
	// HTTP/2.0 200 computed later
}
