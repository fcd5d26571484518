package h2conn

import "github.com/h2kit/h2kit/hpack"

// HPACKCodecs returns the connection's HPACK decoder (the client's header
// blocks) and encoder (the server's), so that the handler layer can take
// snapshots of their dynamic tables (handler.Stream.HPACKTables). Like every
// Engine method it must be called on the goroutine that owns the connection,
// and the codecs must only be read.
func (c *Engine) HPACKCodecs() (dec *hpack.Inflater, enc *hpack.Deflater) {
	return c.dec, c.enc
}
