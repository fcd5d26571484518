package static

import (
	"time"

	"github.com/h2kit/h2kit/internal/filecache"
)

// RevalidateAlways, as Config.Revalidate, checks every file on every request
// (nginx's open_file_cache_valid 0).
const RevalidateAlways time.Duration = -1

// Defaults of Config's zero fields. They are written out, so that go doc
// shows them; TestDefaultsMatchCache keeps them the open-file cache's.
const (
	DefaultCacheEntries = 1024
	DefaultCacheBytes   = 64 << 20 // 64 MiB
	DefaultSmallFile    = 64 << 10 // 64 KiB
	DefaultRevalidate   = time.Second
	DefaultIndex        = "index.html"
)

// Config configures a Server. The zero value serves files (no listings, no
// precompressed siblings) with the documented defaults.
type Config struct {
	// CacheEntries bounds the open-file cache in names (files, directories
	// and remembered misses, each file at most one descriptor): default
	// DefaultCacheEntries (1024). With Precompressed a file takes up to
	// three: itself and its .br and .gz names, found or not.
	CacheEntries int
	// CacheBytes bounds the file contents the cache holds in memory:
	// default DefaultCacheBytes (64 MiB).
	CacheBytes int64
	// SmallFile is the largest file kept in memory whole; bigger files are
	// streamed from their cached descriptor with pread. Default
	// DefaultSmallFile (64 KiB), never more than CacheBytes.
	SmallFile int64
	// Revalidate is how long a cached file is trusted before it is stat'ed
	// again (a changed file is reopened, a deleted one answers 404): default
	// DefaultRevalidate (1 s); RevalidateAlways checks on every request.
	Revalidate time.Duration
	// Index is the file served for a directory: default DefaultIndex
	// ("index.html").
	Index string
	// Listing enables directory listings for directories without an index
	// file (HTML, or text/plain when the client prefers it); without it such
	// a directory answers 403, as nginx's autoindex off does.
	Listing bool
	// Precompressed serves x.br or x.gz in place of x when accept-encoding
	// allows, with content-encoding; every response for a file that has such
	// a sibling then carries "vary: accept-encoding".
	Precompressed bool

	// now is the clock of the cache (tests).
	now func() time.Time
}

func (c *Config) withDefaults() Config {
	var d Config
	if c != nil {
		d = *c
	}
	// The cache's defaults are the open-file cache's own (applied there,
	// once); the Default constants above show them (TestDefaultsMatchCache).
	fc := filecache.Config{MaxEntries: d.CacheEntries, MaxBytes: d.CacheBytes, SmallFile: d.SmallFile, Revalidate: d.Revalidate}.WithDefaults()
	d.CacheEntries, d.CacheBytes, d.SmallFile, d.Revalidate = fc.MaxEntries, fc.MaxBytes, fc.SmallFile, fc.Revalidate
	if d.Index == "" {
		d.Index = DefaultIndex
	}
	return d
}
