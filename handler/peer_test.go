package handler

import (
	"bytes"
	"testing"
	"time"

	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// peer is a scripted raw-frame HTTP/2 client driving a Conn without sockets: it
// writes frames with x/net's Framer into a buffer, feeds them to the engine, runs
// the queued handler operations, and parses what the engine writes back.
type peer struct {
	t     testing.TB
	c     *connState
	woken chan struct{}

	in   bytes.Buffer // frames to feed
	out  bytes.Buffer // server output not yet read
	wfr  *http2.Framer
	rfr  *http2.Framer
	enc  *xhpack.Encoder
	hbuf bytes.Buffer

	maxOutput int // the largest single AppendOutput result seen
}

func newPeer(t testing.TB, cfg h2conn.Config, f Factory, opts Options) *peer {
	t.Helper()
	p := &peer{t: t, woken: make(chan struct{}, 1)}
	c, err := newConnState(cfg, f, ConnInfo{}, opts, func() {
		select {
		case p.woken <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	p.c = c
	c.engine().Tick(time.Now())
	p.wfr = http2.NewFramer(&p.in, nil)
	p.rfr = http2.NewFramer(nil, &p.out)
	p.rfr.ReadMetaHeaders = xhpack.NewDecoder(4096, nil)
	p.rfr.MaxHeaderListSize = 1 << 20
	p.enc = xhpack.NewEncoder(&p.hbuf)
	return p
}

// handshake sends the preface and SETTINGS, and reads the server's SETTINGS.
func (p *peer) handshake(settings ...http2.Setting) {
	p.t.Helper()
	p.in.WriteString(http2.ClientPreface)
	p.wfr.WriteSettings(settings...)
	p.flush()
	for {
		f := p.next()
		if sf, ok := f.(*http2.SettingsFrame); ok && !sf.IsAck() {
			break
		}
	}
	p.wfr.WriteSettingsAck()
	p.flush()
	// Drain the SETTINGS ACK and the connection WINDOW_UPDATE.
	for p.out.Len() > 0 {
		p.next()
	}
}

// flush feeds everything written so far to the engine, applies queued handler
// operations and collects the output.
func (p *peer) flush() {
	p.t.Helper()
	eng := p.c.engine()
	if p.in.Len() > 0 {
		if err := eng.Feed(p.in.Bytes()); err != nil {
			p.t.Fatalf("Feed: %v", err)
		}
		p.in.Reset()
	}
	p.pump()
}

// pump applies queued operations and moves the engine's output to p.out.
func (p *peer) pump() {
	eng := p.c.engine()
	p.c.RunPending()
	for eng.WantWrite() {
		b := eng.AppendOutput(nil)
		p.maxOutput = max(p.maxOutput, len(b))
		p.out.Write(b)
		p.c.RunPending()
	}
}

// waitWake waits until another goroutine woke the connection, then pumps.
func (p *peer) waitWake() {
	p.t.Helper()
	if !p.c.Sleep() {
		// Work was queued before we went to sleep: no wake-up needed.
		p.pump()
		return
	}
	defer p.c.Awake()
	select {
	case <-p.woken:
	case <-time.After(10 * time.Second):
		p.t.Fatal("connection was never woken")
	}
	p.pump()
}

// next parses the next frame of the server's output.
func (p *peer) next() http2.Frame {
	p.t.Helper()
	if p.out.Len() == 0 {
		p.t.Fatal("no more output from the server")
	}
	f, err := p.rfr.ReadFrame()
	if err != nil {
		p.t.Fatalf("reading a server frame: %v", err)
	}
	return f
}

// request sends a request HEADERS frame on stream id.
func (p *peer) request(id uint32, method, path string, endStream bool, extra ...string) {
	p.t.Helper()
	p.hbuf.Reset()
	p.enc.WriteField(xhpack.HeaderField{Name: ":method", Value: method})
	p.enc.WriteField(xhpack.HeaderField{Name: ":scheme", Value: "https"})
	p.enc.WriteField(xhpack.HeaderField{Name: ":authority", Value: "example.test"})
	p.enc.WriteField(xhpack.HeaderField{Name: ":path", Value: path})
	for i := 0; i+1 < len(extra); i += 2 {
		p.enc.WriteField(xhpack.HeaderField{Name: extra[i], Value: extra[i+1]})
	}
	if err := p.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: p.hbuf.Bytes(),
		EndStream: endStream, EndHeaders: true}); err != nil {
		p.t.Fatal(err)
	}
	p.flush()
}

// response reads frames until stream id ends (END_STREAM or RST_STREAM) and
// returns its header fields, body, trailers and reset code (-1 if not reset).
type response struct {
	status   string
	header   map[string]string
	order    []string
	body     []byte
	trailer  map[string]string
	rst      int
	dataLens []int
}

// addHeaders records a HEADERS block: the response head the first time,
// trailers after it.
func (r *response) addHeaders(f *http2.MetaHeadersFrame) {
	if r.status != "" {
		r.trailer = map[string]string{}
		for _, hf := range f.Fields {
			r.trailer[hf.Name] = hf.Value
		}
		return
	}
	for _, hf := range f.Fields {
		if hf.Name == ":status" {
			r.status = hf.Value
		} else {
			r.header[hf.Name] = hf.Value
			r.order = append(r.order, hf.Name)
		}
	}
}

func (p *peer) readResponse(id uint32) response {
	p.t.Helper()
	r := response{rst: -1, header: map[string]string{}}
	for {
		switch f := p.next().(type) {
		case *http2.MetaHeadersFrame:
			if f.StreamID != id {
				p.t.Fatalf("HEADERS on stream %d, want %d", f.StreamID, id)
			}
			r.addHeaders(f)
			if f.StreamEnded() {
				return r
			}
		case *http2.DataFrame:
			if f.StreamID != id {
				p.t.Fatalf("DATA on stream %d, want %d", f.StreamID, id)
			}
			r.body = append(r.body, f.Data()...)
			r.dataLens = append(r.dataLens, len(f.Data()))
			if f.StreamEnded() {
				return r
			}
		case *http2.RSTStreamFrame:
			if f.StreamID == id {
				r.rst = int(f.ErrCode)
				return r
			}
		case *http2.WindowUpdateFrame, *http2.PingFrame, *http2.SettingsFrame:
		case *http2.GoAwayFrame:
			p.t.Fatalf("GOAWAY %v: %s", f.ErrCode, f.DebugData())
		default:
			p.t.Fatalf("unexpected frame %v", f)
		}
	}
}

// rawFrames splits b into frames and returns their headers and payloads, for
// golden-byte checks.
func rawFrames(b []byte) (frames [][]byte) {
	for len(b) >= 9 {
		n := 9 + (int(b[0])<<16 | int(b[1])<<8 | int(b[2]))
		frames = append(frames, b[:n])
		b = b[n:]
	}
	return frames
}
