package filecache

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// clock is an injectable clock for revalidation tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newCache(t *testing.T, cfg Config) (*Cache, string, *clock) {
	t.Helper()
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	t.Cleanup(func() { root.Close() })
	clk := &clock{t: time.Unix(1_000_000, 0)}
	if cfg.Now == nil {
		cfg.Now = clk.now
	}
	c := New(root, cfg)
	t.Cleanup(c.Purge)
	return c, dir, clk
}

func put(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
}

// content reads an entry whole through ReadAt and releases it.
func content(t *testing.T, c *Cache, name string) (string, error) {
	t.Helper()
	e, err := c.Get(name)
	if err != nil {
		return "", err
	}
	defer e.Release()
	b := make([]byte, e.Size)
	_, err = e.ReadAt(b, 0)
	if err != nil && err != io.EOF {
		return "", err
	}
	return string(b), nil
}

// changes are the ways a file changes between two requests.
var changes = []struct {
	name   string
	change func(t *testing.T, dir string)
	want   string // "" with wantErr
	gone   bool
}{
	{"replaced by rename", func(t *testing.T, dir string) {
		put(t, dir, "tmp", "new contents")
		require.NoError(t, os.Rename(filepath.Join(dir, "tmp"), filepath.Join(dir, "f")))
	}, "new contents", false},
	{"rewritten in place", func(t *testing.T, dir string) {
		put(t, dir, "f", "other bytes, longer")
	}, "other bytes, longer", false},
	{"truncated", func(t *testing.T, dir string) {
		require.NoError(t, os.Truncate(filepath.Join(dir, "f"), 3))
	}, "old", false},
	{"deleted", func(t *testing.T, dir string) {
		require.NoError(t, os.Remove(filepath.Join(dir, "f")))
	}, "", true},
}

// TestChangeBetweenRequests: with revalidation on every request, a change is
// seen by the very next Get, for small (in-memory) and large (descriptor)
// files.
func TestChangeBetweenRequests(t *testing.T) {
	for _, small := range []int64{DefaultSmallFile, 4} {
		for _, ch := range changes {
			t.Run(ch.name, func(t *testing.T) {
				c, dir, _ := newCache(t, Config{Revalidate: RevalidateAlways, SmallFile: small})
				put(t, dir, "f", "old contents")
				got, err := content(t, c, "f")
				require.NoError(t, err)
				require.Equal(t, "old contents", got)
				ch.change(t, dir)
				got, err = content(t, c, "f")
				if ch.gone {
					require.ErrorIs(t, err, fs.ErrNotExist)
					return
				}
				require.NoError(t, err)
				require.Equal(t, ch.want, got)
			})
		}
	}
}

// TestRevalidateInterval: within the interval the cached version is served
// without looking at the file; at the interval it is checked again.
func TestRevalidateInterval(t *testing.T) {
	for _, ch := range changes {
		t.Run(ch.name, func(t *testing.T) {
			c, dir, clk := newCache(t, Config{Revalidate: time.Second})
			put(t, dir, "f", "old contents")
			_, err := content(t, c, "f")
			require.NoError(t, err)
			ch.change(t, dir)
			clk.advance(time.Second - 1)
			got, err := content(t, c, "f")
			require.NoError(t, err)
			require.Equal(t, "old contents", got, "trusted within the interval")
			clk.advance(1)
			got, err = content(t, c, "f")
			if ch.gone {
				require.ErrorIs(t, err, fs.ErrNotExist)
				return
			}
			require.NoError(t, err)
			require.Equal(t, ch.want, got)
		})
	}
}

// TestMissRemembered: a missing name is remembered for the interval, then
// found once created.
func TestMissRemembered(t *testing.T) {
	c, dir, clk := newCache(t, Config{Revalidate: time.Second})
	_, err := c.Get("later")
	require.ErrorIs(t, err, fs.ErrNotExist)
	put(t, dir, "later", "here")
	_, err = c.Get("later")
	require.ErrorIs(t, err, fs.ErrNotExist)
	n, _ := c.Len()
	require.Equal(t, 1, n)
	clk.advance(time.Second)
	got, err := content(t, c, "later")
	require.NoError(t, err)
	require.Equal(t, "here", got)
}

func TestDefaults(t *testing.T) {
	c := New(nil, Config{})
	cfg := c.Config()
	require.Equal(t, DefaultMaxEntries, cfg.MaxEntries)
	require.Equal(t, int64(DefaultMaxBytes), cfg.MaxBytes)
	require.Equal(t, int64(DefaultSmallFile), cfg.SmallFile)
	require.Equal(t, DefaultRevalidate, cfg.Revalidate)
	require.Equal(t, int64(10), New(nil, Config{MaxBytes: 10}).Config().SmallFile)
}

