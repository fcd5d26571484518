package restpipe

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Return codes of a Reply. Handlers may use any other non-zero code through
// HandlerError.
const (
	CodeOK           = 0 // the handler returned data
	CodeHandlerError = 1 // the handler returned an error
	CodeNoHandler    = 2 // no handler is registered for the verb and noun
	CodeBadEvent     = 3 // the event could not be decoded
)

// MimeJSON is the mime type of replies built from plain data and of error replies.
const MimeJSON = "application/json"

// Event is one query sent through a pipe: a verb and a noun (which select the
// handler), the URL arguments, and optional post data with its mime type.
type Event struct {
	Verb string   // lower case, e.g. "get"
	Noun string   // slash-separated, e.g. "time/utc"
	Args []string // the percent-decoded arguments after "//" in the URL
	Mime string   // mime type of Data; empty when there is no post data
	Data []byte

	// Peer is the identity of the node that sent the event: the client's
	// certificate common name on the server, "server" on a client. It is set
	// by the receiving side and not transmitted.
	Peer string
}

// Reply is the answer to an Event.
type Reply struct {
	Code int // CodeOK or non-zero
	Mime string
	Data []byte
}

// Err returns nil for CodeOK, and a *RemoteError describing the failure
// otherwise.
func (r *Reply) Err() error {
	if r.Code == CodeOK {
		return nil
	}
	var body struct {
		Error string `json:"error"`
	}
	msg := string(r.Data)
	if json.Unmarshal(r.Data, &body) == nil && body.Error != "" {
		msg = body.Error
	}
	return &RemoteError{Code: r.Code, Message: msg}
}

// errorReply is the reply describing err: code and {"error": "..."}.
func errorReply(code int, err error) *Reply {
	var he *HandlerError
	msg := err.Error()
	if errors.As(err, &he) {
		code, msg = he.Code, he.Message
		if code == CodeOK {
			code = CodeHandlerError
		}
	}
	data, _ := json.Marshal(map[string]string{"error": msg})
	return &Reply{Code: code, Mime: MimeJSON, Data: data}
}

// Target is the part of a REST path that names an event: the noun, then
// optionally "//" and the arguments separated by single slashes, each
// percent-encoded: "time/utc", "cat//hello%20/world".

// ParseTarget splits an escaped target (one leading slash allowed) into the noun
// and the percent-decoded arguments: "/cat//hello%20/world" gives "cat" and
// ["hello ", "world"].
func ParseTarget(escaped string) (noun string, args []string, err error) {
	escaped = strings.TrimPrefix(escaped, "/")
	nounPart, argPart, hasArgs := strings.Cut(escaped, "//")
	nounPart = strings.TrimRight(nounPart, "/")
	if nounPart == "" {
		return "", nil, fmt.Errorf("restpipe: empty noun in %q", escaped)
	}
	segs := strings.Split(nounPart, "/")
	for i, s := range segs {
		if s == "" {
			return "", nil, fmt.Errorf("restpipe: empty noun segment in %q", escaped)
		}
		if segs[i], err = url.PathUnescape(s); err != nil {
			return "", nil, fmt.Errorf("restpipe: noun %q: %w", escaped, err)
		}
		if strings.Contains(segs[i], "/") {
			return "", nil, fmt.Errorf("restpipe: noun segment %q contains an escaped slash", s)
		}
	}
	if hasArgs {
		for a := range strings.SplitSeq(argPart, "/") {
			v, err := url.PathUnescape(a)
			if err != nil {
				return "", nil, fmt.Errorf("restpipe: argument %q: %w", a, err)
			}
			args = append(args, v)
		}
	}
	return strings.Join(segs, "/"), args, nil
}

// FormatTarget is the inverse of ParseTarget: the escaped target of noun and
// args, without a leading slash.
func FormatTarget(noun string, args []string) string {
	var b strings.Builder
	for i, s := range strings.Split(strings.Trim(noun, "/"), "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(s))
	}
	if len(args) > 0 {
		b.WriteString("/")
		for _, a := range args {
			b.WriteByte('/')
			b.WriteString(url.PathEscape(a))
		}
	}
	return b.String()
}

// validVerb reports whether v is a lower-case token usable in a path segment
// and a handler key.
func validVerb(v string) bool {
	if v == "" || len(v) > 32 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
