package static

import (
	"mime"
	"path"
	"strings"
)

// builtinTypes maps the extensions a web site mostly serves to their media
// types, so that the answer does not depend on the host's /etc/mime.types
// (which mime.TypeByExtension merges in). Other extensions go to
// mime.TypeByExtension, then to application/octet-stream.
var builtinTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".htm":   "text/html; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".txt":   "text/plain; charset=utf-8",
	".md":    "text/markdown; charset=utf-8",
	".csv":   "text/csv; charset=utf-8",
	".xml":   "text/xml; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".avif":  "image/avif",
	".ico":   "image/vnd.microsoft.icon",
	".wasm":  "application/wasm",
	".pdf":   "application/pdf",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".ttf":   "font/ttf",
	".otf":   "font/otf",
	".mp4":   "video/mp4",
	".webm":  "video/webm",
	".mp3":   "audio/mpeg",
	".ogg":   "audio/ogg",
	".zip":   "application/zip",
	".gz":    "application/gzip",
	".br":    "application/octet-stream",
	".tar":   "application/x-tar",
}

// contentType returns the media type for a file name's extension (matched
// case-insensitively).
func contentType(name string) string {
	ext := path.Ext(name)
	if t, ok := builtinTypes[ext]; ok {
		return t
	}
	if t, ok := builtinTypes[strings.ToLower(ext)]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
