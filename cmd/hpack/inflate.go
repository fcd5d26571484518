package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/h2kit/h2kit/hpack"
)

// Inflate reads a story whose cases carry "wire" (hex, either case) from r,
// decodes every case in order with one Inflater and writes the story with
// "seqno", "wire" (lowercase) and the decoded "headers" to w. A case's
// "header_table_size", when present and not null, is applied with the
// Inflater's ChangeTableSize before that case is decoded, exactly as
// hpack-test-case specifies ("the header table size sent in
// SETTINGS_HEADER_TABLE_SIZE and ACKed just before this case"), and is
// echoed in the output. The first failing case stops the run; the error
// is a *CaseError wrapping the codec's typed error.
func Inflate(r io.Reader, w io.Writer, opt Options) error {
	s, err := readStory(r)
	if err != nil {
		return err
	}
	in := hpack.NewInflater()
	out := &outStory{
		Description: "Decoded by h2kit hpack inflate.",
		Context:     s.Context,
		Cases:       make([]outCase, 0, len(s.Cases)),
	}
	var block []byte
	for i, raw := range s.Cases {
		c, seq, err := parseCase(raw, i)
		if err != nil {
			return err
		}
		if c.Wire == nil {
			return &CaseError{Case: i, Seqno: seq, Err: errMissingWire}
		}
		block, err = appendHex(block[:0], *c.Wire)
		if err != nil {
			return &CaseError{Case: i, Seqno: seq, Err: err}
		}
		if c.HeaderTableSize != nil {
			if err := in.ChangeTableSize(*c.HeaderTableSize); err != nil {
				return &CaseError{Case: i, Seqno: seq, Err: err}
			}
		}
		fields, err := in.Inflate(block)
		if err != nil {
			return &CaseError{Case: i, Seqno: seq, Err: err}
		}
		hs, err := fieldsToJSON(fields)
		if err != nil {
			return &CaseError{Case: i, Seqno: seq, Err: err}
		}
		out.Cases = append(out.Cases, outCase{
			Seqno:           seq,
			HeaderTableSize: c.HeaderTableSize,
			Wire:            strings.ToLower(*c.Wire),
			Headers:         hs,
		})
		if opt.TableOut != nil {
			fmt.Fprintf(opt.TableOut, "# seqno %d\n", seq)
			hpack.PrintTable(opt.TableOut, in.Table())
		}
	}
	return writeStory(w, out)
}

// appendHex decodes the hex string s (upper or lower case) onto dst.
func appendHex(dst []byte, s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return dst, fmt.Errorf("wire: odd number of hex digits (%d)", len(s))
	}
	n := len(dst)
	dst = append(dst, make([]byte, len(s)/2)...)
	if _, err := hex.Decode(dst[n:], []byte(s)); err != nil {
		return dst[:n], fmt.Errorf("wire: %w", err)
	}
	return dst, nil
}
