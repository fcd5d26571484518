package handlertest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
)

type upper struct {
	handler.BaseRequestHandler
	body []byte
}

func (u *upper) OnData(_ *handler.Stream, d []byte) { u.body = append(u.body, d...) }

func (u *upper) OnRequestDone(s *handler.Stream) {
	tr := ""
	if t := s.Trailers(); len(t) > 0 {
		tr = t[0].Value
	}
	// Answer from another goroutine, as a handler doing slow work would.
	go s.SendResponse(200, []hpack.HeaderField{{Name: "x-trailer", Value: tr}}, strings.ToUpper(string(u.body)))
}

func TestDo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := func(*handler.Stream) handler.RequestHandler { return &upper{} }
	body := strings.Repeat("abc", 100000) // beyond the 64 KiB initial window
	resp, err := Do(ctx, f, Request{Method: "POST", Path: "/u", Body: []byte(body),
		Trailer: []hpack.HeaderField{{Name: "x-t", Value: "tv"}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || string(resp.Body) != strings.ToUpper(body) || resp.Get("x-trailer") != "tv" ||
		resp.Get("content-length") != "300000" {
		t.Errorf("got %d, %d bytes, header %v", resp.Status, len(resp.Body), resp.Header)
	}
}

func TestDoResetAndTimeout(t *testing.T) {
	ctx := context.Background()
	resp, err := Do(ctx, handler.FactoryFunc(func(s *handler.Stream) { s.Reset(handler.RefusedStream) }), Request{})
	if err != nil || !resp.WasReset || resp.Reset != handler.RefusedStream {
		t.Errorf("reset: %+v %v", resp, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = Do(ctx, handler.FactoryFunc(func(s *handler.Stream) {}), Request{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent handler: %v", err)
	}
}

func TestDoNetHTTP(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, r.Method+" "+string(b))
	})
	resp, err := Do(context.Background(), handler.HTTPHandler(h), Request{Method: "PUT", Body: []byte("x")})
	if err != nil || string(resp.Body) != "PUT x" {
		t.Errorf("%+v %v", resp, err)
	}
}
