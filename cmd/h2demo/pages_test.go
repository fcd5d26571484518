package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// side is one way of reaching the demo: a client and the base URL, and the
// via the demo should report.
type side struct {
	name string
	cl   *http.Client
	base string
	v    via
}

// allSides starts the demo (native handler, or -rgi) and returns its four
// ways in: h2, h2c, HTTP/1.1 in cleartext and over TLS.
func allSides(t *testing.T, useRGI bool) (*demo, []side) {
	app, tlsURL, h2cURL, _ := startDemoApp(t, "", "", "", useRGI)
	tc, hc := clients(t)
	h1 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	t.Cleanup(h1.CloseIdleConnections)
	h2, h2c := viaH2, viaH2C
	if useRGI {
		h2, h2c = viaRGIH2, viaRGIH2C
	}
	return app, []side{{"h2", tc, tlsURL, h2}, {"h2c", hc, h2cURL, h2c}, {"HTTP/1.1", h1, h2cURL, viaH1}, {"HTTP/1.1+TLS", h1, tlsURL, viaH1TLS}}
}

// TestIndexNamesProtocol: the index states the protocol it actually came
// over, and links every page of the table.
func TestIndexNamesProtocol(t *testing.T) {
	for _, useRGI := range []bool{false, true} {
		_, sides := allSides(t, useRGI)
		for _, sd := range sides {
			resp, body := do(t, sd.cl, "GET", sd.base+"/")
			want := `id="index-proto">` + sd.v.proto() + "<"
			if resp.StatusCode != 200 || !strings.Contains(body, want) || !strings.Contains(body, template.HTMLEscapeString(sd.v.describe())) {
				t.Errorf("rgi=%v %s: %d, index lacks %q and %q", useRGI, sd.name, resp.StatusCode, want, sd.v.describe())
			}
			for _, pg := range pages {
				if !strings.Contains(body, `<a href="`+pg.Path+`">`) {
					t.Errorf("%s: index does not link %s", sd.name, pg.Path)
				}
			}
			for _, p := range []string{"/style.css", "/favicon.svg"} {
				if r, b := do(t, sd.cl, "GET", sd.base+p); r.StatusCode != 200 || len(b) == 0 {
					t.Errorf("%s %s: %d", sd.name, p, r.StatusCode)
				}
			}
		}
	}
}

// readEvents reads server-sent events from r until it ends: the id and data
// of each.
func readEvents(t *testing.T, r io.Reader) (ids, data []string) {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ": ")
		switch k {
		case "id":
			ids = append(ids, v)
		case "data":
			data = append(data, v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading events: %v", err)
	}
	return ids, data
}

// TestClockEvents: /clock/events?n=3 is an event stream of three events over
// every protocol (over HTTP/1.1, chunks of a chunked body), each a time.
func TestClockEvents(t *testing.T) {
	for _, useRGI := range []bool{false, true} {
		_, sides := allSides(t, useRGI)
		for _, sd := range sides {
			resp, err := sd.cl.Get(sd.base + "/clock/events?n=3&ms=10")
			if err != nil {
				t.Fatal(err)
			}
			ids, data := readEvents(t, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
				t.Errorf("%s: %d %q", sd.name, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if strings.Join(ids, ",") != "1,2,3" || len(data) != 3 {
				t.Errorf("rgi=%v %s: ids %q data %q", useRGI, sd.name, ids, data)
			}
			for _, d := range data {
				if _, err := time.Parse(time.RFC3339, d); err != nil {
					t.Errorf("%s: event data %q: %v", sd.name, d, err)
				}
			}
			r, body := do(t, sd.cl, "GET", sd.base+"/clock")
			if r.StatusCode != 200 || !strings.Contains(body, `new EventSource("/clock/events")`) || !strings.Contains(body, "<noscript>") {
				t.Errorf("%s /clock: %d", sd.name, r.StatusCode)
			}
		}
	}
}

// TestClockStopsWhenClientGoes: an endless event stream's ticker goroutine
// returns when the client cancels the request (RST_STREAM over HTTP/2; over
// HTTP/1.1 the connection closes and a write fails), and the stream ends when
// the server shuts down.
func TestClockStopsWhenClientGoes(t *testing.T) {
	exited := make(chan struct{}, 4)
	hook := func() { exited <- struct{}{} }
	clockExitHook.Store(&hook)
	defer clockExitHook.Store(nil)
	app, sides := allSides(t, false)
	for _, sd := range sides {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", sd.base+"/clock/events?ms=10", nil)
		resp, err := sd.cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(resp.Body)
		for i := 0; i < 2; i++ { // two events arrive ...
			if _, err := br.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
		}
		cancel() // ... then the client goes
		resp.Body.Close()
		sd.cl.CloseIdleConnections()
		<-exited // the goroutine returned; a leak would hang here
	}
	// Shutting down ends an endless stream with its last event.
	resp, err := sides[0].cl.Get(sides[0].base + "/clock/events?ms=10")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	app.stop()
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Errorf("the stream did not end cleanly at shutdown: %v", err)
	}
	<-exited
}

// TestEchoRoundTrip: POST /echo gives the body back byte for byte over every
// protocol, for a 3 MiB upload with content-length and one without
// (chunked over HTTP/1.1), and text stays text.
func TestEchoRoundTrip(t *testing.T) {
	big := make([]byte, 3<<20+17)
	rand.Read(big)
	for _, useRGI := range []bool{false, true} {
		_, sides := allSides(t, useRGI)
		for _, sd := range sides {
			for _, sized := range []bool{true, false} {
				var body io.Reader = bytes.NewReader(big)
				if !sized {
					body = io.MultiReader(body) // hides the length
				}
				req, _ := http.NewRequest("POST", sd.base+"/echo", body)
				req.Header.Set("Content-Type", "application/octet-stream")
				resp, err := sd.cl.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, big) {
					t.Errorf("rgi=%v %s sized=%v: %d, %d bytes back of %d, %v", useRGI, sd.name, sized, resp.StatusCode, len(got), len(big), err)
				}
			}
			req, _ := http.NewRequest("POST", sd.base+"/echo", strings.NewReader("text=hello\r\n"))
			req.Header.Set("Content-Type", "text/plain")
			resp, err := sd.cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(got) != "text=hello\r\n" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Errorf("%s text: %q %q", sd.name, got, resp.Header.Get("Content-Type"))
			}
			if r, b := do(t, sd.cl, "GET", sd.base+"/echo"); r.StatusCode != 200 || !strings.Contains(b, `<form method="post" action="/echo"`) {
				t.Errorf("%s GET /echo: %d", sd.name, r.StatusCode)
			}
		}
	}
}

