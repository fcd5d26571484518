package hpack

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"unsafe"
)

// tableBytes returns the heap bytes held by the Deflater's table.
func (d *Deflater) tableBytes() int {
	t := &d.table
	return len(t.ring)*int(unsafe.Sizeof(encEntry{})) + 8*(len(t.nameBuckets)+len(t.pairBuckets))
}

// tableBytes returns the heap bytes held by the Inflater's table and
// scratch buffers.
func (d *Inflater) tableBytes() int {
	t := &d.table
	return cap(t.buf) + cap(t.tmp) + len(t.ring)*int(unsafe.Sizeof(decEntry{})) +
		len(t.owned)*int(unsafe.Sizeof(ownedField{})) + cap(d.scratch) + cap(d.pending)
}

// allocBytes returns the bytes f allocates, averaged over n calls.
func allocBytes(n int, f func()) float64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	for range n {
		f()
	}
	runtime.ReadMemStats(&b)
	return float64(b.TotalAlloc-a.TotalAlloc) / float64(n)
}

// TestFreshCodecMemory: a new Deflater or Inflater allocates only its
// struct; the tables are sized lazily (they used to take 13 and 11.5 KiB up
// front per connection).
func TestFreshCodecMemory(t *testing.T) {
	const maxBytes = 512
	keepE := make([]*Deflater, 0, 101)
	if b := allocBytes(100, func() { keepE = append(keepE, NewDeflater(4096)) }); b > maxBytes {
		t.Errorf("NewDeflater(4096) allocates %.0f bytes, want at most %d", b, maxBytes)
	}
	// Inflate's slab and chunk state is allocated by the first Inflate, so
	// that a connection that only streams (the server) does not carry it.
	const maxInflater = 320
	keepI := make([]*Inflater, 0, 101)
	if b := allocBytes(100, func() { keepI = append(keepI, NewInflater()) }); b > maxInflater {
		t.Errorf("NewInflater() allocates %.0f bytes, want at most %d", b, maxInflater)
	}
	runtime.KeepAlive(keepE)
	runtime.KeepAlive(keepI)
}

// TestTableMemoryGrowsWithUse fills a connection's tables block by block,
// at the default size and after both sides move to a larger one: after
// every block the memory held is proportional to what the table holds (not
// its maximum), it never exceeds the bound for the maximum size, and both
// tables hold the same entries within the maximum size (eviction intact).
func TestTableMemoryGrowsWithUse(t *testing.T) {
	for _, size := range []uint32{4096, 65536} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			e := NewDeflater(size)
			d := NewInflater()
			d.SetEmitFunc(func(HeaderField) {})
			if size != DefaultHeaderTableSize {
				e.ChangeTableSize(size)
				d.ChangeTableSize(size)
			}
			// The first request: what it puts in the table is all
			// the connection holds.
			lists := sampleLists()
			first := lists[0]
			for i := 0; i < 400; i++ {
				var fs []HeaderField
				if i == 0 {
					fs = first
				} else {
					fs = slices.Clone(lists[i%len(lists)])
					// New values every block, so that the table fills
					// and then evicts.
					fs = append(fs, HeaderField{Name: "x-seq", Value: fmt.Sprintf("%0*d", 10+i%90, i)})
				}
				blk, _ := e.Deflate(nil, fs)
				if _, err := d.Write(blk); err != nil {
					t.Fatal(err)
				}
				if err := d.Close(); err != nil {
					t.Fatal(err)
				}
				et, dt := e.Table(), d.Table()
				if !slices.Equal(et, dt) {
					t.Fatalf("block %d: tables differ:\n%v\n%v", i, et, dt)
				}
				if d.TableSize() > d.MaxTableSize() || e.TableSize() > e.MaxTableSize() {
					t.Fatalf("block %d: table sizes %d, %d over the maximum %d", i, e.TableSize(), d.TableSize(), size)
				}
				// Bounds: the rings hold at most twice the entries (4
				// at least for the Deflater, 16 for the Inflater), the
				// buffer at most twice the bytes (256 at least, plus
				// the Huffman scratch of the longest value).
				n, used := len(dt), int(d.TableSize())
				eMax := max(4, 2*n)*int(unsafe.Sizeof(encEntry{})) + 4*8*max(4, 2*n)
				dMax := max(256, 2*used) + max(16, 2*n)*int(unsafe.Sizeof(decEntry{})) + 1024
				if got := e.tableBytes(); got > eMax {
					t.Fatalf("block %d: Deflater holds %d bytes for %d entries, want at most %d", i, got, n, eMax)
				}
				if got := d.tableBytes(); got > dMax {
					t.Fatalf("block %d: Inflater holds %d bytes for %d entries (%d octets), want at most %d", i, got, n, used, dMax)
				}
				if i == 0 {
					t.Logf("after the first request (%d entries, %d octets): Deflater %d bytes, Inflater %d bytes", n, used, e.tableBytes(), d.tableBytes())
				}
			}
			// Ceiling for the maximum size: 32-octet entries at least.
			maxEntries := 1
			for maxEntries < int(size/entryOverhead) {
				maxEntries *= 2
			}
			if got, lim := e.tableBytes(), maxEntries*(int(unsafe.Sizeof(encEntry{}))+32); got > lim {
				t.Errorf("Deflater holds %d bytes, want at most %d", got, lim)
			}
			if got, lim := d.tableBytes(), 2*int(size)+maxEntries*int(unsafe.Sizeof(decEntry{}))+1024; got > lim {
				t.Errorf("Inflater holds %d bytes, want at most %d", got, lim)
			}
		})
	}
}
