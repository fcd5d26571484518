package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

// report prints the markdown report.
type report struct {
	w       io.Writer
	cfg     config
	e       *env
	start   time.Time
	disk    string
	mem     string
	command string
}

func newReport(w io.Writer, cfg config, e *env, disk, mem string) *report {
	cmd := fmt.Sprintf("DUR=%d ROUNDS=%d", cfg.dur, cfg.rounds)
	if cfg.onlyRaw != "" {
		cmd += fmt.Sprintf(" ONLY=%q", cfg.onlyRaw)
	}
	if cfg.only.ok("section", "idle") {
		cmd += fmt.Sprintf(" IDLE_N=%d SETTLE=%d", cfg.idleN, int(cfg.settle/time.Second))
	}
	cmd += " bench/h2/run.sh"
	return &report{w: w, cfg: cfg, e: e, start: time.Now().UTC(), disk: disk, mem: mem, command: cmd}
}

func (r *report) pf(format string, a ...any) { fmt.Fprintf(r.w, format, a...) }

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// firstLine runs a command and returns the first line of its output.
func firstLine(argv ...string) string {
	out, _ := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	l, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(l)
}

func fsType(dir string) string {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return "?"
	}
	switch st.Type {
	case 0x01021994:
		return "tmpfs"
	case 0xEF53:
		return "ext4"
	case 0x58465342:
		return "xfs"
	case 0x9123683E:
		return "btrfs"
	case 0x794c7630:
		return "overlayfs"
	}
	return fmt.Sprintf("fs 0x%x", st.Type)
}

func (r *report) header() {
	rev := firstLine("git", "rev-parse", "--short", "HEAD")
	if firstLine("git", "status", "--porcelain", "--untracked-files=no") != "" {
		rev += " (with uncommitted changes)"
	}
	r.pf("## HTTP server benchmark, %s\n\n", r.start.Format("2006-01-02 15:04 UTC"))
	r.pf("    %s\n\n", r.command)
	r.pf("- h2kit %s, %s; %s; %s; %s; %s\n", rev, runtime.Version(),
		firstLine("nghttpd", "--version"), firstLine("h2o", "--version"),
		firstLine("h2load", "--version"), strings.Join(strings.Fields(firstLine("wrk", "-v"))[:2:2], " "))
	r.pf("- %s; servers pinned to CPU %s, h2load/wrk and the idle client to CPU %s; load average at the start: %s\n",
		onlineCPUs(), r.cfg.srvCPU, r.cfg.cliCPU, loadavg())
	r.pf("- files: `hello.txt` (12 bytes, `hello, world`), `1m` (1 MiB) and, for the \"16 files\" rows (disk only), `site/f00.html` … `site/f15.ico` (200 B to 3.8 KB, eight content types), asked for in turn so that no connection gets the same file twice in a row; disk: %s (%s), tmpfs: %s (%s)\n",
		r.disk, fsType(r.disk), r.mem, fsType(r.mem))
	r.pf("- each cell: best round (median round) of %d round(s) of %d s, servers interleaved; †N: N rounds refused\n", r.cfg.rounds, r.cfg.dur)
	r.pf("  (a failed, errored or timed-out request, or a non-2xx response); ratios: best/best (median/median) against h2o\n\n")
}

