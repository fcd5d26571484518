package hpack_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/hpack"
	xhpack "golang.org/x/net/http2/hpack"
)

// These differential tests use golang.org/x/net/http2/hpack as an oracle:
// x/net must decode our blocks to the fields we encoded, and we must decode
// x/net's blocks to the fields it encoded, Sensitive flag included. Table
// contents are checked against the test's own model (harness_shadow_test.go),
// since x/net does not expose its tables.

func toXNet(fs []hpack.HeaderField) []xhpack.HeaderField {
	out := make([]xhpack.HeaderField, len(fs))
	for i, f := range fs {
		out[i] = xhpack.HeaderField{Name: f.Name, Value: f.Value, Sensitive: f.Sensitive}
	}
	return out
}

func fromXNet(fs []xhpack.HeaderField) []hpack.HeaderField {
	out := make([]hpack.HeaderField, len(fs))
	for i, f := range fs {
		out[i] = hpack.HeaderField{Name: f.Name, Value: f.Value, Sensitive: f.Sensitive}
	}
	return out
}

// xnetOurEncoder is one direction of a connection with our Deflater writing and
// x/net's Decoder and our Inflater both reading.
type xnetOurEncoder struct {
	d      *hpack.Deflater
	xd     *xhpack.Decoder
	in     *hpack.Inflater
	stream *streamReader
	model  *shadowTable
	buf    []byte
}

func newXNetOurEncoder(cap uint32) *xnetOurEncoder {
	return &xnetOurEncoder{
		d:      hpack.NewDeflater(cap),
		xd:     xhpack.NewDecoder(hpack.DefaultHeaderTableSize, nil),
		in:     newUnboundedInflater(),
		stream: newStreamReader(int64(cap)),
		model:  newShadowTable(),
	}
}

// newUnboundedInflater returns an Inflater whose decode budgets are far
// above the random header lists (up to 30 fields of up to 10 KB): these
// tests compare decoding, the budgets have tests of their own.
func newUnboundedInflater() *hpack.Inflater {
	in := hpack.NewInflater()
	in.SetMaxHeaderListSize(1 << 24)
	in.SetMaxFieldCount(1 << 16)
	in.SetMaxStringLength(1 << 20)
	return in
}

// settings is the decoding side advertising SETTINGS_HEADER_TABLE_SIZE n,
// acknowledged before the next block.
func (c *xnetOurEncoder) settings(n uint32) error {
	c.xd.SetAllowedMaxDynamicTableSize(n)
	if err := c.in.ChangeTableSize(n); err != nil {
		return fmt.Errorf("Inflater.ChangeTableSize(%d): %w", n, err)
	}
	if err := c.stream.in.ChangeTableSize(n); err != nil {
		return fmt.Errorf("streaming Inflater.ChangeTableSize(%d): %w", n, err)
	}
	if err := c.d.ChangeTableSize(n); err != nil {
		return fmt.Errorf("Deflater.ChangeTableSize(%d): %w", n, err)
	}
	return nil
}

