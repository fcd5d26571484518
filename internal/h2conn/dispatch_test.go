package h2conn

import (
	"testing"

	"golang.org/x/net/http2"
)

// A frame whose format is wrong is answered by its format error whatever
// state its stream is in (RFC 9113 §4.2: "An endpoint MUST send an error
// code of FRAME_SIZE_ERROR if a frame exceeds the size defined in
// SETTINGS_MAX_FRAME_SIZE, exceeds any limit defined for the frame type, or
// is too small to contain mandatory frame data"): the frame is parsed
// before the stream-state policy looks at it.
func TestParseBeforePolicy(t *testing.T) {
	states := []struct {
		name  string
		setup func(p *peer) uint32 // returns the stream ID to use
	}{
		{"idle", func(p *peer) uint32 { return 5 }},
		{"open", func(p *peer) uint32 {
			p.headers(1, false, ":method", "POST", ":scheme", "https", ":path", "/")
			return 1
		}},
		{"closed after END_STREAM both ways", func(p *peer) uint32 {
			p.get(1)
			p.wantHeaders(1, false)
			p.wantData(1, true)
			return 1
		}},
		{"closed after our RST_STREAM", func(p *peer) uint32 {
			p.headers(1, true, ":method", "GET", ":scheme", "https") // no :path: malformed
			p.wantRST(1, http2.ErrCodeProtocol)
			return 1
		}},
		{"closed after the peer's RST_STREAM", func(p *peer) uint32 {
			p.h.manual = true
			p.get(1)
			p.send(func(fr *http2.Framer) error { return fr.WriteRSTStream(1, http2.ErrCodeCancel) })
			return 1
		}},
	}
	frames := []struct {
		name   string
		typ    http2.FrameType
		flags  http2.Flags
		pay    []byte
		code   http2.ErrCode
		reason string
	}{
		{"WINDOW_UPDATE length 3", http2.FrameWindowUpdate, 0, make([]byte, 3), http2.ErrCodeFrameSize, "window_update_length"},
		{"WINDOW_UPDATE length 5", http2.FrameWindowUpdate, 0, []byte{0, 0, 0, 1, 0}, http2.ErrCodeFrameSize, "window_update_length"},
		{"RST_STREAM length 5", http2.FrameRSTStream, 0, make([]byte, 5), http2.ErrCodeFrameSize, "rst_stream_length"},
		{"DATA padding too long", http2.FrameData, http2.FlagDataPadded, []byte{4, 0, 0}, http2.ErrCodeProtocol, "padding_too_long"},
		{"DATA without pad length", http2.FrameData, http2.FlagDataPadded, nil, http2.ErrCodeFrameSize, "missing_pad_length"},
		{"HEADERS priority too short", http2.FrameHeaders, http2.FlagHeadersPriority | http2.FlagHeadersEndHeaders, []byte{0, 0}, http2.ErrCodeFrameSize, "headers_too_short"},
	}
	for _, st := range states {
		for _, fr := range frames {
			t.Run(st.name+"/"+fr.name, func(t *testing.T) {
				p := newPeer(t, Config{})
				id := st.setup(p)
				for {
					if _, ok := p.tryRead(); !ok {
						break
					}
				}
				p.raw(fr.typ, fr.flags, id, fr.pay)
				ga := p.wantGoAway(fr.code)
				if string(ga.DebugData()) != fr.reason {
					t.Fatalf("GOAWAY reason %q, want %q", ga.DebugData(), fr.reason)
				}
			})
		}
	}
}
