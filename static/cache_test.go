package static

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/handler/handlertest"
	"github.com/h2kit/h2kit/hpack"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
	"github.com/stretchr/testify/require"
)

// get resolves a GET and returns status and content, releasing the response.
func get(t *testing.T, s *Server, target string) (int, string) {
	t.Helper()
	resp := s.Resolve(&Request{Method: "GET", Target: target})
	defer resp.Release()
	if resp.File != nil {
		b, err := io.ReadAll(resp.File)
		require.NoError(t, err)
		return resp.Status, string(b)
	}
	return resp.Status, string(resp.Body)
}

var fileChanges = []struct {
	name   string
	change func(t *testing.T, file string)
	status int
	want   string
}{
	{"replaced", func(t *testing.T, file string) {
		write(t, file+".tmp", "replacement")
		require.NoError(t, os.Rename(file+".tmp", file))
	}, 200, "replacement"},
	{"truncated", func(t *testing.T, file string) {
		require.NoError(t, os.Truncate(file, 5))
	}, 200, "hello"},
	{"deleted", func(t *testing.T, file string) {
		require.NoError(t, os.Remove(file))
	}, 404, "not found\n"},
}

// TestFileChangesEveryRequest: with RevalidateAlways the next request sees a
// replaced, truncated or deleted file, small or streamed.
func TestFileChangesEveryRequest(t *testing.T) {
	for _, small := range []int64{1024, 4} {
		for _, ch := range fileChanges {
			t.Run(ch.name, func(t *testing.T) {
				dir := tree(t)
				s, err := New(dir, &Config{Revalidate: RevalidateAlways, SmallFile: small})
				require.NoError(t, err)
				defer s.Close()
				st, body := get(t, s, "/hello.txt")
				require.Equal(t, 200, st)
				require.Equal(t, "hello, world\n", body)
				ch.change(t, filepath.Join(dir, "hello.txt"))
				st, body = get(t, s, "/hello.txt")
				require.Equal(t, ch.status, st)
				require.Equal(t, ch.want, body)
			})
		}
	}
}

// TestFileChangesAtInterval: with the default interval (1 s) a change is
// not seen before a second has passed since the file was last checked, and
// is seen at that second (testing/synctest's clock).
func TestFileChangesAtInterval(t *testing.T) {
	for _, ch := range fileChanges {
		t.Run(ch.name, func(t *testing.T) {
			dir := tree(t)
			synctest.Test(t, func(t *testing.T) {
				s, err := New(dir, nil)
				require.NoError(t, err)
				defer s.Close()
				_, body := get(t, s, "/hello.txt")
				require.Equal(t, "hello, world\n", body)
				ch.change(t, filepath.Join(dir, "hello.txt"))
				time.Sleep(DefaultRevalidate - time.Nanosecond)
				st, body := get(t, s, "/hello.txt")
				require.Equal(t, 200, st)
				require.Equal(t, "hello, world\n", body, "trusted within the interval")
				time.Sleep(time.Nanosecond)
				st, body = get(t, s, "/hello.txt")
				require.Equal(t, ch.status, st)
				require.Equal(t, ch.want, body)
			})
		})
	}
}

// TestNewFileAppears: a name that was missing is found after the interval.
func TestNewFileAppears(t *testing.T) {
	dir := tree(t)
	synctest.Test(t, func(t *testing.T) {
		s, err := New(dir, nil)
		require.NoError(t, err)
		defer s.Close()
		st, _ := get(t, s, "/new.txt")
		require.Equal(t, 404, st)
		write(t, filepath.Join(dir, "new.txt"), "new\n")
		st, _ = get(t, s, "/new.txt")
		require.Equal(t, 404, st, "the miss is remembered for the interval")
		time.Sleep(DefaultRevalidate)
		st, body := get(t, s, "/new.txt")
		require.Equal(t, 200, st)
		require.Equal(t, "new\n", body)
	})
}

