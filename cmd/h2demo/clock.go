package main

import (
	"iter"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
)

// clockPage streams the server's clock as server-sent events (the HTML
// Standard's text/event-stream): /clock is the page, /clock/events the
// stream. Over HTTP/2 the stream's body is a generator that returns
// DataDeferred when it has nothing to send; a ticker goroutine adds an event
// every second and wakes it through the stream's Handle (Resume), and stops
// when the stream closes, whoever closed it. Over HTTP/1.1 the same events go
// out as the chunks of a chunked body.
//
// /clock/events?n=3 ends the stream after 3 events; ?ms=250 ticks every 250
// ms (10 to 60000) instead of every second.
const clockPath = "/clock"

var clockPage = page{
	Path:  clockPath,
	Title: "Clock",
	About: "server-sent events from a body generator that returns DataDeferred, resumed by a ticker goroutine through a Handle",
	H2:    clockH2,
	H1:    clockH1,
}

var clockBody = mustBody(`<p>The server's clock, one event a second over the protocol above:</p>
<p class="clock"><output id="now">{{.Now}}</output></p>
<p>Events received: <output id="count">0</output></p>
<noscript><p class="note">Without JavaScript this page shows the time it was served. The stream itself is
<a href="/clock/events?n=5">/clock/events</a>; watch it with
<code>curl -kN https://127.0.0.1:8443/clock/events</code>.</p></noscript>
<p class="note">Each event is one DATA frame. The response body is a <code>handler.BodyGenerator</code> that
returns <code>DataDeferred</code> between ticks; a goroutine holding the stream's <code>handler.Handle</code>
queues the next event and calls <code>Resume</code>, and returns when the stream closes.</p>
<script>
(function () {
  var now = document.getElementById("now"), count = document.getElementById("count"), n = 0;
  var es = new EventSource("/clock/events");
  es.onmessage = function (e) { now.textContent = e.data; count.textContent = ++n; };
})();
</script>`)

// sseFields are the header fields of the event stream. RFC 9113 forbids
// connection-specific fields, so there is no "connection: keep-alive".
var sseFields = []hpack.HeaderField{{Name: "content-type", Value: "text/event-stream"}, {Name: "cache-control", Value: "no-store"}}

// clockParams reads the event stream's query: the number of events (0:
// endless) and the interval.
func clockParams(query string) (n int, every time.Duration) {
	n, every = 0, time.Second
	for query != "" {
		var kv string
		kv, query, _ = strings.Cut(query, "&")
		k, v, _ := strings.Cut(kv, "=")
		i, err := strconv.Atoi(v)
		switch {
		case err != nil:
		case k == "n" && i > 0:
			n = i
		case k == "ms" && i >= 10 && i <= 60000:
			every = time.Duration(i) * time.Millisecond
		}
	}
	return n, every
}

// appendEvent appends event number id (from 1) for the time t.
func appendEvent(b []byte, id int, t time.Time) []byte {
	if id == 1 {
		// The reconnection time (ms) an EventSource waits after the
		// stream ends.
		b = append(b, "retry: 2000\n"...)
	}
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, "\ndata: "...)
	b = t.UTC().AppendFormat(b, time.RFC3339)
	return append(b, "\n\n"...)
}

func clockH2(d *demo, s *handler.Stream) handler.RequestHandler {
	sub, query := subPath(clockPath, s.Path())
	if rep, ok := getOnly(s.Method()); !ok {
		return d.staticHandler(rep)
	}
	switch sub {
	case "", "/":
		body := renderBody(clockBody, struct{ Now string }{time.Now().UTC().Format(time.RFC3339)})
		return handler.HandlerFunc(func(s *handler.Stream) { d.sendHTML(s, 200, renderPage("Clock", viaStream(s), body)) })
	case "/events":
		n, every := clockParams(query)
		return &clockStream{d: d, limit: n, every: every, done: make(chan struct{})}
	}
	return d.staticHandler(notFoundReply)
}

// clockStream is the event stream of one HTTP/2 request.
type clockStream struct {
	handler.BaseRequestHandler
	d     *demo
	limit int // events to send, 0 for no end
	every time.Duration
	done  chan struct{} // closed by OnClose: the ticker goroutine returns

	mu      sync.Mutex
	pending []byte // events not yet handed to the connection
	n       int    // events made
	end     bool   // the last event is in pending
	out     []byte // the generator's result, reused
}

