// Package reject names every input h2kit refuses: the stable snake_case
// tokens passed to the OnReject hooks (h2server.Server.OnReject,
// handler.Options.OnReject) and carried as the reason, and GOAWAY debug
// data, of the connection errors the HTTP/2 engine sends. They are meant
// for metrics: register one counter per name from All up front.
//
// The names are stable API: a name never changes its spelling or meaning.
// Each constant below says what was refused and how the peer is answered.
// RFC 9113 is HTTP/2; "GOAWAY X" closes the connection with error code X,
// "RST_STREAM X" resets one stream and the connection carries on.
package reject

// Name is the stable name of one reject path. It implements error so that
// it can be the cause of a stream error and be matched with errors.Is.
type Name string

// Error returns the name.
func (n Name) Error() string { return string(n) }

// The connection preface and SETTINGS (RFC 9113 §3.4, §6.5).
const (
	// BadPreface: the client connection preface was not "PRI * HTTP/2.0..." (GOAWAY PROTOCOL_ERROR).
	BadPreface Name = "bad_preface"
	// FirstFrameNotSettings: the preface was not followed by a SETTINGS frame (GOAWAY PROTOCOL_ERROR).
	FirstFrameNotSettings Name = "first_frame_not_settings"
	// PrefaceTimeout: the preface and first SETTINGS did not arrive within h2server.Config.PrefaceTimeout (GOAWAY PROTOCOL_ERROR).
	PrefaceTimeout Name = "preface_timeout"
	// SettingsAckTimeout: our SETTINGS were not acknowledged within h2server.Config.SettingsAckTimeout (GOAWAY SETTINGS_TIMEOUT).
	SettingsAckTimeout Name = "settings_ack_timeout"
	// TooManySettings: a SETTINGS frame held more than h2server.Config.MaxSettingsEntries parameters (GOAWAY ENHANCE_YOUR_CALM).
	TooManySettings Name = "too_many_settings"
	// EncoderTableSize: the HPACK table size could not be changed as SETTINGS asked (GOAWAY INTERNAL_ERROR).
	EncoderTableSize Name = "encoder_table_size"
	// InvalidEnablePush: SETTINGS_ENABLE_PUSH was neither 0 nor 1 (GOAWAY PROTOCOL_ERROR).
	InvalidEnablePush Name = "invalid_enable_push"
	// InvalidInitialWindowSize: SETTINGS_INITIAL_WINDOW_SIZE was above 2^31-1 (GOAWAY FLOW_CONTROL_ERROR).
	InvalidInitialWindowSize Name = "invalid_initial_window_size"
	// InvalidMaxFrameSize: SETTINGS_MAX_FRAME_SIZE was outside 16,384..16,777,215 (GOAWAY PROTOCOL_ERROR).
	InvalidMaxFrameSize Name = "invalid_max_frame_size"
	// InvalidBooleanSetting: a 0-or-1 setting (ENABLE_CONNECT_PROTOCOL, NO_RFC7540_PRIORITIES) had another value (GOAWAY PROTOCOL_ERROR).
	InvalidBooleanSetting Name = "invalid_boolean_setting"
)

