package restpipebench

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/h2kit/h2kit/pki"
	"github.com/h2kit/h2kit/restpipe"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// payload is the data of every event and reply: a small query.
var payload = make([]byte, 64)

// caller is one direction of a pipe: a round trip of payload.
type caller func(ctx context.Context, data []byte) ([]byte, error)

// run makes b.N round trips from conc goroutines and reports events/s and
// the p99 latency.
func run(b *testing.B, conc int, call caller) {
	b.ReportAllocs()
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				r, err := call(context.Background(), payload)
				if err == nil && len(r) != len(payload) {
					err = fmt.Errorf("reply of %d bytes", len(r))
				}
				if err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

type certs struct {
	server, client *tls.Config // mutual TLS, both ends
}

func newCerts(b *testing.B) certs {
	ca, err := pki.NewCA("bench CA", 0)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := ca.IssueServer("bench server", pki.LoopbackNames, 0)
	if err != nil {
		b.Fatal(err)
	}
	cl, err := ca.IssueClient("node1", 0)
	if err != nil {
		b.Fatal(err)
	}
	return certs{
		server: &tls.Config{Certificates: []tls.Certificate{srv.TLS()}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool()},
		client: &tls.Config{Certificates: []tls.Certificate{cl.TLS()}, RootCAs: ca.Pool(), ServerName: "127.0.0.1"},
	}
}

var concurrencies = []int{1, 64}

func echo(_ context.Context, ev *restpipe.Event) (any, error) {
	return restpipe.Reply{Mime: ev.Mime, Data: ev.Data}, nil
}

// BenchmarkRestPipe: round trips over one RestPipe pipe (one HTTP/2
// connection) in each direction.
func BenchmarkRestPipe(b *testing.B) {
	c := newCerts(b)
	reg := restpipe.NewRegistry()
	reg.Handle("post", "echo", echo)
	s := &restpipe.Server{TLSConfig: c.server, Registry: reg}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go s.Serve(ln)
	defer s.Close()
	cl := &restpipe.Client{Addr: ln.Addr().String(), TLSConfig: c.client, Registry: reg}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go cl.Run(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := cl.WaitConnected(wctx); err != nil {
		b.Fatal(err)
	}
	for len(s.Clients()) == 0 { // registered right after the client sees its pipe
		time.Sleep(time.Millisecond)
	}
	dirs := []struct {
		name string
		call caller
	}{
		{"client-to-server", func(ctx context.Context, data []byte) ([]byte, error) {
			r, err := cl.Call(ctx, &restpipe.Event{Verb: "post", Noun: "echo", Mime: "application/octet-stream", Data: data})
			if err != nil {
				return nil, err
			}
			return r.Data, r.Err()
		}},
		{"server-to-client", func(ctx context.Context, data []byte) ([]byte, error) {
			r, err := s.Call(ctx, "node1", &restpipe.Event{Verb: "post", Noun: "echo", Mime: "application/octet-stream", Data: data})
			if err != nil {
				return nil, err
			}
			return r.Data, r.Err()
		}},
	}
	for _, d := range dirs {
		for _, conc := range concurrencies {
			b.Run(fmt.Sprintf("%s/conc=%d", d.name, conc), func(b *testing.B) { run(b, conc, d.call) })
		}
	}
}

// BenchmarkGRPC: the same round trips over one gRPC bidirectional stream
// (one HTTP/2 connection, mutual TLS), multiplexed by id as RestPipe's pipe
// is: the caller's side sends [type, id, data], the other side answers with
// the same id from a goroutine per message.
func BenchmarkGRPC(b *testing.B) {
	c := newCerts(b)
	serverSide := make(chan *streamMux, 1)
	gs := grpc.NewServer(grpc.Creds(credentials.NewTLS(c.server)), grpc.ForceServerCodec(rawCodec{}))
	gs.RegisterService(&grpc.ServiceDesc{
		ServiceName: "restpipebench.Pipe",
		HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{{StreamName: "Pipe", ServerStreams: true, ClientStreams: true,
			Handler: func(_ any, ss grpc.ServerStream) error {
				m := newStreamMux(ss.SendMsg)
				serverSide <- m
				return m.recvLoop(ss.RecvMsg)
			}}},
	}, struct{}{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go gs.Serve(ln)
	defer gs.Stop()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(credentials.NewTLS(c.client)),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cs, err := conn.NewStream(ctx, &grpc.StreamDesc{StreamName: "Pipe", ServerStreams: true, ClientStreams: true}, "/restpipebench.Pipe/Pipe")
	if err != nil {
		b.Fatal(err)
	}
	cm := newStreamMux(cs.SendMsg)
	go cm.recvLoop(cs.RecvMsg)
	// The server's handler starts with the first message.
	if _, err := cm.call(ctx, payload); err != nil {
		b.Fatal(err)
	}
	sm := <-serverSide
	for _, d := range []struct {
		name string
		m    *streamMux
	}{{"client-to-server", cm}, {"server-to-client", sm}} {
		for _, conc := range concurrencies {
			b.Run(fmt.Sprintf("%s/conc=%d", d.name, conc), func(b *testing.B) { run(b, conc, d.m.call) })
		}
	}
}

// rawCodec sends *[]byte messages as they are.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string { return "restpipebench-raw" }

// streamMux multiplexes calls over one gRPC stream.
type streamMux struct {
	smu  sync.Mutex
	send func(any) error

	mu      sync.Mutex
	next    uint64
	pending map[uint64]chan []byte
}

func newStreamMux(send func(any) error) *streamMux {
	return &streamMux{send: send, pending: map[uint64]chan []byte{}}
}

func (m *streamMux) write(typ byte, id uint64, data []byte) error {
	msg := make([]byte, 9, 9+len(data))
	msg[0] = typ
	binary.BigEndian.PutUint64(msg[1:], id)
	msg = append(msg, data...)
	m.smu.Lock()
	defer m.smu.Unlock()
	return m.send(&msg)
}

func (m *streamMux) call(ctx context.Context, data []byte) ([]byte, error) {
	ch := make(chan []byte, 1)
	m.mu.Lock()
	m.next++
	id := m.next
	m.pending[id] = ch
	m.mu.Unlock()
	if err := m.write(1, id, data); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (m *streamMux) recvLoop(recv func(any) error) error {
	for {
		var msg []byte
		if err := recv(&msg); err != nil {
			return err
		}
		if len(msg) < 9 {
			return errors.New("short message")
		}
		id := binary.BigEndian.Uint64(msg[1:9])
		data := msg[9:]
		switch msg[0] {
		case 1: // a request: answer from its own goroutine, as RestPipe does
			go m.write(2, id, data)
		case 2:
			m.mu.Lock()
			ch := m.pending[id]
			delete(m.pending, id)
			m.mu.Unlock()
			if ch != nil {
				ch <- data
			}
		}
	}
}
