package rgi

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Family is the socket family an address string selects.
type Family uint8

// The address families. One address string names exactly one of them, so an
// application can pass a single string around and stay unaware of the family,
// as Degu's tuples do (Degu tutorial, "HTTP over AF_UNIX").
const (
	FamilyTCP4     Family = iota + 1 // "127.0.0.1:0"
	FamilyTCP6                       // "[::1]:0", "[fe80::1%eth0]:0"
	FamilyUnix                       // "/run/app/rgi.socket"
	FamilyAbstract                   // "@name", or "@" for a kernel-assigned name
)

// String returns the family's short name.
func (f Family) String() string {
	switch f {
	case FamilyTCP4:
		return "tcp4"
	case FamilyTCP6:
		return "tcp6"
	case FamilyUnix:
		return "unix"
	case FamilyAbstract:
		return "abstract"
	}
	return "Family(" + strconv.Itoa(int(f)) + ")"
}

// maxUnixName is the longest Unix socket name: sun_path holds 108 bytes on
// Linux, and a path name needs its terminating NUL (unix(7)). An abstract
// name's leading NUL takes the place of our "@".
const maxUnixName = 107

// ParsedAddress is a validated address string, split into its parts.
type ParsedAddress struct {
	// Family is the socket family the address selects.
	Family Family
	// Host is the IP literal (without brackets or zone) for TCP families.
	Host string
	// Zone is the IPv6 zone (interface name or numeric scope id), if any.
	Zone string
	// Port is the TCP port; 0 asks the kernel for a free one when listening.
	Port int
	// Name is the socket path, or "@" followed by the abstract name ("@" alone
	// asks the kernel to assign a name when listening).
	Name string
}

// Network returns the Go network name for the address ("tcp4", "tcp6" or
// "unix").
func (a ParsedAddress) Network() string {
	switch a.Family {
	case FamilyTCP4:
		return "tcp4"
	case FamilyTCP6:
		return "tcp6"
	}
	return "unix"
}

// String returns the address in its canonical string form.
func (a ParsedAddress) String() string {
	switch a.Family {
	case FamilyTCP4, FamilyTCP6:
		host := a.Host
		if a.Zone != "" {
			host += "%" + a.Zone
		}
		return net.JoinHostPort(host, strconv.Itoa(a.Port))
	}
	return a.Name
}

// AddressError reports an address string that cannot be used.
type AddressError struct {
	Address string // the address as given
	Reason  string // what is wrong with it
	Err     error  // the underlying error, if any
}

// Error implements error.
func (e *AddressError) Error() string {
	s := fmt.Sprintf("rgi: address %q: %s", e.Address, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *AddressError) Unwrap() error { return e.Err }

func addrErr(address, reason string, err error) error {
	return &AddressError{Address: address, Reason: reason, Err: err}
}

// ParseAddress validates an address string and tells which family it selects:
//
//   - "host:port" with an IPv4 literal host: TCP over IPv4;
//   - "[host]:port" with an IPv6 literal host, optionally with a zone
//     ("[fe80::1%eth0]:0" or the numeric scope id "[fe80::1%2]:0"): TCP over
//     IPv6. Like Degu, which never treats its 2-tuple as IPv6, the family is
//     decided by the brackets, not by looking the host up;
//   - an absolute, clean path ("/tmp/x/rgi.socket"): a Unix socket file;
//   - "@name": a Linux abstract Unix socket; "@" alone lets the kernel pick a
//     name when listening.
//
// The port is 0–65535 in decimal and must be present. Host names are not
// addresses here: a server is reached by IP address or socket name.
func ParseAddress(address string) (ParsedAddress, error) {
	switch {
	case address == "":
		return ParsedAddress{}, addrErr(address, "empty address", nil)
	case address[0] == '/':
		if filepath.Clean(address) != address {
			return ParsedAddress{}, addrErr(address, "socket path is not normalised (want "+strconv.Quote(filepath.Clean(address))+")", nil)
		}
		if len(address) > maxUnixName {
			return ParsedAddress{}, addrErr(address, "socket path longer than "+strconv.Itoa(maxUnixName)+" bytes", nil)
		}
		if strings.IndexByte(address, 0) >= 0 {
			return ParsedAddress{}, addrErr(address, "socket path contains a NUL byte", nil)
		}
		return ParsedAddress{Family: FamilyUnix, Name: address}, nil
	case address[0] == '@':
		if len(address) > maxUnixName+1 {
			return ParsedAddress{}, addrErr(address, "abstract socket name longer than "+strconv.Itoa(maxUnixName)+" bytes", nil)
		}
		if strings.IndexByte(address, 0) >= 0 {
			// Go's socket layer ends names at NUL when reading them back, so
			// such a name could not be reported faithfully by AddressOf.
			return ParsedAddress{}, addrErr(address, "abstract socket name contains a NUL byte", nil)
		}
		return ParsedAddress{Family: FamilyAbstract, Name: address}, nil
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return ParsedAddress{}, addrErr(address, "want \"IPv4:port\", \"[IPv6]:port\", an absolute socket path or \"@name\"", err)
	}
	p, err := parsePort(port)
	if err != nil {
		return ParsedAddress{}, addrErr(address, "bad port "+strconv.Quote(port), nil)
	}
	bracketed := strings.HasPrefix(address, "[")
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return ParsedAddress{}, addrErr(address, "host is not an IP address literal", nil)
	}
	if !bracketed {
		if !ip.Is4() {
			return ParsedAddress{}, addrErr(address, "an IPv6 host must be in brackets", nil)
		}
		return ParsedAddress{Family: FamilyTCP4, Host: ip.String(), Port: p}, nil
	}
	if ip.Is4() {
		return ParsedAddress{}, addrErr(address, "an IPv4 host must not be in brackets", nil)
	}
	return ParsedAddress{Family: FamilyTCP6, Host: ip.WithZone("").String(), Zone: ip.Zone(), Port: p}, nil
}

