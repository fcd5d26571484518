package h2server

import (
	"net"
	"reflect"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// TestConfigDefaults: every zero field of Config becomes the Default constant
// its documentation names, and the table covers every field that has one.
func TestConfigDefaults(t *testing.T) {
	want := map[string]any{
		"MaxConcurrentStreams":   uint32(DefaultMaxConcurrentStreams),
		"InitialWindowSize":      uint32(DefaultInitialWindowSize),
		"ConnWindowSize":         uint32(DefaultConnWindowSize),
		"MaxFrameSize":           uint32(DefaultMaxFrameSize),
		"MaxWriteFrameSize":      uint32(DefaultMaxWriteFrameSize),
		"HeaderTableSize":        uint32(DefaultHeaderTableSize),
		"MaxEncoderTableSize":    uint32(DefaultMaxEncoderTableSize),
		"MaxHeaderListSize":      uint32(DefaultMaxHeaderListSize),
		"MaxHeaderFields":        DefaultMaxHeaderFields,
		"MaxContinuationFrames":  DefaultMaxContinuationFrames,
		"MaxQueuedControlFrames": DefaultMaxQueuedControlFrames,
		"MaxBufferedBytes":       DefaultMaxBufferedBytes,
		"MaxSettingsEntries":     DefaultMaxSettingsEntries,
		"MaxWriteBatch":          DefaultMaxWriteBatch,
		"ResetBurst":             DefaultResetBurst,
		"ResetRate":              float64(DefaultResetRate),
		"GlitchBurst":            DefaultGlitchBurst,
		"GlitchRate":             float64(DefaultGlitchRate),
		"PrefaceTimeout":         DefaultPrefaceTimeout,
		"SettingsAckTimeout":     DefaultSettingsAckTimeout,
		"IdleTimeout":            DefaultIdleTimeout,
		"FlowStallTimeout":       DefaultFlowStallTimeout,
		"RequestBodyTimeout":     DefaultRequestBodyTimeout,
		"ShutdownDelay":          DefaultShutdownDelay,
		"HandshakeTimeout":       DefaultHandshakeTimeout,
		"WriteTimeout":           DefaultWriteTimeout,
		"ReadBufferSize":         DefaultReadBufferSize,
		"MaxPushPromises":        DefaultMaxPushPromises,
		"PushAuthorities":        []string(nil),
		"MaxConnections":         DefaultMaxConnections,
		// Switches: off unless set.
		"EnableConnectProtocol": false,
		"DisableDate":           false,
		"ReuseStreams":          false,
	}
	got := reflect.ValueOf(Config{}.withDefaults())
	typ := got.Type()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		w, ok := want[name]
		if !ok {
			t.Errorf("Config.%s has no default in this table", name)
			continue
		}
		if g := got.Field(i).Interface(); !reflect.DeepEqual(g, w) {
			t.Errorf("Config{}.%s = %v, want %v", name, g, w)
		}
	}
	if len(want) != typ.NumField() {
		t.Errorf("table has %d fields, Config %d", len(want), typ.NumField())
	}
}

// TestConfigReachesEngine: every engine field set on Config arrives in the
// engine's configuration unchanged (the conversion is one function; a field
// added to Config and forgotten there fails here).
func TestConfigReachesEngine(t *testing.T) {
	var c Config
	cv := reflect.ValueOf(&c).Elem()
	for i := range cv.NumField() {
		switch f := cv.Field(i); f.Kind() {
		case reflect.Uint32:
			f.SetUint(uint64(70000 + i))
		case reflect.Int, reflect.Int64: // int limits and time.Duration
			f.SetInt(int64(70000 + i))
		case reflect.Float64:
			f.SetFloat(float64(70000 + i))
		case reflect.Bool:
			f.SetBool(true)
		}
	}
	ev := reflect.ValueOf(c.engine())
	et := ev.Type()
	for i := range et.NumField() {
		name := et.Field(i).Name
		if name == "Stats" {
			continue // the server's counters, set per connection (newConn)
		}
		cf := cv.FieldByName(name)
		if !cf.IsValid() {
			t.Errorf("engine field %s has no Config field", name)
			continue
		}
		if g, w := ev.Field(i).Interface(), cf.Interface(); !reflect.DeepEqual(g, w) {
			t.Errorf("engine %s = %v, want %v", name, g, w)
		}
	}
}

// TestConfigLimitsOnTheWire: limits set on a Server's Config are the ones its
// connections advertise in their SETTINGS (RFC 9113 §6.5.2).
func TestConfigLimitsOnTheWire(t *testing.T) {
	srv := &Server{Handler: echoFactory}
	srv.Config.MaxConcurrentStreams = 7
	srv.Config.InitialWindowSize = 70000
	srv.Config.MaxFrameSize = 20000
	srv.Config.HeaderTableSize = 1000
	srv.Config.MaxHeaderListSize = 9000
	srv.Config.EnableConnectProtocol = true
	startServer(t, srv, false)
	nc, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	c := dialClient(t, nc)
	sf := c.until(func(f http2.Frame) bool {
		s, ok := f.(*http2.SettingsFrame)
		return ok && !s.IsAck()
	}).(*http2.SettingsFrame)
	want := map[http2.SettingID]uint32{
		http2.SettingMaxConcurrentStreams:  7,
		http2.SettingInitialWindowSize:     70000,
		http2.SettingMaxFrameSize:          20000,
		http2.SettingHeaderTableSize:       1000,
		http2.SettingMaxHeaderListSize:     9000,
		http2.SettingEnableConnectProtocol: 1,
	}
	for id, w := range want {
		if g, ok := sf.Value(id); !ok || g != w {
			t.Errorf("SETTINGS %v = %d (sent %v), want %d", id, g, ok, w)
		}
	}
}

// TestConfigLimitEnforced: a limit set on Config is the one the engine
// enforces: with MaxHeaderFields 3 a request of four fields is answered 431
// (reject.TooManyHeaderFields), where the default (100) serves it.
func TestConfigLimitEnforced(t *testing.T) {
	for _, tc := range []struct {
		max    int
		status string
	}{{0, "200"}, {3, "431"}} {
		srv := &Server{Handler: echoFactory}
		srv.Config.MaxHeaderFields = tc.max
		startServer(t, srv, false)
		nc, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		c := dialClient(t, nc)
		c.get(1, "/")
		hf := c.until(func(f http2.Frame) bool {
			_, ok := f.(*http2.MetaHeadersFrame)
			return ok
		}).(*http2.MetaHeadersFrame)
		if got := hf.PseudoValue("status"); got != tc.status {
			t.Errorf("MaxHeaderFields %d: status %s, want %s", tc.max, got, tc.status)
		}
		nc.Close()
	}
}