// TestMaxEntries: exactly MaxEntries names stay; one more evicts the least
// recently used.
func TestMaxEntries(t *testing.T) {
	c, dir, _ := newCache(t, Config{MaxEntries: 3})
	for _, n := range []string{"a", "b", "c", "d"} {
		put(t, dir, n, n)
	}
	for _, n := range []string{"a", "b", "c"} {
		_, err := content(t, c, n)
		require.NoError(t, err)
	}
	_, err := content(t, c, "a") // a is now the most recent
	require.NoError(t, err)
	n, _ := c.Len()
	require.Equal(t, 3, n)
	_, err = content(t, c, "d")
	require.NoError(t, err)
	n, _ = c.Len()
	require.Equal(t, 3, n)
	c.mu.Lock()
	_, hasB := c.m["b"]
	_, hasA := c.m["a"]
	c.mu.Unlock()
	require.False(t, hasB, "b was least recently used")
	require.True(t, hasA)
}

// TestMaxBytes: contents up to MaxBytes are kept; one byte more evicts.
func TestMaxBytes(t *testing.T) {
	c, dir, _ := newCache(t, Config{MaxBytes: 10})
	put(t, dir, "four", "4444")
	put(t, dir, "six", "666666")
	put(t, dir, "one", "1")
	for _, n := range []string{"four", "six"} {
		_, err := content(t, c, n)
		require.NoError(t, err)
	}
	n, b := c.Len()
	require.Equal(t, 2, n)
	require.Equal(t, int64(10), b)
	_, err := content(t, c, "one")
	require.NoError(t, err)
	n, b = c.Len()
	require.Equal(t, 2, n)
	require.Equal(t, int64(7), b)
}

// TestSmallFileThreshold: a file of exactly SmallFile bytes is held in
// memory, one byte more keeps a descriptor.
func TestSmallFileThreshold(t *testing.T) {
	c, dir, _ := newCache(t, Config{SmallFile: 8})
	put(t, dir, "eight", "12345678")
	put(t, dir, "nine", "123456789")
	e, err := c.Get("eight")
	require.NoError(t, err)
	require.Equal(t, "12345678", string(e.Data))
	require.Nil(t, e.file)
	e.Release()
	e, err = c.Get("nine")
	require.NoError(t, err)
	require.Nil(t, e.Data)
	require.NotNil(t, e.file)
	e.Release()
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// TestEvictionWaitsForReaders: an evicted (or replaced) large file keeps its
// descriptor until the last reader releases it, and then closes it.
func TestEvictionWaitsForReaders(t *testing.T) {
	c, dir, _ := newCache(t, Config{SmallFile: 4, MaxEntries: 1, Revalidate: RevalidateAlways})
	put(t, dir, "big", "large contents")
	put(t, dir, "other", "more large contents")
	base := openFDs(t)
	e, err := c.Get("big")
	require.NoError(t, err)
	require.Equal(t, base+1, openFDs(t))
	o, err := c.Get("other") // evicts big
	require.NoError(t, err)
	o.Release()
	require.Equal(t, base+2, openFDs(t), "big is still being read")
	b := make([]byte, 5)
	_, err = e.ReadAt(b, 6)
	require.NoError(t, err)
	require.Equal(t, "conte", string(b))
	e.Release()
	require.Equal(t, base+1, openFDs(t), "the last release closes big")
	// A changed file replaces its entry: the old descriptor closes.
	put(t, dir, "other", "changed and longer contents")
	o, err = c.Get("other")
	require.NoError(t, err)
	o.Release()
	require.Equal(t, base+1, openFDs(t))
	c.Purge()
	require.Equal(t, base, openFDs(t))
}

// TestShrunkLargeFile: a large file truncated after it was cached reads short
// (io.EOF), which the caller turns into an aborted response.
func TestShrunkLargeFile(t *testing.T) {
	c, dir, _ := newCache(t, Config{SmallFile: 4})
	put(t, dir, "big", strings.Repeat("x", 100))
	e, err := c.Get("big")
	require.NoError(t, err)
	defer e.Release()
	require.NoError(t, os.Truncate(filepath.Join(dir, "big"), 10))
	b := make([]byte, 50)
	n, err := e.ReadAt(b, 0)
	require.Equal(t, 10, n)
	require.ErrorIs(t, err, io.EOF)
}

// TestFIFONotOpened: a FIFO under the root is cached as a non-regular entry
// without blocking on the open.
func TestFIFONotOpened(t *testing.T) {
	c, dir, _ := newCache(t, Config{})
	if err := mkfifo(filepath.Join(dir, "pipe")); err != nil {
		t.Skip(err)
	}
	e, err := c.Get("pipe")
	require.NoError(t, err)
	require.False(t, e.Mode.IsRegular())
	e.Release()
}

// TestEscapeRefused: os.Root refuses a symbolic link out of the root, and the
// refusal is remembered like a miss.
func TestEscapeRefused(t *testing.T) {
	c, dir, _ := newCache(t, Config{})
	out := t.TempDir()
	put(t, out, "secret", "secret")
	require.NoError(t, os.Symlink(filepath.Join(out, "secret"), filepath.Join(dir, "s")))
	_, err := c.Get("s")
	require.Error(t, err)
	n, _ := c.Len()
	require.Equal(t, 1, n)
	_, err = c.Get("../" + filepath.Base(out) + "/secret")
	require.Error(t, err)
}
