package restpipe_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/h2kit/h2kit/restpipe"
)

// A Registry maps verb and noun to handlers under RestPipe's names; the same
// registry serves a Server's or a Client's incoming events.
func ExampleRegistry() {
	reg := restpipe.NewRegistry()
	reg.Handle("GET", "time/utc", func(ctx context.Context, ev *restpipe.Event) (any, error) {
		return "12:00", nil // plain data: JSON, code 0
	})
	reg.Handle("GET", "cat", func(ctx context.Context, ev *restpipe.Event) (any, error) {
		return restpipe.Reply{Mime: "text/plain", Data: []byte(strings.Join(ev.Args, ""))}, nil
	})
	reg.Handle("GET", "fail", func(ctx context.Context, ev *restpipe.Event) (any, error) {
		return nil, errors.New("disk on fire")
	})

	for _, target := range []string{"/time/utc", "/cat//hello%20/world", "/fail", "/nothing"} {
		noun, args, _ := restpipe.ParseTarget(target)
		r := reg.Dispatch(context.Background(), &restpipe.Event{Verb: "get", Noun: noun, Args: args})
		fmt.Printf("%s → %s: code %d %s %s\n", target, restpipe.HandlerKey("get", noun), r.Code, r.Mime, r.Data)
	}
	// Output:
	// /time/utc → get_time_utc: code 0 application/json "12:00"
	// /cat//hello%20/world → get_cat: code 0 text/plain hello world
	// /fail → get_fail: code 1 application/json {"error":"disk on fire"}
	// /nothing → get_nothing: code 2 application/json {"error":"no handler for GET nothing (get_nothing)"}
}
