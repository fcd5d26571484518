package handler

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// fuzzFactory answers by path with every body kind, including misbehaving
// generators, so that arbitrary peer input meets every response path.
func fuzzFactory(s *Stream) RequestHandler {
	return &funcHandler{
		onData: func(s *Stream, d []byte) {},
		onDone: func(s *Stream) {
			switch {
			case strings.HasPrefix(s.Path(), "/gen"):
				n := 0
				s.SendResponse(200, nil, BodyGenerator(func(max int) ([]byte, DataFlag) {
					n++
					switch n % 4 {
					case 0:
						return nil, DataDeferred
					case 3:
						return make([]byte, max+1), DataOK
					}
					return make([]byte, min(max, 100)), DataOK
				}))
				s.Resume()
			case strings.HasPrefix(s.Path(), "/reader"):
				s.SendResponse(200, nil, strings.NewReader(strings.Repeat("r", 70000)))
			case strings.HasPrefix(s.Path(), "/reset"):
				s.Reset(Cancel)
			case strings.HasPrefix(s.Path(), "/trailers"):
				s.SetTrailers(nil)
				s.SendResponse(200, nil, "t")
			default:
				s.SendResponse(200, nil, "hello")
			}
		},
	}
}

// FuzzConn feeds a valid preface and SETTINGS followed by arbitrary bytes to a
// connection through the handler layer: nothing may panic or hang, and the
// output stays bounded.
func FuzzConn(f *testing.F) {
	var seed bytes.Buffer
	fr := http2.NewFramer(&seed, nil)
	var hb bytes.Buffer
	enc := xhpack.NewEncoder(&hb)
	for i, path := range []string{"/", "/gen", "/reader", "/reset", "/trailers"} {
		hb.Reset()
		for _, kv := range [][2]string{{":method", "POST"}, {":scheme", "https"}, {":authority", "a"}, {":path", path}} {
			enc.WriteField(xhpack.HeaderField{Name: kv[0], Value: kv[1]})
		}
		id := uint32(2*i + 1)
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hb.Bytes(), EndHeaders: true})
		fr.WriteData(id, true, []byte("body"))
	}
	fr.WriteWindowUpdate(0, 100)
	fr.WriteRSTStream(3, http2.ErrCodeCancel)
	f.Add(seed.Bytes())
	f.Add([]byte{0, 0, 0, 4, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := newPeer(t, h2conn.Config{}, fuzzFactory, Options{})
		p.in.WriteString(http2.ClientPreface)
		p.wfr.WriteSettings()
		p.in.Write(data)
		eng := p.c.engine()
		err := eng.Feed(p.in.Bytes())
		p.in.Reset()
		eng.Tick(time.Now())
		for i := 0; i < 100 && (eng.WantWrite() || p.c.HasPending()); i++ {
			p.c.RunPending()
			b := eng.AppendOutput(nil)
			if len(b) > h2conn.DefaultMaxWriteBatch+1<<20 {
				t.Fatalf("output batch of %d bytes", len(b))
			}
		}
		if err != nil {
			eng.CloseStreams(frame.ErrCodeCancel)
		}
	})
}
