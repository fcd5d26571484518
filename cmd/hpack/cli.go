package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/h2kit/h2kit/hpack"
)

// usage is printed on a bad invocation and for -h.
const usage = `usage: hpack [-t] deflate [-t] [-S cap] < story.json > out.json
       hpack [-t] inflate [-t] < story.json > out.json

deflate  encodes the "headers" of every case of an hpack-test-case story
         (one compression context per story) and writes the story with
         "seqno", "wire" (lowercase hex) and "headers".
inflate  decodes the "wire" (hex) of every case and writes the story with
         "seqno", "wire" and the decoded "headers".

A case's "header_table_size" (absent or null: no change) is applied with
ChangeTableSize before that case, and echoed in the output.

  -t      after each block, print the dynamic table to stderr
          (one "# seqno N" line, then one line per entry, newest first,
          and a final "total size" line)
  -S cap  deflate only: the deflater's table size cap (default 4096)

Exit status: 0 on success, 1 when a case fails (the message names the
case), 2 on a bad invocation.
`

// run is the whole program behind main, with its streams and arguments
// passed in so that tests can drive it. It returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	top := flag.NewFlagSet("hpack", flag.ContinueOnError)
	top.SetOutput(io.Discard)
	printTable := top.Bool("t", false, "")
	if code, done := parseFlags(top, args, stdout, stderr); done {
		return code
	}
	rest := top.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, "hpack: missing sub-command\n"+usage)
		return 2
	}
	cmd, rest := rest[0], rest[1:]
	sub := flag.NewFlagSet("hpack "+cmd, flag.ContinueOnError)
	sub.SetOutput(io.Discard)
	sub.BoolVar(printTable, "t", *printTable, "")
	capSize := uint(hpack.DeflateMaxHeaderTableSize)
	var do func(io.Reader, io.Writer, Options) error
	switch cmd {
	case "deflate":
		sub.UintVar(&capSize, "S", hpack.DeflateMaxHeaderTableSize, "")
		do = Deflate
	case "inflate":
		do = Inflate
	default:
		fmt.Fprintf(stderr, "hpack: unknown sub-command %q\n%s", cmd, usage)
		return 2
	}
	if code, done := parseFlags(sub, rest, stdout, stderr); done {
		return code
	}
	if sub.NArg() != 0 {
		fmt.Fprintf(stderr, "hpack %s: unexpected argument %q (input is read from stdin)\n%s", cmd, sub.Arg(0), usage)
		return 2
	}
	if capSize > 1<<32-1 {
		fmt.Fprintf(stderr, "hpack deflate: -S %d does not fit in 32 bits\n%s", capSize, usage)
		return 2
	}
	opt := Options{DeflaterCap: uint32(capSize)}
	if *printTable {
		opt.TableOut = stderr
	}
	if err := do(stdin, stdout, opt); err != nil {
		fmt.Fprintf(stderr, "hpack %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// parseFlags parses args into fs. done reports that the program must stop
// with the returned exit status (help requested or a bad flag).
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0, true
	default:
		fmt.Fprintf(stderr, "%s: %v\n%s", fs.Name(), err, usage)
		return 2, true
	}
}
