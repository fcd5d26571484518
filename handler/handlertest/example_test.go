package handlertest_test

import (
	"context"
	"fmt"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/handler/handlertest"
	"github.com/h2kit/h2kit/hpack"
)

// greeter answers from its headers.
type greeter struct{ handler.BaseRequestHandler }

func (greeter) OnHeaders(s *handler.Stream) {
	name, _ := s.HeaderValue("x-name")
	s.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}, "hello, "+name)
}

func ExampleDo() {
	f := func(*handler.Stream) handler.RequestHandler { return greeter{} }
	resp, err := handlertest.Do(context.Background(), f, handlertest.Request{
		Path:   "/greet",
		Header: []hpack.HeaderField{{Name: "x-name", Value: "gopher"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, resp.Get("content-length"), string(resp.Body))
	// Output: 200 13 hello, gopher
}
