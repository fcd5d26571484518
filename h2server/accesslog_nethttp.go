package h2server

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/h2kit/h2kit/handler"
)

// accessLogHandler writes srv.AccessLog's record for each request that
// net/http serves over HTTP/1.1 for NetHTTP, with the keys of HTTP/2's
// (package handler's AccessKey… constants): proto is "http/1.1", stream and
// reset are absent, and duration ends when the handler returns. AccessLog
// is read per request, so it may be set after NetHTTP; when it is nil the
// handler runs unwrapped. The HTTP/2 streams of NetHTTP's server reach the
// same http.Server.Handler (handler.HTTPServer) and have their record from
// the handler layer, so they pass through unwrapped too.
type accessLogHandler struct {
	srv  *Server
	next http.Handler
}

func (a *accessLogHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l := a.srv.AccessLog
	if l == nil || r.ProtoMajor != 1 || !l.Enabled(r.Context(), slog.LevelInfo) {
		a.next.ServeHTTP(w, r)
		return
	}
	rec := &accessRecorder{ResponseWriter: w}
	start := time.Now()
	// Deferred, so that a handler that panics (http.ErrAbortHandler
	// included, which net/http recovers) still has its record: status 0
	// when nothing was sent, as HTTP/2's record of a reset stream.
	defer func() {
		l.LogAttrs(context.Background(), slog.LevelInfo, handler.AccessLogMessage,
			slog.String(handler.AccessKeyMethod, r.Method),
			slog.String(handler.AccessKeyPath, r.RequestURI),
			slog.Int(handler.AccessKeyStatus, rec.status),
			slog.Int64(handler.AccessKeyBytes, rec.bytes),
			slog.Duration(handler.AccessKeyDuration, time.Since(start)),
			slog.String(handler.AccessKeyProto, "http/1.1"),
			slog.String(handler.AccessKeyRemote, r.RemoteAddr))
	}()
	a.next.ServeHTTP(rec, r)
}

// accessRecorder notes the final status and the body octets of a response
// on its way to net/http's ResponseWriter. It keeps what handlers look
// for on that writer: http.Flusher, http.Hijacker, io.ReaderFrom (sendfile
// for http.FileServer) and Unwrap for http.ResponseController.
type accessRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *accessRecorder) WriteHeader(code int) {
	// 1xx responses are interim (RFC 9110 §15.2): the final status comes
	// later.
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *accessRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *accessRecorder) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	// io.Copy uses net/http's own ReadFrom (sendfile over TCP).
	n, err := io.Copy(w.ResponseWriter, r)
	w.bytes += n
	return n, err
}

func (w *accessRecorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *accessRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach net/http's writer (deadlines,
// full duplex).
func (w *accessRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
