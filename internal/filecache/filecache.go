// Package filecache keeps open files, their stat results and (for small files)
// their contents across requests, like nginx's open_file_cache and h2o's
// filecache.
//
// Every name is opened through an os.Root, so a cached entry never refers to a
// file outside the root, symbolic links included. An entry is revalidated at
// most once per Config.Revalidate: the name is stat'ed again and, when size,
// modification time, mode or identity (device and inode on Unix) changed, the
// file is opened and read again; a name that no longer exists is dropped. Between
// revalidations the cache answers without a system call.
//
// Entries are reference-counted. Get returns an entry with a reference the
// caller gives back with Release; eviction (by count, by bytes of cached
// contents, or because the file changed) removes the entry from the cache at
// once, and its descriptor is closed when the last reader releases it. Readers
// share a descriptor through ReadAt (pread), never through its file offset.
package filecache

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// RevalidateAlways, as Config.Revalidate, checks a cached name on every Get.
const RevalidateAlways time.Duration = -1

// Defaults of Config's zero fields.
const (
	DefaultMaxEntries = 1024
	DefaultMaxBytes   = 64 << 20
	DefaultSmallFile  = 64 << 10
	DefaultRevalidate = time.Second
)

// Config bounds a Cache. Zero fields take the documented defaults.
type Config struct {
	// MaxEntries is the most names kept (open files, directories and
	// remembered misses): default DefaultMaxEntries (1024). The least recently
	// used entry is evicted first.
	MaxEntries int
	// MaxBytes bounds the file contents held in memory: default
	// DefaultMaxBytes (64 MiB).
	MaxBytes int64
	// SmallFile is the largest file whose contents are read into memory
	// (its descriptor is then closed at once); bigger files keep their
	// descriptor open and are read with ReadAt. Default DefaultSmallFile
	// (64 KiB); it is lowered to MaxBytes when bigger.
	SmallFile int64
	// Revalidate is how long an entry is trusted before its name is stat'ed
	// again: default DefaultRevalidate (1 s); RevalidateAlways checks on
	// every Get.
	Revalidate time.Duration
	// Now is the clock (time.Now when nil); tests inject their own.
	Now func() time.Time
	// Describe, when set, is called once per loaded entry (a new file or a
	// new version of one) and its result stored in Entry.Meta, for values
	// derived from the file that a caller wants precomputed (header values).
	Describe func(e *Entry) any
}

// FileID identifies a file on its device (zero where the platform does not
// say).
type FileID struct{ Dev, Ino uint64 }

// Entry is one cached name. Its exported fields never change once Get has
// returned it; a changed file gets a new Entry.
type Entry struct {
	Name    string
	Size    int64
	ModTime time.Time
	Mode    fs.FileMode
	ID      FileID
	// Data is the whole content of a regular file of at most SmallFile bytes,
	// nil otherwise.
	Data []byte
	// Meta is what Config.Describe returned for this entry.
	Meta any

	file    *os.File // open descriptor of a regular file bigger than SmallFile
	err     error    // a remembered miss: Get returns it
	refs    atomic.Int32
	checked time.Time // last load or revalidation; guarded by Cache.mu
	cached  bool      // in the map and list; guarded by Cache.mu

	prev, next *Entry // LRU list, most recent at head; guarded by Cache.mu
}

