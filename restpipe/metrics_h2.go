package restpipe

import (
	"strconv"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/reject"
)

// H2ReportInterval is how often Metrics sends the counters of the h2kit
// servers it observes to statsd (statsd's own default flush interval).
const H2ReportInterval = 10 * time.Second

// h2Metrics is what Metrics keeps of the h2kit servers it observes.
type h2Metrics struct {
	servers []*h2server.Server
	sent    map[string]uint64 // the counters last sent to statsd
	stop    chan struct{}     // ends the statsd reporter; nil until it runs
}

// ObserveH2 makes m record the h2kit server srv through its public hooks,
// before srv serves: every reject as the counter h2.reject.NAME and every
// connection-state change as h2.conn.STATE (new, active, idle, http1,
// closed), both at once; and srv's counters (h2server.Stats) under h2.NAME,
// NAME being the Stats field's stable name (h2.streams_opened,
// h2.resets_received.CANCEL, h2.bytes_out, ...), which Snapshot and Counter
// read live and, with statsd, are sent as counters every H2ReportInterval
// (the growth since the last report; h2.connections_open as a gauge).
// srv's OnReject and ConnState hooks, if set, still run.
func (m *Metrics) ObserveH2(srv *h2server.Server) {
	if m == nil {
		return
	}
	onReject := srv.OnReject
	srv.OnReject = func(name reject.Name) {
		m.Incr("h2.reject." + string(name))
		if onReject != nil {
			onReject(name)
		}
	}
	connState := srv.ConnState
	srv.ConnState = func(info handler.ConnInfo, st h2server.ConnState) {
		m.Incr("h2.conn." + st.String())
		if connState != nil {
			connState(info, st)
		}
	}
	m.mu.Lock()
	m.h2.servers = append(m.h2.servers, srv)
	start := m.udp != nil && m.h2.stop == nil
	if start {
		m.h2.stop = make(chan struct{})
	}
	m.mu.Unlock()
	if start {
		go m.reportH2Every(H2ReportInterval, m.h2.stop)
	}
}

// h2Counters returns the counters of the observed servers, summed, by
// name; open connections under h2.connections_open.
func (m *Metrics) h2Counters() map[string]uint64 {
	m.mu.Lock()
	servers := m.h2.servers
	m.mu.Unlock()
	out := map[string]uint64{}
	for _, srv := range servers {
		st := srv.Stats()
		add := func(name string, v uint64) { out["h2."+name] += v }
		add("connections_accepted", st.ConnectionsAccepted)
		add("connections_open", uint64(max(st.ConnectionsOpen, 0)))
		add("connections_closed", st.ConnectionsClosed)
		add("streams_opened", st.StreamsOpened)
		add("streams_closed", st.StreamsClosed)
		add("streams_refused", st.StreamsRefused)
		for prefix, codes := range map[string]map[string]uint64{"resets_sent": st.ResetsSent,
			"resets_received": st.ResetsReceived, "goaways_sent": st.GoAwaysSent, "goaways_received": st.GoAwaysReceived} {
			for code, v := range codes {
				add(prefix+"."+code, v)
			}
		}
		add("bytes_in", st.BytesIn)
		add("bytes_out", st.BytesOut)
		add("flow_stalls", st.FlowStalls)
	}
	return out
}

// reportH2 sends statsd what the h2kit counters grew by since the last
// report, and the open connections as a gauge.
func (m *Metrics) reportH2() {
	now := m.h2Counters()
	m.mu.Lock()
	last := m.h2.sent
	m.h2.sent = now
	m.mu.Unlock()
	for name, v := range now {
		if name == "h2.connections_open" {
			m.send(name, strconv.FormatUint(v, 10)+"|g")
			continue
		}
		if d := v - last[name]; d > 0 {
			m.send(name, strconv.FormatUint(d, 10)+"|c")
		}
	}
}

func (m *Metrics) reportH2Every(d time.Duration, stop chan struct{}) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.reportH2()
		case <-stop:
			return
		}
	}
}

// stopH2 ends the statsd reporter, after a last report.
func (m *Metrics) stopH2() {
	m.mu.Lock()
	stop := m.h2.stop
	m.h2.stop = nil
	m.mu.Unlock()
	if stop != nil {
		close(stop)
		m.reportH2()
	}
}
