package h2conn

import (
	"testing"
	"time"

	"github.com/h2kit/h2kit/reject"
	"golang.org/x/net/http2"
)

// sleep does what the connection loop does between reads when the peer is
// silent: it waits until NextDeadline and calls Tick then. A connection with
// work pending and no deadline would block in its read forever: that fails
// the test.
func (p *peer) sleep() {
	p.t.Helper()
	d, ok := p.c.NextDeadline()
	if !ok {
		p.t.Fatalf("no deadline at %v with %d streams open: the loop would sleep forever", p.now.Sub(t0), p.c.OpenStreams())
	}
	if d.After(p.now) {
		p.now = d
	}
	if err := p.c.Tick(p.now); err != nil && p.c.Err() == nil {
		p.t.Fatal(err)
	}
}

// sleepUntil sleeps until the engine writes a frame and returns it.
func (p *peer) sleepUntil() http2.Frame {
	p.t.Helper()
	for range 100 {
		if f, ok := p.tryRead(); ok {
			return f
		}
		p.sleep()
	}
	p.t.Fatal("nothing written after 100 deadlines")
	return nil
}

// Every timer is armed whatever order the loop does its work in: a response
// attached after Tick (as h2server does, in RunPending) to a peer that
// finished the handshake with a zero window and went silent is reset with
// CANCEL after FlowStallTimeout, counted from when it blocked.
func TestFlowStallArmedAfterTick(t *testing.T) {
	p := newPeer(t, Config{FlowStallTimeout: 30 * time.Second})
	p.h.manual = true
	setInitialWindow(p, 0)
	readSettingsAck(t, p)
	p.get(1)
	p.tick(time.Second) // the loop ticks after each read...
	p.h.respond(p.c.Stream(1))
	p.wantHeaders(1, false) // ...then attaches responses and writes
	start := p.now
	f := p.sleepUntil()
	if rst, ok := f.(*http2.RSTStreamFrame); !ok || rst.StreamID != 1 || rst.ErrCode != http2.ErrCodeCancel {
		t.Fatalf("got %v, want RST_STREAM 1 CANCEL", f)
	}
	if d := p.now.Sub(start); d != 30*time.Second {
		t.Fatalf("reset after %v, want 30s", d)
	}
	p.wantReject(reject.FlowControlStall)
	// The connection is idle now: the idle timer runs.
	if _, ok := p.c.NextDeadline(); !ok {
		t.Fatal("no idle deadline after the reset")
	}
}

// Config.RequestBodyTimeout: a request whose body stops arriving is reset
// with INTERNAL_ERROR (what nghttpd sends when its stream read timeout
// fires) exactly RequestBodyTimeout after its headers or its last DATA,
// counted as a reject; after that the idle timeout runs.
func TestRequestBodyTimeout(t *testing.T) {
	p := newPeer(t, Config{RequestBodyTimeout: time.Minute, IdleTimeout: 3 * time.Minute})
	p.h.manual = true
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	p.tick(0)
	if err := p.tick(time.Minute - 1); err != nil {
		t.Fatal(err)
	}
	p.data(1, false, []byte("x")) // restarts the timer
	p.tick(time.Minute - 1)
	p.wantNothing()
	p.tick(1)
	p.wantRST(1, http2.ErrCodeInternal)
	p.wantReject(reject.RequestBodyTimeout)
	if p.h.closes[1] != ErrCodeInternal || p.c.OpenStreams() != 0 {
		t.Fatalf("OnClose %v, %d open", p.h.closes[1], p.c.OpenStreams())
	}
	start := p.now
	f := p.sleepUntil()
	if ga, ok := f.(*http2.GoAwayFrame); !ok || ga.ErrCode != http2.ErrCodeNo || p.now.Sub(start) != 3*time.Minute {
		t.Fatalf("got %v after %v, want GOAWAY NO_ERROR after the idle timeout", f, p.now.Sub(start))
	}
}

// The request body timer is armed by the stream's HEADERS, without a Tick
// in between, and the loop is woken for it: a client that sends request
// headers and nothing more is reset after the default timeout (1 min).
func TestRequestBodyTimeoutDefault(t *testing.T) {
	p := newPeer(t, Config{})
	p.h.manual = true
	p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
	start := p.now
	f := p.sleepUntil()
	if rst, ok := f.(*http2.RSTStreamFrame); !ok || rst.ErrCode != http2.ErrCodeInternal || p.now.Sub(start) != DefaultRequestBodyTimeout {
		t.Fatalf("got %v after %v, want RST_STREAM INTERNAL_ERROR after %v", f, p.now.Sub(start), DefaultRequestBodyTimeout)
	}
}

