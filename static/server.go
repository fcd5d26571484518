package static

import (
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/internal/filecache"
	"github.com/h2kit/h2kit/internal/httpfield"
)

// Server serves the files under one directory. It is safe for concurrent use;
// its front ends (Handler, App, ServeHTTP) share one open-file cache.
type Server struct {
	root  *os.Root
	cache *filecache.Cache
	cfg   Config
}

// New returns a Server for the directory dir. Close releases it.
func New(dir string, cfg *Config) (*Server, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	c := cfg.withDefaults()
	s := &Server{root: root, cfg: c}
	s.cache = filecache.New(root, filecache.Config{
		MaxEntries: c.CacheEntries,
		MaxBytes:   c.CacheBytes,
		SmallFile:  c.SmallFile,
		Revalidate: c.Revalidate,
		Now:        c.now,
		Describe:   s.describe,
	})
	return s, nil
}

// Config returns the configuration with defaults applied.
func (s *Server) Config() Config { return s.cfg }

// Close empties the cache and closes the root directory. Descriptors still
// being read by responses in flight close when those responses end.
func (s *Server) Close() error {
	s.cache.Purge()
	return s.root.Close()
}

// Request is what Resolve needs of a request: the method, the request target
// (the :path pseudo-header or the request line's origin-form target) and the
// request header fields that select or condition the response (empty when
// absent).
type Request struct {
	Method, Target                               string
	Accept, AcceptEncoding                       string
	Range, IfRange, IfNoneMatch, IfModifiedSince string
}

// setHeader records a request header field if it is one Resolve reads; name
// is lowercase.
func (r *Request) setHeader(name, value string) {
	switch name {
	case "accept":
		r.Accept = value
	case "accept-encoding":
		r.AcceptEncoding = value
	case "range":
		r.Range = value
	case "if-range":
		r.IfRange = value
	case "if-none-match":
		r.IfNoneMatch = value
	case "if-modified-since":
		r.IfModifiedSince = value
	}
}

// Response describes an answer independently of the protocol that carries
// it. Header holds every field but date (which each protocol front end adds),
// content-length included except on 304; it may be shared between responses
// and must not be modified. The content is Body or, for a part of a large
// file, File; both are nil for HEAD and for responses without content.
// Length is the content length (also for HEAD, where nothing is sent).
type Response struct {
	Status int
	Header []hpack.HeaderField
	Body   []byte
	File   *FileSection
	Length int64

	// boxed is Body already boxed in an interface (the whole cached file),
	// for front ends that take the body as an any: boxing a slice
	// allocates.
	boxed any
	// h1 is Header as an RGI header map, when precomputed (the cached
	// lists and the fixed error answers); the RGI front end clones it,
	// since an app's response map belongs to whoever receives it.
	h1 map[string]string
	// checked says that Header is a precomputed list that passed
	// internal/httpfield's response policy when it was built, so that the
	// native front end need not have it checked again (internal/prechecked).
	checked bool
}

// Release gives back what the response holds (the cached descriptor of
// File); front ends call it when the response has been sent or abandoned.
func (r *Response) Release() {
	if r.File != nil {
		r.File.Close()
	}
}

// meta is what the server precomputes for each version of a cached file, so
// that answering it does not format anything.
type meta struct {
	ctype, clen, etag, lastMod string
	modSec                     time.Time
	ok, okVary                 []hpack.HeaderField // 200 for the file itself
	encoding                   string              // "br" or "gzip" for a precompressed sibling
	okEnc                      []hpack.HeaderField // 200 when served as its base's encoding
	nm, nmVary                 []hpack.HeaderField // 304
	br, gz                     string              // names of the possible siblings
	index                      string              // a directory's index file name
	body                       any                 // the whole content of a small file, boxed once
	h1                         [5]fieldMap         // ok, okVary, okEnc, nm, nmVary as RGI header maps
	checked                    bool                // all five lists pass httpfield.FirstInvalid
}

// fieldMap is a precomputed header list and the same fields as an RGI map.
type fieldMap struct {
	list []hpack.HeaderField
	m    map[string]string
}

