package handler

import (
	"errors"
	"io"
	"testing"
)

// emptyReader returns (0, nil) for ever.
type emptyReader struct{ reads int }

func (r *emptyReader) Read([]byte) (int, error) { r.reads++; return 0, nil }

// TestPumpNoProgress: a reader that never returns data nor an error ends its
// pump with io.ErrNoProgress after maxEmptyReads reads instead of spinning.
func TestPumpNoProgress(t *testing.T) {
	r := &emptyReader{}
	woken := make(chan struct{}, 1)
	p := newPump(r, func() { woken <- struct{}{} })
	defer p.stop()
	_, flag, err := p.next(16 << 10)
	if flag == DataDeferred {
		<-woken // the pump wakes the stream when its Read gives up
		_, _, err = p.next(16 << 10)
	}
	if !errors.Is(err, io.ErrNoProgress) || r.reads != maxEmptyReads {
		t.Fatalf("pump ended with %v after %d reads, want io.ErrNoProgress after %d", err, r.reads, maxEmptyReads)
	}
}
