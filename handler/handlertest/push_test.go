package handlertest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/handler/handlertest"
)

// Do's client does not take pushes: it disables them (SETTINGS_ENABLE_PUSH
// 0), so a handler that pushes gets ErrPushDisabled and its response
// arrives intact (a PUSH_PROMISE it did not decode would desynchronize its
// HPACK table).
func TestDoDisablesPush(t *testing.T) {
	var pushErr error
	f := handler.FactoryFunc(func(s *handler.Stream) {
		_, pushErr = s.Push(handler.PushRequest{Path: "/style.css"})
		s.SendResponse(200, nil, "page")
	})
	resp, err := handlertest.Do(context.Background(), f, handlertest.Request{Path: "/"})
	if err != nil || resp.Status != 200 || string(resp.Body) != "page" {
		t.Fatalf("%+v, %v", resp, err)
	}
	if !errors.Is(pushErr, handler.ErrPushDisabled) {
		t.Fatalf("push: %v", pushErr)
	}
}
