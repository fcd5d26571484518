// Package push is HTTP/2 server push (RFC 9113 §8.4) for h2kit handlers, in one
// call shaped like nghttp2-python's push(path, method, request_headers, status,
// headers, body):
//
//	func (*page) OnHeaders(s *handler.Stream) {
//		push.Push(s, push.Promise{
//			Path:           "/style.css",
//			ResponseHeader: []hpack.HeaderField{{Name: "content-type", Value: "text/css"}},
//			Body:           css, // []byte, string, io.Reader or handler.BodyGenerator
//		})
//		s.SendResponse(200, html, page)
//	}
//
// Push sends a PUSH_PROMISE frame on the request's stream, carrying the request
// the client would have made, then answers the pushed stream: at once with the
// Promise's Status, ResponseHeader and Body, or, when those are left out, later
// by the caller with SendResponse on the returned stream (from any goroutine
// through its Handle). The client takes the pushed response as the answer to
// that request instead of asking for it.
//
// # Rules
//
// Push enforces every rule of RFC 9113 on sending a promise, and returns a
// typed error without sending anything when one forbids it:
//
//   - The client must allow push: SETTINGS_ENABLE_PUSH = 0, in the client's
//     first SETTINGS or a later one, gives ErrPushDisabled. Streams promised
//     before push was turned off are still answered (the client accepted them).
//   - The promise goes on a client request stream that is open (or has
//     received the whole request) and not yet answered: call Push before
//     SendResponse ("The server SHOULD send PUSH_PROMISE (Section 6.6) frames
//     prior to sending any frames that reference the promised responses",
//     §8.4.1). A pushed stream cannot push. A closed stream gives
//     handler.ErrStreamClosed.
//   - The promised request is safe and cacheable: GET or HEAD, without content
//     (no content-length other than 0).
//   - Its :authority is one the server is authoritative for: the associated
//     request's (the default) or one of h2server.Config.PushAuthorities. Its
//     :scheme is the associated request's.
//   - No promise after a GOAWAY was sent or received; pushed streams the
//     client's GOAWAY leaves unprocessed close with REFUSED_STREAM.
//   - The client's SETTINGS_MAX_CONCURRENT_STREAMS: a pushed response counts
//     against it once its HEADERS are sent (reserved streams do not, §5.1.2),
//     and waits, body and all, while the limit is reached. With a limit of 0
//     nothing could be answered: promises are refused (the RFC allows
//     reserving streams then; a promise never answered would only hold one).
//   - At most h2server.Config.MaxPushPromises pushed streams (default 100) are
//     open on a connection at once.
//
// Refusals by rule are *Error values (errors.Is(err, ErrPushNotAllowed)) whose
// Reason names the rule. Promised stream identifiers are even and increasing;
// a promised request larger than the client's SETTINGS_MAX_FRAME_SIZE is split
// over CONTINUATION frames; pushed DATA obeys flow control like any response.
//
// A client that does not want a pushed response resets its stream (RST_STREAM
// CANCEL or REFUSED_STREAM): the body stops cleanly (an io.Closer body is
// closed) and the Promise's Handler gets OnClose with that code.
//
// For net/http handlers run by handler.HTTPHandler, the ResponseWriter is an
// http.Pusher built on the same machinery; the pushed request is served by the
// same http.Handler.
//
// Browsers have removed server push; nghttp, curl and HTTP/2 libraries still
// use it. For browsers, 103 Early Hints (handler.Stream.SendInformational) is
// the replacement.
package push
