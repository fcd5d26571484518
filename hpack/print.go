package hpack

import (
	"bufio"
	"io"
	"strconv"
)

// PrintTable writes entries (as returned by Table, newest first) one per
// line, numbered from 1 with their RFC 7541 §4.1 size, then the sum of the
// sizes, like nghttp2's print_hd_table and deflatehd/inflatehd -t:
//
//	[  1] (s = 53) cache-control: no-cache
//	[  2] (s = 57) :authority: www.example.com
//	      Table size: 110
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
