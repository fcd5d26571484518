package handler

import (
	"sync/atomic"
	"time"
)

// dateEntry is the date header value for one second.
type dateEntry struct {
	sec  int64
	text string
}

var dateNow atomic.Pointer[dateEntry]

// httpDate returns now (the current time when zero) in the IMF-fixdate format
// of RFC 9110 §5.6.7 ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted once per
// second.
func httpDate(now time.Time) string {
	if now.IsZero() {
		now = time.Now()
	}
	sec := now.Unix()
	if d := dateNow.Load(); d != nil && d.sec == sec {
		return d.text
	}
	d := &dateEntry{sec: sec, text: now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")}
	dateNow.Store(d)
	return d.text
}
