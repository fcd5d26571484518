package main

import (
	"encoding/hex"
	"fmt"
	"io"

	"github.com/h2kit/h2kit/hpack"
)

// Options configure both sub-commands.
type Options struct {
	// TableOut, when not nil, receives the dynamic table (hpack.PrintTable)
	// after each header block, preceded by a "# seqno N" line.
	TableOut io.Writer
	// DeflaterCap is the deflater's table size cap, NewDeflater's argument
	// (the command's default is hpack.DeflateMaxHeaderTableSize; 0 keeps
	// the dynamic table unused).
	DeflaterCap uint32
}

// Deflate reads a story whose cases carry "headers" from r, encodes every
// case in order with one Deflater (one compression context per story) and
// writes the story with "seqno", "wire" and "headers" to w. A case's
// "header_table_size", when present and not null, is applied with
// ChangeTableSize before that case is encoded, as if the peer had just
// acknowledged SETTINGS_HEADER_TABLE_SIZE, and is echoed in the output.
func Deflate(r io.Reader, w io.Writer, opt Options) error {
	s, err := readStory(r)
	if err != nil {
		return err
	}
	limit := opt.DeflaterCap
	d := hpack.NewDeflater(limit)
	out := &outStory{
		Description: fmt.Sprintf("Encoded by h2kit hpack deflate (table size cap %d).", limit),
		Context:     s.Context,
		Cases:       make([]outCase, 0, len(s.Cases)),
	}
	var fields []hpack.HeaderField
	var wire []byte
	for i, raw := range s.Cases {
		c, seq, err := parseCase(raw, i)
		if err != nil {
			return err
		}
		if c.Headers == nil {
			return &CaseError{Case: i, Seqno: seq, Err: errMissingHeaders}
		}
		fields, err = fieldsFromJSON(fields[:0], c.Headers)
		if err != nil {
			return &CaseError{Case: i, Seqno: seq, Err: err}
		}
		if c.HeaderTableSize != nil {
			if err := d.ChangeTableSize(*c.HeaderTableSize); err != nil {
				return &CaseError{Case: i, Seqno: seq, Err: err}
			}
		}
		wire, err = d.Deflate(wire[:0], fields)
		if err != nil {
			return &CaseError{Case: i, Seqno: seq, Err: err}
		}
		out.Cases = append(out.Cases, outCase{
			Seqno:           seq,
			HeaderTableSize: c.HeaderTableSize,
			Wire:            hex.EncodeToString(wire),
			Headers:         c.Headers,
		})
		if opt.TableOut != nil {
			fmt.Fprintf(opt.TableOut, "# seqno %d\n", seq)
			hpack.PrintTable(opt.TableOut, d.Table())
		}
	}
	return writeStory(w, out)
}
