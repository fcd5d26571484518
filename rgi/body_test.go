package rgi

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func inputBody(s string, n int64) *Body {
	var b Body
	b.reset(newWireReader(strings.NewReader(s)), n, nil)
	return &b
}

func inputChunked(s string) *ChunkedBody {
	var b ChunkedBody
	b.reset(newWireReader(iotest.HalfReader(strings.NewReader(s))), newInterner(), nil)
	return &b
}

func TestBodyRead(t *testing.T) {
	b := inputBody("hello, worldGET", 12)
	got, err := io.ReadAll(b)
	if err != nil || string(got) != "hello, world" || !b.Consumed() {
		t.Fatalf("%q %v", got, err)
	}
	b = inputBody("hel", 5)
	got, err = io.ReadAll(b)
	if err != ErrTruncatedBody || string(got) != "hel" || b.Consumed() {
		t.Fatalf("short: %q %v", got, err)
	}
	b = inputBody("abc", 3)
	if all, err := b.ReadAll(); err != nil || string(all) != "abc" {
		t.Fatalf("%q %v", all, err)
	}
	if b := inputBody("", MaxReadSize+1); true {
		if _, err := b.ReadAll(); err != ErrBodyTooLarge {
			t.Fatalf("ReadAll over 16 MiB: %v", err)
		}
	}
	if b := inputBody("", 0); !b.Consumed() {
		t.Fatal("empty body is consumed")
	}
}

func TestChunkedBodyGolden(t *testing.T) {
	wire := "5;name=value\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0;end=yes\r\n\r\nNEXT"
	b := inputChunked(wire)
	var got []Chunk
	for c, err := range b.Chunks() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	want := []Chunk{
		{Extension{"name", "value"}, []byte("hello")},
		{Extension{}, []byte(",")},
		{Extension{}, []byte(" world")},
		{Extension{"end", "yes"}, []byte{}},
	}
	if !slices.EqualFunc(got, want, func(a, b Chunk) bool { return a.Ext == b.Ext && bytes.Equal(a.Data, b.Data) }) {
		t.Fatalf("got %q", got)
	}
	if !b.Consumed() {
		t.Fatal("not consumed")
	}
	rest, _ := io.ReadAll(b.br)
	if string(rest) != "NEXT" {
		t.Fatalf("rest %q", rest)
	}

	// Read and ReadAll give the data only.
	if data, err := io.ReadAll(inputChunked(wire)); err != nil || string(data) != "hello, world" {
		t.Fatalf("Read: %q %v", data, err)
	}
	if data, err := inputChunked(wire).ReadAll(); err != nil || string(data) != "hello, world" {
		t.Fatalf("ReadAll: %q %v", data, err)
	}

	// Re-emitted as written: extensions kept, lowercase hex.
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	if err := inputChunked("1A\r\n" + strings.Repeat("x", 26) + "\r\n0\r\n\r\n").writeTo(bw); err != nil {
		t.Fatal(err)
	}
	if err := inputChunked(wire).writeTo(bw); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	wantOut := "1a\r\n" + strings.Repeat("x", 26) + "\r\n0\r\n\r\n" + strings.TrimSuffix(wire, "NEXT")
	if out.String() != wantOut {
		t.Fatalf("writeTo:\n got %q\nwant %q", out.String(), wantOut)
	}
}

func TestChunkedBodyMalformed(t *testing.T) {
	tests := []struct {
		wire string
		err  error
	}{
		{"", ErrTruncatedBody},
		{"5\r\nhel", ErrTruncatedBody},
		{"5\r\nhelloXY0\r\n\r\n", ErrBadChunkEnd},
		{"0\r\nTrailer: x\r\n\r\n", ErrBadChunkEnd},
		{"05\r\nhello\r\n0\r\n\r\n", ErrBadChunkLine},
		{"\r\n", ErrBadChunkLine},
		{"5 \r\nhello\r\n", ErrBadChunkLine},
		{"5\nhello\r\n", ErrBadChunkLine},
		{"-5\r\n", ErrBadChunkLine},
		{"g\r\n", ErrBadChunkLine},
		{"1000001\r\n", ErrChunkTooLarge},
		{"10000000\r\n", ErrChunkTooLarge},
		{"5;a=b;c=d\r\nhello\r\n", ErrBadChunkExtension},
		{"5;=b\r\nhello\r\n", ErrBadChunkExtension},
		{"5;a=\r\nhello\r\n", ErrBadChunkExtension},
		{"5;a\r\nhello\r\n", ErrBadChunkExtension},
		{"5;a b=c\r\nhello\r\n", ErrBadChunkExtension},
		{"5;a=b c\r\nhello\r\n", ErrBadChunkExtension},
		{"5;" + strings.Repeat("a", MaxChunkLineSize) + "=b\r\n", ErrChunkLineTooLong},
	}
	for _, tt := range tests {
		_, err := io.ReadAll(inputChunked(tt.wire))
		if err != tt.err {
			t.Errorf("%q: got %v, want %v", tt.wire, err, tt.err)
		}
	}
}