// TestETagChangesWithFile: a new version gets a new validator, so a client
// holding the old one gets the new content rather than 304.
func TestETagChangesWithFile(t *testing.T) {
	dir := tree(t)
	s, err := New(dir, &Config{Revalidate: RevalidateAlways})
	require.NoError(t, err)
	defer s.Close()
	r := s.Resolve(&Request{Method: "GET", Target: "/hello.txt"})
	etag := header(r, "etag")
	require.True(t, strings.HasPrefix(etag, `"`), "strong etag %q", etag)
	r = s.Resolve(&Request{Method: "GET", Target: "/hello.txt", IfNoneMatch: etag})
	require.Equal(t, 304, r.Status)
	write(t, filepath.Join(dir, "hello.txt"), "changed\n")
	r = s.Resolve(&Request{Method: "GET", Target: "/hello.txt", IfNoneMatch: etag})
	require.Equal(t, 200, r.Status)
	require.NotEqual(t, etag, header(r, "etag"))
}

func header(r Response, name string) string {
	for _, f := range r.Header {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func TestConfigDefaults(t *testing.T) {
	s, err := New(t.TempDir(), nil)
	require.NoError(t, err)
	defer s.Close()
	c := s.Config()
	require.Equal(t, DefaultCacheEntries, c.CacheEntries)
	require.Equal(t, int64(DefaultCacheBytes), c.CacheBytes)
	require.Equal(t, int64(DefaultSmallFile), c.SmallFile)
	require.Equal(t, DefaultRevalidate, c.Revalidate)
	require.Equal(t, DefaultIndex, c.Index)
	require.False(t, c.Listing)
	require.False(t, c.Precompressed)
}

// TestIndexAndListingOptions: Index names the directory file; without
// Listing a directory without index is 403.
func TestIndexAndListingOptions(t *testing.T) {
	dir := tree(t)
	write(t, filepath.Join(dir, "sub", "home.htm"), "home\n")
	s, err := New(dir, &Config{Index: "home.htm"})
	require.NoError(t, err)
	defer s.Close()
	st, body := get(t, s, "/sub/")
	require.Equal(t, 200, st)
	require.Equal(t, "home\n", body)
	st, _ = get(t, s, "/sub/deep/")
	require.Equal(t, 403, st)
	st, _ = get(t, s, "/")
	require.Equal(t, 403, st, "index.html is not the index any more")
}

// TestPrecompressedOff: siblings are ignored unless enabled.
func TestPrecompressedOff(t *testing.T) {
	s, err := New(tree(t), nil)
	require.NoError(t, err)
	defer s.Close()
	r := s.Resolve(&Request{Method: "GET", Target: "/app.js", AcceptEncoding: "br"})
	require.Equal(t, "", header(r, "content-encoding"))
	require.Equal(t, "", header(r, "vary"))
}

// bigSize is larger than one read-ahead chunk, so a file truncated to half
// fails after the headers and the first chunk went out.
const bigSize = 4 * chunkSize

// TestReadFailsHalfway: a large file that shrinks after it was cached (the
// cache trusts it for an hour) cannot give the promised content-length. If
// nothing was sent yet the answer is 500; otherwise the response is aborted:
// RST_STREAM INTERNAL_ERROR on h2, a closed connection on HTTP/1.1.
func TestReadFailsHalfway(t *testing.T) {
	for _, tc := range []struct {
		name    string
		size    int64
		midway  bool
		onlyRGI bool
	}{
		{"nothing sent", 0, false, false},
		{"midway", bigSize / 2, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "big")
			write(t, file, strings.Repeat("x", bigSize))
			s, err := New(dir, &Config{Revalidate: time.Hour})
			require.NoError(t, err)
			defer s.Close()
			st, body := get(t, s, "/big")
			require.Equal(t, 200, st)
			require.Len(t, body, bigSize)
			require.NoError(t, os.Truncate(file, tc.size))

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			nr, err := handlertest.Do(ctx, s.Handler(), handlertest.Request{Path: "/big"})
			require.NoError(t, err)
			if tc.midway {
				require.Equal(t, 200, nr.Status)
				require.True(t, nr.WasReset)
				require.Equal(t, handler.InternalError, nr.Reset)
			} else {
				require.Equal(t, 500, nr.Status)
				require.False(t, nr.WasReset)
			}

			hs := httptest.NewServer(s)
			defer hs.Close()
			hr, err := http.Get(hs.URL + "/big")
			require.NoError(t, err)
			_, err = io.ReadAll(hr.Body)
			hr.Body.Close()
			if tc.midway {
				require.Equal(t, 200, hr.StatusCode)
				require.Error(t, err, "net/http: the client must see a broken body")
			} else {
				require.Equal(t, 500, hr.StatusCode)
				require.NoError(t, err)
			}

			rs := rgitest.TempServer(t, rgitest.FreeAddress(t, rgi.FamilyTCP4), s.App(), nil)
			rc := rgitest.Connect(t, rs.Client(t, nil))
			rr, err := rc.Get("/big", nil)
			require.NoError(t, err)
			_, err = rgi.ReadBody(rr.Body)
			if tc.midway {
				require.Equal(t, 200, rr.Status)
				require.Error(t, err, "RGI: the client must see a broken body")
			} else {
				require.Equal(t, 500, rr.Status)
				require.NoError(t, err)
			}
		})
	}
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

// TestDescriptorsClosed: serving large files through every front end, whole,
// in ranges, as HEAD, failing midway or abandoned by the client, leaves open
// only the one cached descriptor, and Close closes it. The front ends run
// without sockets (handlertest, httptest.ResponseRecorder, rgi over
// net.Pipe) so that only file descriptors are counted.
func TestDescriptorsClosed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "big")
	write(t, file, strings.Repeat("y", bigSize))
	write(t, filepath.Join(dir, "small"), "small")
	base := openFDs(t)
	s, err := New(dir, &Config{Revalidate: time.Hour})
	require.NoError(t, err)
	rootFDs := openFDs(t) - base

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rsrv, err := rgi.NewConnServer(s.App(), nil)
	require.NoError(t, err)
	defer rsrv.Close()

	serveAll := func() {
		for _, req := range []handlertest.Request{
			{Path: "/big"}, {Method: "HEAD", Path: "/big"}, {Path: "/small"}, {Path: "/missing"},
			{Path: "/big", Header: hdr("range", "bytes=100-200")},
		} {
			_, err := handlertest.Do(ctx, s.Handler(), req)
			require.NoError(t, err)
			hreq := httptest.NewRequest(or(req.Method, "GET"), req.Path, nil)
			for _, f := range req.Header {
				hreq.Header.Set(f.Name, f.Value)
			}
			func() {
				defer func() { recover() }() // ErrAbortHandler when failing midway
				s.ServeHTTP(httptest.NewRecorder(), hreq)
			}()
		}
		// RGI: a whole response, then one abandoned after its headers.
		for _, abandon := range []bool{false, true} {
			cc, sc := net.Pipe()
			done := make(chan struct{})
			go func() { rsrv.ServeConn(sc, nil); close(done) }()
			io.WriteString(cc, "GET /big HTTP/1.1\r\n\r\n")
			br := bufio.NewReader(cc)
			if abandon {
				br.ReadString('\n')
			} else {
				resp, err := http.ReadResponse(br, nil)
				require.NoError(t, err)
				io.Copy(io.Discard, resp.Body)
			}
			cc.Close()
			<-done
		}
	}
	serveAll()
	require.Equal(t, base+rootFDs+1, openFDs(t), "one cached descriptor for big")
	require.NoError(t, os.Truncate(file, bigSize/2)) // every response now fails midway
	serveAll()
	require.Equal(t, base+rootFDs+1, openFDs(t))
	require.NoError(t, s.Close())
	require.Equal(t, base, openFDs(t))
}

func hdr(kv ...string) (h []hpack.HeaderField) {
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, hpack.HeaderField{Name: kv[i], Value: kv[i+1]})
	}
	return h
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
