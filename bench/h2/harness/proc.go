package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. Linux
// reports them in 1/100 s on every architecture Go runs on (the kernel scales
// its internal tick to USER_HZ for userspace).
const clockTicks = 100

// proc is a server process the harness started. It runs in its own process
// group, so that kill takes its children too (h2o's master may fork).
type proc struct {
	name string
	cmd  *exec.Cmd
	line string // the command line, for the report
	log  string // its stdout and stderr
}

// startPinned runs argv pinned to cpu with taskset, which execs the command:
// the process we get is the server itself.
func startPinned(work, name, cpu string, argv ...string) (*proc, error) {
	logf := filepath.Join(work, name+".log")
	f, err := os.Create(logf)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command("taskset", append([]string{"-c", cpu}, argv...)...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{name: name, cmd: cmd, line: strings.Join(argv, " "), log: logf}
	running[p] = true
	return p, nil
}

// running holds every process started and not yet killed, for the signal handler.
var running = map[*proc]bool{}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// kill sends SIGKILL to the process group: h2o answers SIGTERM with a graceful
// shutdown during which it (or a forked child) may keep its port.
func (p *proc) kill() {
	if !running[p] {
		return
	}
	delete(running, p)
	syscall.Kill(-p.pid(), syscall.SIGKILL)
	p.cmd.Wait()
}

func killAll() {
	for p := range running {
		p.kill()
	}
}

// tail returns the end of the process's log, for error messages.
func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// tree returns pid and the PIDs of its descendants.
func tree(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := statFields(b)
		if len(f) > 1 {
			pp, _ := strconv.Atoi(f[1])
			parent[n] = pp
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		for c, pp := range parent {
			if pp == out[i] {
				out = append(out, c)
			}
		}
	}
	return out
}

// statFields splits /proc/PID/stat after the command name (which may hold
// spaces and parentheses): field 0 is the state, 1 the parent PID, and utime
// and stime are 11 and 12 (the man page's fields 14 and 15).
func statFields(b []byte) []string {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// cpuSeconds is the user+system CPU time used so far by pid and its descendants.
func cpuSeconds(pid int) float64 {
	var ticks int64
	for _, p := range tree(pid) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
		if err != nil {
			continue
		}
		f := statFields(b)
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return float64(ticks) / clockTicks
}

// rssKiB is the resident set (VmRSS) of pid and its descendants, in KiB.
func rssKiB(pid int) int64 {
	var sum int64
	for _, p := range tree(pid) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/status")
		if err != nil {
			continue
		}
		sum += vmRSS(b)
	}
	return sum
}

// vmRSS parses the "VmRSS:   1234 kB" line of /proc/PID/status.
func vmRSS(status []byte) int64 {
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// freePort asks the kernel for a free loopback port. (Another process could
// take it before the server binds it; the server's failure to start says so.)
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitListening waits until addr accepts connections and p is still alive.
func waitListening(p *proc, addr string) error {
	for range 100 {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		if p.cmd.ProcessState != nil || syscall.Kill(p.pid(), 0) != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s: nothing listening on %s; its log:\n%s", p.name, addr, p.tail())
}

// raiseNoFile raises the soft RLIMIT_NOFILE to the hard limit, explicitly,
// so that the servers started from here inherit it (os/exec otherwise gives
// children the limit the harness started with) and the idle test can hold
// thousands of connections.
func raiseNoFile() (uint64, error) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, err
	}
	r.Cur = r.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0, err
	}
	return r.Cur, nil
}
