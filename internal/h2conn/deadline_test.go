package h2conn

import (
	"testing"
	"time"
)

// TestCachedDeadline: the cached deadline is now plus the duration for
// every clock value, computed again when the clock moves (forwards or, for a
// fresh cache, from the zero time).
func TestCachedDeadline(t *testing.T) {
	var cd cachedDeadline
	t0 := time.Date(2026, 12, 6, 19, 0, 0, 0, time.UTC)
	for _, now := range []time.Time{{}, t0, t0, t0.Add(time.Millisecond), t0.Add(time.Millisecond), t0.Add(time.Hour), {}} {
		if got, want := cd.deadline(now, 30*time.Second), now.Add(30*time.Second); !got.Equal(want) {
			t.Fatalf("deadline(%v) = %v, want %v", now, got, want)
		}
	}
}
