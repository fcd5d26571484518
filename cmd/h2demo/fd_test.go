package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDemoHTTP1AbortedDownloadsCloseFiles pins that a file -root streams
// over HTTP/1.1 (bigger than the static package's SmallFile) is released when
// the client aborts the download, not when a GC finalizer runs: after 70
// aborted downloads, a shutdown that waits for every connection and closing
// the demo (which empties the open-file cache), the count of open descriptors
// is back to where it was.
func TestDemoHTTP1AbortedDownloadsCloseFiles(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "big.bin"), make([]byte, 4<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	app, err := newDemo(root, false, log, true)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	srvs, err := start(app, "", "127.0.0.1:0", "", "", false, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := srvs[0].srv
	for i := 0; srv.Addr() == nil && i < 1000; i++ {
		time.Sleep(time.Millisecond) // Serve sets Addr from its goroutine
	}
	countFDs := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	before := countFDs()
	const clients = 70
	for range clients {
		nc, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(nc, "GET /big.bin HTTP/1.1\r\nhost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(nc, make([]byte, 1024)); err != nil {
			t.Fatal(err)
		}
		nc.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	<-srvs[0].done
	// The open-file cache keeps big.bin's descriptor across requests;
	// closing the demo purges it.
	app.Close()
	if after := countFDs(); after > before {
		t.Fatalf("%d descriptors open after %d aborted downloads, %d before: the files leaked", after, clients, before)
	}
}
