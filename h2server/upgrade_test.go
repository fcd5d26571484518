package h2server_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgih2"
)

// rgiApp answers every request over HTTP/1.1 with "rgi: METHOD URI" and
// echoes a request body, so that tests can tell it from echoFactory's h2
// answers ("hello, ...").
var rgiApp = rgi.AppFunc(func(_ *rgi.Session, r *rgi.Request, _ rgi.Bodies) rgi.Response {
	body := "rgi: " + r.Method + " " + r.URI
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		body += " " + string(b)
	}
	return rgi.Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-type": "text/plain"}, Body: body + "\n"}
})

// startFallback runs a Server with echoFactory for HTTP/2 and rgiApp as the
// HTTP/1.1 fallback (rgih2.Fallback); it returns the base URL.
func startFallback(t *testing.T, tlsOn bool, rej *rejects) (*h2server.Server, string) {
	t.Helper()
	srv := &h2server.Server{Handler: echoFactory}
	if rej != nil {
		srv.OnReject = rej.Add
	}
	if err := rgih2.Fallback(srv, rgiApp, nil); err != nil {
		t.Fatal(err)
	}
	return srv, startServer(t, srv, tlsOn)
}

func dialBase(t *testing.T, base string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return nc
}

// http2Settings is base64url of SETTINGS_INITIAL_WINDOW_SIZE = 5 and
// SETTINGS_MAX_CONCURRENT_STREAMS = 100, unpadded (RFC 7540 §3.2.1).
var http2Settings = base64.RawURLEncoding.EncodeToString([]byte{0, 4, 0, 0, 0, 5, 0, 3, 0, 0, 0, 100})

func upgradeRequest(target, settings, extra string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: example.com\r\nUser-Agent: raw\r\n" +
		"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: " + settings + "\r\n" + extra + "\r\n"
}

// serverPrefaceGolden is h2server's SETTINGS frame with the default Config
// (MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE 1 MiB, MAX_HEADER_LIST_SIZE
// 64 KiB, NO_RFC7540_PRIORITIES 1) and the WINDOW_UPDATE that raises the
// connection window to 2 MiB.
const serverPrefaceGolden = "\x00\x00\x18\x04\x00\x00\x00\x00\x00" +
	"\x00\x03\x00\x00\x00\x64" +
	"\x00\x04\x00\x10\x00\x00" +
	"\x00\x06\x00\x01\x00\x00" +
	"\x00\x09\x00\x00\x00\x01" +
	"\x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\x1f\x00\x01"

// TestH2CUpgradeRaw scripts RFC 7540 §3.2 byte by byte: the upgrade request,
// the 101 (golden), the server's SETTINGS as the first HTTP/2 frame (golden),
// then the client preface; the request is answered on stream 1 within the
// 5-octet window the HTTP2-Settings header gave, the rest after a
// WINDOW_UPDATE, and the connection goes on with stream 3.
func TestH2CUpgradeRaw(t *testing.T) {
	_, base := startFallback(t, false, nil)
	nc := dialBase(t, base)
	if _, err := io.WriteString(nc, upgradeRequest("/up?q=1", http2Settings, "")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(switchingProtocols)+len(serverPrefaceGolden))
	if _, err := io.ReadFull(nc, got); err != nil {
		t.Fatalf("reading 101 and SETTINGS: %v (got %q)", err, got)
	}
	if want := "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n" + serverPrefaceGolden; string(got) != want {
		t.Fatalf("101 and server preface\n got %q\nwant %q", got, want)
	}

	c := dialClient(t, nc) // client preface and an empty SETTINGS
	var acks int
	var hdrs []xhpack.HeaderField
	var body []string
	next := func() http2.Frame {
		t.Helper()
		f, err := c.Framer().ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if sf, ok := f.(*http2.SettingsFrame); ok {
			if !sf.IsAck() {
				t.Fatalf("second SETTINGS from the server %v", sf)
			}
			acks++
		}
		return f
	}
	for len(body) < 2 {
		switch f := next().(type) {
		case *http2.SettingsFrame:
		case *http2.MetaHeadersFrame: // HEADERS decoded with x/net's hpack
			if f.StreamID != 1 || f.StreamEnded() || hdrs != nil {
				t.Fatalf("HEADERS %v, want one on stream 1 without END_STREAM", f)
			}
			hdrs = f.Fields
		case *http2.DataFrame:
			if f.StreamID != 1 || hdrs == nil {
				t.Fatalf("DATA %v before HEADERS on stream 1", f)
			}
			body = append(body, string(f.Data()))
			if len(body) == 1 {
				if body[0] != "hello" || f.StreamEnded() {
					t.Fatalf("first DATA %q, want the 5 octets the HTTP2-Settings window allows", body[0])
				}
				c.Framer().WriteWindowUpdate(1, 1000)
			} else if !f.StreamEnded() || body[1] != ", GET /up?q=1\n" {
				t.Fatalf("rest of the response %v %q", f, body[1])
			}
		default:
			t.Fatalf("unexpected %v", f)
		}
	}
	if len(hdrs) == 0 || hdrs[0].Name != ":status" || hdrs[0].Value != "200" {
		t.Fatalf("response fields %v", hdrs)
	}

	// The connection goes on with stream 3.
	c.Get(3, "/three")
	for {
		if df, ok := next().(*http2.DataFrame); ok {
			if df.StreamID != 3 || string(df.Data()) != "hello" {
				t.Fatalf("stream 3: %v %q", df, df.Data())
			}
			break
		}
	}
	// The HTTP2-Settings payload is acknowledged by the 101 alone (RFC 7540
	// §3.2.1): one ACK, for the SETTINGS after the client preface.
	if acks != 1 {
		t.Errorf("%d SETTINGS ACKs, want 1", acks)
	}
}

