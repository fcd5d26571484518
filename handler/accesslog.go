package handler

import (
	"context"
	"log/slog"
	"time"

	"github.com/h2kit/h2kit/internal/h2conn"
)

// Access log record: the message and attribute keys of the record
// Options.AccessLog receives for every stream. They are stable API: a key
// never changes its spelling or meaning.
const (
	// AccessLogMessage is the record's message.
	AccessLogMessage = "request"
	// AccessKeyMethod is the request method (string).
	AccessKeyMethod = "method"
	// AccessKeyPath is the request target, query included (string).
	AccessKeyPath = "path"
	// AccessKeyStatus is the final status sent (int); 0 when the stream
	// ended before a response was sent.
	AccessKeyStatus = "status"
	// AccessKeyBytes is the response body octets sent (int64).
	AccessKeyBytes = "bytes"
	// AccessKeyDuration is the time from the request's header block to
	// the stream's close (time.Duration).
	AccessKeyDuration = "duration"
	// AccessKeyProto is "h2" (TLS), "h2c" (cleartext) or, in records of
	// an HTTP/1.1 fallback that writes the same record, "http/1.1".
	AccessKeyProto = "proto"
	// AccessKeyStream is the HTTP/2 stream identifier (uint32).
	AccessKeyStream = "stream"
	// AccessKeyConn is ConnInfo.ID (uint64).
	AccessKeyConn = "conn"
	// AccessKeyRemote is the client's address (string).
	AccessKeyRemote = "remote"
	// AccessKeyReset is the RFC 9113 name of the error code the stream was
	// reset with, by either side ("CANCEL", ...); absent when it ended
	// without an error.
	AccessKeyReset = "reset"
)

// accessStart records when a stream's request arrived, for the access log;
// without one it costs nothing.
func (c *connState) accessStart(s *Stream) {
	if c.opts.AccessLog == nil {
		return
	}
	s.start = c.now
	if s.start.IsZero() {
		s.start = time.Now()
	}
}

// logAccess writes the access log record of a stream that just closed with
// code; es is its engine stream (status and bytes sent).
func (c *connState) logAccess(s *Stream, es *h2conn.Stream, code h2conn.ErrCode) {
	ctx := context.Background()
	l := c.opts.AccessLog
	if !l.Enabled(ctx, slog.LevelInfo) {
		return
	}
	proto := "h2c"
	if c.info.TLS != nil {
		proto = "h2"
	}
	remote := ""
	if a := c.info.ClientAddr; a != nil {
		remote = a.String()
	}
	attrs := [10]slog.Attr{
		slog.String(AccessKeyMethod, s.method),
		slog.String(AccessKeyPath, s.path),
		slog.Int(AccessKeyStatus, es.Status()),
		slog.Int64(AccessKeyBytes, es.BytesSent()),
		slog.Duration(AccessKeyDuration, time.Since(s.start)),
		slog.String(AccessKeyProto, proto),
		slog.Uint64(AccessKeyStream, uint64(s.id)),
		slog.Uint64(AccessKeyConn, c.info.ID),
		slog.String(AccessKeyRemote, remote),
	}
	n := 9
	if code != h2conn.ErrCodeNo {
		attrs[n] = slog.String(AccessKeyReset, code.String())
		n++
	}
	l.LogAttrs(ctx, slog.LevelInfo, AccessLogMessage, attrs[:n]...)
}
