package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/handler"
)

// scrape returns the h2kit_ samples of /metrics, by "name{labels}".
func scrape(t *testing.T, url string) map[string]string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "h2kit_") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		out[line[:i]] = line[i+1:]
	}
	return out
}

// The exporter scrapes real counters: three requests, a stream the client
// resets, its GOAWAY, and a connection refused over MaxConnections.
func TestScrape(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	type addrs struct{ h2, metrics net.Addr }
	ready := make(chan addrs, 1)
	done := make(chan error, 1)
	closed := make(chan struct{}, 2)
	go func() {
		done <- run(ctx, "127.0.0.1:0", "127.0.0.1:0", func(h2, m net.Addr) { ready <- addrs{h2, m} },
			func(srv *h2server.Server) {
				srv.Config.MaxConnections = 1
				count := srv.ConnState // the Collector's
				srv.ConnState = func(info handler.ConnInfo, st h2server.ConnState) {
					count(info, st)
					if st == h2server.StateClosed {
						closed <- struct{}{}
					}
				}
			})
	}()
	a := <-ready
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	nc, err := net.Dial("tcp", a.h2.String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	fr := http2.NewFramer(nc, nc)
	io.WriteString(nc, http2.ClientPreface)
	fr.WriteSettings()
	// Stream 1, 3, 5 answered; 7 reset by the client before the answer
	// could be read (the server may have answered already: the reset is
	// received either way).
	hdr := []byte{0x82, 0x86, 0x84, 0x41, 0x01, 't'} // GET http / :authority t (HPACK, RFC 7541 C.3)
	for _, id := range []uint32{1, 3, 5} {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hdr, EndStream: true, EndHeaders: true})
	}
	ended := 0
	for ended < 3 {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.DataFrame:
			if f.StreamEnded() {
				ended++
			}
		}
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 7, BlockFragment: hdr, EndStream: false, EndHeaders: true})
	fr.WriteRSTStream(7, http2.ErrCodeCancel)

	// A second connection while the first is open: refused at once.
	over, err := net.Dial("tcp", a.h2.String())
	if err != nil {
		t.Fatal(err)
	}
	over.SetDeadline(time.Now().Add(10 * time.Second))
	if n, err := over.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("connection over MaxConnections: %d, %v", n, err)
	}
	over.Close()

	fr.WriteGoAway(7, http2.ErrCodeNo, nil)
	for {
		if _, err := fr.ReadFrame(); err != nil {
			break // the server closed after our GOAWAY
		}
	}

	// Both connections have ended (counted before StateClosed is reported).
	for range 2 {
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("the connections did not end")
		}
	}
	m := scrape(t, "http://"+a.metrics.String()+"/metrics")
	for sample, want := range map[string]string{
		"h2kit_connections_accepted_total":                   "2",
		"h2kit_connections_closed_total":                     "2",
		"h2kit_connections_open":                             "0",
		"h2kit_streams_opened_total":                         "4",
		"h2kit_streams_closed_total":                         "4",
		`h2kit_resets_received_total{code="CANCEL"}`:         "1",
		`h2kit_resets_received_total{code="NO_ERROR"}`:       "0",
		`h2kit_goaways_received_total{code="NO_ERROR"}`:      "1",
		`h2kit_rejects_total{name="max_connections"}`:        "1",
		`h2kit_rejects_total{name="refused_stream"}`:         "0",
		`h2kit_connection_states_total{state="new"}`:         "2",
		`h2kit_connection_states_total{state="closed"}`:      "2",
		"h2kit_flow_stalls_total":                            "0",
		`h2kit_goaways_sent_total{code="ENHANCE_YOUR_CALM"}`: "0",
	} {
		if got := m[sample]; got != want {
			t.Errorf("%s = %q, want %s", sample, got, want)
		}
	}
	for _, sample := range []string{"h2kit_bytes_in_total", "h2kit_bytes_out_total"} {
		if v := m[sample]; v == "" || v == "0" {
			t.Errorf("%s = %q, want the connection's octets", sample, v)
		}
	}
}
