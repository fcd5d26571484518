package rgi

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
)

// recordHandler sends each log record's level and message to a channel.
type recordHandler struct{ ch chan string }

func (h recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.ch <- r.Level.String() + " " + r.Message:
	default:
	}
	return nil
}
func (h recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordHandler) WithGroup(string) slog.Handler      { return h }

// A client that leaves in the middle of a streamed response (a browser
// closing an event stream) is logged at Debug, not as an Error of the app.
func TestServerClientGoneMidBodyIsDebug(t *testing.T) {
	logs := make(chan string, 16)
	o := testOptions()
	o.Logger = slog.New(recordHandler{logs})
	chunk := []byte(strings.Repeat("x", 64<<10))
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		// An endless body: it ends only when a write fails.
		return Response{Status: 200, Reason: "OK", Body: NewChunkedBodyIter(func(yield func(Chunk) bool) {
			for yield(Chunk{Data: chunk}) {
			}
		})}
	})
	s := startServer(t, app, o)
	c := dial(t, s)
	io.WriteString(c, "GET /events HTTP/1.1\r\n\r\n")
	buf := make([]byte, 4096)
	if _, err := io.ReadAtLeast(c, buf, 1); err != nil {
		t.Fatal(err)
	}
	// A reset, so that the server's next write fails at once.
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	got := <-logs
	if got != "DEBUG rgi: client went away during the response body" {
		t.Fatalf("log record %q, want the Debug one", got)
	}
}
