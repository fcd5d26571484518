package hpack

import (
	"bytes"
	"errors"
	"math/rand"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"
)

func TestHuffmanRoundTripAllBytes(t *testing.T) {
	var all []byte
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	for n := 0; n <= len(all); n++ {
		s := string(all[n:]) + string(all[:n])
		enc := appendHuffman(nil, s)
		if len(enc) != huffmanEncodedLen(s) {
			t.Fatalf("encoded length %d, predicted %d", len(enc), huffmanEncodedLen(s))
		}
		dec, err := appendHuffmanDecode(nil, enc)
		if err != nil || string(dec) != s {
			t.Fatalf("rotation %d: %v, %q", n, err, dec)
		}
	}
}

// TestHuffmanAgainstXNet: our encoding is byte for byte x/net's, and each
// decoder reads the other's output.
func TestHuffmanAgainstXNet(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		b := make([]byte, r.Intn(64))
		for j := range b {
			if r.Intn(4) == 0 {
				b[j] = byte(r.Intn(256))
			} else {
				b[j] = byte(' ' + r.Intn(95))
			}
		}
		s := string(b)
		ours := appendHuffman(nil, s)
		theirs := xhpack.AppendHuffmanString(nil, s)
		if !bytes.Equal(ours, theirs) {
			t.Fatalf("%q: ours %x, x/net %x", s, ours, theirs)
		}
		if int(xhpack.HuffmanEncodeLength(s)) != huffmanEncodedLen(s) {
			t.Fatalf("%q: length %d, x/net %d", s, huffmanEncodedLen(s), xhpack.HuffmanEncodeLength(s))
		}
		dec, err := appendHuffmanDecode(nil, theirs)
		if err != nil || string(dec) != s {
			t.Fatalf("%q: decoded %q, %v", s, dec, err)
		}
	}
}

func TestHuffmanDecodeInvalid(t *testing.T) {
	tests := []struct {
		name string
		wire string
		want string // decoded text when valid
		err  error
	}{
		{"empty", "", "", nil},
		{"a with 3 padding bits", "1f", "a", nil},                // 00011|111
		{"padding not all ones", "18", "", ErrInvalidHuffman},    // 00011|000
		{"padding of 11 bits", "1fff", "", ErrInvalidHuffman},    // 00011|111 11111111
		{"only padding, 8 bits", "ff", "", ErrInvalidHuffman},    // a whole octet of padding
		{"EOS inside", "ffffffff", "", ErrInvalidHuffman},        // EOS (30 ones) + 2 padding
		{"EOS then a", "fffffffc7f", "", ErrInvalidHuffman},      // EOS, then 'a'... EOS comes first
		{"7 bits of padding", "fe", "", ErrInvalidHuffman},       // '!' needs 10 bits: 8 ones then 0 is no padding
		{"longest codes", "fffffff0", "\x0a", ErrInvalidHuffman}, // 30-bit code of \n + 2 zero bits
		{"www.example.com", "f1e3c2e5f23a6ba0ab90f4ff", "www.example.com", nil},
		{"code split over refills", "ffffea" + "ffffea" + "ffffea", "\x09\x09\x09", nil},
		{"30-bit code", "fffffff3", "\x0a", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendHuffmanDecode(nil, unhex(t, tt.wire))
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err == nil && string(got) != tt.want {
				t.Fatalf("decoded %q, want %q", got, tt.want)
			}
			// x/net agrees on validity.
			_, xerr := xhpack.HuffmanDecodeToString(unhex(t, tt.wire))
			if (xerr == nil) != (err == nil) {
				t.Errorf("x/net error %v, ours %v", xerr, err)
			}
		})
	}
}

func BenchmarkHuffmanDecode(b *testing.B) {
	s := "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_8_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/30.0.1599.101 Safari/537.36"
	enc := appendHuffman(nil, s)
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	buf := make([]byte, 0, 256)
	b.Run("h2kit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = appendHuffmanDecode(buf[:0], enc)
		}
	})
	b.Run("xnet", func(b *testing.B) {
		b.ReportAllocs()
		var bb bytes.Buffer
		for b.Loop() {
			bb.Reset()
			xhpack.HuffmanDecode(&bb, enc)
		}
	})
}

func BenchmarkHuffmanEncode(b *testing.B) {
	s := "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_8_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/30.0.1599.101 Safari/537.36"
	buf := make([]byte, 0, 256)
	b.Run("h2kit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = appendString(buf[:0], s)
		}
	})
	b.Run("xnet", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if int(xhpack.HuffmanEncodeLength(s)) < len(s) {
				buf = xhpack.AppendHuffmanString(buf[:0], s)
			}
		}
	})
}

// FuzzHuffman compares our Huffman decoder with x/net's on arbitrary input
// and checks that encoding round-trips.
func FuzzHuffman(f *testing.F) {
	f.Add([]byte("www.example.com"))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := appendHuffmanDecode([]byte("prefix"), data)
		want, xerr := xhpack.HuffmanDecodeToString(data)
		if (err == nil) != (xerr == nil) {
			t.Fatalf("%x: error %v, x/net %v", data, err, xerr)
		}
		if err == nil && string(got) != "prefix"+want {
			t.Fatalf("%x: %q, x/net %q", data, got, want)
		}
		enc := appendHuffman(nil, string(data))
		if !bytes.Equal(enc, xhpack.AppendHuffmanString(nil, string(data))) {
			t.Fatalf("%x: encoding differs from x/net", data)
		}
		dec, err := appendHuffmanDecode(nil, enc)
		if err != nil || !bytes.Equal(dec, data) {
			t.Fatalf("%x: round trip %x, %v", data, dec, err)
		}
		// Into the worst-case room, as appendString uses it.
		out := make([]byte, 4*len(data)+4)
		if n := huffmanEncode(out, string(data)); !bytes.Equal(out[:n], enc) {
			t.Fatalf("%x: huffmanEncode %x, want %x", data, out[:n], enc)
		}
	})
}
