package main

import (
	"html/template"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/rgi"
)

// hpackPage shows this connection's HPACK dynamic tables (RFC 7541 §2.3.2),
// read with handler.Stream.HPACKTables in OnHeaders, on the connection
// goroutine that owns them: the request side (the decoder's table, built by
// the client's header blocks, this request's included) and the response side
// (the encoder's, built by the server's earlier responses on the
// connection). Reloading the page on the same connection shows them grow.
const hpackPath = "/hpack"

var hpackPage = page{
	Path:  hpackPath,
	Title: "HPACK tables",
	About: "this connection's HPACK dynamic tables, request (decoder) and response (encoder) side, as they are now",
	H2:    hpackH2,
	H1:    hpackH1,
}

var hpackBody = mustBody(`<p>The dynamic tables of the connection this page came over, as they were when the request
arrived: HPACK (RFC 7541) compresses each header field to an index into them. Entry 62 is the newest
(1–61 are the static table). <a href="/hpack">Reload</a> to see them grow on the same connection.</p>
{{range .Tables}}
<h2>{{.Name}}</h2>
<p class="note">{{.What}} {{len .T.Entries}} entries, {{.T.Size}} of {{.T.MaxSize}} octets.</p>
<table class="hpack" id="{{.ID}}">
<thead><tr><th>index</th><th>name</th><th>value</th><th>size</th></tr></thead>
<tbody>
{{- range $i, $e := .T.Entries}}
<tr><td>{{index62 $i}}</td><td>{{$e.Name}}</td><td>{{$e.Value}}</td><td>{{$e.Size}}</td></tr>
{{- else}}
<tr><td colspan="4">(empty)</td></tr>
{{- end}}
</tbody>
</table>
{{end}}
<p class="note">The handler reads them with <code>handler.Stream.HPACKTables</code> from its
<code>OnHeaders</code> callback, on the goroutine that owns the connection.</p>`,
	template.FuncMap{"index62": func(i int) int { return i + 62 }})

type hpackTableView struct {
	Name, What, ID string
	T              handler.HPACKTable
}

func hpackH2(d *demo, s *handler.Stream) handler.RequestHandler {
	sub, _ := subPath(hpackPath, s.Path())
	if sub != "" {
		return d.staticHandler(notFoundReply)
	}
	if rep, ok := getOnly(s.Method()); !ok {
		return d.staticHandler(rep)
	}
	return handler.HandlerFunc(func(s *handler.Stream) {
		t := s.HPACKTables() // in a callback: the tables belong to this goroutine
		body := renderBody(hpackBody, struct{ Tables []hpackTableView }{[]hpackTableView{
			{"Request side (decoder)", "Built by your browser's encoder from the request headers it sent on this connection.", "request-table", t.Request},
			{"Response side (encoder)", "Built by h2kit's encoder from the response headers it sent on this connection.", "response-table", t.Response},
		}})
		d.sendHTML(s, 200, renderPage("HPACK tables", viaStream(s), body))
	})
}

var hpackH1Body = mustBody(`<p id="no-table">{{.}}</p>
<p>HPACK (RFC 7541) is HTTP/2's header compression: each connection keeps two dynamic tables, one per
direction. Open this page over <code>https://</code> with a browser that speaks HTTP/2, or with
<code>nghttp -v</code>, to see them.</p>`)

func hpackH1(d *demo, v via, r *rgi.Request, b rgi.Bodies) rgi.Response {
	drain(r.Body)
	sub, _ := subPath(hpackPath, r.URI)
	if sub != "" {
		return replyResponse(notFoundReply)
	}
	if rep, ok := getOnly(r.Method); !ok {
		return replyResponse(rep)
	}
	msg := "No HPACK table over HTTP/1.1: this connection sends its header fields as plain text."
	if v.http2() {
		msg = "This request came over HTTP/2 but is served by the RGI app through rgih2 (-rgi), which does not reach the connection's tables: run h2demo without -rgi."
	}
	return htmlResponse(200, renderPage("HPACK tables", v, renderBody(hpackH1Body, msg)))
}
