package h2server

import (
	"testing"

	"github.com/h2kit/h2kit/internal/h2conn"
)

// TestDefaultsMatchEngine: the documented Default constants of Config are
// written out here so that go doc shows their values; they must be the
// engine's own defaults (MaxWriteBatch, which differs on purpose, aside).
func TestDefaultsMatchEngine(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"DefaultMaxConcurrentStreams", DefaultMaxConcurrentStreams, h2conn.DefaultMaxConcurrentStreams},
		{"DefaultInitialWindowSize", DefaultInitialWindowSize, h2conn.DefaultInitialWindowSize},
		{"DefaultConnWindowSize", DefaultConnWindowSize, h2conn.DefaultConnWindowSize},
		{"DefaultMaxFrameSize", DefaultMaxFrameSize, h2conn.DefaultMaxFrameSize},
		{"DefaultMaxWriteFrameSize", DefaultMaxWriteFrameSize, h2conn.DefaultMaxWriteFrameSize},
		{"DefaultHeaderTableSize", DefaultHeaderTableSize, h2conn.DefaultHeaderTableSize},
		{"DefaultMaxEncoderTableSize", DefaultMaxEncoderTableSize, h2conn.DefaultMaxEncoderTableSize},
		{"DefaultMaxHeaderListSize", DefaultMaxHeaderListSize, h2conn.DefaultMaxHeaderListSize},
		{"DefaultMaxHeaderFields", DefaultMaxHeaderFields, h2conn.DefaultMaxHeaderFields},
		{"DefaultMaxContinuationFrames", DefaultMaxContinuationFrames, h2conn.DefaultMaxContinuationFrames},
		{"DefaultMaxQueuedControlFrames", DefaultMaxQueuedControlFrames, h2conn.DefaultMaxQueuedControlFrames},
		{"DefaultMaxBufferedBytes", DefaultMaxBufferedBytes, h2conn.DefaultMaxBufferedBytes},
		{"DefaultMaxSettingsEntries", DefaultMaxSettingsEntries, h2conn.DefaultMaxSettingsEntries},
		{"DefaultResetBurst", DefaultResetBurst, h2conn.DefaultResetBurst},
		{"DefaultResetRate", DefaultResetRate, h2conn.DefaultResetRate},
		{"DefaultGlitchBurst", DefaultGlitchBurst, h2conn.DefaultGlitchBurst},
		{"DefaultGlitchRate", DefaultGlitchRate, h2conn.DefaultGlitchRate},
		{"DefaultPrefaceTimeout", DefaultPrefaceTimeout, h2conn.DefaultPrefaceTimeout},
		{"DefaultSettingsAckTimeout", DefaultSettingsAckTimeout, h2conn.DefaultSettingsAckTimeout},
		{"DefaultIdleTimeout", DefaultIdleTimeout, h2conn.DefaultIdleTimeout},
		{"DefaultFlowStallTimeout", DefaultFlowStallTimeout, h2conn.DefaultFlowStallTimeout},
		{"DefaultRequestBodyTimeout", DefaultRequestBodyTimeout, h2conn.DefaultRequestBodyTimeout},
		{"DefaultShutdownDelay", DefaultShutdownDelay, h2conn.DefaultShutdownDelay},
		{"DefaultMaxPushPromises", DefaultMaxPushPromises, h2conn.DefaultMaxPushPromises},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, engine's is %v", c.name, c.got, c.want)
		}
	}
}
