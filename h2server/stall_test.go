package h2server

import (
	"net"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"
	xhpack "golang.org/x/net/http2/hpack"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/reject"
)

// TestEngineTimersThroughLoop runs the engine's stream timers through the real
// connection loop on synctest's fake clock, with clients that finish the
// handshake (SETTINGS acknowledged both ways) and then go silent:
//   - one advertising a zero window: its response, attached by RunPending after
//     the loop's Tick, is reset with CANCEL after FlowStallTimeout (1 min);
//   - one that never ends its request: reset with INTERNAL_ERROR after
//     RequestBodyTimeout (1 min), after which the idle timeout runs and ends the
//     connection with GOAWAY NO_ERROR.
func TestEngineTimersThroughLoop(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	cases := []struct {
		name    string
		factory handler.Factory
		window  uint32 // SETTINGS_INITIAL_WINDOW_SIZE
		end     bool   // the request has END_STREAM
		code    http2.ErrCode
		reject  string
	}{
		{"zero window", handler.FactoryFunc(func(s *handler.Stream) { s.SendResponse(200, nil, big) }),
			0, true, http2.ErrCodeCancel, "flow_control_stall"},
		{"request never ends", echoFactory, 65535, false, http2.ErrCodeInternal, "request_body_timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var rejects []string
				srv := &Server{
					Handler:  tc.factory,
					OnReject: func(name reject.Name) { rejects = append(rejects, string(name)) },
				}
				srv.Config.IdleTimeout = 3 * time.Minute
				pc, sc := net.Pipe()
				done := make(chan struct{})
				go func() { srv.ServeConn(sc); close(done) }()
				cli := newRelay(pc)
				defer cli.Close()
				c := dialClient(t, cli)
				c.fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: tc.window})
				c.until(func(f http2.Frame) bool { sf, ok := f.(*http2.SettingsFrame); return ok && !sf.IsAck() })
				var hb strings.Builder
				enc := xhpack.NewEncoder(&hb)
				for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":authority", "t"}, {":path", "/"}} {
					enc.WriteField(xhpack.HeaderField{Name: f[0], Value: f[1]})
				}
				c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte(hb.String()), EndStream: tc.end, EndHeaders: true})
				start := time.Now()
				f := c.until(func(f http2.Frame) bool { _, ok := f.(*http2.RSTStreamFrame); return ok }).(*http2.RSTStreamFrame)
				// The loop may wake up to deadlineSlack early, never late.
				if d := time.Since(start); f.ErrCode != tc.code || d < time.Minute || d > time.Minute+deadlineSlack {
					t.Fatalf("RST_STREAM %v after %v, want %v after 1m", f.ErrCode, d, tc.code)
				}
				start = time.Now()
				ga := c.until(func(f http2.Frame) bool { _, ok := f.(*http2.GoAwayFrame); return ok }).(*http2.GoAwayFrame)
				if d := time.Since(start); ga.ErrCode != http2.ErrCodeNo || d < 3*time.Minute || d > 3*time.Minute+deadlineSlack {
					t.Fatalf("GOAWAY %v after %v, want NO_ERROR after the 3m idle timeout", ga.ErrCode, d)
				}
				<-done
				synctest.Wait()
				if !slices.Contains(rejects, tc.reject) {
					t.Fatalf("rejects %q, want %q", rejects, tc.reject)
				}
			})
		})
	}
}