// block encodes fs and checks both decoders and the tables.
func (c *xnetOurEncoder) block(fs []hpack.HeaderField) error {
	var err error
	c.buf, err = c.d.Deflate(c.buf[:0], fs)
	if err != nil {
		return fmt.Errorf("Deflate: %w", err)
	}
	// x/net's Decoder (v0.62.0) rejects the second of two size updates
	// opening a block when its table is not empty after the first ("dynamic
	// table size update MUST occur at the beginning of a header block"),
	// although RFC 7541 §4.2 asks for that pair. Go clients and servers use
	// that decoder, so our blocks must pass it unaided.
	xfs, err := c.xd.DecodeFull(c.buf)
	if err != nil {
		return fmt.Errorf("x/net rejects our block %s: %w", shortHex(c.buf), err)
	}
	if d := corpusFieldsDiff(fromXNet(xfs), fs, sensitiveKept); d != "" {
		return fmt.Errorf("x/net decodes our block %s: %s", shortHex(c.buf), d)
	}
	got, err := c.in.Inflate(c.buf)
	if err != nil {
		return fmt.Errorf("Inflate(our block %s): %w", shortHex(c.buf), err)
	}
	if d := corpusFieldsDiff(got, fromXNet(xfs), sensitiveExact); d != "" {
		return fmt.Errorf("our Inflater and x/net decode our block differently: %s", d)
	}
	got, err = c.stream.decode(c.buf)
	if err != nil {
		return fmt.Errorf("streaming Inflater on our block %s: %w", shortHex(c.buf), err)
	}
	if d := corpusFieldsDiff(got, fromXNet(xfs), sensitiveExact); d != "" {
		return fmt.Errorf("our streaming Inflater and x/net decode our block differently: %s", d)
	}
	if err := c.model.apply(c.buf, fs); err != nil {
		return fmt.Errorf("model cannot walk our block %s: %w", shortHex(c.buf), err)
	}
	if d := c.model.diff(c.d.Table(), c.d.TableSize()); d != "" {
		return fmt.Errorf("Deflater table: %s", d)
	}
	if d := c.model.diff(c.in.Table(), c.in.TableSize()); d != "" {
		return fmt.Errorf("Inflater table: %s", d)
	}
	if d := c.model.diff(c.stream.in.Table(), c.stream.in.TableSize()); d != "" {
		return fmt.Errorf("streaming Inflater table: %s", d)
	}
	return nil
}

// xnetTheirEncoder is one direction with x/net's Encoder writing and our
// Inflater reading.
type xnetTheirEncoder struct {
	enc    *xhpack.Encoder
	buf    bytes.Buffer
	in     *hpack.Inflater
	stream *streamReader
	model  *shadowTable
}

func newXNetTheirEncoder() *xnetTheirEncoder {
	c := &xnetTheirEncoder{in: newUnboundedInflater(), stream: newStreamReader(7), model: newShadowTable()}
	c.enc = xhpack.NewEncoder(&c.buf)
	return c
}

// settings is our side advertising n; x/net's encoder follows it the way
// x/net's HTTP/2 transport does.
func (c *xnetTheirEncoder) settings(n uint32) error {
	if err := c.in.ChangeTableSize(n); err != nil {
		return fmt.Errorf("Inflater.ChangeTableSize(%d): %w", n, err)
	}
	if err := c.stream.in.ChangeTableSize(n); err != nil {
		return fmt.Errorf("streaming Inflater.ChangeTableSize(%d): %w", n, err)
	}
	c.enc.SetMaxDynamicTableSizeLimit(n)
	c.enc.SetMaxDynamicTableSize(n)
	return nil
}

func (c *xnetTheirEncoder) block(fs []hpack.HeaderField) error {
	c.buf.Reset()
	for _, f := range toXNet(fs) {
		if err := c.enc.WriteField(f); err != nil {
			return err
		}
	}
	got, err := c.in.Inflate(c.buf.Bytes())
	if err != nil {
		return fmt.Errorf("Inflate(x/net block %s): %w", shortHex(c.buf.Bytes()), err)
	}
	// x/net sends never-indexed literals for Sensitive fields only.
	if d := corpusFieldsDiff(got, fs, sensitiveExact); d != "" {
		return fmt.Errorf("we decode x/net's block %s: %s", shortHex(c.buf.Bytes()), d)
	}
	if err := c.model.apply(c.buf.Bytes(), fs); err != nil {
		return fmt.Errorf("model cannot walk x/net's block %s: %w", shortHex(c.buf.Bytes()), err)
	}
	if d := c.model.diff(c.in.Table(), c.in.TableSize()); d != "" {
		return fmt.Errorf("Inflater table after x/net's block %s: %s", shortHex(c.buf.Bytes()), d)
	}
	got, err = c.stream.decode(c.buf.Bytes())
	if err != nil {
		return fmt.Errorf("streaming Inflater on x/net block %s: %w", shortHex(c.buf.Bytes()), err)
	}
	if d := corpusFieldsDiff(got, fs, sensitiveExact); d != "" {
		return fmt.Errorf("our streaming Inflater decodes x/net's block %s: %s", shortHex(c.buf.Bytes()), d)
	}
	if d := c.model.diff(c.stream.in.Table(), c.stream.in.TableSize()); d != "" {
		return fmt.Errorf("streaming Inflater table after x/net's block %s: %s", shortHex(c.buf.Bytes()), d)
	}
	return nil
}