func TestChunkLineLimits(t *testing.T) {
	// Exactly 16 MiB is allowed, one more byte is not.
	if n, _, err := parseChunkLine([]byte("1000000\r\n"), nil); err != nil || n != MaxChunkSize {
		t.Fatalf("%d %v", n, err)
	}
	// A size line of exactly 4096 bytes (CRLF included) is accepted.
	line := "1;k=" + strings.Repeat("v", MaxChunkLineSize-6) + "\r\n"
	if len(line) != MaxChunkLineSize {
		t.Fatal(len(line))
	}
	b := inputChunked(line + "x\r\n0\r\n\r\n")
	if data, err := b.ReadAll(); err != nil || string(data) != "x" {
		t.Fatalf("4096-byte line: %v", err)
	}
	b = inputChunked("1;k=" + strings.Repeat("v", MaxChunkLineSize-5) + "\r\nx\r\n0\r\n\r\n")
	if _, err := b.ReadAll(); err != ErrChunkLineTooLong {
		t.Fatalf("4097-byte line: %v", err)
	}
	// NewChunkedBody over a plain reader has the same limit.
	nb := NewChunkedBody(strings.NewReader(line + "x\r\n0\r\n\r\n"))
	if data, err := nb.ReadAll(); err != nil || string(data) != "x" {
		t.Fatalf("NewChunkedBody: %q %v", data, err)
	}
}

func TestBodyIterWrite(t *testing.T) {
	seq := func(parts ...string) func(func([]byte) bool) {
		return func(yield func([]byte) bool) {
			for _, p := range parts {
				if !yield([]byte(p)) {
					return
				}
			}
		}
	}
	tests := []struct {
		body *BodyIter
		out  string
		err  error
	}{
		{NewBodyIter(seq("hel", "", "lo"), 5), "hello", nil},
		{NewBodyIter(seq("hel", "lo!"), 5), "hel", ErrBodyLengthExceeded},
		{NewBodyIter(seq("hel"), 5), "hel", ErrBodyLengthShort},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		err := writeBody(bw, tt.body)
		bw.Flush()
		if err != tt.err || out.String() != tt.out {
			t.Errorf("got %q %v, want %q %v", out.String(), err, tt.out, tt.err)
		}
		if err := writeBody(bw, tt.body); err != ErrBodyConsumed {
			t.Errorf("second write: %v", err)
		}
	}
}

