// Package pushbench measures what server push buys a page with 20 small
// subresources over a link with latency: the time to the last byte of the page
// and all its subresources, pushed (package push) against fetched once the page
// has arrived, through a proxy that delays every byte by a fixed time each way
// (a loopback connection has no latency to save).
//
//	go test ./bench/push -run '^$' -bench . -benchtime 30x -count 3
//
// See README.md for the results and what the two clients (a scripted
// x/net-Framer client on a warm connection, and nghttp on a new connection per
// page) show.
package pushbench
