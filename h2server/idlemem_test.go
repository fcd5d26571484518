package h2server

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"testing"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// Bounds on what an idle HTTP/2 connection keeps after one request: on the
// heap, beyond what an idle TCP (or TLS) connection with a goroutine blocked
// in Read costs anyway, and in its goroutine's stack. Measured at about 5.5
// KiB of heap over h2c and 6.5 KiB over TLS, with a 4 KiB stack over h2c
// (its goroutine waits with less than 1 KiB in use, so a collection shrinks
// the stack to 4 KiB) and 8 KiB over TLS (crypto/tls's read already needs
// that much); before the buffers were lent by pools and the connection's
// prologue left the goroutine's stack, 25 and 28 KiB in all. The stacks are
// bounded on their own, not against the bare connections': whether a bare
// TLS reader's stack shrinks from 8 KiB to 4 depends on where its read
// stops, which made a difference of the two vary by 4 KiB between builds.
// For comparison, nghttpd's whole idle h2c connection is about 23 KiB of
// RSS and Go net/http's about 26 KiB (bench/h2/idle.sh).
const (
	idleHeapBound     = 8 << 10
	idleStackBound    = 4<<10 + 512 // a 4 KiB stack, and others' noise
	idleTLSStackBound = 8<<10 + 512
)

// TestIdleConnMemory opens idleConns connections, each after one GET answered
// and a PING round trip (so the server has handled everything the client sent
// and gone back to its read), and measures the live heap and the goroutine
// stacks per connection. The heap, minus the same measure for idle
// connections to a server that only reads (the socket, its goroutine's
// bookkeeping and the client's side of the connection), is what h2kit keeps
// per idle connection: it must stay below idleHeapBound, which holds only if
// the read and write buffers go back to their pools while a connection
// sleeps and the HPACK tables and engine state are sized by use. The stack
// per connection must stay at what the wait needs.
//
// With H2KIT_IDLE_PROFILE=FILE it also writes a heap profile taken with the
// connections open.
func TestIdleConnMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens hundreds of connections")
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory and goroutine state distort heap sizes")
	}
	if os.Getenv("H2KIT_IDLE_PROFILE") != "" {
		defer func(r int) { runtime.MemProfileRate = r }(runtime.MemProfileRate)
		runtime.MemProfileRate = 1
	}
	for _, tlsOn := range []bool{false, true} {
		name, stackBound := "h2c", idleStackBound
		if tlsOn {
			name, stackBound = "tls", idleTLSStackBound
		}
		t.Run(name, func(t *testing.T) {
			base := idleBaseline(t, tlsOn)
			h2 := idleH2(t, tlsOn)
			heap := h2.heap - base.heap
			t.Logf("%s: %d bytes of heap per idle connection and %d of stack (h2: heap %d + stacks %d; bare connection: heap %d + stacks %d)",
				name, heap, h2.stacks, h2.heap, h2.stacks, base.heap, base.stacks)
			if heap > idleHeapBound {
				t.Errorf("%s: an idle connection keeps %d bytes of heap, want at most %d", name, heap, idleHeapBound)
			}
			if h2.stacks > int64(stackBound) {
				t.Errorf("%s: an idle connection's goroutine keeps %d bytes of stack, want at most %d", name, h2.stacks, stackBound)
			}
		})
	}
}

const idleConns = 500

// heapAndStacks returns the live heap and the goroutine stacks in use, after
// enough collections for the stacks of idle goroutines to shrink to what
// they use (a collection halves a stack at most) and for the sync.Pools'
// victim caches to be emptied (pooled buffers belong to no connection).
func heapAndStacks() memSample {
	for range 6 {
		runtime.GC()
	}
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/stacks:bytes"},
	}
	metrics.Read(s)
	return memSample{int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())}
}

// memSample is a heap and stack measure, or a difference of two per
// connection.
type memSample struct{ heap, stacks int64 }

