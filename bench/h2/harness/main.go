// Command harness is the h2kit HTTP server benchmark (run it with
// bench/h2/run.sh, which builds it and the servers and pins it to the client
// CPU). In one run it measures h2kit (cmd/h2demo), nghttpd, h2o and Go's
// net/http (bench/h2/refserver):
//
//   - disk: every server serves the same files (a 12-byte hello.txt and a
//     1 MiB file) from the same directory on disk;
//   - mem: every server answers from memory (h2kit's native handler, h2o
//     with a fixed mruby response, Go with a handler writing fixed bytes;
//     nghttpd cannot, so it serves the files from tmpfs and is labelled so);
//   - idle: server memory per idle HTTP/2 connection after one request.
//
// Each server runs pinned to SRV_CPU, h2load and wrk to CLI_CPU. Every
// workload runs ROUNDS rounds of DUR seconds per server, interleaved across
// the servers; a round is refused when the load generator reports a failed,
// errored or timed-out request or a non-2xx response. It prints markdown
// tables: the best and the median round, raw and per second of server CPU
// (utime+stime of the server's process tree from /proc/PID/stat during the
// round), and the ratios to h2o from the same run.
//
// Environment: DUR (seconds, default 5), ROUNDS (3), ONLY (a comma-separated
// filter, see bench/h2/README.md), IDLE_N (connections, 1000), SETTLE
// (seconds before reading RSS, 2), SRV_CPU (0), CLI_CPU (1), MEM_DIR (tmpfs
// directory for nghttpd's in-memory files, /dev/shm).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/h2kit/h2kit/pki"
)

// workload is one row of the throughput tables.
type workload struct {
	key   string // for the progress log
	proto string // "h2c", "tls" or "h1"
	size  string // "small", "1m" or "site" (siteFiles, requested in turn)
	path  string
	args  []string // h2load or wrk arguments before the URL
	label string
}

// tls13Cipher is the one TLS 1.3 suite h2load offers in the TLS rows.
const tls13Cipher = "TLS_AES_128_GCM_SHA256"

func (w workload) mb() bool { return w.size == "1m" }

func workloads(dur string) []workload {
	h2 := func(key, proto, size, path, label string, args ...string) workload {
		argv := []string{"h2load", "-D", dur}
		if proto == "tls" {
			// One cipher for every server: nghttpd prefers AES-256-GCM, the
			// others take h2load's first choice, AES-128-GCM.
			argv = append(argv, "--tls13-ciphers="+tls13Cipher)
		}
		return workload{key, proto, size, path, append(argv, args...), label}
	}
	return []workload{
		h2("h2c-small-c10", "h2c", "small", "/hello.txt", "h2c 12 B `-c10 -m32` req/s", "-c10", "-m32"),
		h2("h2c-small-c100", "h2c", "small", "/hello.txt", "h2c 12 B `-c100 -m10` req/s", "-c100", "-m10"),
		h2("tls-small-c10", "tls", "small", "/hello.txt", "TLS 12 B `-c10 -m32` req/s", "-c10", "-m32"),
		h2("tls-small-c100", "tls", "small", "/hello.txt", "TLS 12 B `-c100 -m10` req/s", "-c100", "-m10"),
		h2("h2c-1m", "h2c", "1m", "/1m", "h2c 1 MiB `-c4 -m4` MB/s", "-c4", "-m4"),
		h2("tls-1m", "tls", "1m", "/1m", "TLS 1 MiB `-c4 -m4` MB/s", "-c4", "-m4"),
		{"h1-small-c10", "h1", "small", "/hello.txt", []string{"wrk", "-t1", "-c10", "-d", dur + "s"}, "HTTP/1.1 12 B `wrk -t1 -c10` req/s"},
		// The same small-file work with 16 different files requested in
		// turn (h2load -i, a wrk script), so that no connection asks for the
		// same file twice in a row: what a site's pages and assets look like
		// to a server, and what no per-connection "same as last time" memo
		// can help with.
		h2("h2c-site-c100", "h2c", "site", "/site/", "h2c 16 files `-c100 -m10 -i` req/s", "-c100", "-m10"),
		{"h1-site-c10", "h1", "site", "/site/", []string{"wrk", "-t1", "-c10", "-d", dur + "s"}, "HTTP/1.1 16 files `wrk -t1 -c10 -s` req/s"},
	}
}

