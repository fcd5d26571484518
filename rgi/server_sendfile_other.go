//go:build !linux

package rgi

import "syscall"

const sendfileSupported = false

func sendfileOnce(dst, src syscall.RawConn, off *int64, n int) (int, error) {
	panic("rgi: sendfile used where it is not supported")
}
