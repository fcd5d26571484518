// Package hpackbench measures h2kit's HPACK decoder against libnghttp2's in
// the same run, on the hpack-test-case raw-data stories.
//
// The comparison calls the installed libnghttp2 through cgo, so it is behind
// the nghttp2 build tag and `go build ./...` of the module never needs cgo
// or the library (Debian package libnghttp2-dev):
//
//	go test -tags nghttp2 ./bench/hpack -run '^$' -bench . -benchtime 1s -count 5
//
// See README.md for the results.
package hpackbench
