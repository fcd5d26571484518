package static

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/rgi/rgih2"
	"github.com/stretchr/testify/require"
)

// TestRGIH2ConcurrentLargeFiles: the RGI app over HTTP/2 (rgi/rgih2, whose
// streams run at once and share the connection's session) serves large
// files on many streams of one connection at the same time; each gets the
// whole file. The app once kept the file being sent in the session store,
// which those streams wrote concurrently. Run with -race.
func TestRGIH2ConcurrentLargeFiles(t *testing.T) {
	s, err := New(tree(t), testConfig())
	require.NoError(t, err)
	defer s.Close()
	srv := &h2server.Server{Handler: rgih2.Handler(s.App(), nil)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(l)
	defer srv.Close()
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true) // h2c with prior knowledge
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	want := strings.Repeat("0123456789abcdef", 1000)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for range 16 {
		wg.Go(func() {
			for range 4 {
				resp, err := client.Get("http://" + l.Addr().String() + "/big.bin")
				if err != nil {
					errs <- err.Error()
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(b) != want {
					errs <- "bad body"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