// TestH2CUpgradeWithBody: RFC 7540 §3.2 lets a request with a body be
// upgraded only after sending it whole; h2kit serves it as HTTP/1.1 and
// ignores the upgrade (the rule, and rgi's).
func TestH2CUpgradeWithBody(t *testing.T) {
	_, base := startFallback(t, false, nil)
	nc := dialBase(t, base)
	req := "POST /p HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n" +
		"HTTP2-Settings: " + http2Settings + "\r\nContent-Length: 3\r\n\r\nabc"
	io.WriteString(nc, req)
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.ProtoMinor != 1 || string(b) != "rgi: POST /p abc\n" {
		t.Fatalf("%s %q", resp.Status, b)
	}
}

// TestH2CUpgradeRefused: a bad HTTP2-Settings value (RFC 7540 §3.2.1) or a
// request HTTP/2 cannot carry gets 400 over HTTP/1.1 with the reason, the
// OnReject name, and a closed connection.
func TestH2CUpgradeRefused(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name, settings, extra string
		reject, detail        string
		status                int
	}{
		{"not base64url", "AAMA+AAB", "", "h2c_settings_not_base64url", "HTTP2-Settings is not base64url", 400},
		{"standard base64 alphabet", "AA/AAAAA", "", "h2c_settings_not_base64url", "HTTP2-Settings is not base64url", 400},
		{"5 octets", b64([]byte{0, 4, 0, 0, 0}), "", "h2c_settings_length", "HTTP2-Settings holds 5 octets, not a multiple of 6", 400},
		{"enable_push 2", b64([]byte{0, 2, 0, 0, 0, 2}), "", "h2c_upgrade_bad_settings", "invalid SETTINGS payload (RFC 7540 §3.2.1, RFC 9113 §6.5.2): invalid_enable_push (PROTOCOL_ERROR)", 400},
		{"initial window 2^31", b64([]byte{0, 4, 0x80, 0, 0, 0}), "", "h2c_upgrade_bad_settings", "invalid_initial_window_size (FLOW_CONTROL_ERROR)", 400},
		{"max frame size 16383", b64([]byte{0, 5, 0, 0, 0x3f, 0xff}), "", "h2c_upgrade_bad_settings", "invalid_max_frame_size (PROTOCOL_ERROR)", 400},
		// RFC 7540 §3.2.1: "A server MUST NOT upgrade the connection to
		// HTTP/2 if this header field is not present or if more than one
		// is present" (rgi refuses duplicate header fields).
		{"two HTTP2-Settings", http2Settings, "HTTP2-Settings: " + http2Settings + "\r\n", "", "", 400},
		{"101 header fields", http2Settings, manyFields(100), "h2c_upgrade_bad_request", "cannot be served as HTTP/2 stream 1 (RFC 9113 §8.2, §8.3): too_many_header_fields", 431},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rej rejects
			_, base := startFallback(t, false, &rej)
			nc := dialBase(t, base)
			io.WriteString(nc, upgradeRequest("/x", tt.settings, tt.extra))
			all, err := io.ReadAll(nc)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(all))), nil)
			if err != nil {
				t.Fatalf("%v: %q", err, all)
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !resp.Close {
				t.Fatalf("got %s (close %v) %q, want %d and connection: close", resp.Status, resp.Close, b, tt.status)
			}
			if tt.detail != "" && !strings.Contains(string(b), tt.detail) {
				t.Errorf("body %q lacks %q", b, tt.detail)
			}
			if tt.reject != "" && !rej.Has(tt.reject) {
				t.Errorf("rejects %q lack %q", rej.Names(), tt.reject)
			}
		})
	}
}

