package pushbench

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"regexp"
	"testing"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// pageClient is a scripted HTTP/2 client (x/net's Framer and HPACK) that
// loads a page and its subresources on one connection: it accepts pushes,
// and requests the linked resources the push did not bring once the page
// has arrived, as a browser does.
type pageClient struct {
	conn *tls.Conn
	fr   *http2.Framer
	dec  *xhpack.Decoder
	enc  *xhpack.Encoder
	hbuf bytes.Buffer
	next uint32
}

func dialPage(tb testing.TB, addr string, enablePush bool) *pageClient {
	tb.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}})
	if err != nil {
		tb.Fatal(err)
	}
	c := &pageClient{conn: conn, fr: http2.NewFramer(conn, conn), dec: xhpack.NewDecoder(4096, nil), next: 1}
	c.enc = xhpack.NewEncoder(&c.hbuf)
	c.fr.SetMaxReadFrameSize(1 << 20)
	push := uint32(0)
	if enablePush {
		push = 1
	}
	conn.Write([]byte(http2.ClientPreface))
	// Windows large enough that flow control never waits: latency only.
	c.fr.WriteSettings(http2.Setting{ID: http2.SettingEnablePush, Val: push},
		http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 24})
	c.fr.WriteWindowUpdate(0, 1<<30)
	return c
}

func (c *pageClient) Close() { c.conn.Close() }

// get sends a GET for path and returns its stream.
func (c *pageClient) get(path string) uint32 {
	c.hbuf.Reset()
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "bench.test"}, {":path", path}} {
		c.enc.WriteField(xhpack.HeaderField{Name: f[0], Value: f[1]})
	}
	id := c.next
	c.next += 2
	c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: c.hbuf.Bytes(), EndStream: true, EndHeaders: true})
	return id
}

var linkRE = regexp.MustCompile(`(?:href|src)="([^"]+)"`)

// load fetches path and everything it links; it returns the number of
// responses (the page's included) and the number of them that were pushed.
func (c *pageClient) load(path string) (responses, pushed int, err error) {
	page := c.get(path)
	open := map[uint32]bool{page: true}
	have := map[string]bool{}
	var body []byte
	for len(open) > 0 {
		f, err := c.fr.ReadFrame()
		if err != nil {
			return 0, 0, err
		}
		switch f := f.(type) {
		case *http2.PushPromiseFrame:
			fs, err := c.dec.DecodeFull(f.HeaderBlockFragment())
			if err != nil || !f.HeadersEnded() {
				return 0, 0, fmt.Errorf("PUSH_PROMISE: %v", err)
			}
			for _, hf := range fs {
				if hf.Name == ":path" {
					have[hf.Value] = true
				}
			}
			open[f.PromiseID] = true
			pushed++
		case *http2.HeadersFrame:
			if _, err := c.dec.DecodeFull(f.HeaderBlockFragment()); err != nil || !f.HeadersEnded() {
				return 0, 0, fmt.Errorf("HEADERS: %v", err)
			}
			if f.StreamEnded() {
				delete(open, f.StreamID)
				responses++
			}
		case *http2.DataFrame:
			if f.StreamID == page {
				body = append(body, f.Data()...)
			}
			if !f.StreamEnded() {
				continue
			}
			delete(open, f.StreamID)
			responses++
			if f.StreamID == page {
				for _, m := range linkRE.FindAllSubmatch(body, -1) {
					if p := string(m[1]); !have[p] {
						have[p] = true
						open[c.get(p)] = true
					}
				}
			}
		case *http2.SettingsFrame:
			if !f.IsAck() {
				c.fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				c.fr.WritePing(true, f.Data)
			}
		case *http2.RSTStreamFrame:
			return 0, 0, fmt.Errorf("RST_STREAM %d %v", f.StreamID, f.ErrCode)
		case *http2.GoAwayFrame:
			return 0, 0, fmt.Errorf("GOAWAY %v", f.ErrCode)
		}
	}
	return responses, pushed, nil
}

// TestPageClient checks the benchmark's setup (without delay): /push brings
// all 20 subresources pushed, /nopush has them fetched; 21 responses either
// way, several times on one connection.
func TestPageClient(t *testing.T) {
	addr := startSite(t, 0)
	for _, m := range modes {
		c := dialPage(t, addr, m.push)
		for range 3 {
			n, pushed, err := c.load(m.path)
			if err != nil || n != numAssets+1 || pushed != m.pushed {
				t.Fatalf("%s: %d responses, %d pushed, %v", m.path, n, pushed, err)
			}
		}
		c.Close()
	}
}

// modes are the two ways to load the page.
var modes = []struct {
	name, path string
	push       bool
	pushed     int
}{
	{"pushed", "/push", true, numAssets},
	{"fetched", "/nopush", false, 0},
}
