package rgi

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseAddress(t *testing.T) {
	long := "/" + strings.Repeat("a", maxUnixName-1)
	tests := []struct {
		in      string
		want    ParsedAddress
		network string
		str     string
	}{
		{"127.0.0.1:0", ParsedAddress{Family: FamilyTCP4, Host: "127.0.0.1"}, "tcp4", "127.0.0.1:0"},
		{"0.0.0.0:65535", ParsedAddress{Family: FamilyTCP4, Host: "0.0.0.0", Port: 65535}, "tcp4", "0.0.0.0:65535"},
		{"[::1]:0", ParsedAddress{Family: FamilyTCP6, Host: "::1"}, "tcp6", "[::1]:0"},
		{"[::]:8080", ParsedAddress{Family: FamilyTCP6, Host: "::", Port: 8080}, "tcp6", "[::]:8080"},
		{"[fe80::1%eth0]:0", ParsedAddress{Family: FamilyTCP6, Host: "fe80::1", Zone: "eth0"}, "tcp6", "[fe80::1%eth0]:0"},
		{"[fe80::1%2]:443", ParsedAddress{Family: FamilyTCP6, Host: "fe80::1", Zone: "2", Port: 443}, "tcp6", "[fe80::1%2]:443"},
		{"[::ffff:127.0.0.1]:1", ParsedAddress{Family: FamilyTCP6, Host: "::ffff:127.0.0.1", Port: 1}, "tcp6", "[::ffff:127.0.0.1]:1"},
		{"/tmp/x/rgi.socket", ParsedAddress{Family: FamilyUnix, Name: "/tmp/x/rgi.socket"}, "unix", "/tmp/x/rgi.socket"},
		{long, ParsedAddress{Family: FamilyUnix, Name: long}, "unix", long},
		{"@", ParsedAddress{Family: FamilyAbstract, Name: "@"}, "unix", "@"},
		{"@degu.test", ParsedAddress{Family: FamilyAbstract, Name: "@degu.test"}, "unix", "@degu.test"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseAddress(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if got.Network() != tc.network {
				t.Errorf("Network() = %q, want %q", got.Network(), tc.network)
			}
			if got.String() != tc.str {
				t.Errorf("String() = %q, want %q", got.String(), tc.str)
			}
		})
	}
}

