package pushbench

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/h2kit/h2kit/internal/testenv"
)

// delays are the one-way delays of the link (the round trip is twice).
var delays = []time.Duration{5 * time.Millisecond, 20 * time.Millisecond}

// BenchmarkPage: time to the last byte of the page and its 20 subresources
// on a warm connection (TLS done, HPACK tables filled), pushed against
// fetched after the page, reported as ms/page.
func BenchmarkPage(b *testing.B) {
	for _, d := range delays {
		addr := startSite(b, d)
		for _, m := range modes {
			b.Run(fmt.Sprintf("rtt=%v/%s", 2*d, m.name), func(b *testing.B) {
				c := dialPage(b, addr, m.push)
				defer c.Close()
				if _, _, err := c.load(m.path); err != nil { // warm up
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				for range b.N {
					if n, pushed, err := c.load(m.path); err != nil || n != numAssets+1 || pushed != m.pushed {
						b.Fatalf("%d responses, %d pushed, %v", n, pushed, err)
					}
				}
				b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/page")
			})
		}
	}
}

// BenchmarkPageNghttp: the same page loaded by nghttp on a new connection
// each time: `nghttp -nv` of /push, which accepts the pushes, against
// `nghttp -nav` of /nopush, which fetches the linked assets once the page is
// parsed. Reported: ms/page, the time to the last byte on nghttp's own clock
// (from the page's HEADERS sent to the last DATA received, taken from its
// -v output), and ms/run, the whole process (TLS handshake, start and exit,
// which vary by tens of milliseconds from run to run).
func BenchmarkPageNghttp(b *testing.B) {
	nghttp := testenv.RequireTool(b, "nghttp", "nghttp2-client")
	for _, d := range delays {
		addr := startSite(b, d)
		for _, m := range modes {
			b.Run(fmt.Sprintf("rtt=%v/%s", 2*d, m.name), func(b *testing.B) {
				args := []string{"-nv", "https://" + addr + m.path}
				if !m.push {
					args[0] = "-nav"
				}
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				var ttlb float64
				for range b.N {
					out, err := exec.Command(nghttp, args...).CombinedOutput()
					ends := len(endRE.FindAll(out, -1))
					sent := sentRE.FindSubmatch(out)
					recv := recvRE.FindAllSubmatch(out, -1)
					if err != nil || ends != numAssets+1 || sent == nil || len(recv) == 0 {
						b.Fatalf("nghttp %v: %v, %d responses\n%s", args, err, ends, out)
					}
					t0, _ := strconv.ParseFloat(string(sent[1]), 64)
					t1, _ := strconv.ParseFloat(string(recv[len(recv)-1][1]), 64)
					ttlb += t1 - t0
				}
				b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/run")
				b.ReportMetric(ttlb*1000/float64(b.N), "ms/page")
			})
		}
	}
}

// Lines of nghttp -v: a response's last DATA frame (each response here is
// one frame with END_STREAM), the first request sent, a DATA frame received.
var (
	endRE  = regexp.MustCompile(`recv DATA frame <length=\d+, flags=0x01,`)
	sentRE = regexp.MustCompile(`\[\s*([0-9.]+)\] send HEADERS frame`)
	recvRE = regexp.MustCompile(`\[\s*([0-9.]+)\] recv DATA frame`)
)
