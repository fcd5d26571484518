package handler

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// pipeHandler feeds its stream's body into a BodyReader, as an adapter does,
// and records BodyEnded at each callback.
type pipeHandler struct {
	BaseRequestHandler
	s     *Stream
	body  BodyReader
	ended []bool // BodyEnded at OnHeaders, each OnData, OnRequestDone
}

func (*pipeHandler) ManualFlowControl() {}
func (h *pipeHandler) OnHeaders(s *Stream) {
	h.s = s
	h.body.Init(s)
	h.ended = append(h.ended, s.BodyEnded())
}
func (h *pipeHandler) OnData(s *Stream, d []byte) {
	h.ended = append(h.ended, s.BodyEnded())
	h.body.Write(d)
}
func (h *pipeHandler) OnRequestDone(s *Stream) {
	h.ended = append(h.ended, s.BodyEnded())
	h.body.End(nil)
}
func (h *pipeHandler) OnClose(_ *Stream, code ErrCode) {
	h.body.End(errors.New("closed " + code.String()))
}

// windowCredit sums the WINDOW_UPDATE increments in the server's output, for
// the stream and for the connection.
func windowCredit(p *peer, id uint32) (stream, conn uint32) {
	for p.out.Len() > 0 {
		if w, ok := p.next().(*http2.WindowUpdateFrame); ok {
			if w.StreamID == id {
				stream += w.Increment
			} else if w.StreamID == 0 {
				conn += w.Increment
			}
		}
	}
	return stream, conn
}

// bodyWindow is the stream window of the BodyReader tests: the engine sends
// WINDOW_UPDATE once half of it has been consumed, so reads of at least 32
// bytes show at once.
const bodyWindow = 64

// TestBodyReader: bytes written are read in order on another goroutine and
// returned to the stream window exactly as read; Wait reports the buffered
// count; the body's end is io.EOF after the buffered bytes; BodyEnded turns
// true with END_STREAM.
func TestBodyReader(t *testing.T) {
	h := &pipeHandler{}
	p := newPeer(t, h2conn.Config{InitialWindowSize: bodyWindow}, one(h), noDate())
	p.handshake()
	p.request(1, "POST", "/", false)
	first := "hello, world, this is the first part of the body: "
	p.wfr.WriteData(1, false, []byte(first[:7]))
	p.wfr.WriteData(1, false, []byte(first[7:]))
	p.flush()
	if s, _ := windowCredit(p, 1); s != 0 {
		t.Fatalf("stream credited %d before any read", s)
	}

	if n, err := h.body.Wait(); n != len(first) || err != nil {
		t.Fatalf("Wait = %d, %v; want %d, nil", n, err, len(first))
	}
	buf := make([]byte, 40)
	type result struct {
		n   int
		err error
	}
	ch := make(chan result)
	go func() { n, err := h.body.Read(buf); ch <- result{n, err} }()
	if r := <-ch; r.n != 40 || r.err != nil || string(buf) != first[:40] {
		t.Fatalf("Read = %d, %v, %q", r.n, r.err, buf[:r.n])
	}
	p.waitWake()
	if s, _ := windowCredit(p, 1); s != 40 {
		t.Errorf("stream credited %d after reading 40", s)
	}

	p.wfr.WriteData(1, true, []byte("!"))
	p.flush()
	rest, err := io.ReadAll(&h.body)
	if err != nil || string(rest) != first[40:]+"!" {
		t.Fatalf("ReadAll = %q, %v", rest, err)
	}
	if n, err := h.body.Wait(); n != 0 || err != io.EOF {
		t.Errorf("Wait at the end = %d, %v", n, err)
	}
	want := []bool{false, false, false, false, true}
	if len(h.ended) != len(want) {
		t.Fatalf("BodyEnded seen %v, want %v", h.ended, want)
	}
	for i := range want {
		if h.ended[i] != want[i] {
			t.Fatalf("BodyEnded seen %v, want %v", h.ended, want)
		}
	}
	if !h.s.BodyEnded() {
		t.Error("BodyEnded false after END_STREAM")
	}
}

