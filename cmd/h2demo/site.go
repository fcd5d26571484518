package main

import (
	"embed"
	"errors"
	"io/fs"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/h2kit/h2kit/rgi"
)

//go:embed site
var embedded embed.FS

// bigName is the generated 1 MiB benchmark resource of the embedded site.
const bigName = "1m"

// reply is what the site answers for one request, before it is put on the wire.
type reply struct {
	status int
	ctype  string // content-type, empty for none
	allow  string // allow header (405 replies)
	length int64  // content-length, -1 when unknown
	// body is nil (no body or HEAD) or a []byte.
	body any
}

// site is the embedded demo site, loaded into memory once. (-root is served
// by the static package instead.)
type site struct {
	// files is the embedded site, loaded once, by cleaned name; the bodies
	// are stored as interface values so that serving them does not allocate.
	files map[string]reply
	// index is the index page as served over each via (it names the
	// protocol), rendered once.
	index [numVia]reply
}

// newSite loads the embedded demo site.
func newSite() (*site, error) {
	files := map[string]reply{}
	err := fs.WalkDir(embedded, "site", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "site/")
		files[name] = reply{status: 200, ctype: contentType(name), length: int64(len(b)), body: b}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Browsers ask for /favicon.ico where a page names no icon (a
	// text/plain echo): the SVG answers, as SVG.
	files["favicon.ico"] = files["favicon.svg"]
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	files[bigName] = reply{status: 200, ctype: "application/octet-stream", length: int64(len(big)), body: big}
	st := &site{files: files}
	for v := range numVia {
		b := renderIndex(v)
		st.index[v] = reply{status: 200, ctype: "text/html; charset=utf-8", length: int64(len(b)), body: b}
	}
	return st, nil
}

// serve answers method and the request target p (the :path pseudo-header, or
// the HTTP/1.1 request target) that came over v.
//
// The target is checked first with rgi.CheckTarget, the rule the HTTP/1.1
// fallback (rgi) applies before the app sees a request, so that the site
// answers a target such as "//x" or "/../x" the same on HTTP/2 and HTTP/1.1
// (400; see rgi.CheckTarget for why refusing is right), and before the method,
// as rgi does.
func (s *site) serve(method, p string, v via) reply {
	if err := rgi.CheckTarget(p); err != nil {
		return rejectReply(err)
	}
	if method != "GET" && method != "HEAD" {
		// RFC 9110 §15.5.6: a 405 response MUST carry an Allow header.
		return textReply(405, "method not allowed\n", "GET, HEAD")
	}
	name, ok := cleanName(p)
	if !ok {
		return textReply(400, "bad request path\n", "")
	}
	var r reply
	if name == "." || name == "index.html" {
		r = s.index[v]
	} else {
		r = s.open(name)
	}
	if method == "HEAD" {
		r.body = nil
	}
	return r
}

// cleanName turns a request target into a slash-separated name relative to the
// root ("." for the root itself). It reports false for targets that are not
// origin-form paths or that contain NUL or backslashes after unescaping.
func cleanName(p string) (string, bool) {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if !strings.HasPrefix(p, "/") {
		return "", false
	}
	u, err := url.PathUnescape(p)
	if err != nil || strings.ContainsAny(u, "\x00\\") {
		return "", false
	}
	// Cleaning a rooted path removes every "..": "/../x" becomes "/x".
	c := path.Clean(u)
	c = strings.TrimPrefix(c, "/")
	if c == "" {
		c = "."
	}
	return c, true
}

func (s *site) open(name string) reply {
	if r, ok := s.files[name]; ok {
		return r
	}
	if r, ok := s.files[path.Join(name, "index.html")]; ok {
		return r
	}
	return notFoundReply
}

// rejectReply is the answer rgi's HTTP/1.1 server gives for a request it
// refuses (rgi.StatusResponse), so that HTTP/2 clients get the same one.
func rejectReply(err error) reply {
	var pe *rgi.ProtocolError
	if !errors.As(err, &pe) {
		return textReply(400, "bad request path\n", "")
	}
	r := rgi.StatusResponse(pe.Status, pe.Reason, pe.Msg)
	body, _ := r.Body.(string)
	return reply{status: pe.Status, ctype: r.Headers["content-type"], length: int64(len(body)), body: []byte(body)}
}

var notFoundReply = textReply(404, "not found\n", "")

func textReply(status int, msg, allow string) reply {
	return reply{status: status, ctype: "text/plain; charset=utf-8", allow: allow, length: int64(len(msg)), body: []byte(msg)}
}

// contentType maps a file name's extension to a media type, defaulting to
// application/octet-stream.
func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// lengthString formats a content-length value.
func lengthString(n int64) string { return strconv.FormatInt(n, 10) }