func (c *clockStream) OnHeaders(s *handler.Stream) {
	if s.Method() == "HEAD" {
		// A body of unknown length, so that no content-length: 0 is
		// added; the handler layer sends no content for HEAD.
		c.d.sendFields(s, sseFields, handler.BodyGenerator(func(int) ([]byte, handler.DataFlag) { return nil, handler.DataEOF }))
		return
	}
	c.tick(time.Now())
	c.d.sendFields(s, sseFields, handler.BodyGenerator(c.next))
	// The goroutine may outlive the stream: it holds a Handle, never s.
	go c.run(s.Handle())
}

// OnClose stops the ticker goroutine, whether the response ended, the client
// reset the stream or the connection went away.
func (c *clockStream) OnClose(*handler.Stream, handler.ErrCode) { close(c.done) }

// tick queues the next event; it reports whether that was the last one.
func (c *clockStream) tick(now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	c.pending = appendEvent(c.pending, c.n, now)
	c.end = c.limit > 0 && c.n >= c.limit
	return c.end
}

// clockExitHook, when set, is called when a clock's ticker goroutine
// (HTTP/2) or event sequence (HTTP/1.1) returns; tests watch it.
var clockExitHook atomic.Pointer[func()]

func clockExited() {
	if f := clockExitHook.Load(); f != nil {
		(*f)()
	}
}

// run adds an event every tick and wakes the generator, until the stream
// closes, the last event is queued, or the server shuts down.
func (c *clockStream) run(h handler.Handle) {
	defer clockExited()
	t := time.NewTicker(c.every)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-c.d.closing:
			c.mu.Lock()
			c.end = true
			c.mu.Unlock()
			h.Resume()
			return
		case now := <-t.C:
			last := c.tick(now)
			h.Resume() // a no-op once the stream has closed
			if last {
				return
			}
		}
	}
}

// next is the body generator: it hands over what the ticker queued, and
// defers when there is nothing (run resumes it).
func (c *clockStream) next(max int) ([]byte, handler.DataFlag) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		if c.end {
			return nil, handler.DataEOF
		}
		return nil, handler.DataDeferred
	}
	k := min(max, len(c.pending))
	// The result is copied before the generator runs again, so out is
	// reused; pending keeps only what is left.
	c.out = append(c.out[:0], c.pending[:k]...)
	c.pending = c.pending[:copy(c.pending, c.pending[k:])]
	if len(c.pending) == 0 && c.end {
		return c.out, handler.DataEOF
	}
	return c.out, handler.DataOK
}

func clockH1(d *demo, v via, r *rgi.Request, b rgi.Bodies) rgi.Response {
	drain(r.Body)
	sub, query := subPath(clockPath, r.URI)
	if rep, ok := getOnly(r.Method); !ok {
		return replyResponse(rep)
	}
	switch sub {
	case "", "/":
		body := renderBody(clockBody, struct{ Now string }{time.Now().UTC().Format(time.RFC3339)})
		return htmlResponse(200, renderPage("Clock", v, body))
	case "/events":
		h := map[string]string{"content-type": "text/event-stream", "cache-control": "no-store"}
		if r.Method == "HEAD" {
			return rgi.Response{Status: 200, Reason: "OK", Headers: h}
		}
		n, every := clockParams(query)
		return rgi.Response{Status: 200, Reason: "OK", Headers: h, Body: b.ChunkedBodyIter(clockChunks(d, n, every))}
	}
	return replyResponse(notFoundReply)
}

// clockChunks is the event stream as chunks for the RGI side: it runs on the
// goroutine writing the response, which stops asking for chunks (yield
// returns false) when a write fails because the client went away.
func clockChunks(d *demo, limit int, every time.Duration) iter.Seq[rgi.Chunk] {
	return func(yield func(rgi.Chunk) bool) {
		defer clockExited()
		t := time.NewTicker(every)
		defer t.Stop()
		now := time.Now()
		for n := 1; ; n++ {
			if !yield(rgi.Chunk{Data: appendEvent(nil, n, now)}) {
				return
			}
			if limit > 0 && n >= limit {
				break
			}
			select {
			case now = <-t.C:
				continue
			case <-d.closing:
			}
			break
		}
		yield(rgi.Chunk{}) // the last, empty chunk
	}
}