// TestBodyReaderClose: Close returns the buffered bytes' window at once and
// later DATA's as it arrives, wakes a blocked reader, and makes reads fail
// with ErrBodyClosed.
func TestBodyReaderClose(t *testing.T) {
	h := &pipeHandler{}
	p := newPeer(t, h2conn.Config{InitialWindowSize: bodyWindow}, one(h), noDate())
	p.handshake()
	p.request(1, "POST", "/", false)

	blocked := make(chan error)
	go func() { _, err := h.body.Wait(); blocked <- err }()
	p.wfr.WriteData(1, false, make([]byte, 50))
	p.flush()
	if err := <-blocked; err != nil {
		t.Fatalf("Wait: %v", err)
	}
	go func() { _, err := h.body.Read(make([]byte, 0)); blocked <- err }()
	if err := <-blocked; err != nil {
		t.Fatalf("empty Read: %v", err)
	}
	h.body.Close()
	p.waitWake()
	if s, _ := windowCredit(p, 1); s != 50 {
		t.Errorf("stream credited %d after Close, want 50", s)
	}
	p.wfr.WriteData(1, false, make([]byte, 60))
	p.flush()
	if s, _ := windowCredit(p, 1); s != 60 {
		t.Errorf("DATA after Close credited %d, want 60", s)
	}
	if _, err := h.body.Read(make([]byte, 1)); !errors.Is(err, ErrBodyClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if _, err := h.body.Wait(); !errors.Is(err, ErrBodyClosed) {
		t.Errorf("Wait after Close: %v", err)
	}
}

// TestBodyReaderCloseWakes: Close wakes a reader blocked for data.
func TestBodyReaderCloseWakes(t *testing.T) {
	h := &pipeHandler{}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "POST", "/", false)
	blocked := make(chan error)
	go func() { _, err := h.body.Read(make([]byte, 10)); blocked <- err }()
	h.body.Close()
	if err := <-blocked; !errors.Is(err, ErrBodyClosed) {
		t.Errorf("blocked Read ended with %v, want ErrBodyClosed", err)
	}
}

// TestBodyReaderReset: a stream reset before END_STREAM still yields the
// bytes received, then the End error.
func TestBodyReaderReset(t *testing.T) {
	h := &pipeHandler{}
	p := newPeer(t, h2conn.Config{}, one(h), noDate())
	p.handshake()
	p.request(1, "POST", "/", false)
	p.wfr.WriteData(1, false, []byte("partial"))
	p.wfr.WriteRSTStream(1, http2.ErrCodeCancel)
	p.flush()
	got, err := io.ReadAll(&h.body)
	if string(got) != "partial" || err == nil || err.Error() != "closed CANCEL" {
		t.Errorf("ReadAll = %q, %v; want the bytes, then the close error", got, err)
	}
	if h.s.BodyEnded() {
		t.Error("BodyEnded true for a reset stream")
	}
}

// TestBodyReaderCompacts: a reader that keeps up leaves the buffer's array
// reused instead of growing with everything received.
func TestBodyReaderCompacts(t *testing.T) {
	h := &pipeHandler{}
	p := newPeer(t, h2conn.Config{InitialWindowSize: 1 << 20}, one(h), noDate())
	p.handshake()
	p.request(1, "POST", "/", false)
	chunk := make([]byte, 4096)
	buf := make([]byte, 4096)
	p.wfr.WriteData(1, false, chunk[:1000]) // the reader stays 1000 bytes behind
	for range 200 {
		p.wfr.WriteData(1, false, chunk)
		p.flush()
		if _, err := io.ReadFull(&h.body, buf); err != nil {
			t.Fatal(err)
		}
	}
	h.body.mu.Lock()
	c, n := cap(h.body.buf), len(h.body.buf)-h.body.off
	h.body.mu.Unlock()
	if n != 1000 || c > 16<<10 {
		t.Errorf("buffer holds %d bytes in %d for a reader 1000 behind", n, c)
	}
}

