package h2conn

import "github.com/h2kit/h2kit/internal/frame"

// StreamState is a stream's state in the RFC 9113 §5.1 life cycle. Only
// pushed streams (push.go) use reserved (local); a server never enters
// reserved (remote).
type StreamState uint8

// The stream states of RFC 9113 §5.1.
const (
	StateIdle StreamState = iota
	StateOpen
	StateHalfClosedLocal
	StateHalfClosedRemote
	StateClosed
	StateReservedLocal
	numStates
)

var stateNames = [numStates]string{"idle", "open", "half-closed (local)", "half-closed (remote)", "closed", "reserved (local)"}

// String returns the RFC name of the state.
func (s StreamState) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "invalid"
}

// streamEvent is an input of the §5.1 state machine. Resets are not
// events: RST_STREAM, sent or received, closes a stream from any state
// (closeStream).
type streamEvent uint8

const (
	evRecvHeaders   streamEvent = iota // HEADERS opening the stream
	evRecvEndStream                    // END_STREAM received
	evSendEndStream                    // END_STREAM sent
	evSendHeaders                      // HEADERS sent on a pushed stream
	numEvents
)

var eventNames = [numEvents]string{"recv HEADERS", "recv END_STREAM", "send END_STREAM", "send HEADERS"}

func (e streamEvent) String() string { return eventNames[e] }

// stateInvalid is the zero value of the transitions table: a move the
// table does not list is invalid.
const stateInvalid StreamState = 0xff

// transitions is the RFC 9113 §5.1 diagram for a server:
//
//	idle --recv H--> open --recv ES--> half-closed (remote) --send ES--> closed
//	                 open --send ES--> half-closed (local)  --recv ES--> closed
//	idle --send PP--> reserved (local) --send H--> half-closed (remote)
//
// (the PUSH_PROMISE move is made by Engine.PushPromise, which creates the
// stream in reserved (local) since it was never tracked as idle).
//
// Every move not listed is invalid (next returns stateInvalid): the table
// holds the next state plus one, so that its zero value is "invalid".
var transitions = [numStates][numEvents]StreamState{
	StateIdle:             {evRecvHeaders: StateOpen + 1},
	StateOpen:             {evRecvEndStream: StateHalfClosedRemote + 1, evSendEndStream: StateHalfClosedLocal + 1},
	StateHalfClosedLocal:  {evRecvEndStream: StateClosed + 1},
	StateHalfClosedRemote: {evSendEndStream: StateClosed + 1},
	StateReservedLocal:    {evSendHeaders: StateHalfClosedRemote + 1},
}

// next returns the state after ev, or stateInvalid.
func (s StreamState) next(ev streamEvent) StreamState {
	if s >= numStates || ev >= numEvents || transitions[s][ev] == 0 {
		return stateInvalid
	}
	return transitions[s][ev] - 1
}

// recvAction is what the engine does with a frame received for a stream in
// a given state, before looking at the frame's contents.
type recvAction uint8

const (
	// actIllegal is the zero value: a (state, frame type) pair recvPolicy
	// does not list is refused, and the connection closed with
	// INTERNAL_ERROR, rather than processed in a state nobody thought of.
	actIllegal          recvAction = iota
	actProcess                     // handle the frame
	actIgnore                      // drop it silently (flow control still counted)
	actStreamClosed                // stream error STREAM_CLOSED
	actConnProtocol                // connection error PROTOCOL_ERROR
	actConnStreamClosed            // connection error STREAM_CLOSED
)

// recvState refines StateClosed by how the stream closed, because the RFC
// answers late frames differently in each case. The engine remembers how
// recent streams closed (closedMemory); older ones are rsClosedUnknown.
type recvState uint8

const (
	rsIdle recvState = recvState(StateIdle)
	rsOpen recvState = recvState(StateOpen)
	rsHCL  recvState = recvState(StateHalfClosedLocal)
	rsHCR  recvState = recvState(StateHalfClosedRemote)
	// rsReservedLocal: a pushed stream promised and not yet answered.
	rsReservedLocal recvState = recvState(StateReservedLocal)
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
//   - reserved (local): "Receiving any type of frame other than
//     RST_STREAM, WINDOW_UPDATE, or PRIORITY on a stream in this state MUST
//     be treated as a connection error (Section 5.4.1) of type
//     PROTOCOL_ERROR."
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
// with our own closing. Only the stream-level frame types that reach the
// policy are listed (recvTypes); CONTINUATION never does (outside a header
// block it is always a connection error, §6.10, caught before), nor do the
// connection-level types. Every pair is listed: the zero value,
// actIllegal, fails closed.
var recvPolicy = [numRecvStates][numRecvTypes]recvAction{
	rsIdle: {
		frame.TypeData: actConnProtocol, frame.TypeHeaders: actProcess, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actConnProtocol, frame.TypeWindowUpdate: actConnProtocol,
	},
	rsOpen: {
		frame.TypeData: actProcess, frame.TypeHeaders: actProcess, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actProcess, frame.TypeWindowUpdate: actProcess,
	},
	rsHCL: {
		frame.TypeData: actProcess, frame.TypeHeaders: actProcess, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actProcess, frame.TypeWindowUpdate: actProcess,
	},
	rsReservedLocal: {
		frame.TypeData: actConnProtocol, frame.TypeHeaders: actConnProtocol, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actProcess, frame.TypeWindowUpdate: actProcess,
	},
	rsHCR: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actStreamClosed, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actProcess, frame.TypeWindowUpdate: actProcess,
	},
	rsClosedEnded: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actConnStreamClosed, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore,
	},
	rsClosedPeerReset: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actStreamClosed, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore,
	},
	rsClosedOurReset: {
		frame.TypeData: actIgnore, frame.TypeHeaders: actIgnore, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore,
	},
	rsClosedUnknown: {
		frame.TypeData: actStreamClosed, frame.TypeHeaders: actConnProtocol, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore,
	},
	rsAfterGoAway: {
		frame.TypeData: actIgnore, frame.TypeHeaders: actIgnore, frame.TypePriority: actProcess,
		frame.TypeRSTStream: actIgnore, frame.TypeWindowUpdate: actIgnore,
	},
}

