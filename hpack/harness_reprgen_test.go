package hpack_test

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/h2kit/h2kit/hpack"
	xhpack "golang.org/x/net/http2/hpack"
)

// This file builds header blocks representation by representation, with
// choices no encoder of ours or x/net's makes: Huffman coding whether or not
// it is shorter, names by static or dynamic index under every literal type,
// entries larger than the whole table (RFC 7541 §4.4: the table is emptied),
// empty strings, and one or two size updates. The generator knows the
// fields each block must decode to; both decoders must agree with it.

// reprStatic returns the static table (RFC 7541 Appendix A) as x/net decodes
// indices 1 to 61, so that the generator does not rely on our table.
func reprStatic(t *testing.T) []hpack.HeaderField {
	t.Helper()
	var st []hpack.HeaderField
	for i := 1; i <= 61; i++ {
		fs, err := xhpack.NewDecoder(0, nil).DecodeFull(reprInt(nil, 0x80, 7, uint64(i)))
		if err != nil || len(fs) != 1 {
			t.Fatalf("x/net decoding static index %d: %v", i, err)
		}
		st = append(st, hpack.HeaderField{Name: fs[0].Name, Value: fs[0].Value})
	}
	return st
}

// reprInt appends an RFC 7541 §5.1 integer with an n-bit prefix.
func reprInt(dst []byte, first byte, n uint, v uint64) []byte {
	max := uint64(1)<<n - 1
	if v < max {
		return append(dst, first|byte(v))
	}
	dst = append(dst, first|byte(max))
	for v -= max; v >= 128; v >>= 7 {
		dst = append(dst, byte(v)|0x80)
	}
	return append(dst, byte(v))
}

type reprGen struct {
	r      *rand.Rand
	static []hpack.HeaderField
	table  *shadowTable // the table as the decoders must have it
}

// str appends s as an RFC 7541 §5.2 string literal, Huffman-coded or not at
// random.
func (g *reprGen) str(dst []byte, s string) []byte {
	if g.r.Intn(2) == 0 {
		dst = reprInt(dst, 0x80, 7, xhpack.HuffmanEncodeLength(s))
		return xhpack.AppendHuffmanString(dst, s)
	}
	return append(reprInt(dst, 0, 7, uint64(len(s))), s...)
}

func (g *reprGen) text() string {
	var n int
	switch k := g.r.Intn(20); {
	case k == 0:
		n = 0
	case k == 1:
		n = 100 + g.r.Intn(5000) // often larger than the table
	default:
		n = 1 + g.r.Intn(24)
	}
	b := make([]byte, n)
	for i := range b {
		if g.r.Intn(8) == 0 {
			b[i] = byte(g.r.Intn(256))
		} else {
			b[i] = "abcdefghijklmnopqrstuvwxyz0123456789-_/=;:. "[g.r.Intn(44)]
		}
	}
	return string(b)
}

// entry returns HPACK index i (1-based, static then dynamic).
func (g *reprGen) entry(i int) hpack.HeaderField {
	if i <= len(g.static) {
		return g.static[i-1]
	}
	e := g.table.entries[i-len(g.static)-1]
	return hpack.HeaderField{Name: e.Name, Value: e.Value}
}

// block returns one header block and the fields it decodes to. updates are
// the size updates that open it; each must be at most the advertised limit.
func (g *reprGen) block(updates []uint32) ([]byte, []hpack.HeaderField) {
	var b []byte
	var fields []hpack.HeaderField
	for _, u := range updates {
		b = reprInt(b, 0x20, 5, uint64(u))
		g.table.max = u
		g.table.evict(0)
	}
	for range 1 + g.r.Intn(12) {
		n := len(g.static) + len(g.table.entries)
		kind := g.r.Intn(4)
		if kind == 0 { // §6.1 indexed
			i := 1 + g.r.Intn(n)
			b = reprInt(b, 0x80, 7, uint64(i))
			fields = append(fields, g.entry(i))
			continue
		}
		var f hpack.HeaderField
		var first byte
		var prefix uint
		switch kind {
		case 1: // §6.2.1 with incremental indexing
			first, prefix = 0x40, 6
		case 2: // §6.2.2 without indexing
			first, prefix = 0x00, 4
		default: // §6.2.3 never indexed
			first, prefix = 0x10, 4
			f.Sensitive = true
		}
		if g.r.Intn(2) == 0 {
			i := 1 + g.r.Intn(n)
			f.Name = g.entry(i).Name
			b = reprInt(b, first, prefix, uint64(i))
		} else {
			f.Name = g.text()
			b = g.str(reprInt(b, first, prefix, 0), f.Name)
		}
		f.Value = g.text()
		b = g.str(b, f.Value)
		if kind == 1 {
			g.table.add(f)
		}
		fields = append(fields, f)
	}
	return b, fields
}

