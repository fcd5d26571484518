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
	actIgnore                             // drop it silently (flow control still counted)
	actStreamClosed                       // stream error STREAM_CLOSED
	actConnProtocol                       // connection error PROTOCOL_ERROR
	actConnStreamClosed                   // connection error STREAM_CLOSED
)

// recvState refines StateClosed by how the stream closed, because the RFC
// answers late frames differently in each case. The engine remembers how
// the last closedRingSize streams closed; older ones are closedUnknown.
type recvState uint8

const (
	rsIdle recvState = recvState(StateIdle)
	rsOpen recvState = recvState(StateOpen)
	rsHCL  recvState = recvState(StateHalfClosedLocal)
	rsHCR  recvState = recvState(StateHalfClosedRemote)
	// rsClosedEnded: both sides sent END_STREAM.
	rsClosedEnded recvState = recvState(StateClosed)
	// rsClosedPeerReset: the peer sent RST_STREAM.
	rsClosedPeerReset recvState = recvState(numStates)
	// rsClosedOurReset: we sent RST_STREAM (or refused or ignored the stream).
	rsClosedOurReset recvState = rsClosedPeerReset + 1
	// rsClosedUnknown: an ID at or below the highest one used that is not
	// remembered (closed long ago, or skipped and so implicitly closed).
	rsClosedUnknown recvState = rsClosedPeerReset + 2
	// rsAfterGoAway: an ID above the last-stream-id of the final GOAWAY we
	// sent that is not an active stream.
	rsAfterGoAway recvState = rsClosedPeerReset + 3
	numRecvStates           = rsClosedPeerReset + 4
)

// recvPolicy encodes the per-state receive rules of RFC 9113 §5.1 for the
// stream-level frame types:
//
//   - idle: "Receiving any frame other than HEADERS or PRIORITY on a stream
//     in this state MUST be treated as a connection error (Section 5.4.1) of
//     type PROTOCOL_ERROR."
//   - half-closed (remote): "If an endpoint receives additional frames, other
//     than WINDOW_UPDATE, PRIORITY, or RST_STREAM, for a stream that is in
//     this state, it MUST respond with a stream error (Section 5.4.2) of type
//     STREAM_CLOSED."
//   - closed after the peer's RST_STREAM: "An endpoint that receives any
//     frame other than PRIORITY after receiving a RST_STREAM MUST treat that
//     as a stream error (Section 5.4.2) of type STREAM_CLOSED."
//   - closed after our RST_STREAM: "An endpoint MUST ignore frames that it
//     receives on closed streams after it has sent a RST_STREAM frame."
//   - closed after END_STREAM both ways: DATA is a stream error
//     STREAM_CLOSED; HEADERS is a connection error STREAM_CLOSED ("An
//     endpoint that receives any frames after receiving a frame with the
//     END_STREAM flag set MUST treat that as a connection error ... of type
//     STREAM_CLOSED" for frames that would reopen it).
//   - an identifier never opened, or forgotten: §5.1.1, "The identifier of a
//     newly established stream MUST be numerically greater than all streams
//     that the initiating endpoint has opened ... An endpoint that receives
//     an unexpected stream identifier MUST respond with a connection error
//     (Section 5.4.1) of type PROTOCOL_ERROR."
//   - above the last stream identifier of our final GOAWAY (§6.8): "After
//     sending a GOAWAY frame, the sender can discard frames for streams
//     initiated by the receiver with identifiers higher than the identified
//     last stream." Discarding still keeps the connection state: a HEADERS
//     block is decoded (HPACK stays in step) and DATA is counted against the
//     connection window ("any frames that alter connection state cannot be
//     completely ignored"); the stream is never opened, so it does not count
//     as processed in a later GOAWAY either.
//
// WINDOW_UPDATE and RST_STREAM on any closed stream are ignored: they race
// with our own closing. CONTINUATION outside a header block is always a
// connection error (§6.10), caught before the table is consulted.
var recvPolicy = [numRecvStates][frame.TypeContinuation + 1]recvAction{
	rsIdle: {
		frame.TypeData: actConnProtocol, frame.TypeHeaders: actProcess, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actConnProtocol, frame.TypeWindowUpdate: actConnProtocol, frame.TypeContinuation: actConnProtocol,
	},
	rsOpen: {},
	rsHCL:  {},
	rsHCR: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actStreamClosed, frame.TypeContinuation: actStreamClosed,
	},
	rsClosedEnded: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actConnStreamClosed, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore, frame.TypeContinuation: actConnProtocol,
	},
	rsClosedPeerReset: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actStreamClosed, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore, frame.TypeContinuation: actConnProtocol,
	},
	rsClosedOurReset: {
		frame.TypeData: actIgnore, frame.TypeHeaders: actIgnore, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore, frame.TypeContinuation: actConnProtocol,
	},
	rsClosedUnknown: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actConnProtocol, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore, frame.TypeContinuation: actConnProtocol,
	},
	rsAfterGoAway: {
		frame.TypeData: actIgnore, frame.TypeHeaders: actIgnore, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore, frame.TypeContinuation: actConnProtocol,
	},
}

// closedRingSize is how many closed streams the engine remembers.
const closedRingSize = 128

// closedRec remembers how one stream closed.
type closedRec struct {
	id  uint32
	how recvState
}

// closedRing is a fixed-size memory of recently closed streams.
type closedRing struct {
	recs [closedRingSize]closedRec
	next int
}

func (r *closedRing) add(id uint32, how recvState) {
	r.recs[r.next] = closedRec{id, how}
	r.next = (r.next + 1) % closedRingSize
}

func (r *closedRing) find(id uint32) recvState {
	for i := range r.recs {
		if r.recs[i].id == id {
			return r.recs[i].how
		}
	}
	return rsClosedUnknown
}
