package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// loadResult is what one h2load or wrk run reports, parsed.
type loadResult struct {
	seconds   float64 // measured duration
	succeeded int64   // requests answered
	bytes     int64   // total traffic received (h2load: exact; wrk: as printed)
	data      int64   // response body bytes (h2load only)
	bad       string  // why the round is refused, "" if every request succeeded with 2xx
	cipher    string  // TLS cipher (h2load), for the report
}

var (
	reFinished = regexp.MustCompile(`(?m)^finished in ([0-9.]+)(m?s),`)
	reRequests = regexp.MustCompile(`(?m)^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout`)
	reStatus   = regexp.MustCompile(`(?m)^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx`)
	reTraffic  = regexp.MustCompile(`(?m)^traffic: \S+ \((\d+)\) total, .* \((\d+)\) data`)
	reCipher   = regexp.MustCompile(`(?m)^Cipher: (\S+)`)
	reTLSProto = regexp.MustCompile(`(?m)^TLS Protocol: (\S+)`)

	reWrkDone   = regexp.MustCompile(`(?m)^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m), ([0-9.]+)([KMGT]?B) read`)
	reWrkSock   = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	reWrkNon2xx = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses: (\d+)`)
)

func atoi(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }

// parseH2load reads h2load's summary. A round is refused when a request
// failed, errored or timed out, when any response was not 2xx, or when
// nothing succeeded.
func parseH2load(out string) (loadResult, error) {
	var r loadResult
	m := reFinished.FindStringSubmatch(out)
	q := reRequests.FindStringSubmatch(out)
	s := reStatus.FindStringSubmatch(out)
	t := reTraffic.FindStringSubmatch(out)
	if m == nil || q == nil || s == nil || t == nil {
		return r, fmt.Errorf("h2load output not understood:\n%s", out)
	}
	r.seconds, _ = strconv.ParseFloat(m[1], 64)
	if m[2] == "ms" {
		r.seconds /= 1000
	}
	r.succeeded = atoi(q[4])
	r.bytes = atoi(t[1])
	r.data = atoi(t[2])
	var why []string
	if n := atoi(q[5]) + atoi(q[6]) + atoi(q[7]); n > 0 {
		why = append(why, fmt.Sprintf("%s failed, %s errored, %s timeout", q[5], q[6], q[7]))
	}
	if n := atoi(s[2]) + atoi(s[3]) + atoi(s[4]); n > 0 {
		why = append(why, fmt.Sprintf("non-2xx: %s 3xx, %s 4xx, %s 5xx", s[2], s[3], s[4]))
	}
	if r.succeeded == 0 {
		why = append(why, "no request succeeded")
	}
	r.bad = strings.Join(why, "; ")
	if c := reCipher.FindStringSubmatch(out); c != nil {
		r.cipher = c[1]
		if p := reTLSProto.FindStringSubmatch(out); p != nil {
			r.cipher = p[1] + " " + c[1]
		}
	}
	return r, nil
}

// parseWrk reads wrk's summary. A round is refused on any socket error
// (connect, read, write, timeout) or any response wrk counts as neither 2xx
// nor 3xx.
func parseWrk(out string) (loadResult, error) {
	var r loadResult
	m := reWrkDone.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk output not understood:\n%s", out)
	}
	r.succeeded = atoi(m[1])
	r.seconds, _ = strconv.ParseFloat(m[2], 64)
	switch m[3] {
	case "us":
		r.seconds /= 1e6
	case "ms":
		r.seconds /= 1e3
	case "m":
		r.seconds *= 60
	}
	v, _ := strconv.ParseFloat(m[4], 64)
	mult := map[string]float64{"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}[m[5]]
	r.bytes = int64(v * mult)
	var why []string
	if s := reWrkSock.FindStringSubmatch(out); s != nil {
		why = append(why, fmt.Sprintf("socket errors: connect %s, read %s, write %s, timeout %s", s[1], s[2], s[3], s[4]))
	}
	if s := reWrkNon2xx.FindStringSubmatch(out); s != nil && atoi(s[1]) > 0 {
		why = append(why, "non-2xx/3xx responses: "+s[1])
	}
	if r.succeeded == 0 {
		why = append(why, "no request succeeded")
	}
	r.bad = strings.Join(why, "; ")
	return r, nil
}

// round is one measured run against one server.
type round struct {
	loadResult
	cpu float64 // server CPU seconds during the run
}

// perSecond is requests (or MB when mb) per second of wall time.
func (r round) perSecond(mb bool) float64 {
	if r.seconds <= 0 {
		return 0
	}
	if mb {
		return float64(r.bytes) / 1e6 / r.seconds
	}
	return float64(r.succeeded) / r.seconds
}

// perCPU is requests (or MB) per second of server CPU time.
func (r round) perCPU(mb bool) float64 {
	if r.cpu <= 0 {
		return 0
	}
	if mb {
		return float64(r.bytes) / 1e6 / r.cpu
	}
	return float64(r.succeeded) / r.cpu
}

// measure runs the load generator argv (pinned to the client CPU) while
// accounting the CPU time of the server process tree rooted at pid.
func measure(cpu string, pid int, wrk bool, timeout time.Duration, argv []string) round {
	// A load generator that hangs (a server that stopped answering) ends the
	// round, refused, instead of the run.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c0 := cpuSeconds(pid)
	out, err := exec.CommandContext(ctx, "taskset", append([]string{"-c", cpu}, argv...)...).CombinedOutput()
	c1 := cpuSeconds(pid)
	var r round
	if wrk {
		r.loadResult, _ = parseWrk(string(out))
	} else {
		r.loadResult, _ = parseH2load(string(out))
	}
	r.cpu = c1 - c0
	if r.succeeded == 0 && r.bad == "" || err != nil && r.bad == "" {
		// The tool failed before printing a summary: say why.
		msg := strings.TrimSpace(string(out))
		if len(msg) > 300 {
			msg = msg[len(msg)-300:]
		}
		r.bad = fmt.Sprintf("%s: %v: %s", argv[0], err, msg)
	}
	return r
}
