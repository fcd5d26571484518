package handler

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/h2kit/h2kit/hpack"
)

// The http.Pusher of HTTPHandler: a promise made from the handler's
// goroutine through the request's Handle, whose pushed request is served by
// the same http.Handler on a goroutine of its own, as if the client had
// sent it.

var _ http.Pusher = (*httpWriter)(nil)

// Push implements http.Pusher. target is an absolute path ("/style.css") or
// an absolute URL with the request's scheme and an authority the server is
// authoritative for; opts.Method is GET (the default) or HEAD; opts.Header
// holds the promised request's header fields (no pseudo-headers, no
// content-length, host, or fields forbidden in HTTP/2). The pushed request
// runs through the http.Handler that serves this one, with the TLS state and
// remote address of this request.
//
// As http.Pusher requires, it returns an error that matches
// http.ErrNotSupported when the client disabled push (it also matches
// ErrPushDisabled). A promise a rule forbids returns a *PushError (for
// example once the response has started: more than 4 KiB written, or
// Flush; see Stream.Push for the rules). Push waits until the PUSH_PROMISE
// is queued or refused.
func (w *httpWriter) Push(target string, opts *http.PushOptions) error {
	hs := (*httpStream)(w)
	if opts == nil {
		opts = &http.PushOptions{}
	}
	req := PushRequest{Method: opts.Method, Handler: &httpStream{h: hs.h}}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	u, err := url.Parse(target)
	switch {
	case err != nil:
		return fmt.Errorf("handler: push target %q: %w", target, err)
	case u.Scheme == "" && u.Host == "":
		if !strings.HasPrefix(target, "/") {
			return fmt.Errorf("handler: push target %q is neither an absolute path nor an absolute URL", target)
		}
		req.Path = target
	default:
		if want := schemeOf(hs.req); u.Scheme != want {
			return fmt.Errorf("handler: push target %q: scheme is not the request's %q", target, want)
		}
		req.Authority, req.Path = u.Host, u.RequestURI()
	}
	for k, vs := range opts.Header {
		name := strings.ToLower(k)
		for _, v := range vs {
			req.Header = append(req.Header, hpack.HeaderField{Name: name, Value: v})
		}
	}
	_, err = hs.ref.Push(req)
	if errors.Is(err, ErrPushDisabled) {
		return fmt.Errorf("%w: %w", http.ErrNotSupported, err)
	}
	return err
}

// schemeOf returns the scheme of the request r (https with TLS).
func schemeOf(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}