// h1For returns the RGI map of the precomputed list hdr, or nil.
func (m *meta) h1For(hdr []hpack.HeaderField) map[string]string {
	if len(hdr) == 0 {
		return nil
	}
	for i := range m.h1 {
		if l := m.h1[i].list; len(l) == len(hdr) && &l[0] == &hdr[0] {
			return m.h1[i].m
		}
	}
	return nil
}

// fieldsMap returns the fields as a map (names are unique in every list
// the server builds).
func fieldsMap(fields []hpack.HeaderField) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f.Name] = f.Value
	}
	return m
}

// describe precomputes the header values of a newly loaded entry.
func (s *Server) describe(e *filecache.Entry) any {
	m := &meta{}
	if e.Mode.IsDir() {
		m.index = path.Join(e.Name, s.cfg.Index)
		return m
	}
	if !e.Mode.IsRegular() {
		return m
	}
	if e.Data != nil {
		m.body = e.Data
	}
	m.ctype = contentType(e.Name)
	m.clen = strconv.FormatInt(e.Size, 10)
	m.etag = etagOf(e)
	m.modSec = e.ModTime.Truncate(time.Second).UTC()
	m.lastMod = m.modSec.Format(http.TimeFormat)
	m.ok = []hpack.HeaderField{
		{Name: "content-type", Value: m.ctype},
		{Name: "content-length", Value: m.clen},
		{Name: "etag", Value: m.etag},
		{Name: "last-modified", Value: m.lastMod},
		{Name: "accept-ranges", Value: "bytes"},
	}
	m.okVary = append(m.ok[:len(m.ok):len(m.ok)], varyEncoding)
	m.nm = []hpack.HeaderField{{Name: "etag", Value: m.etag}, {Name: "last-modified", Value: m.lastMod}}
	m.nmVary = append(m.nm[:2:2], varyEncoding)
	if s.cfg.Precompressed {
		switch path.Ext(e.Name) {
		case ".br":
			m.encoding = "br"
		case ".gz":
			m.encoding = "gzip"
		default:
			m.br, m.gz = e.Name+".br", e.Name+".gz"
		}
		if m.encoding != "" {
			base := strings.TrimSuffix(e.Name, path.Ext(e.Name))
			m.okEnc = []hpack.HeaderField{
				{Name: "content-type", Value: contentType(base)},
				{Name: "content-encoding", Value: m.encoding},
				{Name: "content-length", Value: m.clen},
				{Name: "etag", Value: m.etag},
				{Name: "last-modified", Value: m.lastMod},
				{Name: "accept-ranges", Value: "bytes"},
				varyEncoding,
			}
		}
	}
	m.checked = true
	for i, l := range [...][]hpack.HeaderField{m.ok, m.okVary, m.okEnc, m.nm, m.nmVary} {
		if l != nil {
			m.h1[i] = fieldMap{l, fieldsMap(l)}
		}
		// A media type from the host's mime.types, say, could break the
		// policy: such a file's lists are checked on every response, and
		// refused there.
		if i, _ := httpfield.FirstInvalid(l); i >= 0 {
			m.checked = false
		}
	}
	return m
}

var varyEncoding = hpack.HeaderField{Name: "vary", Value: "accept-encoding"}

// etagOf makes a strong entity tag from the file's identity, size and
// modification time (nanoseconds), as nginx does from size and mtime. Strong,
// because the bytes served for one (inode, size, mtime) are the same bytes,
// and only a strong tag lets If-Range resume a download (RFC 9110 §13.1.5).
// An in-place rewrite that keeps size and a timestamp the file system cannot
// tell apart keeps the tag; every file server built on stat shares that
// limit. A precompressed sibling is another file, so its tag differs.
func etagOf(e *filecache.Entry) string {
	b := make([]byte, 0, 48)
	b = append(b, '"')
	b = strconv.AppendUint(b, e.ID.Ino, 16)
	b = append(b, '-')
	b = strconv.AppendInt(b, e.Size, 16)
	b = append(b, '-')
	b = strconv.AppendInt(b, e.ModTime.UnixNano(), 16)
	b = append(b, '"')
	return string(b)
}

