//go:build nghttp2 && unix

package hpackbench

import (
	"runtime"
	"syscall"
	"testing"

	"github.com/h2kit/h2kit/hpack"
)

// TestSameFields checks that the three decoders the benchmark compares
// decode the same fields from each wire set: the same count and checksum.
func TestSameFields(t *testing.T) {
	for _, w := range wireSets(t) {
		t.Run(w.name, func(t *testing.T) {
			var nf, ns, sf int
			var nsum, isum, ssum uint64
			for i, st := range w.blocks {
				ng, err := NewNghttp2Inflater()
				if err != nil {
					t.Fatal(err)
				}
				n, s, err := ng.Decode(w.c[i])
				ng.Free()
				if err != nil {
					t.Fatalf("story %d: %v", i, err)
				}
				nf += n
				nsum += s
				in := hpack.NewInflater()
				str := hpack.NewInflater()
				str.SetEmitFunc(func(f hpack.HeaderField) { sf++; ssum = Checksum(ssum, f) })
				for j, b := range st {
					fs, err := in.Inflate(b)
					if err != nil {
						t.Fatalf("story %d block %d: %v", i, j, err)
					}
					for _, f := range fs {
						ns++
						isum = Checksum(isum, f)
					}
					if _, err := str.Write(b); err != nil {
						t.Fatal(err)
					}
					if err := str.Close(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if nf != w.fields || ns != w.fields || sf != w.fields {
				t.Errorf("fields: nghttp2 %d, Inflate %d, stream %d, want %d", nf, ns, sf, w.fields)
			}
			if nsum != isum || nsum != ssum {
				t.Errorf("checksums differ: nghttp2 %x, Inflate %x, stream %x", nsum, isum, ssum)
			}
		})
	}
}

// meter measures the timed region only: wall time (the benchmark timer),
// process CPU time, and allocations (Go's, or libnghttp2's through its
// counting allocator).
type meter struct {
	b       *testing.B
	cpu     int64
	allocs  uint64
	cAllocs bool
}

func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func (m *meter) allocCount() uint64 {
	if m.cAllocs {
		return Nghttp2Allocs()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// run times fn over b.N passes over the corpus; setup builds one pass's
// per-story decoders with the timer stopped (a new connection each).
func (m *meter) run(w *wireSet, setup, fn func()) {
	b := m.b
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	for range b.N {
		setup()
		a0 := m.allocCount()
		c0 := cpuNanos()
		b.StartTimer()
		fn()
		b.StopTimer()
		m.cpu += cpuNanos() - c0
		m.allocs += m.allocCount() - a0
	}
	n := float64(b.N) * float64(w.nblocks)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/block")
	b.ReportMetric(float64(m.cpu)/n, "cpu-ns/block")
	b.ReportMetric(float64(m.allocs)/n, "allocs/block")
}

// BenchmarkDecode decodes the hpack-test-case raw-data stories, each story
// one connection (one decoder for all its blocks, in order), with
// libnghttp2 (nghttp2_hd_inflate_hd2, one cgo call per story), h2kit's
// Inflate (owned fields) and h2kit's streaming decoder (SetEmitFunc, Write,
// Close). Every decoder decodes the same bytes: h2kit's encoding of the
// stories (as in hpack's BenchmarkDecode) and nghttp2's (the corpus's
// nghttp2 directory). Building the decoders is outside the timed region.
func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for _, w := range wireSets(b) {
		b.Run(w.name, func(b *testing.B) {
			b.Run("nghttp2", func(b *testing.B) {
				m := &meter{b: b, cAllocs: true}
				ds := make([]*Nghttp2Inflater, len(w.c))
				var fields int
				m.run(w, func() {
					for i := range ds {
						ds[i].Free()
						var err error
						if ds[i], err = NewNghttp2Inflater(); err != nil {
							b.Fatal(err)
						}
					}
				}, func() {
					fields = 0
					for i, c := range w.c {
						n, _, err := ds[i].Decode(c)
						if err != nil {
							b.Fatal(err)
						}
						fields += n
					}
				})
				for _, d := range ds {
					d.Free()
				}
				if fields != w.fields {
					b.Fatalf("decoded %d fields, want %d", fields, w.fields)
				}
			})
			b.Run("h2kit-inflate", func(b *testing.B) {
				m := &meter{b: b}
				ds := make([]*hpack.Inflater, len(w.blocks))
				var fields int
				m.run(w, func() {
					for i := range ds {
						ds[i] = hpack.NewInflater()
					}
				}, func() {
					fields = 0
					for i, st := range w.blocks {
						d := ds[i]
						for _, blk := range st {
							fs, err := d.Inflate(blk)
							if err != nil {
								b.Fatal(err)
							}
							fields += len(fs)
						}
					}
				})
				if fields != w.fields {
					b.Fatalf("decoded %d fields, want %d", fields, w.fields)
				}
			})
			b.Run("h2kit-stream", func(b *testing.B) {
				m := &meter{b: b}
				ds := make([]*hpack.Inflater, len(w.blocks))
				var fields, sink int
				emit := func(f hpack.HeaderField) {
					fields++
					sink += len(f.Name) + len(f.Value)
				}
				m.run(w, func() {
					for i := range ds {
						ds[i] = hpack.NewInflater()
						ds[i].SetEmitFunc(emit)
					}
				}, func() {
					fields = 0
					for i, st := range w.blocks {
						d := ds[i]
						for _, blk := range st {
							if _, err := d.Write(blk); err != nil {
								b.Fatal(err)
							}
							if err := d.Close(); err != nil {
								b.Fatal(err)
							}
						}
					}
				})
				if fields != w.fields {
					b.Fatalf("decoded %d fields, want %d", fields, w.fields)
				}
			})
			b.Run("h2kit-fields-floor", func(b *testing.B) {
				// Not a decoder: the streaming decoder plus what a
				// []HeaderField result costs on its own, without
				// owned strings (the fields alias the decoder's
				// memory, which is wrong for real use). Fields are
				// carved from 128-field slabs as Inflate does. It is
				// the floor under any Inflate that returns fields.
				m := &meter{b: b}
				ds := make([]*hpack.Inflater, len(w.blocks))
				var slab []hpack.HeaderField
				var fields, first, used int
				emit := func(f hpack.HeaderField) {
					if used == len(slab) {
						// A new slab, the block's fields so far
						// moved to it.
						ns := make([]hpack.HeaderField, max(128, 2*(used-first)))
						used = copy(ns, slab[first:used])
						slab, first = ns, 0
					}
					g := &slab[used]
					g.Name = f.Name
					g.Value = f.Value
					g.Sensitive = f.Sensitive
					used++
				}
				m.run(w, func() {
					for i := range ds {
						ds[i] = hpack.NewInflater()
						ds[i].SetEmitFunc(emit)
					}
				}, func() {
					fields = 0
					for i, st := range w.blocks {
						d := ds[i]
						for _, blk := range st {
							first = used
							if _, err := d.Write(blk); err != nil {
								b.Fatal(err)
							}
							if err := d.Close(); err != nil {
								b.Fatal(err)
							}
							fs := slab[first:used:used]
							fields += len(fs)
						}
					}
				})
				if fields != w.fields {
					b.Fatalf("collected %d fields, want %d", fields, w.fields)
				}
			})
		})
	}
}
