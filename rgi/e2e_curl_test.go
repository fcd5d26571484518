package rgi_test

// A real client nobody here wrote: curl, over each address family
// (--unix-socket and --abstract-unix-socket for the Unix ones). The
// server's own curl tests (server_curl_test.go) cover TCP and mutual TLS.

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/internal/testenv"
	"github.com/h2kit/h2kit/rgi"
	"github.com/h2kit/h2kit/rgi/rgitest"
)

func curlOut(t *testing.T, args ...string) string {
	t.Helper()
	path := testenv.RequireTool(t, "curl", "curl")
	out, err := exec.Command(path, append([]string{"-sS", "--http1.1", "--max-time", "10"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestE2ECurlFamilies(t *testing.T) {
	for _, fam := range rgitest.Families {
		t.Run(fam.String(), func(t *testing.T) {
			srv := rgitest.TempServer(t, rgitest.FreeAddress(t, fam), infoApp, nil)
			var target []string
			switch fam {
			case rgi.FamilyTCP4, rgi.FamilyTCP6:
				target = []string{"http://" + srv.Address() + "/x/y?z"}
			case rgi.FamilyUnix:
				target = []string{"--unix-socket", srv.Address(), "http://localhost/x/y?z"}
			case rgi.FamilyAbstract:
				target = []string{"--abstract-unix-socket", strings.TrimPrefix(srv.Address(), "@"), "http://localhost/x/y?z"}
			}
			// Two requests on one connection, then a PUT with a body.
			out := curlOut(t, append(target, target[len(target)-1])...)
			re := regexp.MustCompile(`^GET /x/y\?z path=\["x" "y"\] query="z"/true client="[^"]*" session=(\S+) requests=0 body=""GET /x/y\?z .* session=(\S+) requests=(\d) body=""$`)
			m := re.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("curl got %q", out)
			}
			// curl (7.88) does not reuse a connection to an abstract socket;
			// elsewhere both requests share one connection and session.
			if fam != rgi.FamilyAbstract && (m[1] != m[2] || m[3] != "1") {
				t.Fatalf("curl did not keep the connection: %q", out)
			}
			out = curlOut(t, append([]string{"-X", "PUT", "--data-binary", "payload"}, target...)...)
			if !strings.HasPrefix(out, "PUT /x/y?z ") || !strings.HasSuffix(out, `body="payload"`) {
				t.Fatalf("curl PUT got %q", out)
			}
		})
	}
}
