package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run the command as users would: built binary, real processes,
// kill -9. Waits are bounded polls with a deadline and say what they waited for.

const waitFor = 15 * time.Second

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary built by the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildErr == nil && binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "restpipe-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "restpipe")
		out, err := exec.Command("go", "build", "-race", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	require.NoError(t, buildErr, binPath)
	return binPath
}

// proc is a running restpipe process.
type proc struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	done  chan struct{}
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = os.Environ()
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = &testLog{t: t, prefix: args[0] + ": "}
	require.NoError(t, cmd.Start())
	p := &proc{t: t, cmd: cmd, lines: make(chan string, 1000), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	return p
}

// kill sends SIGKILL and waits for the process to end.
func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// expect waits for an output line starting with prefix and returns the rest.
func (p *proc) expect(prefix string) string {
	p.t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case l := <-p.lines:
			if rest, ok := strings.CutPrefix(l, prefix); ok {
				return rest
			}
		case <-p.done:
			p.t.Fatalf("%s exited before printing %q", p.cmd.Args[1], prefix)
		case <-deadline:
			p.t.Fatalf("%s did not print %q within %v", p.cmd.Args[1], prefix, waitFor)
		}
	}
}

type testLog struct {
	t      *testing.T
	prefix string
	mu     sync.Mutex
}

func (l *testLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		l.t.Log(l.prefix + line)
	}
	return len(b), nil
}

var httpc = &http.Client{Timeout: waitFor}

// get does one request; a hang fails the test through the client timeout.
func do(t *testing.T, method, url string, body []byte) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	resp, err := httpc.Do(req)
	require.NoError(t, err, "%s %s (no answer within %v: a hang)", method, url, waitFor)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Restpipe-Code"), data
}

// pollOK polls url until it answers 200 with code 0.
func pollOK(t *testing.T, url, what string) []byte {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		resp, err := http.Get(url)
		if err == nil {
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && resp.Header.Get("Restpipe-Code") == "0" {
				return data
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s did not answer 200 within %v (last error %v)", what, url, waitFor, err)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronization
	}
}

type nodes struct {
	dir string
}

func (n *nodes) server(t *testing.T, listen string) (p *proc, pipe, front string) {
	p = start(t, "server", "-listen", listen, "-front", "127.0.0.1:0",
		"-cert", filepath.Join(n.dir, "server.cert"), "-key", filepath.Join(n.dir, "server.key"), "-ca", filepath.Join(n.dir, "ca.cert"),
		"-idle-timeout", "3s")
	pipe = p.expect("restpipe: pipe listening on ")
	front = "http://" + p.expect("restpipe: front listening on ")
	return
}

func (n *nodes) client(t *testing.T, id string, extra ...string) (p *proc, front string) {
	args := append([]string{"client", "-front", "127.0.0.1:0",
		"-cert", filepath.Join(n.dir, id+".cert"), "-key", filepath.Join(n.dir, id+".key"),
		"-min-backoff", "20ms", "-max-backoff", "200ms", "-ping-idle", "1s", "-ping-timeout", "1s", "-heartbeat", "1s"}, extra...)
	p = start(t, args...)
	front = "http://" + p.expect("restpipe: front listening on ")
	return
}

func newNodes(t *testing.T, clients string) *nodes {
	n := &nodes{dir: t.TempDir()}
	out, err := exec.Command(binary(t), "pki", "-clients", clients, n.dir).CombinedOutput()
	require.NoError(t, err, string(out))
	return n
}

// inflight starts n slow calls to url and returns their outcomes.
func inflight(t *testing.T, n int, url string) chan string {
	out := make(chan string, n)
	for range n {
		go func() {
			resp, err := httpc.Get(url)
			if err != nil {
				out <- "error: " + err.Error()
				return
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			out <- resp.Status + " " + string(data)
		}()
	}
	return out
}

// pollValue polls url until its JSON body is want.
func pollValue(t *testing.T, url, want, what string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	var last string
	for {
		if resp, err := http.Get(url); err == nil {
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if last = string(data); last == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s answered %q, not %q, within %v", what, url, last, want, waitFor)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronization
	}
}

// expectFailFast checks that n in-flight calls all ended with 503 "pipe closed".
func expectFailFast(t *testing.T, n int, results chan string) {
	t.Helper()
	deadline := time.After(waitFor)
	for i := range n {
		select {
		case r := <-results:
			assert.True(t, strings.HasPrefix(r, "503 ") && strings.Contains(r, "pipe closed"), "in-flight call %d ended with %q", i, r)
		case <-deadline:
			t.Fatalf("%d in-flight calls still hanging %v after the kill", n-i, waitFor)
		}
	}
}

func TestKillAndRestartMidTraffic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs processes")
	}
	n := newNodes(t, "node1")
	srv, pipeAddr, serverFront := n.server(t, "127.0.0.1:0")
	_, clientFront := n.client(t, "node1", "-server", pipeAddr, "-ca", filepath.Join(n.dir, "ca.cert"), "-server-name", "127.0.0.1")
	pollOK(t, clientFront+"/server/time", "client→server before the kill")
	pollOK(t, serverFront+"/client/node1/time", "server→client before the kill")

	// 16 MiB each way through the real processes.
	big := bytes.Repeat([]byte("restpipe"), 2<<20)
	for _, url := range []string{clientFront + "/server/echo", serverFront + "/client/node1/echo"} {
		status, code, data := do(t, "POST", url, big)
		require.Equal(t, 200, status, url)
		require.Equal(t, "0", code, url)
		require.True(t, bytes.Equal(big, data), "%s: 16 MiB echo came back with %d bytes", url, len(data))
	}

	// kill -9 the server with calls in flight and traffic going on.
	const slow = 20
	results := inflight(t, slow, clientFront+"/server/sleep//1m")
	traffic, stopTraffic := context.WithCancel(context.Background())
	var trafficDone sync.WaitGroup
	trafficDone.Add(1)
	go func() {
		defer trafficDone.Done()
		for traffic.Err() == nil {
			if resp, err := httpc.Get(clientFront + "/server/time"); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}()
	pollValue(t, clientFront+"/server/sleeping", strconv.Itoa(slow), "slow calls in flight on the server")
	srv.kill()
	expectFailFast(t, slow, results)

	// While the server is down, new calls fail at once.
	status, _, data := do(t, "GET", clientFront+"/server/time", nil)
	if status != 200 { // the client may not have noticed yet only if the kernel delayed the FIN
		assert.Equal(t, 503, status, string(data))
	}

	// Restart on the same address: the client reconnects, new calls succeed.
	_, _, serverFront2 := n.server(t, pipeAddr)
	pollOK(t, clientFront+"/server/time", "client→server after the restart")
	pollOK(t, serverFront2+"/client/node1/time", "server→client after the restart")
	stopTraffic()
	trafficDone.Wait()
}

func TestKillClientMidTraffic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs processes")
	}
	n := newNodes(t, "node1")
	_, pipeAddr, serverFront := n.server(t, "127.0.0.1:0")
	clientArgs := []string{"-server", pipeAddr, "-ca", filepath.Join(n.dir, "ca.cert")}
	cl, _ := n.client(t, "node1", clientArgs...)
	pollOK(t, serverFront+"/client/node1/time", "server→client before the kill")

	const slow = 20
	results := inflight(t, slow, serverFront+"/client/node1/sleep//1m")
	pollValue(t, serverFront+"/client/node1/sleeping", strconv.Itoa(slow), "slow calls in flight on the client")
	cl.kill()
	expectFailFast(t, slow, results)

	_, clientFront := n.client(t, "node1", clientArgs...)
	pollOK(t, serverFront+"/client/node1/time", "server→client after the client restarted")
	pollOK(t, clientFront+"/server/time", "client→server after the client restarted")
}

func TestForeignAndSpoofedClientsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs processes")
	}
	n := newNodes(t, "node1,mallory")
	other := newNodes(t, "node1")
	_, pipeAddr, serverFront := n.server(t, "127.0.0.1:0")
	good, _ := n.client(t, "node1", "-server", pipeAddr, "-ca", filepath.Join(n.dir, "ca.cert"))
	good.expect("restpipe: connected")

	// A node1 certificate from another CA (trusting the right server CA).
	foreign := start(t, "client", "-front", "", "-server", pipeAddr, "-ca", filepath.Join(n.dir, "ca.cert"),
		"-cert", filepath.Join(other.dir, "node1.cert"), "-key", filepath.Join(other.dir, "node1.key"))
	msg := foreign.expect("restpipe: disconnected: ")
	assert.Contains(t, msg, "certificate")

	// mallory's genuine certificate, claiming node1.
	spoof := start(t, "client", "-front", "", "-server", pipeAddr, "-ca", filepath.Join(n.dir, "ca.cert"),
		"-cert", filepath.Join(n.dir, "mallory.cert"), "-key", filepath.Join(n.dir, "mallory.key"), "-identity", "node1")
	msg = spoof.expect("restpipe: disconnected: ")
	assert.Contains(t, msg, "403")

	data := pollOK(t, serverFront+"/client/node1/time", "node1 still registered")
	assert.Contains(t, string(data), `"node":"client"`)
	status, _, _ := do(t, "GET", serverFront+"/client/mallory/time", nil)
	assert.Equal(t, 404, status, "mallory never registered")
}

func TestEnvironmentConfiguresTheCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs processes")
	}
	n := newNodes(t, "node1")
	t.Setenv("RESTPIPE_LISTEN", "127.0.0.1:0")
	t.Setenv("RESTPIPE_FRONT", "127.0.0.1:0")
	t.Setenv("RESTPIPE_CERT", filepath.Join(n.dir, "server.cert"))
	t.Setenv("RESTPIPE_KEY", filepath.Join(n.dir, "server.key"))
	t.Setenv("RESTPIPE_CA", filepath.Join(n.dir, "ca.cert"))
	p := start(t, "server")
	p.expect("restpipe: pipe listening on 127.0.0.1:")
	front := "http://" + p.expect("restpipe: front listening on ")
	status, _, _ := do(t, "GET", front+"/client/nobody/time", nil)
	assert.Equal(t, 404, status)

	t.Setenv("RESTPIPE_TIMEOUT", "soon")
	out, err := exec.Command(binary(t), "server").CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "RESTPIPE_TIMEOUT")

	out, _ = exec.Command(binary(t), "client", "-h").CombinedOutput()
	for _, v := range []string{"RESTPIPE_SERVER", "RESTPIPE_PING_IDLE", "RESTPIPE_MAX_BACKOFF", "RESTPIPE_STATSD"} {
		assert.Contains(t, string(out), v)
	}
}
