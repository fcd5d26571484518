package handler

import "github.com/h2kit/h2kit/hpack"

// HPACKTable is a snapshot of one HPACK dynamic table (RFC 7541 §2.3.2).
type HPACKTable struct {
	// Entries are the table's entries, newest first: Entries[0] has HPACK
	// index 62, the first after the static table (RFC 7541 §2.3.3).
	Entries []hpack.Entry
	// Size is the sum of the entries' sizes (RFC 7541 §4.1: name + value +
	// 32 each); MaxSize is the table's current maximum size.
	Size, MaxSize uint32
}

// HPACKTables are snapshots of both dynamic tables of a connection.
type HPACKTables struct {
	// Request is the decoder's table: what the client's request header
	// blocks have built.
	Request HPACKTable
	// Response is the encoder's table: what the server's response header
	// blocks (and trailers) have built.
	Response HPACKTable
}

// HPACKTables returns copies of the HPACK dynamic tables of the stream's
// connection, as they are when it is called: the request side already holds
// what this request's header block added, the response side what earlier
// responses added. The tables belong to the connection goroutine, so
// HPACKTables must be called from a callback (OnHeaders, OnData,
// OnRequestDone, OnClose or a body generator), unlike the other Stream
// methods. It allocates the copies.
func (s *Stream) HPACKTables() HPACKTables {
	dec, enc := s.conn.eng.HPACKCodecs()
	return HPACKTables{
		Request:  HPACKTable{Entries: dec.Table(), Size: dec.TableSize(), MaxSize: dec.MaxTableSize()},
		Response: HPACKTable{Entries: enc.Table(), Size: enc.TableSize(), MaxSize: enc.MaxTableSize()},
	}
}
