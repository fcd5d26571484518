package h2conn

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// serveEngine drives one TCP connection with the engine: the smallest
// socket loop, used to run h2spec against the engine alone.
func serveEngine(nc net.Conn, cfg Config, hello bool) {
	defer nc.Close()
	var h interface {
		Handler
		setConn(*Conn)
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
	buf := make([]byte, 64<<10)
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
			// Half-close and drain, so that the peer reads the GOAWAY
			// instead of a reset caused by unread input.
			if tc, ok := nc.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			nc.SetReadDeadline(time.Now().Add(time.Second))
			for {
				if _, err := nc.Read(buf); err != nil {
					return
				}
			}
		}
		var ne net.Error
		if rerr != nil && !(errors.As(rerr, &ne) && ne.Timeout()) {
			c.CloseStreams(ErrCodeCancel)
			return
		}
	}
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
	defer ln.Close()
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go serveEngine(nc, Config{}, false)
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	bin := os.Getenv("H2SPEC")
	var cmd *exec.Cmd
	if bin != "" {
		cmd = exec.Command(bin, "-h", "127.0.0.1", "-p", port, "-o", "2")
	} else {
		cmd = exec.Command("go", "tool", "h2spec", "-h", "127.0.0.1", "-p", port, "-o", "2")
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Log(out.String())
	if err != nil {
		t.Fatalf("h2spec: %v", err)
	}
	if !bytes.Contains(out.Bytes(), []byte("145 tests, 145 passed, 0 skipped, 0 failed")) {
		t.Fatal("h2spec did not pass all 145 tests")
	}
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
