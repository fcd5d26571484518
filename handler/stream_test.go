package handler

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/h2conn"
	"github.com/h2kit/h2kit/reject"
)

// funcHandler is a RequestHandler built from functions, recording OnClose.
type funcHandler struct {
	onHeaders func(s *Stream)
	onData    func(s *Stream, data []byte)
	onDone    func(s *Stream)
	closed    chan ErrCode
}

func (h *funcHandler) OnHeaders(s *Stream) {
	if h.onHeaders != nil {
		h.onHeaders(s)
	}
}
func (h *funcHandler) OnData(s *Stream, d []byte) {
	if h.onData != nil {
		h.onData(s, d)
	}
}
func (h *funcHandler) OnRequestDone(s *Stream) {
	if h.onDone != nil {
		h.onDone(s)
	}
}
func (h *funcHandler) OnClose(s *Stream, code ErrCode) {
	if h.closed != nil {
		h.closed <- code
	}
}

func one(h RequestHandler) Factory { return func(*Stream) RequestHandler { return h } }

func noDate() Options { return Options{DisableDate: true} }

// TestBodyKinds sends each kind of response body and checks the frames: status,
// content-length when the length is known, the body bytes, END_STREAM.
func TestBodyKinds(t *testing.T) {
	long := strings.Repeat("x", 40000) // several frames
	tests := []struct {
		name    string
		body    func() any
		want    string
		length  string // "" when none is expected
		headEnd bool   // HEADERS carries END_STREAM
	}{
		{"nil", func() any { return nil }, "", "0", true},
		{"bytes", func() any { return []byte("hello") }, "hello", "5", false},
		{"string", func() any { return long }, long, "40000", false},
		{"bytes.Reader", func() any { return bytes.NewReader([]byte("abc")) }, "abc", "3", false},
		{"strings.Reader", func() any { return strings.NewReader(long) }, long, "40000", false},
		{"bytes.Buffer", func() any { return bytes.NewBufferString("buf") }, "buf", "3", false},
		{"generator", func() any {
			parts := []string{"gen", "er", "ator"}
			return BodyGenerator(func(max int) ([]byte, DataFlag) {
				p := parts[0]
				parts = parts[1:]
				if len(parts) == 0 {
					return []byte(p), DataEOF
				}
				return []byte(p), DataOK
			})
		}, "generator", "", false},
		{"func", func() any {
			return func(max int) ([]byte, DataFlag) { return []byte("f"), DataEOF }
		}, "f", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &funcHandler{onHeaders: func(s *Stream) {
				if err := s.SendResponse(200, []hpack.HeaderField{{Name: "x-kind", Value: tt.name}}, tt.body()); err != nil {
					t.Error(err)
				}
			}}
			p := newPeer(t, h2conn.Config{}, one(h), noDate())
			p.handshake()
			p.request(1, "GET", "/", true)
			r := p.readResponse(1)
			if r.status != "200" || string(r.body) != tt.want || r.header["x-kind"] != tt.name {
				t.Fatalf("got %s %q (%d bytes) x-kind %q", r.status, r.body[:min(len(r.body), 20)], len(r.body), r.header["x-kind"])
			}
			if r.header["content-length"] != tt.length {
				t.Errorf("content-length %q, want %q", r.header["content-length"], tt.length)
			}
			if _, ok := r.header["date"]; ok {
				t.Error("date sent although DisableDate")
			}
			if tt.headEnd != (len(r.dataLens) == 0) {
				t.Errorf("DATA frames %v, HEADERS with END_STREAM expected: %v", r.dataLens, tt.headEnd)
			}
			for _, n := range r.dataLens {
				if n > 16384 {
					t.Errorf("DATA frame of %d bytes exceeds SETTINGS_MAX_FRAME_SIZE", n)
				}
			}
		})
	}
}

