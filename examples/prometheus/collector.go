package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
)

// Collector exports an h2server.Server's counters (Server.Stats) to
// Prometheus. Each metric is named h2kit_ plus the stable JSON name of its
// Stats field (counters end in _total); the error-code maps become a "code"
// label (the RFC 9113 name), Rejects a "name" label (the reject name), and
// every code and name is exported from the start, at zero.
//
// It also counts the connection-state changes the server reports through
// its ConnState hook, as h2kit_connection_states_total{state}: install
// Collector.ConnState as Server.ConnState before serving.
type Collector struct {
	srv    *h2server.Server
	states *prometheus.CounterVec
}

// NewCollector returns the Collector of srv; register it with a
// prometheus.Registerer.
func NewCollector(srv *h2server.Server) *Collector {
	c := &Collector{srv: srv, states: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "h2kit_connection_states_total",
		Help: "Connection state changes reported by h2server's ConnState hook, by state.",
	}, []string{"state"})}
	for _, st := range []h2server.ConnState{h2server.StateNew, h2server.StateActive, h2server.StateIdle,
		h2server.StateHTTP1, h2server.StateClosed} {
		c.states.WithLabelValues(st.String())
	}
	return c
}

// ConnState is an h2server.Server.ConnState hook that counts the changes.
func (c *Collector) ConnState(_ handler.ConnInfo, st h2server.ConnState) {
	c.states.WithLabelValues(st.String()).Inc()
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("h2kit_"+name, help, labels, nil)
}

var (
	descAccepted = desc("connections_accepted_total", "Connections the server took (refused ones included).")
	descOpen     = desc("connections_open", "Connections being served now.")
	descClosed   = desc("connections_closed_total", "Connections that ended.")
	descSOpened  = desc("streams_opened_total", "HTTP/2 streams opened.")
	descSClosed  = desc("streams_closed_total", "HTTP/2 streams closed.")
	descSRefused = desc("streams_refused_total", "HTTP/2 streams refused with REFUSED_STREAM.")
	descRstSent  = desc("resets_sent_total", "RST_STREAM frames sent, by error code.", "code")
	descRstRecv  = desc("resets_received_total", "RST_STREAM frames received, by error code.", "code")
	descGASent   = desc("goaways_sent_total", "GOAWAY frames sent, by error code.", "code")
	descGARecv   = desc("goaways_received_total", "GOAWAY frames received, by error code.", "code")
	descRejects  = desc("rejects_total", "Rejected inputs, by reject name.", "name")
	descBytesIn  = desc("bytes_in_total", "Octets read on HTTP/2 connections.")
	descBytesOut = desc("bytes_out_total", "Octets written on HTTP/2 connections.")
	descStalls   = desc("flow_stalls_total", "Response bodies held back by an exhausted flow-control window.")
	counterDescs = []*prometheus.Desc{descAccepted, descClosed, descSOpened, descSClosed, descSRefused, descBytesIn, descBytesOut, descStalls}
	perCodeDescs = []*prometheus.Desc{descRstSent, descRstRecv, descGASent, descGARecv}
)

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range counterDescs {
		ch <- d
	}
	for _, d := range perCodeDescs {
		ch <- d
	}
	ch <- descOpen
	ch <- descRejects
	c.states.Describe(ch)
}

// Collect implements prometheus.Collector: one Stats snapshot per scrape.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	st := c.srv.Stats()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(descAccepted, st.ConnectionsAccepted)
	ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(st.ConnectionsOpen))
	counter(descClosed, st.ConnectionsClosed)
	counter(descSOpened, st.StreamsOpened)
	counter(descSClosed, st.StreamsClosed)
	counter(descSRefused, st.StreamsRefused)
	for d, m := range map[*prometheus.Desc]map[string]uint64{
		descRstSent: st.ResetsSent, descRstRecv: st.ResetsReceived, descGASent: st.GoAwaysSent, descGARecv: st.GoAwaysReceived,
	} {
		for code, v := range m {
			counter(d, v, code)
		}
	}
	for name, v := range st.Rejects {
		counter(descRejects, v, string(name))
	}
	counter(descBytesIn, st.BytesIn)
	counter(descBytesOut, st.BytesOut)
	counter(descStalls, st.FlowStalls)
	c.states.Collect(ch)
}
