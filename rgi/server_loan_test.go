package rgi

import (
	"cmp"
	"maps"
	"slices"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/h2kit/h2kit/internal/rgiloan"
)

// TestHeaderLoan: an app's copy of a precomputed header map that comes back
// unchanged in its response is lent again for the next response made from
// the same map; a copy a wrapping app changed, or replaced, is not (the
// next copy is fresh and equal to the template), nor is one made for
// another template, nor one asked for with a Bodies value that is not the
// connection's.
func TestHeaderLoan(t *testing.T) {
	tmplA := map[string]string{"content-type": "text/plain", "etag": `"a"`}
	tmplB := map[string]string{"content-type": "text/html", "etag": `"b"`}
	type step struct {
		tmpl   map[string]string
		change func(h map[string]string) map[string]string // a wrapping app's doing
		own    bool                                        // ask with Bodies{}
		from   int                                         // the step whose map is lent again, or -1
	}
	keep := func(h map[string]string) map[string]string { return h }
	steps := []step{
		{tmplA, keep, false, -1},
		{tmplA, keep, false, 0},
		{tmplA, keep, false, 1},
		{tmplA, func(h map[string]string) map[string]string { h["x-added"] = "1"; return h }, false, 2},
		{tmplA, keep, false, -1}, // the changed one was not kept
		{tmplA, keep, false, 4},
		{tmplA, func(h map[string]string) map[string]string { h["etag"] = `"z"`; return h }, false, 5},
		{tmplA, keep, false, -1},
		{tmplA, func(h map[string]string) map[string]string { return maps.Clone(h) }, false, 7},
		{tmplA, keep, false, -1}, // the replacement is not a lent copy
		{tmplB, keep, false, -1}, // another template
		{tmplB, keep, false, 10},
		{tmplA, keep, false, -1},
		{tmplA, keep, true, -1},  // not the connection's Bodies
		{tmplA, keep, false, 12}, // the connection's spare survived
	}
	var given []map[string]string
	i := 0
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		st := steps[i]
		bb := b
		if st.own {
			bb = Bodies{}
		}
		h := rgiloan.Headers(bb, st.tmpl)
		if !maps.Equal(h, st.tmpl) {
			t.Errorf("step %d: lent %v, want a copy of %v", i, h, st.tmpl)
		}
		if sameMap(h, st.tmpl) {
			t.Errorf("step %d: lent the template itself", i)
		}
		if st.from >= 0 && !sameMap(h, given[st.from]) {
			t.Errorf("step %d: not step %d's map", i, st.from)
		}
		for j, g := range given {
			if st.from < 0 && sameMap(h, g) {
				t.Errorf("step %d: step %d's map, want a new one", i, j)
			}
		}
		given = append(given, h)
		h = st.change(h)
		i++
		return Response{Status: 200, Reason: "OK", Headers: h, Body: "hi"}
	})
	s, err := NewConnServer(app, benchOptions())
	if err != nil {
		t.Fatal(err)
	}
	s.ServeConn(&memConn{req: wrkRequest, n: len(steps)}, nil)
	if i != len(steps) {
		t.Fatalf("%d requests served, want %d", i, len(steps))
	}
	// Outside a connection: always a fresh copy.
	a, b := rgiloan.Headers(Bodies{}, tmplA), rgiloan.Headers(Bodies{}, tmplA)
	if sameMap(a, b) || !maps.Equal(a, tmplA) {
		t.Fatal("Bodies{}: copies not fresh")
	}
}

// TestHeaderLoanAllocs: an app that answers every request from one
// precomputed map through rgiloan costs no allocation once warm.
func TestHeaderLoanAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	tmpl := map[string]string{"content-type": "text/plain", "etag": `"a"`, "last-modified": "Sun, 06 Dec 2026 14:00:00 GMT"}
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		return Response{Status: 200, Reason: "OK", Headers: rgiloan.Headers(b, tmpl), Body: "hello, world"}
	})
	s, err := NewConnServer(app, benchOptions())
	if err != nil {
		t.Fatal(err)
	}
	run := func(n int) float64 {
		return testing.AllocsPerRun(20, func() { s.ServeConn(&memConn{req: wrkRequest, n: n}, nil) })
	}
	run(10)
	if a, b := run(1000), run(3000); b-a > 2 {
		t.Fatalf("%.4f allocations per request (%v for 1000, %v for 3000)", (b-a)/2000, a, b)
	}
}

// TestHeaderLoanStaleBodies: a Bodies value kept by an app past its call
// and used from another goroutine while the connection serves the next
// requests never gets a map that anyone else holds: a map handed to it is
// never handed out again, and under -race the connection's loan state is
// not touched concurrently (both failed before the loan took its lock).
func TestHeaderLoanStaleBodies(t *testing.T) {
	tmpl := map[string]string{"content-type": "text/plain", "etag": `"a"`}
	const requests = 200
	type lendRec struct {
		seq   int64
		m     map[string]string
		stale bool
	}
	var seq atomic.Int64
	kept := make(chan Bodies, 1)
	var lent []lendRec // the app calls', on the connection's goroutine
	app := AppFunc(func(s *Session, r *Request, b Bodies) Response {
		select {
		case kept <- b:
		default:
		}
		h := rgiloan.Headers(b, tmpl)
		lent = append(lent, lendRec{seq.Add(1), h, false})
		return Response{Status: 200, Reason: "OK", Headers: h, Body: "hi"}
	})
	s, err := NewConnServer(app, benchOptions())
	if err != nil {
		t.Fatal(err)
	}
	stale := make(chan []lendRec)
	go func() {
		b := <-kept
		var got []lendRec
		for range 2000 {
			h := rgiloan.Headers(b, tmpl)
			got = append(got, lendRec{seq.Add(1), h, true})
		}
		stale <- got
	}()
	s.ServeConn(&memConn{req: wrkRequest, n: requests}, nil)
	all := append(lent, <-stale...)
	slices.SortFunc(all, func(a, b lendRec) int { return cmp.Compare(a.seq, b.seq) })
	keptBy := map[unsafe.Pointer]bool{} // maps the stale holder got
	for _, r := range all {
		if !maps.Equal(r.m, tmpl) {
			t.Fatalf("lend %d: %v", r.seq, r.m)
		}
		p := *(*unsafe.Pointer)(unsafe.Pointer(&r.m))
		if keptBy[p] {
			t.Fatalf("lend %d (stale %v) hands out a map the stale holder got earlier", r.seq, r.stale)
		}
		if r.stale {
			keptBy[p] = true
		}
	}
	if len(lent) != requests {
		t.Fatalf("%d app calls, want %d", len(lent), requests)
	}
}
