package main

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// idleConn is a client connection that made one request and now sits idle,
// answering only PING and SETTINGS, and noticing when the server closes it.
type idleConn struct {
	c    net.Conn
	done chan struct{} // closed when the server sent GOAWAY or closed the connection
}

// closed reports whether the server has closed the connection (or sent GOAWAY).
func (ic *idleConn) closed() bool {
	select {
	case <-ic.done:
		return true
	default:
		return false
	}
}

// dialIdle opens an HTTP/2 connection (TLS with ALPN h2 when secure, else
// h2c with prior knowledge), sends the preface, an empty SETTINGS and one
// GET for path, reads the response to its end, and leaves the connection open.
// Like h2load, it keeps the default 64 KiB windows and sends no WINDOW_UPDATE
// beyond what the response needs (12 bytes need none).
func dialIdle(addr string, secure bool, path string) (*idleConn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	scheme := "http"
	if secure {
		scheme = "https"
		tc := tls.Client(c, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			c.Close()
			return nil, err
		}
		if p := tc.ConnectionState().NegotiatedProtocol; p != "h2" {
			c.Close()
			return nil, fmt.Errorf("ALPN chose %q, not h2", p)
		}
		c = tc
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fail := func(err error) (*idleConn, error) { c.Close(); return nil, err }
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
		return fail(err)
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if err := fr.WriteSettings(); err != nil {
		return fail(err)
	}
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", scheme}, {":authority", addr}, {":path", path}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
		return fail(err)
	}
	for done := false; !done; {
		f, err := fr.ReadFrame()
		if err != nil {
			return fail(err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				if err := fr.WriteSettingsAck(); err != nil {
					return fail(err)
				}
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				fr.WritePing(true, f.Data)
			}
		case *http2.MetaHeadersFrame:
			if s := f.PseudoValue("status"); s != "" && s[0] != '2' {
				return fail(fmt.Errorf("%s answered %s", path, s))
			}
			done = f.StreamEnded()
		case *http2.DataFrame:
			done = f.StreamEnded()
		case *http2.GoAwayFrame:
			return fail(fmt.Errorf("GOAWAY %v", f.ErrCode))
		case *http2.RSTStreamFrame:
			return fail(fmt.Errorf("RST_STREAM %v", f.ErrCode))
		}
	}
	c.SetDeadline(time.Time{})
	ic := &idleConn{c: c, done: make(chan struct{})}
	go ic.watch(fr)
	return ic, nil
}

// watch answers PING and SETTINGS while the connection idles, and marks it
// closed when the server sends GOAWAY or closes it.
func (ic *idleConn) watch(fr *http2.Framer) {
	defer close(ic.done)
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				fr.WritePing(true, f.Data)
			}
		case *http2.GoAwayFrame:
			return
		}
	}
}

// idleResult is one server's memory per idle connection.
type idleResult struct {
	n            int   // connections opened
	alive        int   // still open when the RSS was read
	base, loaded int64 // server RSS in KiB before and with the connections
	err          error
}

func (r idleResult) perConnKiB() float64 {
	if r.n == 0 {
		return 0
	}
	return float64(r.loaded-r.base) / float64(r.n)
}

// measureIdle opens one warm-up connection (one request, closed), lets the
// server settle, reads its RSS, opens n connections with one request each,
// lets it settle again and reads the RSS again. The connections stay open
// until the second reading, then are closed.
func measureIdle(pid int, addr string, secure bool, n int, settle time.Duration) idleResult {
	var r idleResult
	w, err := dialIdle(addr, secure, "/hello.txt")
	if err != nil {
		r.err = fmt.Errorf("warm-up: %w", err)
		return r
	}
	w.c.Close()
	time.Sleep(settle)
	r.base = rssKiB(pid)
	conns := make([]*idleConn, 0, n)
	defer func() {
		for _, c := range conns {
			c.c.Close()
		}
	}()
	for range n {
		c, err := dialIdle(addr, secure, "/hello.txt")
		if err != nil {
			r.err = fmt.Errorf("connection %d: %w", len(conns)+1, err)
			return r
		}
		conns = append(conns, c)
	}
	time.Sleep(settle)
	r.loaded = rssKiB(pid)
	r.n = n
	for _, c := range conns {
		if !c.closed() {
			r.alive++
		}
	}
	if r.alive < n {
		r.err = errors.New("the server closed connections before the reading")
	}
	return r
}