// TestGoldenFrames checks the exact bytes of a small response's DATA frame
// (RFC 9113 §6.1: 9-octet header, type 0x0, END_STREAM 0x1, stream 1) and of a
// handler reset (RFC 9113 §6.4: RST_STREAM type 0x3, 4-octet error code).
func TestGoldenFrames(t *testing.T) {
	h := &funcHandler{onHeaders: func(s *Stream) {
		if s.ID() == 1 {
			s.SendResponse(200, nil, "hi")
		} else {
			s.Reset(Cancel)
		}
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	frames := rawFrames(p.out.Bytes())
	if len(frames) != 2 || frames[0][3] != 0x1 {
		t.Fatalf("want HEADERS then DATA, got % x", p.out.Bytes())
	}
	if want := []byte{0, 0, 2, 0x0, 0x1, 0, 0, 0, 1, 'h', 'i'}; !bytes.Equal(frames[1], want) {
		t.Errorf("DATA frame % x, want % x", frames[1], want)
	}
	p.out.Reset()
	p.request(3, "GET", "/", true)
	if want := []byte{0, 0, 4, 0x3, 0, 0, 0, 0, 3, 0, 0, 0, 0x8}; !bytes.Equal(p.out.Bytes(), want) {
		t.Errorf("RST_STREAM frame % x, want % x", p.out.Bytes(), want)
	}
}

// TestRequestAccessors checks what a handler sees of a request: pseudo-headers,
// fields in order with cookie crumbs joined (RFC 9113 §8.2.3), body chunks,
// trailers before OnRequestDone, and the order of the events.
func TestRequestAccessors(t *testing.T) {
	var events []string
	var got *Stream
	var body []byte
	h := &funcHandler{
		onHeaders: func(s *Stream) { events = append(events, "headers"); got = s },
		onData:    func(s *Stream, d []byte) { events = append(events, "data"); body = append(body, d...) },
		onDone: func(s *Stream) {
			events = append(events, "done")
			if tr := s.Trailers(); len(tr) != 1 || tr[0].Name != "x-checksum" || tr[0].Value != "42" {
				t.Errorf("trailers %v", tr)
			}
			s.SendResponse(204, nil, nil)
		},
		closed: make(chan ErrCode, 1),
	}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "POST", "/up?q=1", false, "cookie", "a=1", "accept", "*/*", "cookie", "b=2")
	p.wfr.WriteData(1, false, []byte("part1"))
	p.wfr.WriteData(1, false, []byte("part2"))
	p.hbuf.Reset()
	p.enc.WriteField(xhpack.HeaderField{Name: "x-checksum", Value: "42"})
	p.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: p.hbuf.Bytes(), EndStream: true, EndHeaders: true})
	p.flush()
	r := p.readResponse(1)
	if r.status != "204" {
		t.Fatalf("status %s", r.status)
	}
	if strings.Join(events, ",") != "headers,data,data,done" {
		t.Errorf("events %v", events)
	}
	if code := <-h.closed; code != NoError {
		t.Errorf("OnClose code %v, want NO_ERROR", code)
	}
	if got.Method() != "POST" || got.Path() != "/up?q=1" || got.Scheme() != "https" || got.Authority() != "example.test" || got.ID() != 1 {
		t.Errorf("request line %s %s %s %s id %d", got.Method(), got.Scheme(), got.Authority(), got.Path(), got.ID())
	}
	var names []string
	for _, f := range got.Header() {
		names = append(names, f.Name+"="+f.Value)
	}
	if v, _ := got.HeaderValue("cookie"); v != "a=1; b=2" {
		t.Errorf("cookie %q (fields %v)", v, names)
	}
	if string(body) != "part1part2" {
		t.Errorf("body %q", body)
	}
	if got.Context().Err() == nil {
		t.Error("Context not cancelled after close")
	}
	if err := got.SendResponse(200, nil, nil); !errors.Is(err, ErrStreamClosed) {
		t.Errorf("SendResponse after close: %v", err)
	}
}

