package main

import (
	"math"
	"os"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The testdata files are real h2load 1.52 and wrk 4.1 outputs (wrk-socket.txt
// adds the socket-error line wrk prints only when there are some).
func TestParseH2load(t *testing.T) {
	for _, tc := range []struct {
		file                string
		seconds             float64
		succeeded, by, data int64
		bad, cipher         string
	}{
		{"h2load-tls.txt", 0.02337, 100, 3612, 1200, "", "TLSv1.3 TLS_AES_128_GCM_SHA256"},
		{"h2load-404.txt", 0.03849, 0, 549, 190, "10 failed, 0 errored, 0 timeout; non-2xx: 0 3xx, 10 4xx, 0 5xx; no request succeeded", ""},
	} {
		r, err := parseH2load(readTestdata(t, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if math.Abs(r.seconds-tc.seconds) > 1e-9 || r.succeeded != tc.succeeded || r.bytes != tc.by || r.data != tc.data || r.bad != tc.bad || r.cipher != tc.cipher {
			t.Errorf("%s: got %+v, want seconds %v succeeded %d bytes %d data %d bad %q cipher %q",
				tc.file, r, tc.seconds, tc.succeeded, tc.by, tc.data, tc.bad, tc.cipher)
		}
	}
	if _, err := parseH2load("h2load: connection refused\n"); err == nil {
		t.Error("parseH2load accepted output without a summary")
	}
}

func TestParseWrk(t *testing.T) {
	for _, tc := range []struct {
		file      string
		succeeded int64
		bad       string
	}{
		{"wrk.txt", 20995, ""},
		{"wrk-404.txt", 11263, "non-2xx/3xx responses: 11263"},
		{"wrk-socket.txt", 20995, "socket errors: connect 0, read 3, write 0, timeout 0"},
	} {
		r, err := parseWrk(readTestdata(t, tc.file))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if r.succeeded != tc.succeeded || r.seconds != 1 || r.bad != tc.bad {
			t.Errorf("%s: got %+v, want succeeded %d in 1 s, bad %q", tc.file, r, tc.succeeded, tc.bad)
		}
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Error("parseWrk accepted output without a summary")
	}
}

func TestSummarizeSkipsRefusedRounds(t *testing.T) {
	mk := func(n int64, bad string) round {
		return round{loadResult: loadResult{seconds: 1, succeeded: n, bad: bad}, cpu: 0.5}
	}
	rs := []round{mk(300, ""), mk(900, "1 failed"), mk(100, ""), mk(200, "")}
	s := summarize(rs, func(r round) float64 { return r.perSecond(false) })
	if s.best != 300 || s.median != 200 || s.ok != 3 || s.refused != 1 {
		t.Errorf("got %+v, want best 300, median 200, 3 ok, 1 refused", s)
	}
	if got := s.cell(false); got != "300 (200) †1" {
		t.Errorf("cell = %q", got)
	}
	s = summarize(rs[:2], func(r round) float64 { return r.perCPU(false) })
	if s.best != 600 || s.median != 600 {
		t.Errorf("per CPU: got %+v, want 600 (300 requests in 0.5 CPU-s)", s)
	}
	if got := summarize([]round{mk(1, "x")}, func(r round) float64 { return 1 }).cell(false); got != "refused" {
		t.Errorf("all refused: cell = %q", got)
	}
	if got := summarize(nil, func(r round) float64 { return 1 }).cell(false); got != "—" {
		t.Errorf("not served: cell = %q", got)
	}
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.6: "1,234,568", 72.54: "72.5"} {
		if got := num(v, v == 72.54); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestParseOnly(t *testing.T) {
	f, err := parseOnly("disk, h2c,h2o")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cat, word string
		want      bool
	}{
		{"section", "disk", true}, {"section", "mem", false}, {"proto", "h2c", true}, {"proto", "tls", false},
		{"size", "1m", true}, {"server", "h2o", true}, {"server", "h2kit", false},
	} {
		if got := f.ok(c.cat, c.word); got != c.want {
			t.Errorf("ok(%s, %s) = %v, want %v", c.cat, c.word, got, c.want)
		}
	}
	if _, err := parseOnly("disk,nginx"); err == nil || !strings.Contains(err.Error(), "nginx") {
		t.Errorf("unknown word: err = %v", err)
	}
}

func TestProcFields(t *testing.T) {
	// The command name may hold spaces and parentheses.
	f := statFields([]byte("4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0"))
	if len(f) < 13 || f[1] != "1" || f[11] != "250" || f[12] != "75" {
		t.Errorf("statFields = %q", f)
	}
	if got := vmRSS([]byte("Name:\th2o\nVmHWM:\t  9999 kB\nVmRSS:\t   21348 kB\n")); got != 21348 {
		t.Errorf("vmRSS = %d", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"h2load-tls.txt", "h2load-404.txt", "wrk.txt", "wrk-404.txt", "wrk-socket.txt"} {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, out string) {
		if r, err := parseH2load(out); err == nil && r.seconds < 0 {
			t.Errorf("negative duration %v", r.seconds)
		}
		parseWrk(out)
	})
}
