// Package h2conn is h2kit's sans-IO HTTP/2 server connection engine
// (RFC 9113). It is a state machine fed bytes, producing bytes and events,
// with no sockets, goroutines, timers or clocks inside.
//
// # Driving a connection
//
// One goroutine owns a Engine; every method is called from it. A socket loop
// (h2server) does, in order:
//
//	c, err := h2conn.NewServerConn(cfg, handler) // queues our SETTINGS
//	c.Tick(time.Now())                           // the engine's clock starts
//	for !c.Done() {
//		if c.WantWrite() { out = c.AppendOutput(out[:0]); write(out) }
//		n := read(buf)                // with a read deadline of NextDeadline()
//		err = c.Feed(buf[:n])         // calls the Handler synchronously
//		c.Tick(time.Now())            // also when the deadline passed
//		if err != nil { flush AppendOutput (it holds the GOAWAY), then close }
//	}
//
// Feed consumes the peer's bytes, starting with the client connection
// preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4), in pieces of
// any size. A returned *ConnError means a GOAWAY has been queued: flush
// AppendOutput and close the connection. Stream errors never come out of
// Feed; they are answered with RST_STREAM (or a 431 response) internally.
//
// AppendOutput appends everything that may be written now: queued control
// frames and response HEADERS first, then DATA pulled from the streams' body
// sources as the flow-control windows allow, up to Config.MaxWriteBatch
// bytes per call. DATA is scheduled by RFC 9218 extensible priorities (the
// priority request header and PRIORITY_UPDATE frames; SETTINGS_NO_RFC7540_
// PRIORITIES is advertised): the most urgent responses first; within an
// urgency, non-incremental responses one after the other, incremental ones
// round-robin one frame per stream per turn.
// WantWrite reports whether AppendOutput would append anything. Body bytes
// are never buffered by the engine: they are copied from the BodySource
// straight into dst. AppendOutputVec returns the same output as pieces for
// a vectored write (net.Buffers), referencing SetBodyBytes payloads instead
// of copying them (see its lifetime rule). RFC 7540 PRIORITY frames are accepted and ignored.
//
// Time is passed in: Tick(now) sets the engine's clock and fires whatever
// deadline has passed (preface timeout, SETTINGS ACK timeout →
// SETTINGS_TIMEOUT, idle timeout, the second phase of a graceful shutdown,
// FlowStallTimeout, which resets streams whose body the peer's windows
// have blocked without any DATA going out for that long, and
// RequestBodyTimeout, which resets a stream whose request body stopped
// arriving and closes a connection whose header block stopped arriving). NextDeadline tells the loop when to call Tick next. Timers
// are armed relative to the time of the last Tick, so call Tick after each
// read. Tick and NextDeadline read one list of timers: work done between
// two Ticks (responses attached after Tick, output written) either arms
// its timer at once or makes NextDeadline return the time of the last
// Tick, so that the loop calls Tick without sleeping; the order in which
// the loop feeds, ticks, attaches responses and writes does not matter.
// Rate limits (rapid reset, glitches) use the same clock.
//
// For an h2c upgrade (RFC 7540 §3.2), the HTTP/1.1 layer calls Upgrade on
// the new Engine with the HTTP2-Settings payload and the request, before the
// first Feed; the request becomes stream 1 (half-closed remote) and the
// client preface is expected next as usual.
//
// Done reports that the connection has finished (after a GOAWAY, when no
// stream is left, or after a connection error); the loop flushes
// AppendOutput one last time and closes the socket.
//
// # Handler callbacks and commands
//
// The Handler's methods are called synchronously from Feed; OnClose also
// from AppendOutput, Tick, CloseStreams and from inside any command that
// ends a stream (SendHeaders or SendTrailers with END_STREAM, Reset, or a
// command that trips a connection limit). They must not block, and must not call Feed, AppendOutput or
// Tick. From inside a
// callback, or later on the connection goroutine, the handler layer answers
// with commands: SendHeaders (the engine adds :status; the caller adds date
// and content-length), SetBody or SetBodyBytes, SendTrailers, Resume, Reset,
// and Consume (the handler has consumed n bytes of request DATA: the engine
// returns them to the peer with WINDOW_UPDATE, batched, never stalling).
// The engine does not recover panics from Handler callbacks; the shell
// should. It does recover a panic from BodySource.Read: that stream is reset
// with INTERNAL_ERROR and the connection carries on, as it does when a
// source returns an error, more than max bytes or an unknown DataFlag; each
// such failure is counted once through OnReject.
//
// # Streams
//
// A *Stream (and every string and slice it returns) is valid until OnClose
// for it returns; the engine then recycles it for a later request. Code that
// acts later (another goroutine handing work back) should remember Stream.ID
// and look the stream up again with Engine.Stream(id) on the connection
// goroutine; it returns nil once the stream has closed. Request header
// values live in a per-stream arena, so copy them if they must outlive the
// stream.
//
// A response that ends (END_STREAM sent) before the request has been
// received completely ends the stream: the engine sends RST_STREAM with
// NO_ERROR right after it (RFC 9113 §8.1, as nghttp2 and x/net do), OnClose
// gets NO_ERROR, and the rest of the upload is discarded. A handler that
// needs the whole request body reads it before ending the response.
//
// # Errors
//
// ConnError{Code, Reason} → GOAWAY and close; StreamError{StreamID, Code,
// Cause} → RST_STREAM. Malformed requests (RFC 9113 §8.1.1, §8.2, §8.3) are
// stream errors (RST_STREAM PROTOCOL_ERROR). A request whose header list is
// over Config.MaxHeaderListSize (counting 32 octets per field, RFC 9113
// §6.5.2) or has more than Config.MaxHeaderFields fields is answered by the
// engine itself with a 431 response (END_STREAM) without calling OnHeaders;
// the HPACK table stays in step and the connection carries on. The field
// count includes pseudo-headers. Every reject path calls Handler.OnReject
// with its reject.Name (package reject lists them all) for metrics;
// connection errors carry the same name in ConnError.Reason and in the
// GOAWAY debug data.
//
// # Limits
//
// Every limit is a Config field with a documented non-zero default:
// concurrent streams (REFUSED_STREAM beyond), windows, frame sizes, header
// list size and field count (431), CONTINUATION frames per block (which
// also bounds the encoded bytes of a block), queued control frames and
// buffered output bytes (ENHANCE_YOUR_CALM), SETTINGS entries, and two
// token buckets on the Tick clock: peer resets (rapid reset) and glitches
// (empty DATA/CONTINUATION, PRIORITY, PING, SETTINGS after the first,
// unknown frame types, and the stream errors the peer provokes). The
// engine never holds more than one partial input frame and the queued
// output; request bodies are handed to OnData as they arrive.
//
// # Server push
//
// PushPromise (push.go) sends PUSH_PROMISE on a request stream and returns
// the promised stream, in reserved (local); the handler layer answers it
// with the same commands as a request, and gets OnClose for it (Stream.Pushed
// tells them apart). Every rule on sending a promise (RFC 9113 §8.4, §6.5.2,
// §6.8) is checked there and refused with ErrPushDisabled or a PushRefusal
// naming it; Config.MaxPushPromises bounds the pushed streams open at once.
// A pushed response counts against the peer's SETTINGS_MAX_CONCURRENT_STREAMS
// from its HEADERS on (§5.1.2); beyond it the header block is parked until a
// pushed stream closes or the peer raises its limit. Pushed streams do not
// count against our own MaxConcurrentStreams.
package h2conn
