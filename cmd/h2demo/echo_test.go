package main

import (
	"bytes"
	"net"
	"net/url"
	"testing"
	"time"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// TestEchoHoldsOneWindow: /echo over HTTP/2 holds at most a stream window of
// an upload that the client does not read back. A raw client advertises a
// receive window of 0 (the echo cannot be sent), sends a full stream window
// of body and a PING: when the PING's ACK comes, the server has returned no
// stream window (no WINDOW_UPDATE), so the client can send nothing more.
// Once the client opens its window, the echo flows and so does the upload's
// window, and the whole body comes back.
func TestEchoHoldsOneWindow(t *testing.T) {
	_, h2cURL, _ := startDemo(t, "", "", "", false)
	u, _ := url.Parse(h2cURL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second)) // a failure, not a hang
	conn.Write([]byte(http2.ClientPreface))
	fr := http2.NewFramer(conn, conn)
	fr.ReadMetaHeaders = xhpack.NewDecoder(4096, nil)
	fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0})

	streamWindow, connWindow := int64(65535), int64(65535)
	for settled := false; !settled; {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if f.IsAck() {
				settled = true
				continue
			}
			if v, ok := f.Value(http2.SettingInitialWindowSize); ok {
				streamWindow = int64(v)
			}
			fr.WriteSettingsAck()
		case *http2.WindowUpdateFrame:
			connWindow += int64(f.Increment)
		}
	}
	var hb bytes.Buffer
	enc := xhpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":authority", u.Host}, {":path", "/echo"},
		{"content-type", "application/octet-stream"}} {
		enc.WriteField(xhpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true})
	window := min(streamWindow, connWindow)
	body := make([]byte, window)
	for i := range body {
		body[i] = byte(i % 251)
	}
	for off := 0; off < len(body); off += 16384 {
		if err := fr.WriteData(1, false, body[off:min(off+16384, len(body))]); err != nil {
			t.Fatal(err)
		}
	}
	fr.WritePing(false, [8]byte{1})
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := f.(*http2.PingFrame); ok && p.IsAck() {
			break
		}
		switch f := f.(type) {
		case *http2.WindowUpdateFrame:
			if f.StreamID == 1 {
				t.Fatalf("the server returned %d bytes of stream window before echoing them: it buffers the upload", f.Increment)
			}
		case *http2.DataFrame:
			t.Fatalf("DATA despite a window of 0")
		case *http2.RSTStreamFrame, *http2.GoAwayFrame:
			t.Fatalf("%v", f)
		}
	}

	// Reading: the echo flows, the upload's window comes back.
	fr.WriteWindowUpdate(0, 1<<30)
	fr.WriteWindowUpdate(1, 1<<30)
	var echoed []byte
	var returned int64
	sentEnd := false
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		switch f := f.(type) {
		case *http2.WindowUpdateFrame:
			if f.StreamID == 1 {
				returned += int64(f.Increment)
			}
		case *http2.DataFrame:
			echoed = append(echoed, f.Data()...)
			if f.StreamEnded() {
				if !bytes.Equal(echoed, body) {
					t.Fatalf("echoed %d bytes, want the %d sent", len(echoed), len(body))
				}
				if returned == 0 {
					t.Error("no stream window returned as the echo was sent")
				}
				return
			}
		case *http2.RSTStreamFrame, *http2.GoAwayFrame:
			t.Fatalf("%v", f)
		}
		if len(echoed) == len(body) && !sentEnd {
			fr.WriteData(1, true, nil)
			sentEnd = true
		}
	}
}
