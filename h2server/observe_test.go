package h2server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/reject"
)

// countConn counts the octets a client reads and writes.
type countConn struct {
	net.Conn
	r, w atomic.Int64
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.r.Add(int64(n))
	return n, err
}

func (c *countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.w.Add(int64(n))
	return n, err
}

// stateLog records ConnState reports per connection ID and signals each.
type stateLog struct {
	mu     sync.Mutex
	states map[uint64][]ConnState
	ids    []uint64 // in order of StateNew
	ch     chan ConnState
}

func newStateLog() *stateLog {
	return &stateLog{states: map[uint64][]ConnState{}, ch: make(chan ConnState, 100)}
}

func (l *stateLog) hook(info handler.ConnInfo, st ConnState) {
	l.mu.Lock()
	if st == StateNew {
		l.ids = append(l.ids, info.ID)
	}
	l.states[info.ID] = append(l.states[info.ID], st)
	l.mu.Unlock()
	l.ch <- st
}

// wait waits for a report of st.
func (l *stateLog) wait(t *testing.T, st ConnState) {
	t.Helper()
	for {
		select {
		case got := <-l.ch:
			if got == st {
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %v report", st)
		}
	}
}

func (l *stateLog) of(i int) []ConnState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.states[l.ids[i]])
}

// pingPong sends a PING and waits for its ACK: every frame sent before it
// has been processed and the loop has reported its state.
func (c *client) pingPong(data byte) {
	c.t.Helper()
	c.fr.WritePing(false, [8]byte{data})
	c.until(func(f http2.Frame) bool {
		p, ok := f.(*http2.PingFrame)
		return ok && p.IsAck() && p.Data[0] == data
	})
}

func hangOrEcho(s *handler.Stream) handler.RequestHandler {
	if s.Path() == "/hang" {
		return handler.BaseRequestHandler{}
	}
	return echoFactory(s)
}

