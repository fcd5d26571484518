package static

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/internal/driver"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// bufWriter collects what the driver writes.
type bufWriter struct{ bytes.Buffer }

func (w *bufWriter) WriteBatch(b []byte) error { _, err := w.Write(b); return err }

// TestRepeatedResponsesDecode: many responses on one connection, repeating
// and alternating files (the encoder then answers repeats from its block
// memo, by address for the precomputed lists), decode with x/net's decoder
// to exactly the fields Resolve describes, with the date added.
func TestRepeatedResponsesDecode(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"a.txt": "hello", "b.html": "<p>hi</p>", "c.txt": "hello"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := driver.New(h2conn.Config{}, s.Handler(), handler.ConnInfo{}, handler.Options{ReuseStreams: true}, func() {})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(frame.ErrCodeCancel)
	now := time.Now()
	var in bytes.Buffer
	in.WriteString(http2.ClientPreface)
	cfr := http2.NewFramer(&in, nil)
	cfr.WriteSettings()
	if err := d.Start(now, in.Bytes()); err != nil {
		t.Fatal(err)
	}
	var hb bytes.Buffer
	enc := xhpack.NewEncoder(&hb)
	dec := xhpack.NewDecoder(4096, nil)
	out := new(bufWriter)
	rfr := http2.NewFramer(nil, out)
	id := uint32(1)
	paths := []string{"/a.txt", "/a.txt", "/a.txt", "/b.html", "/a.txt", "/a.txt", "/c.txt", "/c.txt", "/missing", "/a.txt", "/missing", "/b.html", "/b.html", "/b.html"}
	for i, path := range paths {
		in.Reset()
		hb.Reset()
		for _, f := range []xhpack.HeaderField{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"},
			{Name: ":authority", Value: "x"}, {Name: ":path", Value: path}} {
			enc.WriteField(f)
		}
		cfr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
		cfr.WriteWindowUpdate(0, 100)
		if err := d.Input(now, in.Bytes()); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := d.Flush(out); err != nil {
			t.Fatal(err)
		}
		var got []xhpack.HeaderField
		for {
			f, err := rfr.ReadFrame()
			if err != nil {
				break
			}
			if h, ok := f.(*http2.HeadersFrame); ok && h.StreamID == id {
				if got, err = dec.DecodeFull(h.HeaderBlockFragment()); err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
			}
		}
		r := Request{Method: "GET", Target: path}
		resp := s.Resolve(&r)
		resp.Release()
		want := []xhpack.HeaderField{{Name: ":status", Value: strconv.Itoa(resp.Status)}}
		for _, f := range resp.Header {
			want = append(want, xhpack.HeaderField{Name: f.Name, Value: f.Value})
		}
		if len(got) != len(want)+1 || got[len(got)-1].Name != "date" {
			t.Fatalf("request %d (%s): %v, want %v and date", i, path, got, want)
		}
		for j := range want {
			if got[j].Name != want[j].Name || got[j].Value != want[j].Value {
				t.Fatalf("request %d (%s): field %d %v, want %v", i, path, j, got[j], want[j])
			}
		}
		id += 2
	}
}