// Resolve answers one request. It never blocks on the network; it may read a
// file's first bytes (the first read of a large file is done here, so that a
// failing file gets a 500 rather than a broken stream). The caller must call
// Release on the response once sent.
func (s *Server) Resolve(r *Request) Response {
	if r.Method != "GET" && r.Method != "HEAD" {
		// RFC 9110 §15.5.6: the origin server MUST generate an Allow
		// header field in a 405 response.
		return respMethod
	}
	name, slash, ok := cleanName(r.Target)
	if !ok {
		return respBadRequest
	}
	e, err := s.cache.Get(name)
	if err != nil {
		return errorResponse(err)
	}
	if e.Mode.IsDir() {
		return s.directory(r, e, name, slash)
	}
	if slash {
		// "/file/" names a directory that does not exist.
		e.Release()
		return respNotFound
	}
	return s.file(r, e)
}

// directory answers a request naming a directory.
func (s *Server) directory(r *Request, dir *filecache.Entry, name string, slash bool) Response {
	m := dir.Meta.(*meta)
	dir.Release()
	if !slash {
		// Relative references inside the directory's index need the
		// trailing slash. The location is built from the cleaned name, so
		// it always starts with exactly one "/" (never "//host").
		loc := "/"
		if name != "." {
			loc = (&url.URL{Path: "/" + name + "/"}).EscapedPath()
		}
		if _, q, ok := strings.Cut(r.Target, "?"); ok {
			loc += "?" + escapeQuery(q)
		}
		return textResponse(http.StatusMovedPermanently, "moved permanently\n", hpack.HeaderField{Name: "location", Value: loc})
	}
	idx, err := s.cache.Get(m.index)
	if err == nil {
		if idx.Mode.IsRegular() {
			return s.file(r, idx)
		}
		idx.Release()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return errorResponse(err)
	}
	if !s.cfg.Listing {
		return respForbidden
	}
	return s.listing(r, name)
}

// file answers a request for a regular file (or something else found under
// the name, which is not served).
func (s *Server) file(r *Request, e *filecache.Entry) Response {
	if !e.Mode.IsRegular() {
		e.Release()
		return respNotFound
	}
	m := e.Meta.(*meta)
	hdr, vary := m.ok, false
	encoded := false // served as a content-coding of another file
	if m.br != "" {
		orig := e
		e, m, hdr, vary = s.choose(r, e, m)
		encoded = e != orig
	}
	if r.IfNoneMatch != "" {
		// RFC 9110 §13.1.2: for GET and HEAD, the server SHOULD answer
		// 304 when a listed entity-tag matches.
		if matchETag(r.IfNoneMatch, m.etag) {
			e.Release()
			return notModified(m, vary)
		}
	} else if r.IfModifiedSince != "" && notModifiedSince(r.IfModifiedSince, m.modSec) {
		// RFC 9110 §13.1.3: If-Modified-Since is ignored when the request
		// has If-None-Match.
		e.Release()
		return notModified(m, vary)
	}
	off, n := int64(0), e.Size
	status := http.StatusOK
	// RFC 9110 §14.2: "GET is the only method for which range handling is
	// defined"; HEAD gets the 200 headers.
	if r.Range != "" && r.Method == "GET" && ifRangeHolds(r.IfRange, m.etag, m.modSec) {
		var kind rangeKind
		off, n, kind = parseRange(r.Range, e.Size)
		switch kind {
		case rangeNone:
			off, n = 0, e.Size
		case rangeUnsatisfiable:
			e.Release()
			return unsatisfiable(e.Size, vary)
		case rangeOne:
			status = http.StatusPartialContent
			hdr = partialHeader(m, encoded, off, n, e.Size, vary)
		}
	}
	resp := Response{Status: status, Header: hdr, Length: n, h1: m.h1For(hdr), checked: m.checked && status == http.StatusOK}
	if r.Method == "HEAD" {
		e.Release()
		return resp
	}
	if e.Data != nil || n == 0 {
		// The bytes stay valid after Release: a changed file gets a new
		// entry and new bytes.
		resp.Body = e.Data[off : off+n : off+n]
		if n == e.Size {
			resp.boxed = m.body
		}
		e.Release()
		return resp
	}
	f := &FileSection{e: e, start: off, off: off, end: off + n}
	if err := f.prefetch(); err != nil {
		f.Close()
		return respReadError
	}
	resp.File = f
	return resp
}

