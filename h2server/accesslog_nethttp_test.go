package h2server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/h2kit/h2kit/h2server"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("access log line %q: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

// NetHTTP writes Server.AccessLog's record for the HTTP/1.1 requests that
// net/http serves, with the keys of the HTTP/2 record, and the handler
// still finds http.Flusher and http.Hijacker on its ResponseWriter; over
// h2c the same server writes the HTTP/2 record.
func TestNetHTTPAccessLog(t *testing.T) {
	var logBuf syncBuffer
	srv := &h2server.Server{}
	mux := http.NewServeMux()
	mux.HandleFunc("/made", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			t.Error("ResponseWriter is not an http.Flusher")
		}
		if _, ok := w.(http.Hijacker); !ok && r.ProtoMajor == 1 {
			t.Error("HTTP/1.1 ResponseWriter is not an http.Hijacker")
		}
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "made!")
	})
	h2server.NetHTTP(srv, mux)
	// Set after NetHTTP: read per request.
	srv.AccessLog = slog.New(slog.NewJSONHandler(&logBuf, nil))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	defer func() {
		srv.Close()
		<-done
	}()
	base := "http://" + l.Addr().String()

	h1 := &http.Transport{}
	defer h1.CloseIdleConnections()
	h2cp := new(http.Protocols)
	h2cp.SetUnencryptedHTTP2(true)
	h2 := &http.Transport{Protocols: h2cp}
	defer h2.CloseIdleConnections()
	for _, tr := range []*http.Transport{h1, h2} {
		resp, err := (&http.Client{Transport: tr}).Get(base + "/made?x=1")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 || string(body) != "made!" {
			t.Fatalf("%s: %d %q", resp.Proto, resp.StatusCode, body)
		}
	}
	// The HTTP/2 record is written when the stream closes, which may come
	// after the client has the response: close the server to flush it.
	srv.Close()
	<-done
	done <- nil

	recs := logBuf.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d access records, want 2: %v", len(recs), recs)
	}
	for _, proto := range []string{"http/1.1", "h2c"} {
		var rec map[string]any
		for _, r := range recs {
			if r["proto"] == proto {
				rec = r
			}
		}
		if rec == nil {
			t.Fatalf("no %s record in %v", proto, recs)
		}
		if rec["msg"] != "request" || rec["method"] != "GET" || rec["path"] != "/made?x=1" ||
			rec["status"] != float64(201) || rec["bytes"] != float64(5) || rec["remote"] == nil || rec["duration"] == nil {
			t.Errorf("%s record %v", proto, rec)
		}
	}
}
