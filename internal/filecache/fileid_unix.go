//go:build unix

package filecache

import (
	"io/fs"
	"syscall"
)

// openFlags opens without blocking: a name that turns into a FIFO between the
// request and the open must not hang the request (the entry is then refused
// as not regular).
const openFlags = syscall.O_RDONLY | syscall.O_NONBLOCK | syscall.O_CLOEXEC

// idOf returns the device and inode of a file, which tell a file replaced by
// rename (same name, same size and mtime, new inode) from the one cached.
func idOf(fi fs.FileInfo) FileID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return FileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}
	}
	return FileID{}
}