// The request body timer does not run out while the engine's own receive
// window keeps the peer from sending (the handler has not consumed what it
// was given); a negative RequestBodyTimeout turns it off.
func TestRequestBodyTimeoutNotOurFault(t *testing.T) {
	t.Run("window closed by us", func(t *testing.T) {
		p := newPeer(t, Config{RequestBodyTimeout: time.Minute, InitialWindowSize: 65535, ConnWindowSize: 1 << 20})
		p.h.consume = false
		p.h.manual = true
		p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
		for range 3 {
			p.data(1, false, make([]byte, 16384))
		}
		p.data(1, false, make([]byte, 65535-3*16384))
		for range 5 {
			p.tick(time.Minute)
		}
		p.wantNothing()
		// Consumed: the window opens and the peer has a whole timeout again.
		st := p.c.Stream(1)
		p.c.Consume(st, 65535)
		p.read() // WINDOW_UPDATE
		p.tick(time.Minute - 1)
		p.wantNothing()
		p.tick(1)
		p.wantRST(1, http2.ErrCodeInternal)
	})
	t.Run("off", func(t *testing.T) {
		p := newPeer(t, Config{RequestBodyTimeout: -1})
		p.h.manual = true
		p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
		p.tick(time.Hour)
		p.wantNothing()
		if _, ok := p.c.NextDeadline(); ok {
			t.Fatal("a deadline with the timer off")
		}
	})
}

// A header block must arrive whole: a client that sends HEADERS without
// END_HEADERS and goes silent cannot hold the connection (a stream exists,
// so the idle timer does not run, and the stream cannot be reset in the
// middle of the block). The rest of the block must arrive within
// RequestBodyTimeout of its HEADERS frame, CONTINUATIONs or not, or the
// connection is closed with GOAWAY PROTOCOL_ERROR; the loop is woken for
// it without a Tick in between.
func TestHeaderBlockTimeout(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		setup func(p *peer) // before the incomplete block
		id    uint32
		want  time.Duration
	}{
		{name: "new stream", cfg: Config{RequestBodyTimeout: time.Minute}, id: 1, want: time.Minute},
		{name: "default", id: 1, want: DefaultRequestBodyTimeout},
		{name: "refused stream", cfg: Config{RequestBodyTimeout: time.Minute, MaxConcurrentStreams: 1}, id: 3, want: time.Minute,
			setup: func(p *peer) { p.headers(1, true, getHello...) }},
		{name: "trailers", cfg: Config{RequestBodyTimeout: time.Minute}, id: 1, want: time.Minute,
			setup: func(p *peer) {
				p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
				p.tick(30 * time.Second)
				p.data(1, false, []byte("x"))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPeer(t, tc.cfg)
			p.h.manual = true
			if tc.setup != nil {
				tc.setup(p)
			}
			kv := getHello
			if tc.name == "trailers" {
				kv = []string{"x-t", "1"}
			}
			blk := p.block(kv...)
			p.send(func(fr *http2.Framer) error {
				return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: tc.id, BlockFragment: blk[:1], EndStream: true})
			})
			start := p.now
			p.send(func(fr *http2.Framer) error { return fr.WriteContinuation(tc.id, false, blk[1:2]) })
			var f http2.Frame
			for f == nil || isWindowOrRST(f) {
				f = p.sleepUntil()
			}
			ga, ok := f.(*http2.GoAwayFrame)
			if !ok || ga.ErrCode != http2.ErrCodeProtocol || p.now.Sub(start) != tc.want {
				t.Fatalf("got %v after %v, want GOAWAY PROTOCOL_ERROR after %v", f, p.now.Sub(start), tc.want)
			}
			if reject.Name(ga.DebugData()) != reject.HeaderBlockTimeout {
				t.Fatalf("debug data %q", ga.DebugData())
			}
			p.wantReject(reject.HeaderBlockTimeout)
			if !p.c.Done() {
				t.Fatal("connection not done")
			}
		})
	}
	// Off with the request body timer: the block waits (nothing else can
	// be processed meanwhile anyway).
	p := newPeer(t, Config{RequestBodyTimeout: -1})
	blk := p.block(getHello...)
	p.send(func(fr *http2.Framer) error {
		return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk[:1], EndStream: true})
	})
	p.tick(time.Hour)
	p.wantNothing()
}

func isWindowOrRST(f http2.Frame) bool {
	switch f.(type) {
	case *http2.WindowUpdateFrame, *http2.RSTStreamFrame:
		return true
	}
	return false
}