// Frames whose format is wrong (RFC 9113 §4, §6), found by the frame parser.
const (
	// FrameTooLarge: a frame was longer than our SETTINGS_MAX_FRAME_SIZE (GOAWAY FRAME_SIZE_ERROR).
	FrameTooLarge Name = "frame_too_large"
	// DataStream0: a DATA frame on stream 0 (GOAWAY PROTOCOL_ERROR).
	DataStream0 Name = "data_stream_0"
	// HeadersStream0: a HEADERS frame on stream 0 (GOAWAY PROTOCOL_ERROR).
	HeadersStream0 Name = "headers_stream_0"
	// HeadersTooShort: a HEADERS frame too short for its padding or priority fields (GOAWAY FRAME_SIZE_ERROR).
	HeadersTooShort Name = "headers_too_short"
	// MissingPadLength: a PADDED frame without room for its Pad Length field (GOAWAY FRAME_SIZE_ERROR).
	MissingPadLength Name = "missing_pad_length"
	// PaddingTooLong: padding as long as the frame payload or longer (GOAWAY PROTOCOL_ERROR).
	PaddingTooLong Name = "padding_too_long"
	// PriorityStream0: a PRIORITY frame on stream 0 (GOAWAY PROTOCOL_ERROR).
	PriorityStream0 Name = "priority_stream_0"
	// PriorityFrameSize: a PRIORITY frame not 5 octets long (RST_STREAM FRAME_SIZE_ERROR).
	PriorityFrameSize Name = "priority_frame_size"
	// RSTStreamStream0: a RST_STREAM frame on stream 0 (GOAWAY PROTOCOL_ERROR).
	RSTStreamStream0 Name = "rst_stream_stream_0"
	// RSTStreamLength: a RST_STREAM frame not 4 octets long (GOAWAY FRAME_SIZE_ERROR).
	RSTStreamLength Name = "rst_stream_length"
	// SettingsOnStream: a SETTINGS frame on a stream other than 0 (GOAWAY PROTOCOL_ERROR).
	SettingsOnStream Name = "settings_on_stream"
	// SettingsAckWithPayload: a SETTINGS ACK that was not empty (GOAWAY FRAME_SIZE_ERROR).
	SettingsAckWithPayload Name = "settings_ack_with_payload"
	// SettingsLength: a SETTINGS payload not a multiple of 6 octets (GOAWAY FRAME_SIZE_ERROR).
	SettingsLength Name = "settings_length"
	// PushPromiseStream0: a PUSH_PROMISE frame on stream 0 (GOAWAY PROTOCOL_ERROR).
	PushPromiseStream0 Name = "push_promise_stream_0"
	// PushPromiseTooShort: a PUSH_PROMISE frame too short for its fields (GOAWAY FRAME_SIZE_ERROR).
	PushPromiseTooShort Name = "push_promise_too_short"
	// PingOnStream: a PING frame on a stream other than 0 (GOAWAY PROTOCOL_ERROR).
	PingOnStream Name = "ping_on_stream"
	// PingLength: a PING frame not 8 octets long (GOAWAY FRAME_SIZE_ERROR).
	PingLength Name = "ping_length"
	// GoAwayOnStream: a GOAWAY frame on a stream other than 0 (GOAWAY PROTOCOL_ERROR).
	GoAwayOnStream Name = "goaway_on_stream"
	// GoAwayTooShort: a GOAWAY frame shorter than 8 octets (GOAWAY FRAME_SIZE_ERROR).
	GoAwayTooShort Name = "goaway_too_short"
	// WindowUpdateLength: a WINDOW_UPDATE frame not 4 octets long (GOAWAY FRAME_SIZE_ERROR).
	WindowUpdateLength Name = "window_update_length"
	// ZeroWindowIncrement: a WINDOW_UPDATE with increment 0 (RST_STREAM PROTOCOL_ERROR, or GOAWAY on stream 0).
	ZeroWindowIncrement Name = "zero_window_increment"
	// ContinuationStream0: a CONTINUATION frame on stream 0 (GOAWAY PROTOCOL_ERROR).
	ContinuationStream0 Name = "continuation_stream_0"
	// PriorityUpdateOnStream: a PRIORITY_UPDATE frame on a stream other than 0 (GOAWAY PROTOCOL_ERROR).
	PriorityUpdateOnStream Name = "priority_update_on_stream"
	// PriorityUpdateTooShort: a PRIORITY_UPDATE frame shorter than 4 octets (GOAWAY FRAME_SIZE_ERROR).
	PriorityUpdateTooShort Name = "priority_update_too_short"
)