// streamReader decodes blocks with the Inflater's streaming form, cut into
// random fragments (some of a few bytes, some empty) as HEADERS and
// CONTINUATION payloads would cut them.
type streamReader struct {
	in  *hpack.Inflater
	r   *rand.Rand
	got []hpack.HeaderField
}

func newStreamReader(seed int64) *streamReader {
	s := &streamReader{in: newUnboundedInflater(), r: rand.New(rand.NewSource(seed))}
	s.in.SetEmitFunc(func(f hpack.HeaderField) {
		// f is only valid during the call.
		s.got = append(s.got, hpack.HeaderField{Name: strings.Clone(f.Name), Value: strings.Clone(f.Value), Sensitive: f.Sensitive})
	})
	return s
}

func (s *streamReader) decode(block []byte) ([]hpack.HeaderField, error) {
	s.got = s.got[:0]
	for len(block) > 0 {
		var n int
		switch s.r.Intn(4) {
		case 0:
			n = 0
		case 1:
			n = min(len(block), 1+s.r.Intn(4))
		default:
			n = 1 + s.r.Intn(len(block))
		}
		m, err := s.in.Write(block[:n])
		if err != nil {
			return nil, err
		}
		if m != n {
			return nil, fmt.Errorf("Write took %d of %d bytes", m, n)
		}
		block = block[n:]
	}
	if err := s.in.Close(); err != nil {
		return nil, err
	}
	return s.got, nil
}

// TestXNetCorpus runs every raw-data story both ways (one connection per
// story), with the default table size and with size changes.
func TestXNetCorpus(t *testing.T) {
	stories := corpus(t)[corpusRawDir]
	for _, changes := range []bool{false, true} {
		name := "default-size"
		if changes {
			name = "size-changes"
		}
		t.Run("ours-to-xnet/"+name, func(t *testing.T) {
			for _, s := range stories {
				c := newXNetOurEncoder(hpack.DeflateMaxHeaderTableSize)
				for i, cs := range s.Cases {
					if n, ok := corpusSizeChanges(i, len(s.Cases)); changes && ok {
						if err := c.settings(n); err != nil {
							t.Fatalf("%s case %d: %v", s.File, i, err)
						}
					}
					if err := c.block(cs.Fields); err != nil {
						t.Fatalf("%s case %d: %v", s.File, i, err)
					}
				}
			}
		})
		t.Run("xnet-to-ours/"+name, func(t *testing.T) {
			for _, s := range stories {
				c := newXNetTheirEncoder()
				for i, cs := range s.Cases {
					if n, ok := corpusSizeChanges(i, len(s.Cases)); changes && ok {
						if err := c.settings(n); err != nil {
							t.Fatalf("%s case %d: %v", s.File, i, err)
						}
					}
					if err := c.block(cs.Fields); err != nil {
						t.Fatalf("%s case %d: %v", s.File, i, err)
					}
				}
			}
		})
	}
}

