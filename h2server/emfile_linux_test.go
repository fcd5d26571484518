package h2server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// emfileChildEnv makes the test binary run TestAcceptUnderDescriptorLimit's
// server side: a process whose descriptor limit is emfileChildLimit.
const (
	emfileChildEnv   = "H2SERVER_EMFILE_CHILD"
	emfileChildLimit = 64
	emfileIdleConns  = 4 * emfileChildLimit
)

// TestAcceptUnderDescriptorLimit is the outside view of issue 7 item 6: a
// server process limited to 64 descriptors gets 256 idle TCP connections, so
// that Accept fails with EMFILE; the idle connections are released, and the
// next client must be served (nghttpd and Go's server do). The server runs in
// a child process (this test binary, re-executed) so that the lowered
// RLIMIT_NOFILE does not starve the test itself.
func TestAcceptUnderDescriptorLimit(t *testing.T) {
	if os.Getenv(emfileChildEnv) == "1" {
		emfileChild(t)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestAcceptUnderDescriptorLimit$", "-test.count=1")
	cmd.Env = append(os.Environ(), emfileChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child's lines: "addr A", the server's log (accept errors) and
	// "serve-ended ERR" if Serve returns. The channel closes when the child
	// exits.
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// next returns the first line that has one of the prefixes or substrings
	// in want; it fails the test when the server stops serving.
	next := func(want string) string {
		t.Helper()
		for l := range lines {
			if strings.HasPrefix(l, "serve-ended") {
				t.Fatalf("the server stopped accepting: %s", l)
			}
			if strings.Contains(l, want) {
				return l
			}
		}
		t.Fatalf("child exited before %q: %v\n%s", want, cmd.Wait(), stderr.String())
		return ""
	}
	defer func() {
		stdin.Close() // the child stops serving and exits
		if err := cmd.Wait(); err != nil && !t.Failed() {
			t.Errorf("child: %v\n%s", err, stderr.String())
		}
	}()
	addr := strings.TrimPrefix(next("addr "), "addr ")

	// The kernel completes the handshakes of connections the server cannot
	// accept (the listen backlog), so dialing does not wait for the server.
	idle := make([]net.Conn, 0, emfileIdleConns)
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range emfileIdleConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	if l := next("accept failed"); !strings.Contains(l, "too many open files") {
		t.Fatalf("accept failed, but not with EMFILE: %s", l)
	}
	for _, c := range idle {
		c.Close()
	}
	idle = idle[:0]

	// A new client is served once the descriptors are free again (within a
	// backoff of at most 1 s); the deadline only bounds a broken run.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	type result struct {
		body string
		err  error
	}
	got := make(chan result, 2)
	go func() {
		cl := stdH2CClient()
		defer cl.CloseIdleConnections()
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/after", nil)
		resp, err := cl.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- result{string(b), err}
	}()
	go func() {
		// Report a Serve that returns while the client waits.
		for l := range lines {
			if strings.HasPrefix(l, "serve-ended") {
				got <- result{err: errors.New(l)}
				cancel()
				return
			}
		}
	}()
	r := <-got
	if r.err != nil || r.body != "hello, GET /after\n" {
		t.Fatalf("client after the shortage: %q, %v", r.body, r.err)
	}
}

// emfileChild is the server process: RLIMIT_NOFILE lowered, h2c on loopback,
// errors logged to stdout, until stdin closes.
func emfileChild(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = emfileChildLimit
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Handler: echoFactory, Logger: slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelError}))}
	served := make(chan struct{})
	go func() {
		defer close(served)
		err := srv.Serve(ln)
		if err != ErrServerClosed {
			os.Stdout.WriteString("serve-ended " + err.Error() + "\n")
		}
	}()
	os.Stdout.WriteString("addr " + ln.Addr().String() + "\n")
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
	<-served
}
