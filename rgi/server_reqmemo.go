package rgi

import "bytes"

// requestMemo keeps the last request preamble a connection received and,
// once the same bytes came twice in a row, what they parse to, so that a
// keep-alive client sending the same request again (a benchmark, a
// polling client, a browser reloading a resource) is not parsed again: the
// bytes are compared, and the Request is rebuilt from the memo.
//
// Parsing is a function of the bytes (the interner only decides which
// copy of a string is used), so equal bytes give an equal Request and
// requestHead. The app may have changed the previous Request (Shift, its
// Path, its header map): every field is put back from the memo, the
// header map included.
//
// The memo holds a client's headers (cookies, credentials) only while its
// connection lasts: forget runs before the connection returns to the pool.
type requestMemo struct {
	pre    []byte // the last preamble (at most keepMemoPreamble bytes)
	ready  bool   // the fields below describe pre
	rh     requestHead
	method string
	uri    string
	query  string
	hasQ   bool
	path   []string
	fields []hField
}

// keepMemoPreamble bounds the preamble a connection keeps: a larger
// request is parsed each time.
const keepMemoPreamble = 2048

// restore fills req (whose Headers map belongs to the connection) with
// what pre parses to and returns true, when pre is the memo's request;
// comps is the storage for req.Path.
func (m *requestMemo) restore(pre []byte, req *Request, h map[string]string, comps []string) (requestHead, bool) {
	if !m.ready || !bytes.Equal(pre, m.pre) {
		return requestHead{}, false
	}
	for _, f := range m.fields {
		h[f.name] = f.value
	}
	if len(h) != len(m.fields) { // the app added headers
		clear(h)
		for _, f := range m.fields {
			h[f.name] = f.value
		}
	}
	comps = append(comps[:0], m.path...)
	if comps == nil {
		comps = []string{} // the path of "/" is [], not nil (Request)
	}
	*req = Request{Method: m.method, URI: m.uri, Script: comps[:0], Path: comps, Query: m.query, HasQuery: m.hasQ, Headers: h}
	return m.rh, true
}

// parsed records a request just parsed from pre (before the app sees it):
// the second time in a row the same bytes come, what they parse to is kept.
func (m *requestMemo) parsed(pre []byte, rh requestHead, req *Request) {
	if len(pre) > keepMemoPreamble {
		m.forget()
		return
	}
	if !bytes.Equal(pre, m.pre) {
		m.ready = false
		m.pre = append(m.pre[:0], pre...)
		return
	}
	m.ready = true
	m.rh = rh
	m.method, m.uri, m.query, m.hasQ = req.Method, req.URI, req.Query, req.HasQuery
	m.path = append(m.path[:0], req.Path...)
	m.fields = m.fields[:0]
	for k, v := range req.Headers {
		m.fields = append(m.fields, hField{k, v})
	}
}

// forget drops the request kept, the client's bytes included (its
// buffers stay, emptied).
func (m *requestMemo) forget() {
	clear(m.path)
	clear(m.fields)
	clear(m.pre)
	*m = requestMemo{pre: m.pre[:0], path: m.path[:0], fields: m.fields[:0]}
}
