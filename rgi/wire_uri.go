package rgi

// parseTarget validates the request target and fills req.URI, req.Path,
// req.Script (empty), req.Query and req.HasQuery.
//
// As in Degu: origin-form only (it starts with "/", so no absolute-form and
// no "*"), no "//", no ".." component, no fragment. Path components use
// [-+.:_~0-9A-Za-z]; the query adds "%&=/?". Unlike Degu, a path may hold
// %HH escapes (browsers send "%20" for a space); they are checked, not
// decoded.
//
// Components are substrings of the interned URI, stored in comps, so a
// repeated URI costs no allocation.
func parseTarget(t []byte, in *interner, req *Request, comps []string) error {
	if len(t) == 0 || t[0] != '/' {
		return ErrBadURI
	}
	q := len(t)
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '?' {
			q = i
			break
		}
		switch {
		case class[c]&cPath != 0, c == '/':
		case c == '%':
			// RFC 3986 §2.1: pct-encoded = "%" HEXDIG HEXDIG.
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return ErrBadURI
			}
			i += 2
		default:
			return ErrBadURI
		}
	}
	for i := q + 1; i < len(t); i++ {
		if class[t[i]]&cQuery == 0 {
			return ErrBadURI
		}
	}
	uri := in.str(t)
	req.URI = uri
	req.HasQuery = q < len(uri)
	req.Query = ""
	if req.HasQuery {
		req.Query = uri[q+1:]
	}
	comps = comps[:0]
	if q > 1 { // "/" alone has no components
		path := uri[1:q]
		for {
			j := indexByte(path, '/')
			c := path
			if j >= 0 {
				c = path[:j]
			}
			// Only the last component may be empty ("/foo/"), so "//" is out.
			if c == "" && j >= 0 || c == ".." {
				return ErrBadPath
			}
			comps = append(comps, c)
			if j < 0 {
				break
			}
			path = path[j+1:]
		}
	}
	req.Script = comps[:0]
	req.Path = comps
	return nil
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}
