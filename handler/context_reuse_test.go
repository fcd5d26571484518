package handler

import "testing"

// TestStaleContextDoesNotPoisonReuse: Context called on a closed Stream
// (a stale *Stream held by another goroutine, in the window where recycle
// has dropped the context but not yet reset the state) returns a cancelled
// context, and the request that reuses the Stream next still gets a live
// one. Before, the cancelled context was stored and became the next
// request's.
func TestStaleContextDoesNotPoisonReuse(t *testing.T) {
	s := &Stream{conn: &connState{}}
	s.state.Store(stClosed) // closed; recycle has set ctx to nil
	if s.Context().Err() == nil {
		t.Fatal("Context of a closed stream is not cancelled")
	}
	s.state.Store(0) // recycle resets the state; the Stream serves the next request
	if err := s.Context().Err(); err != nil {
		t.Fatalf("the next request's Context: %v, want a live context", err)
	}
}
