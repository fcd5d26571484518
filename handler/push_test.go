package handler

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/h2conn"
)

// pushView is what a client saw of a connection with pushes.
type pushView struct {
	promised map[uint32]map[string]string // promised stream → request fields
	assoc    map[uint32]uint32            // promised stream → associated stream
	order    []uint32                     // promised streams in order
	resp     map[uint32]*response
	done     map[uint32]bool
	wireSeq  []string // "PP 1→2", "H 2", "D 2", "RST 2"
}

func newPushView() *pushView {
	return &pushView{promised: map[uint32]map[string]string{}, assoc: map[uint32]uint32{},
		resp: map[uint32]*response{}, done: map[uint32]bool{}}
}

// collect reads the server's frames, waiting for other goroutines when the
// output is empty, until every stream of ids has ended.
func (p *peer) collect(v *pushView, ids ...uint32) {
	p.t.Helper()
	allDone := func() bool {
		for _, id := range ids {
			if !v.done[id] {
				return false
			}
		}
		return true
	}
	for !allDone() {
		if p.out.Len() == 0 {
			p.waitWake()
			continue
		}
		r := func(id uint32) *response {
			if v.resp[id] == nil {
				v.resp[id] = &response{rst: -1, header: map[string]string{}}
			}
			return v.resp[id]
		}
		switch f := p.next().(type) {
		case *http2.PushPromiseFrame:
			// x/net's Framer does not decode PUSH_PROMISE blocks: decode it
			// with the same decoder so that the HPACK tables stay in step.
			fs, err := p.rfr.ReadMetaHeaders.DecodeFull(f.HeaderBlockFragment())
			if err != nil || !f.HeadersEnded() {
				p.t.Fatalf("PUSH_PROMISE block: %v", err)
			}
			m := map[string]string{}
			for _, hf := range fs {
				m[hf.Name] = hf.Value
			}
			v.promised[f.PromiseID], v.assoc[f.PromiseID] = m, f.StreamID
			v.order = append(v.order, f.PromiseID)
			v.wireSeq = append(v.wireSeq, fmt.Sprintf("PP %d→%d", f.StreamID, f.PromiseID))
		case *http2.MetaHeadersFrame:
			r(f.StreamID).addHeaders(f)
			v.wireSeq = append(v.wireSeq, fmt.Sprintf("H %d", f.StreamID))
			v.done[f.StreamID] = f.StreamEnded()
		case *http2.DataFrame:
			r(f.StreamID).body = append(r(f.StreamID).body, f.Data()...)
			v.wireSeq = append(v.wireSeq, fmt.Sprintf("D %d", f.StreamID))
			v.done[f.StreamID] = f.StreamEnded()
		case *http2.RSTStreamFrame:
			r(f.StreamID).rst = int(f.ErrCode)
			v.wireSeq = append(v.wireSeq, fmt.Sprintf("RST %d", f.StreamID))
			v.done[f.StreamID] = true
		case *http2.GoAwayFrame:
			p.t.Fatalf("GOAWAY %v: %s", f.ErrCode, f.DebugData())
		}
	}
}

var css = []hpack.HeaderField{{Name: "content-type", Value: "text/css"}}

// closeRec records the OnClose of a pushed stream.
type closeRec struct {
	BaseRequestHandler
	mu    sync.Mutex
	codes []ErrCode
}

func (r *closeRec) OnClose(_ *Stream, code ErrCode) {
	r.mu.Lock()
	r.codes = append(r.codes, code)
	r.mu.Unlock()
}

