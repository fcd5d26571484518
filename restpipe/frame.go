package restpipe

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// The pipe stream carries frames, each
//
//	length  uint32  bytes that follow the length field
//	type    uint8   frameRequest, frameReply or frameHeartbeat
//	id      uint64  correlates a reply with its request (0 for heartbeats)
//	payload
//
// A request's payload is verb, noun, the number of arguments (uint16), each
// argument, mime (each a uint16 length and the bytes) and then the data up to
// the end of the frame. A reply's payload is the return code (int32), the mime
// and the data. A heartbeat has none. All integers are big-endian.
const (
	frameRequest   = 1
	frameReply     = 2
	frameHeartbeat = 3

	frameHeaderLen = 4 + 1 + 8
)

// DefaultMaxFrameSize is the largest frame a pipe accepts by default: a 16 MiB
// payload, twice over, with room for the names.
const DefaultMaxFrameSize = 32 << 20

// pipeFrame is one decoded frame.
type pipeFrame struct {
	typ   byte
	id    uint64
	event Event // frameRequest
	reply Reply // frameReply
}

// appendString16 appends a uint16 length and s.
func appendString16(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// checkEvent reports why ev cannot be framed.
func checkEvent(ev *Event) error {
	if !validVerb(ev.Verb) {
		return fmt.Errorf("restpipe: invalid verb %q", ev.Verb)
	}
	if ev.Noun == "" {
		return fmt.Errorf("restpipe: empty noun")
	}
	if len(ev.Args) > math.MaxUint16 {
		return fmt.Errorf("restpipe: %d arguments", len(ev.Args))
	}
	for _, s := range append([]string{ev.Noun, ev.Mime}, ev.Args...) {
		if len(s) > math.MaxUint16 {
			return fmt.Errorf("restpipe: a name or argument is longer than %d bytes", math.MaxUint16)
		}
	}
	return nil
}

// encodeRequest returns the request frame of ev (checked by checkEvent).
func encodeRequest(id uint64, ev *Event) []byte {
	n := frameHeaderLen + 2 + len(ev.Verb) + 2 + len(ev.Noun) + 2 + 2 + len(ev.Mime) + len(ev.Data)
	for _, a := range ev.Args {
		n += 2 + len(a)
	}
	b := make([]byte, 4, n)
	b = append(b, frameRequest)
	b = binary.BigEndian.AppendUint64(b, id)
	b = appendString16(b, ev.Verb)
	b = appendString16(b, ev.Noun)
	b = binary.BigEndian.AppendUint16(b, uint16(len(ev.Args)))
	for _, a := range ev.Args {
		b = appendString16(b, a)
	}
	b = appendString16(b, ev.Mime)
	b = append(b, ev.Data...)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// encodeReply returns the reply frame of r.
func encodeReply(id uint64, r *Reply) []byte {
	mime := r.Mime
	if len(mime) > math.MaxUint16 {
		mime = "application/octet-stream"
	}
	b := make([]byte, 4, frameHeaderLen+4+2+len(mime)+len(r.Data))
	b = append(b, frameReply)
	b = binary.BigEndian.AppendUint64(b, id)
	b = binary.BigEndian.AppendUint32(b, uint32(int32(r.Code)))
	b = appendString16(b, mime)
	b = append(b, r.Data...)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// encodeHeartbeat returns a heartbeat frame.
func encodeHeartbeat() []byte {
	b := make([]byte, 4, frameHeaderLen)
	b = append(b, frameHeartbeat)
	b = binary.BigEndian.AppendUint64(b, 0)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// readFrame reads one frame of at most max bytes (after the length field).
// A clean end of stream before a frame is io.EOF; a truncated frame is
// io.ErrUnexpectedEOF; anything malformed is a *FrameError.
func readFrame(r *bufio.Reader, max int) (*pipeFrame, error) {
	var lenBuf [4]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(lenBuf[:])
	if n < frameHeaderLen-4 {
		return nil, &FrameError{Reason: fmt.Sprintf("length %d shorter than the frame header", n)}
	}
	if uint64(n) > uint64(max) {
		return nil, &FrameError{Reason: fmt.Sprintf("length %d over the limit of %d", n, max)}
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return decodeFrame(buf)
}

// decodeFrame decodes a frame without its length field.
func decodeFrame(buf []byte) (*pipeFrame, error) {
	f := &pipeFrame{typ: buf[0], id: binary.BigEndian.Uint64(buf[1:9])}
	d := decoder{b: buf[9:]}
	switch f.typ {
	case frameRequest:
		f.event.Verb = d.string16()
		f.event.Noun = d.string16()
		if na := d.uint16(); na > 0 && d.err == nil {
			f.event.Args = make([]string, 0, min(int(na), len(d.b)/2))
			for range na {
				f.event.Args = append(f.event.Args, d.string16())
			}
		}
		f.event.Mime = d.string16()
		f.event.Data = d.b
		if d.err == nil && (!validVerb(f.event.Verb) || f.event.Noun == "") {
			d.err = &FrameError{Reason: fmt.Sprintf("request with verb %q and noun %q", f.event.Verb, f.event.Noun)}
		}
	case frameReply:
		f.reply.Code = int(int32(d.uint32()))
		f.reply.Mime = d.string16()
		f.reply.Data = d.b
	case frameHeartbeat:
		if len(d.b) != 0 || f.id != 0 {
			d.err = &FrameError{Reason: "heartbeat with a payload or an id"}
		}
	default:
		return nil, &FrameError{Reason: fmt.Sprintf("unknown type %d", f.typ)}
	}
	if d.err != nil {
		return nil, d.err
	}
	return f, nil
}

// decoder reads length-prefixed fields; the first shortfall sets err.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) short(what string) {
	if d.err == nil {
		d.err = &FrameError{Reason: "truncated " + what}
	}
	d.b = nil
}

func (d *decoder) uint16() uint16 {
	if len(d.b) < 2 {
		d.short("length")
		return 0
	}
	v := binary.BigEndian.Uint16(d.b)
	d.b = d.b[2:]
	return v
}

func (d *decoder) uint32() uint32 {
	if len(d.b) < 4 {
		d.short("code")
		return 0
	}
	v := binary.BigEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *decoder) string16() string {
	n := int(d.uint16())
	if len(d.b) < n {
		d.short("string")
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
