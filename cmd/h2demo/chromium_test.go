package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/h2kit/h2kit/internal/testenv"
)

// ScreenshotsEnv names a directory where TestDemoInChromium also writes its
// screenshots (the README's docs/demo.png is its index.png); they always go
// to a temporary directory too.
const ScreenshotsEnv = "H2DEMO_SCREENSHOTS"

// spkiHash returns the base64 SHA-256 of the public key of the certificate
// the server at base presents: what Chromium's
// --ignore-certificate-errors-spki-list trusts, so that the test trusts this
// one self-signed key rather than ignoring every certificate error.
func spkiHash(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.Dial("tcp", u.Host, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sum := sha256.Sum256(c.ConnectionState().PeerCertificates[0].RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// entry is a PerformanceEntry with a nextHopProtocol: the navigation and
// every subresource of a page.
type entry struct {
	Name         string  `json:"name"`
	Type         string  `json:"type"`
	Initiator    string  `json:"initiator"`
	Proto        string  `json:"proto"`
	TransferSize float64 `json:"transferSize"`
}

const entriesJS = `performance.getEntries().filter(e => "nextHopProtocol" in e).map(e => ({
	name: e.name, type: e.entryType, initiator: e.initiatorType || "", proto: e.nextHopProtocol, transferSize: e.transferSize}))`

// TestDemoInChromium drives headless Chromium against h2demo over TLS with
// its in-memory self-signed certificate (trusted by its key): the index and
// every page it links, and every subresource of them, arrive over h2
// (nextHopProtocol), with no console error or exception; /clock receives
// events, /hpack shows non-empty tables on a second request over the same
// connection, /echo sends a form back, /early-hints has the style sheet
// preloaded by the 103. Screenshots go to t.TempDir() (and $H2DEMO_SCREENSHOTS).
func TestDemoInChromium(t *testing.T) {
	chromium := testenv.RequireTool(t, "chromium", "chromium")
	tlsURL, _, _ := startDemo(t, "", "", "", false)
	b := newBrowser(t, chromium, tlsURL)
	ctx, visit := b.ctx, b.visit
	visit("index", chromedp.Navigate(tlsURL+"/"))
	if proto, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("index-proto").textContent`)); err != nil || proto != "h2" {
		t.Errorf("the index says it came over %q (%v), want h2", proto, err)
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("ul.pages a")).map(a => a.href)`))
	if err != nil || len(links) < len(pages) {
		t.Fatalf("index links %q (%v), want the %d pages", links, err, len(pages))
	}
	for _, link := range links {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		name := path.Base(u.Path)
		visit(name, chromedp.Navigate(link))
		switch u.Path {
		case "/clock":
			n, err := chromedp.Run(ctx, chromedp.Poll[int](`(n => n >= 2 && n)(Number(document.getElementById("count").textContent))`,
				chromedp.WithPollingTimeout(30*time.Second)))
			if err != nil || n < 2 {
				t.Errorf("/clock received %d events (%v), want at least 2", n, err)
			}
			visit("clock-events") // the screenshot with events
		case "/hpack":
			// The second request on the same connection: both tables
			// hold entries (the first response's fields on the
			// response side).
			visit("hpack-reloaded", chromedp.Reload())
			for _, id := range []string{"request-table", "response-table"} {
				first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#`+id+` tbody td").textContent`))
				if err != nil || first != "62" {
					t.Errorf("/hpack %s: first cell %q (%v), want entry 62", id, first, err)
				}
			}
		case "/echo":
			const text = "round trip over h2 ✓"
			_, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Steps(
				chromedp.SetValue(chromedp.ID("text"), text),
				chromedp.Click(chromedp.ID("send")),
			)))
			if err != nil {
				t.Fatalf("/echo: submitting: %v", err)
			}
			visit("echo-result")
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			if err != nil || strings.TrimSpace(got) != "text="+text {
				t.Errorf("/echo sent back %q (%v), want %q", got, err, "text="+text)
			}
		case "/early-hints":
			// The browser got the 103 before the page. (That it
			// fetches the hinted style sheet before the final response
			// shows in the server's log, not in Resource Timing, where
			// Chromium dates the entry from its use by the page.)
			interim, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.getEntriesByType("navigation")[0].firstInterimResponseStart || 0`))
			if err != nil || interim <= 0 {
				t.Errorf("/early-hints: firstInterimResponseStart %v (%v): the browser saw no 103", interim, err)
			}
		}
	}

	b.checkConsole()
}

// TestDemoRootInChromium: the shared test web root served with -root (the
// static package) reaches Chromium over h2 with its style sheet and image,
// without a console error.
func TestDemoRootInChromium(t *testing.T) {
	chromium := testenv.RequireTool(t, "chromium", "chromium")
	tlsURL, _, _ := startDemo(t, sharedWebRoot, "", "", false)
	b := newBrowser(t, chromium, tlsURL)
	b.visit("www", chromedp.Navigate(tlsURL+"/"))
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`performance.getEntriesByType("resource").length`))
	if err != nil || n < 2 {
		t.Errorf("%d subresources (%v), want the style sheet and the image", n, err)
	}
	b.checkConsole()
}

// browser is a headless Chromium tab for one test, with the console read in
// the background.
type browser struct {
	t           *testing.T
	ctx         context.Context
	shots       []string // screenshot directories
	mu          sync.Mutex
	problems    []string // console errors and exceptions
	consoleDone chan struct{}
}

// consoleSentinel is logged last: once the console reader has seen it, it
// has seen every message before it.
const consoleSentinel = "h2demo-test-end"

// newBrowser starts Chromium for a test of the server at tlsURL, trusting
// the key of its certificate.
func newBrowser(t *testing.T, chromium, tlsURL string) *browser {
	t.Helper()
	b := &browser{t: t, shots: []string{t.TempDir()}, consoleDone: make(chan struct{})}
	if d := os.Getenv(ScreenshotsEnv); d != "" {
		b.shots = append(b.shots, d)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("ignore-certificate-errors-spki-list", spkiHash(t, tlsURL)),
		chromedp.WindowSize(960, 720),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// A bound on the whole browser session: a failure, not a hang.
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelT)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", chromium, err)
	}
	b.ctx = ctx
	messages := chromedp.Console(ctx)
	go func() {
		defer close(b.consoleDone)
		for m, err := range messages {
			if err != nil || m.Text == consoleSentinel {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				b.mu.Lock()
				b.problems = append(b.problems, string(m.Type)+": "+m.URL+": "+m.Text)
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// visit runs steps (a navigation, usually), checks that everything the page
// loaded came over h2, and takes a screenshot named name.
func (b *browser) visit(name string, steps ...chromedp.Action[chromedp.Void]) {
	t := b.t
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	checkH2(t, b.ctx, name)
	shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("%s: screenshot: %v", name, err)
	}
	for _, d := range b.shots {
		if err := os.WriteFile(filepath.Join(d, name+".png"), shot, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// checkConsole fails the test for every console error or exception so far.
func (b *browser) checkConsole() {
	t := b.t
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](`console.info("`+consoleSentinel+`")`)); err != nil {
		t.Fatal(err)
	}
	<-b.consoleDone
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Errorf("console: %s", p)
	}
}

// checkH2 fails t unless the current page and every resource it loaded
// came over h2.
func checkH2(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	entries, err := chromedp.Run(ctx, chromedp.Evaluate[[]entry](entriesJS))
	if err != nil {
		t.Fatalf("%s: performance entries: %v", name, err)
	}
	if len(entries) == 0 {
		t.Errorf("%s: no performance entries", name)
	}
	for _, e := range entries {
		if e.Proto != "h2" {
			t.Errorf("%s: %s %s (%s) came over %q, want h2", name, e.Type, e.Name, e.Initiator, e.Proto)
		}
	}
}
