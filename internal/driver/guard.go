package driver

import (
	"bytes"
	"flag"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// checking reports whether drivers assert their goroutine rules: in test
// binaries only, and not when the binary runs benchmarks (-test.bench), which
// measure the production path. Decided once, at the first connection, when
// the test flags have been parsed.
func checking() bool {
	checkOnce.Do(func() {
		checked = testing.Testing()
		if f := flag.Lookup("test.bench"); checked && f != nil && f.Value.String() != "" {
			checked = false
		}
	})
	return checked
}

var (
	checkOnce sync.Once
	checked   bool
)

// guard asserts that one goroutine owns a Driver and that no callback
// re-enters it (a handler callback or body generator calling back into the
// driver would run the engine inside itself).
type guard struct {
	on    bool   // checking() when the driver was made
	owner uint64 // goroutine id of the first entry; 0 before
	busy  bool
}

func (g *guard) enter() {
	if !g.on {
		return
	}
	id := goroutineID()
	switch {
	case g.owner == 0:
		g.owner = id
	case g.owner != id:
		panic("driver: connection used from goroutine " + strconv.FormatUint(id, 10) +
			", but it is owned by goroutine " + strconv.FormatUint(g.owner, 10))
	}
	if g.busy {
		panic("driver: re-entered from a callback of the engine or a handler")
	}
	g.busy = true
}

func (g *guard) leave() {
	if g.on {
		g.busy = false
	}
}

var stackBufs = sync.Pool{New: func() any { return new([64]byte) }}

// goroutineID parses the current goroutine's id from its stack header,
// "goroutine 123 [running]:", as x/net's curGoroutineID does; tests only.
func goroutineID() uint64 {
	// The buffer comes from a pool: runtime.Stack makes a local array escape,
	// and an allocation per call would break the allocation tests that run
	// through the driver.
	bp := stackBufs.Get().(*[64]byte)
	defer stackBufs.Put(bp)
	b := bp[:runtime.Stack(bp[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	if id == 0 {
		panic("driver: cannot parse the goroutine id")
	}
	return id
}
