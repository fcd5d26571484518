package rgih2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/rgi"
)

// logHookApp is an RGI app with a connection hook.
type logHookApp struct {
	mu       sync.Mutex
	connects int
}

func (a *logHookApp) OnConnect(net.Conn, *rgi.Session) bool {
	a.mu.Lock()
	a.connects++
	a.mu.Unlock()
	return true
}

func (a *logHookApp) Serve(_ *rgi.Session, r *rgi.Request, _ rgi.Bodies) rgi.Response {
	if r.URI == "/chunked" {
		return rgi.Response{Status: 200, Reason: "OK", Body: rgi.NewChunkedBody(bytes.NewReader([]byte("abc")))}
	}
	return rgi.Response{Status: 404, Reason: "Not Found", Body: "no such thing\n"}
}

type accessLogBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *accessLogBuf) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// The RGI fallback writes the HTTP/2 access log record for HTTP/1.1
// requests, and the app keeps its connection hook.
func TestFallbackAccessLog(t *testing.T) {
	var logs accessLogBuf
	app := &logHookApp{}
	srv := &h2server.Server{Handler: Handler(app, nil), AccessLog: slog.New(slog.NewJSONHandler(&logs, nil))}
	if err := Fallback(srv, app, nil); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; !errors.Is(err, h2server.ErrServerClosed) {
			t.Error(err)
		}
	}()
	cl := &http.Client{Transport: &http.Transport{}} // HTTP/1.1 in cleartext
	defer cl.CloseIdleConnections()
	for _, path := range []string{"/missing?x=1", "/chunked"} {
		resp, err := cl.Get("http://" + ln.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 1 {
			t.Fatalf("answered over %s", resp.Proto)
		}
	}

	logs.mu.Lock()
	defer logs.mu.Unlock()
	var recs []map[string]any
	for dec := json.NewDecoder(&logs.b); dec.More(); {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, m)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records: %v", len(recs), recs)
	}
	want := map[string]any{"msg": handler.AccessLogMessage, handler.AccessKeyMethod: "GET", handler.AccessKeyPath: "/missing?x=1",
		handler.AccessKeyStatus: 404.0, handler.AccessKeyBytes: 14.0, handler.AccessKeyProto: "http/1.1"}
	for k, v := range want {
		if recs[0][k] != v {
			t.Errorf("%s = %v, want %v (%v)", k, recs[0][k], v, recs[0])
		}
	}
	if _, ok := recs[1][handler.AccessKeyBytes]; ok || recs[1][handler.AccessKeyPath] != "/chunked" {
		t.Errorf("chunked body's record %v: want no %s", recs[1], handler.AccessKeyBytes)
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	if app.connects != 1 {
		t.Errorf("OnConnect called %d times, want 1", app.connects)
	}
}
