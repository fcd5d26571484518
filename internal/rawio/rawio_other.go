//go:build !linux || race

package rawio

import "syscall"

const supported = false

func rawRead(fd uintptr, p []byte) (int, syscall.Errno)  { panic("rawio: not supported") }
func rawWrite(fd uintptr, p []byte) (int, syscall.Errno) { panic("rawio: not supported") }