func (r *report) throughput(m mode, servers []*server, res results) {
	title := "A. From disk: every server serves the same files from the same directory"
	if m.name == "mem" {
		title = "B. From memory (engine workload): every server answers from memory, except nghttpd (tmpfs)"
	}
	r.pf("### %s\n\n", title)
	for _, s := range servers {
		r.pf("- %s: %s\n", s.label, s.note)
	}
	r.pf("\n")
	var h2o *server
	for _, s := range servers {
		if s.name == "h2o" {
			h2o = s
		}
	}
	wls := selected(r.cfg, m)
	for _, per := range []string{"wall", "cpu"} {
		if per == "wall" {
			r.pf("Throughput (requests or MB per second):\n\n")
		} else {
			r.pf("Per second of server CPU (requests or MB per CPU-second of the server process, utime+stime):\n\n")
		}
		r.pf("| workload |")
		for _, s := range servers {
			r.pf(" %s |", s.label)
		}
		if h2o != nil {
			for _, s := range servers {
				if s != h2o {
					r.pf(" %s / h2o |", s.name)
				}
			}
		}
		r.pf("\n|---|")
		for range servers {
			r.pf("---:|")
		}
		if h2o != nil {
			r.pf("%s", strings.Repeat("---:|", len(servers)-1))
		}
		r.pf("\n")
		for _, w := range wls {
			mb := w.mb()
			value := func(rd round) float64 { return rd.perSecond(mb) }
			if per == "cpu" {
				value = func(rd round) float64 { return rd.perCPU(mb) }
			}
			label := w.label
			if per == "cpu" {
				label = strings.Replace(strings.Replace(label, "req/s", "req/CPU-s", 1), "MB/s", "MB/CPU-s", 1)
			}
			r.pf("| %s |", label)
			sums := map[string]summary{}
			for _, s := range servers {
				sums[s.name] = summarize(res[w.key][s.name], value)
				r.pf(" %s |", sums[s.name].cell(mb))
			}
			if h2o != nil {
				for _, s := range servers {
					if s != h2o {
						r.pf(" %s |", ratioCell(sums[s.name], sums["h2o"]))
					}
				}
			}
			r.pf("\n")
		}
		r.pf("\n")
	}
	// Refused rounds and TLS ciphers, so that nothing is hidden by the tables.
	var refused []string
	ciphers := map[string]string{}
	for _, w := range wls {
		for _, s := range servers {
			for i, rd := range res[w.key][s.name] {
				if rd.bad != "" {
					refused = append(refused, fmt.Sprintf("%s, %s, round %d: %s", w.key, s.name, i+1, rd.bad))
				}
				if rd.cipher != "" {
					ciphers[s.label] = rd.cipher
				}
			}
		}
	}
	if len(refused) > 0 {
		r.pf("Refused rounds:\n\n")
		for _, l := range refused {
			r.pf("- %s\n", l)
		}
		r.pf("\n")
	}
	if len(ciphers) > 0 {
		var cs []string
		for l, c := range ciphers {
			cs = append(cs, l+": "+c)
		}
		sort.Strings(cs)
		r.pf("TLS as negotiated with h2load: %s.\n\n", strings.Join(cs, "; "))
	}
	r.pf("Load generator (pinned with `taskset -c %s`; PORT is each server's):\n\n", r.cfg.cliCPU)
	for _, w := range wls {
		switch {
		case w.size == "site" && w.proto == "h1":
			r.pf("    %s -s site.lua %s    # site.lua asks for /site/f00.html … /site/f15.ico in turn\n", strings.Join(w.args, " "), w.url("127.0.0.1:PORT"))
		case w.size == "site":
			r.pf("    %s -i site.txt    # site.txt: %s then /site/f01.css … /site/f15.ico\n", strings.Join(w.args, " "), w.url("127.0.0.1:PORT")+siteFiles[0].name)
		default:
			r.pf("    %s\n", strings.Join(append(append([]string{}, w.args...), w.url("127.0.0.1:PORT")), " "))
		}
	}
	r.pf("\nServers (pinned with `taskset -c %s`):\n\n", r.cfg.srvCPU)
	for _, s := range servers {
		for _, p := range s.procs {
			r.pf("    %s\n", p.line)
		}
	}
	r.pf("\nLoad average after this section: %s.\n\n", loadavg())
}

func (r *report) idle(rows []idleRow) {
	r.pf("### C. Memory per idle HTTP/2 connection after one request\n\n")
	r.pf("A fresh server per cell serving the disk directory; one warm-up connection, %d s to settle, VmRSS\n", int(r.cfg.settle/time.Second))
	r.pf("(server process and children, /proc/PID/status); then %d connections each making one GET /hello.txt\n", r.cfg.idleN)
	r.pf("and staying open idle, %d s to settle, VmRSS again. Cell: (RSS after − RSS before) / connections.\n\n", int(r.cfg.settle/time.Second))
	var ngh idleRow
	for _, row := range rows {
		if row.server.name == "nghttpd" {
			ngh = row
		}
	}
	r.pf("| server | h2c KiB/conn | TLS KiB/conn | h2c RSS before → after | TLS RSS before → after | vs nghttpd (h2c, TLS) |\n")
	r.pf("|---|---:|---:|---:|---:|---:|\n")
	cell := func(x idleResult, ok bool) (string, string) {
		switch {
		case !ok:
			return "—", "—"
		case x.err != nil:
			return "failed", x.err.Error()
		}
		return fmt.Sprintf("%.1f", x.perConnKiB()), fmt.Sprintf("%.1f → %.1f MiB", float64(x.base)/1024, float64(x.loaded)/1024)
	}
	ratio := func(a idleResult, aok bool, b idleResult, bok bool) string {
		if !aok || !bok || a.err != nil || b.err != nil || b.perConnKiB() <= 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f", a.perConnKiB()/b.perConnKiB())
	}
	for _, row := range rows {
		hc, hok := row.res["h2c"]
		tc, tok := row.res["tls"]
		h1, h2 := cell(hc, hok)
		t1, t2 := cell(tc, tok)
		nh, nhok := ngh.res["h2c"]
		nt, ntok := ngh.res["tls"]
		label := strings.TrimSuffix(row.server.label, " `-root`")
		r.pf("| %s | %s | %s | %s | %s | %s, %s |\n", label, h1, t1, h2, t2,
			ratio(hc, hok, nh, nhok), ratio(tc, tok, nt, ntok))
	}
	r.pf("\nLoad average after this section: %s.\n\n", loadavg())
}

func (r *report) footer() {
	end := time.Now().UTC()
	r.pf("Run from %s to %s UTC; load average at the end: %s.\n", r.start.Format("15:04:05"), end.Format("15:04:05"), loadavg())
}

// onlineCPUs is the machine's CPU list (runtime.NumCPU counts only the CPUs
// the harness is pinned to).
func onlineCPUs() string {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return "?"
	}
	return "CPUs " + strings.TrimSpace(string(b))
}
