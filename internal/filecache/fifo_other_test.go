//go:build !unix

package filecache

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs here") }
