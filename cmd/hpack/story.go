package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/h2kit/h2kit/hpack"
)

// story is one hpack-test-case JSON document: a series of header blocks
// that share one compression context (one connection direction).
type story struct {
	Description string            `json:"description,omitempty"`
	Context     string            `json:"context,omitempty"`
	Cases       []json.RawMessage `json:"cases"`
}

// storyCase is one element of a story's "cases" array, as read. Pointers
// tell an absent (or null) member from a zero one.
type storyCase struct {
	Seqno           *int                `json:"seqno"`
	HeaderTableSize *uint32             `json:"header_table_size"`
	Wire            *string             `json:"wire"`
	Headers         []map[string]string `json:"headers"`
}

// outStory is the document written by both sub-commands.
type outStory struct {
	Description string    `json:"description"`
	Context     string    `json:"context,omitempty"`
	Cases       []outCase `json:"cases"`
}

// outCase is one written case. Member order follows hpack-test-case.
type outCase struct {
	Seqno           int                 `json:"seqno"`
	HeaderTableSize *uint32             `json:"header_table_size,omitempty"`
	Wire            string              `json:"wire"`
	Headers         []map[string]string `json:"headers"`
}

// CaseError reports a problem with one case of a story. Case is the
// 0-based position in "cases"; Seqno is the case's "seqno" member when it
// has one and Case otherwise.
type CaseError struct {
	Case  int
	Seqno int
	Err   error
}

// Error names the failing case so that a user can find it in the input.
func (e *CaseError) Error() string {
	if e.Seqno != e.Case {
		return fmt.Sprintf("case %d (seqno %d): %v", e.Case, e.Seqno, e.Err)
	}
	return fmt.Sprintf("case %d: %v", e.Case, e.Err)
}

// Unwrap returns the underlying error, so that errors.Is finds hpack's
// sentinel errors through a CaseError.
func (e *CaseError) Unwrap() error { return e.Err }

// errMissingWire and its siblings describe malformed story input.
var (
	errMissingWire    = errors.New(`missing "wire"`)
	errMissingHeaders = errors.New(`missing "headers"`)
)

// readStory parses a whole story document from r.
func readStory(r io.Reader) (*story, error) {
	dec := json.NewDecoder(r)
	var s story
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("reading story JSON: %w", err)
	}
	if s.Cases == nil {
		return nil, errors.New(`reading story JSON: no "cases" array`)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("reading story JSON: trailing data after the story object")
	}
	return &s, nil
}

// parseCase decodes raw, the case at position i. The returned seqno is its own
// "seqno" when present, i otherwise.
func parseCase(raw json.RawMessage, i int) (*storyCase, int, error) {
	var c storyCase
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, i, &CaseError{Case: i, Seqno: i, Err: err}
	}
	seq := i
	if c.Seqno != nil {
		seq = *c.Seqno
	}
	return &c, seq, nil
}

// fieldsFromJSON converts a story's "headers" list, where every element is
// an object with exactly one member, into header fields (appended to dst).
func fieldsFromJSON(dst []hpack.HeaderField, hs []map[string]string) ([]hpack.HeaderField, error) {
	for j, h := range hs {
		if len(h) != 1 {
			return dst, fmt.Errorf("header %d: want an object with exactly one member, got %d", j, len(h))
		}
		for name, value := range h {
			dst = append(dst, hpack.HeaderField{Name: name, Value: value})
		}
	}
	return dst, nil
}

// fieldsToJSON converts decoded fields into the story "headers" form. JSON
// strings cannot carry arbitrary bytes, so a name or value that is not
// valid UTF-8 is an error rather than a silent U+FFFD substitution.
func fieldsToJSON(fs []hpack.HeaderField) ([]map[string]string, error) {
	hs := make([]map[string]string, 0, len(fs))
	for j, f := range fs {
		if !utf8.ValidString(f.Name) || !utf8.ValidString(f.Value) {
			return nil, fmt.Errorf("header %d (%q) is not valid UTF-8 and cannot be written as JSON", j, f.Name)
		}
		hs = append(hs, map[string]string{f.Name: f.Value})
	}
	return hs, nil
}

// writeStory writes s as indented JSON followed by a newline. HTML
// escaping is off so that header values such as "<" stay readable.
func writeStory(w io.Writer, s *outStory) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
