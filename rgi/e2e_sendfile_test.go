package rgi_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

// closingSection is an *io.SectionReader with a Close method, as a server of
// a cached file passes it (the close gives the file back).
type closingSection struct {
	*io.SectionReader
	closes *atomic.Int32
}

func (c closingSection) Close() error { c.closes.Add(1); return nil }

// sectionApp answers "/?off=N&n=M" with M bytes of f from N: a body whose
// reader is a section of f, sent with sendfile(2) where the connection
// allows; "&len=L" promises L bytes instead of M.
type sectionApp struct {
	f      *os.File
	closes atomic.Int32
}

func (a *sectionApp) Serve(_ *rgi.Session, r *rgi.Request, _ rgi.Bodies) rgi.Response {
	q := map[string]int64{}
	_, query, _ := strings.Cut(r.URI, "?")
	for kv := range strings.SplitSeq(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		q[k], _ = strconv.ParseInt(v, 10, 64)
	}
	length := q["n"]
	if l, ok := q["len"]; ok {
		length = l
	}
	sr := io.NewSectionReader(a.f, q["off"], q["n"])
	return rgi.Response{Status: 200, Reason: "OK", Body: rgi.NewBody(closingSection{sr, &a.closes}, length)}
}

// TestE2ESectionBody sends sections of one shared *os.File over TCP and Unix
// sockets (sendfile) and over TLS (buffered reads): every body has the
// file's bytes at its offset, the file's own position never moves (so one
// descriptor can serve concurrent responses), each body is closed once, and
// a section shorter than its content-length ends the connection.
func TestE2ESectionBody(t *testing.T) {
	data := make([]byte, 300<<10)
	for i := range data {
		data[i] = byte(i*7 + i>>9)
	}
	path := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pki := rgitest.TempPKI(t)
	ranges := [][2]int64{{0, 300 << 10}, {1, 5}, {65536, 200 << 10}, {300<<10 - 1, 1}, {12345, 0}}
	for _, tls := range []bool{false, true} {
		for _, fam := range []rgi.Family{rgi.FamilyTCP4, rgi.FamilyUnix} {
			name := fam.String()
			if tls {
				name += "/tls"
			}
			t.Run(name, func(t *testing.T) {
				app := &sectionApp{f: f}
				var conn *rgi.Connection
				if tls {
					srv := rgitest.TempSSLServer(t, pki.ServerSSLConfig(), rgitest.FreeAddress(t, fam), app, nil)
					conn = rgitest.Connect(t, srv.SSLClient(t, pki.ClientSSLConfig(), nil))
				} else {
					srv := rgitest.TempServer(t, rgitest.FreeAddress(t, fam), app, nil)
					conn = rgitest.Connect(t, srv.Client(t, nil))
				}
				for _, r := range ranges {
					resp, err := conn.Request("GET", "/?off="+strconv.FormatInt(r[0], 10)+"&n="+strconv.FormatInt(r[1], 10), nil, nil)
					if err != nil {
						t.Fatalf("%v: %v", r, err)
					}
					got, err := rgi.ReadBody(resp.Body)
					if err != nil {
						t.Fatalf("%v: read: %v", r, err)
					}
					if !bytes.Equal(got, data[r[0]:r[0]+r[1]]) {
						t.Fatalf("%v: %d bytes, not the file's", r, len(got))
					}
				}
				if pos, _ := f.Seek(0, io.SeekCurrent); pos != 0 {
					t.Errorf("file position moved to %d", pos)
				}
				// The file ends 10 bytes into a section promised 100 long.
				resp, err := conn.Request("GET", "/?off="+strconv.Itoa(len(data)-10)+"&n=100&len=100", nil, nil)
				if err == nil {
					_, err = rgi.ReadBody(resp.Body)
				}
				if err == nil {
					t.Error("a section shorter than its content-length was read whole")
				}
				if n := app.closes.Load(); n != int32(len(ranges))+1 {
					t.Errorf("%d bodies closed, want %d", n, len(ranges)+1)
				}
			})
		}
	}
}
