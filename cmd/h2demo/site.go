package main

import (
	"embed"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/h2kit/h2kit/rgi"
)

//go:embed site
var embedded embed.FS

// bigName is the generated 1 MiB benchmark resource of the embedded site.
const bigName = "1m"

// inlineMax is the largest file read into memory whole; bigger files are streamed
// from the open *os.File.
const inlineMax = 64 << 10

// reply is what the site answers for one request, before it is put on the wire.
type reply struct {
	status int
	ctype  string // content-type, empty for none
	allow  string // allow header (405 replies)
	length int64  // content-length, -1 when unknown
	// body is nil (no body or HEAD), a []byte, or an *os.File the caller must close.
	body any
}

// site serves GET and HEAD for files under a root directory, or from the embedded
// demo site. It never returns a file outside its root: names are cleaned as rooted
// paths (so ".." cannot climb above "/"), and every open goes through os.Root, which
// refuses names and symbolic links that resolve outside the directory.
type site struct {
	root *os.Root // nil: serve the embedded site
	// files is the embedded site, loaded once, by cleaned name; the bodies
	// are stored as interface values so that serving them does not allocate.
	files map[string]reply
}

// newSite returns a site serving dir, or the embedded demo site when dir is empty.
func newSite(dir string) (*site, error) {
	if dir == "" {
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
		files["."] = files["index.html"]
		big := make([]byte, 1<<20)
		for i := range big {
			big[i] = 'a' + byte(i%26)
		}
		files[bigName] = reply{status: 200, ctype: "application/octet-stream", length: int64(len(big)), body: big}
		return &site{files: files}, nil
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &site{root: r}, nil
}

// Close releases the root directory.
func (s *site) Close() error {
	if s.root != nil {
		return s.root.Close()
	}
	return nil
}

// serve answers method and the request target p (the :path pseudo-header, or
// the HTTP/1.1 request target).
//
// The target is checked first with rgi.CheckTarget, the rule the HTTP/1.1
// fallback (rgi) applies before the app sees a request, so that the site
// answers a target such as "//x" or "/../x" the same on HTTP/2 and HTTP/1.1
// (400; see rgi.CheckTarget for why refusing is right), and before the method,
// as rgi does.
func (s *site) serve(method, p string) reply {
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
	r := s.open(name)
	if method == "HEAD" {
		if f, ok := r.body.(*os.File); ok {
			f.Close()
		}
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
	if s.root == nil {
		if r, ok := s.files[name]; ok {
			return r
		}
		if r, ok := s.files[path.Join(name, "index.html")]; ok {
			return r
		}
		return notFoundReply
	}
	f, err := s.root.Open(name)
	if err != nil {
		return notFound(err)
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		f.Close()
		name = path.Join(name, "index.html")
		if f, err = s.root.Open(name); err != nil {
			return notFound(err)
		}
		st, err = f.Stat()
	}
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return notFoundReply
	}
	r := reply{status: 200, ctype: contentType(name), length: st.Size()}
	if st.Size() <= inlineMax {
		b := make([]byte, st.Size())
		_, err := io.ReadFull(f, b)
		f.Close()
		if err != nil {
			return textReply(500, "read error\n", "")
		}
		r.body = b
		return r
	}
	r.body = f
	return r
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

func notFound(err error) reply {
	if errors.Is(err, fs.ErrPermission) {
		return textReply(403, "forbidden\n", "")
	}
	return notFoundReply
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