// siteFile is one of the "site" workload's files: a page's assets, 0.2 to
// 3.9 KB, eight kinds of content type.
type siteFile struct {
	name string
	size int
}

var siteFiles = func() []siteFile {
	exts := []string{"html", "css", "js", "svg", "json", "txt", "png", "ico"}
	var fs []siteFile
	for i := range 16 {
		fs = append(fs, siteFile{fmt.Sprintf("f%02d.%s", i, exts[i%len(exts)]), 200 + i*237})
	}
	return fs
}()

// loadArgs is the load generator's command line against addr. A "site"
// workload lists its files in a file (h2load -i: the first line names the
// server, the others are paths) or a wrk Lua script, written into dir.
func (w workload) loadArgs(addr, dir string) ([]string, error) {
	if w.size != "site" {
		return slices.Concat(w.args, []string{w.url(addr)}), nil
	}
	if w.proto == "h1" {
		script := filepath.Join(dir, "site.lua")
		var b strings.Builder
		b.WriteString("local paths = {")
		for _, f := range siteFiles {
			fmt.Fprintf(&b, "%q, ", w.path+f.name)
		}
		b.WriteString("}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n")
		if err := os.WriteFile(script, []byte(b.String()), 0o644); err != nil {
			return nil, err
		}
		return slices.Concat(w.args, []string{"-s", script, w.url(addr)}), nil
	}
	list := filepath.Join(dir, "site-"+strings.NewReplacer(":", "-", ".", "-").Replace(addr)+".txt")
	var b strings.Builder
	for i, f := range siteFiles {
		if i == 0 {
			b.WriteString(w.url(addr) + f.name + "\n")
		} else {
			b.WriteString(w.path + f.name + "\n")
		}
	}
	if err := os.WriteFile(list, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	return slices.Concat(w.args, []string{"-i", list}), nil
}

func (w workload) url(addr string) string {
	if w.proto == "tls" {
		return "https://" + addr + w.path
	}
	return "http://" + addr + w.path
}

// filter is ONLY: within a category any listed word matches, across
// categories all must; a category with no word listed matches everything.
type filter map[string]map[string]bool

var categories = map[string][]string{
	"section": {"disk", "mem", "idle"},
	"proto":   {"h2c", "tls", "h1"},
	"size":    {"small", "1m", "site"},
	"server":  serverNames,
}

func parseOnly(s string) (filter, error) {
	f := filter{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		found := false
		for cat, words := range categories {
			for _, x := range words {
				if x == w {
					if f[cat] == nil {
						f[cat] = map[string]bool{}
					}
					f[cat][w] = true
					found = true
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("ONLY: unknown word %q (known: %v)", w, categories)
		}
	}
	return f, nil
}

func (f filter) ok(cat, word string) bool { return f[cat] == nil || f[cat][word] }

type config struct {
	dur, rounds, idleN int
	settle             time.Duration
	only               filter
	onlyRaw            string
	srvCPU, cliCPU     string
	memDir             string
}

func envInt(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive integer", name, v)
	}
	return n, nil
}

func envStr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	h2demo := flag.String("h2demo", "", "h2demo binary")
	refserver := flag.String("refserver", "", "refserver binary")
	work := flag.String("work", "", "scratch directory (removed by run.sh)")
	flag.Parse()
	if *h2demo == "" || *refserver == "" || *work == "" {
		fmt.Fprintln(os.Stderr, "harness: run it with bench/h2/run.sh")
		os.Exit(2)
	}
	if err := run(&env{work: *work, h2demo: *h2demo, refserver: *refserver}); err != nil {
		killAll()
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

func run(e *env) error {
	var cfg config
	var err error
	if cfg.dur, err = envInt("DUR", 5); err != nil {
		return err
	}
	if cfg.rounds, err = envInt("ROUNDS", 3); err != nil {
		return err
	}
	if cfg.idleN, err = envInt("IDLE_N", 1000); err != nil {
		return err
	}
	settle, err := envInt("SETTLE", 2)
	if err != nil {
		return err
	}
	cfg.settle = time.Duration(settle) * time.Second
	cfg.onlyRaw = os.Getenv("ONLY")
	if cfg.only, err = parseOnly(cfg.onlyRaw); err != nil {
		return err
	}
	cfg.srvCPU, cfg.cliCPU = envStr("SRV_CPU", "0"), envStr("CLI_CPU", "1")
	cfg.memDir = envStr("MEM_DIR", "/dev/shm")
	e.srvCPU = cfg.srvCPU

	for _, t := range []string{"h2load", "wrk", "nghttpd", "h2o", "taskset"} {
		if _, err := exec.LookPath(t); err != nil {
			return fmt.Errorf("%s not found (Debian: nghttp2-client nghttp2-server h2o wrk util-linux)", t)
		}
	}
	nofile, err := raiseNoFile()
	if err != nil {
		return err
	}
	if need := uint64(cfg.idleN) + 200; cfg.only.ok("section", "idle") && nofile < need {
		return fmt.Errorf("IDLE_N=%d needs RLIMIT_NOFILE ≥ %d, the hard limit is %d", cfg.idleN, need, nofile)
	}

	// Killing the servers on Ctrl-C: they run in their own process groups,
	// so the terminal's SIGINT does not reach them.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	var memRoot string
	go func() {
		s := <-sig
		killAll()
		if memRoot != "" {
			os.RemoveAll(memRoot)
		}
		fmt.Fprintln(os.Stderr, "harness: stopped by", s)
		os.Exit(130)
	}()

	// The files: hello.txt (12 bytes) and 1m (1 MiB), on disk for the disk
	// workload and in tmpfs for nghttpd in the memory workload. h2o started as
	// root serves as user nobody: everything must be readable by all.
	diskRoot := filepath.Join(e.work, "root")
	if err := writeFiles(diskRoot); err != nil {
		return err
	}
	if memRoot, err = os.MkdirTemp(cfg.memDir, "h2bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(memRoot)
	if err := writeFiles(memRoot); err != nil {
		return err
	}
	ca, err := pki.NewCA("h2bench CA", 24*time.Hour)
	if err != nil {
		return err
	}
	leaf, err := ca.IssueServer("localhost", pki.LoopbackNames, 24*time.Hour)
	if err != nil {
		return err
	}
	if e.cert, e.key, err = leaf.WriteFiles(e.work, "server"); err != nil {
		return err
	}
	for _, p := range []string{e.work, e.cert, e.key} {
		if err := os.Chmod(p, 0o755); err != nil {
			return err
		}
	}

	rep := newReport(os.Stdout, cfg, e, diskRoot, memRoot)
	rep.header()
	for _, m := range []mode{{"disk", diskRoot}, {"mem", memRoot}} {
		if !cfg.only.ok("section", m.name) {
			continue
		}
		res, servers, err := throughput(e, cfg, m)
		if err != nil {
			return err
		}
		rep.throughput(m, servers, res)
	}
	if cfg.only.ok("section", "idle") {
		res, err := idle(e, cfg, mode{"disk", diskRoot})
		if err != nil {
			return err
		}
		rep.idle(res)
	}
	rep.footer()
	return nil
}

func writeFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello, world"), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "1m"), big, 0o644); err != nil {
		return err
	}
	site := filepath.Join(dir, "site")
	if err := os.MkdirAll(site, 0o755); err != nil {
		return err
	}
	for i, f := range siteFiles {
		body := make([]byte, f.size)
		for j := range body {
			body[j] = 'a' + byte((i+j)%26)
		}
		if err := os.WriteFile(filepath.Join(site, f.name), body, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(site, 0o755); err != nil {
		return err
	}
	return os.Chmod(dir, 0o755)
}

// results holds the rounds of one workload section: by workload key, then
// server name.
type results map[string]map[string][]round

// throughput starts the selected servers for mode m, checks every endpoint
// answers, runs the selected workloads in interleaved rounds and stops the
// servers.
func throughput(e *env, cfg config, m mode) (results, []*server, error) {
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.kill()
		}
	}()
	for _, name := range serverNames {
		if !cfg.only.ok("server", name) {
			continue
		}
		s, err := e.start(name, m, "")
		if err != nil {
			return nil, nil, err
		}
		servers = append(servers, s)
	}
	wls := selected(cfg, m)
	// Warm each endpoint up and check that it serves the right bytes, so
	// that a misconfigured server fails here, not as refused rounds.
	for _, s := range servers {
		for _, w := range wls {
			ep, ok := s.eps[w.proto]
			if !ok {
				continue
			}
			if err := check(cfg, e.work, ep, w); err != nil {
				return nil, nil, fmt.Errorf("%s %s: %w", s.name, w.key, err)
			}
		}
	}
	res := results{}
	for _, w := range wls {
		res[w.key] = map[string][]round{}
		for r := range cfg.rounds {
			for i := range servers {
				// Rotate the order each round so that no server always
				// follows the same one.
				s := servers[(i+r)%len(servers)]
				ep, ok := s.eps[w.proto]
				if !ok {
					continue
				}
				argv, err := w.loadArgs(ep.addr, e.work)
				if err != nil {
					return nil, nil, err
				}
				rd := measure(cfg.cliCPU, ep.proc.pid(), w.proto == "h1", time.Duration(cfg.dur)*time.Second+time.Minute, argv)
				res[w.key][s.name] = append(res[w.key][s.name], rd)
				status := "ok"
				if rd.bad != "" {
					status = "REFUSED: " + rd.bad
				}
				fmt.Fprintf(os.Stderr, "%s %s round %d %-8s %12s/s %12s per CPU-s (%.2f CPU-s) %s\n",
					m.name, w.key, r+1, s.name, num(rd.perSecond(w.mb()), w.mb()), num(rd.perCPU(w.mb()), w.mb()), rd.cpu, status)
			}
		}
	}
	return res, servers, nil
}

// selected is the workloads of mode m that ONLY lets through. The "site"
// files exist only on disk (the memory servers answer two fixed paths).
func selected(cfg config, m mode) []workload {
	var out []workload
	for _, w := range workloads(strconv.Itoa(cfg.dur)) {
		if w.size == "site" && m.name != "disk" {
			continue
		}
		if cfg.only.ok("proto", w.proto) && cfg.only.ok("size", w.size) {
			out = append(out, w)
		}
	}
	return out
}

// check runs 1,000 requests of w against ep (h2load, --h1 for HTTP/1.1) and
// wants every one to succeed with the whole body.
func check(cfg config, dir string, ep endpoint, w workload) error {
	n := 1000
	if w.mb() {
		n = 100
	}
	args := []string{"h2load", "-n", strconv.Itoa(n), "-c4", "-m4"}
	if w.proto == "h1" {
		args = append(args, "--h1")
	}
	size := int64(12)
	switch {
	case w.mb():
		size = 1 << 20
	case w.size == "site":
		// h2load cycles through the list: every file is asked for.
		size = int64(siteFiles[0].size)
		hw := w
		hw.proto, hw.args = "h2c", nil
		if w.proto == "tls" {
			hw.proto = "tls"
		}
		a, err := hw.loadArgs(ep.addr, dir)
		if err != nil {
			return err
		}
		args = append(args, a...)
	}
	if w.size != "site" {
		args = append(args, w.url(ep.addr))
	}
	out, _ := exec.Command("taskset", append([]string{"-c", cfg.cliCPU}, args...)...).CombinedOutput()
	r, err := parseH2load(string(out))
	if err != nil {
		return err
	}
	if r.bad != "" {
		return fmt.Errorf("check: %s", r.bad)
	}
	if r.succeeded != int64(n) || r.data < int64(n)*size {
		return fmt.Errorf("check: %d of %d requests, %d body bytes (want %d)", r.succeeded, n, r.data, int64(n)*size)
	}
	return nil
}

// idleRow is one server's idle-connection memory, by protocol.
type idleRow struct {
	server *server
	res    map[string]idleResult
}

// idle measures, for each selected server and protocol, a fresh server
// process: RSS with IDLE_N idle connections minus RSS before them.
func idle(e *env, cfg config, m mode) ([]idleRow, error) {
	var rows []idleRow
	for _, name := range serverNames {
		if !cfg.only.ok("server", name) {
			continue
		}
		row := idleRow{res: map[string]idleResult{}}
		for _, proto := range []string{"h2c", "tls"} {
			if !cfg.only.ok("proto", proto) {
				continue
			}
			s, err := e.start(name, m, proto)
			if err != nil {
				return nil, err
			}
			row.server = s
			ep := s.eps[proto]
			r := measureIdle(ep.proc.pid(), ep.addr, proto == "tls", cfg.idleN, cfg.settle)
			s.kill()
			fmt.Fprintf(os.Stderr, "idle %s %s: %d connections, RSS %d → %d KiB, %.1f KiB each (alive %d) %v\n",
				name, proto, r.n, r.base, r.loaded, r.perConnKiB(), r.alive, r.err)
			row.res[proto] = r
		}
		if row.server != nil {
			rows = append(rows, row)
		}
	}
	return rows, nil
}
