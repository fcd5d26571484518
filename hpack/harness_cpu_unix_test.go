//go:build unix

package hpack_test

import "syscall"

// processCPU returns the CPU time (user + system) the test process has used,
// in nanoseconds, all threads included (so the garbage collector's work
// counts). Unlike wall time it barely moves when other processes compete for
// the CPUs, which makes the benchmarks comparable on a shared machine.
func processCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
