package handler

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// drive pumps the peer until stream id ends, waking as the handler goroutine
// produces output, and returns the response.
func (p *peer) driveResponse(id uint32) response {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	r := response{rst: -1, header: map[string]string{}}
	for time.Now().Before(deadline) {
		if p.out.Len() == 0 {
			p.waitWake()
			continue
		}
		switch f := p.next().(type) {
		case *http2.MetaHeadersFrame:
			r.addHeaders(f)
			if f.StreamEnded() {
				return r
			}
		case *http2.DataFrame:
			r.body = append(r.body, f.Data()...)
			r.dataLens = append(r.dataLens, len(f.Data()))
			// Return the window as a reading client does.
			if n := uint32(len(f.Data())); n > 0 {
				p.wfr.WriteWindowUpdate(0, n)
				p.wfr.WriteWindowUpdate(f.StreamID, n)
				p.flush()
			}
			if f.StreamEnded() {
				return r
			}
		case *http2.RSTStreamFrame:
			r.rst = int(f.ErrCode)
			return r
		}
	}
	p.t.Fatal("response never ended")
	return r
}

func TestHTTPHandlerSmall(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Proto != "HTTP/2.0" || r.Host != "example.test" || r.URL.Path != "/p" || r.URL.RawQuery != "a=b" {
			t.Errorf("request %s %s %s %v", r.Proto, r.Host, r.RequestURI, r.URL)
		}
		if r.Header.Get("X-Test") != "1" || r.Header.Get("Cookie") != "a=1; b=2" {
			t.Errorf("headers %v", r.Header)
		}
		w.Header().Set("X-Reply", "yes")
		w.WriteHeader(201)
		io.WriteString(w, "<html>created</html>")
	})
	p := newPeer(t, h2conn.Config{}, HTTPHandler(h), noDate())
	p.handshake()
	p.request(1, "GET", "/p?a=b", true, "x-test", "1", "cookie", "a=1", "cookie", "b=2")
	r := p.driveResponse(1)
	if r.status != "201" || string(r.body) != "<html>created</html>" || r.header["x-reply"] != "yes" ||
		r.header["content-length"] != "20" || !strings.HasPrefix(r.header["content-type"], "text/html") {
		t.Errorf("got %s %q %v", r.status, r.body, r.header)
	}
}

// TestHTTPHandlerStreaming: a request body larger than every window is echoed
// back while it is read (flow control returns window only as the handler
// reads); the response streams with Flush and ends with declared and
// TrailerPrefix trailers; request trailers reach r.Trailer.
func TestHTTPHandlerStreaming(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		n, err := io.Copy(w, r.Body)
		if err != nil {
			t.Errorf("copy: %v", err)
		}
		w.Header().Set("X-Sum", fmt.Sprint(n))
		w.Header().Set(http.TrailerPrefix+"X-Late", "late")
		if got := r.Trailer.Get("X-Req-Trailer"); got != "t" {
			t.Errorf("request trailer %q", got)
		}
	})
	cfg := h2conn.Config{InitialWindowSize: 65535, ConnWindowSize: 65535}
	p := newPeer(t, cfg, HTTPHandler(h), noDate())
	p.handshake()
	p.request(1, "POST", "/echo", false, "trailer", "x-req-trailer")
	body := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640 KB, ~10 windows
	sent := 0
	var got []byte
	var trailer map[string]string
	sentWindow := 0
	ended := false
	deadline := time.Now().Add(20 * time.Second)
	for !ended && time.Now().Before(deadline) {
		// Send as much as the server's window allows (it starts at 65535 and
		// grows only when the handler reads).
		for sent < len(body) && sentWindow < 65535 {
			n := min(16384, len(body)-sent, 65535-sentWindow)
			p.wfr.WriteData(1, false, body[sent:sent+n])
			sent += n
			sentWindow += n
		}
		if sent == len(body) && sentWindow >= 0 {
			p.hbuf.Reset()
			p.enc.WriteField(xhpack.HeaderField{Name: "x-req-trailer", Value: "t"})
			p.wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: p.hbuf.Bytes(), EndStream: true, EndHeaders: true})
			sent++ // only once
		}
		p.flush()
		if p.out.Len() == 0 {
			p.waitWake()
		}
		for p.out.Len() > 0 {
			switch f := p.next().(type) {
			case *http2.WindowUpdateFrame:
				if f.StreamID == 1 {
					sentWindow -= int(f.Increment)
				}
			case *http2.DataFrame:
				got = append(got, f.Data()...)
				if n := uint32(len(f.Data())); n > 0 {
					p.wfr.WriteWindowUpdate(0, n)
					p.wfr.WriteWindowUpdate(1, n)
				}
				ended = ended || f.StreamEnded()
			case *http2.MetaHeadersFrame:
				if f.StreamEnded() {
					trailer = map[string]string{}
					for _, hf := range f.Fields {
						trailer[hf.Name] = hf.Value
					}
					ended = true
				}
			case *http2.RSTStreamFrame:
				t.Fatalf("RST_STREAM %v", f.ErrCode)
			}
		}
	}
	if !bytes.Equal(got, body) {
		t.Fatalf("echo: got %d bytes, want %d", len(got), len(body))
	}
	if trailer["x-sum"] != fmt.Sprint(len(body)) || trailer["x-late"] != "late" {
		t.Errorf("trailers %v", trailer)
	}
}

