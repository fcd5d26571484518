package rgi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"testing"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// infoApp answers every request with what the server saw: the method, URI,
// path split, session client address, the session's request count and a
// per-session value set on the first request, and the request body.
var infoApp = rgi.AppFunc(func(s *rgi.Session, r *rgi.Request, b rgi.Bodies) rgi.Response {
	if _, ok := s.Store["__id"]; !ok {
		s.Store["__id"] = fmt.Sprintf("%p", s)
	}
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return rgi.Response{Status: 400, Reason: "Bad Body", Body: nil}
		}
	}
	info := fmt.Sprintf("%s %s path=%q query=%q/%v client=%q session=%s requests=%d body=%q",
		r.Method, r.URI, r.Path, r.Query, r.HasQuery, s.Client, s.Store["__id"], s.Requests, body)
	h := map[string]string{"content-type": "text/plain"}
	if r.Method == rgi.MethodHead {
		h["content-length"] = strconv.Itoa(len(info))
		return rgi.Response{Status: 200, Reason: "OK", Headers: h}
	}
	return rgi.Response{Status: 200, Reason: "OK", Headers: h, Body: info}
})

func mustRead(t *testing.T, resp rgi.Response) string {
	t.Helper()
	b, err := rgi.ReadBody(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return string(b)
}

func TestE2EFamilies(t *testing.T) {
	forms := map[rgi.Family]*regexp.Regexp{
		rgi.FamilyTCP4:     regexp.MustCompile(`^127\.0\.0\.1:[1-9][0-9]*$`),
		rgi.FamilyTCP6:     regexp.MustCompile(`^\[::1\]:[1-9][0-9]*$`),
		rgi.FamilyUnix:     regexp.MustCompile(`^/.*/rgi\.socket$`),
		rgi.FamilyAbstract: regexp.MustCompile(`^@[0-9a-f]{5}$`),
	}
	for _, fam := range rgitest.Families {
		t.Run(fam.String(), func(t *testing.T) {
			addr := rgitest.FreeAddress(t, fam)
			srv := rgitest.TempServer(t, addr, infoApp, nil)
			if !forms[fam].MatchString(srv.Address()) {
				t.Fatalf("Address() = %q for %q", srv.Address(), addr)
			}
			if fam == rgi.FamilyUnix && srv.Address() != addr {
				t.Fatalf("Address() = %q, want %q", srv.Address(), addr)
			}
			conn := rgitest.Connect(t, srv.Client(t, nil))
			client := ""
			if fam == rgi.FamilyTCP4 || fam == rgi.FamilyTCP6 {
				client = rgi.FormatAddress(conn.Conn().LocalAddr())
			}
			var session string
			// Keep-alive: every request on one connection, one session.
			for i := range 3 {
				resp, err := conn.Get("/a/b/?x=1", nil)
				if err != nil {
					t.Fatal(err)
				}
				got := mustRead(t, resp)
				want := regexp.MustCompile(fmt.Sprintf(`^GET /a/b/\?x=1 path=\["a" "b" ""\] query="x=1"/true client=%s session=(\S+) requests=%d body=""$`, regexp.QuoteMeta(strconv.Quote(client)), i))
				m := want.FindStringSubmatch(got)
				if resp.Status != 200 || resp.Reason != "OK" || m == nil {
					t.Fatalf("request %d: %d %q %q", i, resp.Status, resp.Reason, got)
				}
				if i == 0 {
					session = m[1]
				} else if m[1] != session {
					t.Fatalf("session changed on one connection: %s then %s", session, m[1])
				}
				if dropDate(t, resp.Headers); resp.Headers["content-length"] != strconv.Itoa(len(got)) || resp.Headers["content-type"] != "text/plain" || len(resp.Headers) != 2 {
					t.Fatalf("headers %v", resp.Headers)
				}
			}
			resp, err := conn.Head("/", nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Body != nil || resp.Status != 200 || resp.Headers["content-length"] == "" {
				t.Fatalf("HEAD: %+v", resp)
			}
			resp, err = conn.Put("/up", map[string]string{"x-a": "1"}, []byte("payload"))
			if err != nil {
				t.Fatal(err)
			}
			if got := mustRead(t, resp); !regexp.MustCompile(`^PUT /up .* requests=4 body="payload"$`).MatchString(got) {
				t.Fatalf("PUT: %q", got)
			}
			resp, err = conn.Delete("/x", nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := mustRead(t, resp); !regexp.MustCompile(`^DELETE /x path=\["x"\] query=""/false`).MatchString(got) {
				t.Fatalf("DELETE: %q", got)
			}

			// A second connection is a second session.
			conn2 := rgitest.Connect(t, srv.Client(t, nil))
			resp, err = conn2.Post("/", nil, "p")
			if err != nil {
				t.Fatal(err)
			}
			got := mustRead(t, resp)
			if m := regexp.MustCompile(`session=(\S+) requests=0 body="p"$`).FindStringSubmatch(got); m == nil || m[1] == session {
				t.Fatalf("second connection: %q (first session %s)", got, session)
			}
		})
	}
}

// TestE2EServerClose checks that closing a TempServer ends its connections
// and frees its address.
func TestE2EServerClose(t *testing.T) {
	addr := rgitest.FreeAddress(t, rgi.FamilyUnix)
	srv, err := rgitest.Start(nil, addr, infoApp, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client(t, nil)
	conn := rgitest.Connect(t, c)
	if _, err := conn.Get("/", nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if resp, err := conn.Get("/", nil); err == nil {
		t.Fatalf("request after Close: %+v", resp)
	}
	if _, err := c.Connect(context.Background()); err == nil {
		t.Fatal("connected after Close")
	}
	// The socket path is free again.
	srv2, err := rgitest.Start(nil, addr, infoApp, nil)
	if err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	srv2.Close()
	var ae *rgi.AddressError
	if _, err := rgitest.Start(nil, "nonsense", infoApp, nil); !errors.As(err, &ae) {
		t.Fatalf("Start(nonsense): %v", err)
	}
}

// TestE2EZoneAddress: server and client given the seed's IPv6 scope id (on
// the loopback interface, the only one a test may use).
func TestE2EZoneAddress(t *testing.T) {
	rgitest.FreeAddress(t, rgi.FamilyTCP6) // skips without IPv6
	srv := rgitest.TempServer(t, "[::1%lo]:0", okApp, nil)
	a, err := rgi.ParseAddress(srv.Address())
	if err != nil {
		t.Fatal(err)
	}
	conn := connectTo(t, "[::1%lo]:"+strconv.Itoa(a.Port), nil)
	resp, err := conn.Get("/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, resp); got != "ok" {
		t.Fatalf("body %q", got)
	}
}
