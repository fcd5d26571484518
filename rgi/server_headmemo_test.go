package rgi

import (
	"bufio"
	"bytes"
	"maps"
	"strings"
	"testing"
)

// TestHeadMemoGolden: a head written from the memo is byte for byte the
// head the general path writes for the same response, and any difference
// in what the head is made of (a value, a name, one header more or less,
// status, reason, framing, closing, HEAD pass-through, the date) renders
// the head anew. Each case writes first, then second, through one memo; the
// second must equal a fresh headWriter's output, and hit says whether the
// memo answered it.
func TestHeadMemoGolden(t *testing.T) {
	const d1, d2 = "Sun, 06 Dec 2026 14:00:00 GMT", "Sun, 06 Dec 2026 14:00:01 GMT"
	type resp struct {
		status  int
		reason  string
		headers map[string]string
		fr      framing
		date    string
		pass    bool
		closing bool
	}
	file := map[string]string{"content-type": "text/plain", "content-length": "12", "etag": `"1-c-2"`, "accept-ranges": "bytes"}
	with := func(k, v string) map[string]string { h := maps.Clone(file); h[k] = v; return h }
	without := func(k string) map[string]string { h := maps.Clone(file); delete(h, k); return h }
	base := resp{200, "OK", file, framing{framingLength, 12}, d1, false, false}
	tests := []struct {
		name          string
		first, second resp
		hit           bool
	}{
		{"same map", base, base, true},
		{"a copy of the map, next second", base, resp{200, "OK", maps.Clone(file), framing{framingLength, 12}, d2, false, false}, true},
		{"value changed", base, resp{200, "OK", with("etag", `"1-c-3"`), framing{framingLength, 12}, d1, false, false}, false},
		{"header added", base, resp{200, "OK", with("x-a", "1"), framing{framingLength, 12}, d1, false, false}, false},
		{"header removed", base, resp{200, "OK", without("etag"), framing{framingLength, 12}, d1, false, false}, false},
		{"same count, other name", base, resp{200, "OK", func() map[string]string { h := without("etag"); h["x-a"] = "1"; return h }(), framing{framingLength, 12}, d1, false, false}, false},
		{"status", base, resp{404, "OK", file, framing{framingLength, 12}, d1, false, false}, false},
		{"reason", base, resp{200, "Fine", file, framing{framingLength, 12}, d1, false, false}, false},
		{"closing", base, resp{200, "OK", file, framing{framingLength, 12}, d1, false, true}, false},
		{"no date", base, resp{200, "OK", file, framing{framingLength, 12}, "", false, false}, false},
		{"HEAD pass-through", base, resp{200, "OK", file, framing{}, d1, true, false}, false},
		{"framing added by the writer", resp{200, "OK", map[string]string{"x": "1"}, framing{framingLength, 5}, d1, false, false},
			resp{200, "OK", map[string]string{"x": "1"}, framing{framingLength, 6}, d1, false, false}, false},
		{"framing added, same", resp{200, "OK", map[string]string{"x": "1"}, framing{framingLength, 5}, d1, false, false},
			resp{200, "OK", map[string]string{"x": "1"}, framing{framingLength, 5}, d2, false, true}, false},
		{"chunked", resp{200, "OK", nil, framing{framingChunked, 0}, d1, false, false}, resp{200, "OK", nil, framing{framingChunked, 0}, d2, false, false}, true},
		{"app's own date", resp{200, "OK", map[string]string{"date": d1}, framing{}, d2, false, false},
			resp{200, "OK", map[string]string{"date": d1}, framing{}, d2, false, false}, true},
		{"app's date then none", resp{200, "OK", map[string]string{"date": d1}, framing{}, d2, false, false},
			resp{200, "OK", map[string]string{"x-date": d1}, framing{}, d2, false, false}, false},
	}
	// A swap of the first one's map after it was written must not change
	// what the memo holds: it keeps the values, not the map.
	mutated := maps.Clone(file)
	tests = append(tests, struct {
		name          string
		first, second resp
		hit           bool
	}{"map changed after the first write", resp{200, "OK", mutated, framing{framingLength, 12}, d1, false, false},
		resp{200, "OK", mutated, framing{framingLength, 12}, d1, false, false}, false})

	write := func(m *headMemo, hw *headWriter, r resp) (string, error) {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		_, err := m.writeResponseHead(hw, bw, r.status, r.reason, r.headers, r.fr, r.date, r.pass, r.closing)
		bw.Flush()
		return out.String(), err
	}
	for _, tt := range tests {
		var m headMemo
		var hw headWriter
		if _, err := write(&m, &hw, tt.first); err != nil {
			t.Fatalf("%s: first: %v", tt.name, err)
		}
		if tt.name == "map changed after the first write" {
			mutated["etag"] = `"changed"`
		}
		s := tt.second
		hit := m.matches(s.status, s.reason, s.headers, s.fr, s.date, s.pass, s.closing)
		got, err := write(&m, &hw, s)
		var want bytes.Buffer
		bw := bufio.NewWriter(&want)
		var fresh headWriter
		werr := fresh.writeResponseHead(bw, s.status, s.reason, s.headers, s.fr, s.date, s.pass, s.closing)
		bw.Flush()
		if err != nil || werr != nil || got != want.String() {
			t.Errorf("%s:\n got %q, %v\nwant %q, %v", tt.name, got, err, want.String(), werr)
		}
		if hit != tt.hit {
			t.Errorf("%s: memo hit %v, want %v", tt.name, hit, tt.hit)
		}
		if !strings.HasSuffix(got, "\r\n\r\n") {
			t.Errorf("%s: head %q does not end the preamble", tt.name, got)
		}
	}
}

