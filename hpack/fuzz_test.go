package hpack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"
)

func addRFCSeeds(f *testing.F) {
	for _, seq := range rfcSequences {
		for _, st := range seq.steps {
			f.Add(unhex(f, st.wire))
		}
	}
	f.Add([]byte{0x3f, 0xe1, 0x1f, 0x82})
	f.Add([]byte{0x20, 0x40, 0x01, 'a', 0x01, 'b', 0xbe})
}

// FuzzInflate decodes arbitrary bytes as two consecutive header blocks (the
// first octet chooses where the first ends), whole and streamed in pieces.
// It checks that the result is fields or a typed error, never a panic, that
// the streamed decode agrees with Inflate, and that wherever x/net's decoder
// accepts a block we decode the same fields.
func FuzzInflate(f *testing.F) {
	addRFCSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		cut := 1 + int(data[0])%len(data)
		blocks := [][]byte{data[1:cut], data[cut:]}

		whole := NewInflater()
		whole.SetMaxHeaderListSize(1 << 30)
		whole.SetMaxStringLength(1 << 30)
		whole.SetMaxFieldCount(1 << 30)
		stream := NewInflater()
		stream.SetMaxHeaderListSize(1 << 30)
		stream.SetMaxStringLength(1 << 30)
		stream.SetMaxFieldCount(1 << 30)
		var streamed []HeaderField
		stream.SetEmitFunc(func(f HeaderField) {
			streamed = append(streamed, HeaderField{strings.Clone(f.Name), strings.Clone(f.Value), f.Sensitive})
		})
		xd := xhpack.NewDecoder(4096, nil)
		xok := true

		for i, b := range blocks {
			got, err := whole.Inflate(b)
			if err != nil {
				var de *DecodingError
				if !errors.As(err, &de) && !errors.Is(err, ErrInflaterFailed) {
					t.Fatalf("block %d: untyped error %T %v", i, err, err)
				}
			}
			// Streamed in pieces of 1, 2, 3, ... octets.
			streamed = streamed[:0]
			var serr error
			for p, step := b, 1; len(p) > 0 && serr == nil; step++ {
				k := min(step, len(p))
				_, serr = stream.Write(p[:k])
				p = p[k:]
			}
			if serr == nil {
				serr = stream.Close()
			}
			if (err == nil) != (serr == nil) || (err != nil && errors.Unwrap(err) != nil && !errors.Is(serr, errors.Unwrap(err))) {
				t.Fatalf("block %d: Inflate error %v, streamed %v", i, err, serr)
			}
			if err == nil {
				checkSame(t, "streamed", streamed, got)
			}
			if !xok {
				continue
			}
			xf, xerr := xd.DecodeFull(b)
			if xerr != nil {
				xok = false // later blocks depend on a table x/net gave up on
				continue
			}
			if err != nil {
				if errors.Is(err, ErrTableSizeUpdate) {
					// x/net lets a size update follow fields
					// while its table is empty; RFC 7541 §4.2
					// wants it at the beginning of the block.
					xok = false
					continue
				}
				t.Fatalf("block %d %x: x/net accepts (%v), we fail: %v", i, b, xf, err)
			}
			var want []HeaderField
			for _, f := range xf {
				want = append(want, HeaderField{f.Name, f.Value, f.Sensitive})
			}
			checkSame(t, "x/net", got, want)
		}
	})
}

func checkSame(t *testing.T, what string, got, want []HeaderField) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d fields, want %d: %v vs %v", what, len(got), len(want), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: field %d %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

