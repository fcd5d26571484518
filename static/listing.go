package static

import (
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/h2kit/h2kit/hpack"
)

// listing answers a directory without index file: an HTML page of links, or
// one name per line in text/plain when the client's accept header prefers
// text/plain (as the course seed's server lists directories). Directory names
// end in "/". The answer depends on accept, hence "vary: accept".
func (s *Server) listing(r *Request, name string) Response {
	d, err := s.root.Open(name)
	if err != nil {
		return errorResponse(err)
	}
	ents, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return respReadError
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	ctype := "text/html; charset=utf-8"
	if prefersPlain(r.Accept) {
		ctype = "text/plain; charset=utf-8"
		for _, n := range names {
			b.WriteString(n)
			b.WriteByte('\n')
		}
	} else {
		title := html.EscapeString("Index of /" + strings.TrimPrefix(name+"/", "./"))
		b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
		b.WriteString(title)
		b.WriteString("</title></head>\n<body><h1>")
		b.WriteString(title)
		b.WriteString("</h1>\n<ul>\n")
		for _, n := range names {
			// "./" keeps a name like "a:b" from reading as a scheme.
			href := "./" + (&url.URL{Path: n}).EscapedPath()
			b.WriteString("<li><a href=\"")
			b.WriteString(html.EscapeString(href))
			b.WriteString("\">")
			b.WriteString(html.EscapeString(n))
			b.WriteString("</a></li>\n")
		}
		b.WriteString("</ul></body></html>\n")
	}
	body := b.String()
	hdr := []hpack.HeaderField{
		{Name: "content-type", Value: ctype},
		{Name: "content-length", Value: strconv.Itoa(len(body))},
		{Name: "vary", Value: "accept"},
	}
	resp := Response{Status: http.StatusOK, Header: hdr, Length: int64(len(body))}
	if r.Method != "HEAD" {
		resp.Body = []byte(body)
	}
	return resp
}