// Stream.Push from OnHeaders: PUSH_PROMISE on the request's stream before
// its response, the promised request as given (with the request's scheme
// and authority), the pushed response answered at once with a body, the
// pushed stream's handler told when it closed.
func TestStreamPush(t *testing.T) {
	rec := &closeRec{}
	var pushedPath, pushedMethod string
	f := FactoryFunc(func(s *Stream) {
		ps, err := s.Push(PushRequest{Path: "/style.css", Header: []hpack.HeaderField{{Name: "accept", Value: "text/css"}}, Handler: rec})
		if err != nil {
			t.Error(err)
			return
		}
		pushedPath, pushedMethod = ps.Path(), ps.Method()
		if !ps.BodyEnded() || ps.ID() != 2 {
			t.Errorf("pushed stream %d BodyEnded %v", ps.ID(), ps.BodyEnded())
		}
		if err := ps.SendResponse(200, css, "body{}"); err != nil {
			t.Error(err)
		}
		s.SendResponse(200, nil, "<link rel=stylesheet href=/style.css>")
	})
	p := newPeer(t, h2conn.Config{}, f, Options{DisableDate: true})
	p.handshake()
	p.request(1, "GET", "/", true)
	v := newPushView()
	p.collect(v, 1, 2)
	if v.wireSeq[0] != "PP 1→2" {
		t.Fatalf("first frame %s, want the PUSH_PROMISE", v.wireSeq[0])
	}
	want := map[string]string{":method": "GET", ":scheme": "https", ":authority": "example.test", ":path": "/style.css", "accept": "text/css"}
	if fmt.Sprint(v.promised[2]) != fmt.Sprint(want) {
		t.Fatalf("promised %v", v.promised[2])
	}
	if r := v.resp[2]; r.status != "200" || string(r.body) != "body{}" || r.header["content-type"] != "text/css" || r.header["content-length"] != "6" {
		t.Fatalf("pushed response %+v", r)
	}
	if pushedPath != "/style.css" || pushedMethod != "GET" {
		t.Fatalf("pushed stream request %s %s", pushedMethod, pushedPath)
	}
	if fmt.Sprint(rec.codes) != "[NO_ERROR]" {
		t.Fatalf("pushed OnClose %v", rec.codes)
	}
}

// A pushed stream answered later from another goroutine through its Handle,
// with a body generator that defers and is resumed; Handle.Push from a
// goroutine; both under -race.
func TestHandlePushFromGoroutine(t *testing.T) {
	f := FactoryFunc(func(s *Stream) {
		h := s.Handle()
		go func() {
			ph, err := h.Push(PushRequest{Path: "/a.js"})
			if err != nil {
				t.Error(err)
				return
			}
			ph2, err := h.Push(PushRequest{Method: "HEAD", Path: "/b.js"})
			if err != nil {
				t.Error(err)
				return
			}
			h.SendResponse(200, nil, "page")
			var once sync.Once
			ready := make(chan struct{})
			gen := BodyGenerator(func(max int) ([]byte, DataFlag) {
				select {
				case <-ready:
					return []byte("js();"), DataEOF
				default:
					return nil, DataDeferred
				}
			})
			if err := ph.SendResponse(200, nil, gen); err != nil {
				t.Error(err)
			}
			ph2.SendResponse(200, []hpack.HeaderField{{Name: "content-length", Value: "5"}}, nil)
			once.Do(func() { close(ready) })
			ph.Resume()
		}()
	})
	p := newPeer(t, h2conn.Config{}, f, Options{})
	p.handshake()
	p.request(1, "GET", "/", true)
	v := newPushView()
	p.collect(v, 1, 2, 4)
	if v.promised[4][":method"] != "HEAD" || string(v.resp[2].body) != "js();" || string(v.resp[1].body) != "page" {
		t.Fatalf("promised %v, bodies %q %q", v.promised, v.resp[2].body, v.resp[1].body)
	}
	if v.wireSeq[0] != "PP 1→2" || v.wireSeq[1] != "PP 1→4" {
		t.Fatalf("wire order %v", v.wireSeq)
	}
}

// The refusals come out typed: ErrPushDisabled (SETTINGS_ENABLE_PUSH 0, at
// once or later), *PushError (ErrPushNotAllowed) after the response, for a
// POST, for another authority, and on a pushed stream.
func TestPushErrors(t *testing.T) {
	run := func(t *testing.T, settings []http2.Setting, do func(s *Stream) []error) []error {
		var got []error
		f := FactoryFunc(func(s *Stream) {
			got = do(s)
			s.SendResponse(204, nil, nil)
		})
		p := newPeer(t, h2conn.Config{}, f, Options{})
		p.handshake(settings...)
		p.request(1, "GET", "/", true)
		return got
	}
	errs := run(t, []http2.Setting{{ID: http2.SettingEnablePush, Val: 0}}, func(s *Stream) []error {
		_, err := s.Push(PushRequest{Path: "/x"})
		return []error{err}
	})
	if !errors.Is(errs[0], ErrPushDisabled) {
		t.Fatalf("disabled: %v", errs[0])
	}
	errs = run(t, nil, func(s *Stream) []error {
		_, e1 := s.Push(PushRequest{Method: "POST", Path: "/x"})
		_, e2 := s.Push(PushRequest{Path: "/x", Authority: "other.test"})
		ps, _ := s.Push(PushRequest{Path: "/x"})
		_, e3 := ps.Push(PushRequest{Path: "/y"})
		ps.SendResponse(204, nil, nil)
		_, e4 := s.Push(PushRequest{Path: "/x", Header: []hpack.HeaderField{{Name: "content-length", Value: "3"}}})
		s.SendResponse(204, nil, nil)
		_, e5 := s.Push(PushRequest{Path: "/x"})
		return []error{e1, e2, e3, e4, e5}
	})
	for i, want := range []string{"safe and cacheable", "authoritative", "not client-initiated", "no content", "answered"} {
		var pe *PushError
		if !errors.Is(errs[i], ErrPushNotAllowed) || !errors.As(errs[i], &pe) || !strings.Contains(pe.Reason, want) {
			t.Errorf("error %d: %v, want a PushError about %q", i, errs[i], want)
		}
	}
}

