package static_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/h2kit/h2kit/handler/handlertest"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/static"
)

// Example serves a directory through the native handler API (here driven by
// handlertest; give s.Handler() to h2server.Server, s.App() to an RGI server,
// or s itself to net/http).
func Example() {
	dir, _ := os.MkdirTemp("", "site")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello, world\n"), 0o644)

	s, err := static.New(dir, &static.Config{Listing: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	ctx := context.Background()
	for _, req := range []handlertest.Request{
		{Path: "/hello.txt"},
		{Path: "/hello.txt", Header: []hpack.HeaderField{{Name: "range", Value: "bytes=7-11"}}},
		{Path: "/", Header: []hpack.HeaderField{{Name: "accept", Value: "text/plain"}}},
		{Path: "/missing"},
		{Method: "POST", Path: "/hello.txt"},
	} {
		resp, _ := handlertest.Do(ctx, s.Handler(), req)
		fmt.Printf("%d %s %q\n", resp.Status, resp.Get("content-type"), resp.Body)
	}
	// Output:
	// 200 text/plain; charset=utf-8 "hello, world\n"
	// 206 text/plain; charset=utf-8 "world"
	// 200 text/plain; charset=utf-8 "hello.txt\n"
	// 404 text/plain; charset=utf-8 "not found\n"
	// 405 text/plain; charset=utf-8 "method not allowed\n"
}
