package handler

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/internal/h2conn"
	"github.com/h2kit/h2kit/reject"
	"golang.org/x/net/http2"
)

// failingReader is a blocking-kind reader (read by a pump) that fails, and
// records whether it was closed.
type failingReader struct {
	err    error
	closed chan struct{}
}

func (r *failingReader) Read([]byte) (int, error) { return 0, r.err }
func (r *failingReader) Close() error             { close(r.closed); return nil }

// TestBodyFailureCountedOnce: every way a response body can fail (a
// generator's misbehaviour, a pump reader's error, a file that shrank) resets
// the stream with INTERNAL_ERROR, calls OnReject exactly once with
// reject.BodyGeneratorError, logs the cause at Warn, closes an io.Closer body,
// and leaves the connection serving the next stream.
func TestBodyFailureCountedOnce(t *testing.T) {
	errDisk := errors.New("disk on fire")
	cases := []struct {
		name   string
		body   func(t *testing.T) (body any, closed func() bool)
		reason string // in the logged error
	}{
		{"more than max", gen(func(max int) ([]byte, DataFlag) { return make([]byte, max+1), DataOK }), "more than max"},
		{"panic", gen(func(max int) ([]byte, DataFlag) { panic("boom") }), "panicked: boom"},
		{"unknown flag", gen(func(max int) ([]byte, DataFlag) { return []byte("x"), DataFlag(7) }), "invalid flag DataFlag(7)"},
		{"DataOK without data", gen(func(max int) ([]byte, DataFlag) { return nil, DataOK }), "DataOK with no data"},
		{"reader error", func(t *testing.T) (any, func() bool) {
			r := &failingReader{err: errDisk, closed: make(chan struct{})}
			return r, func() bool { <-r.closed; return true }
		}, "disk on fire"},
		{"file shrank", func(t *testing.T) (any, func() bool) {
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 100), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			return shrinking{f, path}, func() bool { _, err := f.Stat(); return errors.Is(err, os.ErrClosed) }
		}, io.ErrUnexpectedEOF.Error()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rejects []reject.Name
			var log bytes.Buffer
			var closed func() bool
			codes := make(chan ErrCode, 2)
			h := &funcHandler{closed: codes, onHeaders: func(s *Stream) {
				if s.ID() != 1 {
					s.SendResponse(200, nil, "fine")
					return
				}
				var body any
				body, closed = tc.body(t)
				if sh, ok := body.(shrinking); ok {
					s.SendResponse(200, nil, sh.File)
					if err := os.Truncate(sh.path, 10); err != nil {
						t.Fatal(err)
					}
					return
				}
				s.SendResponse(200, nil, body)
			}}
			p := newPeer(t, h2conn.Config{}, one(h), Options{
				DisableDate: true,
				OnReject:    func(n reject.Name) { rejects = append(rejects, n) },
				Logger:      slog.New(slog.NewTextHandler(&log, nil)),
			})
			p.handshake()
			p.request(1, "GET", "/", true)
			if rst := readUntilReset(p, 1); rst != http2.ErrCodeInternal {
				t.Fatalf("stream reset with %v, want INTERNAL_ERROR", rst)
			}
			if code := <-codes; code != InternalError {
				t.Errorf("OnClose(%v), want INTERNAL_ERROR", code)
			}
			if len(rejects) != 1 || rejects[0] != reject.BodyGeneratorError {
				t.Errorf("rejects %q, want exactly [%s]", rejects, reject.BodyGeneratorError)
			}
			if l := log.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, tc.reason) {
				t.Errorf("log lacks the cause %q at Warn:\n%s", tc.reason, l)
			}
			if closed != nil && !closed() {
				t.Error("the body was not closed")
			}
			p.request(3, "GET", "/", true)
			if r := p.readResponse(3); string(r.body) != "fine" {
				t.Errorf("next stream: %q", r.body)
			}
		})
	}
}

// gen makes a case body from a generator (nothing to close).
func gen(g BodyGenerator) func(*testing.T) (any, func() bool) {
	return func(*testing.T) (any, func() bool) { return g, nil }
}

// shrinking is a regular file to be truncated after SendResponse took its size.
type shrinking struct {
	*os.File
	path string
}

// readUntilReset reads the server's frames, waiting for wake-ups from body
// pumps, until stream id is reset, and returns the code. A clean end fails.
func readUntilReset(p *peer, id uint32) http2.ErrCode {
	p.t.Helper()
	for {
		for p.out.Len() > 0 {
			switch f := p.next().(type) {
			case *http2.RSTStreamFrame:
				if f.StreamID == id {
					return f.ErrCode
				}
			case *http2.DataFrame:
				if f.StreamID == id && f.StreamEnded() {
					p.t.Fatal("the stream ended cleanly")
				}
			case *http2.MetaHeadersFrame:
				if f.StreamID == id && f.StreamEnded() {
					p.t.Fatal("the stream ended cleanly")
				}
			}
		}
		p.waitWake()
	}
}