// parsePort accepts 1–5 decimal digits up to 65535.
func parsePort(s string) (int, error) {
	if s == "" || len(s) > 5 {
		return 0, errors.New("bad port")
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errors.New("bad port")
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, errors.New("bad port")
	}
	return n, nil
}

// Listen binds a listening socket on address (see ParseAddress). A socket
// path must not exist yet: as in Degu, an existing file is an error rather
// than something to remove. "@" binds a kernel-assigned abstract name
// (unix(7) "autobind": a bind with only the address family), which AddressOf
// reports as "@" followed by five hex digits.
func Listen(address string) (net.Listener, error) {
	a, err := ParseAddress(address)
	if err != nil {
		return nil, err
	}
	switch a.Family {
	case FamilyUnix:
		if _, err := os.Lstat(a.Name); err == nil {
			return nil, addrErr(address, "socket path already exists", fs.ErrExist)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, addrErr(address, "cannot check socket path", err)
		}
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: a.Name, Net: "unix"})
		if err != nil {
			return nil, addrErr(address, "cannot listen", err)
		}
		return l, nil
	case FamilyAbstract:
		name := a.Name
		if name == "@" {
			// Go turns "@" into a name of one NUL byte (an abstract socket
			// with an empty name); an empty name binds with only the family,
			// which is what makes Linux autobind.
			name = ""
		}
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: name, Net: "unix"})
		if err != nil {
			return nil, addrErr(address, "cannot listen", err)
		}
		return l, nil
	}
	l, err := net.ListenTCP(a.Network(), &net.TCPAddr{IP: net.IP(netip.MustParseAddr(a.Host).AsSlice()), Port: a.Port, Zone: a.Zone})
	if err != nil {
		return nil, addrErr(address, "cannot listen", err)
	}
	return l, nil
}

// Dial connects to address (see ParseAddress) and returns the connection.
// TCP connections have TCP_NODELAY set (Go's default), so a request written
// in several pieces is not held back by Nagle's algorithm.
func Dial(ctx context.Context, address string) (net.Conn, error) {
	a, err := ParseAddress(address)
	if err != nil {
		return nil, err
	}
	if a.Family == FamilyAbstract && a.Name == "@" {
		return nil, addrErr(address, "cannot dial a kernel-assigned abstract name; dial the name the server reports", nil)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, a.Network(), a.String())
	if err != nil {
		return nil, addrErr(address, "cannot connect", err)
	}
	return c, nil
}

// FormatAddress returns a socket address in the address-string form that
// Listen and Dial accept: "127.0.0.1:8080", "[::1]:8080",
// "[fe80::1%eth0]:8080", "/path/to.socket" or "@name". An unnamed Unix
// socket (a client's end) has no name Dial could use and formats as "".
func FormatAddress(addr net.Addr) string {
	switch a := addr.(type) {
	case *net.TCPAddr:
		return formatIPPort(a.IP, a.Zone, a.Port)
	case *net.UDPAddr:
		return formatIPPort(a.IP, a.Zone, a.Port)
	case *net.UnixAddr:
		if a.Name == "@" {
			// Linux reports an unbound peer with an empty sun_path, which
			// Go renders as "@"; it names nothing.
			return ""
		}
		return a.Name
	case nil:
		return ""
	}
	return addr.String()
}

// formatIPPort writes IPv4 (including IPv4-mapped IPv6, which is how Go
// stores IPv4) as "a.b.c.d:port" and everything else in brackets.
func formatIPPort(ip net.IP, zone string, port int) string {
	if ip4 := ip.To4(); ip4 != nil && zone == "" {
		return net.JoinHostPort(ip4.String(), strconv.Itoa(port))
	}
	host := ip.String()
	if zone != "" {
		host += "%" + zone
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// AddressOf returns the address a listener is bound to, in the form Dial
// accepts: with the kernel's port for port 0 and the kernel's name for "@".
func AddressOf(l net.Listener) string { return FormatAddress(l.Addr()) }