// TestH2CUpgradeNotOverTLS: over TLS (ALPN http/1.1) an upgrade request is an
// ordinary HTTP/1.1 request (RFC 7540 §3.2 defines h2c for cleartext only).
func TestH2CUpgradeNotOverTLS(t *testing.T) {
	_, base := startFallback(t, true, nil)
	tc, err := tls.Dial("tcp", strings.TrimPrefix(base, "https://"), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(tc, upgradeRequest("/t", http2Settings, ""))
	resp, err := http.ReadResponse(bufio.NewReader(tc), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 100))
	if resp.StatusCode != 200 || string(b) != "rgi: GET /t\n" {
		t.Fatalf("%s %q", resp.Status, b)
	}
}

// TestH2CUpgradeDirectTLS: UpgradeH2C itself refuses a TLS connection.
func TestH2CUpgradeDirectTLS(t *testing.T) {
	var rej rejects
	srv := &h2server.Server{Handler: echoFactory, OnReject: rej.Add}
	a, b := net.Pipe()
	defer b.Close()
	cert := testCert(t)
	go func() {
		tc := tls.Server(a, &tls.Config{Certificates: []tls.Certificate{cert}})
		if tc.Handshake() != nil {
			a.Close()
			return
		}
		// UpgradeH2C leaves the answer to the HTTP/1.1 side.
		var ue *h2server.UpgradeError
		if err := srv.UpgradeH2C(tc, h2server.UpgradeRequest{Method: "GET", Target: "/"}, nil); errors.As(err, &ue) && ue.Status == 400 {
			h2server.RefuseUpgrade(tc, ue)
			return
		}
		tc.Close()
	}()
	cc := tls.Client(b, &tls.Config{InsecureSkipVerify: true})
	all, _ := io.ReadAll(cc)
	if !strings.HasPrefix(string(all), "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(string(all), "cleartext connections only") {
		t.Fatalf("%q", all)
	}
	if !rej.Has("h2c_upgrade_over_tls") {
		t.Fatalf("rejects %q", rej.Names())
	}
}

// manyFields returns n distinct HTTP/1.1 header lines.
func manyFields(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("X-F" + strconv.Itoa(i) + ": v\r\n")
	}
	return b.String()
}

func TestDecodeHTTP2Settings(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"", "", true},
		{"AAMAAABkAAQAoAAAAAIAAAAA", "\x00\x03\x00\x00\x00\x64\x00\x04\x00\xa0\x00\x00\x00\x02\x00\x00\x00\x00", true}, // curl 8
		{"AAMAAABk", "\x00\x03\x00\x00\x00\x64", true},
		{"AAQAAP__", "\x00\x04\x00\x00\xff\xff", true},
		{"AAQAAP__=", "\x00\x04\x00\x00\xff\xff", true},
		{"AAQAAP//", "", false},
		{"AAMAAAB", "", false},
		{"AAMAAA", "", false},
		{"AA MAAABk", "", false},
	} {
		got, err := h2server.DecodeHTTP2Settings(tt.in)
		if (err == nil) != tt.ok || tt.ok && string(got) != tt.want {
			t.Errorf("%q: %q, %v", tt.in, got, err)
		}
		if err != nil {
			if _, ok := err.(*h2server.UpgradeError); !ok {
				t.Errorf("%q: error %T, want *h2server.UpgradeError", tt.in, err)
			}
		}
	}
}

// FuzzDecodeHTTP2Settings: any header value decodes to whole settings or
// fails with an *h2server.UpgradeError.
func FuzzDecodeHTTP2Settings(f *testing.F) {
	f.Add("AAMAAABkAAQAoAAAAAIAAAAA")
	f.Add("AAQAAP__=")
	f.Add("!")
	f.Fuzz(func(t *testing.T, v string) {
		b, err := h2server.DecodeHTTP2Settings(v)
		if err != nil {
			if _, ok := err.(*h2server.UpgradeError); !ok {
				t.Fatalf("error %T", err)
			}
			return
		}
		if len(b)%6 != 0 {
			t.Fatalf("%d octets", len(b))
		}
	})
}