// A later SETTINGS that disables push: the next Push gets ErrPushDisabled,
// and what was promised before is still delivered.
func TestPushDisabledMidConnection(t *testing.T) {
	var pushed *Stream
	var second error
	f := FactoryFunc(func(s *Stream) {
		if s.Path() == "/first" {
			pushed, _ = s.Push(PushRequest{Path: "/kept.css"})
			s.SendResponse(204, nil, nil)
			return
		}
		_, second = s.Push(PushRequest{Path: "/x"})
		pushed.SendResponse(200, css, "kept")
		s.SendResponse(204, nil, nil)
	})
	p := newPeer(t, h2conn.Config{}, f, Options{})
	p.handshake()
	p.request(1, "GET", "/first", true)
	p.wfr.WriteSettings(http2.Setting{ID: http2.SettingEnablePush, Val: 0})
	p.flush()
	p.request(3, "GET", "/second", true)
	v := newPushView()
	p.collect(v, 1, 2, 3)
	if !errors.Is(second, ErrPushDisabled) {
		t.Fatalf("push after SETTINGS_ENABLE_PUSH=0: %v", second)
	}
	if string(v.resp[2].body) != "kept" || len(v.promised) != 1 {
		t.Fatalf("promised %v, kept body %q", v.promised, v.resp[2].body)
	}
}

// A client that refuses a push (RST_STREAM CANCEL on the promised stream)
// ends it cleanly: the pushed handler's OnClose gets CANCEL, the body
// generator is dropped, the reader body closed, and later calls on the
// pushed stream report ErrStreamClosed.
func TestPushCancelledByClient(t *testing.T) {
	rec := &closeRec{}
	body := &closingReader{Reader: strings.NewReader(strings.Repeat("x", 100000))}
	var pushed Handle
	f := FactoryFunc(func(s *Stream) {
		ps, err := s.Push(PushRequest{Path: "/big", Handler: rec})
		if err != nil {
			t.Error(err)
			return
		}
		pushed = ps.Handle()
		ps.SendResponse(200, nil, io.Reader(body))
		s.SendResponse(200, nil, "page")
	})
	p := newPeer(t, h2conn.Config{}, f, Options{})
	p.handshake(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 100})
	p.request(1, "GET", "/", true)
	p.wfr.WriteRSTStream(2, http2.ErrCodeCancel)
	p.flush()
	if fmt.Sprint(rec.codes) != "[CANCEL]" {
		t.Fatalf("pushed OnClose %v", rec.codes)
	}
	if !body.closed() {
		t.Fatal("the pushed body was not closed")
	}
	if err := pushed.SendResponse(200, nil, nil); !errors.Is(err, ErrStreamClosed) {
		t.Fatalf("SendResponse after the client's reset: %v", err)
	}
	pushed.Resume() // a no-op
	v := newPushView()
	p.collect(v, 1)
	if string(v.resp[1].body) != "page" {
		t.Fatalf("associated body %q", v.resp[1].body)
	}
}

type closingReader struct {
	io.Reader
	mu sync.Mutex
	n  int
}

func (r *closingReader) Close() error {
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
	return nil
}

func (r *closingReader) closed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n == 1
}

