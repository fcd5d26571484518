package rgi

import (
	"bytes"
	"io"
	"maps"
	"reflect"
	"slices"
	"testing"
)

// reqSnapshot is what an app sees of a request, copied.
type reqSnapshot struct {
	Method, URI, Query string
	HasQuery           bool
	Script, Path       []string
	Headers            map[string]string
	Body               bool
}

func snapshot(r *Request) reqSnapshot {
	return reqSnapshot{r.Method, r.URI, r.Query, r.HasQuery, slices.Clone(r.Script), slices.Clone(r.Path), maps.Clone(r.Headers), r.Body != nil}
}

// seqConn delivers its requests one per Read, then EOF, and discards
// what is written.
type seqConn struct {
	memConn
	reqs []string
}

func (c *seqConn) Read(p []byte) (int, error) {
	if len(c.reqs) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.reqs[0])
	c.reqs = c.reqs[1:]
	return n, nil
}

// TestRequestMemoServesEqualRequests: on one connection, every request
// the app gets (whether parsed or rebuilt from the request memo) is the
// request a fresh connection parses from the same bytes, although the app
// changes each one it gets in every way it can (Shift, the path's
// elements, header values, headers added and removed); sequences mix
// repeated and different requests.
func TestRequestMemoServesEqualRequests(t *testing.T) {
	a := "GET /a/b/c?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\nCookie: k=v\r\n\r\n"
	b := "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
	post := "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
	closeReq := "GET /a/b/c?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\nCookie: k=v\r\nConnection: close\r\n\r\n"
	seqs := [][]string{
		{a, a, a, a, a},
		{a, a, b, a, a, a, b, b, b, a},
		{post, post, post, a, a, a, post},
		{b, b, b, b, closeReq},
	}
	var got []reqSnapshot
	app := AppFunc(func(s *Session, r *Request, bb Bodies) Response {
		got = append(got, snapshot(r))
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
		}
		// Everything an app may do to its request.
		r.Shift()
		if len(r.Path) > 0 {
			r.Path[0] = "changed"
		}
		r.Headers["host"] = "changed"
		r.Headers["x-added"] = "1"
		delete(r.Headers, "user-agent")
		r.Method, r.URI, r.Query, r.HasQuery = "X", "/x", "q", true
		return Response{Status: 200, Reason: "OK", Body: "ok"}
	})
	s, err := NewConnServer(app, benchOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i, seq := range seqs {
		got = nil
		for _, r := range seq {
			s.ServeConn(&seqConn{reqs: []string{r}}, nil)
		}
		want := got
		got = nil
		s.ServeConn(&seqConn{reqs: seq}, nil)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("sequence %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
}

// TestRequestMemoUnit: the memo rebuilds a request only from the same bytes,
// after seeing them twice, and keeps no client bytes once forgotten.
func TestRequestMemoUnit(t *testing.T) {
	pre := []byte("GET /a?b HTTP/1.1\r\nHost: x\r\n\r\n")
	in := newInterner()
	var m requestMemo
	parse := func() (requestHead, Request) {
		req := Request{Headers: map[string]string{}}
		rh, err := parseRequest(pre, in, &req, nil)
		if err != nil {
			t.Fatal(err)
		}
		return rh, req
	}
	h := map[string]string{}
	if _, ok := m.restore(pre, &Request{}, h, nil); ok {
		t.Fatal("restored from an empty memo")
	}
	rh, req := parse()
	m.parsed(pre, rh, &req)
	if _, ok := m.restore(pre, &Request{}, h, nil); ok {
		t.Fatal("restored after one sight")
	}
	m.parsed(pre, rh, &req)
	var r2 Request
	rh2, ok := m.restore(pre, &r2, h, make([]string, 0, 1))
	if !ok || rh2 != rh || !reflect.DeepEqual(snapshot(&r2), snapshot(&req)) {
		t.Fatalf("restored %+v %+v, want %+v %+v", rh2, snapshot(&r2), rh, snapshot(&req))
	}
	other := bytes.Replace(pre, []byte("/a"), []byte("/c"), 1)
	if _, ok := m.restore(other, &Request{}, h, nil); ok {
		t.Fatal("restored for other bytes")
	}
	m.forget()
	if m.ready || len(m.pre) != 0 || len(m.fields) != 0 || !bytes.Equal(m.pre[:cap(m.pre)], make([]byte, cap(m.pre))) {
		t.Fatal("forget kept the request")
	}
	big := append(bytes.Repeat([]byte("x"), keepMemoPreamble), pre...)
	m.parsed(big, rh, &req)
	m.parsed(big, rh, &req)
	if m.ready || len(m.pre) != 0 {
		t.Fatal("a preamble over keepMemoPreamble was kept")
	}
}