// choose picks the representation of a file that has precompressed siblings:
// the sibling whose coding accept-encoding weighs highest (br on a tie), or
// the file itself. vary tells whether a sibling exists, in which case every
// response for the file says "vary: accept-encoding".
func (s *Server) choose(r *Request, e *filecache.Entry, m *meta) (*filecache.Entry, *meta, []hpack.HeaderField, bool) {
	br := s.sibling(m.br)
	gz := s.sibling(m.gz)
	if br == nil && gz == nil {
		return e, m, m.ok, false
	}
	qbr, qgz := 0, 0
	if r.AcceptEncoding != "" {
		qbr, qgz = encodingWeights(r.AcceptEncoding)
	}
	if br == nil {
		qbr = 0
	}
	if gz == nil {
		qgz = 0
	}
	pick := e
	switch {
	case qbr > 0 && qbr >= qgz:
		pick = br
	case qgz > 0:
		pick = gz
	}
	for _, x := range [...]*filecache.Entry{e, br, gz} {
		if x != nil && x != pick {
			x.Release()
		}
	}
	if pick == e {
		return e, m, m.okVary, true
	}
	pm := pick.Meta.(*meta)
	return pick, pm, pm.okEnc, true
}

// sibling returns the cached precompressed sibling name, or nil.
func (s *Server) sibling(name string) *filecache.Entry {
	e, err := s.cache.Get(name)
	if err != nil {
		return nil
	}
	if !e.Mode.IsRegular() {
		e.Release()
		return nil
	}
	return e
}

func notModified(m *meta, vary bool) Response {
	// RFC 9110 §15.4.5: a 304 carries the etag, last-modified... and vary
	// fields a 200 would have, and no content.
	if vary {
		return Response{Status: http.StatusNotModified, Header: m.nmVary, h1: m.h1For(m.nmVary), checked: m.checked}
	}
	return Response{Status: http.StatusNotModified, Header: m.nm, h1: m.h1For(m.nm), checked: m.checked}
}

// partialHeader is the header of a 206 response (RFC 9110 §15.3.7: with
// content-range, and the validators a 200 would carry). encoded says the file
// is a precompressed sibling served as its base's content-coding.
func partialHeader(m *meta, encoded bool, off, n, size int64, vary bool) []hpack.HeaderField {
	h := make([]hpack.HeaderField, 0, 8)
	if encoded {
		h = append(h, m.okEnc[0], hpack.HeaderField{Name: "content-encoding", Value: m.encoding})
	} else {
		h = append(h, hpack.HeaderField{Name: "content-type", Value: m.ctype})
	}
	h = append(h,
		hpack.HeaderField{Name: "content-length", Value: strconv.FormatInt(n, 10)},
		hpack.HeaderField{Name: "content-range", Value: "bytes " + strconv.FormatInt(off, 10) + "-" +
			strconv.FormatInt(off+n-1, 10) + "/" + strconv.FormatInt(size, 10)},
		hpack.HeaderField{Name: "etag", Value: m.etag},
		hpack.HeaderField{Name: "last-modified", Value: m.lastMod},
		hpack.HeaderField{Name: "accept-ranges", Value: "bytes"},
	)
	if vary {
		h = append(h, varyEncoding)
	}
	return h
}

// unsatisfiable is the 416 answer (RFC 9110 §15.5.17: "a server generating
// a 416 response to a byte-range request SHOULD generate a Content-Range
// header field specifying the current length of the selected
// representation").
func unsatisfiable(size int64, vary bool) Response {
	extra := []hpack.HeaderField{{Name: "content-range", Value: "bytes */" + strconv.FormatInt(size, 10)}}
	if vary {
		extra = append(extra, varyEncoding)
	}
	return textResponse(http.StatusRequestedRangeNotSatisfiable, "range not satisfiable\n", extra...)
}

