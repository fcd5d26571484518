// Command restpipe runs a RestPipe node (package restpipe): the central server,
// a client, or writes a development PKI.
//
//	restpipe pki DIR                 write a CA, a server and client certificates to DIR
//	restpipe server [flags]          accept client pipes; REST front /client/IDENTITY/NOUN
//	restpipe client [flags]          keep a pipe to the server; REST front /server/NOUN
//
// Every flag can also be set with an environment variable (the flag wins);
// "restpipe server -h" lists them. Both nodes serve demo handlers: GET time,
// GET hostname, POST echo, GET sleep//DURATION, GET sleeping (how many sleep
// handlers are running) and GET blob//BYTES.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/h2kit/h2kit/pki"
	"github.com/h2kit/h2kit/restpipe"
)

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "server":
		err = runServer(ctx, os.Args[2:], os.Stdout)
	case "client":
		err = runClient(ctx, os.Args[2:], os.Stdout)
	case "pki":
		err = runPKI(os.Args[2:], os.Stdout)
	case "-h", "-help", "--help", "help":
		usage(os.Stdout)
		return
	default:
		usage(os.Stderr)
		os.Exit(2)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "restpipe:", err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  restpipe pki [-clients a,b] [-server-names n,...] DIR
  restpipe server -cert F -key F -ca F [flags]
  restpipe client -server HOST:PORT -cert F -key F -ca F [flags]
