package restpipe

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// errTooLarge is the cause of a 413.
var errTooLarge = errors.New("restpipe: post data over the frame size limit")

// eventFromRequest decodes the event of an HTTP request whose escaped path,
// after the endpoint's prefix, is "VERB/TARGET" (verb == "") or "TARGET".
func eventFromRequest(r *http.Request, rest, verb string, maxData int) (*Event, error) {
	if verb == "" {
		var ok bool
		verb, rest, ok = strings.Cut(rest, "/")
		if !ok {
			return nil, fmt.Errorf("restpipe: no noun after verb %q", verb)
		}
	}
	verb = strings.ToLower(verb)
	if !validVerb(verb) {
		return nil, fmt.Errorf("restpipe: invalid verb %q", verb)
	}
	noun, args, err := ParseTarget(rest)
	if err != nil {
		return nil, err
	}
	ev := &Event{Verb: verb, Noun: noun, Args: args}
	if r.Body != nil && r.ContentLength != 0 {
		if r.ContentLength > int64(maxData) {
			return nil, errTooLarge
		}
		ev.Data, err = io.ReadAll(io.LimitReader(r.Body, int64(maxData)+1))
		if err != nil {
			return nil, fmt.Errorf("restpipe: reading post data: %w", err)
		}
		if len(ev.Data) > maxData {
			return nil, errTooLarge
		}
		if len(ev.Data) > 0 {
			ev.Mime = r.Header.Get("Content-Type")
		}
	}
	if err := checkEvent(ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// statusOf is the HTTP status of an event that could not be decoded.
func statusOf(err error) int {
	if errors.Is(err, errTooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// writeReply writes r as a 200 response: its mime type as content type, its
// code in Restpipe-Code, its data as body.
func writeReply(w http.ResponseWriter, r *Reply) {
	h := w.Header()
	if r.Mime != "" {
		h.Set("Content-Type", r.Mime)
	} else {
		h.Set("Content-Type", "application/octet-stream")
	}
	h.Set(hdrCode, strconv.Itoa(r.Code))
	h.Set("Content-Length", strconv.Itoa(len(r.Data)))
	w.WriteHeader(http.StatusOK)
	w.Write(r.Data)
}

// httpError answers a request that did not reach a handler, with a JSON body.
func httpError(w http.ResponseWriter, status int, err error) {
	data, _ := json.Marshal(map[string]string{"error": err.Error()})
	w.Header().Set("Content-Type", MimeJSON)
	w.WriteHeader(status)
	w.Write(data)
}
