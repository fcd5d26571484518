package handler

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
)

// TestRecycledStreamHTTPHandlerLateResponse: with ReuseStreams, a net/http
// handler that returns after its stream was reset and its Stream recycled for
// the next request must not answer that next request.
func TestRecycledStreamHTTPHandlerLateResponse(t *testing.T) {
	release := make(chan struct{})
	done := make(chan struct{}, 1)
	hook := func(r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/slow") {
			done <- struct{}{}
		}
	}
	testHookServeDone.Store(&hook)
	defer testHookServeDone.Store(nil)
	slow := HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "from the reset request")
	}))
	var next *Stream
	f := func(s *Stream) RequestHandler {
		if s.Path() == "/slow" {
			return slow(s)
		}
		return HandlerFunc(func(s *Stream) { next = s }) // answered below
	}
	p := newPeer(t, h2conn.Config{}, f, Options{DisableDate: true, ReuseStreams: true})
	p.handshake()
	p.request(1, "GET", "/slow", true)
	p.wfr.WriteRSTStream(1, http2.ErrCodeCancel)
	p.flush()
	p.request(3, "GET", "/next", true)
	close(release)
	<-done // the slow handler's goroutine has finished
	p.pump()
	if err := next.SendResponse(200, nil, "from the next request"); err != nil {
		t.Fatalf("SendResponse for the next request: %v", err)
	}
	p.pump()
	if r := p.readResponse(3); string(r.body) != "from the next request" {
		t.Errorf("stream 3 got %q", r.body)
	}
}

// TestRecycledStreamsUnderReset runs thousands of back-to-back streams with
// ReuseStreams, each answered by a library goroutine (a pipe body read by a
// pump, a net/http handler streaming its response) and reset by the client
// mid-response. Stale goroutines must not reach the recycled Streams (the race
// detector and the per-stream body check tell), nor crash the process.
func TestRecycledStreamsUnderReset(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	chunk := func(path string) []byte { return bytes.Repeat([]byte(path+";"), 100) }
	httpH := HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "x-end")
		c := chunk(r.URL.Path)
		for {
			if _, err := w.Write(c); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	f := func(s *Stream) RequestHandler {
		if strings.HasPrefix(s.Path(), "/http/") {
			return httpH(s)
		}
		return HandlerFunc(func(s *Stream) {
			pr, pw := io.Pipe()
			c := chunk(s.Path())
			go func() {
				for {
					if _, err := pw.Write(c); err != nil {
						return
					}
				}
			}()
			s.SendResponse(200, nil, pr)
		})
	}
	// Every reset is a client's own: lift the rapid-reset budget.
	cfg := h2conn.Config{ResetBurst: 2 * n, ResetRate: 1}
	p := newPeer(t, cfg, f, Options{DisableDate: true, ReuseStreams: true})
	p.handshake()
	for i := 0; i < n; i++ {
		id := uint32(2*i + 1)
		path := "/pipe/" + strconv.Itoa(i)
		if i%2 == 1 {
			path = "/http/" + strconv.Itoa(i)
		}
		p.request(id, "GET", path, true)
		var got []byte
		for len(got) == 0 {
			if p.out.Len() == 0 {
				p.waitWake()
				continue
			}
			switch fr := p.next().(type) {
			case *http2.DataFrame:
				if fr.StreamID == id {
					got = append(got, fr.Data()...)
				}
				if l := uint32(len(fr.Data())); l > 0 {
					p.wfr.WriteWindowUpdate(0, l)
				}
			case *http2.RSTStreamFrame:
				if fr.StreamID == id {
					t.Fatalf("stream %d (%s) reset: %v", id, path, fr.ErrCode)
				}
			case *http2.GoAwayFrame:
				t.Fatalf("GOAWAY %v", fr.ErrCode)
			}
		}
		if want := path + ";"; !bytes.HasPrefix(got, []byte(want)) {
			t.Fatalf("stream %d (%s) got %.40q", id, path, got)
		}
		p.wfr.WriteRSTStream(id, http2.ErrCodeCancel)
		p.flush()
	}
	// Every stale goroutine ends (its writes fail) without touching the
	// connection, which still serves a request cleanly.
	last := uint32(2*n + 1)
	p.request(last, "GET", "/pipe/last", true)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if p.out.Len() == 0 {
			p.waitWake()
			continue
		}
		if fr, ok := p.next().(*http2.DataFrame); ok && fr.StreamID == last {
			if !bytes.HasPrefix(fr.Data(), []byte("/pipe/last;")) {
				t.Fatalf("last stream got %.40q", fr.Data())
			}
			return
		}
	}
	t.Fatal("no data on the last stream")
}

// TestRecycledStreamHTTPHandlerRequestStrings: with ReuseStreams the
// Stream's request strings alias the engine's per-stream arena, which the
// next request overwrites; a net/http handler still running after its stream
// closed must keep its own request intact.
func TestRecycledStreamHTTPHandlerRequestStrings(t *testing.T) {
	release := make(chan struct{})
	done := make(chan struct{}, 1)
	hook := func(r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/slow") {
			done <- struct{}{}
		}
	}
	testHookServeDone.Store(&hook)
	defer testHookServeDone.Store(nil)
	var seen string
	slow := HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		seen = r.Method + " " + r.Host + " " + r.RequestURI + " " + r.URL.Path + " " + r.Header.Get("X-Tag")
	}))
	f := func(s *Stream) RequestHandler {
		if strings.HasPrefix(s.Path(), "/slow") {
			return slow(s)
		}
		return HandlerFunc(func(s *Stream) {})
	}
	p := newPeer(t, h2conn.Config{}, f, Options{DisableDate: true, ReuseStreams: true})
	p.handshake()
	p.request(1, "GET", "/slow/aaaa", true, "x-tag", "first")
	p.wfr.WriteRSTStream(1, http2.ErrCodeCancel)
	p.flush()
	p.request(3, "GET", "/next/bbbb", true, "x-tag", "other")
	close(release)
	<-done
	if want := "GET example.test /slow/aaaa /slow/aaaa first"; seen != want {
		t.Errorf("handler saw %q, want %q", seen, want)
	}
}
