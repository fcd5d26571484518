package rgi

// scanTarget validates a request target and returns the index of its "?"
// (len(t) when there is none).
//
// As in Degu: origin-form only (it starts with "/", so no absolute-form and
// no "*"), no "//", no ".." component, no fragment. Path components use
// [-+.:_~0-9A-Za-z]; the query adds "%&=/?". Unlike Degu, a path may hold
// %HH escapes (browsers send "%20" for a space); they are checked, not
// decoded.
func scanTarget[T string | []byte](t T) (int, error) {
	if len(t) == 0 || t[0] != '/' {
		return 0, ErrBadURI
	}
	q := len(t)
	compStart := 1
	for i := 1; i < len(t); i++ {
		c := t[i]
		if c == '?' {
			q = i
			break
		}
		switch {
		case c == '/':
			// Only the last component may be empty ("/foo/"), so "//" is out.
			if i == compStart || isDotDot(t[compStart:i]) {
				return 0, ErrBadPath
			}
			compStart = i + 1
		case class[c]&cPath != 0:
		case c == '%':
			// RFC 3986 §2.1: pct-encoded = "%" HEXDIG HEXDIG.
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return 0, ErrBadURI
			}
			i += 2
		default:
			return 0, ErrBadURI
		}
	}
	if isDotDot(t[compStart:q]) {
		return 0, ErrBadPath
	}
	for i := q + 1; i < len(t); i++ {
		if class[t[i]]&cQuery == 0 {
			return 0, ErrBadURI
		}
	}
	return q, nil
}

func isDotDot[T string | []byte](c T) bool { return len(c) == 2 && c[0] == '.' && c[1] == '.' }

// parseTarget validates the request target and fills req.URI, req.Path,
// req.Script (empty), req.Query and req.HasQuery. Components are
// substrings of the interned URI, stored in comps, so a repeated URI costs
// no allocation.
func parseTarget(t []byte, in *interner, req *Request, comps []string) error {
	q, err := scanTarget(t)
	if err != nil {
		return err
	}
	uri := in.str(t)
	req.URI = uri
	req.HasQuery = q < len(uri)
	req.Query = ""
	if req.HasQuery {
		req.Query = uri[q+1:]
	}
	comps = comps[:0]
	if comps == nil {
		// The path of "/" is [] (Request's doc), not nil, whoever calls:
		// the HTTP/1.1 server with its reused buffer or NewRequest (rgih2).
		comps = []string{}
	}
	if q > 1 { // "/" alone has no components
		path := uri[1:q]
		for {
			j := indexByte(path, '/')
			if j < 0 {
				comps = append(comps, path)
				break
			}
			comps = append(comps, path[:j])
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
