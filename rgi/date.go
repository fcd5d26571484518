package rgi

import (
	"sync/atomic"
	"time"
)

// dateEntry is the Date value for one second.
type dateEntry struct {
	sec  int64
	text string
}

var dateNow atomic.Pointer[dateEntry]

// httpDate returns now as an RFC 9110 §5.6.7 IMF-fixdate. The text is
// cached per second, so a response costs no allocation for it.
func httpDate(now time.Time) string {
	sec := now.Unix()
	if d := dateNow.Load(); d != nil && d.sec == sec {
		return d.text
	}
	d := &dateEntry{sec: sec, text: now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")}
	dateNow.Store(d)
	return d.text
}
