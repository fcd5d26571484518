package hpack

import (
	"bufio"
	"io"
	"strconv"
)

// PrintTable writes entries (as returned by Table, newest first) one per line
// as "[  i] (s = N) name: value" with i counting from 1, then a last line
// "      Table size: N" with the sum of the entry sizes, like nghttp2's
// print_hd_table and deflatehd/inflatehd -t.
func PrintTable(w io.Writer, entries []Entry) {
	bw := bufio.NewWriter(w)
	var total uint64
	var num [20]byte
	for i, e := range entries {
		s := strconv.AppendInt(num[:0], int64(i+1), 10)
		bw.WriteByte('[')
		for n := len(s); n < 3; n++ {
			bw.WriteByte(' ')
		}
		bw.Write(s)
		bw.WriteString("] (s = ")
		bw.Write(strconv.AppendUint(num[:0], uint64(e.Size), 10))
		bw.WriteString(") ")
		bw.WriteString(e.Name)
		bw.WriteString(": ")
		bw.WriteString(e.Value)
		bw.WriteByte('\n')
		total += uint64(e.Size)
	}
	bw.WriteString("      Table size: ")
	bw.Write(strconv.AppendUint(num[:0], total, 10))
	bw.WriteByte('\n')
	bw.Flush()
}
