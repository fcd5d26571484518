package restpipe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The local REST front of a node turns an HTTP request into an event and the
// reply into the HTTP response: the request's method is the verb, the rest of
// the path the target (noun, then "//" and arguments), the body and its
// content type the post data. A reply becomes a 200 response with the reply's
// mime type as content type, its data as body and its return code in the
// Restpipe-Code header. When no reply comes the status says why, with a JSON
// body {"error": "..."}: 404 ErrNoSuchClient, 503 ErrPipeClosed or
// ErrNotConnected, 504 ErrTimeout, 400 a bad path, 413 post data over
// MaxFrameSize.

// ClientFront returns the REST front of a client node: "METHOD /server/TARGET"
// sends the event to the server (GET /server/time → get_time on the server).
func ClientFront(c *Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/server/")
		if !ok {
			httpError(w, http.StatusNotFound, fmt.Errorf("restpipe: the client front serves /server/NOUN, not %s", r.URL.EscapedPath()))
			return
		}
		ev, err := eventFromRequest(r, rest, r.Method, cmp(c.MaxFrameSize, DefaultMaxFrameSize))
		if err != nil {
			httpError(w, statusOf(err), err)
			return
		}
		reply, err := c.Call(r.Context(), ev)
		frontReply(w, reply, err)
	})
}

// ServerFront returns the REST front of the server node:
// "METHOD /client/IDENTITY/TARGET" sends the event to the client known by
// IDENTITY (GET /client/node1/time → get_time on node1).
func ServerFront(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/client/")
		escID, rest, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || escID == "" {
			httpError(w, http.StatusNotFound, fmt.Errorf("restpipe: the server front serves /client/IDENTITY/NOUN, not %s", r.URL.EscapedPath()))
			return
		}
		id, _, err := ParseTarget(escID)
		if err != nil {
			httpError(w, http.StatusBadRequest, err)
			return
		}
		ev, err := eventFromRequest(r, rest, r.Method, cmp(s.MaxFrameSize, DefaultMaxFrameSize))
		if err != nil {
			httpError(w, statusOf(err), err)
			return
		}
		reply, err := s.Call(r.Context(), id, ev)
		frontReply(w, reply, err)
	})
}

// frontReply writes the outcome of a front's call.
func frontReply(w http.ResponseWriter, reply *Reply, err error) {
	if err == nil {
		writeReply(w, reply)
		return
	}
	status := http.StatusBadGateway
	switch {
	case errors.Is(err, ErrNoSuchClient):
		status = http.StatusNotFound
	case errors.Is(err, ErrPipeClosed), errors.Is(err, ErrNotConnected):
		status = http.StatusServiceUnavailable
	case errors.Is(err, ErrTimeout):
		status = http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		return // the caller is gone
	}
	httpError(w, status, err)
}