func (m memSample) perConn(before memSample) memSample {
	return memSample{(m.heap - before.heap) / idleConns, (m.stacks - before.stacks) / idleConns}
}

// idleBaseline returns the memory per connection of idleConns connections to
// a listener whose goroutines only block in Read (after the TLS handshake).
func idleBaseline(t *testing.T, tlsOn bool) memSample {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cert := testCert(t)
	ready := make(chan struct{}, idleConns)
	var srvConns []net.Conn
	accepted := make(chan net.Conn, idleConns)
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- nc
			go func() {
				if tlsOn {
					tc := tls.Server(nc, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
					if tc.Handshake() != nil {
						ready <- struct{}{}
						return
					}
					nc = tc
				}
				var b [1]byte
				ready <- struct{}{}
				nc.Read(b[:]) // until the client closes
			}()
		}
	}()
	before := heapAndStacks()
	cl := make([]net.Conn, idleConns)
	for i := range cl {
		cl[i] = dialIdle(t, ln.Addr().String(), tlsOn)
		srvConns = append(srvConns, <-accepted)
		<-ready
	}
	after := heapAndStacks()
	for i := range cl {
		cl[i].Close()
		srvConns[i].Close()
	}
	return after.perConn(before)
}

// idleH2 returns the memory per connection of idleConns HTTP/2 connections,
// each idle after one request.
func idleH2(t *testing.T, tlsOn bool) memSample {
	srv := &Server{Handler: echoFactory}
	url := startServer(t, srv, tlsOn)
	addr := url[len("http://"):]
	if tlsOn {
		addr = url[len("https://"):]
	}
	// One connection first, so that what is made once per process (code
	// paths, caches, pools) is not counted.
	c0 := dialIdle(t, addr, tlsOn)
	idleRequest(t, c0, tlsOn)
	before := heapAndStacks()
	cl := make([]net.Conn, idleConns)
	for i := range cl {
		cl[i] = dialIdle(t, addr, tlsOn)
		idleRequest(t, cl[i], tlsOn)
	}
	after := heapAndStacks()
	if f := os.Getenv("H2KIT_IDLE_PROFILE"); f != "" {
		w, err := os.Create(fmt.Sprintf("%s.%v", f, tlsOn))
		if err != nil {
			t.Fatal(err)
		}
		pprof.Lookup("heap").WriteTo(w, 0)
		w.Close()
	}
	for _, c := range cl {
		c.Close()
	}
	c0.Close()
	return after.perConn(before)
}

func dialIdle(t *testing.T, addr string, tlsOn bool) net.Conn {
	t.Helper()
	var nc net.Conn
	var err error
	if tlsOn {
		nc, err = tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
	} else {
		nc, err = net.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	return nc
}

// idleRequest makes one GET on nc, reads the response, and completes a PING
// round trip, after which the server has handled all the client sent.
func idleRequest(t *testing.T, nc net.Conn, tlsOn bool) {
	t.Helper()
	if _, err := io.WriteString(nc, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(nc, nc)
	fr.WriteSettings()
	var hb []byte
	scheme := "http"
	if tlsOn {
		scheme = "https"
	}
	enc := xhpack.NewEncoder(byteAppender{&hb})
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", scheme}, {":authority", "t"}, {":path", "/"}, {"user-agent", "idle-test"}} {
		enc.WriteField(xhpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb, EndStream: true, EndHeaders: true})
	ended, pinged := false, false
	for !pinged {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			pinged = f.IsAck()
		case *http2.GoAwayFrame, *http2.RSTStreamFrame:
			t.Fatalf("unexpected %v", f)
		}
		if !ended && f.Header().StreamID == 1 && f.Header().Flags.Has(http2.FlagDataEndStream) {
			ended = true
			fr.WritePing(false, [8]byte{1})
		}
	}
}

type byteAppender struct{ b *[]byte }

func (a byteAppender) Write(p []byte) (int, error) { *a.b = append(*a.b, p...); return len(p), nil }
