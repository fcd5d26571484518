package rgi

import (
	"net"
	"syscall"
)

// peerCredentials reads SO_PEERCRED (unix(7)) from a Unix connection: the
// pid, uid and gid of the process that connected, as Degu's
// session.credentials has them. It returns nil for other connections.
func peerCredentials(c net.Conn) *Credentials {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return nil
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || cerr != nil {
		return nil
	}
	return &Credentials{PID: int(cred.Pid), UID: int(cred.Uid), GID: int(cred.Gid)}
}
