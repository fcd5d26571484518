package h2server

import (
	"sync/atomic"

	"github.com/h2kit/h2kit/internal/h2conn"
	"github.com/h2kit/h2kit/reject"
)

// Stats is a snapshot of a Server's counters, from Server.Stats. Every
// field except ConnectionsOpen only grows, from zero when the Server is
// made. The JSON names (also those PublishExpvar shows and the Prometheus
// example exports, with an h2kit_ prefix) are stable API: a name never
// changes its spelling or meaning.
//
// Error-code maps are keyed by the RFC 9113 §7 name of the code
// ("NO_ERROR", "CANCEL", ...; "UNKNOWN" for a code RFC 9113 does not
// define) and hold every name, zero or not, so that a time series exists
// from the start. Rejects holds every name of reject.All.
type Stats struct {
	// ConnectionsAccepted counts the connections the server took: from
	// Serve's listener (refused ones included), ServeConn, and h2c
	// upgrades of connections it had not accepted itself.
	ConnectionsAccepted uint64 `json:"connections_accepted"`
	// ConnectionsOpen is how many of them are being served now (a gauge):
	// in their TLS handshake, speaking HTTP/2, or handed to HTTP1 (until
	// the HTTP1 function returns).
	ConnectionsOpen int64 `json:"connections_open"`
	// ConnectionsClosed counts the connections that ended, refused ones
	// included.
	ConnectionsClosed uint64 `json:"connections_closed"`
	// StreamsOpened counts the HTTP/2 streams opened by a request's
	// HEADERS (or an h2c upgrade) and those reserved by a server push
	// (PUSH_PROMISE); refused streams are not opened.
	StreamsOpened uint64 `json:"streams_opened"`
	// StreamsClosed counts the HTTP/2 streams that closed, however they
	// ended.
	StreamsClosed uint64 `json:"streams_closed"`
	// StreamsRefused counts the streams refused with REFUSED_STREAM over
	// Config.MaxConcurrentStreams: Rejects[reject.RefusedStream].
	StreamsRefused uint64 `json:"streams_refused"`
	// ResetsSent and ResetsReceived count RST_STREAM frames by error code.
	ResetsSent     map[string]uint64 `json:"resets_sent"`
	ResetsReceived map[string]uint64 `json:"resets_received"`
	// GoAwaysSent and GoAwaysReceived count GOAWAY frames by error code
	// (a graceful shutdown sends two NO_ERROR GOAWAYs, RFC 9113 §6.8).
	GoAwaysSent     map[string]uint64 `json:"goaways_sent"`
	GoAwaysReceived map[string]uint64 `json:"goaways_received"`
	// Rejects counts every reject by name (what OnReject receives).
	Rejects map[reject.Name]uint64 `json:"rejects"`
	// BytesIn and BytesOut count the octets of HTTP/2 connections read
	// and written: frames and the preface, under TLS the plaintext.
	// HTTP/1.1 connections handed to HTTP1 are not counted.
	BytesIn  uint64 `json:"bytes_in"`
	BytesOut uint64 `json:"bytes_out"`
	// FlowStalls counts the times a response body that had not ended found
	// the peer's flow-control window (its stream's or the connection's)
	// exhausted after a DATA frame, and had to wait for a WINDOW_UPDATE.
	// Streams reset because such a wait lasted Config.FlowStallTimeout are
	// Rejects[reject.FlowControlStall].
	FlowStalls uint64 `json:"flow_stalls"`
}

// UnknownCode is the key of the error-code maps of Stats for codes RFC 9113
// does not define.
const UnknownCode = "UNKNOWN"

// serverStats holds a Server's live counters; the engine adds to eng, the
// server to the rest, all atomically.
type serverStats struct {
	eng               h2conn.Stats
	accepted, closed  atomic.Uint64
	open              atomic.Int64
	bytesIn, bytesOut atomic.Uint64
	// rejects counts by rejectIndex; a fixed array keeps a zero Server
	// ready and counting allocation-free.
	rejects [rejectSlots]atomic.Uint64
}

// rejectSlots bounds the reject names a server counts (reject.All has
// about a hundred; init checks). The last slot counts any name not in
// reject.All.
const rejectSlots = 256

// rejectNames is reject.All, numbered by rejectIndex.
var (
	rejectNames = reject.All()
	rejectIndex = func() map[reject.Name]int {
		if len(rejectNames) >= rejectSlots {
			panic("h2server: more reject names than rejectSlots")
		}
		m := make(map[reject.Name]int, len(rejectNames))
		for i, n := range rejectNames {
			m[n] = i
		}
		return m
	}()
)

func (st *serverStats) reject(name reject.Name) {
	i, ok := rejectIndex[name]
	if !ok {
		i = rejectSlots - 1
	}
	st.rejects[i].Add(1)
}

// codeNames are the keys of the error-code maps, by h2conn.CodeCounts
// index.
var codeNames = func() (names [h2conn.NumCodes + 1]string) {
	for i := range h2conn.NumCodes {
		names[i] = h2conn.ErrCode(i).String()
	}
	names[h2conn.NumCodes] = UnknownCode
	return names
}()

func codeMap(cc *h2conn.CodeCounts) map[string]uint64 {
	m := make(map[string]uint64, len(cc))
	for i := range cc {
		m[codeNames[i]] = cc[i].Load()
	}
	return m
}

// Stats returns a snapshot of the server's counters. It may be called at
// any time from any goroutine; each field is read atomically, the
// snapshot as a whole is not (a stream may be counted closed before its
// connection's bytes are).
func (s *Server) Stats() Stats {
	st := &s.stats
	out := Stats{
		ConnectionsAccepted: st.accepted.Load(),
		ConnectionsOpen:     st.open.Load(),
		ConnectionsClosed:   st.closed.Load(),
		StreamsOpened:       st.eng.StreamsOpened.Load(),
		StreamsClosed:       st.eng.StreamsClosed.Load(),
		ResetsSent:          codeMap(&st.eng.ResetsSent),
		ResetsReceived:      codeMap(&st.eng.ResetsReceived),
		GoAwaysSent:         codeMap(&st.eng.GoAwaysSent),
		GoAwaysReceived:     codeMap(&st.eng.GoAwaysReceived),
		Rejects:             make(map[reject.Name]uint64, len(rejectNames)),
		BytesIn:             st.bytesIn.Load(),
		BytesOut:            st.bytesOut.Load(),
		FlowStalls:          st.eng.FlowStalls.Load(),
	}
	for i, n := range rejectNames {
		out.Rejects[n] = st.rejects[i].Load()
	}
	out.StreamsRefused = out.Rejects[reject.RefusedStream]
	return out
}

// engineConfig is cfg's engine configuration counting into s's Stats.
func (s *Server) engineConfig(cfg *Config) h2conn.Config {
	e := cfg.engine()
	e.Stats = &s.stats.eng
	return e
}
