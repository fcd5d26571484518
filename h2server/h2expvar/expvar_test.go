package h2expvar_test

import (
	"context"
	"encoding/json"
	"expvar"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/h2kit/h2kit/h2server"
	"github.com/h2kit/h2kit/h2server/h2expvar"
	"github.com/h2kit/h2kit/handler"
)

// /debug/vars shows the counters of real requests, under the stable names.
func TestPublish(t *testing.T) {
	srv := &h2server.Server{Handler: func(*handler.Stream) handler.RequestHandler {
		return handler.HandlerFunc(func(s *handler.Stream) { s.SendResponse(200, nil, "hello\n") })
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}()
	h2expvar.Publish("h2kit_test", srv)

	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true) // h2c with prior knowledge
	c := &http.Client{Transport: &http.Transport{Protocols: p}}
	for range 3 {
		resp, err := c.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}

	rec := httptest.NewRecorder()
	expvar.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/vars", nil))
	var vars struct {
		Stats struct {
			ConnectionsAccepted uint64            `json:"connections_accepted"`
			StreamsOpened       uint64            `json:"streams_opened"`
			BytesOut            uint64            `json:"bytes_out"`
			ResetsSent          map[string]uint64 `json:"resets_sent"`
			Rejects             map[string]uint64 `json:"rejects"`
		} `json:"h2kit_test"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &vars); err != nil {
		t.Fatal(err)
	}
	st := vars.Stats
	if st.ConnectionsAccepted != 1 || st.StreamsOpened != 3 || st.BytesOut == 0 {
		t.Errorf("/debug/vars: %+v; want 1 connection, 3 streams, bytes out", st)
	}
	if _, ok := st.ResetsSent["CANCEL"]; !ok {
		t.Errorf("resets_sent lacks CANCEL: %v", st.ResetsSent)
	}
	if _, ok := st.Rejects["max_connections"]; !ok {
		t.Errorf("rejects lacks max_connections: %v", st.Rejects)
	}
}
