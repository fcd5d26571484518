package hpack

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/h2kit/h2kit/internal/testenv"
)

// TestGeneratedUpToDate runs the generator and compares its output with the
// committed zz_generated files.
func TestGeneratedUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool")
	}
	goTool := testenv.RequireTool(t, "go", "golang-go")
	dir := t.TempDir()
	cmd := exec.Command(goTool, "run", "gen/main.go", "-out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, out)
	}
	for _, name := range []string{"zz_generated_static.go", "zz_generated_huffman.go"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate", name)
		}
	}
}

// TestStaticTable spot-checks RFC 7541 Appendix A and checks staticLookup
// against the table for every entry.
func TestStaticTable(t *testing.T) {
	if staticTableLen != 61 {
		t.Fatalf("%d static entries", staticTableLen)
	}
	spot := map[int]staticEntry{
		1: {":authority", ""}, 2: {":method", "GET"}, 16: {"accept-encoding", "gzip, deflate"},
		32: {"cookie", ""}, 55: {"set-cookie", ""}, 61: {"www-authenticate", ""},
	}
	for i, e := range spot {
		if staticTable[i] != e {
			t.Errorf("static[%d] = %v, want %v", i, staticTable[i], e)
		}
	}
	for i := 1; i <= staticTableLen; i++ {
		e := staticTable[i]
		idx, nameIdx := staticLookup(e.name, e.value)
		if idx != i {
			t.Errorf("staticLookup(%q, %q) index %d, want %d", e.name, e.value, idx, i)
		}
		if staticTable[nameIdx].name != e.name || (nameIdx > 1 && staticTable[nameIdx-1].name == e.name) {
			t.Errorf("staticLookup(%q) name index %d is not the first with that name", e.name, nameIdx)
		}
		if idx, nameIdx := staticLookup(e.name, e.value+"x"); idx != 0 || nameIdx == 0 {
			t.Errorf("staticLookup(%q, other value) = %d, %d", e.name, idx, nameIdx)
		}
	}
	if idx, nameIdx := staticLookup("x-custom", ""); idx != 0 || nameIdx != 0 {
		t.Errorf("unknown name: %d, %d", idx, nameIdx)
	}
}

// StaticIndex is staticLookup's pair index: the RFC 7541 Appendix A index
// of every entry, 0 for a pair not in the table.
func TestStaticIndex(t *testing.T) {
	for i := 1; i <= staticTableLen; i++ {
		if got := StaticIndex(staticTable[i].name, staticTable[i].value); got != i {
			t.Errorf("StaticIndex(%q, %q) = %d, want %d", staticTable[i].name, staticTable[i].value, got, i)
		}
	}
	if got := StaticIndex(":status", "201"); got != 0 {
		t.Errorf("StaticIndex(:status, 201) = %d", got)
	}
}