// escapeQuery percent-encodes the bytes of a query that may not appear in a
// URI (RFC 3986 §2: controls, space, non-ASCII), so that the location field
// built from it is valid on every protocol: HTTP/2 peers reject field values
// with such bytes (RFC 9113 §8.2.1), the RGI engine takes printable ASCII
// only.
func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c > 0x20 && c < 0x7f {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(q)+16), q[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	if b == nil {
		return q
	}
	return string(b)
}

// cleanName turns a request target into a name relative to the root ("." for
// the root itself), and reports whether the path ended in "/". It reports
// false for targets that are not origin-form paths, that do not unescape, or
// that contain NUL or backslashes after unescaping. Cleaning the rooted path
// removes every ".." ("/../x" is "/x"); os.Root refuses the rest (symbolic
// links leading out).
func cleanName(target string) (name string, slash, ok bool) {
	if name, slash, ok := plainName(target); ok {
		return name, slash, true
	}
	return unescapedName(target)
}

// unescapedName is cleanName for any target.
func unescapedName(target string) (name string, slash, ok bool) {
	p := target
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if !strings.HasPrefix(p, "/") {
		return "", false, false
	}
	u, err := url.PathUnescape(p)
	if err != nil || strings.ContainsAny(u, "\x00\\") {
		return "", false, false
	}
	slash = strings.HasSuffix(u, "/")
	c := path.Clean(u)[1:]
	if c == "" {
		c = "."
	}
	return c, slash, true
}

// plainName is cleanName for the common target that needs neither
// unescaping nor cleaning: it starts with "/", has no "%", "\\" or NUL, no
// empty segment ("//") and no segment starting with "." (which covers "." and
// ".."). It reports false for every other target, which cleanName then takes
// the long way.
func plainName(target string) (name string, slash, ok bool) {
	if len(target) == 0 || target[0] != '/' {
		return "", false, false
	}
	end := len(target)
	for i := 1; i < len(target); i++ {
		switch c := target[i]; c {
		case '?':
			end = i
		case '%', '\\', 0:
			return "", false, false
		case '/', '.':
			if target[i-1] == '/' {
				return "", false, false
			}
		}
		if end != len(target) {
			break
		}
	}
	slash = target[end-1] == '/'
	p := strings.TrimSuffix(target[1:end], "/")
	if p == "" {
		p = "."
	}
	return p, slash, true
}

// errorResponse maps an open error to a status: 403 for permission, 404 for
// names that do not resolve to a file under the root (missing, a file used
// as a directory, a symbolic link leading out of the root, a loop), and 500
// for failures of the server (too many open files, I/O errors), which a
// client must not take for a missing file.
func errorResponse(err error) Response {
	if errors.Is(err, fs.ErrPermission) {
		return respForbidden
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOENT, syscall.ENOTDIR, syscall.ELOOP, syscall.ENAMETOOLONG, syscall.EINVAL:
			return respNotFound
		}
		return respReadError
	}
	// os.Root's refusal of a name escaping the root has no errno.
	return respNotFound
}

// textResponse is a short text/plain answer.
func textResponse(status int, msg string, extra ...hpack.HeaderField) Response {
	h := make([]hpack.HeaderField, 0, 2+len(extra))
	h = append(h,
		hpack.HeaderField{Name: "content-type", Value: "text/plain; charset=utf-8"},
		hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(len(msg))})
	h = append(h, extra...)
	return Response{Status: status, Header: h, Body: []byte(msg), Length: int64(len(msg))}
}

// fixedResponse is textResponse for the answers made once, with their RGI
// map.
func fixedResponse(status int, msg string, extra ...hpack.HeaderField) Response {
	r := textResponse(status, msg, extra...)
	r.h1 = fieldsMap(r.Header)
	i, _ := httpfield.FirstInvalid(r.Header)
	r.checked = i < 0
	return r
}

var (
	respMethod     = fixedResponse(http.StatusMethodNotAllowed, "method not allowed\n", hpack.HeaderField{Name: "allow", Value: "GET, HEAD"})
	respBadRequest = fixedResponse(http.StatusBadRequest, "bad request path\n")
	respNotFound   = fixedResponse(http.StatusNotFound, "not found\n")
	respForbidden  = fixedResponse(http.StatusForbidden, "forbidden\n")
	respReadError  = fixedResponse(http.StatusInternalServerError, "read error\n")
)
