package pki_test

import (
	"crypto/tls"
	"fmt"
	"time"

	"github.com/h2kit/h2kit/pki"
)

// A private CA for mutual TLS: the server trusts clients whose certificate
// the CA issued and knows each by its common name.
func ExampleCA() {
	ca, err := pki.NewCA("pipe CA", 365*24*time.Hour)
	if err != nil {
		panic(err)
	}
	server, _ := ca.IssueServer("pipe server", []string{"pipe.example"}, 0)
	client, _ := ca.IssueClient("node-1", 0)

	serverConfig := &tls.Config{
		Certificates: []tls.Certificate{server.TLS()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
	}
	clientConfig := &tls.Config{
		Certificates: []tls.Certificate{client.TLS()},
		RootCAs:      ca.Pool(),
		ServerName:   "pipe.example",
	}
	fmt.Println(serverConfig.ClientAuth, clientConfig.ServerName, client.Cert.Subject.CommonName)
	// Output: RequireAndVerifyClientCert pipe.example node-1
}

// The quick start: an in-memory certificate for loopback names.
func ExampleSelfSigned() {
	cert, err := pki.SelfSigned()
	if err != nil {
		panic(err)
	}
	fmt.Println(cert.Leaf.DNSNames, len(cert.Leaf.IPAddresses))
	// Output: [localhost] 2
}
