package httpfield

// HasToken reports whether the comma-separated field values vs list token
// t (RFC 9110 §5.6.1: "#token", elements separated by commas with optional
// whitespace, empty elements allowed), compared ASCII case-insensitively
// (§5.6.2: tokens are case-insensitive where the field says so, as
// Connection, Upgrade and Expect do). t must be a lower-case token.
func HasToken(vs []string, t string) bool {
	for _, v := range vs {
		for len(v) > 0 {
			item := v
			if i := indexComma(v); i >= 0 {
				item, v = v[:i], v[i+1:]
			} else {
				v = ""
			}
			if equalLower(trimOWS(item), t) {
				return true
			}
		}
	}
	return false
}

func indexComma(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return i
		}
	}
	return -1
}

// trimOWS removes RFC 9110 §5.6.3 optional whitespace (SP, HTAB).
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// equalLower reports whether s equals the lower-case ASCII lower with
// ASCII letters folded (not Unicode's: "ſ" is not "s" in a token).
func equalLower(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
