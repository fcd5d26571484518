package h2server_test

import "github.com/h2kit/h2kit/h2server"

// Short names for the helpers export_test.go exports, so that the tests
// moved out of package h2server read as they did inside it.
var (
	echoFactory = h2server.EchoFactory
	startServer = h2server.StartServer
	testCert    = h2server.TestCert
	needTool    = h2server.NeedTool
	dialClient  = h2server.DialClient
	newRelay    = h2server.NewRelay
)

const switchingProtocols = h2server.SwitchingProtocols

type rejects = h2server.Rejects
