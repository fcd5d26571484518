package rgih2

import (
	"errors"
	"strings"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

// newRequest builds the app's request from the stream's header block, with
// the checks of the HTTP/1.1 server in its order (method, target, headers)
// and its answers (a *rgi.ProtocolError) for what it refuses.
func newRequest(s *handler.Stream) (*rgi.Request, *rgi.ProtocolError) {
	authority, fields := ownStrings(s.Authority(), s.Header())
	h := make(map[string]string, len(fields)+1)
	req, err := rgi.NewRequest(s.Method(), s.Path(), h, nil)
	if err != nil {
		return nil, protocolError(err)
	}
	// RFC 9113 §8.3.1: ":authority" replaces the Host header field of
	// HTTP/1.1; Degu apps expect "host", so they get it under that name. A
	// host field equal to it is the same field (Stream.Authority falls back
	// to it when :authority is absent); a different one is a duplicate.
	if authority != "" {
		if err := rgi.CheckHeader("host", authority); err != nil {
			return nil, protocolError(err)
		}
		h["host"] = authority
	}
	for _, f := range fields {
		if f.Name == "host" && f.Value == authority {
			continue
		}
		if err := rgi.CheckHeader(f.Name, f.Value); err != nil {
			return nil, protocolError(err)
		}
		// Degu: one value per name, a repeated field is refused (RFC 9113
		// §8.2.3 cookie crumbs arrive already joined into one field).
		if _, dup := h[f.Name]; dup {
			return nil, rgi.ErrDuplicateHeader
		}
		h[f.Name] = f.Value
	}
	return req, nil
}

// bodyAllowed applies the HTTP/1.1 server's body rules to a request with a
// body of cl bytes (-1: unknown length, sent as DATA).
func bodyAllowed(method string, cl int64) *rgi.ProtocolError {
	if !rgi.BodyAllowed(method) {
		return rgi.ErrBodyNotAllowed
	}
	if cl > rgi.MaxContentLength {
		return rgi.ErrContentLengthTooBig
	}
	return nil
}

// protocolError returns err as the *rgi.ProtocolError rgi's checks give, or
// a plain 400 for anything else.
func protocolError(err error) *rgi.ProtocolError {
	var pe *rgi.ProtocolError
	if errors.As(err, &pe) && pe.Status != 0 {
		return pe
	}
	return rgi.ErrBadRequestLine
}

// ownStrings copies authority and the names and values of fields into one
// private block. The app uses them on its request goroutine, possibly after
// the stream closed; with handler.Options.ReuseStreams the Stream's strings
// alias the engine's per-stream arena, which the next request overwrites.
// (The method and URI are copied by rgi.NewRequest.)
func ownStrings(authority string, fields []hpack.HeaderField) (string, []hpack.HeaderField) {
	n := len(authority)
	for _, f := range fields {
		n += len(f.Name) + len(f.Value)
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(authority)
	for _, f := range fields {
		b.WriteString(f.Name)
		b.WriteString(f.Value)
	}
	all := b.String()
	authority, all = all[:len(authority)], all[len(authority):]
	out := make([]hpack.HeaderField, len(fields))
	for i, f := range fields {
		out[i].Name, all = all[:len(f.Name)], all[len(f.Name):]
		out[i].Value, all = all[:len(f.Value)], all[len(f.Value):]
	}
	return authority, out
}
