package static

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLimitsReachTheCache: each Config bound is applied at its threshold.
func TestLimitsReachTheCache(t *testing.T) {
	dir := t.TempDir()
	for i, size := range []int{10, 10, 11} {
		write(t, filepath.Join(dir, fmt.Sprint("f", i)), strings.Repeat("z", size))
	}
	t.Run("CacheEntries", func(t *testing.T) {
		s, err := New(dir, &Config{CacheEntries: 2})
		require.NoError(t, err)
		defer s.Close()
		get(t, s, "/f0")
		get(t, s, "/f1")
		n, _ := s.cache.Len()
		require.Equal(t, 2, n)
		get(t, s, "/f2")
		n, _ = s.cache.Len()
		require.Equal(t, 2, n)
	})
	t.Run("CacheBytes", func(t *testing.T) {
		s, err := New(dir, &Config{CacheBytes: 20, SmallFile: 20})
		require.NoError(t, err)
		defer s.Close()
		get(t, s, "/f0")
		get(t, s, "/f1")
		_, b := s.cache.Len()
		require.Equal(t, int64(20), b)
		get(t, s, "/f2")
		_, b = s.cache.Len()
		require.Equal(t, int64(11), b)
	})
	t.Run("SmallFile", func(t *testing.T) {
		s, err := New(dir, &Config{SmallFile: 10})
		require.NoError(t, err)
		defer s.Close()
		r := s.Resolve(&Request{Method: "GET", Target: "/f0"})
		require.NotNil(t, r.Body)
		require.Nil(t, r.File)
		r.Release()
		r = s.Resolve(&Request{Method: "GET", Target: "/f2"})
		require.Nil(t, r.Body)
		require.NotNil(t, r.File)
		r.Release()
	})
}

// TestConcurrentReplace: readers streaming a large file while it is replaced
// again and again (checked on every request) each get one whole version,
// never a mix, and every descriptor is closed in the end. Run with -race.
func TestConcurrentReplace(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "big")
	const size = 3 * chunkSize
	write(t, file, strings.Repeat("a", size))
	base := openFDs(t)
	s, err := New(dir, &Config{Revalidate: RevalidateAlways})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			for range 20 {
				r := s.Resolve(&Request{Method: "GET", Target: "/big"})
				if r.File == nil {
					errs <- fmt.Errorf("status %d without file", r.Status)
					return
				}
				b, err := io.ReadAll(r.File)
				r.Release()
				if err != nil || len(b) != size || !bytes.Equal(b, bytes.Repeat(b[:1], size)) {
					errs <- fmt.Errorf("read %d bytes, err %v", len(b), err)
					return
				}
			}
		})
	}
	for i := range 20 {
		tmp := file + ".tmp"
		write(t, tmp, strings.Repeat(string(rune('b'+i%20)), size))
		require.NoError(t, os.Rename(tmp, file))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.NoError(t, s.Close())
	require.Equal(t, base, openFDs(t))
}
