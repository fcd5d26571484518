package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/h2kit/h2kit/restpipe"
)

// maxBlob bounds GET blob//BYTES.
const maxBlob = 64 << 20

// demoRegistry is what the command's nodes answer: enough to try the pipe
// and to test it; real deployments register their own handlers in Go.
func demoRegistry(side string) *restpipe.Registry {
	r := restpipe.NewRegistry()
	r.Handle("GET", "time", func(context.Context, *restpipe.Event) (any, error) {
		return map[string]string{"time": time.Now().UTC().Format(time.RFC3339Nano), "node": side}, nil
	})
	r.Handle("GET", "hostname", func(context.Context, *restpipe.Event) (any, error) {
		return os.Hostname()
	})
	r.Handle("POST", "echo", func(_ context.Context, ev *restpipe.Event) (any, error) {
		return restpipe.Reply{Mime: ev.Mime, Data: ev.Data}, nil
	})
	var sleeping atomic.Int64
	r.Handle("GET", "sleeping", func(context.Context, *restpipe.Event) (any, error) {
		return sleeping.Load(), nil
	})
	r.Handle("GET", "sleep", func(ctx context.Context, ev *restpipe.Event) (any, error) {
		if len(ev.Args) != 1 {
			return nil, fmt.Errorf("usage: GET sleep//DURATION")
		}
		d, err := time.ParseDuration(ev.Args[0])
		if err != nil {
			return nil, err
		}
		sleeping.Add(1)
		defer sleeping.Add(-1)
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return map[string]string{"slept": d.String(), "node": side}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	r.Handle("GET", "blob", func(_ context.Context, ev *restpipe.Event) (any, error) {
		if len(ev.Args) != 1 {
			return nil, fmt.Errorf("usage: GET blob//BYTES")
		}
		n, err := strconv.Atoi(ev.Args[0])
		if err != nil || n < 0 || n > maxBlob {
			return nil, fmt.Errorf("blob size %q: want 0..%d", ev.Args[0], maxBlob)
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + i%26)
		}
		return restpipe.Reply{Mime: "application/octet-stream", Data: b}, nil
	})
	return r
}
