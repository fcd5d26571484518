package handler

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
)

// accessRecords decodes the JSON records written to b.
func accessRecords(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var recs []map[string]any
	dec := json.NewDecoder(b)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, m)
	}
	return recs
}

// One record per stream, with the response's status and body octets, and
// the reset code of a stream the client reset.
func TestAccessLogRecords(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	f := func(s *Stream) RequestHandler {
		if s.Path() == "/hang" {
			return BaseRequestHandler{}
		}
		return HandlerFunc(func(s *Stream) { s.SendResponse(201, nil, "hello, world\n") })
	}
	p := newPeer(t, h2conn.Config{}, f, Options{AccessLog: logger})
	p.handshake()
	p.request(1, "GET", "/hello?x=1", true)
	if r := p.readResponse(1); r.status != "201" {
		t.Fatalf("status %q", r.status)
	}
	p.request(3, "POST", "/hang", false)
	p.wfr.WriteRSTStream(3, http2.ErrCodeCancel)
	p.flush()

	recs := accessRecords(t, &buf)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2: %v", len(recs), recs)
	}
	want := []map[string]any{
		{"msg": AccessLogMessage, "level": "INFO", AccessKeyMethod: "GET", AccessKeyPath: "/hello?x=1", AccessKeyStatus: 201.0,
			AccessKeyBytes: 13.0, AccessKeyProto: "h2c", AccessKeyStream: 1.0},
		{AccessKeyMethod: "POST", AccessKeyPath: "/hang", AccessKeyStatus: 0.0, AccessKeyBytes: 0.0,
			AccessKeyStream: 3.0, AccessKeyReset: "CANCEL"},
	}
	for i, w := range want {
		for k, v := range w {
			if recs[i][k] != v {
				t.Errorf("record %d: %s = %v, want %v (%v)", i, k, recs[i][k], v, recs[i])
			}
		}
		if _, ok := recs[i][AccessKeyDuration]; !ok {
			t.Errorf("record %d has no %s", i, AccessKeyDuration)
		}
		if _, ok := recs[i][AccessKeyConn]; !ok {
			t.Errorf("record %d has no %s", i, AccessKeyConn)
		}
	}
	if _, ok := recs[0][AccessKeyReset]; ok {
		t.Errorf("a stream that ended cleanly has %s: %v", AccessKeyReset, recs[0])
	}
}

// A logger whose level is above Info is asked, and nothing is formatted.
func TestAccessLogLevel(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p := newPeer(t, h2conn.Config{}, func(s *Stream) RequestHandler {
		return HandlerFunc(func(s *Stream) { s.SendResponse(200, nil, "x") })
	}, Options{AccessLog: logger})
	p.handshake()
	p.request(1, "GET", "/", true)
	p.readResponse(1)
	if buf.Len() != 0 {
		t.Fatalf("logged at Info under a Warn level: %s", buf.String())
	}
}