// ReadAt reads from a large file's descriptor with pread, so concurrent
// readers never disturb each other; for a small file it reads Data. A read
// past the current end of a file that shrank returns io.EOF early.
func (e *Entry) ReadAt(p []byte, off int64) (int, error) {
	if e.file == nil {
		if off >= int64(len(e.Data)) {
			return 0, io.EOF
		}
		n := copy(p, e.Data[off:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	return e.file.ReadAt(p, off)
}

// File returns the open descriptor of a regular file bigger than SmallFile
// (nil for the others). It stays open while the caller holds its reference.
// Other readers share it: read it only at explicit offsets (ReadAt,
// sendfile(2) with an offset), never through its file position.
func (e *Entry) File() *os.File { return e.file }

// Release gives back the reference Get returned. The descriptor of an entry
// no longer in the cache is closed by the last Release.
func (e *Entry) Release() {
	if e.refs.Add(-1) == 0 && e.file != nil {
		e.file.Close()
	}
}

// Cache is an open-file cache over one root directory. It is safe for
// concurrent use.
type Cache struct {
	root *os.Root
	cfg  Config
	// monotonic: cfg.Now was not set, so freshness can be read off the
	// monotonic clock alone.
	monotonic bool

	mu         sync.Mutex
	m          map[string]*Entry
	head, tail *Entry
	bytes      int64
}

// New returns a cache of the files under root. The cache does not own root.
func New(root *os.Root, cfg Config) *Cache {
	return &Cache{root: root, cfg: cfg.WithDefaults(), m: make(map[string]*Entry), monotonic: cfg.Now == nil}
}

// WithDefaults returns c with the defaults in its zero fields: the one
// place they are applied (package static shows its users the result).
func (cfg Config) WithDefaults() Config {
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.SmallFile <= 0 {
		cfg.SmallFile = DefaultSmallFile
	}
	cfg.SmallFile = min(cfg.SmallFile, cfg.MaxBytes)
	if cfg.Revalidate == 0 {
		cfg.Revalidate = DefaultRevalidate
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// Config returns the configuration with defaults applied.
func (c *Cache) Config() Config { return c.cfg }

// Get returns the entry for name (a slash-separated name relative to the
// root, as os.Root takes it) with a reference the caller must Release, or the
// error opening it gave. Misses that say the name does not exist (or may not
// be opened) are remembered like files and revalidated alike.
func (c *Cache) Get(name string) (*Entry, error) {
	c.mu.Lock()
	e := c.m[name]
	if e != nil && c.fresh(e) {
		return c.hitUnlock(e)
	}
	c.mu.Unlock()
	now := c.cfg.Now()

	if e != nil && c.unchanged(e) {
		c.mu.Lock()
		if e.cached {
			e.checked = now
			return c.hitUnlock(e)
		}
		c.mu.Unlock()
	}

	n, err := c.load(name)
	if err != nil && !rememberable(err) {
		return nil, err
	}
	n.checked = now
	n.refs.Store(1) // the caller's
	c.mu.Lock()
	if old := c.m[name]; old != nil {
		c.remove(old)
	}
	n.refs.Add(1) // the cache's
	c.insert(n)
	c.mu.Unlock()
	if n.err != nil {
		return nil, n.err
	}
	return n, nil
}

// fresh reports whether e may be used without a stat.
func (c *Cache) fresh(e *Entry) bool {
	if c.cfg.Revalidate <= 0 {
		return false
	}
	// On the real clock a hit reads the monotonic clock only (time.Since
	// of a time.Now reading): time.Now reads the wall clock too, and the
	// hit is the path every cached request takes.
	if c.monotonic {
		return time.Since(e.checked) < c.cfg.Revalidate
	}
	return c.cfg.Now().Sub(e.checked) < c.cfg.Revalidate
}

// unchanged stats e's name and reports whether it is still the file (or
// still the miss) e describes.
func (c *Cache) unchanged(e *Entry) bool {
	fi, err := c.root.Stat(e.Name)
	if e.err != nil {
		return err != nil && errors.Is(err, fs.ErrNotExist) == errors.Is(e.err, fs.ErrNotExist)
	}
	return err == nil && fi.Size() == e.Size && fi.ModTime().Equal(e.ModTime) &&
		fi.Mode() == e.Mode && idOf(fi) == e.ID
}

// rememberable reports whether an open error is a property of the name
// (missing, forbidden, escaping the root) rather than a passing failure of the
// server (too many open files, I/O error), which must not be cached.
func rememberable(err error) bool {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOENT, syscall.ENOTDIR, syscall.EACCES, syscall.EPERM, syscall.ELOOP, syscall.ENAMETOOLONG:
			return true
		}
		return false
	}
	// os.Root's own refusals (a path escaping the root) carry no errno.
	var pe *fs.PathError
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.As(err, &pe)
}

// load opens name and builds its entry; for a miss it returns an entry
// holding the error, together with the error.
func (c *Cache) load(name string) (*Entry, error) {
	f, err := c.root.OpenFile(name, openFlags, 0)
	if err != nil {
		return &Entry{Name: name, err: err}, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return &Entry{Name: name, err: err}, err
	}
	e := &Entry{Name: name, Size: fi.Size(), ModTime: fi.ModTime(), Mode: fi.Mode(), ID: idOf(fi)}
	switch {
	case !fi.Mode().IsRegular():
		f.Close()
	case fi.Size() <= c.cfg.SmallFile:
		b := make([]byte, fi.Size())
		n, err := io.ReadFull(io.NewSectionReader(f, 0, fi.Size()), b)
		f.Close()
		if err != nil && err != io.ErrUnexpectedEOF {
			return &Entry{Name: name, err: err}, err
		}
		// A file truncated while being read is cached as read; its size
		// differs from the stat result, so the next revalidation reloads it.
		e.Data, e.Size = b[:n], int64(n)
	default:
		e.file = f
	}
	if c.cfg.Describe != nil {
		e.Meta = c.cfg.Describe(e)
	}
	return e, nil
}

// insert adds e at the head and evicts from the tail beyond the bounds.
func (c *Cache) insert(e *Entry) {
	c.m[e.Name] = e
	e.cached = true
	c.pushFront(e)
	c.bytes += int64(len(e.Data))
	for len(c.m) > c.cfg.MaxEntries || c.bytes > c.cfg.MaxBytes {
		c.remove(c.tail)
	}
}

// remove drops e from the cache and gives back the cache's reference.
func (c *Cache) remove(e *Entry) {
	delete(c.m, e.Name)
	e.cached = false
	c.unlink(e)
	c.bytes -= int64(len(e.Data))
	e.Release()
}

func (c *Cache) touch(e *Entry) {
	if c.head != e {
		c.unlink(e)
		c.pushFront(e)
	}
}

func (c *Cache) pushFront(e *Entry) {
	e.prev, e.next = nil, c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

func (c *Cache) unlink(e *Entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// Len returns the number of cached entries and the bytes of cached contents.
func (c *Cache) Len() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m), c.bytes
}

// Purge drops every entry; descriptors close as their readers release them.
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.tail != nil {
		c.remove(c.tail)
	}
}

// Same reports whether fi (a stat of a descriptor opened separately) describes
// the same version of the file as e.
func (e *Entry) Same(fi fs.FileInfo) bool {
	return fi.Size() == e.Size && fi.ModTime().Equal(e.ModTime) && fi.Mode() == e.Mode && idOf(fi) == e.ID
}

// hitUnlock answers a lookup from the cached entry e: it marks e recently
// used, takes a reference for the caller unless e remembers an error, and
// releases c.mu (held on entry).
func (c *Cache) hitUnlock(e *Entry) (*Entry, error) {
	c.touch(e)
	err := e.err
	if err == nil {
		e.refs.Add(1)
	}
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return e, nil
}
