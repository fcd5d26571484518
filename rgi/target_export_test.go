package rgi

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckHeader(t *testing.T) {
	tests := []struct {
		name, value string
		want        error
	}{
		{"host", "example.com:8080", nil},
		{"x-a-1", "printable ~!#{} text", nil},
		{strings.Repeat("a", 32), "v", nil},
		{strings.Repeat("a", 33), "v", ErrHeaderNameTooLong},
		{"", "v", ErrBadHeaderName},
		{"Host", "v", ErrBadHeaderName},
		{"x_a", "v", ErrBadHeaderName},
		{"x:a", "v", ErrBadHeaderName},
		{"x", "", ErrBadHeaderValue},
		{"x", " lead", ErrBadHeaderValue},
		{"x", "trail ", ErrBadHeaderValue},
		{"x", "tab\there", ErrBadHeaderValue},
		{"x", "bin\x80", ErrBadHeaderValue},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, CheckHeader(tc.name, tc.value), "%q: %q", tc.name, tc.value)
	}
}

func TestCheckResponse(t *testing.T) {
	seq := func(func([]byte) bool) {}
	chunks := func(func(Chunk) bool) {}
	tests := []struct {
		name    string
		resp    Response
		head    bool
		length  int64
		chunked bool
		err     error
	}{
		{"nil body", Response{Status: 204, Reason: "No Content"}, false, -1, false, nil},
		{"bytes", Response{Status: 200, Reason: "OK", Body: []byte("abc")}, false, 3, false, nil},
		{"string with its length", Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-length": "2"}, Body: "ab"}, false, 2, false, nil},
		{"body", Response{Status: 200, Reason: "OK", Body: NewBody(bytes.NewReader(nil), 0)}, false, 0, false, nil},
		{"body iter", Response{Status: 200, Reason: "OK", Body: NewBodyIter(seq, 7)}, false, 7, false, nil},
		{"chunked", Response{Status: 200, Reason: "OK", Body: NewChunkedBody(strings.NewReader(""))}, false, -1, true, nil},
		{"chunked iter", Response{Status: 200, Reason: "OK", Headers: map[string]string{"transfer-encoding": "chunked"}, Body: NewChunkedBodyIter(chunks)}, false, -1, true, nil},
		{"head states length", Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-length": "99"}}, true, -1, false, nil},
		{"get with stray length", Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-length": "99"}}, false, -1, false, ErrFramingMismatch},
		{"length disagrees", Response{Status: 200, Reason: "OK", Headers: map[string]string{"content-length": "9"}, Body: "ab"}, false, -1, false, ErrFramingMismatch},
		{"uppercase name", Response{Status: 200, Reason: "OK", Headers: map[string]string{"X-A": "1"}}, false, -1, false, ErrBadOutputHeaderName},
		{"empty value", Response{Status: 200, Reason: "OK", Headers: map[string]string{"x-a": ""}}, false, -1, false, ErrBadOutputHeaderValue},
		{"status", Response{Status: 600, Reason: "OK"}, false, -1, false, ErrBadOutputStatus},
		{"reason", Response{Status: 200, Reason: ""}, false, -1, false, ErrBadOutputReason},
		{"body type", Response{Status: 200, Reason: "OK", Body: 42}, false, -1, false, ErrBadOutputBody},
	}
	for _, tc := range tests {
		length, chunked, err := CheckResponse(&tc.resp, tc.head)
		assert.Equal(t, tc.err, err, tc.name)
		assert.Equal(t, tc.length, length, tc.name)
		assert.Equal(t, tc.chunked, chunked, tc.name)
	}
}

func TestStatusResponse(t *testing.T) {
	r := StatusResponse(405, "Method Not Allowed", "no")
	assert.Equal(t, Response{Status: 405, Reason: "Method Not Allowed", Body: "no\n", Headers: map[string]string{
		"allow": "DELETE, GET, HEAD, POST, PUT", "content-length": "3", "content-type": "text/plain"}}, r)
	r = StatusResponse(400, "Bad Request", "bad header name")
	assert.Equal(t, map[string]string{"content-length": "16", "content-type": "text/plain"}, r.Headers)
	_, _, err := CheckResponse(&r, false)
	assert.NoError(t, err, "the HTTP/1.1 server would send it")
}
