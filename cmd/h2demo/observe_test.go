package main

import (
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// The demo's observability: an access log record per HTTP/2 stream, and the
// servers' counters at /debug/vars with -debug.
func TestObserve(t *testing.T) {
	fs := flag.NewFlagSet("h2demo", flag.ContinueOnError)
	observeFlags(fs)
	if err := fs.Parse([]string{"-debug", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Servers the other tests start get no access log.
		obs.mu.Lock()
		obs.debugAddr, obs.accessLog, obs.servers = "", nil, nil
		obs.mu.Unlock()
	})
	logs := &syncBuffer{}
	stop, err := obs.start(slogText(logs), false)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	tlsURL, h2cURL, _ := startDemo(t, "", "", "", false)
	tlsClient, h2cClient := clients(t)
	do(t, h2cClient, "GET", h2cURL+"/hello.txt?observe=h2c")
	do(t, tlsClient, "GET", tlsURL+"/hello.txt?observe=tls")

	for _, want := range []string{
		`msg=request method=GET path="/hello.txt?observe=h2c" status=200 bytes=12`,
		`msg=request method=GET path="/hello.txt?observe=tls" status=200 bytes=12`,
		"proto=h2c stream=1", "proto=h2 stream=1",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("access log lacks %q:\n%s", want, logs)
		}
	}

	resp, err := http.Get(obs.debugURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var vars struct {
		H2kit map[string]struct {
			StreamsOpened       uint64 `json:"streams_opened"`
			ConnectionsAccepted uint64 `json:"connections_accepted"`
		} `json:"h2kit"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&vars); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tls", "h2c"} {
		if st := vars.H2kit[name]; st.StreamsOpened < 1 || st.ConnectionsAccepted < 1 {
			t.Errorf("/debug/vars h2kit.%s = %+v, want the request counted", name, st)
		}
	}
}

func slogText(w *syncBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
