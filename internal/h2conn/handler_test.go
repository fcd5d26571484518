package h2conn

import (
	"fmt"
	"strings"

	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/reject"
)

// recHandler records events and answers every request with 200 "hello,
// world\n" when it has been received completely, unless hooks say
// otherwise.
type recHandler struct {
	c        *Engine
	events   []string
	rejects  []reject.Name
	closes   map[uint32]ErrCode
	body     []byte
	manual   bool // do not answer automatically
	consume  bool // Consume request DATA at once
	onHdr    func(st *Stream)
	onEnd    func(st *Stream)
	onData   func(st *Stream, data []byte)
	lastData []byte
}

func newRecHandler() *recHandler {
	return &recHandler{closes: map[uint32]ErrCode{}, body: []byte("hello, world\n"), consume: true}
}

func (h *recHandler) OnHeaders(st *Stream) {
	h.events = append(h.events, fmt.Sprintf("headers %d %s %s", st.ID, st.Method(), st.Path()))
	if h.onHdr != nil {
		h.onHdr(st)
	}
}

func (h *recHandler) OnData(st *Stream, data []byte) {
	h.events = append(h.events, fmt.Sprintf("data %d %d", st.ID, len(data)))
	h.lastData = append(h.lastData[:0], data...)
	if h.onData != nil {
		h.onData(st, data)
		return
	}
	if h.consume {
		h.c.Consume(st, len(data))
	}
}

func (h *recHandler) OnTrailers(st *Stream) {
	var b strings.Builder
	for _, f := range st.Trailers() {
		b.WriteString(" " + f.Name + "=" + f.Value)
	}
	h.events = append(h.events, fmt.Sprintf("trailers %d%s", st.ID, b.String()))
}

func (h *recHandler) OnEndStream(st *Stream) {
	h.events = append(h.events, fmt.Sprintf("end %d", st.ID))
	if h.onEnd != nil {
		h.onEnd(st)
		return
	}
	if h.manual {
		return
	}
	h.respond(st)
}

func (h *recHandler) respond(st *Stream) {
	if err := h.c.SendHeaders(st, 200, []hpack.HeaderField{{Name: "content-type", Value: "text/plain"}}, false); err != nil {
		panic(err)
	}
	if err := h.c.SetBodyBytes(st, h.body); err != nil {
		panic(err)
	}
}

func (h *recHandler) OnClose(st *Stream, code ErrCode) {
	h.events = append(h.events, fmt.Sprintf("close %d %s", st.ID, code))
	h.closes[st.ID] = code
}

func (h *recHandler) OnReject(name reject.Name) { h.rejects = append(h.rejects, name) }

func (h *recHandler) setConn(c *Engine) { h.c = c }
