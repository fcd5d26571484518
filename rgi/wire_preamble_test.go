package rgi

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadPreamble(t *testing.T) {
	req := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	tests := []struct {
		name  string
		input string
		want  string
		err   error
	}{
		{"one request", req, req, nil},
		{"pipelined keeps the rest", req + "GET /2 HTTP/1.1\r\n\r\n", req, nil},
		{"no headers", "GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", nil},
		{"empty", "", "", ErrEmptyPreamble},
		{"truncated", "GET / HTTP/1.1\r\nHost: x\r\n", "", ErrTruncatedPreamble},
		{"bare LF is no terminator", "GET / HTTP/1.1\n\n", "", ErrTruncatedPreamble},
	}
	for _, tt := range tests {
		for _, slow := range []bool{false, true} {
			var r io.Reader = strings.NewReader(tt.input)
			if slow {
				r = iotest.OneByteReader(r)
			}
			br := newWireReader(r)
			got, err := readPreamble(br)
			if !errors.Is(err, tt.err) || string(got) != tt.want {
				t.Errorf("%s (slow=%v): got %q, %v; want %q, %v", tt.name, slow, got, err, tt.want, tt.err)
			}
		}
	}
}

// preambleOfSize builds a request preamble of exactly n bytes.
func preambleOfSize(n int) string {
	head := "GET / HTTP/1.1\r\nx-pad: "
	tail := "\r\n\r\n"
	return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
}

func TestReadPreambleLimit(t *testing.T) {
	// Degu: BUF_LEN 32768 bytes, the terminator included.
	ok := preambleOfSize(MaxPreambleSize)
	for _, slow := range []bool{false, true} {
		var r io.Reader = strings.NewReader(ok + "GET")
		if slow {
			r = iotest.HalfReader(r)
		}
		br := newWireReader(r)
		got, err := readPreamble(br)
		if err != nil || len(got) != MaxPreambleSize {
			t.Fatalf("exactly %d bytes: len %d, %v", MaxPreambleSize, len(got), err)
		}
		br.Discard(len(got))
		if rest, _ := io.ReadAll(br); string(rest) != "GET" {
			t.Fatalf("rest %q", rest)
		}
	}
	br := newWireReader(strings.NewReader(preambleOfSize(MaxPreambleSize + 1)))
	if _, err := readPreamble(br); err != ErrPreambleTooLarge {
		t.Fatalf("one byte over: %v", err)
	}
	var pe *ProtocolError
	if !errors.As(ErrPreambleTooLarge, &pe) || pe.Status != 431 {
		t.Fatalf("431 expected, got %+v", pe)
	}
}

func TestReadPreambleNeedsBigBuffer(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a small reader must be refused")
		}
	}()
	readPreamble(bufio.NewReader(bytes.NewReader(nil)))
}

func TestReadPreambleTimeoutPassesThrough(t *testing.T) {
	br := newWireReader(iotest.TimeoutReader(strings.NewReader("GET / HTTP/1.1\r\n")))
	_, err := readPreamble(br)
	if !errors.Is(err, iotest.ErrTimeout) {
		t.Fatalf("got %v", err)
	}
}
