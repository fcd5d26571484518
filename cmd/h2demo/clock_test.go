package main

import (
	"testing"
	"time"
)

func TestClockParams(t *testing.T) {
	for _, c := range []struct {
		query string
		n     int
		every time.Duration
	}{
		{"", 0, time.Second},
		{"n=3", 3, time.Second},
		{"n=3&ms=10", 3, 10 * time.Millisecond},
		{"ms=60000&n=1", 1, time.Minute},
		{"ms=9", 0, time.Second},     // below the floor: the default
		{"ms=60001", 0, time.Second}, // above the ceiling
		{"n=-1&n=0&x=2&ms=abc&&=", 0, time.Second},
		{"n=2&n=5", 5, time.Second}, // the last one wins
	} {
		n, every := clockParams(c.query)
		if n != c.n || every != c.every {
			t.Errorf("clockParams(%q) = %d, %v; want %d, %v", c.query, n, every, c.n, c.every)
		}
	}
}

// FuzzClockParams: any query gives a count of at least 0 and an interval
// within the bounds, without panicking.
func FuzzClockParams(f *testing.F) {
	for _, q := range []string{"", "n=3&ms=10", "ms=99999999999999999999", "n=&ms=", "&&&", "n=1=2"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, every := clockParams(q)
		if n < 0 || every < 10*time.Millisecond || every > time.Minute {
			t.Fatalf("clockParams(%q) = %d, %v", q, n, every)
		}
	})
}
