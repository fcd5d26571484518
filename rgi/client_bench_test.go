package rgi_test

import (
	"io"
	"testing"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// BenchmarkClientRequest measures a keep-alive GET with a 12-byte body from
// the client's side, against an in-process server over a Unix socket (so
// the allocations reported include the server's, which are none once warm:
// what remains is the client's response header map and *Body, and the
// request-target check in the shared head writer).
func BenchmarkClientRequest(b *testing.B) {
	var body any = []byte("hello, world") // boxed once: the app allocates nothing
	headers := map[string]string{"content-type": "text/plain"}
	app := rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, _ rgi.Bodies) rgi.Response {
		return rgi.Response{Status: 200, Reason: "OK", Headers: headers, Body: body}
	})
	opts := rgi.DefaultOptions()
	opts.MaxRequestsPerConnection = 1 << 30
	srv := rgitest.TempServer(b, rgitest.FreeAddress(b, rgi.FamilyUnix), app, &opts)
	conn := rgitest.Connect(b, srv.Client(b, nil))
	buf := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resp, err := conn.Get("/", nil)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.ReadFull(resp.Body.(*rgi.Body), buf[:12])
		if err != nil || n != 12 {
			b.Fatal(n, err)
		}
	}
}