// recvTypes are the frame types that go through recvPolicy.
var recvTypes = [...]frame.Type{frame.TypeData, frame.TypeHeaders, frame.TypePriority, frame.TypeRSTStream, frame.TypeWindowUpdate}

// numRecvTypes sizes recvPolicy's rows: every type of recvTypes is below it.
const numRecvTypes = frame.TypeWindowUpdate + 1

// action returns recvPolicy's entry, actIllegal for any type it does not
// cover.
func action(state recvState, t frame.Type) recvAction {
	if state >= numRecvStates || t >= numRecvTypes {
		return actIllegal
	}
	return recvPolicy[state][t]
}

// closedMemory remembers how recently closed streams closed, so that late
// frames for them get the answer §5.1 gives for that way of closing (see
// recvPolicy). It is a direct-mapped table indexed by stream identifier:
// O(1), and allocation-free once grown. A stream's record lives until a
// stream whose identifier maps to the same slot closes once the table has
// its full size, that is, at least max client-initiated identifiers later;
// an identifier not found is rsClosedUnknown. NewServerConn sizes it from
// Config (closedSlots). The table starts at minClosedSlots when the first
// stream closes and doubles, instead of overwriting a record, until it has
// max slots: a connection that served a few streams holds a few records'
// worth of memory, and no record is forgotten earlier than in a table made
// at full size.
type closedMemory struct {
	slots []closedRec
	mask  uint32
	max   int
}

// minClosedSlots is the closed-stream memory's first size.
const minClosedSlots = 16

// closedRec remembers how one stream closed; id 0 is an empty slot.
type closedRec struct {
	id  uint32
	how recvState
}

// closedSlots is the size of the closed-stream memory: twice
// MaxConcurrentStreams, so that a whole set of concurrent streams can
// close while the frames in flight for the previous set are still
// recognised, rounded up to a power of two, between 64 and 4,096 (a peer
// that closes more streams than that in one round trip loses precision,
// not memory).
func closedSlots(maxStreams uint32) int {
	n := 64
	for n < 4096 && uint64(n) < 2*uint64(maxStreams) {
		n *= 2
	}
	return n
}

// newClosedMemory returns an empty memory of at most slots records (a power
// of two); nothing is allocated before the first add.
func newClosedMemory(slots int) closedMemory { return closedMemory{max: slots} }

// slot maps an identifier to its slot: consecutive client-initiated (odd)
// identifiers to consecutive slots, and our pushed (even) ones to the other
// half of the table, so that a pushed stream does not evict the record of
// the client stream next to it.
func (m *closedMemory) slot(id uint32) *closedRec {
	return &m.slots[(id>>1+(^id&1)*(m.mask/2+1))&m.mask]
}

func (m *closedMemory) add(id uint32, how recvState) {
	if len(m.slots) == 0 {
		m.resize(min(minClosedSlots, m.max))
	}
	r := m.slot(id)
	for r.id != 0 && r.id != id && len(m.slots) < m.max {
		m.resize(2 * len(m.slots))
		r = m.slot(id)
	}
	*r = closedRec{id, how}
}

// resize moves the records to a table of n slots (more than now). Records
// in distinct slots stay in distinct slots: the larger mask only adds bits.
func (m *closedMemory) resize(n int) {
	old := m.slots
	m.slots, m.mask = make([]closedRec, n), uint32(n-1)
	for _, r := range old {
		if r.id != 0 {
			*m.slot(r.id) = r
		}
	}
}

func (m *closedMemory) find(id uint32) recvState {
	if len(m.slots) == 0 {
		return rsClosedUnknown
	}
	if r := m.slot(id); r.id == id && id != 0 {
		return r.how
	}
	return rsClosedUnknown
}