// A Handle.Push waiting for the connection goroutine is released with
// ErrStreamClosed when its stream closes first; on a closed stream it
// returns at once.
func TestHandlePushReleasedOnClose(t *testing.T) {
	handles := make(chan Handle, 1)
	f := FactoryFunc(func(s *Stream) { handles <- s.Handle() })
	p := newPeer(t, h2conn.Config{}, f, Options{})
	p.handshake()
	p.request(1, "GET", "/", true)
	h := <-handles
	if !p.c.Sleep() {
		t.Fatal("work pending")
	}
	res := make(chan error, 1)
	go func() {
		_, err := h.Push(PushRequest{Path: "/x"})
		res <- err
	}()
	<-p.woken // the push is queued
	p.c.Awake()
	p.wfr.WriteRSTStream(1, http2.ErrCodeCancel)
	if err := p.c.engine().Feed(p.in.Bytes()); err != nil {
		t.Fatal(err)
	}
	p.in.Reset()
	if err := <-res; !errors.Is(err, ErrStreamClosed) {
		t.Fatalf("waiting push: %v", err)
	}
	p.pump()
	if _, err := h.Push(PushRequest{Path: "/x"}); !errors.Is(err, ErrStreamClosed) {
		t.Fatalf("push on a closed stream: %v", err)
	}
}

// With ReuseStreams, pushed Streams are recycled like request Streams: a
// Handle on a pushed stream that has closed goes stale (ErrStreamClosed),
// and pushes keep working on the recycled objects.
func TestPushReuseStreams(t *testing.T) {
	handles := make(chan Handle, 4)
	f := FactoryFunc(func(s *Stream) {
		ps, err := s.Push(PushRequest{Path: "/r.css"})
		if err != nil {
			t.Error(err)
			return
		}
		handles <- ps.Handle()
		ps.SendResponse(200, css, "r")
		s.SendResponse(200, nil, "page")
	})
	p := newPeer(t, h2conn.Config{}, f, Options{ReuseStreams: true})
	p.handshake()
	for i, id := range []uint32{1, 3, 5} {
		p.request(id, "GET", "/", true)
		v := newPushView()
		pushed := uint32(2 * (i + 1))
		p.collect(v, id, pushed)
		if string(v.resp[pushed].body) != "r" || v.promised[pushed][":path"] != "/r.css" {
			t.Fatalf("round %d: %+v", i, v.resp[pushed])
		}
		h := <-handles
		if err := h.SendResponse(200, nil, nil); !errors.Is(err, ErrStreamClosed) {
			t.Fatalf("stale pushed Handle: %v", err)
		}
	}
}

// With the client's SETTINGS_MAX_CONCURRENT_STREAMS at 1, pushed responses
// go out one after the other, each with its own header fields (the header
// block of a waiting response is kept, not the connection's scratch space
// that the next response reuses).
func TestPushWaitsForClientLimit(t *testing.T) {
	f := FactoryFunc(func(s *Stream) {
		for i, ct := range []string{"text/css", "text/javascript", "image/png"} {
			ps, err := s.Push(PushRequest{Path: fmt.Sprintf("/r%d", i)})
			if err != nil {
				t.Error(err)
				return
			}
			ps.SendResponse(200, []hpack.HeaderField{{Name: "content-type", Value: ct}}, strings.Repeat("x", i+1))
		}
		s.SendResponse(200, nil, "page")
	})
	p := newPeer(t, h2conn.Config{}, f, Options{})
	p.handshake(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 1})
	p.request(1, "GET", "/", true)
	v := newPushView()
	p.collect(v, 1, 2, 4, 6)
	for i, ct := range []string{"text/css", "text/javascript", "image/png"} {
		r := v.resp[uint32(2*(i+1))]
		if r.header["content-type"] != ct || r.header["content-length"] != fmt.Sprint(i+1) || len(r.body) != i+1 {
			t.Errorf("pushed %d: %+v", i, r)
		}
	}
	// Each pushed response starts only after the previous one ended (each
	// is one HEADERS and one DATA frame with END_STREAM).
	var pushedSeq []string
	for _, ev := range v.wireSeq {
		if !strings.HasPrefix(ev, "PP") && !strings.HasSuffix(ev, " 1") {
			pushedSeq = append(pushedSeq, ev)
		}
	}
	if got := strings.Join(pushedSeq, ","); got != "H 2,D 2,H 4,D 4,H 6,D 6" {
		t.Fatalf("pushed responses on the wire: %s", got)
	}
}
