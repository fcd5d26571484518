package hpack

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestDeflaterInitialSizeUpdate(t *testing.T) {
	tests := []struct {
		cap     uint32
		prefix  string // bytes before the first field
		maxSize uint32
	}{
		{0, "20", 0},
		{1024, "3fe107", 1024},
		{4095, "3fe01f", 4095},
		{4096, "", 4096},
		{8192, "", 4096}, // the peer's initial limit is 4096
	}
	for _, tt := range tests {
		e := NewDeflater(tt.cap)
		if e.MaxTableSize() != tt.maxSize {
			t.Errorf("cap %d: MaxTableSize %d, want %d", tt.cap, e.MaxTableSize(), tt.maxSize)
		}
		got, _ := e.Deflate(nil, hf(":method", "GET"))
		if want := unhex(t, tt.prefix+"82"); !bytes.Equal(got, want) {
			t.Errorf("cap %d: first block %x, want %x", tt.cap, got, want)
		}
		got, _ = e.Deflate(got[:0], hf(":method", "GET"))
		if !bytes.Equal(got, []byte{0x82}) {
			t.Errorf("cap %d: second block %x, want 82", tt.cap, got)
		}
	}
}

func TestDeflaterChangeTableSize(t *testing.T) {
	// nghttp2: ctor 1024, change(8192) gives 3fe107 (1024).
	e := NewDeflater(1024)
	e.Deflate(nil, nil)
	e.ChangeTableSize(8192)
	if got, _ := e.Deflate(nil, nil); !bytes.Equal(got, unhex(t, "3fe107")) {
		t.Errorf("got %x, want 3fe107", got)
	}
	// change(0) empties the table and emits 20.
	e = NewDeflater(4096)
	e.Deflate(nil, hf("custom", "x"))
	if e.TableSize() == 0 {
		t.Fatal("custom: x was not indexed")
	}
	e.ChangeTableSize(0)
	if e.TableSize() != 0 || len(e.Table()) != 0 {
		t.Errorf("table not emptied: %v", e.Table())
	}
	if got, _ := e.Deflate(nil, nil); !bytes.Equal(got, unhex(t, "20")) {
		t.Errorf("got %x, want 20", got)
	}
	// Down then up between two blocks: smallest first, then final
	// (RFC 7541 §4.2). With an empty table, the smallest is sent as is.
	e.ChangeTableSize(4096)
	e.Deflate(nil, nil)
	e.ChangeTableSize(100)
	e.ChangeTableSize(50)
	e.ChangeTableSize(4096)
	if got, _ := e.Deflate(nil, nil); !bytes.Equal(got, unhex(t, "3f13 3fe11f")) {
		t.Errorf("got %x, want 3f13 3fe11f (50 then 4096)", got)
	}
	// With entries that survive the smallest size, 0 is sent first (x/net
	// refuses a second update while its table is not empty).
	e.Deflate(nil, hf("k", "v")) // 34
	e.ChangeTableSize(50)
	e.ChangeTableSize(4096)
	if got, _ := e.Deflate(nil, nil); !bytes.Equal(got, unhex(t, "20 3fe11f")) {
		t.Errorf("got %x, want 20 3fe11f", got)
	}
	// A decoder that saw every block agrees.
	d := NewInflater()
	e = NewDeflater(4096)
	for i, sizes := range [][]uint32{{100}, {4096}, {10, 200}, {}, {0}, {4096}, {64, 8192, 30, 1000}} {
		for _, n := range sizes {
			e.ChangeTableSize(n)
		}
		blk, _ := e.Deflate(nil, hf("custom-key", "custom-value", ":authority", "example.com"))
		got, err := d.Inflate(blk)
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		checkFields(t, got, hf("custom-key", "custom-value", ":authority", "example.com"))
		if d.MaxTableSize() != e.MaxTableSize() || d.TableSize() != e.TableSize() {
			t.Fatalf("block %d: decoder max/size %d/%d, encoder %d/%d", i, d.MaxTableSize(), d.TableSize(), e.MaxTableSize(), e.TableSize())
		}
	}
}

