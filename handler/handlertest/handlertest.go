// Package handlertest runs requests through handler.RequestHandlers without a
// server or sockets, for unit tests of handlers.
//
// Do drives a real HTTP/2 connection engine in memory, with a scripted client on
// the other side: it sends the request (headers, body, trailers), lets the
// handler run (including goroutines that answer later through SendResponse or
// Resume), returns flow-control window as a reading client would, and collects
// the response.
//
//	resp, err := handlertest.Do(ctx, factory, handlertest.Request{Method: "GET", Path: "/hello"})
//	// resp.Status == 200, string(resp.Body) == "hello, world"
package handlertest

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/driver"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"
)

// Request is the request Do sends.
type Request struct {
	Method    string // default "GET"
	Scheme    string // default "https"
	Authority string // default "example.test"
	Path      string // default "/"
	Header    []hpack.HeaderField
	Body      []byte
	Trailer   []hpack.HeaderField
}

// Response is what the handler answered.
type Response struct {
	Status  int
	Header  []hpack.HeaderField // in order, without :status
	Body    []byte
	Trailer []hpack.HeaderField
	// Reset is the RST_STREAM code when the stream was reset instead of ending
	// cleanly (then Status may be 0 if no HEADERS were sent).
	Reset    handler.ErrCode
	WasReset bool
}

// Get returns the first value of the response header field name.
func (r *Response) Get(name string) string {
	for _, f := range r.Header {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Do sends req to a new connection served by f and returns the response once the
// stream has ended or been reset. It returns ctx's error if the handler has not
// finished the response before ctx ends, and an error for a connection error.
func Do(ctx context.Context, f handler.Factory, req Request) (*Response, error) {
	woken := make(chan struct{}, 1)
	d, err := driver.New(h2conn.Config{}, f, handler.ConnInfo{}, handler.Options{}, func() {
		select {
		case woken <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return nil, err
	}
	defer d.Close(frame.ErrCodeCancel)
	if err := d.Start(time.Now(), nil); err != nil {
		return nil, err
	}

	var in, out bytes.Buffer
	wfr := http2.NewFramer(&in, nil)
	rfr := http2.NewFramer(nil, &out)
	rfr.ReadMetaHeaders = xhpack.NewDecoder(4096, nil)
	rfr.MaxHeaderListSize = 16 << 20
	in.WriteString(http2.ClientPreface)
	wfr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1<<31 - 1},
		http2.Setting{ID: http2.SettingEnablePush, Val: 0}) // it takes no pushes
	wfr.WriteWindowUpdate(0, 1<<31-1-65535)
	var hb bytes.Buffer
	enc := xhpack.NewEncoder(&hb)
	field := func(n, v string) { enc.WriteField(xhpack.HeaderField{Name: n, Value: v}) }
	field(":method", or(req.Method, "GET"))
	field(":scheme", or(req.Scheme, "https"))
	field(":authority", or(req.Authority, "example.test"))
	field(":path", or(req.Path, "/"))
	for _, h := range req.Header {
		field(h.Name, h.Value)
	}
	endHeaders := len(req.Body) == 0 && len(req.Trailer) == 0
	wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: endHeaders, EndHeaders: true})
	body := req.Body

	// feed runs the driver as the server loop does, with the scripted
	// client's bytes as input and out as the socket.
	feed := func() error {
		if err := d.Input(time.Now(), in.Bytes()); err != nil {
			return err
		}
		in.Reset()
		return d.Flush(bufferWriter{&out})
	}
	resp := &Response{}
	sendWindow := int64(65535) // the server's initial stream window for our body
	peerInitial := int64(65535)
	trailerSent := endHeaders
	for {
		// Send as much of the body as the server's window allows.
		for len(body) > 0 && sendWindow > 0 {
			n := int(min(int64(len(body)), sendWindow, 16384))
			end := n == len(body) && len(req.Trailer) == 0
			wfr.WriteData(1, end, body[:n])
			body = body[n:]
			sendWindow -= int64(n)
			trailerSent = trailerSent || end
		}
		if len(body) == 0 && !trailerSent {
			hb.Reset()
			for _, h := range req.Trailer {
				field(h.Name, h.Value)
			}
			wfr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
			trailerSent = true
		}
		if err := feed(); err != nil {
			return nil, err
		}
		for out.Len() > 0 {
			fr, err := rfr.ReadFrame()
			if err != nil {
				return nil, err
			}
			switch fr := fr.(type) {
			case *http2.MetaHeadersFrame:
				if resp.Status == 0 {
					for _, h := range fr.Fields {
						if h.Name == ":status" {
							resp.Status, _ = strconv.Atoi(h.Value)
						} else {
							resp.Header = append(resp.Header, hpack.HeaderField{Name: h.Name, Value: h.Value})
						}
					}
				} else {
					for _, h := range fr.Fields {
						resp.Trailer = append(resp.Trailer, hpack.HeaderField{Name: h.Name, Value: h.Value})
					}
				}
				if fr.StreamEnded() {
					return resp, nil
				}
			case *http2.DataFrame:
				resp.Body = append(resp.Body, fr.Data()...)
				if fr.StreamEnded() {
					return resp, nil
				}
			case *http2.RSTStreamFrame:
				resp.Reset, resp.WasReset = handler.ErrCode(fr.ErrCode), true
				return resp, nil
			case *http2.SettingsFrame:
				if !fr.IsAck() {
					// RFC 9113 §6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE
					// adjusts the open stream's window by the difference.
					if v, ok := fr.Value(http2.SettingInitialWindowSize); ok {
						sendWindow += int64(v) - peerInitial
						peerInitial = int64(v)
					}
					wfr.WriteSettingsAck()
				}
			case *http2.WindowUpdateFrame:
				if fr.StreamID == 1 {
					sendWindow += int64(fr.Increment)
				}
			case *http2.GoAwayFrame:
				return nil, fmt.Errorf("handlertest: connection error %v: %s", fr.ErrCode, fr.DebugData())
			}
		}
		if in.Len() > 0 || (len(body) > 0 && sendWindow > 0) {
			continue
		}
		// Nothing to do until a goroutine of the handler acts.
		if !d.Sleep() {
			continue
		}
		select {
		case <-woken:
			d.Awake()
		case <-ctx.Done():
			d.Awake()
			return nil, fmt.Errorf("handlertest: no complete response: %w", ctx.Err())
		}
	}
}

// bufferWriter is the in-memory socket the driver writes to.
type bufferWriter struct{ b *bytes.Buffer }

func (w bufferWriter) WriteBatch(p []byte) error {
	w.b.Write(p)
	return nil
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
