// Command idleclient opens N HTTP/2 connections to a server, makes one GET on
// each, and then keeps them all open and idle, for bench/h2/idle.sh to read the
// server's memory. It speaks h2c with prior knowledge, or TLS with ALPN h2
// (certificates are not verified: the servers under test use throw-away ones).
//
// It prints "ready N" on stdout once every connection has its response, and
// holds the connections until its standard input is closed (or it is killed).
//
//	idleclient -addr 127.0.0.1:18080 -n 2000            # h2c
//	idleclient -addr 127.0.0.1:18443 -n 2000 -tls       # TLS
package main

import (
	"bytes"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sync"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "server address")
	useTLS := flag.Bool("tls", false, "TLS with ALPN h2 instead of h2c with prior knowledge")
	n := flag.Int("n", 1000, "connections")
	path := flag.String("path", "/hello.txt", "request path")
	par := flag.Int("p", 50, "connections opened in parallel")
	flag.Parse()

	conns := make([]net.Conn, *n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, *par)
	errs := make(chan error, *n)
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := oneRequest(*addr, *useTLS, *path)
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		log.Fatalf("idleclient: %v", err)
	}
	fmt.Printf("ready %d\n", *n)
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}

// oneRequest opens a connection, makes one GET and returns the connection
// once the response has ended, with the server's SETTINGS acknowledged.
func oneRequest(addr string, useTLS bool, path string) (net.Conn, error) {
	var c net.Conn
	var err error
	if useTLS {
		c, err = tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
		if err == nil && c.(*tls.Conn).ConnectionState().NegotiatedProtocol != "h2" {
			err = fmt.Errorf("%s: ALPN did not select h2", addr)
		}
	} else {
		c, err = net.Dial("tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil {
		c.Close()
		return nil, err
	}
	fr := http2.NewFramer(c, c)
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", scheme}, {":authority", addr}, {":path", path}, {"user-agent", "idleclient"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := fr.WriteSettings(); err != nil {
		c.Close()
		return nil, err
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
		c.Close()
		return nil, err
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("%s: %v", addr, err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				if err := fr.WriteSettingsAck(); err != nil {
					c.Close()
					return nil, err
				}
			}
		case *http2.GoAwayFrame:
			c.Close()
			return nil, fmt.Errorf("%s: GOAWAY %v", addr, f.ErrCode)
		case *http2.RSTStreamFrame:
			c.Close()
			return nil, fmt.Errorf("%s: RST_STREAM %v", addr, f.ErrCode)
		}
		if f.Header().StreamID == 1 && f.Header().Flags.Has(http2.FlagDataEndStream) {
			if _, ok := f.(*http2.DataFrame); ok {
				return c, nil
			}
			if _, ok := f.(*http2.HeadersFrame); ok {
				return c, nil
			}
		}
	}
}
