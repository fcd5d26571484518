package h2conn

import (
	"bytes"
	"testing"
	"time"

	"github.com/h2kit/h2kit/hpack"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// fuzzSeeds are valid and nearly valid frame sequences sent after the
// preface and SETTINGS.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	var w bytes.Buffer
	fr := http2.NewFramer(&w, nil)
	fr.AllowIllegalWrites = true
	var eb bytes.Buffer
	enc := xhpack.NewEncoder(&eb)
	blk := func(kv ...string) []byte {
		eb.Reset()
		for i := 0; i < len(kv); i += 2 {
			enc.WriteField(xhpack.HeaderField{Name: kv[i], Value: kv[i+1]})
		}
		return append([]byte(nil), eb.Bytes()...)
	}
	add := func() {
		seeds = append(seeds, append([]byte(nil), w.Bytes()...))
		w.Reset()
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk(getHello...), EndStream: true, EndHeaders: true})
	add()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk(":method", "POST", ":scheme", "https", ":path", "/", "content-length", "3"), EndHeaders: true})
	fr.WriteData(1, false, []byte("ab"))
	fr.WriteWindowUpdate(1, 100)
	fr.WriteData(1, true, []byte("c"))
	fr.WritePing(false, [8]byte{1})
	add()
	b := blk(getHello...)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: b[:2], Priority: http2.PriorityParam{StreamDep: 1, Weight: 3}})
	fr.WriteContinuation(3, true, b[2:])
	fr.WriteRSTStream(3, http2.ErrCodeCancel)
	fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1}, http2.Setting{ID: http2.SettingHeaderTableSize, Val: 0})
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 5, BlockFragment: blk(getHello...), EndStream: true, EndHeaders: true})
	fr.WriteWindowUpdate(0, 10)
	fr.WriteGoAway(0, http2.ErrCodeNo, nil)
	add()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk(":method", "POST", ":scheme", "https", ":path", "/"), EndHeaders: true})
	fr.WriteDataPadded(1, false, []byte("xy"), make([]byte, 9))
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk("x-t", "1"), EndStream: true, EndHeaders: true})
	fr.WriteRawFrame(0x33, 0, 0, []byte("ext"))
	add()
	// A header block that never ends, then a request body that stops.
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: b[:2]})
	add()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: blk(":method", "POST", ":scheme", "https", ":path", "/"), EndHeaders: true})
	fr.WriteData(1, false, []byte("ab"))
	add()
	return seeds
}

// FuzzServerConn: arbitrary bytes after a valid preface never panic or hang
// the engine, its state stays within the configured bounds, and its output
// stays proportional to its input. Time is fuzzed too: clock picks, two bits
// per chunk fed, how far the clock moves before the next Tick (10 ms, 1 s,
// to NextDeadline as a loop whose read timed out does, or not at all).
// Once the input is exhausted the peer is silent and the loop sleeps from
// deadline to deadline: a silent peer never holds the connection, so it
// must end (unless the handler itself holds the request body unconsumed).
func FuzzServerConn(f *testing.F) {
	for _, s := range fuzzSeeds() {
		for _, ch := range []uint8{0, 7, 0x17, 0x40, 0x81, 0xc3} {
			f.Add(ch, uint64(0), s)
			f.Add(ch, uint64(0xaaaaaaaaaaaaaaaa), s)
		}
	}
	f.Fuzz(func(t *testing.T, chunk uint8, clock uint64, in []byte) {
		h := newRecHandler()
		cfg := Config{MaxConcurrentStreams: 8, MaxHeaderListSize: 4096}
		// The high bits of chunk pick a variant: pushes (each request
		// promises a resource, answered at once), large bodies that meet
		// flow control, small receive windows, deferred bodies with
		// trailers.
		switch chunk >> 6 {
		case 0:
			if chunk&0x10 != 0 {
				cfg.MaxPushPromises = 4
				h.onHdr = func(st *Stream) {
					if ps, err := h.c.PushPromise(st, PushRequest{Method: "GET", Path: "/p"}); err == nil {
						h.respond(ps)
					}
				}
			}
		case 1:
			h.body = make([]byte, 40000) // SetBodyBytes: referenced by AppendOutputVec
		case 2:
			cfg.InitialWindowSize, cfg.ConnWindowSize = 100, 65535
			h.consume = chunk&1 == 0
		case 3:
			h.onEnd = func(st *Stream) {
				h.c.SendHeaders(st, 200, nil, false)
				h.c.SetBody(st, &trailerSource{bytesSource{make([]byte, 3000)}, []hpack.HeaderField{{Name: "x-t", Value: "1"}}})
			}
		}
		c, err := NewServerConn(cfg, h)
		if err != nil {
			t.Fatal(err)
		}
		h.c = c
		now := t0
		c.Tick(now)
		var pre bytes.Buffer
		pre.WriteString(http2.ClientPreface)
		pfr := http2.NewFramer(&pre, nil)
		pfr.WriteSettings()
		pfr.WriteSettingsAck() // or the SETTINGS timeout would end every silent phase
		if err := c.Feed(pre.Bytes()); err != nil {
			t.Fatal(err)
		}
		size := int(chunk&0x3f) + 1
		if chunk == 0 {
			size = len(in) + 1
		}
		out, inLen := 0, len(in)
		for len(in) > 0 && c.Err() == nil {
			n := min(size, len(in))
			c.Feed(in[:n])
			in = in[n:]
			switch clock & 3 {
			case 0:
				now = now.Add(10 * time.Millisecond)
			case 1:
				now = now.Add(time.Second)
			case 2:
				if d, ok := c.NextDeadline(); ok && d.After(now) {
					now = d
				}
			}
			clock = clock>>2 | clock<<62
			c.Tick(now)
			if c.OpenStreams()-c.PushedStreams() > 8 || c.PushedStreams() > 4 {
				t.Fatalf("%d open streams (%d pushed) with limits of 8 and 4 pushed", c.OpenStreams(), c.PushedStreams())
			}
			if c.BufferedBytes() > c.cfg.MaxBufferedBytes+frameMax(c) {
				t.Fatalf("buffered %d", c.BufferedBytes())
			}
			for i := 0; c.WantWrite(); i++ {
				if i > 1000 {
					t.Fatal("AppendOutput does not make progress")
				}
				if chunk&0x20 != 0 {
					for _, b := range c.AppendOutputVec(nil) {
						out += len(b)
					}
				} else {
					out += len(c.AppendOutput(nil))
				}
			}
		}
		out += len(c.AppendOutput(nil))
		for i := 0; !c.Done() && i < 100; i++ {
			d, ok := c.NextDeadline()
			if !ok {
				break
			}
			if d.Before(now) {
				t.Fatalf("deadline %v before the last Tick %v", d, now)
			}
			now = d
			c.Tick(now)
			for j := 0; c.WantWrite(); j++ {
				if j > 1000 {
					t.Fatal("AppendOutput does not make progress")
				}
				out += len(c.AppendOutput(nil))
			}
		}
		if !c.Done() && h.consume {
			t.Fatalf("a silent peer holds the connection: %d streams open, deadline armed: %v", c.OpenStreams(), deadlineArmed(c))
		}
		if c.Err() != nil && !c.Done() {
			t.Fatal("connection error but not done")
		}
		if limit := 64*(inLen+len(pre.Bytes())) + 1<<20; out > limit {
			t.Fatalf("%d octets out", out)
		}
	})
}

func deadlineArmed(c *Engine) bool { _, ok := c.NextDeadline(); return ok }

func frameMax(c *Engine) int { return 9 + int(c.cfg.MaxFrameSize) }