// Frames that break the connection's rules (RFC 9113 §5, §6).
const (
	// EvenStreamID: a client opened a stream with an even identifier (GOAWAY PROTOCOL_ERROR).
	EvenStreamID Name = "even_stream_id"
	// StreamIDNotIncreasing: HEADERS on an identifier at or below one already used (GOAWAY PROTOCOL_ERROR).
	StreamIDNotIncreasing Name = "stream_id_not_increasing"
	// FrameOnIdleStream: a frame other than HEADERS or PRIORITY on an idle stream (GOAWAY PROTOCOL_ERROR).
	FrameOnIdleStream Name = "frame_on_idle_stream"
	// HeadersOnClosedStream: HEADERS on a stream that ended both ways (GOAWAY STREAM_CLOSED).
	HeadersOnClosedStream Name = "headers_on_closed_stream"
	// FrameOnClosedStream: DATA or HEADERS on a stream the peer had ended or reset (RST_STREAM STREAM_CLOSED).
	FrameOnClosedStream Name = "frame_on_closed_stream"
	// ExpectedContinuation: another frame in the middle of a header block (GOAWAY PROTOCOL_ERROR).
	ExpectedContinuation Name = "expected_continuation"
	// UnexpectedContinuation: CONTINUATION outside a header block (GOAWAY PROTOCOL_ERROR).
	UnexpectedContinuation Name = "unexpected_continuation"
	// HPACKDecodingError: a header block the HPACK decoder cannot decode (GOAWAY COMPRESSION_ERROR).
	HPACKDecodingError Name = "hpack_decoding_error"
	// PushPromiseFromClient: a client sent PUSH_PROMISE (GOAWAY PROTOCOL_ERROR).
	PushPromiseFromClient Name = "push_promise_from_client"
	// PriorityUpdateBadStream: PRIORITY_UPDATE for stream 0 or a push stream (GOAWAY PROTOCOL_ERROR).
	PriorityUpdateBadStream Name = "priority_update_bad_stream"
	// SelfDependency: a stream made dependent on itself (RST_STREAM PROTOCOL_ERROR).
	SelfDependency Name = "self_dependency"
	// RefusedStream: a stream beyond h2server.Config.MaxConcurrentStreams (RST_STREAM REFUSED_STREAM).
	RefusedStream Name = "refused_stream"
)

// Flow control (RFC 9113 §5.2, §6.9).
const (
	// ConnFlowControl: DATA beyond the connection's receive window (GOAWAY FLOW_CONTROL_ERROR).
	ConnFlowControl Name = "conn_flow_control"
	// StreamFlowControl: DATA beyond a stream's receive window (RST_STREAM FLOW_CONTROL_ERROR).
	StreamFlowControl Name = "stream_flow_control"
	// ConnWindowOverflow: WINDOW_UPDATE took the connection's send window above 2^31-1 (GOAWAY FLOW_CONTROL_ERROR).
	ConnWindowOverflow Name = "conn_window_overflow"
	// StreamWindowOverflow: WINDOW_UPDATE took a stream's send window above 2^31-1 (RST_STREAM FLOW_CONTROL_ERROR).
	StreamWindowOverflow Name = "stream_window_overflow"
	// InitialWindowOverflow: a new SETTINGS_INITIAL_WINDOW_SIZE took a stream's window above 2^31-1 (GOAWAY FLOW_CONTROL_ERROR).
	InitialWindowOverflow Name = "initial_window_overflow"
	// FlowControlStall: a response blocked by the peer's windows with no DATA sent for h2server.Config.FlowStallTimeout (RST_STREAM CANCEL).
	FlowControlStall Name = "flow_control_stall"
)

// Floods and timeouts (RFC 9113 §10.5).
const (
	// ControlFrameFlood: more than h2server.Config.MaxQueuedControlFrames control frames queued (GOAWAY ENHANCE_YOUR_CALM).
	ControlFrameFlood Name = "control_frame_flood"
	// BufferedBytesExceeded: more than h2server.Config.MaxBufferedBytes queued for output (GOAWAY ENHANCE_YOUR_CALM).
	BufferedBytesExceeded Name = "buffered_bytes_exceeded"
	// GlitchFlood: too many legal but useless frames or provoked stream errors (GOAWAY ENHANCE_YOUR_CALM).
	GlitchFlood Name = "glitch_flood"
	// RapidReset: the peer reset streams faster than h2server.Config.ResetRate allows (CVE-2023-44487; GOAWAY ENHANCE_YOUR_CALM).
	RapidReset Name = "rapid_reset"
	// TooManyContinuations: a header block in more than h2server.Config.MaxContinuationFrames CONTINUATION frames (GOAWAY ENHANCE_YOUR_CALM).
	TooManyContinuations Name = "too_many_continuations"
	// IdleTimeout: no stream open for h2server.Config.IdleTimeout (GOAWAY NO_ERROR).
	IdleTimeout Name = "idle_timeout"
	// RequestBodyTimeout: no request DATA for h2server.Config.RequestBodyTimeout (RST_STREAM INTERNAL_ERROR).
	RequestBodyTimeout Name = "request_body_timeout"
	// HeaderBlockTimeout: a header block not complete within h2server.Config.RequestBodyTimeout of its HEADERS (GOAWAY PROTOCOL_ERROR).
	HeaderBlockTimeout Name = "header_block_timeout"
	// InternalError: an unexpected error inside the engine, a bug (GOAWAY INTERNAL_ERROR).
	InternalError Name = "internal_error"
)

