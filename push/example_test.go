package push_test

import (
	"fmt"
	"net/http"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/push"
)

// A page that pushes its stylesheet, answered at once, before the page itself.
func ExamplePush() {
	page := func(s *handler.Stream) {
		if s.Path() != "/" {
			s.SendResponse(404, nil, nil)
			return
		}
		_, err := push.Push(s, push.Promise{
			Path:           "/style.css",
			ResponseHeader: []hpack.HeaderField{{Name: "content-type", Value: "text/css"}},
			Body:           "body { font-family: sans-serif }",
		})
		if err != nil {
			// ErrPushDisabled, or an *push.Error naming the rule: the page
			// works without the push.
			fmt.Println("not pushed:", err)
		}
		s.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: "text/html"}},
			`<link rel="stylesheet" href="/style.css"><p>hello`)
	}
	srv := &h2server.Server{Handler: handler.FactoryFunc(page)}
	_ = srv // srv.ListenAndServeTLS(...)
}

// A pushed stream answered later, from another goroutine: the Promise has no
// Status or Body, and the caller answers through the pushed stream's Handle.
func ExamplePush_later() {
	page := func(s *handler.Stream) {
		ps, err := push.Push(s, push.Promise{Path: "/data.json"})
		if err == nil {
			h := ps.Handle()
			go func() {
				h.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: "application/json"}}, `{"ok":true}`)
			}()
		}
		s.SendResponse(200, nil, "<script src=/data.json></script>")
	}
	_ = handler.FactoryFunc(page)
}

// From a goroutine that answers a request, PushHandle makes the promise
// through the request's Handle.
func ExamplePushHandle() {
	page := func(s *handler.Stream) {
		h := s.Handle()
		go func() {
			push.PushHandle(h, push.Promise{Path: "/app.js", Body: "main()"})
			h.SendResponse(200, nil, "<script src=/app.js></script>")
		}()
	}
	_ = handler.FactoryFunc(page)
}

// net/http handlers push through http.Pusher.
func Example_httpPusher() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if p, ok := w.(http.Pusher); ok {
			p.Push("/style.css", nil) // served by mux, as if requested
		}
		fmt.Fprint(w, `<link rel="stylesheet" href="/style.css">`)
	})
	mux.HandleFunc("/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, "body{}")
	})
	_ = &h2server.Server{Handler: handler.HTTPHandler(mux)}
}