Run "restpipe server -h" or "restpipe client -h" for the flags and their
RESTPIPE_* environment variables.
`)
}

// flags is a FlagSet whose flags default to environment variables.
type flags struct {
	*flag.FlagSet
	env []string
}

func newFlags(name string) *flags {
	f := &flags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.Usage = func() {
		fmt.Fprintf(f.Output(), "usage: restpipe %s [flags]\n\nEach flag's environment variable is in brackets; a flag on the command line wins.\n\n", name)
		f.PrintDefaults()
	}
	return f
}

// envName is the environment variable of a flag: RESTPIPE_ and the flag's
// name in upper case with '-' as '_'.
func envName(flagName string) string {
	return "RESTPIPE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f *flags) str(name, def, help string) *string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v
	}
	return f.String(name, def, help+" ["+envName(name)+"]")
}

func (f *flags) dur(name string, def time.Duration, help string) *time.Duration {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if d, err := time.ParseDuration(v); err == nil {
			def = d
		} else {
			f.env = append(f.env, fmt.Sprintf("%s=%q: %v", envName(name), v, err))
		}
	}
	return f.Duration(name, def, help+" ["+envName(name)+"]")
}

func (f *flags) int(name string, def int, help string) *int {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if n, err := strconv.Atoi(v); err == nil {
			def = n
		} else {
			f.env = append(f.env, fmt.Sprintf("%s=%q: %v", envName(name), v, err))
		}
	}
	return f.Int(name, def, help+" ["+envName(name)+"]")
}

func (f *flags) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		return err // -h works whatever the environment holds
	}
	if len(f.env) > 0 {
		return fmt.Errorf("bad environment: %s", strings.Join(f.env, "; "))
	}
	if f.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", f.Args())
	}
	return nil
}

// common are the flags both nodes have.
type common struct {
	front, cert, key, ca, statsd, statsdPrefix, logLevel *string
	concurrency, maxFrame                                *int
	timeout                                              *time.Duration
}

func commonFlags(f *flags, front string) *common {
	return &common{
		front:        f.str("front", front, "address of the local REST front (HTTP/1.1 and h2c; keep it on loopback); empty: none"),
		cert:         f.str("cert", "", "this node's certificate (PEM)"),
		key:          f.str("key", "", "this node's private key (PEM)"),
		ca:           f.str("ca", "", "the pipe's CA certificate (PEM)"),
		statsd:       f.str("statsd", "", "statsd UDP address (host:port); empty: no statsd"),
		statsdPrefix: f.str("statsd-prefix", "restpipe", "prefix of the statsd metric names"),
		logLevel:     f.str("log-level", "info", "debug, info, warn or error"),
		concurrency:  f.int("concurrency", restpipe.DefaultConcurrency, "most event handlers running at once"),
		maxFrame:     f.int("max-frame", restpipe.DefaultMaxFrameSize, "largest event or reply in bytes"),
		timeout:      f.dur("timeout", restpipe.DefaultCallTimeout, "timeout of a call sent through the front"),
	}
}

func (c *common) logger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*c.logLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

// serveFront starts the REST front; the returned func stops it.
func serveFront(addr string, f *restpipe.Front, out io.Writer) (func(), error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "restpipe: front listening on %s\n", ln.Addr())
	go f.Serve(ln)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		f.Shutdown(ctx)
	}, nil
}

func runServer(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("server")
	listen := f.str("listen", ":9443", "address the pipe server listens on (TLS)")
	idle := f.dur("idle-timeout", restpipe.DefaultPipeIdleTimeout, "drop a pipe that brought nothing (not even a heartbeat) for this long")
	c := commonFlags(f, "127.0.0.1:8080")
	if err := f.parse(args); err != nil {
		return err
	}
	tlsConf, err := restpipe.ServerTLSConfig(*c.cert, *c.key, *c.ca)
	if err != nil {
		return err
	}
	m, err := restpipe.NewMetrics(*c.statsdPrefix, *c.statsd)
	if err != nil {
		return err
	}
	defer m.Close()
	s := &restpipe.Server{
		TLSConfig: tlsConf, Registry: demoRegistry("server"), Concurrency: *c.concurrency,
		CallTimeout: *c.timeout, PipeIdleTimeout: *idle, MaxFrameSize: *c.maxFrame, Metrics: m, Logger: c.logger(),
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "restpipe: pipe listening on %s\n", ln.Addr())
	stopFront, err := serveFront(*c.front, &restpipe.Front{Handler: restpipe.ServerFront(s)}, out)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopFront()
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return s.Shutdown(sctx)
	}
}

func runClient(ctx context.Context, args []string, out io.Writer) error {
	f := newFlags("client")
	server := f.str("server", "", "the pipe server's address, host:port (required)")
	serverName := f.str("server-name", "", "the name the server's certificate must carry; default: the host of -server")
	identity := f.str("identity", "", "the identity this client expects to register under (its certificate's common name); empty: whatever the certificate says")
	pingIdle := f.dur("ping-idle", restpipe.DefaultPingIdle, "send an HTTP/2 PING after this long without a frame from the server")
	pingTimeout := f.dur("ping-timeout", restpipe.DefaultPingTimeout, "drop the connection when a PING is not answered within this")
	heartbeat := f.dur("heartbeat", restpipe.DefaultHeartbeatInterval, "interval of heartbeats up the pipe (below the server's -idle-timeout)")
	minBackoff := f.dur("min-backoff", restpipe.DefaultMinBackoff, "first wait before reconnecting")
	maxBackoff := f.dur("max-backoff", restpipe.DefaultMaxBackoff, "longest wait before reconnecting")
	c := commonFlags(f, "127.0.0.1:8081")
	if err := f.parse(args); err != nil {
		return err
	}
	if *server == "" {
		return errors.New("client: -server (RESTPIPE_SERVER) is required")
	}
	tlsConf, err := restpipe.ClientTLSConfig(*c.cert, *c.key, *c.ca, *serverName)
	if err != nil {
		return err
	}
	m, err := restpipe.NewMetrics(*c.statsdPrefix, *c.statsd)
	if err != nil {
		return err
	}
	defer m.Close()
	log := c.logger()
	cl := &restpipe.Client{
		Addr: *server, TLSConfig: tlsConf, Identity: *identity, Registry: demoRegistry("client"),
		Concurrency: *c.concurrency, CallTimeout: *c.timeout, MinBackoff: *minBackoff, MaxBackoff: *maxBackoff,
		PingIdle: *pingIdle, PingTimeout: *pingTimeout, HeartbeatInterval: *heartbeat, MaxFrameSize: *c.maxFrame,
		Metrics: m, Logger: log,
		OnConnect:    func() { fmt.Fprintln(out, "restpipe: connected") },
		OnDisconnect: func(err error) { fmt.Fprintf(out, "restpipe: disconnected: %v\n", err) },
	}
	stopFront, err := serveFront(*c.front, &restpipe.Front{Handler: restpipe.ClientFront(cl)}, out)
	if err != nil {
		return err
	}
	defer stopFront()
	if err := cl.Run(ctx); !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func runPKI(args []string, out io.Writer) error {
	f := newFlags("pki")
	clients := f.str("clients", "client", "comma-separated identities of the client certificates to issue")
	names := f.str("server-names", strings.Join(pki.LoopbackNames, ","), "comma-separated DNS names and IP addresses of the server certificate")
	valid := f.dur("valid", 365*24*time.Hour, "validity of the certificates")
	f.Usage = func() {
		fmt.Fprint(f.Output(), "usage: restpipe pki [flags] DIR\n\nWrites DIR/ca.{cert,key}, DIR/server.{cert,key} and DIR/IDENTITY.{cert,key}.\n\n")
		f.PrintDefaults()
	}
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		f.Usage()
		return errors.New("pki: one directory expected")
	}
	dir := f.Arg(0)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ca, err := pki.NewCA("restpipe CA", *valid)
	if err != nil {
		return err
	}
	if _, _, err := ca.WriteFiles(dir, "ca"); err != nil {
		return err
	}
	srv, err := ca.IssueServer("restpipe server", strings.Split(*names, ","), *valid)
	if err != nil {
		return err
	}
	if _, _, err := srv.WriteFiles(dir, "server"); err != nil {
		return err
	}
	for _, id := range strings.Split(*clients, ",") {
		if id == "" || strings.ContainsAny(id, "/\\") || id == "ca" || id == "server" {
			return fmt.Errorf("pki: bad client identity %q", id)
		}
		c, err := ca.IssueClient(id, *valid)
		if err != nil {
			return err
		}
		if _, _, err := c.WriteFiles(dir, id); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "restpipe: wrote ca, server and %s certificates to %s\n", *clients, dir)
	return nil
}
