package handler

import (
	"net/http"
	"testing"

	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// TestStreamProtocol: an RFC 8441 extended CONNECT handler sees :protocol
// (with and without ReuseStreams, and for a later request on a recycled
// Stream); other requests have "".
func TestStreamProtocol(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		var got []string
		h := HandlerFunc(func(s *Stream) {
			got = append(got, s.Method()+" "+s.Protocol())
			s.SendResponse(200, nil, nil)
		})
		p := newPeer(t, h2conn.Config{EnableConnectProtocol: true}, func(*Stream) RequestHandler { return h },
			Options{DisableDate: true, ReuseStreams: reuse})
		p.handshake()
		// RFC 8441 §4: ":protocol" with :method CONNECT, :scheme and :path.
		p.hbuf.Reset()
		for _, kv := range [][2]string{{":method", "CONNECT"}, {":protocol", "websocket"}, {":scheme", "https"},
			{":authority", "example.test"}, {":path", "/chat"}} {
			p.enc.WriteField(xhpack.HeaderField{Name: kv[0], Value: kv[1]})
		}
		p.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: p.hbuf.Bytes(), EndHeaders: true})
		p.flush()
		if r := p.readResponse(1); r.status != "200" {
			t.Fatalf("reuse=%v: extended CONNECT: status %q", reuse, r.status)
		}
		p.wfr.WriteRSTStream(1, http2.ErrCodeCancel)
		p.request(3, "GET", "/", true)
		p.readResponse(3)
		if len(got) != 2 || got[0] != "CONNECT websocket" || got[1] != "GET " {
			t.Errorf("reuse=%v: handlers saw %q", reuse, got)
		}
	}
}

// TestHTTPHandlerExtendedConnect: as net/http does, an RFC 8441 extended
// CONNECT reaches a net/http handler with r.Header[":protocol"] and the URL
// parsed from :path (a plain CONNECT has only the authority).
func TestHTTPHandlerExtendedConnect(t *testing.T) {
	var got string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Method + " " + r.Header.Get(":protocol") + " " + r.URL.Path + " " + r.Host
		w.WriteHeader(200)
	})
	p := newPeer(t, h2conn.Config{EnableConnectProtocol: true}, HTTPHandler(h), noDate())
	p.handshake()
	p.hbuf.Reset()
	for _, kv := range [][2]string{{":method", "CONNECT"}, {":protocol", "websocket"}, {":scheme", "https"},
		{":authority", "example.test"}, {":path", "/chat"}} {
		p.enc.WriteField(xhpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	p.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: p.hbuf.Bytes(), EndHeaders: true})
	p.flush()
	if r := p.driveResponse(1); r.status != "200" {
		t.Fatalf("status %q", r.status)
	}
	if want := "CONNECT websocket /chat example.test"; got != want {
		t.Errorf("handler saw %q, want %q", got, want)
	}
}
