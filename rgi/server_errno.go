package rgi

import "syscall"

// errTooManyFiles is the accept error worth waiting out.
var errTooManyFiles = syscall.EMFILE