// TestH2CUpgradePipelined: a client that sends the preface, its SETTINGS and
// a request on stream 3 in the same write as the upgrade request (the bytes
// rgi has read past the request are handed over) is served on both streams.
func TestH2CUpgradePipelined(t *testing.T) {
	_, base := startFallback(t, false, nil)
	nc := dialBase(t, base)
	var w bytes.Buffer
	w.WriteString(upgradeRequest("/one", "AAMAAABk", ""))
	w.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&w, nil)
	fr.WriteSettings()
	var blk bytes.Buffer
	enc := xhpack.NewEncoder(&blk)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":authority", "t"}, {":path", "/three"}} {
		enc.WriteField(xhpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: blk.Bytes(), EndStream: true, EndHeaders: true})
	if _, err := nc.Write(w.Bytes()); err != nil {
		t.Fatal(err)
	}
	pre := make([]byte, len(switchingProtocols))
	if _, err := io.ReadFull(nc, pre); err != nil || string(pre) != switchingProtocols {
		t.Fatalf("%q %v", pre, err)
	}
	c := h2server.NewRawClient(t, nc, nc)
	got := map[uint32]string{}
	for len(got) < 2 {
		if df, ok := c.Until(func(f http2.Frame) bool { _, ok := f.(*http2.DataFrame); return ok }).(*http2.DataFrame); ok {
			got[df.StreamID] += string(df.Data())
		}
	}
	if got[1] != "hello, GET /one\n" || got[3] != "hello, GET /three\n" {
		t.Fatalf("responses %v", got)
	}
}

// TestH2CUpgradePrefaceTimeout (testing/synctest's fake clock over net.Pipe):
// after the 101 the client preface is due within PrefaceTimeout like on any
// h2c connection (RFC 7540 §3.5); a client that never sends it gets GOAWAY
// PROTOCOL_ERROR after exactly that long, having had its stream-1 response.
func TestH2CUpgradePrefaceTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &h2server.Server{Handler: echoFactory}
		srv.Config.PrefaceTimeout = 3 * time.Second
		if err := rgih2.Fallback(srv, rgiApp, nil); err != nil {
			t.Fatal(err)
		}
		pc, sc := net.Pipe()
		done := make(chan struct{})
		go func() { srv.ServeConn(sc); close(done) }()
		cli := newRelay(pc)
		io.WriteString(cli, upgradeRequest("/late", "AAMAAABk", ""))
		pre := make([]byte, len(switchingProtocols))
		if _, err := io.ReadFull(cli, pre); err != nil || string(pre) != switchingProtocols {
			t.Fatalf("%q %v", pre, err)
		}
		start := time.Now()
		c := h2server.NewRawClient(t, cli, io.Discard) // sends nothing: no preface
		var data bool
		f := c.Until(func(f http2.Frame) bool {
			if df, ok := f.(*http2.DataFrame); ok && df.StreamID == 1 && df.StreamEnded() {
				data = true
			}
			_, ok := f.(*http2.GoAwayFrame)
			return ok
		}).(*http2.GoAwayFrame)
		if !data || f.ErrCode != http2.ErrCodeProtocol || time.Since(start) != 3*time.Second {
			t.Errorf("response %v, GOAWAY %v %q after %v; want PROTOCOL_ERROR after 3s", data, f.ErrCode, f.DebugData(), time.Since(start))
		}
		cli.Close()
		<-done
	})
}

// BenchmarkConnectionSetup measures one new connection with one request and
// its response, over loopback, three ways in the same run: h2c Upgrade
// (HTTP/1.1 request, 101, HTTP/2), h2c with prior knowledge (the reference)
// and plain HTTP/1.1 through the RGI fallback.
//
//	go test -run XXX -bench ConnectionSetup -benchtime 2000x ./h2server
func BenchmarkConnectionSetup(b *testing.B) {
	srv := &h2server.Server{Handler: echoFactory}
	if err := rgih2.Fallback(srv, rgiApp, nil); err != nil {
		b.Fatal(err)
	}
	base := startServer(b, srv, false)
	addr := strings.TrimPrefix(base, "http://")
	var preface bytes.Buffer
	preface.WriteString(http2.ClientPreface)
	fr := http2.NewFramer(&preface, nil)
	fr.WriteSettings()
	var get bytes.Buffer
	enc := xhpack.NewEncoder(&get)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":authority", "t"}, {":path", "/b"}} {
		enc.WriteField(xhpack.HeaderField{Name: f[0], Value: f[1]})
	}
	var priorKnowledge bytes.Buffer
	priorKnowledge.Write(preface.Bytes())
	http2.NewFramer(&priorKnowledge, nil).WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: get.Bytes(), EndStream: true, EndHeaders: true})
	upgrade := []byte(upgradeRequest("/b", "AAMAAABk", ""))

	// untilEnd reads frames until DATA with END_STREAM.
	untilEnd := func(b *testing.B, r io.Reader) {
		fr := http2.NewFramer(io.Discard, r)
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				b.Fatal(err)
			}
			if df, ok := f.(*http2.DataFrame); ok && df.StreamEnded() {
				return
			}
		}
	}
	run := func(b *testing.B, exchange func(nc net.Conn, br *bufio.Reader)) {
		b.ReportAllocs()
		for b.Loop() {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			exchange(nc, bufio.NewReader(nc))
			nc.Close()
		}
	}
	b.Run("h2c-upgrade", func(b *testing.B) {
		pre := make([]byte, len(switchingProtocols))
		run(b, func(nc net.Conn, br *bufio.Reader) {
			nc.Write(upgrade)
			if _, err := io.ReadFull(br, pre); err != nil || string(pre) != switchingProtocols {
				b.Fatalf("%q %v", pre, err)
			}
			nc.Write(preface.Bytes())
			untilEnd(b, br)
		})
	})
	b.Run("h2c-prior-knowledge", func(b *testing.B) {
		run(b, func(nc net.Conn, br *bufio.Reader) {
			nc.Write(priorKnowledge.Bytes())
			untilEnd(b, br)
		})
	})
	b.Run("http1.1-rgi", func(b *testing.B) {
		req := []byte("GET /b HTTP/1.1\r\nHost: t\r\n\r\n")
		run(b, func(nc net.Conn, br *bufio.Reader) {
			nc.Write(req)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
		})
	})
}