func TestDeflaterPolicy(t *testing.T) {
	e := NewDeflater(4096)
	d := NewInflater()
	fields := []HeaderField{
		{Name: "password", Value: "secret", Sensitive: true},
		{Name: ":method", Value: "GET", Sensitive: true}, // static match, still never-indexed
		{Name: "authorization", Value: "Basic Zm9vOmJhcg=="},
		{Name: "cookie", Value: "short=1"},
		{Name: "cookie", Value: "long-enough-cookie=0123456789"},
		{Name: ":path", Value: "/index.php"},
		{Name: "content-length", Value: "42"},
		{Name: "x-big", Value: strings.Repeat("b", 3100)}, // > 3/4 of 4096
		{Name: "user-agent", Value: "test/1.0"},
	}
	blk, _ := e.Deflate(nil, fields)
	got, err := d.Inflate(blk)
	if err != nil {
		t.Fatal(err)
	}
	checkFields(t, got, fields)
	want := entries("user-agent", "test/1.0", "cookie", "long-enough-cookie=0123456789")
	checkTable(t, e.Table(), e.TableSize(), want, want[0].Size+want[1].Size)
	checkTable(t, d.Table(), d.TableSize(), want, want[0].Size+want[1].Size)
	// The sensitive :method is a never-indexed literal with name index 2.
	if !bytes.Contains(blk, []byte{0x12, 0x03, 'G', 'E', 'T'}) {
		t.Errorf("sensitive :method: GET is not 12 03 GET in %x", blk)
	}
	// Repeated fields now come from the dynamic table.
	blk2, _ := e.Deflate(nil, hf("user-agent", "test/1.0", "cookie", "long-enough-cookie=0123456789"))
	if !bytes.Equal(blk2, []byte{0xbe, 0xbf}) {
		t.Errorf("second block %x, want be bf", blk2)
	}
	// Huffman is used only when strictly shorter: "\xff" codes to 26
	// bits, so it is sent raw.
	blk3, _ := e.Deflate(nil, []HeaderField{{Name: "x", Value: "\xff\xff"}})
	if !bytes.HasSuffix(blk3, []byte{0x02, 0xff, 0xff}) {
		t.Errorf("binary value not raw: %x", blk3)
	}
}

func TestPrintTable(t *testing.T) {
	var b strings.Builder
	PrintTable(&b, entries("foo", "bar", ":authority", "www.example.com"))
	want := "[  1] (s = 38) foo: bar\n[  2] (s = 57) :authority: www.example.com\n      Table size: 95\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	PrintTable(&b, nil)
	if b.String() != "      Table size: 0\n" {
		t.Errorf("empty table: %q", b.String())
	}
}

func TestHeaderFieldSize(t *testing.T) {
	if got := (HeaderField{Name: "foo", Value: "bar"}).Size(); got != 38 {
		t.Errorf("Size() = %d, want 38", got)
	}
}

func TestDeflaterIndexesRepeatingResponseFields(t *testing.T) {
	e := NewDeflater(4096)
	fs := hf("location", "https://example.com/next", "if-modified-since", "Mon, 21 Oct 2013 20:13:21 GMT",
		"set-cookie", "id=a3fWa; Max-Age=2592000", "etag", `"33a64df5"`)
	e.Deflate(nil, fs)
	want := entries("if-modified-since", "Mon, 21 Oct 2013 20:13:21 GMT", "location", "https://example.com/next")
	checkTable(t, e.Table(), e.TableSize(), want, want[0].Size+want[1].Size)
}

// TestDeflaterIndexesRepeatingValues: content-length and etag are literals
// without indexing until a value repeats among the last few sent; then it is
// indexed, and later blocks send it as one index octet. Values that never
// repeat (a dynamic resource's) stay out of the table.
func TestDeflaterIndexesRepeatingValues(t *testing.T) {
	e := NewDeflater(4096)
	file := hf("content-length", "12", "etag", `"1a2b-c-187a6f0e"`)
	e.Deflate(nil, file)
	if n := len(e.Table()); n != 0 {
		t.Fatalf("after the first response: %d entries, want 0", n)
	}
	e.Deflate(nil, file)
	want := entries("etag", `"1a2b-c-187a6f0e"`, "content-length", "12")
	checkTable(t, e.Table(), e.TableSize(), want, want[0].Size+want[1].Size)
	if blk, _ := e.Deflate(nil, file); !bytes.Equal(blk, []byte{0xbf, 0xbe}) {
		t.Errorf("third response %x, want bf be", blk)
	}
	for i := range 20 {
		e.Deflate(nil, hf("content-length", strconv.Itoa(100+i), "etag", `"v`+strconv.Itoa(i)+`"`))
	}
	checkTable(t, e.Table(), e.TableSize(), want, want[0].Size+want[1].Size)
}
