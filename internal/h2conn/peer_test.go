package h2conn

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/h2kit/h2kit/reject"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// peer is the scripted raw-frame client: it writes frames with x/net's
// Framer and HPACK encoder (an independent implementation) into Feed, and
// parses the engine's output with x/net's Framer.
type peer struct {
	t    *testing.T
	c    *Engine
	h    *recHandler
	now  time.Time
	w    bytes.Buffer // frames to feed
	r    bytes.Buffer // engine output not yet read
	fw   *http2.Framer
	fr   *http2.Framer
	enc  *xhpack.Encoder
	eb   bytes.Buffer
	dec  *xhpack.Decoder
	err  error // last Feed error
	last []xhpack.HeaderField
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// newRawPeer creates the engine and the peer without any handshake.
func newRawPeer(t *testing.T, cfg Config) *peer {
	t.Helper()
	p := &peer{t: t, h: newRecHandler(), now: t0}
	c, err := NewServerConn(cfg, p.h)
	if err != nil {
		t.Fatal(err)
	}
	p.c, p.h.c = c, c
	p.fw = http2.NewFramer(&p.w, nil)
	p.fw.AllowIllegalWrites = true
	p.fr = http2.NewFramer(nil, &p.r)
	p.fr.SetMaxReadFrameSize(1 << 24)
	p.dec = xhpack.NewDecoder(4096, nil)
	p.enc = xhpack.NewEncoder(&p.eb)
	c.Tick(p.now)
	return p
}

// newPeer does the whole connection preface (RFC 9113 §3.4) and SETTINGS
// exchange and checks the server's side of it.
func newPeer(t *testing.T, cfg Config) *peer {
	t.Helper()
	p := newRawPeer(t, cfg)
	p.feedRaw([]byte(http2.ClientPreface))
	p.send(func(fr *http2.Framer) error { return fr.WriteSettings() })
	f := p.read()
	if sf, ok := f.(*http2.SettingsFrame); !ok || sf.IsAck() {
		t.Fatalf("first server frame %v, want SETTINGS", f)
	}
	for {
		f := p.read()
		if sf, ok := f.(*http2.SettingsFrame); ok && sf.IsAck() {
			break
		}
		if _, ok := f.(*http2.WindowUpdateFrame); !ok {
			t.Fatalf("unexpected %v during preface", f)
		}
	}
	p.send(func(fr *http2.Framer) error { return fr.WriteSettingsAck() })
	p.h.events = nil
	return p
}

func (p *peer) feedRaw(b []byte) error {
	p.err = p.c.Feed(b)
	return p.err
}

// send writes frames with the x/net Framer and feeds them to the engine.
func (p *peer) send(write func(fr *http2.Framer) error) error {
	p.t.Helper()
	p.w.Reset()
	if err := write(p.fw); err != nil {
		p.t.Fatal(err)
	}
	return p.feedRaw(append([]byte(nil), p.w.Bytes()...))
}

// block HPACK-encodes fields given as name, value pairs.
func (p *peer) block(kv ...string) []byte {
	p.eb.Reset()
	for i := 0; i < len(kv); i += 2 {
		p.enc.WriteField(xhpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return append([]byte(nil), p.eb.Bytes()...)
}

var getHello = []string{":method", "GET", ":scheme", "https", ":path", "/hello", ":authority", "example.com"}

// headers sends a HEADERS frame with END_HEADERS.
func (p *peer) headers(id uint32, endStream bool, kv ...string) error {
	blk := p.block(kv...)
	return p.send(func(fr *http2.Framer) error {
		return fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: blk, EndStream: endStream, EndHeaders: true})
	})
}

func (p *peer) get(id uint32) error { return p.headers(id, true, getHello...) }

func (p *peer) data(id uint32, endStream bool, b []byte) error {
	return p.send(func(fr *http2.Framer) error { return fr.WriteData(id, endStream, b) })
}

func (p *peer) raw(typ http2.FrameType, flags http2.Flags, id uint32, payload []byte) error {
	return p.send(func(fr *http2.Framer) error { return fr.WriteRawFrame(typ, flags, id, payload) })
}

// fill moves the engine's output into the read buffer.
func (p *peer) fill() {
	p.r.Write(p.c.AppendOutput(nil))
}

// read returns the next frame the engine wrote; it fails the test if none.
func (p *peer) read() http2.Frame {
	p.t.Helper()
	f, ok := p.tryRead()
	if !ok {
		p.t.Fatal("no frame from the engine")
	}
	return f
}

func (p *peer) tryRead() (http2.Frame, bool) {
	p.t.Helper()
	if p.r.Len() == 0 {
		p.fill()
	}
	if p.r.Len() == 0 {
		return nil, false
	}
	f, err := p.fr.ReadFrame()
	if err != nil {
		p.t.Fatalf("engine wrote an unreadable frame: %v", err)
	}
	if hf, ok := f.(*http2.HeadersFrame); ok {
		blk := append([]byte(nil), hf.HeaderBlockFragment()...)
		for ended := hf.HeadersEnded(); !ended; {
			cf, err := p.fr.ReadFrame()
			if err != nil {
				p.t.Fatal(err)
			}
			cont, ok := cf.(*http2.ContinuationFrame)
			if !ok {
				p.t.Fatalf("want CONTINUATION, got %v", cf)
			}
			blk = append(blk, cont.HeaderBlockFragment()...)
			ended = cont.HeadersEnded()
		}
		p.last = p.decode(blk)
	}
	return f, true
}

func (p *peer) decode(b []byte) []xhpack.HeaderField {
	fs, err := p.dec.DecodeFull(b)
	if err != nil {
		p.t.Fatalf("engine's header block: %v", err)
	}
	return fs
}

// wantGoAway reads frames until a GOAWAY and checks its code and that Feed
// returned a matching *ConnError.
func (p *peer) wantGoAway(code http2.ErrCode) *http2.GoAwayFrame {
	p.t.Helper()
	for {
		f := p.read()
		if ga, ok := f.(*http2.GoAwayFrame); ok {
			if ga.ErrCode != code {
				p.t.Fatalf("GOAWAY %v (%q), want %v", ga.ErrCode, ga.DebugData(), code)
			}
			if code != http2.ErrCodeNo {
				var ce *ConnError
				if !errors.As(p.c.Err(), &ce) || uint32(ce.Code) != uint32(code) {
					p.t.Fatalf("Err() = %v, want ConnError %v", p.c.Err(), code)
				}
			}
			return ga
		}
	}
}

// wantRST reads the next frame and checks it is RST_STREAM id code.
func (p *peer) wantRST(id uint32, code http2.ErrCode) {
	p.t.Helper()
	f := p.read()
	rst, ok := f.(*http2.RSTStreamFrame)
	if !ok || rst.StreamID != id || rst.ErrCode != code {
		p.t.Fatalf("got %v, want RST_STREAM %d %v", f, id, code)
	}
	if p.c.Err() != nil {
		p.t.Fatalf("stream error turned into connection error %v", p.c.Err())
	}
}

// wantHeaders reads the next frame, a HEADERS on id, and returns its fields.
func (p *peer) wantHeaders(id uint32, endStream bool) []xhpack.HeaderField {
	p.t.Helper()
	f := p.read()
	hf, ok := f.(*http2.HeadersFrame)
	if !ok || hf.StreamID != id || hf.StreamEnded() != endStream {
		p.t.Fatalf("got %v, want HEADERS on %d endStream=%v", f, id, endStream)
	}
	return p.last
}

func (p *peer) wantData(id uint32, endStream bool) []byte {
	p.t.Helper()
	f := p.read()
	df, ok := f.(*http2.DataFrame)
	if !ok || df.StreamID != id || df.StreamEnded() != endStream {
		p.t.Fatalf("got %v, want DATA on %d endStream=%v", f, id, endStream)
	}
	return append([]byte(nil), df.Data()...)
}

func (p *peer) wantNothing() {
	p.t.Helper()
	if f, ok := p.tryRead(); ok {
		p.t.Fatalf("unexpected frame %v", f)
	}
}

func (p *peer) wantReject(name reject.Name) {
	p.t.Helper()
	for _, r := range p.h.rejects {
		if r == name {
			return
		}
	}
	p.t.Fatalf("reject %q not counted; got %q", name, p.h.rejects)
}

func (p *peer) tick(d time.Duration) error {
	p.now = p.now.Add(d)
	return p.c.Tick(p.now)
}

var _ = io.EOF
