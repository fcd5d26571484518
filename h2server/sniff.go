package h2server

import "github.com/h2kit/h2kit/internal/frame"

// proto is what a cleartext connection turned out to speak.
type proto uint8

const (
	protoUnknown proto = iota // not enough bytes yet
	protoIsH2                 // the HTTP/2 connection preface (prior knowledge, RFC 9113 §3.3)
	protoIsHTTP1              // anything else: given to the HTTP/1.1 fallback
)

// sniff classifies the first bytes of a cleartext connection. RFC 9113 §3.3: a
// client with prior knowledge "MUST send the connection preface" first, so the
// preface bytes identify h2c; the preface starts with "PRI * HTTP/2.0", which no
// HTTP/1.x request line can match beyond its first bytes. Any other opening (an
// HTTP/1.x request line, or garbage that the HTTP/1.1 side rejects) is not h2.
func sniff(b []byte) proto {
	const p = frame.ClientPreface
	n := min(len(b), len(p))
	if string(b[:n]) != p[:n] {
		return protoIsHTTP1
	}
	if n == len(p) {
		return protoIsH2
	}
	return protoUnknown
}
