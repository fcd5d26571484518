package hpack_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/h2kit/h2kit/hpack"
)

// A Deflater and an Inflater keep their dynamic tables in step: the second
// block is mostly indices.
func Example() {
	enc := hpack.NewDeflater(hpack.DeflateMaxHeaderTableSize)
	dec := hpack.NewInflater()
	fields := []hpack.HeaderField{
		{Name: ":method", Value: "GET"},
		{Name: ":authority", Value: "www.example.com"},
		{Name: "custom-key", Value: "custom-value"},
		{Name: "password", Value: "secret", Sensitive: true},
	}
	var block []byte
	for i := 0; i < 2; i++ {
		block, _ = enc.Deflate(block[:0], fields)
		got, err := dec.Inflate(block)
		if err != nil {
			panic(err)
		}
		fmt.Printf("block %d: %d octets, %d fields\n", i+1, len(block), len(got))
	}
	hpack.PrintTable(os.Stdout, dec.Table())
	// Output:
	// block 1: 48 octets, 4 fields
	// block 2: 16 octets, 4 fields
	// [  1] (s = 54) custom-key: custom-value
	// [  2] (s = 57) :authority: www.example.com
	//       Table size: 111
}

// The streaming form decodes a block delivered in fragments (HEADERS and
// CONTINUATION payloads) without allocating; emitted strings are only valid
// during the call.
func ExampleInflater_Write() {
	block, _ := hpack.NewDeflater(4096).Deflate(nil, []hpack.HeaderField{
		{Name: ":method", Value: "GET"},
		{Name: ":path", Value: "/index.html"},
		{Name: "user-agent", Value: "example/1.0"},
	})
	dec := hpack.NewInflater()
	var kept []string
	dec.SetEmitFunc(func(f hpack.HeaderField) {
		kept = append(kept, f.Name+": "+f.Value) // copies
	})
	dec.Write(block[:5])
	dec.Write(block[5:])
	if err := dec.Close(); err != nil {
		panic(err)
	}
	fmt.Println(strings.Join(kept, "\n"))
	// Output:
	// :method: GET
	// :path: /index.html
	// user-agent: example/1.0
}

// Over a budget, the block is still decoded to its end (the table stays in
// step) and the error says which budget; the Inflater stays usable, so a
// server refuses the stream with 431 and keeps the connection.
func ExampleBudgetError() {
	block, _ := hpack.NewDeflater(4096).Deflate(nil, []hpack.HeaderField{
		{Name: "x-long", Value: strings.Repeat("v", 100)},
	})
	dec := hpack.NewInflater()
	dec.SetMaxStringLength(64)
	_, err := dec.Inflate(block)
	var be *hpack.BudgetError
	fmt.Println(errors.As(err, &be), errors.Is(err, hpack.ErrStringTooLong), be.Limit)
	// Output:
	// true true 64
}
