package main

// indexBody is the index's content; the layout around it names the protocol
// the page came over.
var indexBody = mustBody(`<p class="lead">This page came to you over <strong id="index-proto">{{.Proto}}</strong>:
{{.Describe}}.</p>
<p>Every page below is a small file of <code>cmd/h2demo</code> using h2kit's per-stream handler API as it is
meant to be used. Over HTTP/1.1 the same site is served by the demo's fallback, which lacks the
HTTP/2-only features (each page says what it does instead).</p>
<h2>Pages</h2>
<ul class="pages">
{{- range .Pages}}
<li><a href="{{.Path}}">{{.Path}}</a> <strong>{{.Title}}</strong>: {{.About}}</li>
{{- end}}
</ul>
<h2>Files</h2>
<ul>
<li><a href="/hello.txt">/hello.txt</a> (12 bytes)</li>
<li><a href="/1m">/1m</a> (1 MiB, generated, for benchmarks)</li>
</ul>
<h2>See the protocol</h2>
<pre>curl -k -sS -o /dev/null -w '%{http_version}\n' https://127.0.0.1:8443/     # 2
curl -sS --http2-prior-knowledge -o /dev/null -w '%{http_version}\n' http://127.0.0.1:8080/   # 2 (h2c)
curl -k -sS --http1.1 https://127.0.0.1:8443/ | grep index-proto   # HTTP/1.1
nghttp -nv https://127.0.0.1:8443/                                   # every frame</pre>
`)

// renderIndex returns the index as it is served over v.
func renderIndex(v via) []byte {
	body := renderBody(indexBody, struct {
		Proto, Describe string
		Pages           []*page
	}{v.proto(), v.describe(), pages})
	return renderPage("h2kit demo", v, body)
}
