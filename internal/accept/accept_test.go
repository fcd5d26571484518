package accept

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// scriptedListener returns the errors of script in turn, then conn.
type scriptedListener struct {
	script []error
	conn   net.Conn
}

func (l *scriptedListener) Accept() (net.Conn, error) {
	if len(l.script) > 0 {
		err := l.script[0]
		l.script = l.script[1:]
		return nil, err
	}
	return l.conn, nil
}

func (l *scriptedListener) Close() error   { return nil }
func (l *scriptedListener) Addr() net.Addr { return &net.TCPAddr{} }

// acceptErr is what a TCP listener's Accept returns for errno e.
func acceptErr(e syscall.Errno) error {
	return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", e)}
}

// TestAcceptWaitsOutEMFILE: a listener whose Accept fails with EMFILE twice
// and then succeeds yields its connection after waits of 5 and 10 ms, each
// failure reported.
func TestAcceptWaitsOutEMFILE(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c1, c2 := net.Pipe()
		defer c1.Close()
		defer c2.Close()
		ln := &scriptedListener{script: []error{acceptErr(syscall.EMFILE), acceptErr(syscall.EMFILE)}, conn: c1}
		var errs []error
		var delays []time.Duration
		l := Loop{OnRetry: func(err error, d time.Duration) {
			errs = append(errs, err)
			delays = append(delays, d)
		}}
		start := time.Now()
		nc, err := l.Accept(ln)
		if err != nil || nc != c1 {
			t.Fatalf("Accept = %v, %v; want the connection", nc, err)
		}
		if fmt.Sprint(delays) != "[5ms 10ms]" {
			t.Errorf("waits %v, want [5ms 10ms]", delays)
		}
		for _, err := range errs {
			if !errors.Is(err, syscall.EMFILE) {
				t.Errorf("OnRetry got %v, want EMFILE", err)
			}
		}
		if d := time.Since(start); d != 15*time.Millisecond {
			t.Errorf("Accept returned after %v (fake clock), want 15ms", d)
		}
		// A success resets the backoff.
		ln.script = []error{acceptErr(syscall.ENFILE)}
		delays = nil
		if _, err := l.Accept(ln); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(delays) != "[5ms]" {
			t.Errorf("after a success: waits %v, want [5ms]", delays)
		}
	})
}

// TestNextDelay: 5 ms doubling, capped at 1 s.
func TestNextDelay(t *testing.T) {
	var got []time.Duration
	d := time.Duration(0)
	for range 10 {
		d = NextDelay(d)
		got = append(got, d)
	}
	want := "[5ms 10ms 20ms 40ms 80ms 160ms 320ms 640ms 1s 1s]"
	if fmt.Sprint(got) != want {
		t.Errorf("delays %v, want %s", got, want)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// TestRetryable: resource shortages and timeouts are waited out; a closed
// listener and other failures are not.
func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{acceptErr(syscall.EMFILE), true},
		{acceptErr(syscall.ENFILE), true},
		{acceptErr(syscall.ENOBUFS), true},
		{acceptErr(syscall.ENOMEM), true},
		{acceptErr(syscall.ECONNABORTED), true},
		{&net.OpError{Op: "accept", Err: timeoutErr{}}, true},
		{fmt.Errorf("wrapped: %w", acceptErr(syscall.EMFILE)), true},
		{nil, false},
		{net.ErrClosed, false},
		{&net.OpError{Op: "accept", Net: "tcp", Err: net.ErrClosed}, false},
		{acceptErr(syscall.EINVAL), false},
		{acceptErr(syscall.EBADF), false},
		{errors.New("listener gone"), false},
	} {
		if got := Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestAcceptOtherErrors: an error that is not a shortage is returned at once.
func TestAcceptOtherErrors(t *testing.T) {
	ln := &scriptedListener{script: []error{net.ErrClosed}}
	var l Loop
	l.OnRetry = func(err error, _ time.Duration) { t.Errorf("OnRetry(%v) for a closed listener", err) }
	if _, err := l.Accept(ln); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept = %v, want net.ErrClosed", err)
	}
}

// TestAcceptStop: closing Stop ends a wait at once with the last error, so
// an owner that closes its listener is not kept waiting for up to MaxDelay.
func TestAcceptStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		script := make([]error, 20)
		for i := range script {
			script[i] = acceptErr(syscall.EMFILE)
		}
		stop := make(chan struct{})
		l := Loop{Stop: stop}
		ln := &scriptedListener{script: script}
		done := make(chan error)
		start := time.Now()
		go func() {
			_, err := l.Accept(ln)
			done <- err
		}()
		time.Sleep(2 * time.Second) // fake clock: well into the 1 s waits
		synctest.Wait()
		close(stop)
		err := <-done
		if !errors.Is(err, syscall.EMFILE) {
			t.Errorf("Accept = %v, want the EMFILE it was waiting out", err)
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("Accept returned %v after start (fake clock), want 2s: at once on Stop", d)
		}
	})
}
