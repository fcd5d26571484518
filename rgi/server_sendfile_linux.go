package rgi

import "syscall"

const sendfileSupported = true

// sendfileOnce sends up to n bytes of the file src from *off to the socket
// dst, waiting (under dst's write deadline) while the socket is full, and
// advances *off by what was sent. 0 bytes and no error is the end of the
// file.
func sendfileOnce(dst, src syscall.RawConn, off *int64, n int) (sent int, err error) {
	var werr error
	cerr := src.Control(func(sfd uintptr) {
		werr = dst.Write(func(dfd uintptr) bool {
			for {
				// With an offset, sendfile(2) "does not modify the
				// file offset of in_fd".
				k, e := syscall.Sendfile(int(dfd), int(sfd), off, n)
				switch e {
				case syscall.EINTR:
					continue
				case syscall.EAGAIN:
					return false // wait until the socket is writable
				}
				if e != nil {
					err = e
				} else {
					sent = k
				}
				return true
			}
		})
	})
	if err == nil {
		err = werr
	}
	if err == nil {
		err = cerr
	}
	return sent, err
}
