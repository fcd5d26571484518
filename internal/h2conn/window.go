package h2conn

import "github.com/h2kit/h2kit/internal/frame"

// Flow-control windows (RFC 9113 §5.2, §6.9). Every flow-control number of
// the engine is a window or an inflow, and every change to one goes
// through the methods below, which enforce the limits of the RFC.

// window is one flow-control window: the octets of DATA the sender may
// still send. It is signed because a decrease of
// SETTINGS_INITIAL_WINDOW_SIZE can make it negative. RFC 9113 §6.9.2: "A
// change to SETTINGS_INITIAL_WINDOW_SIZE can cause the available space in
// a flow-control window to become negative. A sender MUST track the
// negative flow-control window and MUST NOT send new flow-controlled
// frames until it receives WINDOW_UPDATE frames that cause the
// flow-control window to become positive."
type window int64

// available returns the octets that may be sent now; ≤ 0 means none.
func (w window) available() int64 { return int64(w) }

// take spends n octets. It reports false, and spends nothing, when n is
// more than is available: for a receive window the peer has violated flow
// control (RFC 9113 §6.9.1: "A receiver MAY respond with a stream error
// ... or a connection error ... of type FLOW_CONTROL_ERROR if it is unable
// to accept a frame"); on the send side the engine never asks for more
// than available.
func (w *window) take(n int64) bool {
	if n < 0 || n > int64(*w) {
		return false
	}
	*w -= window(n)
	return true
}

// add changes the window by n (n < 0 for a decrease of
// SETTINGS_INITIAL_WINDOW_SIZE). It reports false, and changes nothing,
// when the window would pass 2^31-1. RFC 9113 §6.9.1: "A sender MUST NOT
// allow a flow-control window to exceed 2^31-1 octets. If a sender
// receives a WINDOW_UPDATE that causes a flow-control window to exceed
// this maximum, it MUST terminate either the stream or the connection, as
// appropriate." §6.9.2: "An endpoint MUST treat a change to
// SETTINGS_INITIAL_WINDOW_SIZE that causes any flow-control window to
// exceed the maximum size as a connection error (Section 5.4.1) of type
// FLOW_CONTROL_ERROR."
func (w *window) add(n int64) bool {
	if int64(*w)+n > frame.MaxWindow {
		return false
	}
	*w += window(n)
	return true
}

// inflow is a receive window together with the octets consumed (by the
// handler, or discarded by the engine) that have not been returned to the
// peer yet. Credits are batched: a WINDOW_UPDATE goes out once half the
// window is owed, so that the peer never stalls and small reads do not
// each cost a frame. At any time, win + octets taken and not yet credited
// + unsent equals the window's initial size, so win never passes it (nor
// 2^31-1).
type inflow struct {
	win    window // what the peer may still send
	unsent int64  // credited, not yet returned with WINDOW_UPDATE
}

func newInflow(size uint32) inflow { return inflow{win: window(size)} }

// take accounts for n octets of flow-controlled DATA from the peer; false
// means the peer sent more than the window allowed.
func (f *inflow) take(n int64) bool { return f.win.take(n) }

// credit gives back n octets taken earlier. Once at least threshold octets
// are owed it returns them as the increment of a WINDOW_UPDATE to send now,
// and opens the window by as much; otherwise it returns 0.
func (f *inflow) credit(n, threshold int64) uint32 {
	f.unsent += n
	if f.unsent <= 0 || f.unsent < threshold {
		return 0
	}
	inc := f.unsent
	f.unsent = 0
	f.win += window(inc) // within the initial size: see inflow
	return uint32(inc)
}
