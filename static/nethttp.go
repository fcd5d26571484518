package static

import (
	"io"
	"net/http"
)

// canonical maps the response field names the server produces to net/http's
// canonical form, so that setting them does not canonicalize per request.
var canonical = map[string]string{
	"content-type":     "Content-Type",
	"content-length":   "Content-Length",
	"content-range":    "Content-Range",
	"content-encoding": "Content-Encoding",
	"etag":             "Etag",
	"last-modified":    "Last-Modified",
	"accept-ranges":    "Accept-Ranges",
	"vary":             "Vary",
	"allow":            "Allow",
	"location":         "Location",
}

// ServeHTTP serves the files to net/http (http.Handler), for HTTP/1.1 and
// net/http's own HTTP/2, with the same answers as Handler and App. The
// content of a large file goes out with sendfile(2) on HTTP/1.1: it is copied
// from a descriptor opened for this response (sendfile advances a
// descriptor's offset, which the shared cached descriptor must never have),
// after checking it is the cached version of the file. A read failure after
// the headers were sent aborts the response (http.ErrAbortHandler: the
// connection or stream is reset).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := Request{Method: r.Method, Target: r.RequestURI}
	if req.Target == "" || req.Target[0] != '/' {
		req.Target = r.URL.RequestURI()
	}
	req.Accept = r.Header.Get("Accept")
	req.AcceptEncoding = r.Header.Get("Accept-Encoding")
	req.Range = r.Header.Get("Range")
	req.IfRange = r.Header.Get("If-Range")
	req.IfNoneMatch = r.Header.Get("If-None-Match")
	req.IfModifiedSince = r.Header.Get("If-Modified-Since")
	resp := s.Resolve(&req)
	defer resp.Release()
	h := w.Header()
	for _, f := range resp.Header {
		name, ok := canonical[f.Name]
		if !ok {
			name = http.CanonicalHeaderKey(f.Name)
		}
		h[name] = []string{f.Value}
	}
	w.WriteHeader(resp.Status)
	switch {
	case r.Method == "HEAD":
	case resp.File != nil:
		if err := s.copyFile(w, resp.File); err != nil {
			panic(http.ErrAbortHandler)
		}
	case resp.Body != nil:
		w.Write(resp.Body)
	}
}

// copyFile writes the rest of f to w: the bytes already read, then the
// remainder with sendfile from a private descriptor when the file is still
// the cached version, else with pread.
func (s *Server) copyFile(w io.Writer, f *FileSection) error {
	if len(f.pending) > 0 {
		if _, err := w.Write(f.pending); err != nil {
			return err
		}
		f.pending = nil
	}
	rest := f.end - f.off
	if rest == 0 {
		return nil
	}
	if pf, err := s.root.Open(f.e.Name); err == nil {
		defer pf.Close()
		if fi, err := pf.Stat(); err == nil && f.e.Same(fi) {
			if _, err := pf.Seek(f.off, io.SeekStart); err == nil {
				n, err := io.Copy(w, io.LimitReader(pf, rest))
				if err == nil && n < rest {
					err = ErrShortFile
				}
				return err
			}
		}
	}
	n, err := io.Copy(w, f)
	if err == nil && n < rest {
		err = ErrShortFile
	}
	return err
}
