package h2server

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// h2specBinary builds the h2spec pinned in go.mod (github.com/summerwind/h2spec
// v2.2.1+incompatible) once per test run, into the build cache (go tool -n
// prints its path), so that no binary is left in a temporary directory.
var h2specBinary = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "tool", "-n", "h2spec").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		return "", &buildError{out: string(stderr), err: err}
	}
	return strings.TrimSpace(string(out)), nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// parseJUnit reads h2spec's JUnit report. h2spec writes the frames it
// received into failure messages as they are, NUL bytes included, which XML
// does not allow: control characters are spelled \xNN first.
func parseJUnit(data []byte) (junitReport, error) {
	var b strings.Builder
	for _, c := range data {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			fmt.Fprintf(&b, `\x%02x`, c)
		} else {
			b.WriteByte(c)
		}
	}
	var rep junitReport
	err := xml.Unmarshal([]byte(b.String()), &rep)
	return rep, err
}

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
			// h2spec's own output is shown on any failure: it does not
			// depend on the report being readable.
			out = bytes.ReplaceAll(out, []byte{0}, []byte(`\x00`))
			data, rerr := os.ReadFile(report)
			if rerr != nil {
				t.Fatalf("h2spec wrote no report (err %v): %s", err, out)
			}
			rep, perr := parseJUnit(data)
			if perr != nil {
				t.Fatalf("parsing the JUnit report: %v; h2spec (err %v) said:\n%s", perr, err, out)
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
				t.Errorf("h2spec %s: %d cases, %d passed; not passed:\n%s\nh2spec (err %v) said:\n%s", name, total, passed, strings.Join(bad, "\n"), err, out)
			}
		})
	}
}

// TestH2specReportWithNUL: a report whose failure message holds NUL bytes, as
// h2spec writes them, is read, and the failed case is listed.
func TestH2specReportWithNUL(t *testing.T) {
	data := []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites><testsuite name=\"generic\">" +
		"<testcase package=\"generic/3.8\" classname=\"Sends a GOAWAY frame\"><failure>PING Frame (opaque_data:h2spec\x00\x00)</failure></testcase>" +
		"</testsuite></testsuites>")
	rep, err := parseJUnit(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 1 || rep.Suites[0].Cases[0].Failure == nil {
		t.Fatalf("report %+v", rep)
	}
	if got, want := rep.Suites[0].Cases[0].Failure.Text, `PING Frame (opaque_data:h2spec\x00\x00)`; got != want {
		t.Errorf("failure text %q, want %q", got, want)
	}
}
