package rgi

import (
	"maps"
	"sync"
	"unsafe"

	"github.com/h2kit/h2kit/internal/rgiloan"
)

func init() { rgiloan.Headers = lendHeaders }

// appCall guards a connection's loan: lends (from the app, or from
// goroutines it started, or through a Bodies it kept) and the connection's
// own updates take mu, so that a map is never lent twice and the loan is
// never touched concurrently; between app calls (active false) a lend gets
// a fresh copy and touches nothing. Bodies stays one pointer, so passing
// it as an interface costs no allocation.
type appCall struct {
	mu     sync.Mutex
	active bool
}

func (a *appCall) set(active bool) {
	a.mu.Lock()
	a.active = active
	a.mu.Unlock()
}

// lendHeaders is rgiloan.Headers: the connection's spare copy of tmpl when
// it has one, else a new copy, which the connection follows through the
// response (headerLoan). Only while an app call is in progress.
func lendHeaders(b any, tmpl map[string]string) map[string]string {
	bb, ok := b.(Bodies)
	if !ok || bb.c == nil {
		return maps.Clone(tmpl)
	}
	c := bb.c
	c.call.mu.Lock()
	defer c.call.mu.Unlock()
	if !c.call.active {
		return maps.Clone(tmpl)
	}
	return c.loan.lend(tmpl)
}

// loanDo runs f on the connection's loan under its lock.
func (c *conn) loanDo(f func(l *headerLoan)) {
	c.call.mu.Lock()
	f(&c.loan)
	c.call.mu.Unlock()
}

// headerLoan follows, on one connection, the copies of precomputed header
// maps an app gets through rgiloan, so that a copy that comes back
// unchanged in the response is kept for the next request (see
// internal/rgiloan). The identities compared are the maps' (sameMap).
type headerLoan struct {
	tmpl, given map[string]string // this request's: the map copied, the copy
	spare, of   map[string]string // a copy of of, owned by the connection
	// memoOf is a map the head memo's headers are equal to (checked when
	// the memo remembered them), or nil.
	memoOf map[string]string
}

func (l *headerLoan) lend(tmpl map[string]string) map[string]string {
	var m map[string]string
	if l.spare != nil && sameMap(l.of, tmpl) {
		m, l.spare, l.of = l.spare, nil, nil
	} else {
		m = maps.Clone(tmpl)
	}
	l.tmpl, l.given = tmpl, m
	return m
}

// settle is called once the head of a response with headers h is written:
// remembered says the head memo has just remembered h (a head it did not
// know), else it wrote a remembered head, so h equals the memo's headers.
// A copy lent for this request that comes back equal to its template
// becomes the spare.
func (l *headerLoan) settle(h map[string]string, remembered bool) {
	tmpl, given := l.tmpl, l.given
	l.tmpl, l.given = nil, nil
	if remembered {
		l.memoOf = nil
		if given != nil && sameMap(h, given) && maps.Equal(h, tmpl) {
			l.memoOf = tmpl
		}
	}
	if given != nil && l.memoOf != nil && sameMap(h, given) && sameMap(l.memoOf, tmpl) {
		l.spare, l.of = h, tmpl
	}
}

// reset forgets every map (an app's response, or the head memo, went
// another way; a connection going back to the pool).
func (l *headerLoan) reset() { *l = headerLoan{} }

// sameMap reports whether a and b are the same map (not equal maps). A map
// value is a pointer to the runtime's map; reading it directly costs two
// instructions where reflect.Value.UnsafePointer cost a hundred per call.
func sameMap(a, b map[string]string) bool {
	pa, pb := *(*unsafe.Pointer)(unsafe.Pointer(&a)), *(*unsafe.Pointer)(unsafe.Pointer(&b))
	return pa != nil && pa == pb
}
