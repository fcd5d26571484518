// Command hpack encodes and decodes hpack-test-case story JSON with h2kit's
// HPACK codec, like nghttp2's deflatehd and inflatehd.
//
//	hpack deflate < story.json > encoded.json
//	hpack inflate < encoded.json > decoded.json
//	hpack -t inflate < encoded.json   # also print the dynamic table to stderr
//
// See the usage text (hpack -h) for the flags and the exit status.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
