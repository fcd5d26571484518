// Package restpipebench compares RestPipe (package restpipe) with a gRPC
// bidirectional stream doing the same work: round-trip events per second and
// p99 latency in both directions over one mutually authenticated TLS
// connection. It is a separate module so that google.golang.org/grpc never
// enters h2kit's go.mod. See README.md.
package restpipebench
