package driver_test

import (
	"strings"
	"testing"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/internal/driver"
	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
)

func newDriver(t *testing.T) *driver.Driver {
	t.Helper()
	f := func(*handler.Stream) handler.RequestHandler { return &handler.BaseRequestHandler{} }
	d, err := driver.New(h2conn.Config{}, handler.Factory(f), handler.ConnInfo{}, handler.Options{}, func() {})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	return d
}

// panicOf runs f and returns what it panicked with, as a string.
func panicOf(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}

// TestDriverOwnerGoroutine: in test builds, a call into a driver from a
// goroutine other than the one that first used it panics, naming the rule.
func TestDriverOwnerGoroutine(t *testing.T) {
	d := newDriver(t)
	got := make(chan string)
	go func() { got <- panicOf(func() { d.Sleep() }) }()
	if msg := <-got; !strings.Contains(msg, "driver: connection used from goroutine") {
		t.Fatalf("call from another goroutine: panic %q, want the owner assertion", msg)
	}
	// The owner still drives it.
	if err := d.Flush(discard{}); err != nil {
		t.Fatal(err)
	}
	d.Close(frame.ErrCodeCancel)
}

// TestDriverReentry: a callback that calls back into the driver (here the
// writer Flush hands output to) panics instead of running the engine inside
// itself.
func TestDriverReentry(t *testing.T) {
	d := newDriver(t)
	w := reentrant{d}
	if msg := panicOf(func() { d.Flush(w) }); !strings.Contains(msg, "driver: re-entered") {
		t.Fatalf("re-entry: panic %q, want the re-entry assertion", msg)
	}
}

type discard struct{}

func (discard) WriteBatch([]byte) error { return nil }

type reentrant struct{ d *driver.Driver }

func (w reentrant) WriteBatch([]byte) error {
	w.d.Awake()
	return nil
}
