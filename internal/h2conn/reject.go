package h2conn

import "github.com/h2kit/h2kit/internal/frame"

// Stable names passed to Handler.OnReject, one per reject path. Connection
// errors also carry the name as ConnError.Reason and GOAWAY debug data.
const (
	rejectBadPreface         = "bad_preface"
	rejectFrameTooLarge      = "frame_too_large"
	rejectEncoderTable       = "encoder_table_size"
	rejectFirstNotSettings   = "first_frame_not_settings"
	rejectControlFlood       = "control_frame_flood"
	rejectBufferedBytes      = "buffered_bytes_exceeded"
	rejectGlitchFlood        = "glitch_flood"
	rejectRapidReset         = "rapid_reset"
	rejectSettingsEntries    = "too_many_settings"
	rejectSettingsTimeout    = "settings_ack_timeout"
	rejectPrefaceTimeout     = "preface_timeout"
	rejectIdleTimeout        = "idle_timeout"
	rejectFlowStall          = "flow_control_stall"
	rejectRequestBodyTimeout = "request_body_timeout"
	rejectHeaderBlockTimeout = "header_block_timeout"
	rejectEvenStreamID       = "even_stream_id"
	rejectStreamIDDecreased  = "stream_id_not_increasing"
	rejectIdleFrame          = "frame_on_idle_stream"
	rejectClosedHeaders      = "headers_on_closed_stream"
	rejectStreamClosed       = "frame_on_closed_stream"
	rejectExpectedCont       = "expected_continuation"
	rejectUnexpectedCont     = "unexpected_continuation"
	rejectTooManyConts       = "too_many_continuations"
	rejectCompression        = "hpack_decoding_error"
	rejectPushPromise        = "push_promise_from_client"
	rejectConnFlow           = "conn_flow_control"
	rejectStreamFlow         = "stream_flow_control"
	rejectConnWindowOver     = "conn_window_overflow"
	rejectStreamWindowOver   = "stream_window_overflow"
	rejectInitialWindowOver  = "initial_window_overflow"
	rejectRefusedStream      = "refused_stream"
	rejectSelfDependency     = "self_dependency"
	rejectTrailersNoEnd      = "trailers_without_end_stream"
	rejectHeaderListSize     = "header_list_too_large"
	rejectHeaderFields       = "too_many_header_fields"
	rejectContentLength      = "content_length_mismatch"
	rejectBodySource         = "body_source_misbehaved"
	rejectZeroIncrement      = "zero_window_increment"
	rejectPriorityFrameSize  = "priority_frame_size"
	rejectPriorityUpdateID   = "priority_update_bad_stream"

	// Malformed requests (RFC 9113 §8.1.1): RST_STREAM PROTOCOL_ERROR.
	rejectPseudoAfterRegular = "pseudo_header_after_regular"
	rejectPseudoDuplicate    = "duplicate_pseudo_header"
	rejectPseudoUnknown      = "unknown_pseudo_header"
	rejectPseudoInTrailers   = "pseudo_header_in_trailers"
	rejectPseudoMissing      = "missing_pseudo_header"
	rejectPseudoForbidden    = "forbidden_pseudo_header"
	rejectEmptyPath          = "empty_path"
	rejectInvalidPath        = "invalid_path"
	rejectInvalidName        = "invalid_header_name"
	rejectInvalidValue       = "invalid_header_value"
	rejectConnectionSpecific = "connection_specific_header"
	rejectTE                 = "te_not_trailers"
	rejectBadContentLength   = "invalid_content_length"
)

// RejectNames returns every distinct name Handler.OnReject can receive (each is
// also the Reason of the ConnError when the reject closes the connection),
// so that a metrics layer can register its counters up front.
func RejectNames() []string {
	return append(frame.Reasons(),
		rejectBadPreface,
		rejectEncoderTable,
		rejectFirstNotSettings,
		rejectControlFlood,
		rejectBufferedBytes,
		rejectGlitchFlood,
		rejectRapidReset,
		rejectSettingsEntries,
		rejectSettingsTimeout,
		rejectPrefaceTimeout,
		rejectIdleTimeout,
		rejectFlowStall,
		rejectRequestBodyTimeout,
		rejectHeaderBlockTimeout,
		rejectEvenStreamID,
		rejectStreamIDDecreased,
		rejectIdleFrame,
		rejectClosedHeaders,
		rejectStreamClosed,
		rejectExpectedCont,
		rejectUnexpectedCont,
		rejectTooManyConts,
		rejectCompression,
		rejectPushPromise,
		rejectConnFlow,
		rejectStreamFlow,
		rejectConnWindowOver,
		rejectStreamWindowOver,
		rejectInitialWindowOver,
		rejectRefusedStream,
		rejectSelfDependency,
		rejectTrailersNoEnd,
		rejectHeaderListSize,
		rejectHeaderFields,
		rejectContentLength,
		rejectBodySource,
		rejectPriorityFrameSize,
		rejectPriorityUpdateID,
		rejectPseudoAfterRegular,
		rejectPseudoDuplicate,
		rejectPseudoUnknown,
		rejectPseudoInTrailers,
		rejectPseudoMissing,
		rejectPseudoForbidden,
		rejectEmptyPath,
		rejectInvalidPath,
		rejectInvalidName,
		rejectInvalidValue,
		rejectConnectionSpecific,
		rejectTE,
		rejectBadContentLength,
	)
}
