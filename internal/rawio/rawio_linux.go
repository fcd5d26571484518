//go:build linux && !race

package rawio

import (
	"syscall"
	"unsafe"
)

const supported = true

// rawRead and rawWrite are read(2) and write(2) on a non-blocking socket:
// they never wait, so they need none of the scheduler's system-call
// bookkeeping. p is not empty.
func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}

func rawWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}
