package restpipe

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/reject"
)

// The pipe server's h2kit counters and connection states reach Metrics
// through h2kit's public API, and statsd as counters and a gauge.
func TestMetricsH2kitCounters(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer pc.Close()
	m, err := NewMetrics("rp", pc.LocalAddr().String())
	require.NoError(t, err)
	defer m.Close()

	p := newTestPKI(t)
	s := &Server{TLSConfig: p.serverTLS(), Registry: echoRegistry("server"), Metrics: m}
	addr := startServer(t, s)
	c := &Client{Addr: addr, TLSConfig: p.clientTLS(t, "node1")}
	startClient(t, c)
	waitClients(t, s, "node1")
	for range 3 {
		_, err = c.Call(context.Background(), &Event{Verb: "get", Noun: "time/utc"})
		require.NoError(t, err)
	}

	assert.Equal(t, int64(1), m.Counter("h2.conn.new"), "h2.conn.new")
	assert.Equal(t, int64(1), m.Counter("h2.connections_accepted"))
	assert.Equal(t, int64(1), m.Counter("h2.connections_open"))
	opened := m.Counter("h2.streams_opened")
	assert.GreaterOrEqual(t, opened, int64(3), "h2.streams_opened")
	assert.Positive(t, m.Counter("h2.bytes_in"))
	counters, _ := m.Snapshot()
	assert.Equal(t, opened, counters["h2.streams_opened"])
	assert.Contains(t, counters, "h2.resets_sent.CANCEL")

	// Each report is followed by a marker counter: the lines before it are
	// the report's (one socket: loopback keeps their order).
	buf := make([]byte, 1500)
	pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	report := func(marker string) map[string]bool {
		m.reportH2()
		m.Incr(marker)
		lines := map[string]bool{}
		for {
			n, _, err := pc.ReadFrom(buf)
			require.NoError(t, err)
			line := string(buf[:n])
			if line == "rp."+marker+":1|c" {
				return lines
			}
			lines[line] = true
		}
	}
	first := report("marker1")
	assert.True(t, first["rp.h2.connections_open:1|g"], "gauge: %v", first)
	assert.True(t, first["rp.h2.connections_accepted:1|c"], "accepted: %v", first)
	assert.True(t, first["rp.h2.streams_opened:"+strconv.FormatInt(opened, 10)+"|c"], "streams: %v", first)
	// A second report sends only what grew: the gauge again, no stream.
	second := report("marker2")
	assert.True(t, second["rp.h2.connections_open:1|g"], "gauge: %v", second)
	for line := range second {
		assert.False(t, strings.HasPrefix(line, "rp.h2.streams_opened:") || strings.HasPrefix(line, "rp.h2.connections_accepted:"),
			"re-sent: %s", line)
	}
}

// ObserveH2 keeps the hooks a server already had.
func TestObserveH2Chains(t *testing.T) {
	m, err := NewMetrics("", "")
	require.NoError(t, err)
	var rejected []reject.Name
	var states []h2server.ConnState
	srv := &h2server.Server{
		OnReject:  func(name reject.Name) { rejected = append(rejected, name) },
		ConnState: func(_ handler.ConnInfo, st h2server.ConnState) { states = append(states, st) },
	}
	m.ObserveH2(srv)
	srv.OnReject(reject.RefusedStream)
	srv.ConnState(handler.ConnInfo{}, h2server.StateIdle)
	assert.Equal(t, []reject.Name{reject.RefusedStream}, rejected)
	assert.Equal(t, []h2server.ConnState{h2server.StateIdle}, states)
	assert.Equal(t, int64(1), m.Counter("h2.reject.refused_stream"))
	assert.Equal(t, int64(1), m.Counter("h2.conn.idle"))
	var nilMetrics *Metrics
	nilMetrics.ObserveH2(srv) // records nothing, changes nothing
}
