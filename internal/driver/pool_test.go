package driver_test

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/driver"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
)

// countWriter counts the batches and bytes Flush writes.
type countWriter struct{ batches, bytes int }

func (w *countWriter) WriteBatch(b []byte) error {
	w.batches++
	w.bytes += len(b)
	return nil
}

// TestDriverCycleZeroAllocs: a connection's whole cycle as the server loop
// runs it, once warm (request bytes in, the handler answers, the output
// written, the connection sleeps and wakes), allocates nothing, although the
// write buffer and the engine's queued-frame buffer go back to their pools
// at every sleep and are taken again at every wake.
func TestDriverCycleZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("under the race detector sync.Pool drops items on purpose")
	}
	hdr := []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}
	body := []byte("hello, world")
	var bodyAny any = body // boxed once: SendResponse takes the body as an interface
	f := handler.FactoryFunc(func(s *handler.Stream) { s.SendResponse(200, hdr, bodyAny) })
	d, err := driver.New(h2conn.Config{}, f, handler.ConnInfo{}, handler.Options{ReuseStreams: true, DisableDate: true}, func() {})
	if err != nil {
		t.Fatal(err)
	}
	var hello bytes.Buffer
	hello.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&hello, nil)
	fr.WriteSettings()
	fr.WriteSettingsAck()
	if err := d.Start(time.Now(), hello.Bytes()); err != nil {
		t.Fatal(err)
	}
	// Requests as a client sends them after the first: the header block
	// refers to the dynamic table, and a WINDOW_UPDATE returns the last
	// response's DATA.
	var hb bytes.Buffer
	enc := xhpack.NewEncoder(&hb)
	fields := []xhpack.HeaderField{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"},
		{Name: ":authority", Value: "t"}, {Name: ":path", Value: "/hello.txt"}, {Name: "user-agent", Value: "test"}}
	block := func() []byte {
		hb.Reset()
		for _, f := range fields {
			enc.WriteField(f)
		}
		return append([]byte(nil), hb.Bytes()...)
	}
	var first bytes.Buffer
	fr = http2.NewFramer(&first, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block(), EndStream: true, EndHeaders: true})
	var req bytes.Buffer
	fr = http2.NewFramer(&req, nil)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: block(), EndStream: true, EndHeaders: true})
	fr.WriteWindowUpdate(0, uint32(len(body)))
	in := req.Bytes()

	w := &countWriter{}
	now := time.Now()
	id := uint32(3)
	cycle := func(p []byte) {
		if err := d.Input(now, p); err != nil {
			t.Fatal(err)
		}
		before := w.batches
		if err := d.Flush(w); err != nil {
			t.Fatal(err)
		}
		if w.batches == before {
			t.Fatal("no response written")
		}
		if !d.Sleep() {
			t.Fatal("the driver has work left after Flush")
		}
		d.Awake()
	}
	cycle(first.Bytes())
	run := func() {
		binary.BigEndian.PutUint32(in[5:9], id)
		id += 2
		cycle(in)
	}
	for range 100 {
		run()
	}
	if n := testing.AllocsPerRun(1000, run); n != 0 {
		t.Errorf("%v allocations per request cycle, want 0", n)
	}
	d.Close(frame.ErrCodeCancel)
}
