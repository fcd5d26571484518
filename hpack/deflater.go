package hpack

import "errors"

var errNotYet = errors.New("hpack: not implemented yet")

// Deflater is an HPACK encoder: one per connection direction.
type Deflater struct {
	cap uint32
	max uint32
}

// NewDeflater returns a Deflater whose dynamic table never exceeds
// maxTableSize, whatever larger size the peer allows.
func NewDeflater(maxTableSize uint32) *Deflater {
	return &Deflater{cap: maxTableSize, max: min(maxTableSize, DefaultHeaderTableSize)}
}

// Deflate appends the header block encoding fields to dst and returns it.
func (d *Deflater) Deflate(dst []byte, fields []HeaderField) ([]byte, error) {
	return dst, errNotYet
}

// ChangeTableSize sets the dynamic table size to min(n, cap).
func (d *Deflater) ChangeTableSize(n uint32) error { return errNotYet }

// Table returns the dynamic table, newest entry first.
func (d *Deflater) Table() []Entry { return nil }

// TableSize returns the current size of the dynamic table.
func (d *Deflater) TableSize() uint32 { return 0 }

// MaxTableSize returns the current maximum size of the dynamic table.
func (d *Deflater) MaxTableSize() uint32 { return d.max }
