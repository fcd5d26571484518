package h2conn

import "github.com/h2kit/h2kit/internal/frame"

// StreamState is a stream's state in the RFC 9113 §5.1 life cycle. A server
// without push never uses the reserved states.
type StreamState uint8

// The stream states of RFC 9113 §5.1.
const (
	StateIdle StreamState = iota
	StateOpen
	StateHalfClosedLocal
	StateHalfClosedRemote
	StateClosed
	numStates
)

var stateNames = [numStates]string{"idle", "open", "half-closed (local)", "half-closed (remote)", "closed"}

// String returns the RFC name of the state.
func (s StreamState) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "invalid"
}

// streamEvent is an input of the §5.1 state machine.
type streamEvent uint8

const (
	evRecvHeaders   streamEvent = iota // HEADERS opening the stream
	evRecvEndStream                    // END_STREAM received
	evSendEndStream                    // END_STREAM sent
	evReset                            // RST_STREAM sent or received
	numEvents
)

const stateInvalid StreamState = 0xff

// transitions is the RFC 9113 §5.1 diagram for a server (no push):
//
//	idle --recv H--> open --recv ES--> half-closed (remote) --send ES--> closed
//	                 open --send ES--> half-closed (local)  --recv ES--> closed
//	any --RST--> closed
var transitions = [numStates][numEvents]StreamState{
	StateIdle:             {evRecvHeaders: StateOpen, evRecvEndStream: stateInvalid, evSendEndStream: stateInvalid, evReset: StateClosed},
	StateOpen:             {evRecvHeaders: stateInvalid, evRecvEndStream: StateHalfClosedRemote, evSendEndStream: StateHalfClosedLocal, evReset: StateClosed},
	StateHalfClosedLocal:  {evRecvHeaders: stateInvalid, evRecvEndStream: StateClosed, evSendEndStream: stateInvalid, evReset: StateClosed},
	StateHalfClosedRemote: {evRecvHeaders: stateInvalid, evRecvEndStream: stateInvalid, evSendEndStream: StateClosed, evReset: StateClosed},
	StateClosed:           {evRecvHeaders: stateInvalid, evRecvEndStream: stateInvalid, evSendEndStream: stateInvalid, evReset: StateClosed},
}

// next returns the state after ev, or stateInvalid.
func (s StreamState) next(ev streamEvent) StreamState { return transitions[s][ev] }

// recvAction is what the engine does with a frame received for a stream in
// a given state, before looking at the frame's contents.
type recvAction uint8

const (
	actProcess          recvAction = iota // handle the frame
	actIgnore                             // drop it silently
	actStreamClosed                       // stream error STREAM_CLOSED
	actConnProtocol                       // connection error PROTOCOL_ERROR
	actConnStreamClosed                   // connection error STREAM_CLOSED
)

// recvPolicy encodes the per-state receive rules of RFC 9113 §5.1 for the
// stream-level frame types. "closed" covers every stream ID at or below the
// highest one the peer has opened that the engine no longer tracks.
//
//   - idle: "Receiving any frame other than HEADERS or PRIORITY on a stream
//     in this state MUST be treated as a connection error (Section 5.4.1) of
//     type PROTOCOL_ERROR."
//   - half-closed (remote): "If an endpoint receives additional frames, other
//     than WINDOW_UPDATE, PRIORITY, or RST_STREAM, for a stream that is in
//     this state, it MUST respond with a stream error (Section 5.4.2) of type
//     STREAM_CLOSED."
//   - closed: "An endpoint that receives any frame other than PRIORITY after
//     receiving a RST_STREAM MUST treat that as a stream error (Section
//     5.4.2) of type STREAM_CLOSED." WINDOW_UPDATE and RST_STREAM that race
//     with our own closing are ignored ("An endpoint MUST ignore frames that
//     it receives on closed streams after it has sent a RST_STREAM frame"),
//     and a HEADERS frame on a closed stream is a connection error
//     STREAM_CLOSED, as §5.1.1 forbids reusing a stream identifier.
var recvPolicy = [numStates][frame.TypeContinuation + 1]recvAction{
	StateIdle: {
		frame.TypeData: actConnProtocol, frame.TypeHeaders: actProcess, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actConnProtocol, frame.TypeWindowUpdate: actConnProtocol, frame.TypeContinuation: actConnProtocol,
	},
	StateOpen:            {},
	StateHalfClosedLocal: {},
	StateHalfClosedRemote: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actStreamClosed, frame.TypeContinuation: actStreamClosed,
	},
	StateClosed: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actConnStreamClosed, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore, frame.TypeContinuation: actConnProtocol,
	},
}