// TestEchoStreams: the echo of the first piece of an upload arrives while
// the upload is still open: the server does not wait for the whole body.
// (A server that buffered the body would never answer: the test would hang
// until its deadline.)
func TestEchoStreams(t *testing.T) {
	_, sides := allSides(t, false)
	for _, sd := range sides {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		pr, pw := io.Pipe()
		req, _ := http.NewRequestWithContext(ctx, "POST", sd.base+"/echo", pr)
		req.Header.Set("Content-Type", "text/plain")
		done := make(chan *http.Response, 1)
		go func() {
			resp, err := sd.cl.Do(req)
			if err != nil {
				t.Error(err)
				pr.CloseWithError(err)
			}
			done <- resp
		}()
		for i := range 3 {
			piece := fmt.Sprintf("piece %d\n", i)
			if _, err := io.WriteString(pw, piece); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				resp := <-done
				if resp == nil {
					t.FailNow()
				}
				defer resp.Body.Close()
				done <- resp
			}
			resp := <-done
			got := make([]byte, len(piece))
			if _, err := io.ReadFull(resp.Body, got); err != nil || string(got) != piece {
				t.Fatalf("%s: echo of %q: %q, %v", sd.name, piece, got, err)
			}
			done <- resp
		}
		pw.Close()
		resp := <-done
		if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 {
			t.Errorf("%s: after the upload ended: %q, %v", sd.name, rest, err)
		}
		cancel()
	}
}

// TestHPACKPage: over HTTP/2 the second request on a connection shows both
// tables non-empty (the first response's fields are in the encoder's
// table); over HTTP/1.1 and with -rgi the page says why there is none.
func TestHPACKPage(t *testing.T) {
	for _, useRGI := range []bool{false, true} {
		_, sides := allSides(t, useRGI)
		for _, sd := range sides {
			do(t, sd.cl, "GET", sd.base+"/hpack")
			resp, body := do(t, sd.cl, "GET", sd.base+"/hpack")
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", sd.name, resp.StatusCode)
			}
			if !sd.v.native() {
				if !strings.Contains(body, `id="no-table"`) || strings.Contains(body, "<table") {
					t.Errorf("rgi=%v %s: no explanation", useRGI, sd.name)
				}
				continue
			}
			for _, id := range []string{"request-table", "response-table"} {
				_, tb, _ := strings.Cut(body, `id="`+id+`"`)
				tb, _, _ = strings.Cut(tb, "</table>")
				if !strings.Contains(tb, "<tr><td>62</td>") {
					t.Errorf("%s: %s has no entry:\n%s", sd.name, id, tb)
				}
			}
			if !strings.Contains(body, "<td>content-type</td><td>text/html; charset=utf-8</td>") {
				t.Errorf("%s: the first response's content-type is not in the tables", sd.name)
			}
		}
	}
}

// TestEarlyHints: over HTTP/2 the page comes after a 103 with a preload
// link; the HTTP/1.1 fallback sends none.
func TestEarlyHints(t *testing.T) {
	_, sides := allSides(t, false)
	for _, sd := range sides {
		var got []string
		trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			got = append(got, fmt.Sprint(code, " ", h.Get("Link")))
			return nil
		}}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", sd.base+"/early-hints", nil)
		resp, err := sd.cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := ""
		if sd.v.http2() {
			want = "103 </early-hints/hint.css>; rel=preload; as=style"
		}
		if strings.Join(got, "|") != want || resp.StatusCode != 200 || !strings.Contains(string(body), "Early hints") {
			t.Errorf("%s: 1xx %q, want %q; final %d", sd.name, got, want, resp.StatusCode)
		}
	}
}

// TestTrailers: over HTTP/2 the response ends with a content-digest
// trailer, the SHA-256 of the content; over HTTP/1.1 the digest is a header.
func TestTrailers(t *testing.T) {
	_, sides := allSides(t, false)
	for _, sd := range sides {
		resp, body := do(t, sd.cl, "GET", sd.base+"/trailers")
		sum := sha256.Sum256([]byte(body))
		want := contentDigest(sum[:])
		got := resp.Header.Get("Content-Digest")
		if sd.v.http2() {
			got = resp.Trailer.Get("Content-Digest")
			// net/http moves the announced trailer names from the
			// trailer header field to resp.Trailer.
			if _, ok := resp.Trailer["Content-Digest"]; !ok || resp.Header.Get("Content-Digest") != "" {
				t.Errorf("%s: header %v", sd.name, resp.Header)
			}
		}
		if got != want || resp.StatusCode != 200 {
			t.Errorf("%s: %d content-digest %q, want %q", sd.name, resp.StatusCode, got, want)
		}
	}
}
