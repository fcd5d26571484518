package rgi

import "bufio"

// headMemo keeps the last response head a connection wrote, rendered, with
// what it was rendered from, so that the next response with the same
// status, reason, headers and framing is written by copying bytes: a
// keep-alive client fetching the same resource again (a benchmark, a
// polling client, a file served from a cache whose header map is a copy of
// one precomputed map) costs no validation, sorting or formatting.
//
// A response matches when its header map has the same number of entries
// and every remembered name maps to the same value, so the maps are equal:
// the remembered head passed checkHeaders for those headers and that
// framing, and writing it again is what writeResponseHead would write. Only
// the date value changes from one response to the next; it is copied into
// place.
type headMemo struct {
	valid   bool
	head    []byte // the whole head, date included
	dateAt  int    // offset of the date value in head, or -1
	dateLen int
	status  int
	reason  string
	fr      framing
	pass    bool
	closing bool
	hasDate bool     // a date was to be added (date != "")
	fields  []hField // the app's headers (strings are immutable: no copy)
}

// keepMemo bounds the heads and header counts a connection remembers: a
// large head is rendered each time, as a head that is not repeated is.
const (
	keepMemoHead   = 1024
	keepMemoFields = 16
)

// writeResponseHead is hw.writeResponseHead with m: the remembered head
// when the response repeats it (hit), else a head rendered (and validated)
// by hw, which m then remembers.
func (m *headMemo) writeResponseHead(hw *headWriter, bw *bufio.Writer, status int, reason string, headers map[string]string, fr framing, date string, pass, closing bool) (hit bool, err error) {
	if m.matches(status, reason, headers, fr, date, pass, closing) {
		m.write(bw, date)
		return true, nil
	}
	head, dateAt, err := hw.appendResponseHead(hw.buf[:0], status, reason, headers, fr, date, pass, closing)
	if err != nil {
		return false, err
	}
	m.remember(head, dateAt, status, reason, headers, fr, date, pass, closing)
	hw.flush(bw, head)
	return false, nil
}

// matches reports whether the head remembered is the one for this response.
func (m *headMemo) matches(status int, reason string, headers map[string]string, fr framing, date string, pass, closing bool) bool {
	if !m.valid || status != m.status || fr != m.fr || pass != m.pass || closing != m.closing ||
		(date != "") != m.hasDate || len(headers) != len(m.fields) || reason != m.reason {
		return false
	}
	if m.dateAt >= 0 && len(date) != m.dateLen {
		return false
	}
	for _, f := range m.fields {
		if v, ok := headers[f.name]; !ok || v != f.value {
			return false
		}
	}
	return true
}

// write writes the remembered head with date in place of the previous
// date value.
func (m *headMemo) write(bw *bufio.Writer, date string) {
	if m.dateAt >= 0 {
		copy(m.head[m.dateAt:], date)
	}
	bw.Write(m.head)
}

// remember keeps head (rendered by appendResponseHead from the other
// arguments) for the next response.
func (m *headMemo) remember(head []byte, dateAt int, status int, reason string, headers map[string]string, fr framing, date string, pass, closing bool) {
	if len(head) > keepMemoHead || len(headers) > keepMemoFields {
		m.forget()
		return
	}
	m.valid = true
	m.head = append(m.head[:0], head...)
	m.dateAt, m.dateLen = dateAt, len(date)
	m.status, m.reason, m.fr, m.pass, m.closing, m.hasDate = status, reason, fr, pass, closing, date != ""
	clear(m.fields)
	m.fields = m.fields[:0]
	for k, v := range headers {
		m.fields = append(m.fields, hField{k, v})
	}
}

// forget drops what is remembered (a connection going back to the pool
// must not hold an app's strings).
func (m *headMemo) forget() {
	clear(m.fields)
	*m = headMemo{head: m.head[:0], fields: m.fields[:0]}
}
