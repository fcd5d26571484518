// Package static serves the files under a directory over every protocol h2kit
// speaks, with the same answer on each: HTTP/2 and h2c through the native
// handler API (Server.Handler), HTTP/1.1 and rgi/rgih2 through an RGI app
// (Server.App), and net/http (Server is an http.Handler).
//
//	s, err := static.New("/srv/www", &static.Config{Listing: true, Precompressed: true})
//	srv := &h2server.Server{Handler: s.Handler()}
//
// # One core, three front ends
//
// Server.Resolve turns a request (method, target, and the few header fields
// that matter) into a protocol-neutral Response: status, header fields and a
// body that is either bytes of a cached small file or a FileSection of a
// cached descriptor. The front ends only put that on the wire and add date.
// The test TestFrontEndsAgree runs one request table through all three (and
// the RGI app over HTTP/2 through rgi/rgih2) and compares status, header
// fields and content.
//
// # What is answered
//
//   - GET and HEAD; any other method 405 with "allow: GET, HEAD". A target
//     that is not an origin-form path, does not unescape, or contains NUL or
//     "\" after unescaping is 400.
//   - The name is cleaned as a rooted path ("/../x" is "/x") and opened
//     through os.Root, which refuses names and symbolic links leading out of
//     the directory: those, missing names and non-regular files are 404;
//     permission errors 403; other open errors (too many open files, I/O)
//     500, never cached.
//   - A directory without trailing slash is 301 to the slash form (query
//     kept). With it, its index file (Config.Index, default index.html) is
//     served; else, with Config.Listing, a listing: HTML with links, or one
//     name per line as text/plain when accept weighs text/plain above
//     text/html (vary: accept); without Listing, 403.
//   - content-type by extension from a built-in table of the common web
//     types first, so the answer does not depend on the host's
//     /etc/mime.types, then mime.TypeByExtension, then
//     application/octet-stream.
//   - Validators: a strong etag from inode, size and modification time
//     (nanoseconds), and last-modified. If-None-Match (weak comparison, "*")
//     and, without it, If-Modified-Since answer 304 with etag,
//     last-modified and vary.
//   - Range on GET: one byte range (first-last, first-, -suffix) is 206 with
//     content-range; a range starting at or after the end is 416 with
//     "content-range: bytes */size". Several ranges, another unit or a
//     malformed value are ignored and the whole representation is sent with
//     200 (RFC 9110 §14.2 allows it; nginx and http.ServeContent would send
//     multipart/byteranges, this server does not). If-Range must
//     match the etag strongly or equal last-modified, or the range is
//     ignored. HEAD ignores Range.
//   - With Config.Precompressed, x.br or x.gz is served for x when
//     accept-encoding allows it (q-values honoured, "*" counted, br preferred
//     on a tie), with content-encoding, x's content-type and the sibling's
//     own etag and length; Range applies to the encoded bytes. Every response
//     for a file that has a sibling carries "vary: accept-encoding".
//   - A file that cannot be read is 500 when nothing was sent (the first
//     chunk of a large file is read before the headers go out); a read that
//     fails later (a file truncated while cached) aborts the response:
//     RST_STREAM INTERNAL_ERROR on HTTP/2, a closed connection on HTTP/1.1.
//
// # The open-file cache
//
// Files are kept open across requests by an open-file cache, like nginx's
// open_file_cache: the stat result, the header values computed from it
// (content-type, content-length, etag, last-modified, the 200 and 304 field
// lists) and, for files up to Config.SmallFile (64 KiB), the content. A cached
// file is checked again at most once per Config.Revalidate (1 s;
// RevalidateAlways checks every request) by a stat of its name: a different
// size, modification time, mode or inode reopens it, a deleted name answers
// 404, a new name is found. Misses are remembered for the same interval. The
// cache holds at most Config.CacheEntries names (1024) and Config.CacheBytes
// of contents (64 MiB), least recently used out first.
//
// A small cached file is answered without a system call and, through the
// native front end or the RGI front end served by rgi's HTTP/1.1 server,
// without an allocation (the RGI response's header map is a copy of one
// precomputed per file, which the rgi connection hands back for reuse once
// it has written it unchanged). A large file is read with pread
// from the shared descriptor, never through its offset; the cache counts
// references, so an evicted or replaced file's descriptor closes only when
// its last response ends. The net/http front end sends a large file with
// sendfile(2) from a descriptor of its own (Go's sendfile moves the file
// offset), after checking it is the cached version. The RGI front end hands
// the rgi engine an *io.SectionReader of the shared descriptor, which it sends
// with sendfile(2) at explicit offsets over TCP and Unix sockets (and reads
// with pread over TLS); closing the response body releases the file.
package static