func TestChunkedBodyIterWrite(t *testing.T) {
	seq := func(cs ...Chunk) func(func(Chunk) bool) {
		return func(yield func(Chunk) bool) {
			for _, c := range cs {
				if !yield(c) {
					return
				}
			}
		}
	}
	tests := []struct {
		chunks []Chunk
		out    string
		err    error
	}{
		{[]Chunk{{Extension{"k", "v"}, []byte("hello")}, {Data: []byte(", world")}, {Ext: Extension{"e", "1"}}},
			"5;k=v\r\nhello\r\n7\r\n, world\r\n0;e=1\r\n\r\n", nil},
		{[]Chunk{{}}, "0\r\n\r\n", nil},
		{[]Chunk{{Data: []byte("a")}}, "1\r\na\r\n", ErrNoLastChunk},
		{[]Chunk{{}, {Data: []byte("a")}}, "0\r\n\r\n", ErrChunkAfterLast},
		{[]Chunk{{Extension{"k", "a=b"}, []byte("a")}, {}}, "", ErrBadOutputExtension},
		{[]Chunk{{Extension{"k", ""}, []byte("a")}, {}}, "", ErrBadOutputExtension},
		{nil, "", ErrNoLastChunk},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		bw := bufio.NewWriter(&out)
		err := writeBody(bw, NewChunkedBodyIter(seq(tt.chunks...)))
		bw.Flush()
		if err != tt.err || out.String() != tt.out {
			t.Errorf("%v: got %q %v, want %q %v", tt.chunks, out.String(), err, tt.out, tt.err)
		}
	}
	// What the writer emits, the reader reads back, extensions included.
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	in := []Chunk{{Extension{"a-1", `"q"(x)`}, []byte("xyz")}, {Extension{}, bytes.Repeat([]byte{0}, 300)}, {Ext: Extension{"z", "9"}, Data: []byte{}}}
	if err := writeBody(bw, NewChunkedBodyIter(seq(in...))); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	var back []Chunk
	for c, err := range inputChunked(out.String()).Chunks() {
		if err != nil {
			t.Fatal(err)
		}
		back = append(back, c)
	}
	if !slices.EqualFunc(back, in, func(a, b Chunk) bool { return a.Ext == b.Ext && bytes.Equal(a.Data, b.Data) }) {
		t.Fatalf("round trip: %q", back)
	}
}

func TestBodyWriteTo(t *testing.T) {
	var out bytes.Buffer
	bw := bufio.NewWriterSize(&out, 16)
	big := strings.Repeat("0123456789", 100)
	if err := writeBody(bw, NewBody(iotest.OneByteReader(strings.NewReader(big+"extra")), int64(len(big)))); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	if out.String() != big {
		t.Fatalf("got %d bytes", out.Len())
	}
	if err := writeBody(bw, NewBody(strings.NewReader("ab"), 3)); err != ErrBodyLengthShort {
		t.Fatalf("short source: %v", err)
	}
	b := NewBody(strings.NewReader("abc"), 3)
	b.Read(make([]byte, 1))
	if err := writeBody(bw, b); err != ErrBodyConsumed {
		t.Fatalf("started body: %v", err)
	}
	if err := writeBody(bw, NewBody(zeroReader{}, 3)); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("stuck source: %v", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestChunkedBodyMixedReads(t *testing.T) {
	b := inputChunked("5;a=b\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n")
	p := make([]byte, 2)
	if n, err := b.Read(p); n != 2 || err != nil || string(p) != "he" {
		t.Fatalf("Read: %d %v %q", n, err, p)
	}
	// ReadChunk finishes the current chunk, then goes on.
	want := []Chunk{{Extension{"a", "b"}, []byte("llo")}, {Data: []byte("abc")}, {Data: []byte{}}}
	for _, w := range want {
		c, err := b.ReadChunk()
		if err != nil || c.Ext != w.Ext || !bytes.Equal(c.Data, w.Data) {
			t.Fatalf("ReadChunk: %+v %v, want %+v", c, err, w)
		}
	}
	if _, err := b.ReadChunk(); err != io.EOF {
		t.Fatalf("after the last chunk: %v", err)
	}
	// A chunk whose data was read to its end by Read: ReadChunk starts at the next.
	b = inputChunked("2\r\nhi\r\n1\r\n!\r\n0\r\n\r\n")
	b.Read(make([]byte, 2))
	if c, err := b.ReadChunk(); err != nil || string(c.Data) != "!" {
		t.Fatalf("%q %v", c.Data, err)
	}
	// Errors stick.
	b = inputChunked("zz\r\n")
	if _, err := b.ReadChunk(); err != ErrBadChunkLine {
		t.Fatal(err)
	}
	if _, err := b.Read(p); err != ErrBadChunkLine || b.Err() != ErrBadChunkLine {
		t.Fatal(err)
	}
	// Bodies exposes the constructors.
	var bs Bodies
	cb := bs.ChunkedBody(strings.NewReader("1\r\nx\r\n0\r\n\r\n"))
	if data, err := cb.ReadAll(); err != nil || string(data) != "x" || !cb.Consumed() {
		t.Fatalf("%q %v", data, err)
	}
	if b := bs.Body(strings.NewReader("ab"), 2); b.ContentLength != 2 {
		t.Fatal(b.ContentLength)
	}
}