// One h2c connection, scripted with x/net's Framer: its states, and every
// counter it moves, down to the octets both ways.
func TestStatsAndConnState(t *testing.T) {
	states := newStateLog()
	var rj rejects
	var alog bytes.Buffer
	var alogMu sync.Mutex
	srv := &Server{Handler: hangOrEcho, ConnState: states.hook, OnReject: rj.add,
		AccessLog: slog.New(slog.NewJSONHandler(lockedWriter{&alogMu, &alog}, nil))}
	startServer(t, srv, false)
	raw, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	nc := &countConn{Conn: raw}
	c := dialClient(t, nc)
	c.until(func(f http2.Frame) bool { s, ok := f.(*http2.SettingsFrame); return ok && s.IsAck() })
	c.get(1, "/")
	c.until(func(f http2.Frame) bool { d, ok := f.(*http2.DataFrame); return ok && d.StreamEnded() })
	c.get(3, "/hang")
	c.pingPong(1)
	c.fr.WriteRSTStream(3, http2.ErrCodeCancel)
	c.pingPong(2)
	c.fr.WriteGoAway(3, http2.ErrCodeNo, nil)
	for {
		if _, err := c.fr.ReadFrame(); err != nil {
			break
		}
	}
	states.wait(t, StateClosed)

	want := []ConnState{StateNew, StateIdle, StateActive, StateIdle, StateActive, StateIdle, StateClosed}
	if got := states.of(0); !slices.Equal(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
	st := srv.Stats()
	for name, pair := range map[string][2]uint64{
		"ConnectionsAccepted": {st.ConnectionsAccepted, 1},
		"ConnectionsOpen":     {uint64(st.ConnectionsOpen), 0},
		"ConnectionsClosed":   {st.ConnectionsClosed, 1},
		"StreamsOpened":       {st.StreamsOpened, 2},
		"StreamsClosed":       {st.StreamsClosed, 2},
		"ResetsReceived":      {st.ResetsReceived["CANCEL"], 1},
		"GoAwaysReceived":     {st.GoAwaysReceived["NO_ERROR"], 1},
		"BytesIn":             {st.BytesIn, uint64(nc.w.Load())},
		"BytesOut":            {st.BytesOut, uint64(nc.r.Load())},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %d, want %d", name, pair[0], pair[1])
		}
	}
	for _, m := range []map[string]uint64{st.ResetsSent, st.ResetsReceived, st.GoAwaysSent, st.GoAwaysReceived} {
		if len(m) != 15 || m[UnknownCode] != 0 {
			t.Errorf("error-code map %v: want all 14 RFC 9113 codes and UNKNOWN", m)
		}
	}
	if len(st.Rejects) != len(reject.All()) {
		t.Errorf("Rejects has %d names, want %d", len(st.Rejects), len(reject.All()))
	}

	// The access log: one record per stream.
	alogMu.Lock()
	defer alogMu.Unlock()
	var recs []map[string]any
	for dec := json.NewDecoder(&alog); dec.More(); {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, m)
	}
	if len(recs) != 2 || recs[0]["path"] != "/" || recs[0]["status"] != 200.0 || recs[0]["proto"] != "h2c" ||
		recs[1]["path"] != "/hang" || recs[1]["reset"] != "CANCEL" {
		t.Errorf("access log %v", recs)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// A response body held back by a one-octet window is a flow stall.
func TestStatsFlowStall(t *testing.T) {
	srv := &Server{Handler: echoFactory}
	startServer(t, srv, false)
	nc, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	c := &client{t: t, nc: nc, fr: http2.NewFramer(nc, nc)}
	io.WriteString(nc, http2.ClientPreface)
	c.fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1})
	c.get(1, "/")
	d := c.until(func(f http2.Frame) bool { _, ok := f.(*http2.DataFrame); return ok }).(*http2.DataFrame)
	if len(d.Data()) != 1 || d.StreamEnded() {
		t.Fatalf("DATA of %d octets, end %v", len(d.Data()), d.StreamEnded())
	}
	if got := srv.Stats().FlowStalls; got != 1 {
		t.Errorf("FlowStalls = %d, want 1", got)
	}
}

// MaxConnections at its threshold: with 2, an HTTP/2 connection and one
// handed to HTTP1 are served, a third is closed at once without a byte
// and counted as reject.MaxConnections; once one closes, a new one is
// served.
func TestMaxConnections(t *testing.T) {
	states := newStateLog()
	var rj rejects
	release := make(chan struct{})
	srv := &Server{Handler: echoFactory, ConnState: states.hook, OnReject: rj.add}
	srv.SetHTTP1Server(hookServer(func(nc net.Conn, _ []byte) { <-release; nc.Close() }))
	srv.Config.MaxConnections = 2
	startServer(t, srv, false)
	dial := func() net.Conn {
		nc, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		return nc
	}
	served := func(nc net.Conn) {
		t.Helper()
		c := dialClient(t, nc)
		c.until(func(f http2.Frame) bool { s, ok := f.(*http2.SettingsFrame); return ok && s.IsAck() })
	}
	served(dial()) // 1: HTTP/2
	h1 := dial()   // 2: HTTP/1.1, held by HTTP1
	io.WriteString(h1, "GET / HTTP/1.1\r\nhost: t\r\n\r\n")
	states.wait(t, StateHTTP1)

	over := dial() // 3: over the limit
	var b [1]byte
	if n, err := over.Read(b[:]); n != 0 || err != io.EOF {
		t.Fatalf("connection over the limit: read %d, %v; want closed at once (EOF)", n, err)
	}
	states.wait(t, StateClosed)
	if got := states.of(2); !slices.Equal(got, []ConnState{StateNew, StateClosed}) {
		t.Errorf("refused connection's states %v", got)
	}
	if st := srv.Stats(); st.Rejects[reject.MaxConnections] != 1 || st.ConnectionsOpen != 2 || st.ConnectionsAccepted != 3 {
		t.Errorf("after the refusal: %d max_connections rejects, %d open, %d accepted; want 1, 2, 3",
			st.Rejects[reject.MaxConnections], st.ConnectionsOpen, st.ConnectionsAccepted)
	}
	if !rj.has(string(reject.MaxConnections)) {
		t.Errorf("OnReject did not get %s: %v", reject.MaxConnections, rj.names)
	}

	close(release) // the HTTP/1.1 connection ends
	states.wait(t, StateClosed)
	served(dial()) // 4: under the limit again
	if got := states.of(1); !slices.Equal(got, []ConnState{StateNew, StateHTTP1, StateClosed}) {
		t.Errorf("HTTP/1.1 connection's states %v", got)
	}
}

