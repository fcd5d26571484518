package rgi

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"
)

// browserRequest is a request with the headers a browser sends.
var browserRequest = []byte("GET /static/app/main.js?v=3 HTTP/1.1\r\n" +
	"Host: 127.0.0.1:8080\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n" +
	"Accept: */*\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Referer: http://127.0.0.1:8080/\r\n" +
	"Connection: keep-alive\r\n\r\n")

// BenchmarkReadRequest reads the preamble and parses the request, warm.
func BenchmarkReadRequest(b *testing.B) {
	r := bytes.NewReader(browserRequest)
	br := newWireReader(r)
	in := newInterner()
	req := &Request{Headers: map[string]string{}}
	comps := make([]string, 0, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(browserRequest)))
	for b.Loop() {
		r.Reset(browserRequest)
		br.Reset(r)
		pre, err := readPreamble(br)
		if err != nil {
			b.Fatal(err)
		}
		clear(req.Headers)
		if _, err := parseRequest(pre, in, req, comps); err != nil {
			b.Fatal(err)
		}
		br.Discard(len(pre))
	}
}

// BenchmarkNetHTTPReadRequest is the reference: net/http's parser on the
// same bytes.
func BenchmarkNetHTTPReadRequest(b *testing.B) {
	r := bytes.NewReader(browserRequest)
	br := bufio.NewReader(r)
	b.ReportAllocs()
	b.SetBytes(int64(len(browserRequest)))
	for b.Loop() {
		r.Reset(browserRequest)
		br.Reset(r)
		if _, err := http.ReadRequest(br); err != nil {
			b.Fatal(err)
		}
	}
}
