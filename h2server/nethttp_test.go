package h2server

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/h2kit/h2kit/handler"
)

// TestNetHTTPAdapter serves a net/http handler through h2kit to x/net's HTTP/2
// client: a 5 MB upload hashed while streaming, a streamed response with Flush,
// and response trailers.
func TestNetHTTPAdapter(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/hash", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "%d %x", n, h.Sum(nil))
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Count")
		for i := range 100 {
			fmt.Fprintf(w, "line %d %s\n", i, bytes.Repeat([]byte("."), 1000))
			w.(http.Flusher).Flush()
		}
		w.Header().Set("X-Count", "100")
	})
	for _, tlsOn := range []bool{false, true} {
		base := startServer(t, &Server{Handler: handler.HTTPHandler(mux)}, tlsOn)
		tr := h2cTransport()
		if tlsOn {
			tr = tlsTransport()
		}
		cl := &http.Client{Transport: tr}
		up := bytes.Repeat([]byte("upload"), 5<<20/6)
		resp, err := cl.Post(base+"/hash", "application/octet-stream", bytes.NewReader(up))
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("%d %x", len(up), sha256.Sum256(up)); got != want {
			t.Errorf("tls=%v: hash %q, want %q", tlsOn, got, want)
		}
		resp, err = cl.Get(base + "/stream")
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp.Body)
		resp.Body.Close()
		if len(body) != 100*(len("line 00 \n")+1000)-10 || resp.Trailer.Get("X-Count") != "100" {
			t.Errorf("tls=%v: stream body %d bytes, trailer %v", tlsOn, len(body), resp.Trailer)
		}
		tr.CloseIdleConnections()
	}
}
