package restpipe

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Metrics counts events and connection changes and times calls and handlers,
// per verb and noun. Names (prefixed by the node's prefix for statsd):
//
//	pipe.connect, pipe.disconnect, pipe.connect_error, pipe.replaced   counters
//	call.KEY         calls sent (counter, and a timing of the round trip)
//	call.KEY.error   calls that failed (no reply) or got a non-zero code
//	event.KEY        events handled (counter, and a timing of the handler)
//	event.KEY.error  events whose reply had a non-zero code
//	h2.reject.NAME   inputs the h2kit server rejected (h2server.Server.OnReject)
//	h2.conn.STATE    its connection-state changes (h2server.Server.ConnState)
//	h2.NAME          its counters (h2server.Stats; see ObserveH2)
//
// where KEY is HandlerKey(verb, noun) with characters other than letters,
// digits, '_' and '-' replaced by '_'. A nil *Metrics records nothing.
type Metrics struct {
	prefix string
	udp    net.Conn // nil: no statsd

	mu       sync.Mutex
	counters map[string]int64
	timings  map[string]Timing
	h2       h2Metrics // metrics_h2.go
}

// Timing summarises the durations recorded under one name.
type Timing struct {
	Count int64
	Total time.Duration
	Max   time.Duration
}

// NewMetrics returns Metrics that also send every sample to the statsd server
// at statsdAddr (UDP, plain text protocol: "prefix.name:1|c",
// "prefix.name:12.5|ms"), or to nobody when statsdAddr is empty. Sending is
// best effort: a lost datagram is not an error.
func NewMetrics(prefix, statsdAddr string) (*Metrics, error) {
	m := &Metrics{prefix: strings.TrimSuffix(prefix, "."), counters: map[string]int64{}, timings: map[string]Timing{}}
	if statsdAddr != "" {
		c, err := net.Dial("udp", statsdAddr)
		if err != nil {
			return nil, fmt.Errorf("restpipe: statsd address: %w", err)
		}
		m.udp = c
	}
	return m, nil
}

// Close stops sending to statsd.
func (m *Metrics) Close() error {
	if m == nil || m.udp == nil {
		return nil
	}
	m.stopH2()
	return m.udp.Close()
}

// Incr adds one to the counter name.
func (m *Metrics) Incr(name string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.counters[name]++
	m.mu.Unlock()
	m.send(name, "1|c")
}

// Time records d under name.
func (m *Metrics) Time(name string, d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	t := m.timings[name]
	t.Count++
	t.Total += d
	t.Max = max(t.Max, d)
	m.timings[name] = t
	m.mu.Unlock()
	m.send(name, fmt.Sprintf("%.3f|ms", float64(d)/float64(time.Millisecond)))
}

// Counter returns the value of the counter name (h2.NAME: the h2kit
// counters, read now).
func (m *Metrics) Counter(name string) int64 {
	if m == nil {
		return 0
	}
	if strings.HasPrefix(name, "h2.") && !strings.HasPrefix(name, "h2.reject.") && !strings.HasPrefix(name, "h2.conn.") {
		return int64(m.h2Counters()[name])
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counters[name]
}

// Snapshot returns copies of every counter and timing, the h2kit counters
// included (read now).
func (m *Metrics) Snapshot() (counters map[string]int64, timings map[string]Timing) {
	counters, timings = map[string]int64{}, map[string]Timing{}
	if m == nil {
		return
	}
	for k, v := range m.h2Counters() {
		counters[k] = int64(v)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range m.counters {
		counters[k] = v
	}
	for k, v := range m.timings {
		timings[k] = v
	}
	return
}

func (m *Metrics) send(name, value string) {
	if m.udp == nil {
		return
	}
	line := name + ":" + value
	if m.prefix != "" {
		line = m.prefix + "." + line
	}
	m.udp.Write([]byte(line)) // best effort: statsd is lossy by design
}

// metricKey is the HandlerKey of verb and noun made safe for statsd names.
func metricKey(verb, noun string) string {
	k := []byte(HandlerKey(verb, noun))
	for i, c := range k {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			k[i] = '_'
		}
	}
	return string(k)
}

// observeCall records a call's outcome.
func (m *Metrics) observeCall(ev *Event, start time.Time, reply *Reply, err error) {
	if m == nil {
		return
	}
	k := "call." + metricKey(ev.Verb, ev.Noun)
	m.Incr(k)
	m.Time(k, time.Since(start))
	if err != nil || reply.Code != CodeOK {
		m.Incr(k + ".error")
	}
}

// observeEvent records a handled event.
func (m *Metrics) observeEvent(ev *Event, start time.Time, reply *Reply) {
	if m == nil {
		return
	}
	k := "event." + metricKey(ev.Verb, ev.Noun)
	m.Incr(k)
	m.Time(k, time.Since(start))
	if reply.Code != CodeOK {
		m.Incr(k + ".error")
	}
}
