package rgi_test

import (
	"fmt"

	"github.com/h2kit/h2kit/rgi"
)

// One address string selects the family, for servers and clients alike.
func ExampleParseAddress() {
	for _, a := range []string{"127.0.0.1:0", "[::1]:8080", "[fe80::1%eth0]:0", "/run/app/rgi.socket", "@app", "@"} {
		p, err := rgi.ParseAddress(a)
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Family, p.Network(), p.String())
	}
	_, err := rgi.ParseAddress("localhost:80")
	fmt.Println(err)
	// Output:
	// tcp4 tcp4 127.0.0.1:0
	// tcp6 tcp6 [::1]:8080
	// tcp6 tcp6 [fe80::1%eth0]:0
	// unix unix /run/app/rgi.socket
	// abstract unix @app
	// abstract unix @
	// rgi: address "localhost:80": host is not an IP address literal
}