// TestHeadMemoInvalidNotRemembered: a response the general path refuses is
// refused again (the memo remembers only what was written), and the
// remembered head stays the last good one.
func TestHeadMemoInvalidNotRemembered(t *testing.T) {
	var m headMemo
	var hw headWriter
	bw := bufio.NewWriter(&bytes.Buffer{})
	good := map[string]string{"x": "1"}
	if _, err := m.writeResponseHead(&hw, bw, 200, "OK", good, framing{}, "", false, false); err != nil {
		t.Fatal(err)
	}
	for i, h := range []map[string]string{{"x": "1\r\nevil: 1"}, {"X": "1"}, {"x": "1", "content-length": "3"}} {
		for range 2 {
			if _, err := m.writeResponseHead(&hw, bw, 200, "OK", h, framing{}, "", false, false); err == nil {
				t.Errorf("%d: %v accepted", i, h)
			}
		}
	}
	if !m.matches(200, "OK", good, framing{}, "", false, false) {
		t.Error("the good head was forgotten")
	}
}

// TestServeConnHeadMemoAcrossResponses: on one connection, responses that
// alternate between two heads, and a header changed in place by the app
// between two requests, are each written as the general path writes them.
func TestServeConnHeadMemoAcrossResponses(t *testing.T) {
	h := map[string]string{"content-type": "text/plain", "x-n": "0"}
	n := 0
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		n++
		switch n {
		case 1, 2, 5:
			return Response{Status: 200, Reason: "OK", Headers: maps.Clone(h), Body: "hello"}
		case 3:
			return Response{Status: 404, Reason: "Not Found", Headers: map[string]string{"content-type": "text/plain"}, Body: "nope"}
		case 4:
			h["x-n"] = "4"
			return Response{Status: 200, Reason: "OK", Headers: maps.Clone(h), Body: "hello"}
		}
		return Response{Status: 200, Reason: "OK", Headers: h, Body: "hello"}
	})
	o := benchOptions()
	o.DisableDate = true
	s, err := NewConnServer(app, o)
	if err != nil {
		t.Fatal(err)
	}
	c := &recordConn{memConn: memConn{req: []byte("GET / HTTP/1.1\r\n\r\n"), n: 5}}
	s.ServeConn(c, nil)
	ok := "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-type: text/plain\r\nx-n: 0\r\n\r\nhello"
	want := ok + ok +
		"HTTP/1.1 404 Not Found\r\ncontent-length: 4\r\ncontent-type: text/plain\r\n\r\nnope" +
		strings.Replace(ok, "x-n: 0", "x-n: 4", 1) + strings.Replace(ok, "x-n: 0", "x-n: 4", 1)
	if got := c.out.String(); got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

// recordConn is a memConn that keeps what is written.
type recordConn struct {
	memConn
	out bytes.Buffer
}

func (c *recordConn) Write(p []byte) (int, error) { return c.out.Write(p) }
