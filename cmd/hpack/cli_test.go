package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/hpack"
	xhpack "golang.org/x/net/http2/hpack"
)

// runCLI runs the program on stdin and returns its exit status and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGolden compares whole outputs with golden files written from the RFC
// 7541 Appendix C.4 text (wire bytes and decoded fields), not from this
// program's output.
func TestGolden(t *testing.T) {
	tests := []struct {
		name, args, in, golden string
	}{
		{"deflate C.4 requests", "deflate", "example.json", "example.deflated.json"},
		{"inflate C.4 wire", "inflate", "rfc7541-c4-wire.json", "rfc7541-c4-wire.inflated.json"},
		{"inflate what deflate wrote", "inflate", "example.deflated.json", "example.reinflated.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, readTestdata(t, tt.in), strings.Fields(tt.args)...)
			if code != 0 {
				t.Fatalf("exit status %d, stderr:\n%s", code, errOut)
			}
			if errOut != "" {
				t.Errorf("unexpected stderr:\n%s", errOut)
			}
			if want := readTestdata(t, tt.golden); out != want {
				t.Errorf("output differs from testdata/%s\ngot:\n%s\nwant:\n%s", tt.golden, out, want)
			}
		})
	}
}

// TestTableDump checks -t against the dynamic tables that RFC 7541 C.4.1
// to C.4.3 list after each request.
func TestTableDump(t *testing.T) {
	authority := hpack.Entry{Name: ":authority", Value: "www.example.com", Size: 57}
	cacheControl := hpack.Entry{Name: "cache-control", Value: "no-cache", Size: 53}
	customKey := hpack.Entry{Name: "custom-key", Value: "custom-value", Size: 54}
	var want bytes.Buffer
	for i, tab := range [][]hpack.Entry{
		{authority},
		{cacheControl, authority},
		{customKey, cacheControl, authority},
	} {
		want.WriteString("# seqno " + string(rune('0'+i)) + "\n")
		hpack.PrintTable(&want, tab)
	}
	for _, args := range [][]string{{"-t", "deflate"}, {"deflate", "-t"}} {
		code, out, errOut := runCLI(t, readTestdata(t, "example.json"), args...)
		if code != 0 {
			t.Fatalf("%v: exit status %d: %s", args, code, errOut)
		}
		if out != readTestdata(t, "example.deflated.json") {
			t.Errorf("%v: -t changed stdout:\n%s", args, out)
		}
		if errOut != want.String() {
			t.Errorf("%v: table dump\ngot:\n%s\nwant:\n%s", args, errOut, want.String())
		}
	}
	code, _, errOut := runCLI(t, readTestdata(t, "rfc7541-c4-wire.json"), "inflate", "-t")
	if code != 0 || errOut != want.String() {
		t.Errorf("inflate -t: status %d, table dump\ngot:\n%s\nwant:\n%s", code, errOut, want.String())
	}
}

// xnetDecode decodes one block with x/net's decoder, an implementation
// nobody here wrote, keeping its dynamic table across calls.
func xnetDecode(t *testing.T, d *xhpack.Decoder, wire string) []map[string]string {
	t.Helper()
	b, err := hex.DecodeString(wire)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := d.DecodeFull(b)
	if err != nil {
		t.Fatalf("x/net rejects wire %s: %v", wire, err)
	}
	hs := []map[string]string{}
	for _, f := range fs {
		hs = append(hs, map[string]string{f.Name: f.Value})
	}
	return hs
}

type testStory struct {
	Cases []struct {
		Seqno           int                 `json:"seqno"`
		HeaderTableSize *uint32             `json:"header_table_size"`
		Wire            string              `json:"wire"`
		Headers         []map[string]string `json:"headers"`
	} `json:"cases"`
}

