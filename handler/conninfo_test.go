package handler

import (
	"context"
	"testing"

	"github.com/h2kit/h2kit/internal/frame"
	"github.com/h2kit/h2kit/internal/h2conn"
)

// connRecorder records what its streams see of their connection.
type connRecorder struct {
	BaseRequestHandler
	infos      []ConnInfo
	ctxAtClose []error // the connection context's error when OnClose ran
}

func (h *connRecorder) OnHeaders(s *Stream) { h.infos = append(h.infos, s.Conn()) }
func (h *connRecorder) OnClose(s *Stream, _ ErrCode) {
	h.ctxAtClose = append(h.ctxAtClose, s.Conn().Context.Err())
}

// TestConnInfoIDAndContext: every stream of a connection carries the
// connection's ID (non-zero, different for another connection) and Context;
// the Context is cancelled by Close, after the open streams got OnClose, and
// carries the BaseContext's values but not its cancellation.
func TestConnInfoIDAndContext(t *testing.T) {
	type key struct{}
	base, cancelBase := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	h1, h2 := &connRecorder{}, &connRecorder{}
	p1 := newPeer(t, h2conn.Config{}, one(h1), Options{BaseContext: base})
	p2 := newPeer(t, h2conn.Config{}, one(h2), Options{})
	p1.handshake()
	p2.handshake()
	p1.request(1, "POST", "/", false)
	p1.request(3, "POST", "/", false)
	p2.request(1, "POST", "/", false)

	if len(h1.infos) != 2 || len(h2.infos) != 1 {
		t.Fatalf("OnHeaders calls: %d and %d", len(h1.infos), len(h2.infos))
	}
	id1, id2 := h1.infos[0].ID, h2.infos[0].ID
	if id1 == 0 || id2 == 0 || id1 == id2 {
		t.Fatalf("connection IDs %d and %d: want distinct and non-zero", id1, id2)
	}
	if h1.infos[1].ID != id1 || h1.infos[1].Context != h1.infos[0].Context {
		t.Fatal("two streams of one connection see different IDs or contexts")
	}
	ctx := h1.infos[0].Context
	if ctx.Value(key{}) != "v" {
		t.Error("connection context lacks the BaseContext's values")
	}
	cancelBase()
	if ctx.Err() != nil {
		t.Fatal("connection context cancelled with the BaseContext")
	}

	p1.c.Close(frame.ErrCodeCancel)
	if ctx.Err() == nil {
		t.Fatal("connection context not cancelled by Close")
	}
	if len(h1.ctxAtClose) != 2 || h1.ctxAtClose[0] != nil || h1.ctxAtClose[1] != nil {
		t.Errorf("context errors seen in OnClose: %v; want two nil (streams close first)", h1.ctxAtClose)
	}
	p1.c.Close(frame.ErrCodeCancel) // idempotent
	if h2.infos[0].Context.Err() != nil {
		t.Error("closing one connection cancelled another's context")
	}
	p2.c.Close(frame.ErrCodeCancel)
	if h2.infos[0].Context.Err() == nil {
		t.Error("second connection's context not cancelled")
	}
}