// FuzzRoundTrip turns arbitrary bytes into header lists and table size
// changes, encodes them with a Deflater and checks that our Inflater and
// x/net's decoder both get the lists back, with tables in step.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("\x00\x10:method\x00GET\x01custom\x00value\x00\xff\x02cookie\x00a=b"), uint16(4096))
	f.Add([]byte("\x03\x40x\x00y\x00x\x00y\x01password\x00secret"), uint16(100))
	f.Add([]byte("\x02\x00x\x00y\x00content-length\x00"+"12\x00\x40\x40\x40\x40\x01\x00z\x00w\x00\x40\xc0\x00\x10\x40\x40"), uint16(4096))
	f.Add([]byte("\x22\x00x\x00y\x00content-length\x00"+"12\x00\x60\x60\x60\x60\x40\x60"), uint16(4096))
	f.Fuzz(func(t *testing.T, data []byte, capSize uint16) {
		e := NewDeflater(uint32(capSize))
		fresh := NewDeflater(uint32(capSize)) // its memo dropped before every block
		var fields []HeaderField
		d := NewInflater()
		d.SetMaxHeaderListSize(1 << 30)
		d.SetMaxStringLength(1 << 30)
		d.SetMaxFieldCount(1 << 30)
		xd := xhpack.NewDecoder(4096, nil)
		xd.SetMaxStringLength(0)
		var buf []byte
		for len(data) > 0 {
			// One block: an op octet, then fields "flags name\0value\0".
			op := data[0]
			data = data[1:]
			if op&0x80 != 0 && len(data) >= 2 {
				// A SETTINGS_HEADER_TABLE_SIZE change, acknowledged.
				n := uint32(binary.BigEndian.Uint16(data)) >> (op & 3)
				data = data[2:]
				e.ChangeTableSize(n)
				fresh.ChangeTableSize(n)
				if err := d.ChangeTableSize(n); err != nil {
					t.Fatal(err)
				}
				xd.SetAllowedMaxDynamicTableSize(n)
			}
			if op&0x40 != 0 {
				// The previous block's fields again: the Deflater's
				// block memo may answer, and must write what a fresh
				// encoding writes.
				// With op&0x20, through DeflateStable (these strings
				// never change).
				deflate := e.Deflate
				if op&0x20 != 0 {
					deflate = e.DeflateStable
				}
				var err error
				buf, err = deflate(buf[:0], fields)
				if err != nil {
					t.Fatal(err)
				}
				fresh.memo = nil
				want, _ := fresh.Deflate(nil, cloneFields(fields))
				if !bytes.Equal(buf, want) {
					t.Fatalf("repeated block %x, fresh encoding %x", buf, want)
				}
				got, err := d.Inflate(buf)
				if err != nil {
					t.Fatalf("Inflate(%x): %v", buf, err)
				}
				checkSame(t, "repeat", got, fields)
				if _, err := xd.DecodeFull(buf); err != nil {
					t.Fatalf("x/net rejects %x: %v", buf, err)
				}
				continue
			}
			fields = fields[:0:0]
			for nf := int(op & 0x0f); nf > 0 && len(data) > 0; nf-- {
				flags := data[0]
				data = data[1:]
				name, rest, _ := strings.Cut(string(data), "\x00")
				value, rest2, _ := strings.Cut(rest, "\x00")
				data = []byte(rest2)
				fields = append(fields, HeaderField{Name: name, Value: value, Sensitive: flags&1 != 0})
			}
			deflate := e.Deflate
			if op&0x20 != 0 {
				deflate = e.DeflateStable
			}
			var err error
			buf, err = deflate(buf[:0], fields)
			if err != nil {
				t.Fatal(err)
			}
			fresh.memo = nil
			fresh.Deflate(nil, cloneFields(fields))
			got, err := d.Inflate(buf)
			if err != nil {
				t.Fatalf("Inflate(%x): %v", buf, err)
			}
			checkSame(t, "round trip", got, fields)
			if d.TableSize() != e.TableSize() || d.MaxTableSize() != e.MaxTableSize() {
				t.Fatalf("tables out of step: inflater %d/%d, deflater %d/%d", d.TableSize(), d.MaxTableSize(), e.TableSize(), e.MaxTableSize())
			}
			xf, err := xd.DecodeFull(buf)
			if err != nil {
				t.Fatalf("x/net rejects %x: %v", buf, err)
			}
			var want []HeaderField
			for _, f := range xf {
				want = append(want, HeaderField{f.Name, f.Value, f.Sensitive})
			}
			checkSame(t, "x/net", want, fields)
		}
	})
}