// TestXNetCorpusWires decodes every implementation directory's wire blocks
// with x/net and with our Inflater and compares the results, Sensitive flag
// included (the corpus JSON does not record it).
func TestXNetCorpusWires(t *testing.T) {
	dirs := corpus(t)
	for _, dir := range corpusDirs(dirs) {
		if dir == corpusRawDir {
			continue
		}
		t.Run(dir, func(t *testing.T) {
			for _, s := range dirs[dir] {
				in := hpack.NewInflater()
				xd := xhpack.NewDecoder(hpack.DefaultHeaderTableSize, nil)
				for _, c := range s.Cases {
					if c.HeaderTableSize != nil {
						xd.SetAllowedMaxDynamicTableSize(*c.HeaderTableSize)
						if err := in.ChangeTableSize(*c.HeaderTableSize); err != nil {
							t.Fatalf("%s seqno %d: %v", s.File, c.Seqno, err)
						}
					}
					want, err := xd.DecodeFull(c.Wire)
					if err != nil {
						t.Fatalf("%s seqno %d: x/net: %v", s.File, c.Seqno, err)
					}
					got, err := in.Inflate(c.Wire)
					if err != nil {
						t.Fatalf("%s seqno %d: Inflate: %v", s.File, c.Seqno, err)
					}
					if d := corpusFieldsDiff(got, fromXNet(want), sensitiveExact); d != "" {
						t.Fatalf("%s seqno %d: ours vs x/net: %s", s.File, c.Seqno, d)
					}
				}
			}
		})
	}
}

// randomHeaders makes header lists with repetition (so that indexing
// matters), sensitive fields, binary and long values, and names from the
// static table as well as new ones.
type randomHeaders struct {
	r    *rand.Rand
	pool []hpack.HeaderField
}

var randomNames = []string{
	":method", ":path", ":authority", ":status", ":scheme", "accept", "accept-encoding",
	"cookie", "set-cookie", "authorization", "user-agent", "content-length", "etag",
	"location", "date", "cache-control", "x-request-id", "x-custom", "x-forwarded-for", "",
}

func newRandomHeaders(seed int64) *randomHeaders {
	g := &randomHeaders{r: rand.New(rand.NewSource(seed))}
	for range 60 {
		g.pool = append(g.pool, g.field())
	}
	return g
}

func (g *randomHeaders) str(n int) string {
	var b strings.Builder
	switch g.r.Intn(4) {
	case 0: // arbitrary octets: every Huffman code length
		for range n {
			b.WriteByte(byte(g.r.Intn(256)))
		}
	case 1: // digits and a few symbols: Huffman wins
		for range n {
			b.WriteByte("0123456789abcdef-/=.;"[g.r.Intn(21)])
		}
	default: // printable ASCII
		for range n {
			b.WriteByte(byte(32 + g.r.Intn(95)))
		}
	}
	return b.String()
}

func (g *randomHeaders) field() hpack.HeaderField {
	f := hpack.HeaderField{Name: randomNames[g.r.Intn(len(randomNames))]}
	if f.Name == "" {
		f.Name = strings.ToLower(g.str(1 + g.r.Intn(20)))
		if g.r.Intn(2) == 0 {
			f.Name = fmt.Sprintf("x-h%d", g.r.Intn(1000))
		}
	}
	switch n := g.r.Intn(100); {
	case n < 3: // longer than any table
		f.Value = g.str(4000 + g.r.Intn(6000))
	case n < 10:
		f.Value = g.str(200 + g.r.Intn(1500))
	case n < 15:
		f.Value = ""
	default:
		f.Value = g.str(1 + g.r.Intn(60))
	}
	f.Sensitive = g.r.Intn(10) == 0
	return f
}

// list returns 1 to 30 fields, mostly drawn from the pool.
func (g *randomHeaders) list() []hpack.HeaderField {
	fs := make([]hpack.HeaderField, 1+g.r.Intn(30))
	for i := range fs {
		if g.r.Intn(4) == 0 {
			fs[i] = g.field()
		} else {
			fs[i] = g.pool[g.r.Intn(len(g.pool))]
		}
	}
	return fs
}

