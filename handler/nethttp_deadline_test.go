package handler

import (
	"errors"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/h2kit/h2kit/internal/h2conn"
)

// TestHTTPHandlerReadDeadlineSticks: once the read deadline has passed, the
// body keeps failing with os.ErrDeadlineExceeded even when END_STREAM comes
// afterwards, as in net/http's HTTP/2 (the deadline closed the body first);
// the bytes received before are still read.
func TestHTTPHandlerReadDeadlineSticks(t *testing.T) {
	set, ended := make(chan struct{}), make(chan struct{})
	got := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 3)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			t.Errorf("first read: %v", err)
		}
		if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(-time.Second)); err != nil {
			t.Errorf("SetReadDeadline: %v", err)
		}
		close(set)
		<-ended
		_, err := io.ReadAll(r.Body)
		got <- err
		w.WriteHeader(204)
	})
	p := newPeer(t, h2conn.Config{}, HTTPHandler(h), noDate())
	p.handshake()
	p.request(1, "POST", "/", false)
	p.wfr.WriteData(1, false, []byte("abc"))
	p.flush()
	<-set
	p.wfr.WriteData(1, true, nil)
	p.flush()
	close(ended)
	if r := p.driveResponse(1); r.status != "204" {
		t.Errorf("status %q", r.status)
	}
	if err := <-got; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read after the deadline and END_STREAM: %v, want os.ErrDeadlineExceeded", err)
	}
}
