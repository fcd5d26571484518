package hpack

import (
	"fmt"
	"testing"
)

// sampleLists is a small request/response sequence with the usual mix:
// static matches, dynamic matches, new literals, Huffman and raw strings.
func sampleLists() [][]HeaderField {
	var out [][]HeaderField
	for i := 0; i < 20; i++ {
		out = append(out, []HeaderField{
			{Name: ":method", Value: "GET"},
			{Name: ":scheme", Value: "https"},
			{Name: ":authority", Value: "www.example.com"},
			{Name: ":path", Value: fmt.Sprintf("/static/img/%d.png?v=%x", i, i*7919)},
			{Name: "user-agent", Value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"},
			{Name: "accept", Value: "image/avif,image/webp,*/*"},
			{Name: "accept-encoding", Value: "gzip, deflate, br"},
			{Name: "cookie", Value: fmt.Sprintf("session=%016x; theme=dark", i/5)},
			{Name: "x-request-id", Value: fmt.Sprintf("%08x-%04x", uint32(i)*2654435761, i)},
			{Name: "authorization", Value: "Bearer abcdef0123456789", Sensitive: i%2 == 0},
		})
	}
	return out
}

func TestDeflateZeroAllocs(t *testing.T) {
	lists := sampleLists()
	e := NewDeflater(4096)
	buf := make([]byte, 0, 4096)
	run := func() {
		e.table.evictTo(0) // same table progression every run
		for _, l := range lists {
			buf, _ = e.Deflate(buf[:0], l)
		}
	}
	run()
	if n := testing.AllocsPerRun(20, run); n != 0 {
		t.Errorf("Deflate allocates %.1f times per run of %d blocks", n, len(lists))
	}
}

func TestStreamingInflateZeroAllocs(t *testing.T) {
	lists := sampleLists()
	e := NewDeflater(4096)
	var blocks [][]byte
	for _, l := range lists {
		b, _ := e.Deflate(nil, l)
		blocks = append(blocks, b)
	}
	d := NewInflater()
	var n, size int
	d.SetEmitFunc(func(f HeaderField) { n++; size += len(f.Name) + len(f.Value) })
	for _, pieces := range []int{1, 3} {
		t.Run(fmt.Sprintf("pieces=%d", pieces), func(t *testing.T) {
			run := func() {
				d.table.evictTo(0)
				for _, b := range blocks {
					step := (len(b) + pieces - 1) / pieces
					for i := 0; i < len(b); i += step {
						if _, err := d.Write(b[i:min(i+step, len(b))]); err != nil {
							t.Fatal(err)
						}
					}
					if err := d.Close(); err != nil {
						t.Fatal(err)
					}
				}
			}
			run()
			n = 0
			run()
			if want := len(lists) * len(lists[0]); n != want {
				t.Fatalf("emitted %d fields, want %d", n, want)
			}
			if a := testing.AllocsPerRun(20, run); a != 0 {
				t.Errorf("streaming decode allocates %.1f times per run of %d blocks", a, len(blocks))
			}
		})
	}
}

// TestStreamingInflateFreshAllocs: a new connection's Inflater allocates
// its buffers as its first blocks need them — long Huffman-coded values (a
// 1.2 KiB cookie) and table compactions with names taken from the table
// included — a bounded number of times (each buffer doubles up to its
// working size), and then nothing for the blocks that follow.
func TestStreamingInflateFreshAllocs(t *testing.T) {
	lists := sampleLists()
	long := make([]byte, 1200)
	for i := range long {
		long[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(i*37)%64]
	}
	for i := range lists {
		lists[i] = append(lists[i], HeaderField{Name: "cookie", Value: fmt.Sprintf("%d=%s", i, long)},
			HeaderField{Name: "x-trace", Value: fmt.Sprintf("%0300d", i)})
	}
	e := NewDeflater(4096)
	var blocks, more [][]byte
	for _, l := range lists {
		b, _ := e.Deflate(nil, l)
		blocks = append(blocks, b)
	}
	for _, l := range lists {
		b, _ := e.Deflate(nil, l)
		more = append(more, b)
	}
	const runs = 50
	ds := make([]*Inflater, runs+1) // AllocsPerRun runs once more to warm up
	n := 0
	for i := range ds {
		ds[i] = NewInflater()
		ds[i].SetEmitFunc(func(HeaderField) { n++ })
	}
	next := 0
	decode := func(blocks [][]byte) func() {
		return func() {
			d := ds[next]
			next++
			for _, b := range blocks {
				if _, err := d.Write(b); err != nil {
					t.Fatal(err)
				}
				if err := d.Close(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// The table buffer doubles from 256 octets to 8 KiB (6 allocations),
	// the entry ring from 16 to 128 entries (4), the Huffman scratch from
	// the first string's need to the cookie's (at most 3).
	const maxFresh = 13
	if a := testing.AllocsPerRun(runs, decode(blocks)); a > maxFresh {
		t.Errorf("a fresh Inflater allocates %.1f times in its first %d blocks, want at most %d", a, len(blocks), maxFresh)
	}
	next = 0
	if a := testing.AllocsPerRun(runs, decode(more)); a != 0 {
		t.Errorf("after its first %d blocks an Inflater allocates %.1f times in the next %d", len(blocks), a, len(more))
	}
	if want := 2 * (runs + 1) * len(lists) * len(lists[0]); n != want {
		t.Fatalf("emitted %d fields, want %d", n, want)
	}
}