// Requests (RFC 9113 §8); malformed ones get RST_STREAM PROTOCOL_ERROR.
const (
	// HeaderListTooLarge: a header list over h2server.Config.MaxHeaderListSize (a 431 response).
	HeaderListTooLarge Name = "header_list_too_large"
	// TooManyHeaderFields: a header block with more than h2server.Config.MaxHeaderFields fields (a 431 response).
	TooManyHeaderFields Name = "too_many_header_fields"
	// TrailersWithoutEndStream: a second HEADERS frame without END_STREAM.
	TrailersWithoutEndStream Name = "trailers_without_end_stream"
	// ContentLengthMismatch: the DATA received does not add up to content-length.
	ContentLengthMismatch Name = "content_length_mismatch"
	// InvalidContentLength: content-length not a number, or two that differ.
	InvalidContentLength Name = "invalid_content_length"
	// PseudoHeaderAfterRegular: a pseudo-header after a regular field.
	PseudoHeaderAfterRegular Name = "pseudo_header_after_regular"
	// DuplicatePseudoHeader: the same pseudo-header twice.
	DuplicatePseudoHeader Name = "duplicate_pseudo_header"
	// UnknownPseudoHeader: a pseudo-header a request cannot have.
	UnknownPseudoHeader Name = "unknown_pseudo_header"
	// PseudoHeaderInTrailers: a pseudo-header in trailers.
	PseudoHeaderInTrailers Name = "pseudo_header_in_trailers"
	// MissingPseudoHeader: :method, :scheme, :path (or CONNECT's :authority) missing.
	MissingPseudoHeader Name = "missing_pseudo_header"
	// ForbiddenPseudoHeader: :scheme or :path on CONNECT, or :protocol without CONNECT.
	ForbiddenPseudoHeader Name = "forbidden_pseudo_header"
	// EmptyPath: an empty :path.
	EmptyPath Name = "empty_path"
	// InvalidPath: a :path that is neither absolute nor "*" for OPTIONS.
	InvalidPath Name = "invalid_path"
	// InvalidHeaderName: a field name that is not a lowercase token.
	InvalidHeaderName Name = "invalid_header_name"
	// InvalidHeaderValue: a field value with NUL, CR, LF or surrounding whitespace.
	InvalidHeaderValue Name = "invalid_header_value"
	// ConnectionSpecificHeader: a connection-specific field (connection, upgrade, ...).
	ConnectionSpecificHeader Name = "connection_specific_header"
	// TENotTrailers: a te field other than "trailers".
	TENotTrailers Name = "te_not_trailers"
)

// Responses: the handler layer failed (the stream is reset with INTERNAL_ERROR).
const (
	// BodySourceMisbehaved: a response body source broke its contract or panicked.
	BodySourceMisbehaved Name = "body_source_misbehaved"
	// BodyGeneratorError: a handler's body generator failed.
	BodyGeneratorError Name = "body_generator_error"
	// HandlerPanic: a request handler panicked (its stream is reset, or it was closing).
	HandlerPanic Name = "handler_panic"
)

