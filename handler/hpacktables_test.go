package handler

import (
	"slices"
	"testing"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
)

// TestHPACKTables: Stream.HPACKTables, called in OnHeaders, shows the
// request side with what this request's header block added (x/net's encoder
// indexes every field it sends) and the response side with what the earlier
// responses added, newest first, with RFC 7541 §4.1 sizes, and the
// advertised maximum sizes (a client SETTINGS_HEADER_TABLE_SIZE of 8192
// does not raise the encoder's 4096 cap).
func TestHPACKTables(t *testing.T) {
	var got []HPACKTables
	f := FactoryFunc(func(s *Stream) {
		got = append(got, s.HPACKTables())
		s.SendResponse(200, []hpack.HeaderField{{Name: "x-served", Value: s.Path()}}, "ok")
	})
	p := newPeer(t, h2conn.Config{}, f, Options{DisableDate: true})
	p.handshake(http2.Setting{ID: http2.SettingHeaderTableSize, Val: 8192})
	p.request(1, "GET", "/a", true, "x-one", "1")
	p.readResponse(1)
	p.request(3, "GET", "/b", true, "x-two", "2")
	p.readResponse(3)
	if len(got) != 2 {
		t.Fatalf("%d snapshots, want 2", len(got))
	}
	names := func(tb HPACKTable) (out []string) {
		for _, e := range tb.Entries {
			out = append(out, e.Name+": "+e.Value)
		}
		return out
	}
	size := func(tb HPACKTable) (n uint32) {
		for _, e := range tb.Entries {
			if e.Size != uint32(len(e.Name)+len(e.Value)+32) {
				t.Errorf("entry %q size %d", e.Name, e.Size)
			}
			n += e.Size
		}
		return n
	}
	first, second := got[0], got[1]
	if want := []string{"x-one: 1", ":path: /a", ":authority: example.test"}; !slices.Equal(names(first.Request), want) {
		t.Errorf("first request table %q, want %q", names(first.Request), want)
	}
	if len(first.Response.Entries) != 0 || first.Response.Size != 0 {
		t.Errorf("response table before any response: %+v", first.Response)
	}
	if n := names(second.Request); len(n) != 5 || n[0] != "x-two: 2" || n[1] != ":path: /b" {
		t.Errorf("second request table %q", n)
	}
	if n := names(second.Response); !slices.Contains(n, "x-served: /a") {
		t.Errorf("second response table %q lacks the first response's field", n)
	}
	for _, tb := range []HPACKTable{first.Request, second.Request, second.Response} {
		if tb.Size != size(tb) {
			t.Errorf("table size %d, entries sum %d", tb.Size, size(tb))
		}
	}
	if first.Request.MaxSize != 4096 || second.Response.MaxSize != 4096 {
		t.Errorf("max sizes %d (request), %d (response), want 4096", first.Request.MaxSize, second.Response.MaxSize)
	}
}
