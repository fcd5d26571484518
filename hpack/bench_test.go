package hpack_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/h2kit/h2kit/hpack"
	xhpack "golang.org/x/net/http2/hpack"
)

// The official benchmarks: the hpack-test-case raw-data stories, each story
// one connection (one Deflater or Inflater for all its blocks, in order).
// One b.N iteration processes the whole corpus; the custom metrics are per
// header block:
//
//	ns/block      wall time per header block
//	cpu-ns/block  process CPU time (user+system, GC included) per block:
//	              steadier than wall time on a machine shared with other work
//	MB/s          raw name+value bytes per second (b.SetBytes)
//	allocs/block  heap allocations per block, codec construction excluded
//	ratio         wire bytes / raw name+value bytes of the blocks
//
// Reproduce the README table with
//
//	go test ./hpack -run '^$' -bench . -benchtime 2s -count 5

// benchCorpus is the raw-data corpus prepared for the benchmarks.
type benchCorpus struct {
	stories  [][][]hpack.HeaderField  // story, block, field
	xstories [][][]xhpack.HeaderField // the same for x/net
	blocks   int
	fields   int
	raw      int64 // name+value bytes
}

func loadBenchCorpus(b *testing.B) *benchCorpus {
	c := &benchCorpus{}
	for _, s := range corpus(b)[corpusRawDir] {
		var st [][]hpack.HeaderField
		var xst [][]xhpack.HeaderField
		for _, cs := range s.Cases {
			st = append(st, cs.Fields)
			xst = append(xst, toXNet(cs.Fields))
			c.blocks++
			c.fields += len(cs.Fields)
			c.raw += int64(cs.RawBytes)
		}
		c.stories = append(c.stories, st)
		c.xstories = append(c.xstories, xst)
	}
	return c
}

// benchMeter counts allocations while the timer runs only, so that building
// a fresh codec per story (a new connection) is not charged to the blocks.
type benchMeter struct {
	b       *testing.B
	mallocs uint64
	cpu     int64 // process CPU nanoseconds while the timer ran
	cpuOK   bool
	ms      runtime.MemStats
}

func (m *benchMeter) start() {
	runtime.ReadMemStats(&m.ms)
	m.mallocs -= m.ms.Mallocs
	var cpu int64
	cpu, m.cpuOK = processCPU()
	m.cpu -= cpu
	m.b.StartTimer()
}

func (m *benchMeter) stop() {
	m.b.StopTimer()
	cpu, ok := processCPU()
	m.cpu += cpu
	m.cpuOK = m.cpuOK && ok
	runtime.ReadMemStats(&m.ms)
	m.mallocs += m.ms.Mallocs
}

// report adds the per-block metrics; wire is the wire size of one pass.
func (m *benchMeter) report(c *benchCorpus, wire int) {
	b := m.b
	n := float64(b.N) * float64(c.blocks)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/block")
	if m.cpuOK {
		b.ReportMetric(float64(m.cpu)/n, "cpu-ns/block")
	}
	b.ReportMetric(float64(m.mallocs)/n, "allocs/block")
	b.ReportMetric(float64(wire)/float64(c.raw), "ratio")
}

// run times fn over b.N passes; setup builds the per-story codecs of one
// pass with the timer stopped.
func (m *benchMeter) run(c *benchCorpus, setup func(), fn func()) {
	b := m.b
	b.SetBytes(c.raw)
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	for range b.N {
		setup()
		m.start()
		fn()
		m.stop()
	}
}

func BenchmarkEncode(b *testing.B) {
	b.ReportAllocs()
	c := loadBenchCorpus(b)
	b.Run("h2kit", func(b *testing.B) {
		m := &benchMeter{b: b}
		ds := make([]*hpack.Deflater, len(c.stories))
		buf := make([]byte, 0, 64<<10)
		var wire int
		m.run(c, func() {
			for i := range ds {
				ds[i] = hpack.NewDeflater(hpack.DeflateMaxHeaderTableSize)
			}
		}, func() {
			wire = 0
			for i, st := range c.stories {
				d := ds[i]
				for _, fs := range st {
					var err error
					buf, err = d.Deflate(buf[:0], fs)
					if err != nil {
						b.Fatal(err)
					}
					wire += len(buf)
				}
			}
		})
		m.report(c, wire)
	})
	b.Run("xnet", func(b *testing.B) {
		m := &benchMeter{b: b}
		var out bytes.Buffer
		out.Grow(64 << 10)
		es := make([]*xhpack.Encoder, len(c.xstories))
		var wire int
		m.run(c, func() {
			for i := range es {
				es[i] = xhpack.NewEncoder(&out)
			}
		}, func() {
			wire = 0
			for i, st := range c.xstories {
				e := es[i]
				for _, fs := range st {
					out.Reset()
					for _, f := range fs {
						if err := e.WriteField(f); err != nil {
							b.Fatal(err)
						}
					}
					wire += out.Len()
				}
			}
		})
		m.report(c, wire)
	})
}