// The server, before or around the HTTP/2 engine.
const (
	// InvalidPreface: a cleartext connection that opens with neither the HTTP/2 preface nor an HTTP/1.1 request (closed).
	InvalidPreface Name = "invalid_preface"
	// InadequateSecurity: TLS below 1.2 or a blocked cipher suite (RFC 9113 §9.2; GOAWAY INADEQUATE_SECURITY).
	InadequateSecurity Name = "inadequate_security"
	// WriteStall: a write that made no progress for h2server.Config.WriteTimeout (closed).
	WriteStall Name = "write_stall"
	// AcceptRetry: Accept failed for lack of descriptors or buffers (EMFILE, ENFILE, ENOBUFS, ENOMEM); the server waits and retries.
	AcceptRetry Name = "accept_retry"
	// MaxConnections: a connection accepted while h2server.Config.MaxConnections were being served (closed at once, nothing read or written).
	MaxConnections Name = "max_connections"
	// H2CUpgradeOverTLS: Upgrade: h2c on a TLS connection (400).
	H2CUpgradeOverTLS Name = "h2c_upgrade_over_tls"
	// H2CSettingsNotBase64URL: an HTTP2-Settings field that is not base64url (400).
	H2CSettingsNotBase64URL Name = "h2c_settings_not_base64url"
	// H2CSettingsLength: an HTTP2-Settings payload not a multiple of 6 octets (400).
	H2CSettingsLength Name = "h2c_settings_length"
	// H2CUpgradeBadSettings: an HTTP2-Settings payload with an invalid value (400).
	H2CUpgradeBadSettings Name = "h2c_upgrade_bad_settings"
	// H2CUpgradeBadRequest: an upgrade request that is not a valid HTTP/2 request (400, or 431 over the header budgets).
	H2CUpgradeBadRequest Name = "h2c_upgrade_bad_request"
)

// all lists every constant above; reject_test.go checks it against the
// const blocks of this file, so it cannot drift.
var all = [...]Name{
	BadPreface, FirstFrameNotSettings, PrefaceTimeout, SettingsAckTimeout, TooManySettings, EncoderTableSize,
	InvalidEnablePush, InvalidInitialWindowSize, InvalidMaxFrameSize, InvalidBooleanSetting,

	FrameTooLarge, DataStream0, HeadersStream0, HeadersTooShort, MissingPadLength, PaddingTooLong,
	PriorityStream0, PriorityFrameSize, RSTStreamStream0, RSTStreamLength, SettingsOnStream,
	SettingsAckWithPayload, SettingsLength, PushPromiseStream0, PushPromiseTooShort, PingOnStream,
	PingLength, GoAwayOnStream, GoAwayTooShort, WindowUpdateLength, ZeroWindowIncrement,
	ContinuationStream0, PriorityUpdateOnStream, PriorityUpdateTooShort,

	EvenStreamID, StreamIDNotIncreasing, FrameOnIdleStream, HeadersOnClosedStream, FrameOnClosedStream,
	ExpectedContinuation, UnexpectedContinuation, HPACKDecodingError, PushPromiseFromClient,
	PriorityUpdateBadStream, SelfDependency, RefusedStream,

	ConnFlowControl, StreamFlowControl, ConnWindowOverflow, StreamWindowOverflow, InitialWindowOverflow,
	FlowControlStall,

	ControlFrameFlood, BufferedBytesExceeded, GlitchFlood, RapidReset, TooManyContinuations, IdleTimeout,
	RequestBodyTimeout, HeaderBlockTimeout, InternalError,

	HeaderListTooLarge, TooManyHeaderFields, TrailersWithoutEndStream, ContentLengthMismatch,
	InvalidContentLength, PseudoHeaderAfterRegular, DuplicatePseudoHeader, UnknownPseudoHeader,
	PseudoHeaderInTrailers, MissingPseudoHeader, ForbiddenPseudoHeader, EmptyPath, InvalidPath,
	InvalidHeaderName, InvalidHeaderValue, ConnectionSpecificHeader, TENotTrailers,

	BodySourceMisbehaved, BodyGeneratorError, HandlerPanic,

	InvalidPreface, InadequateSecurity, WriteStall, AcceptRetry, MaxConnections, H2CUpgradeOverTLS, H2CSettingsNotBase64URL,
	H2CSettingsLength, H2CUpgradeBadSettings, H2CUpgradeBadRequest,
}

// All returns every Name, in the order of this package's documentation, in
// a new slice: a metrics layer can register its counters up front.
func All() []Name { return append([]Name(nil), all[:]...) }
