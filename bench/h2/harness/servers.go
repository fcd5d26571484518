package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The servers compared, in table order, and what the harness calls them in ONLY.
var serverNames = []string{"h2kit", "nghttpd", "h2o", "go"}

// endpoint is where one server answers one protocol, and the process whose
// CPU time that costs.
type endpoint struct {
	addr string // host:port
	proc *proc
}

// server is one running server of one workload.
type server struct {
	name  string              // one of serverNames
	label string              // column header
	eps   map[string]endpoint // by protocol: "h2c", "tls", "h1"
	procs []*proc
	note  string // how it serves, for the report
}

func (s *server) kill() {
	for _, p := range s.procs {
		p.kill()
	}
}

// env is what starting a server needs.
type env struct {
	work      string // scratch directory
	srvCPU    string
	h2demo    string // binaries
	refserver string
	cert, key string // PEM files
}

// mode says where the servers take the responses from.
type mode struct {
	name string // "disk" or "mem"
	root string // directory holding hello.txt and 1m (disk: for all; mem: for nghttpd)
}

// start starts server name for mode m. With only set, only that protocol's
// endpoint is started (the idle measurement starts one at a time).
func (e *env) start(name string, m mode, only string) (*server, error) {
	want := func(p string) bool { return only == "" || only == p }
	s := &server{name: name, eps: map[string]endpoint{}}
	tag := name + "-" + m.name
	if only != "" {
		tag += "-" + only
	}
	var ports []string
	for range 2 {
		a, err := freePort()
		if err != nil {
			return nil, err
		}
		ports = append(ports, a)
	}
	plain, secure := ports[0], ports[1]
	started := func(p *proc, err error, protos ...string) error {
		if err != nil {
			return err
		}
		s.procs = append(s.procs, p)
		for _, pr := range protos {
			a := plain
			if pr == "tls" {
				a = secure
			}
			s.eps[pr] = endpoint{addr: a, proc: p}
		}
		return nil
	}
	var err error
	switch name {
	case "h2kit":
		args := []string{e.h2demo, "-quiet", "-h2c", plain, "-addr", secure, "-cert", e.cert, "-key", e.key}
		s.label, s.note = "h2kit", "h2demo's embedded site, answered by its native handler (HTTP/1.1: its RGI fallback)"
		if m.name == "disk" {
			args = append(args, "-root", m.root)
			s.label, s.note = "h2kit `-root`", "h2demo -root (static.Server with its open-file cache; HTTP/1.1: static.Server.App through the RGI fallback)"
		}
		p, e2 := startPinned(e.work, tag, e.srvCPU, args...)
		err = started(p, e2, "h2c", "tls", "h1")
	case "nghttpd":
		s.label, s.note = "nghttpd", "nghttpd -d DIR (no HTTP/1.1); one process per port"
		if m.name == "mem" {
			s.label, s.note = "nghttpd (tmpfs)", "nghttpd cannot answer from memory: it serves the files from tmpfs ("+m.root+")"
		}
		if want("h2c") {
			p, e2 := startPinned(e.work, tag+"-h2c", e.srvCPU, "nghttpd", "-a", "127.0.0.1", "-d", m.root, "--no-tls", port(plain))
			err = started(p, e2, "h2c")
		}
		if err == nil && want("tls") {
			p, e2 := startPinned(e.work, tag+"-tls", e.srvCPU, "nghttpd", "-a", "127.0.0.1", "-d", m.root, port(secure), e.key, e.cert)
			err = started(p, e2, "tls")
		}
	case "h2o":
		conf := filepath.Join(e.work, tag+".conf")
		if err := os.WriteFile(conf, []byte(h2oConfig(m, plain, secure, e.cert, e.key)), 0o644); err != nil {
			return nil, err
		}
		s.label, s.note = "h2o", "h2o file.dir, one thread"
		if m.name == "mem" {
			s.label, s.note = "h2o (mruby)", "h2o mruby.handler returning a fixed response, one thread"
		}
		p, e2 := startPinned(e.work, tag, e.srvCPU, "h2o", "-c", conf)
		err = started(p, e2, "h2c", "tls", "h1")
	case "go":
		args := []string{e.refserver, "-h2c", plain, "-addr", secure, "-cert", e.cert, "-key", e.key}
		s.label, s.note = "Go net/http", "bench/h2/refserver: a handler writing fixed bytes"
		if m.name == "disk" {
			args = append(args, "-root", m.root)
			s.label, s.note = "Go net/http", "bench/h2/refserver -root (http.FileServer)"
		}
		p, e2 := startPinned(e.work, tag, e.srvCPU, args...)
		err = started(p, e2, "h2c", "tls", "h1")
	default:
		return nil, fmt.Errorf("unknown server %q", name)
	}
	if err != nil {
		s.kill()
		return nil, err
	}
	for pr, ep := range s.eps {
		if !want(pr) {
			delete(s.eps, pr)
			continue
		}
		if err := waitListening(ep.proc, ep.addr); err != nil {
			s.kill()
			return nil, err
		}
	}
	return s, nil
}

func port(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }

// h2oConfig serves the files of m.root (disk) or fixed mruby responses (mem)
// on a cleartext port (h2c with prior knowledge and HTTP/1.1) and a TLS port,
// with one worker thread like the other servers' one core. The idle timeout is
// raised from h2o's 10 s so that the idle-connection measurement keeps its
// connections, and max-connections from its 1024 for the same reason.
func h2oConfig(m mode, plain, secure, cert, key string) string {
	var paths string
	if m.name == "disk" {
		paths = fmt.Sprintf(`      /:
        file.dir: %s
`, m.root)
	} else {
		paths = `      /hello.txt:
        mruby.handler: |
          Proc.new do |env|
            [200, {"content-type" => "text/plain", "content-length" => "12"}, ["hello, world"]]
          end
      /1m:
        mruby.handler: |
          big = "a" * 1048576
          Proc.new do |env|
            [200, {"content-type" => "application/octet-stream", "content-length" => "1048576"}, [big]]
          end
`
	}
	return fmt.Sprintf(`num-threads: 1
max-connections: 100000
http2-idle-timeout: 600
listen:
  host: 127.0.0.1
  port: %s
listen:
  host: 127.0.0.1
  port: %s
  ssl:
    certificate-file: %s
    key-file: %s
hosts:
  default:
    paths:
%s`, port(plain), port(secure), cert, key, paths)
}
