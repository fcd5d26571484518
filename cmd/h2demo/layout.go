package main

import (
	"bytes"
	"html/template"
)

// layout is the frame of every HTML page of the embedded site: the shared
// style sheet and favicon, a header naming the protocol the page came over,
// and a footer that says how.
var layout = template.Must(template.New("layout").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if eq .Title "h2kit demo"}}{{.Title}}{{else}}{{.Title}} · h2kit demo{{end}}</title>
<link rel="stylesheet" href="/style.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<header><a class="home" href="/">h2kit demo</a> <span class="proto" id="proto" title="{{.Via.Describe}}">{{.Via.Proto}}</span></header>
<main>
<h1>{{.Title}}</h1>
{{.Body}}
</main>
<footer>This page came over <strong>{{.Via.Proto}}</strong>: {{.Via.Describe}}.</footer>
</body>
</html>
`))

// viaView is what the layout shows of a via.
type viaView struct{ Proto, Describe string }

// renderPage returns an HTML page of the demo with title and body (trusted
// HTML made by the page's own template).
func renderPage(title string, v via, body template.HTML) []byte {
	var b bytes.Buffer
	err := layout.Execute(&b, struct {
		Title string
		Via   viaView
		Body  template.HTML
	}{title, viaView{v.proto(), v.describe()}, body})
	if err != nil {
		panic(err) // the template and its data are fixed: a bug
	}
	return b.Bytes()
}

// renderBody executes one page's body template with data.
func renderBody(t *template.Template, data any) template.HTML {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		panic(err) // the templates are fixed and their data plain values: a bug
	}
	return template.HTML(b.String())
}

// mustBody parses a page's body template, with funcs if any.
func mustBody(text string, funcs ...template.FuncMap) *template.Template {
	t := template.New("body")
	for _, f := range funcs {
		t.Funcs(f)
	}
	return template.Must(t.Parse(text))
}
