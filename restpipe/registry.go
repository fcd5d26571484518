package restpipe

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// HandlerFunc handles one event. It returns either a Reply (or *Reply), sent
// as it is, or plain data, sent as JSON with CodeOK; or an error, sent as a
// non-zero return code (CodeHandlerError, or HandlerError.Code) with the JSON
// body {"error": "..."}. ctx ends when the pipe or the request carrying the
// event ends.
type HandlerFunc func(ctx context.Context, ev *Event) (any, error)

// Registry maps verb and noun to the handler of an event; a node dispatches
// the events it receives through one. It is safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	handlers map[string]HandlerFunc
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{handlers: make(map[string]HandlerFunc)}
}

// HandlerKey is the name of the handler of verb and noun, as in RestPipe:
// the lower-case verb, "_", and the noun with slashes turned into
// underscores. GET "time/utc" is "get_time_utc".
func HandlerKey(verb, noun string) string {
	return strings.ToLower(verb) + "_" + strings.ReplaceAll(strings.Trim(noun, "/"), "/", "_")
}

// Handle registers fn for verb (case-insensitive) and noun. Nouns that differ
// only in slashes and underscores share a key ("time/utc" and "time_utc"), as
// they did in RestPipe; the last registration wins. Handle panics on an
// invalid verb, an empty noun or a nil fn, which are programming errors.
func (r *Registry) Handle(verb, noun string, fn HandlerFunc) {
	verb = strings.ToLower(verb)
	if !validVerb(verb) || strings.Trim(noun, "/") == "" || fn == nil {
		panic(fmt.Sprintf("restpipe: Registry.Handle(%q, %q): invalid verb, empty noun or nil handler", verb, noun))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = make(map[string]HandlerFunc)
	}
	r.handlers[HandlerKey(verb, noun)] = fn
}

// lookup returns the handler of key.
func (r *Registry) lookup(key string) HandlerFunc {
	if r == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.handlers[key]
}

// Dispatch runs the handler of ev and returns its reply; it never returns
// nil. A handler that panics gets a CodeHandlerError reply (the node carries on).
func (r *Registry) Dispatch(ctx context.Context, ev *Event) (reply *Reply) {
	fn := r.lookup(HandlerKey(ev.Verb, ev.Noun))
	if fn == nil {
		return errorReply(CodeNoHandler, fmt.Errorf("no handler for %s %s (%s)", strings.ToUpper(ev.Verb), ev.Noun, HandlerKey(ev.Verb, ev.Noun)))
	}
	defer func() {
		if p := recover(); p != nil {
			reply = errorReply(CodeHandlerError, fmt.Errorf("handler %s panicked: %v", HandlerKey(ev.Verb, ev.Noun), p))
		}
	}()
	v, err := fn(ctx, ev)
	if err != nil {
		return errorReply(CodeHandlerError, err)
	}
	switch v := v.(type) {
	case *Reply:
		if v == nil {
			return &Reply{Mime: MimeJSON, Data: []byte("null")}
		}
		return v
	case Reply:
		return &v
	}
	data, err := json.Marshal(v)
	if err != nil {
		return errorReply(CodeHandlerError, fmt.Errorf("handler %s: encoding its result as JSON: %w", HandlerKey(ev.Verb, ev.Noun), err))
	}
	return &Reply{Code: CodeOK, Mime: MimeJSON, Data: data}
}