func TestConnStateString(t *testing.T) {
	for st, want := range map[ConnState]string{StateNew: "new", StateActive: "active", StateIdle: "idle",
		StateHTTP1: "http1", StateClosed: "closed", 9: "ConnState(9)"} {
		if got := st.String(); got != want {
			t.Errorf("%d: %q, want %q", int(st), got, want)
		}
	}
}

// A negative MaxConnections is no limit; 1 is one connection at a time.
func TestMaxConnectionsNoneAndOne(t *testing.T) {
	for _, tc := range []struct {
		max, served int
	}{{-1, 3}, {1, 1}} {
		srv := &Server{Handler: echoFactory}
		srv.Config.MaxConnections = tc.max
		startServer(t, srv, false)
		served := 0
		for range 3 {
			nc, err := net.Dial("tcp", srv.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(nc, http2.ClientPreface)
			fr := http2.NewFramer(nc, nc)
			fr.WriteSettings()
			if _, err := fr.ReadFrame(); err == nil { // the server's SETTINGS
				served++
			} else if err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
				// Closed at once: EOF, or a reset when the preface was
				// still unread.
				t.Fatalf("MaxConnections %d: %v", tc.max, err)
			}
		}
		if served != tc.served {
			t.Errorf("MaxConnections %d: %d of 3 connections served, want %d", tc.max, served, tc.served)
		}
		if got := srv.Stats().Rejects[reject.MaxConnections]; got != uint64(3-tc.served) {
			t.Errorf("MaxConnections %d: %d rejects, want %d", tc.max, got, 3-tc.served)
		}
	}
}

// A graceful shutdown sends two NO_ERROR GOAWAYs (RFC 9113 §6.8); a
// protocol error one PROTOCOL_ERROR GOAWAY. Both are counted by code.
func TestStatsGoAwaySent(t *testing.T) {
	srv := &Server{Handler: echoFactory}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	dial := func() *client {
		nc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		c := dialClient(t, nc)
		c.until(func(f http2.Frame) bool { s, ok := f.(*http2.SettingsFrame); return ok && s.IsAck() })
		return c
	}
	bad := dial()
	bad.fr.WriteRawFrame(http2.FramePushPromise, 0, 1, []byte{0, 0, 0, 2})
	bad.until(func(f http2.Frame) bool {
		g, ok := f.(*http2.GoAwayFrame)
		return ok && g.ErrCode == http2.ErrCodeProtocol
	})

	good := dial()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	// Answer the shutdown PING (until does) until the final GOAWAY.
	good.until(func(f http2.Frame) bool { g, ok := f.(*http2.GoAwayFrame); return ok && g.LastStreamID == 0 })
	good.nc.Close()
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	<-done
	st := srv.Stats()
	if st.GoAwaysSent["NO_ERROR"] != 2 || st.GoAwaysSent["PROTOCOL_ERROR"] != 1 {
		t.Errorf("GoAwaysSent %v, want NO_ERROR 2 and PROTOCOL_ERROR 1", st.GoAwaysSent)
	}
	if st.Rejects[reject.PushPromiseFromClient] != 1 {
		t.Errorf("rejects %d push_promise_from_client, want 1", st.Rejects[reject.PushPromiseFromClient])
	}
}
