package h2server

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// h2specBinary builds the h2spec pinned in go.mod (github.com/summerwind/h2spec
// v2.2.1+incompatible) once per test run.
var h2specBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "h2spec")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "h2spec")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/summerwind/h2spec/cmd/h2spec").CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// junitReport is the subset of h2spec's JUnit XML (-j) the test reads.
type junitReport struct {
	Suites []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Package   string `xml:"package,attr"`
			ClassName string `xml:"classname,attr"`
			Failure   *struct {
				Text string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Text string `xml:",chardata"`
			} `xml:"error"`
			Skipped *struct {
				Text string `xml:",chardata"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestH2spec runs the whole h2spec suite (145 cases: generic, RFC 7540/9113 and
// RFC 7541) against the server over h2c and over TLS and fails listing every
// case that failed or was skipped.
func TestH2spec(t *testing.T) {
	if testing.Short() {
		t.Skip("h2spec is slow; skipped with -short")
	}
	bin, err := h2specBinary()
	if err != nil {
		t.Fatalf("building h2spec: %v", err)
	}
	for _, tlsOn := range []bool{false, true} {
		name := "h2c"
		if tlsOn {
			name = "tls"
		}
		t.Run(name, func(t *testing.T) {
			srv := &Server{Handler: echoFactory}
			startServer(t, srv, tlsOn)
			report := filepath.Join(t.TempDir(), "report.xml")
			args := []string{"-h", "127.0.0.1", "-p", port(t, srv.Addr()), "-o", "5", "-j", report}
			if tlsOn {
				args = append(args, "-t", "-k")
			}
			out, err := exec.Command(bin, args...).CombinedOutput()
			data, rerr := os.ReadFile(report)
			if rerr != nil {
				t.Fatalf("h2spec wrote no report (err %v): %s", err, out)
			}
			var rep junitReport
			if err := xml.Unmarshal(data, &rep); err != nil {
				t.Fatalf("parsing the JUnit report: %v", err)
			}
			total, passed := 0, 0
			var bad []string
			for _, s := range rep.Suites {
				for _, c := range s.Cases {
					total++
					switch {
					case c.Failure != nil:
						bad = append(bad, "FAILED  "+c.Package+" "+c.ClassName+": "+strings.TrimSpace(c.Failure.Text))
					case c.Error != nil:
						bad = append(bad, "ERROR   "+c.Package+" "+c.ClassName+": "+strings.TrimSpace(c.Error.Text))
					case c.Skipped != nil:
						bad = append(bad, "SKIPPED "+c.Package+" "+c.ClassName+": "+strings.TrimSpace(c.Skipped.Text))
					default:
						passed++
					}
				}
			}
			t.Logf("h2spec %s: %d/%d passed", name, passed, total)
			if len(bad) > 0 || total != 145 {
				t.Errorf("h2spec %s: %d cases, %d passed; not passed:\n%s", name, total, passed, strings.Join(bad, "\n"))
			}
		})
	}
}
