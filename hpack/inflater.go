package hpack

// Inflater is an HPACK decoder: one per connection direction.
type Inflater struct {
	emit func(HeaderField)
}

// NewInflater returns an Inflater with the default table size and budgets.
func NewInflater() *Inflater { return &Inflater{} }

// Inflate decodes one complete header block.
func (d *Inflater) Inflate(block []byte) ([]HeaderField, error) { return nil, errNotYet }

// ChangeTableSize sets the advertised dynamic table size limit.
func (d *Inflater) ChangeTableSize(n uint32) error { return errNotYet }

// SetEmitFunc sets the streaming callback.
func (d *Inflater) SetEmitFunc(emit func(f HeaderField)) { d.emit = emit }

// Write feeds the next fragment of the current header block.
func (d *Inflater) Write(p []byte) (int, error) { return 0, errNotYet }

// Close ends the current header block.
func (d *Inflater) Close() error { return errNotYet }

// SetMaxHeaderListSize sets the header list size budget.
func (d *Inflater) SetMaxHeaderListSize(n uint32) {}

// SetMaxFieldCount sets the field count budget.
func (d *Inflater) SetMaxFieldCount(n int) {}

// SetMaxStringLength sets the string length budget.
func (d *Inflater) SetMaxStringLength(n int) {}

// Table returns the dynamic table, newest entry first.
func (d *Inflater) Table() []Entry { return nil }

// TableSize returns the current size of the dynamic table.
func (d *Inflater) TableSize() uint32 { return 0 }

// MaxTableSize returns the current maximum size of the dynamic table.
func (d *Inflater) MaxTableSize() uint32 { return 0 }