// benchWires pre-encodes every block: [story][block]wire.
func benchWires(b *testing.B, c *benchCorpus, xnet bool) ([][][]byte, int) {
	var all [][][]byte
	var total int
	for i, st := range c.stories {
		var ws [][]byte
		if xnet {
			var out bytes.Buffer
			e := xhpack.NewEncoder(&out)
			for _, fs := range c.xstories[i] {
				out.Reset()
				for _, f := range fs {
					if err := e.WriteField(f); err != nil {
						b.Fatal(err)
					}
				}
				ws = append(ws, bytes.Clone(out.Bytes()))
			}
		} else {
			d := hpack.NewDeflater(hpack.DeflateMaxHeaderTableSize)
			for _, fs := range st {
				w, err := d.Deflate(nil, fs)
				if err != nil {
					b.Fatal(err)
				}
				ws = append(ws, w)
			}
		}
		for _, w := range ws {
			total += len(w)
		}
		all = append(all, ws)
	}
	return all, total
}

// BenchmarkDecode decodes, for each codec, what its own encoder wrote for
// the raw-data stories: a connection between two peers of the same
// implementation.
func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	c := loadBenchCorpus(b)
	ours, oursWire := benchWires(b, c, false)
	theirs, theirsWire := benchWires(b, c, true)
	benchDecode(b, c, ours, oursWire, theirs, theirsWire)
}

// BenchmarkDecodeNghttp2Wire has both codecs decode the same bytes: the
// hpack-test-case "nghttp2" directory, nghttp2's C encoder's output for the
// raw-data stories.
func BenchmarkDecodeNghttp2Wire(b *testing.B) {
	b.ReportAllocs()
	c := loadBenchCorpus(b)
	var wires [][][]byte
	var total int
	for _, s := range corpus(b)["nghttp2"] {
		var ws [][]byte
		for i, cs := range s.Cases {
			// Every nghttp2 story announces the default size in case 0 only,
			// which a new Inflater already has.
			if cs.HeaderTableSize != nil && (i != 0 || *cs.HeaderTableSize != hpack.DefaultHeaderTableSize) {
				b.Fatalf("nghttp2/%s case %d: header_table_size %d not handled here", s.File, i, *cs.HeaderTableSize)
			}
			ws = append(ws, cs.Wire)
			total += len(cs.Wire)
		}
		wires = append(wires, ws)
	}
	if len(wires) != len(c.stories) {
		b.Fatalf("nghttp2 has %d stories, raw-data %d", len(wires), len(c.stories))
	}
	benchDecode(b, c, wires, total, wires, total)
}

// benchDecode runs the decoding sub-benchmarks: ours decode ours, x/net's
// decoders decode theirs ([story][block]wire).
func benchDecode(b *testing.B, c *benchCorpus, ours [][][]byte, oursWire int, theirs [][][]byte, theirsWire int) {
	// check makes sure every pass decoded every field.
	check := func(b *testing.B, fields int) {
		if fields != c.fields {
			b.Fatalf("decoded %d fields per pass, want %d", fields, c.fields)
		}
	}
	b.Run("h2kit", func(b *testing.B) {
		m := &benchMeter{b: b}
		ins := make([]*hpack.Inflater, len(ours))
		var fields int
		m.run(c, func() {
			for i := range ins {
				ins[i] = hpack.NewInflater()
			}
		}, func() {
			fields = 0
			for i, ws := range ours {
				in := ins[i]
				for _, w := range ws {
					fs, err := in.Inflate(w)
					if err != nil {
						b.Fatal(err)
					}
					fields += len(fs)
				}
			}
		})
		check(b, fields)
		m.report(c, oursWire)
	})
	b.Run("h2kit-stream", func(b *testing.B) {
		m := &benchMeter{b: b}
		ins := make([]*hpack.Inflater, len(ours))
		var fields, sink int
		emit := func(f hpack.HeaderField) {
			fields++
			sink += len(f.Name) + len(f.Value)
		}
		m.run(c, func() {
			for i := range ins {
				ins[i] = hpack.NewInflater()
				ins[i].SetEmitFunc(emit)
			}
		}, func() {
			fields = 0
			for i, ws := range ours {
				in := ins[i]
				for _, w := range ws {
					if _, err := in.Write(w); err != nil {
						b.Fatal(err)
					}
					if err := in.Close(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		check(b, fields)
		m.report(c, oursWire)
	})
	b.Run("xnet", func(b *testing.B) {
		m := &benchMeter{b: b}
		ds := make([]*xhpack.Decoder, len(theirs))
		var fields int
		m.run(c, func() {
			for i := range ds {
				ds[i] = xhpack.NewDecoder(hpack.DefaultHeaderTableSize, nil)
			}
		}, func() {
			fields = 0
			for i, ws := range theirs {
				d := ds[i]
				for _, w := range ws {
					fs, err := d.DecodeFull(w)
					if err != nil {
						b.Fatal(err)
					}
					fields += len(fs)
				}
			}
		})
		check(b, fields)
		m.report(c, theirsWire)
	})
	b.Run("xnet-stream", func(b *testing.B) {
		m := &benchMeter{b: b}
		ds := make([]*xhpack.Decoder, len(theirs))
		var fields, sink int
		emit := func(f xhpack.HeaderField) {
			fields++
			sink += len(f.Name) + len(f.Value)
		}
		m.run(c, func() {
			for i := range ds {
				ds[i] = xhpack.NewDecoder(hpack.DefaultHeaderTableSize, emit)
			}
		}, func() {
			fields = 0
			for i, ws := range theirs {
				d := ds[i]
				for _, w := range ws {
					if _, err := d.Write(w); err != nil {
						b.Fatal(err)
					}
					if err := d.Close(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		check(b, fields)
		m.report(c, theirsWire)
	})
}