// TestTableSizeChanges drives header_table_size through deflate and
// inflate: the deflater must announce each new size (RFC 7541 §4.2), and
// both x/net and our inflate must decode the result to the input headers.
func TestTableSizeChanges(t *testing.T) {
	in := `{"cases":[
	 {"headers":[{"x-a":"1"},{"x-b":"2"}]},
	 {"header_table_size":0,"headers":[{"x-a":"1"},{"x-b":"2"}]},
	 {"header_table_size":null,"headers":[{"x-a":"1"}]},
	 {"header_table_size":100,"headers":[{"x-long":"` + strings.Repeat("v", 80) + `"},{"x-a":"1"}]},
	 {"header_table_size":8192,"headers":[{"x-a":"1"},{"x-b":"2"}]}
	]}`
	code, out, errOut := runCLI(t, in, "deflate")
	if code != 0 {
		t.Fatalf("deflate: status %d: %s", code, errOut)
	}
	var s testStory
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Cases) != 5 {
		t.Fatalf("got %d cases, want 5", len(s.Cases))
	}
	wantSize := []*uint32{nil, u32(0), nil, u32(100), u32(8192)}
	for i, c := range s.Cases {
		if c.Seqno != i {
			t.Errorf("case %d: seqno %d", i, c.Seqno)
		}
		if (c.HeaderTableSize == nil) != (wantSize[i] == nil) ||
			(c.HeaderTableSize != nil && *c.HeaderTableSize != *wantSize[i]) {
			t.Errorf("case %d: header_table_size %v, want %v", i, c.HeaderTableSize, wantSize[i])
		}
	}
	// RFC 7541 §6.3: a size update to 0 is the single byte 0x20; to 100 it is
	// 0x3f 0x45. The update must open the block.
	if !strings.HasPrefix(s.Cases[1].Wire, "20") {
		t.Errorf("case 1 after header_table_size 0: wire %s does not open with 20", s.Cases[1].Wire)
	}
	if !strings.HasPrefix(s.Cases[3].Wire, "3f45") {
		t.Errorf("case 3 after header_table_size 100: wire %s does not open with 3f45", s.Cases[3].Wire)
	}
	// The cap (4096) bounds the deflater even though the peer allows 8192.
	xd := xhpack.NewDecoder(4096, nil)
	for i, c := range s.Cases {
		if c.HeaderTableSize != nil {
			xd.SetAllowedMaxDynamicTableSize(*c.HeaderTableSize)
		}
		if got := xnetDecode(t, xd, c.Wire); !equalHeaders(got, c.Headers) {
			t.Errorf("case %d: x/net decodes %v, want %v", i, got, c.Headers)
		}
	}
	code, out2, errOut := runCLI(t, out, "inflate")
	if code != 0 {
		t.Fatalf("inflate: status %d: %s", code, errOut)
	}
	var s2 testStory
	if err := json.Unmarshal([]byte(out2), &s2); err != nil {
		t.Fatal(err)
	}
	for i := range s.Cases {
		if !equalHeaders(s2.Cases[i].Headers, s.Cases[i].Headers) || s2.Cases[i].Wire != s.Cases[i].Wire {
			t.Errorf("case %d: inflate gives %v / %s, want %v / %s", i,
				s2.Cases[i].Headers, s2.Cases[i].Wire, s.Cases[i].Headers, s.Cases[i].Wire)
		}
	}
}

// TestDeflaterCap checks -S: with a cap of 0 nothing may be indexed, so
// the inflater's table stays empty after every block.
func TestDeflaterCap(t *testing.T) {
	code, out, errOut := runCLI(t, readTestdata(t, "example.json"), "deflate", "-S", "0")
	if code != 0 {
		t.Fatalf("deflate -S 0: status %d: %s", code, errOut)
	}
	if !strings.Contains(out, "table size cap 0") {
		t.Errorf("description does not mention the cap:\n%s", out)
	}
	code, out2, tables := runCLI(t, out, "-t", "inflate")
	if code != 0 {
		t.Fatalf("inflate: status %d: %s", code, tables)
	}
	var empty bytes.Buffer
	for i := range 3 {
		empty.WriteString("# seqno " + string(rune('0'+i)) + "\n")
		hpack.PrintTable(&empty, nil)
	}
	if tables != empty.String() {
		t.Errorf("tables after -S 0 blocks:\n%s\nwant:\n%s", tables, empty.String())
	}
	var a, b testStory
	if err := json.Unmarshal([]byte(out2), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(readTestdata(t, "example.deflated.json")), &b); err != nil {
		t.Fatal(err)
	}
	for i := range b.Cases {
		if !equalHeaders(a.Cases[i].Headers, b.Cases[i].Headers) {
			t.Errorf("case %d: %v, want %v", i, a.Cases[i].Headers, b.Cases[i].Headers)
		}
	}
}

