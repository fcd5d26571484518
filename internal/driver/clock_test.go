package driver_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/internal/driver"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

type collect struct{ bytes.Buffer }

func (c *collect) WriteBatch(b []byte) error { c.Write(b); return nil }

// TestInputClockBeforeFeed: bytes that arrive after the loop slept in a read
// are fed at the time they were read. Timers that Feed arms (a new stream's
// request-body timer, the idle timer when the last stream closes) must start
// then, not at the time of the Tick before the sleep, or a request that opens
// after an idle gap longer than RequestBodyTimeout is reset at once.
func TestInputClockBeforeFeed(t *testing.T) {
	f := func(*handler.Stream) handler.RequestHandler { return &handler.BaseRequestHandler{} }
	d, err := driver.New(h2conn.Config{RequestBodyTimeout: 300 * time.Millisecond}, handler.Factory(f),
		handler.ConnInfo{}, handler.Options{}, func() {})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(frame.ErrCodeCancel)
	t0 := time.Unix(1_000_000, 0)
	var in bytes.Buffer
	fr := http2.NewFramer(&in, nil)
	in.WriteString(http2.ClientPreface)
	fr.WriteSettings()
	if err := d.Start(t0, in.Bytes()); err != nil {
		t.Fatal(err)
	}
	in.Reset()
	var out collect
	if err := d.Flush(&out); err != nil {
		t.Fatal(err)
	}

	// A second later (the loop slept in its read), a POST whose body is on
	// its way; 50 ms after that, a wake-up with nothing read.
	var hb bytes.Buffer
	enc := xhpack.NewEncoder(&hb)
	for _, kv := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":authority", "a"}, {":path", "/"}} {
		enc.WriteField(xhpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	fr.WriteSettingsAck()
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true})
	out.Reset()
	t1 := t0.Add(time.Second)
	if err := d.Input(t1, in.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := d.Input(t1.Add(50*time.Millisecond), nil); err != nil {
		t.Fatal(err)
	}
	if err := d.Flush(&out); err != nil {
		t.Fatal(err)
	}
	rd := http2.NewFramer(nil, &out)
	for out.Len() > 0 {
		fr, err := rd.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if rst, ok := fr.(*http2.RSTStreamFrame); ok {
			t.Fatalf("stream reset (%v) 50 ms after its HEADERS arrived; RequestBodyTimeout is 300 ms", rst.ErrCode)
		}
	}
}