// TestHTTPHandlerPanicAndCancel: a panicking handler resets its stream with
// INTERNAL_ERROR; a peer reset cancels r.Context().
func TestHTTPHandlerPanicAndCancel(t *testing.T) {
	cancelled := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic(http.ErrAbortHandler)
		}
		<-r.Context().Done()
		close(cancelled)
	})
	p := newPeer(t, h2conn.Config{}, HTTPHandler(h), noDate())
	p.handshake()
	p.request(1, "GET", "/panic", true)
	if r := p.driveResponse(1); r.rst != int(InternalError) {
		t.Errorf("panic: rst %d", r.rst)
	}
	p.request(3, "GET", "/wait", true)
	p.wfr.WriteRSTStream(3, http2.ErrCodeCancel)
	p.flush()
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("r.Context() not cancelled by RST_STREAM")
	}
}

// TestHTTPHandlerPreBufferThreshold: a handler that writes exactly
// httpPreBuffer bytes and returns gets a content-length; one byte more starts
// the streamed response, which has none.
func TestHTTPHandlerPreBufferThreshold(t *testing.T) {
	for _, n := range []int{httpPreBuffer, httpPreBuffer + 1} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write(bytes.Repeat([]byte("x"), n))
		})
		p := newPeer(t, h2conn.Config{}, HTTPHandler(h), noDate())
		p.handshake()
		p.request(1, "GET", "/", true)
		r := p.driveResponse(1)
		cl, has := r.header["content-length"]
		if len(r.body) != n || has != (n == httpPreBuffer) || (has && cl != fmt.Sprint(n)) {
			t.Errorf("%d bytes written: got %d, content-length %q (present %v)", n, len(r.body), cl, has)
		}
	}
}

// TestHTTPHandlerWriteBlocksAtOutMax: with the peer's window closed, Write
// returns once httpOutMax bytes wait to be sent and blocks beyond that until
// the window opens.
func TestHTTPHandlerWriteBlocksAtOutMax(t *testing.T) {
	progress := make(chan int, 100)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		chunk := bytes.Repeat([]byte("y"), 1024)
		for i := 0; i < 2*httpOutMax/1024; i++ {
			w.Write(chunk)
			progress <- (i + 1) * 1024
		}
	})
	p := newPeer(t, h2conn.Config{}, HTTPHandler(h), noDate())
	p.handshake(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 0})
	p.request(1, "GET", "/", true)
	written := 0
	for written < httpOutMax {
		written = <-progress
	}
	select {
	case n := <-progress:
		t.Fatalf("Write went on to %d bytes with %d bytes unsent", n, httpOutMax)
	case <-time.After(100 * time.Millisecond):
	}
	// Open the window: the handler finishes and the whole body arrives.
	p.wfr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 30})
	p.flush()
	r := p.driveResponse(1)
	if len(r.body) != 2*httpOutMax {
		t.Errorf("body %d bytes", len(r.body))
	}
}