// TestErrors checks that bad input gives exit status 1 and a message that
// names the failing case, and that the codec's typed error is kept.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, cmd, in string
		msg           []string // substrings of stderr
		is            error    // when not nil, errors.Is must hold on the returned error
	}{
		{"not JSON", "inflate", `{"cases":[`, []string{"reading story JSON"}, nil},
		{"no cases", "deflate", `{"description":"x"}`, []string{`no "cases"`}, nil},
		{"trailing data", "deflate", `{"cases":[]} {}`, []string{"trailing data"}, nil},
		{"case not an object", "inflate", `{"cases":[{"wire":""}, 7]}`, []string{"case 1:"}, nil},
		{"missing wire", "inflate", `{"cases":[{"wire":""},{"seqno":5}]}`, []string{"case 1 (seqno 5)", `missing "wire"`}, nil},
		{"missing headers", "deflate", `{"cases":[{"headers":[]},{"wire":"82"}]}`, []string{"case 1:", `missing "headers"`}, nil},
		{"two members", "deflate", `{"cases":[{"headers":[{"a":"1","b":"2"}]}]}`, []string{"case 0:", "header 0", "exactly one member"}, nil},
		{"zero members", "deflate", `{"cases":[{"headers":[{"a":"1"},{}]}]}`, []string{"case 0:", "header 1"}, nil},
		{"negative size", "inflate", `{"cases":[{"header_table_size":-1,"wire":""}]}`, []string{"case 0:"}, nil},
		{"odd hex", "inflate", `{"cases":[{"wire":"82"},{"wire":"828"}]}`, []string{"case 1:", "odd number of hex digits"}, nil},
		{"not hex", "inflate", `{"cases":[{"wire":"zz"}]}`, []string{"case 0:", "wire:"}, nil},
		// RFC 7541 §2.3.3: index 62 with an empty dynamic table.
		{"invalid index", "inflate", `{"cases":[{"wire":"82"},{"seqno":9,"wire":"be"}]}`, []string{"case 1 (seqno 9)"}, hpack.ErrInvalidIndex},
		// A literal whose value length says 5 bytes but the block ends.
		{"truncated", "inflate", `{"cases":[{"wire":"000161056162"}]}`, []string{"case 0:"}, hpack.ErrTruncated},
		// RFC 7541 §4.2: a size update above the advertised size.
		{"size update too big", "inflate", `{"cases":[{"header_table_size":100,"wire":"3f4682"}]}`, []string{"case 0:"}, hpack.ErrTableSizeUpdate},
		// A literal value 0xff: valid HPACK, not representable in JSON.
		{"not UTF-8", "inflate", `{"cases":[{"wire":"00016101ff"}]}`, []string{"case 0:", "not valid UTF-8"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.in, tt.cmd)
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			if out != "" {
				t.Errorf("stdout not empty on failure:\n%s", out)
			}
			if !strings.HasPrefix(errOut, "hpack "+tt.cmd+": ") {
				t.Errorf("stderr %q does not start with the program name", errOut)
			}
			for _, m := range tt.msg {
				if !strings.Contains(errOut, m) {
					t.Errorf("stderr %q does not contain %q", errOut, m)
				}
			}
			if tt.is != nil {
				do := Inflate
				if tt.cmd == "deflate" {
					do = Deflate
				}
				err := do(strings.NewReader(tt.in), &bytes.Buffer{}, Options{})
				var ce *CaseError
				if !errors.As(err, &ce) {
					t.Errorf("error %v is not a *CaseError", err)
				}
				if !errors.Is(err, tt.is) {
					t.Errorf("error %v does not match %v", err, tt.is)
				}
			}
		})
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout bool // usage on stdout (help) rather than stderr
		msg    string
	}{
		{"no arguments", nil, 2, false, "missing sub-command"},
		{"unknown sub-command", []string{"squash"}, 2, false, `unknown sub-command "squash"`},
		{"extra argument", []string{"inflate", "file.json"}, 2, false, `unexpected argument "file.json"`},
		{"unknown flag", []string{"-x", "inflate"}, 2, false, "-x"},
		{"-S on inflate", []string{"inflate", "-S", "10"}, 2, false, "-S"},
		{"-S too big", []string{"deflate", "-S", "4294967296"}, 2, false, "32 bits"},
		{"help", []string{"-h"}, 0, true, ""},
		{"sub-command help", []string{"deflate", "-h"}, 0, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit status %d, want %d", code, tt.code)
			}
			where := errOut
			if tt.stdout {
				where = out
			}
			if !strings.Contains(where, "usage: hpack") {
				t.Errorf("no usage text; stdout %q stderr %q", out, errOut)
			}
			if !strings.Contains(errOut, tt.msg) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.msg)
			}
		})
	}
}

func u32(n uint32) *uint32 { return &n }

func equalHeaders(a, b []map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != 1 || len(b[i]) != 1 {
			return false
		}
		for k, v := range a[i] {
			if w, ok := b[i][k]; !ok || w != v {
				return false
			}
		}
	}
	return true
}
