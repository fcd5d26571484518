package h2conn

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveEngine drives one TCP connection with the engine: the smallest
// socket loop, used to run h2spec against the engine alone.
func serveEngine(nc net.Conn, cfg Config, hello bool) {
	buf := make([]byte, 64<<10)
	drain := false // close with closeDrained: the peer may still be sending
	defer func() {
		if drain {
			closeDrained(nc, buf)
		} else {
			nc.Close()
		}
	}()
	var h interface {
		Handler
		setConn(*Engine)
	}
	if hello {
		hh := newHelloHandler()
		if n, _ := strconv.Atoi(os.Getenv("H2CONN_BODY")); n > 0 {
			hh.body = make([]byte, n)
			hh.fields = hh.fields[:1]
		}
		h = hh
	} else {
		h = newRecHandler()
	}
	c, err := NewServerConn(cfg, h)
	if err != nil {
		return
	}
	h.setConn(c)
	c.Tick(time.Now())
	var out []byte
	vec := os.Getenv("H2CONN_VEC") != ""
	var bufs net.Buffers
	for {
		for c.WantWrite() {
			var err error
			if vec {
				bufs = c.AppendOutputVec(bufs[:0])
				vb := bufs // WriteTo consumes its receiver
				_, err = vb.WriteTo(nc)
			} else {
				out = c.AppendOutput(out[:0])
				_, err = nc.Write(out)
			}
			if err != nil {
				c.CloseStreams(ErrCodeCancel)
				return
			}
		}
		if c.Done() {
			// The engine is done (a GOAWAY either way) while the peer
			// may have more frames in flight, such as h2spec's PING
			// after its own GOAWAY.
			drain = true
			return
		}
		d, ok := c.NextDeadline()
		if !ok || d.After(time.Now().Add(time.Second)) {
			d = time.Now().Add(time.Second)
		}
		nc.SetReadDeadline(d)
		n, rerr := nc.Read(buf)
		ferr := c.Feed(buf[:n])
		c.Tick(time.Now())
		if ferr != nil {
			out = c.AppendOutput(out[:0])
			nc.Write(out)
			drain = true
			return
		}
		var ne net.Error
		if rerr != nil && !(errors.As(rerr, &ne) && ne.Timeout()) {
			c.CloseStreams(ErrCodeCancel)
			return
		}
	}
}

// closeDrained closes nc after the frames already written, as h2server's
// lingerClose does: half-close (FIN), then read and discard until the peer
// closes or a second passes. Closing a socket with unread input makes the
// kernel send a TCP reset, which can destroy the last frames (the GOAWAY)
// before the peer reads them; h2spec then reports "connection reset by
// peer".
func closeDrained(nc net.Conn, buf []byte) {
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	nc.SetReadDeadline(time.Now().Add(time.Second))
	for {
		if _, err := nc.Read(buf); err != nil {
			break
		}
	}
	nc.Close()
}

// TestH2spec runs h2spec (pinned in go.mod as a tool) against the engine
// over a loopback h2c listener and requires every case to pass.
func TestH2spec(t *testing.T) {
	if testing.Short() {
		t.Skip("h2spec is slow")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Every connection is closed and its goroutine gone when the test
	// ends, so that repeated runs (-count) do not pile them up.
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	t.Cleanup(func() { ln.Close() })
	wg.Go(func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { serveEngine(nc, Config{}, false) })
		}
	})
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	// go tool runs the h2spec pinned in go.mod from the build cache: no
	// binary is left in a temporary directory.
	args := []string{"-h", "127.0.0.1", "-p", port, "-o", "2"}
	var cmd *exec.Cmd
	if bin := os.Getenv("H2SPEC"); bin != "" {
		cmd = exec.Command(bin, args...)
	} else {
		cmd = exec.Command("go", append([]string{"tool", "h2spec"}, args...)...)
	}
	out, err := cmd.CombinedOutput()
	const want = "145 tests, 145 passed, 0 skipped, 0 failed"
	if err != nil || !bytes.Contains(out, []byte(want)) {
		// h2spec's own report names each failed case with what it
		// expected and got; its frame dumps hold NUL bytes.
		t.Fatalf("h2spec (exit: %v) did not print %q:\n%s", err, want, printable(out))
	}
}

// printable returns h2spec's output with NUL bytes (from the opaque data it
// prints) spelled \x00, so that logs and terminals show all of it.
func printable(out []byte) string {
	return strings.ReplaceAll(string(out), "\x00", `\x00`)
}

// TestServeLoopback serves the hello handler on $H2CONN_SERVE until killed,
// for measuring the engine with h2load; skipped unless the variable is set.
// $H2CONN_BODY sets the body size (default the 12-byte hello);
// $H2CONN_VEC=1 writes with AppendOutputVec and writev.
func TestServeLoopback(t *testing.T) {
	addr := os.Getenv("H2CONN_SERVE")
	if addr == "" {
		t.Skip("set H2CONN_SERVE=127.0.0.1:PORT to serve")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go serveEngine(nc, Config{}, true)
	}
}