// TestXNetRandomRepresentations decodes generated blocks with our Inflater
// (whole and streamed in random fragments) and with x/net, over seeded
// connections of 400 blocks with size changes, and checks the fields, the
// Sensitive flag and the tables against the generator.
func TestXNetRandomRepresentations(t *testing.T) {
	static := reprStatic(t)
	for seed := int64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			// x/net refuses a second size update while its table is not empty
			// (see xnet_test.go); odd seeds send such pairs and leave x/net out.
			withXNet := seed%2 == 0
			g := &reprGen{r: rand.New(rand.NewSource(seed)), static: static, table: newShadowTable()}
			in := newUnboundedInflater()
			stream := newStreamReader(seed)
			xd := xhpack.NewDecoder(hpack.DefaultHeaderTableSize, nil)
			limit := uint32(hpack.DefaultHeaderTableSize)
			for i := range 400 {
				var updates []uint32
				if g.r.Intn(6) == 0 {
					sizes := []uint32{0, 40, 100, 256, 1024, 4096, 8192}
					n := sizes[g.r.Intn(len(sizes))]
					for _, dec := range []*hpack.Inflater{in, stream.in} {
						if err := dec.ChangeTableSize(n); err != nil {
							t.Fatalf("block %d: ChangeTableSize(%d): %v", i, n, err)
						}
					}
					xd.SetAllowedMaxDynamicTableSize(n)
					// RFC 7541 §4.2: after a reduction the next block opens with
					// an update at most the new limit.
					updates = append(updates, uint32(g.r.Int63n(int64(n)+1)))
					limit = n
				}
				if len(updates) == 0 && g.r.Intn(20) == 0 {
					// An update without a settings change is allowed too.
					updates = append(updates, uint32(g.r.Int63n(int64(limit)+1)))
				}
				if len(updates) > 0 && g.r.Intn(3) == 0 {
					if withXNet {
						updates[0] = 0
					}
					updates = append(updates, uint32(g.r.Int63n(int64(limit)+1)))
				}
				block, want := g.block(updates)
				got, err := in.Inflate(block)
				if err != nil {
					t.Fatalf("block %d (updates %v, limit %d): Inflate(%s): %v", i, updates, limit, shortHex(block), err)
				}
				if d := corpusFieldsDiff(got, want, sensitiveExact); d != "" {
					t.Fatalf("block %d: Inflate: %s", i, d)
				}
				if got, err = stream.decode(block); err != nil {
					t.Fatalf("block %d: streaming Inflater: %v", i, err)
				}
				if d := corpusFieldsDiff(got, want, sensitiveExact); d != "" {
					t.Fatalf("block %d: streaming Inflater: %s", i, d)
				}
				for _, dec := range []*hpack.Inflater{in, stream.in} {
					if d := g.table.diff(dec.Table(), dec.TableSize()); d != "" {
						t.Fatalf("block %d (updates %v): table: %s", i, updates, d)
					}
				}
				if withXNet {
					xfs, err := xd.DecodeFull(block)
					if err != nil {
						t.Fatalf("block %d: x/net rejects the generated block %s: %v", i, shortHex(block), err)
					}
					if d := corpusFieldsDiff(fromXNet(xfs), want, sensitiveExact); d != "" {
						t.Fatalf("block %d: x/net disagrees with the generator: %s", i, d)
					}
				}
			}
		})
	}
}