// TestH2CUpgradeBadPreface: after the 101 the client preface is validated
// (RFC 7540 §3.5, RFC 9113 §3.4): HTTP/1.1 bytes in its place get GOAWAY
// PROTOCOL_ERROR and the connection is closed.
func TestH2CUpgradeBadPreface(t *testing.T) {
	_, base := startFallback(t, false, nil)
	nc := dialBase(t, base)
	io.WriteString(nc, upgradeRequest("/bp", "AAMAAABk", ""))
	pre := make([]byte, len(switchingProtocols))
	if _, err := io.ReadFull(nc, pre); err != nil || string(pre) != switchingProtocols {
		t.Fatalf("%q %v", pre, err)
	}
	io.WriteString(nc, "GET /again HTTP/1.1\r\nHost: t\r\n\r\n")
	fr := http2.NewFramer(io.Discard, nc)
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("connection closed without GOAWAY: %v", err)
		}
		if ga, ok := f.(*http2.GoAwayFrame); ok {
			if ga.ErrCode != http2.ErrCodeProtocol || string(ga.DebugData()) != "bad_preface" {
				t.Fatalf("GOAWAY %v %q", ga.ErrCode, ga.DebugData())
			}
			break
		}
	}
	if _, err := io.ReadAll(nc); err != nil {
		t.Fatalf("after GOAWAY: %v, want EOF", err)
	}
}

// TestH2CUpgradeNotServing: UpgradeH2C on a Server that has never served (an
// HTTP/1.1 server with its own listener wired to it by hand) serves the upgraded
// connection like ServeConn would, instead of panicking on tables it never
// made, and Close ends that connection.
func TestH2CUpgradeNotServing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	nc := dialBase(t, "http://"+ln.Addr().String())
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	srv := &h2server.Server{Handler: echoFactory}
	done := make(chan any, 1)
	var panicked any
	t.Cleanup(func() {
		if panicked != nil {
			t.Errorf("UpgradeH2C panicked: %v", panicked)
		}
	})
	go func() {
		defer func() {
			if p := recover(); p != nil {
				sc.Close() // end the client's wait at once
				done <- p
				return
			}
			done <- nil
		}()
		srv.UpgradeH2C(sc, h2server.UpgradeRequest{Method: "GET", Target: "/up", Authority: "example.com"}, nil)
	}()

	got := make([]byte, len(switchingProtocols))
	if _, err := io.ReadFull(nc, got); err != nil || string(got) != switchingProtocols {
		t.Fatalf("client read %q, %v; want the 101", got, err)
	}
	c := dialClient(t, nc)
	defer func() {
		select {
		case panicked = <-done:
		default:
		}
	}()
	f := c.Until(func(f http2.Frame) bool {
		return f.Header().StreamID == 1 && f.Header().Flags.Has(http2.FlagDataEndStream)
	})
	if df, ok := f.(*http2.DataFrame); !ok || string(df.Data()) != "hello, GET /up\n" {
		t.Fatalf("stream 1 ended with %v", f)
	}

	srv.Close()
	// Close cuts the connection (EOF or a reset), within dialBase's deadline.
	if _, err := io.ReadAll(nc); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Close left the upgraded connection open: %v", err)
	}
	panicked = <-done
}