// tableSizes returns 0, 1 or 2 SETTINGS_HEADER_TABLE_SIZE values to apply
// before the next block (2 exercises the smallest-then-final rule).
func (g *randomHeaders) tableSizes() []uint32 {
	if g.r.Intn(8) != 0 {
		return nil
	}
	sizes := []uint32{0, 64, 100, 256, 1365, 2730, 4096, 8192, 16384}
	out := []uint32{sizes[g.r.Intn(len(sizes))]}
	if g.r.Intn(3) == 0 {
		out = append(out, sizes[g.r.Intn(len(sizes))])
	}
	return out
}

// TestXNetRandom runs seeded random connections of 300 blocks each way,
// with table size changes, and checks that our Deflater opens a block with
// the size updates RFC 7541 §4.2 requires.
func TestXNetRandom(t *testing.T) {
	const conns, blocks = 12, 300
	for seed := int64(1); seed <= conns; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			g := newRandomHeaders(seed)
			caps := []uint32{hpack.DeflateMaxHeaderTableSize, 0, 256, 16384}
			limit := caps[seed%int64(len(caps))]
			ours := newXNetOurEncoder(limit)
			theirs := newXNetTheirEncoder()
			effective := min(limit, hpack.DefaultHeaderTableSize)
			for i := range blocks {
				sizes := g.tableSizes()
				prev, smallest := effective, effective
				for _, n := range sizes {
					if err := ours.settings(n); err != nil {
						t.Fatalf("block %d: %v", i, err)
					}
					if err := theirs.settings(n); err != nil {
						t.Fatalf("block %d: %v", i, err)
					}
					effective = min(n, limit)
					smallest = min(smallest, effective)
				}
				fs := g.list()
				if err := ours.block(fs); err != nil {
					t.Fatalf("block %d (sizes %v, cap %d): %v", i, sizes, limit, err)
				}
				if err := theirs.block(fs); err != nil {
					t.Fatalf("block %d (sizes %v): %v", i, sizes, err)
				}
				// RFC 7541 §4.2: "the smallest maximum table size that occurs in
				// that interval MUST be signaled in a dynamic table size update.
				// The final maximum size is always signaled".
				up := ours.model.updates
				if effective != prev && (len(up) == 0 || up[len(up)-1] != effective) {
					t.Fatalf("block %d: size went %d -> %d (sizes %v, cap %d) but the block opens with updates %v", i, prev, effective, sizes, limit, up)
				}
				if smallest < prev && smallest < effective && (len(up) < 2 || up[0] > smallest) {
					t.Fatalf("block %d: size went %d -> %d -> %d but the block opens with updates %v", i, prev, smallest, effective, up)
				}
				if ours.d.MaxTableSize() != effective {
					t.Fatalf("block %d: Deflater.MaxTableSize() = %d, want min(%v, cap %d) = %d", i, ours.d.MaxTableSize(), sizes, limit, effective)
				}
			}
		})
	}
}

// TestIntegerContinuationCapMatchesXNet: an integer (RFC 7541 §5.1) padded
// with zero continuation octets is accepted exactly as far as x/net's
// decoder accepts it (at most 9 continuation octets), and refused beyond
// with ErrIntegerOverflow.
func TestIntegerContinuationCapMatchesXNet(t *testing.T) {
	for k := 1; k <= 12; k++ {
		// A size update to 31: the 5-bit prefix full, then k-1 octets
		// 0x80 (zero, more to come) and a final 0x00.
		wire := append([]byte{0x3f}, bytes.Repeat([]byte{0x80}, k-1)...)
		wire = append(wire, 0x00)
		_, xerr := xhpack.NewDecoder(hpack.DefaultHeaderTableSize, nil).DecodeFull(wire)
		_, err := hpack.NewInflater().Inflate(wire)
		if (err == nil) != (xerr == nil) {
			t.Errorf("%d continuation octets: ours %v, x/net %v", k, err, xerr)
		}
		if err != nil && !errors.Is(err, hpack.ErrIntegerOverflow) {
			t.Errorf("%d continuation octets: %v, want ErrIntegerOverflow", k, err)
		}
	}
}
