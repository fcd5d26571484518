//go:build unix

package hpack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"

	"github.com/h2kit/h2kit/internal/testenv"
)

// Quick benchmarks for iterating on the codec (the official ones, with x/net
// as reference, are in bench_test.go). They report process CPU time per
// header block, which is steadier than wall time on a shared machine.

func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// rawStories loads the hpack-test-case raw-data stories, or skips (fails
// under CI=true) when the corpus is missing.
func rawStories(b *testing.B) [][][]HeaderField {
	dir := testenv.HPACKCorpus(b)
	files, _ := filepath.Glob(filepath.Join(dir, "raw-data", "*.json"))
	if len(files) == 0 {
		b.Fatalf("no raw-data stories in %s", dir)
	}
	sort.Strings(files)
	var out [][][]HeaderField
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var st struct {
			Cases []struct {
				Headers []map[string]string `json:"headers"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(data, &st); err != nil {
			b.Fatal(err)
		}
		var story [][]HeaderField
		for _, c := range st.Cases {
			var fs []HeaderField
			for _, h := range c.Headers {
				for k, v := range h {
					fs = append(fs, HeaderField{Name: k, Value: v})
				}
			}
			story = append(story, fs)
		}
		out = append(out, story)
	}
	return out
}

func reportBlocks(b *testing.B, blocks int, cpu int64) {
	n := float64(b.N) * float64(blocks)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/block")
	b.ReportMetric(float64(cpu)/n, "cpu-ns/block")
}

func BenchmarkStoryEncode(b *testing.B) {
	stories := rawStories(b)
	blocks := 0
	for _, s := range stories {
		blocks += len(s)
	}
	encs := make([]*Deflater, len(stories))
	buf := make([]byte, 0, 64<<10)
	b.ReportAllocs()
	var cpu int64
	var raw, wire int64
	for _, s := range stories {
		e := NewDeflater(4096)
		for _, l := range s {
			for _, f := range l {
				raw += int64(len(f.Name) + len(f.Value))
			}
			buf, _ = e.Deflate(buf[:0], l)
			wire += int64(len(buf))
		}
	}

	for b.Loop() {
		b.StopTimer()
		for i := range encs {
			encs[i] = NewDeflater(4096)
		}
		c0 := cpuNanos()
		b.StartTimer()
		for i, s := range stories {
			e := encs[i]
			for _, l := range s {
				buf, _ = e.Deflate(buf[:0], l)
			}
		}
		b.StopTimer()
		cpu += cpuNanos() - c0
		b.StartTimer()
	}
	reportBlocks(b, blocks, cpu)
	b.ReportMetric(float64(wire)/float64(raw), "ratio")
}

func BenchmarkStoryDecode(b *testing.B) {
	stories := rawStories(b)
	var wire [][][]byte
	blocks := 0
	for _, s := range stories {
		e := NewDeflater(4096)
		var w [][]byte
		for _, l := range s {
			blk, _ := e.Deflate(nil, l)
			w = append(w, blk)
		}
		wire = append(wire, w)
		blocks += len(s)
	}
	decs := make([]*Inflater, len(stories))
	n := 0
	emit := func(f HeaderField) { n += len(f.Value) }
	b.ReportAllocs()
	var cpu int64
	for b.Loop() {
		b.StopTimer()
		for i := range decs {
			decs[i] = NewInflater()
			decs[i].SetEmitFunc(emit)
		}
		c0 := cpuNanos()
		b.StartTimer()
		for i, w := range wire {
			d := decs[i]
			for _, blk := range w {
				d.Write(blk)
				if err := d.Close(); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StopTimer()
		cpu += cpuNanos() - c0
		b.StartTimer()
	}
	reportBlocks(b, blocks, cpu)
}
