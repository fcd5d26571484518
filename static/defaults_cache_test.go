package static

import (
	"testing"

	"github.com/h2kit/h2kit/internal/filecache"
)

// The defaults static documents are the ones its open-file cache applies
// (they are written out in config.go so that go doc shows their values).
func TestDefaultsMatchCache(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"RevalidateAlways", int64(RevalidateAlways), int64(filecache.RevalidateAlways)},
		{"DefaultCacheEntries", DefaultCacheEntries, filecache.DefaultMaxEntries},
		{"DefaultCacheBytes", DefaultCacheBytes, filecache.DefaultMaxBytes},
		{"DefaultSmallFile", DefaultSmallFile, filecache.DefaultSmallFile},
		{"DefaultRevalidate", int64(DefaultRevalidate), int64(filecache.DefaultRevalidate)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, the cache's is %d", c.name, c.got, c.want)
		}
	}
}