// endedAt records BodyEnded in OnHeaders and the order of the callbacks.
type endedAt struct {
	BaseRequestHandler
	atHeaders bool
	calls     []string
}

func (h *endedAt) OnHeaders(s *Stream) {
	h.atHeaders = s.BodyEnded()
	h.calls = append(h.calls, "headers")
}
func (h *endedAt) OnData(*Stream, []byte) { h.calls = append(h.calls, "data") }
func (h *endedAt) OnRequestDone(s *Stream) {
	h.calls = append(h.calls, "done")
	s.SendResponse(204, nil, nil)
}
func (h *endedAt) OnClose(*Stream, ErrCode) { h.calls = append(h.calls, "close") }

// TestBodyEndedAtHeaders: OnHeaders already sees BodyEnded for a request
// whose HEADERS frame carries END_STREAM, and not for one with a body; the
// callbacks keep the engine's order, and OnHeaders of a request with a body
// is delivered by the time its Feed has been processed.
func TestBodyEndedAtHeaders(t *testing.T) {
	for _, tc := range []struct {
		name      string
		endStream bool
		calls     string
	}{
		{"headers-only", true, "headers done close"},
		{"with-body", false, "headers data done close"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hs []*endedAt
			f := func(*Stream) RequestHandler { h := &endedAt{}; hs = append(hs, h); return h }
			p := newPeer(t, h2conn.Config{}, f, noDate())
			p.handshake()
			p.request(1, "POST", "/", tc.endStream)
			if len(hs) != 1 || len(hs[0].calls) == 0 || hs[0].calls[0] != "headers" {
				t.Fatal("OnHeaders not delivered after the HEADERS frame was fed")
			}
			if hs[0].atHeaders != tc.endStream {
				t.Errorf("BodyEnded in OnHeaders = %v, want %v", hs[0].atHeaders, tc.endStream)
			}
			if !tc.endStream {
				p.wfr.WriteData(1, true, []byte("x"))
				p.flush()
			}
			p.readResponse(1)
			if got := fmt.Sprint(hs[0].calls); got != "["+tc.calls+"]" {
				t.Errorf("callbacks %s, want [%s]", got, tc.calls)
			}
		})
	}
}

// TestHeldHeadersOrder: two requests with bodies in one Feed get their
// OnHeaders in stream order, before their data.
func TestHeldHeadersOrder(t *testing.T) {
	var calls []string
	rec := func(s *Stream) RequestHandler {
		calls = append(calls, fmt.Sprint("headers ", s.ID()))
		return &dataRec{calls: &calls}
	}
	p := newPeer(t, h2conn.Config{}, rec, noDate())
	p.handshake()
	// Written without feeding, then fed at once.
	for _, id := range []uint32{1, 3} {
		p.hbuf.Reset()
		for _, f := range [][2]string{{":method", "POST"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/"}} {
			p.enc.WriteField(xhpack.HeaderField{Name: f[0], Value: f[1]})
		}
		p.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: p.hbuf.Bytes(), EndHeaders: true})
	}
	p.wfr.WriteData(3, false, []byte("b"))
	p.wfr.WriteData(1, false, []byte("a"))
	p.flush()
	want := "[headers 1 headers 3 data 3 data 1]"
	if got := fmt.Sprint(calls); got != want {
		t.Errorf("callbacks %s, want %s", got, want)
	}
}

type dataRec struct {
	BaseRequestHandler
	calls *[]string
}

func (h *dataRec) OnData(s *Stream, _ []byte) {
	*h.calls = append(*h.calls, fmt.Sprint("data ", s.ID()))
}