// TestSendResponseErrors checks the typed errors of SendResponse.
func TestSendResponseErrors(t *testing.T) {
	var errs []error
	h := &funcHandler{onHeaders: func(s *Stream) {
		errs = append(errs,
			s.SendResponse(101, nil, nil),
			s.SendResponse(200, []hpack.HeaderField{{Name: "Upper", Value: "x"}}, nil),
			s.SendResponse(200, []hpack.HeaderField{{Name: "connection", Value: "close"}}, nil),
			s.SendResponse(200, []hpack.HeaderField{{Name: "x", Value: "a\r\nb"}}, nil),
			s.SendResponse(200, nil, 42),
			s.SendResponse(200, nil, "ok"),
			s.SendResponse(200, nil, "again"),
		)
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	r := p.readResponse(1)
	want := []error{ErrBadStatus, ErrBadHeaderField, ErrBadHeaderField, ErrBadHeaderField, ErrBodyType, nil, ErrResponseSent}
	for i := range want {
		if !errors.Is(errs[i], want[i]) {
			t.Errorf("call %d: %v, want %v", i, errs[i], want[i])
		}
	}
	if string(r.body) != "ok" {
		t.Errorf("body %q", r.body)
	}
}

// TestDateAndHead checks the automatic date header (RFC 9110 §6.6.1) and that a
// HEAD response has the content-length of the body but no content (§9.3.2).
func TestDateAndHead(t *testing.T) {
	h := &funcHandler{onHeaders: func(s *Stream) { s.SendResponse(200, nil, "twelve bytes") }}
	p := newPeer(t, h2conn.Config{}, one(h), Options{})
	p.handshake()
	p.request(1, "HEAD", "/", true)
	r := p.readResponse(1)
	if r.header["content-length"] != "12" || len(r.dataLens) != 0 {
		t.Errorf("HEAD: content-length %q, DATA %v", r.header["content-length"], r.dataLens)
	}
	if d := r.header["date"]; len(d) != 29 || !strings.HasSuffix(d, " GMT") {
		t.Errorf("date %q is not an IMF-fixdate", d)
	}
}

// TestDeferredResume: a generator defers, another goroutine produces data and
// calls Resume (which wakes the connection), twice, then ends the body.
func TestDeferredResume(t *testing.T) {
	var mu sync.Mutex
	var queue []string
	eof := false
	calls := 0
	ready := make(chan *Stream, 1)
	h := &funcHandler{onHeaders: func(s *Stream) {
		s.SendResponse(200, nil, BodyGenerator(func(max int) ([]byte, DataFlag) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if len(queue) == 0 {
				if eof {
					return nil, DataEOF
				}
				return nil, DataDeferred
			}
			b := []byte(queue[0])
			queue = queue[1:]
			return b, DataOK
		}))
		ready <- s
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	s := <-ready
	if f := p.next(); f.Header().Type != http2.FrameHeaders || p.out.Len() != 0 {
		t.Fatalf("want only HEADERS before any data, got %v", f)
	}
	callsBefore := calls
	s.Resume() // nothing new: a harmless extra Resume
	for _, part := range []string{"first ", "second"} {
		done := make(chan struct{})
		go func() {
			mu.Lock()
			queue = append(queue, part)
			mu.Unlock()
			s.Resume()
			close(done)
		}()
		<-done
		p.waitWake()
		f, ok := p.next().(*http2.DataFrame)
		if !ok || string(f.Data()) != part || f.StreamEnded() {
			t.Fatalf("want DATA %q, got %v", part, f)
		}
	}
	go func() {
		mu.Lock()
		eof = true
		mu.Unlock()
		s.Resume()
	}()
	p.waitWake()
	f, ok := p.next().(*http2.DataFrame)
	if !ok || len(f.Data()) != 0 || !f.StreamEnded() {
		t.Fatalf("want empty DATA with END_STREAM, got %v", f)
	}
	if calls <= callsBefore {
		t.Error("generator never called after Resume")
	}
	s.Resume() // after the end: a no-op
	p.pump()
	if p.out.Len() != 0 {
		t.Errorf("output after a Resume on a finished stream: % x", p.out.Bytes())
	}
}

// TestMisbehavingGenerator: more than max, a panic, an unknown flag, and DataOK
// with no data each reset the stream with INTERNAL_ERROR and OnClose gets it;
// the connection carries on and serves the next stream.
func TestMisbehavingGenerator(t *testing.T) {
	gens := map[uint32]BodyGenerator{
		1: func(max int) ([]byte, DataFlag) { return make([]byte, max+1), DataOK },
		3: func(max int) ([]byte, DataFlag) { panic("boom") },
		5: func(max int) ([]byte, DataFlag) { return []byte("x"), DataFlag(7) },
		7: func(max int) ([]byte, DataFlag) { return nil, DataOK },
	}
	var rejects []string
	closed := make(chan ErrCode, 10)
	h := &funcHandler{closed: closed, onHeaders: func(s *Stream) {
		if g, ok := gens[s.ID()]; ok {
			s.SendResponse(200, nil, g)
		} else {
			s.SendResponse(200, nil, "fine")
		}
	}}
	p := newPeer(t, h2conn.Config{}, one(h), Options{DisableDate: true, OnReject: func(n reject.Name) { rejects = append(rejects, string(n)) }})
	p.handshake()
	for id := uint32(1); id <= 7; id += 2 {
		p.request(id, "GET", "/", true)
		r := p.readResponse(id)
		if r.status != "200" || r.rst != int(InternalError) || len(r.body) != 0 {
			t.Errorf("stream %d: status %s rst %d body %d bytes", id, r.status, r.rst, len(r.body))
		}
		if code := <-closed; code != InternalError {
			t.Errorf("stream %d: OnClose(%v), want INTERNAL_ERROR", id, code)
		}
	}
	if len(rejects) < 4 {
		t.Errorf("rejects %v, want a body_generator_error per stream", rejects)
	}
	p.request(9, "GET", "/", true)
	if r := p.readResponse(9); string(r.body) != "fine" {
		t.Errorf("next stream: %q", r.body)
	}
}

// TestHandlerPanic: a panic in OnHeaders resets that stream with INTERNAL_ERROR.
func TestHandlerPanic(t *testing.T) {
	h := &funcHandler{onHeaders: func(s *Stream) {
		if s.ID() == 1 {
			panic("handler bug")
		}
		s.SendResponse(200, nil, "ok")
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	if r := p.readResponse(1); r.rst != int(InternalError) {
		t.Errorf("rst %d", r.rst)
	}
	p.request(3, "GET", "/", true)
	if r := p.readResponse(3); string(r.body) != "ok" {
		t.Errorf("after panic: %q", r.body)
	}
}

// TestResetAndPeerReset: Reset sends RST_STREAM with the chosen code and OnClose
// gets it; a peer's RST_STREAM reaches OnClose with the peer's code and cancels
// the stream's context.
func TestResetAndPeerReset(t *testing.T) {
	closed := make(chan ErrCode, 2)
	streams := make(chan *Stream, 2)
	h := &funcHandler{closed: closed, onHeaders: func(s *Stream) {
		streams <- s
		if s.ID() == 1 {
			s.Reset(RefusedStream)
		}
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	if r := p.readResponse(1); r.rst != int(RefusedStream) {
		t.Errorf("rst %d, want REFUSED_STREAM", r.rst)
	}
	if c := <-closed; c != RefusedStream {
		t.Errorf("OnClose %v", c)
	}
	<-streams
	p.request(3, "GET", "/", false)
	s := <-streams
	ctx := s.Context()
	p.wfr.WriteRSTStream(3, http2.ErrCodeCancel)
	p.flush()
	if c := <-closed; c != Cancel {
		t.Errorf("OnClose %v, want CANCEL", c)
	}
	select {
	case <-ctx.Done():
	default:
		t.Error("context not cancelled by the peer's reset")
	}
	s.Reset(InternalError) // after close: a no-op
	s.Resume()
	p.pump()
	if p.out.Len() != 0 {
		t.Errorf("output after operations on a closed stream: % x", p.out.Bytes())
	}
}

// TestTrailers: response trailers set before SendResponse follow the body in a
// HEADERS frame with END_STREAM; with no body the first HEADERS does not end the
// stream.
func TestTrailers(t *testing.T) {
	h := &funcHandler{onHeaders: func(s *Stream) {
		if err := s.SetTrailers([]hpack.HeaderField{{Name: "grpc-status", Value: "0"}}); err != nil {
			t.Error(err)
		}
		var body any = "payload"
		if s.ID() == 3 {
			body = nil
		}
		s.SendResponse(200, nil, body)
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	for _, id := range []uint32{1, 3} {
		p.request(id, "GET", "/", true)
		r := p.readResponse(id)
		if r.trailer["grpc-status"] != "0" {
			t.Errorf("stream %d: trailers %v (body %q)", id, r.trailer, r.body)
		}
	}
	// Too late: after the body's end went out.
	var late error
	done := make(chan struct{})
	h.onHeaders = func(s *Stream) {
		s.SendResponse(200, nil, "x")
		go func() {
			defer close(done)
			for s.state.Load()&stBodyEnded == 0 {
			}
			late = s.SetTrailers([]hpack.HeaderField{{Name: "a", Value: "b"}})
		}()
	}
	p.request(5, "GET", "/", true)
	<-done
	if !errors.Is(late, ErrTrailersTooLate) {
		t.Errorf("late SetTrailers: %v", late)
	}
}

// TestReaderPump: a reader that is not known to be non-blocking (an io.Pipe) is
// read by a helper goroutine; the connection is woken as data arrives, and the
// reader is closed when the stream ends.
func TestReaderPump(t *testing.T) {
	pr, pw := io.Pipe()
	h := &funcHandler{onHeaders: func(s *Stream) { s.SendResponse(200, nil, pr) }}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	go func() {
		pw.Write([]byte("slow "))
		pw.Write([]byte("reader"))
		pw.Close()
	}()
	var body []byte
	for {
		if p.out.Len() == 0 {
			p.waitWake()
			continue
		}
		f := p.next()
		if d, ok := f.(*http2.DataFrame); ok {
			body = append(body, d.Data()...)
			if d.StreamEnded() {
				break
			}
		}
	}
	if string(body) != "slow reader" {
		t.Errorf("body %q", body)
	}
}

// TestOneByteWindows: with a 1-byte stream window, the generator is offered max
// = 1 and every DATA frame carries one byte; nothing is sent without a
// WINDOW_UPDATE (RFC 9113 §6.9.1).
func TestOneByteWindows(t *testing.T) {
	const body = "tiny windows"
	var maxes []int
	rest := body
	h := &funcHandler{onHeaders: func(s *Stream) {
		s.SendResponse(200, nil, BodyGenerator(func(max int) ([]byte, DataFlag) {
			maxes = append(maxes, max)
			n := min(max, len(rest))
			b := []byte(rest[:n])
			rest = rest[n:]
			if rest == "" {
				return b, DataEOF
			}
			return b, DataOK
		}))
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1})
	p.request(1, "GET", "/", true)
	var got []byte
	for len(got) < len(body) {
		for p.out.Len() > 0 {
			f := p.next()
			if d, ok := f.(*http2.DataFrame); ok {
				if len(d.Data()) != 1 {
					t.Fatalf("DATA of %d bytes with a 1-byte window", len(d.Data()))
				}
				got = append(got, d.Data()...)
			}
		}
		if p.out.Len() == 0 && len(got) < len(body) {
			p.wfr.WriteWindowUpdate(1, 1)
			p.flush()
		}
	}
	if string(got) != body {
		t.Errorf("body %q", got)
	}
	for _, m := range maxes {
		if m != 1 {
			t.Fatalf("generator offered max %v, want all 1", maxes)
		}
	}
}

// TestLargeBodyBounded streams a 1 GiB generated body through the engine,
// returning window as the peer reads, and checks that the server never holds
// more than a write batch of output and that its buffered-bytes stat stays
// small: the body is pulled as the windows allow, never buffered.
func TestLargeBodyBounded(t *testing.T) {
	size := int64(1 << 30)
	if testing.Short() || raceEnabled {
		// The race detector makes every byte copy ~10x slower; the bound
		// checked below does not depend on the size.
		size = 128 << 20
	}
	chunk := bytes.Repeat([]byte{'z'}, 16384)
	var sent int64
	h := &funcHandler{onHeaders: func(s *Stream) {
		s.SendResponse(200, nil, BodyGenerator(func(max int) ([]byte, DataFlag) {
			n := int64(min(max, len(chunk)))
			n = min(n, size-sent)
			sent += n
			if sent == size {
				return chunk[:n], DataEOF
			}
			return chunk[:n], DataOK
		}))
	}}
	cfg := h2conn.Config{}
	p := newPeer(t, cfg, one(h), noDate())
	p.handshake(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20})
	p.wfr.WriteWindowUpdate(0, 1<<30) // connection window
	p.flush()
	p.request(1, "GET", "/", true)
	eng := p.c.engine()
	var got int64
	maxBuffered := 0
	for {
		// Parse the output quickly (frame headers only) and return the
		// window for what was received.
		b := p.out.Bytes()
		var n int64
		ended := false
		for len(b) >= 9 {
			l := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
			if b[3] == 0x0 {
				n += int64(l)
				ended = b[4]&1 != 0
			}
			b = b[9+l:]
		}
		p.out.Reset()
		got += n
		maxBuffered = max(maxBuffered, eng.BufferedBytes())
		if ended {
			break
		}
		if n == 0 {
			t.Fatalf("stalled after %d bytes", got)
		}
		p.wfr.WriteWindowUpdate(1, uint32(n))
		p.wfr.WriteWindowUpdate(0, uint32(n))
		p.flush()
	}
	if got != size {
		t.Fatalf("received %d bytes, want %d", got, size)
	}
	limit := h2conn.DefaultMaxWriteBatch + 64<<10
	if p.maxOutput > limit || maxBuffered > 64<<10 {
		t.Errorf("largest output batch %d (limit %d), buffered bytes peak %d", p.maxOutput, limit, maxBuffered)
	}
}

// TestQueuedFromGoroutine: SendResponse from another goroutine wakes the
// connection and the response is sent.
func TestQueuedFromGoroutine(t *testing.T) {
	h := &funcHandler{onHeaders: func(s *Stream) {
		go s.SendResponse(200, []hpack.HeaderField{{Name: "x-from", Value: "goroutine"}}, "later")
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	// Sleep mode: the loop is about to block, so the next enqueue must wake it.
	if !p.c.Sleep() {
		t.Fatal("Sleep with nothing pending returned false")
	}
	p.request(1, "GET", "/", true)
	if p.out.Len() == 0 {
		p.waitWake()
	}
	r := p.readResponse(1)
	if string(r.body) != "later" || r.header["x-from"] != "goroutine" {
		t.Errorf("got %q %v", r.body, r.header)
	}
}

// TestReaderPumpSpuriousResume: many small reads from a pipe, with extra Resume
// calls from another goroutine racing the pump, deliver the exact byte stream.
func TestReaderPumpSpuriousResume(t *testing.T) {
	pr, pw := io.Pipe()
	var want bytes.Buffer
	streams := make(chan *Stream, 1)
	h := &funcHandler{onHeaders: func(s *Stream) { s.SendResponse(200, nil, pr); streams <- s }}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	s := <-streams
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				s.Resume()
			}
		}
	}()
	defer close(stop)
	go func() {
		for i := range 2000 {
			chunk := []byte(strings.Repeat(string(rune('a'+i%26)), 1+i%50))
			want.Write(chunk)
			pw.Write(chunk)
		}
		pw.Close()
	}()
	var body []byte
	for {
		if p.out.Len() == 0 {
			p.waitWake()
			continue
		}
		if d, ok := p.next().(*http2.DataFrame); ok {
			body = append(body, d.Data()...)
			if n := uint32(len(d.Data())); n > 0 {
				p.wfr.WriteWindowUpdate(0, n)
				p.wfr.WriteWindowUpdate(1, n)
				p.flush()
			}
			if d.StreamEnded() {
				break
			}
		}
	}
	if !bytes.Equal(body, want.Bytes()) {
		t.Fatalf("body differs: got %d bytes, want %d", len(body), want.Len())
	}
}

// TestResponseWithdrawnOnClose: a response queued in OnHeaders for a stream the
// peer resets in the same batch is withdrawn; its file body is closed, and with
// ReuseStreams the recycled Stream serves the next request cleanly.
func TestResponseWithdrawnOnClose(t *testing.T) {
	path := t.TempDir() + "/body"
	if err := os.WriteFile(path, []byte("file body"), 0o644); err != nil {
		t.Fatal(err)
	}
	var files []*os.File
	h := &funcHandler{onHeaders: func(s *Stream) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		s.SendResponse(200, nil, f)
	}}
	p := newPeer(t, h2conn.Config{}, one(h), Options{DisableDate: true, ReuseStreams: true})
	p.handshake()
	// HEADERS and RST_STREAM in one batch: the response is still queued when
	// the stream closes.
	p.hbuf.Reset()
	for _, kv := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/"}} {
		p.enc.WriteField(xhpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	p.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: p.hbuf.Bytes(), EndStream: true, EndHeaders: true})
	p.wfr.WriteRSTStream(1, http2.ErrCodeCancel)
	p.flush()
	for p.out.Len() > 0 {
		if f, ok := p.next().(*http2.MetaHeadersFrame); ok {
			t.Fatalf("response sent for a reset stream: %v", f)
		}
	}
	if _, err := files[0].Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("body file not closed: %v", err)
	}
	p.request(3, "GET", "/", true)
	if r := p.readResponse(3); string(r.body) != "file body" {
		t.Errorf("next stream: %q", r.body)
	}
	if _, err := files[1].Read(make([]byte, 1)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second body file not closed after the stream ended: %v", err)
	}
}

// TestEarlyHints: 103 responses (RFC 8297) go out before the final response,
// in order, without END_STREAM; 101 and statuses outside 1xx are refused, and
// so is an interim response after the final one.
func TestEarlyHints(t *testing.T) {
	var errs []error
	h := &funcHandler{onHeaders: func(s *Stream) {
		errs = append(errs,
			s.SendInformational(101, nil),
			s.SendInformational(200, nil),
			s.SendInformational(103, []hpack.HeaderField{{Name: "link", Value: "</a.css>; rel=preload"}}),
			s.SendInformational(103, []hpack.HeaderField{{Name: "link", Value: "</b.js>; rel=preload"}}),
			s.SendResponse(200, nil, "page"),
			s.SendInformational(103, nil))
	}}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "GET", "/", true)
	var got []string
	for p.out.Len() > 0 {
		switch f := p.next().(type) {
		case *http2.MetaHeadersFrame:
			line := ""
			for _, hf := range f.Fields {
				if hf.Name == ":status" || hf.Name == "link" {
					line += hf.Value + " "
				}
			}
			if f.StreamEnded() {
				line += "END"
			}
			got = append(got, strings.TrimSpace(line))
		case *http2.DataFrame:
			got = append(got, "DATA "+string(f.Data()))
		}
	}
	want := []string{"103 </a.css>; rel=preload", "103 </b.js>; rel=preload", "200", "DATA page"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("frames %q, want %q", got, want)
	}
	wantErrs := []error{ErrBadStatus, ErrBadStatus, nil, nil, nil, ErrResponseSent}
	for i := range wantErrs {
		if !errors.Is(errs[i], wantErrs[i]) {
			t.Errorf("call %d: %v, want %v", i, errs[i], wantErrs[i])
		}
	}
}