func TestParseAddressErrors(t *testing.T) {
	tests := []struct{ in, reason string }{
		{"", "empty address"},
		{"127.0.0.1", "want"},
		{"127.0.0.1:", "bad port"},
		{"127.0.0.1:65536", "bad port"},
		{"127.0.0.1:-1", "bad port"},
		{"127.0.0.1:+1", "bad port"},
		{"127.0.0.1:123456", "bad port"},
		{"127.0.0.1:http", "bad port"},
		{"localhost:80", "not an IP address literal"},
		{":80", "not an IP address literal"},
		{"::1:80", "want"},
		{"[127.0.0.1]:80", "IPv4 host must not be in brackets"},
		{"[::1]", "want"},
		{"[fe80::1%]:0", "not an IP address literal"},
		{"[::1]:0x10", "bad port"},
		{"tmp/x.socket", "want"},
		{"/tmp/../x.socket", "not normalised"},
		{"/tmp/x/", "not normalised"},
		{"/tmp//x", "not normalised"},
		{"/" + strings.Repeat("a", maxUnixName), "longer than"},
		{"/tmp/a\x00b", "NUL"},
		{"@" + strings.Repeat("a", maxUnixName+1), "longer than"},
		{"@a\x00b", "NUL"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseAddress(tc.in)
			var ae *AddressError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *AddressError", err)
			}
			if ae.Address != tc.in {
				t.Errorf("Address = %q", ae.Address)
			}
			if !strings.Contains(ae.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to contain %q", ae.Reason, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "rgi: address ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestFamilyString(t *testing.T) {
	for f, want := range map[Family]string{FamilyTCP4: "tcp4", FamilyTCP6: "tcp6", FamilyUnix: "unix", FamilyAbstract: "abstract", 9: "Family(9)"} {
		if f.String() != want {
			t.Errorf("%d: %q, want %q", f, f.String(), want)
		}
	}
}

func TestFormatAddress(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}, "127.0.0.1:80"},
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.1").To4(), Port: 1}, "127.0.0.1:1"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "[::1]:8080"},
		{&net.TCPAddr{IP: net.ParseIP("fe80::1"), Zone: "eth0", Port: 9}, "[fe80::1%eth0]:9"},
		{&net.UnixAddr{Name: "/tmp/s", Net: "unix"}, "/tmp/s"},
		{&net.UnixAddr{Name: "@0db29", Net: "unix"}, "@0db29"},
		{&net.UnixAddr{Name: "@", Net: "unix"}, ""},
		{&net.UnixAddr{Name: "", Net: "unix"}, ""},
		{nil, ""},
	}
	for _, tc := range tests {
		if got := FormatAddress(tc.addr); got != tc.want {
			t.Errorf("FormatAddress(%#v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// echoOnce accepts one connection and echoes what it reads.
func echoOnce(l net.Listener) {
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(c, c)
	}()
}

func roundTrip(t *testing.T, address string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, address)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	if string(buf) != "ping" {
		t.Fatalf("echo = %q", buf)
	}
}

func mustListen(t *testing.T, address string) net.Listener {
	t.Helper()
	l, err := Listen(address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestListenDialTCP4(t *testing.T) {
	l := mustListen(t, "127.0.0.1:0")
	addr := AddressOf(l)
	if !regexp.MustCompile(`^127\.0\.0\.1:[1-9][0-9]*$`).MatchString(addr) {
		t.Fatalf("AddressOf = %q", addr)
	}
	echoOnce(l)
	roundTrip(t, addr)
}

func TestListenDialTCP6(t *testing.T) {
	l, err := Listen("[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	defer l.Close()
	addr := AddressOf(l)
	if !regexp.MustCompile(`^\[::1\]:[1-9][0-9]*$`).MatchString(addr) {
		t.Fatalf("AddressOf = %q", addr)
	}
	echoOnce(l)
	roundTrip(t, addr)
}

func TestListenUnixPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rgi.socket")
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := AddressOf(l); got != path {
		t.Errorf("AddressOf = %q, want %q", got, path)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().Type() != fs.ModeSocket {
		t.Fatalf("Lstat: %v, %v", fi, err)
	}

	// A second server on the same path is refused, not unlinked.
	_, err = Listen(path)
	var ae *AddressError
	if !errors.As(err, &ae) || !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Listen: %v", err)
	}

	echoOnce(l)
	roundTrip(t, path)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket file left after Close: %v", err)
	}
}

func TestListenUnixPathExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Listen on a file: %v", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "x" {
		t.Fatalf("existing file touched: %q %v", b, err)
	}
}

func TestListenAbstractAutobind(t *testing.T) {
	l1 := mustListen(t, "@")
	l2 := mustListen(t, "@")
	a1, a2 := AddressOf(l1), AddressOf(l2)
	// unix(7): autobind names are 5 hex digits after the leading NUL.
	re := regexp.MustCompile(`^@[0-9a-f]{5}$`)
	if !re.MatchString(a1) || !re.MatchString(a2) || a1 == a2 {
		t.Fatalf("autobind names %q, %q", a1, a2)
	}
	echoOnce(l1)
	roundTrip(t, a1)
}

func TestListenAbstractNamed(t *testing.T) {
	name := "@h2kit-rgi-test-" + time.Now().Format("150405.000000000")
	l := mustListen(t, name)
	if got := AddressOf(l); got != name {
		t.Errorf("AddressOf = %q, want %q", got, name)
	}
	var ae *AddressError
	if _, err := Listen(name); !errors.As(err, &ae) || ae.Reason != "cannot listen" {
		t.Fatalf("second Listen on a taken name: %v", err)
	}
	echoOnce(l)
	roundTrip(t, name)
}

func TestDialErrors(t *testing.T) {
	ctx := context.Background()
	var ae *AddressError
	if _, err := Dial(ctx, "@"); !errors.As(err, &ae) || !strings.Contains(ae.Reason, "kernel-assigned") {
		t.Errorf("Dial(@): %v", err)
	}
	if _, err := Dial(ctx, "nonsense"); !errors.As(err, &ae) {
		t.Errorf("Dial(nonsense): %v", err)
	}
	if _, err := Dial(ctx, filepath.Join(t.TempDir(), "missing.socket")); !errors.As(err, &ae) || ae.Reason != "cannot connect" || ae.Err == nil {
		t.Errorf("Dial(missing): %v", err)
	}
}

func TestListenErrors(t *testing.T) {
	var ae *AddressError
	// TEST-NET-1 is not configured on this machine, so it cannot be bound.
	if _, err := Listen("192.0.2.1:0"); !errors.As(err, &ae) || ae.Reason != "cannot listen" {
		t.Errorf("Listen(192.0.2.1:0): %v", err)
	}
	if _, err := Listen(filepath.Join(t.TempDir(), "no", "dir.socket")); !errors.As(err, &ae) || ae.Reason != "cannot listen" {
		t.Errorf("Listen(missing dir): %v", err)
	}
	if _, err := Listen("[fe80::1%no-such-if0]:0"); !errors.As(err, &ae) {
		t.Errorf("Listen(unknown zone): %v", err)
	}
}

// TestListenDialZone uses the seed's scope id on the loopback interface:
// the only interface a test may bind. Linux ignores the scope of a
// non-link-local address, so the bound address comes back without it.
func TestListenDialZone(t *testing.T) {
	for _, zone := range []string{"lo", "1"} {
		l, err := Listen("[::1%" + zone + "]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback with zone %s: %v", zone, err)
		}
		addr := AddressOf(l)
		if !regexp.MustCompile(`^\[::1\]:[1-9][0-9]*$`).MatchString(addr) {
			t.Fatalf("AddressOf = %q", addr)
		}
		a, err := ParseAddress(addr)
		if err != nil {
			t.Fatal(err)
		}
		echoOnce(l)
		roundTrip(t, "[::1%"+zone+"]:"+strconv.Itoa(a.Port))
		l.Close()
	}
}
