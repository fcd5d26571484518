package httpdate

import (
	"net/http"
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	now := time.Date(1994, 11, 6, 8, 49, 37, 500, time.FixedZone("X", 3600))
	if got, want := Format(now), "Sun, 06 Nov 1994 07:49:37 GMT"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	if _, err := http.ParseTime(Format(time.Time{})); err != nil {
		t.Errorf("zero time (now): %v", err)
	}
	next := now.Add(time.Second)
	if got := Format(next); got != "Sun, 06 Nov 1994 07:49:38 GMT" {
		t.Errorf("next second = %q", got)
	}
	if a := testing.AllocsPerRun(100, func() { Format(next) }); a != 0 {
		t.Errorf("cached second allocates %v", a)
	}
}
