package hpack

import (
	"bytes"
	"math/rand"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"
)

// TestHuffmanDecodeTail checks the decoder's last octets, loaded up to eight
// at a time once fewer than eight remain, at every string length up to 24
// and every split of the last load: valid strings of short and long codes
// (x/net's decoding agrees), and the same strings with their last octet
// corrupted (x/net agrees on validity), and an EOS or an over-long padding
// placed at each position of the tail.
func TestHuffmanDecodeTail(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for n := 0; n <= 24; n++ {
		for k := 0; k < 200; k++ {
			s := make([]byte, n)
			for i := range s {
				if r.Intn(3) == 0 {
					s[i] = byte(r.Intn(256)) // often a long code
				} else {
					s[i] = "etaoinshrdlu-/:. 0123"[r.Intn(21)]
				}
			}
			enc := appendHuffman(nil, string(s))
			got, err := appendHuffmanDecode(nil, enc)
			if err != nil || !bytes.Equal(got, s) {
				t.Fatalf("%x: decoded %x, %v; want %x", enc, got, err, s)
			}
			if len(enc) == 0 {
				continue
			}
			bad := bytes.Clone(enc)
			bad[len(bad)-1] ^= byte(1 + r.Intn(255))
			got, err = appendHuffmanDecode(nil, bad)
			want, xerr := xhpack.HuffmanDecodeToString(bad)
			if (err == nil) != (xerr == nil) || err == nil && string(got) != want {
				t.Fatalf("%x: %q, %v; x/net %q, %v", bad, got, err, want, xerr)
			}
		}
		// EOS (30 ones) after n octets of 'a' codes, then padding.
		eos := append(appendHuffman(nil, string(bytes.Repeat([]byte("0"), n))), 0xff, 0xff, 0xff, 0xff)
		if _, err := appendHuffmanDecode(nil, eos); err == nil {
			t.Fatalf("%x: EOS accepted", eos)
		}
		// Eight bits of padding after n octets of '0' (5-bit code).
		pad := append(appendHuffman(nil, string(bytes.Repeat([]byte("0"), n))), 0xff)
		if _, err := appendHuffmanDecode(nil, pad); err == nil {
			t.Fatalf("%x: 8 bits of padding accepted", pad)
		}
	}
}
