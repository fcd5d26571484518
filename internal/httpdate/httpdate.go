// Package httpdate formats the date header of responses (RFC 9110 §6.6.1),
// once per second for the whole process, for every protocol's server.
package httpdate

import (
	"sync/atomic"
	"time"
)

// entry is the date header value for one second.
type entry struct {
	sec  int64
	text string
}

var current atomic.Pointer[entry]

// Format returns now (the current time when zero) in the IMF-fixdate format
// of RFC 9110 §5.6.7 ("Sun, 06 Nov 1994 08:49:37 GMT"). The text is formatted
// once per second and shared, so a response costs no allocation for it.
func Format(now time.Time) string {
	if now.IsZero() {
		now = time.Now()
	}
	sec := now.Unix()
	if d := current.Load(); d != nil && d.sec == sec {
		return d.text
	}
	d := &entry{sec: sec, text: now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")}
	current.Store(d)
	return d.text
}
