package rgih2

import (
	"context"
	"log/slog"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/rgi"
)

// accessLogApp writes h2server.Server.AccessLog's record for each request
// the RGI fallback serves over HTTP/1.1, with the keys of HTTP/2's (package
// handler's AccessKey… constants): proto is "http/1.1", stream and reset
// are absent, bytes is the body's declared length (absent for a chunked
// body), and duration ends when the app returns (a streamed body may take
// longer to send). A request whose app panicked has no record (rgi logs
// the panic).
type accessLogApp struct {
	rgi.App
	srv *h2server.Server
}

// accessLogHookApp is accessLogApp for an app that has a connection hook.
type accessLogHookApp struct {
	accessLogApp
	rgi.ConnectHook
}

// withAccessLog wraps app so that srv's AccessLog, when set, gets a record
// per request; an rgi.ConnectHook stays one, and nil stays nil (for rgi
// to refuse).
func withAccessLog(app rgi.App, srv *h2server.Server) rgi.App {
	if app == nil {
		return nil
	}
	a := accessLogApp{App: app, srv: srv}
	if h, ok := app.(rgi.ConnectHook); ok {
		return accessLogHookApp{accessLogApp: a, ConnectHook: h}
	}
	return a
}

func (a accessLogApp) Serve(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	l := a.srv.AccessLog
	if l == nil || !l.Enabled(context.Background(), slog.LevelInfo) {
		return a.App.Serve(s, r, b)
	}
	// Copied first: rgi reuses r after the app returns.
	method, uri := r.Method, r.URI
	start := time.Now()
	resp := a.App.Serve(s, r, b)
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs,
		slog.String(handler.AccessKeyMethod, method),
		slog.String(handler.AccessKeyPath, uri),
		slog.Int(handler.AccessKeyStatus, resp.Status))
	if n, ok := bodyLength(resp.Body); ok {
		attrs = append(attrs, slog.Int64(handler.AccessKeyBytes, n))
	}
	attrs = append(attrs,
		slog.Duration(handler.AccessKeyDuration, time.Since(start)),
		slog.String(handler.AccessKeyProto, "http/1.1"),
		slog.String(handler.AccessKeyRemote, s.Client))
	l.LogAttrs(context.Background(), slog.LevelInfo, handler.AccessLogMessage, attrs...)
	return resp
}

// bodyLength returns the length of an RGI response body known before it is
// sent.
func bodyLength(body any) (int64, bool) {
	switch b := body.(type) {
	case nil:
		return 0, true
	case string:
		return int64(len(b)), true
	case []byte:
		return int64(len(b)), true
	case *rgi.Body:
		if b != nil && b.ContentLength >= 0 {
			return b.ContentLength, true
		}
	case *rgi.BodyIter:
		if b != nil && b.ContentLength >= 0 {
			return b.ContentLength, true
		}
	}
	return 0, false
}
