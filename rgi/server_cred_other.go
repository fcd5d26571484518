//go:build !linux

package rgi

import "net"

// peerCredentials is Linux-only (SO_PEERCRED).
func peerCredentials(net.Conn) *Credentials { return nil }
