package h2server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/h2kit/h2kit/internal/accept/accepttest"
)

// stdH2CClient is net/http's client speaking h2c with prior knowledge only.
func stdH2CClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

// TestAcceptResourceExhaustion: a listener whose Accept fails with EMFILE
// twice and then ENFILE (the process's and the system's descriptor limits)
// before it succeeds does not stop the server: each failure is counted
// ("accept_retry") and waited out, and the next client is served.
func TestAcceptResourceExhaustion(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &accepttest.Listener{Listener: inner,
		Script: []error{accepttest.Errno(syscall.EMFILE), accepttest.Errno(syscall.EMFILE), accepttest.Errno(syscall.ENFILE)}}
	var rej rejects
	srv := &Server{Handler: echoFactory, OnReject: rej.add}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	cl := stdH2CClient()
	defer cl.CloseIdleConnections()
	type result struct {
		resp *http.Response
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := cl.Get("http://" + inner.Addr().String() + "/after-emfile")
		got <- result{resp, err}
	}()
	var resp *http.Response
	select {
	case r := <-got:
		if r.err != nil {
			t.Fatalf("GET: %v", r.err)
		}
		resp = r.resp
	case err := <-done:
		// The client would wait for ever in the listen backlog.
		inner.Close()
		t.Fatalf("Serve stopped on a resource shortage: %v", err)
	}
	body := readAll(t, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body != "hello, GET /after-emfile\n" || resp.ProtoMajor != 2 {
		t.Errorf("GET: %d %q", resp.StatusCode, body)
	}
	rej.mu.Lock()
	if n := len(slices.DeleteFunc(slices.Clone(rej.names), func(s string) bool { return s != "accept_retry" })); n != 3 {
		t.Errorf("accept_retry reported %d times, want 3 (rejects %v)", n, rej.names)
	}
	rej.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve returned %v, want ErrServerClosed", err)
	}
}

// exhaustedListener fails every Accept with EMFILE until it is closed.
type exhaustedListener struct {
	closed chan struct{}
	once   sync.Once
}

func (l *exhaustedListener) Accept() (net.Conn, error) {
	select {
	case <-l.closed:
		return nil, net.ErrClosed
	default:
		return nil, accepttest.Errno(syscall.EMFILE)
	}
}

func (l *exhaustedListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *exhaustedListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// TestShutdownEndsAcceptBackoff: Shutdown and Close end a backoff wait at
// once (fake clock), instead of leaving Serve asleep for up to a second.
func TestShutdownEndsAcceptBackoff(t *testing.T) {
	for _, name := range []string{"Shutdown", "Close"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ln := &exhaustedListener{closed: make(chan struct{})}
				var rej rejects
				srv := &Server{Handler: echoFactory, OnReject: rej.add}
				done := make(chan error, 1)
				go func() { done <- srv.Serve(ln) }()
				time.Sleep(3 * time.Second) // into the 1 s waits
				synctest.Wait()
				start := time.Now()
				if name == "Shutdown" {
					srv.Shutdown(context.Background())
				} else {
					srv.Close()
				}
				if err := <-done; !errors.Is(err, ErrServerClosed) {
					t.Errorf("Serve returned %v, want ErrServerClosed", err)
				}
				if d := time.Since(start); d != 0 {
					t.Errorf("Serve returned %v after %s (fake clock), want at once", d, name)
				}
				if !rej.has("accept_retry") {
					t.Errorf("rejects %v, want accept_retry", rej.names)
				}
			})
		})
	}
}
