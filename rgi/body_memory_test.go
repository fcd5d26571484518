package rgi

import (
	"errors"
	"io"
	"runtime/metrics"
	"strings"
	"testing"
)

// stallReader serves script, then signals stalled and blocks until release
// is closed, when it reports io.EOF: a peer that declared a large body and
// sent only its first bytes.
type stallReader struct {
	script  io.Reader
	stalled chan struct{}
	release chan struct{}
}

func (r *stallReader) Read(p []byte) (int, error) {
	if n, _ := r.script.Read(p); n > 0 {
		return n, nil
	}
	close(r.stalled)
	<-r.release
	return 0, io.EOF
}

// heapAllocs returns the bytes allocated on the heap so far.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestBodyMemoryGrowsWithBytesReceived pins that reading a body allocates
// for the bytes received, not the bytes declared: a 16 MiB chunk-size line
// or content-length followed by three bytes must not cost 16 MiB of heap
// (1,000 such connections would reserve 16 GiB) on any of the read paths.
func TestBodyMemoryGrowsWithBytesReceived(t *testing.T) {
	const declared = "ffffff\r\n" // 16 MiB - 1
	chunked := func(f func(*ChunkedBody) error) func(io.Reader) error {
		return func(r io.Reader) error {
			var b ChunkedBody
			b.reset(newWireReader(r), newInterner(), nil)
			return f(&b)
		}
	}
	tests := []struct {
		name   string
		script string
		read   func(io.Reader) error
	}{
		{"ChunkedBody.ReadChunk", declared + "abc", chunked(func(b *ChunkedBody) error {
			_, err := b.ReadChunk()
			return err
		})},
		{"ChunkedBody.ReadChunk after Read", declared + "abc", chunked(func(b *ChunkedBody) error {
			if _, err := b.Read(make([]byte, 1)); err != nil {
				return err
			}
			_, err := b.ReadChunk()
			return err
		})},
		{"ChunkedBody.ReadAll", "1\r\nx\r\n" + declared + "abc", chunked(func(b *ChunkedBody) error {
			_, err := b.ReadAll()
			return err
		})},
		{"Body.ReadAll", "abc", func(r io.Reader) error {
			var b Body
			b.reset(newWireReader(r), MaxReadSize, nil)
			_, err := b.ReadAll()
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &stallReader{script: strings.NewReader(tt.script), stalled: make(chan struct{}), release: make(chan struct{})}
			done := make(chan error, 1)
			before := heapAllocs()
			go func() { done <- tt.read(r) }()
			<-r.stalled
			grown := heapAllocs() - before
			close(r.release)
			if err := <-done; !errors.Is(err, ErrTruncatedBody) {
				t.Errorf("after the peer closed: %v, want ErrTruncatedBody", err)
			}
			if grown > 1<<20 {
				t.Errorf("%d bytes allocated for %d bytes received (16 MiB declared)", grown, len(tt.script))
			}
		})
	}
}
