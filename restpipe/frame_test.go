package restpipe

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFrameRoundTrip(t *testing.T) {
	events := []Event{
		{Verb: "get", Noun: "time"},
		{Verb: "post", Noun: "a/b", Args: []string{"", "x y", "ü"}, Mime: "text/plain", Data: []byte("data")},
	}
	for _, ev := range events {
		f, err := readFrame(bufio.NewReader(bytes.NewReader(encodeRequest(7, &ev))), DefaultMaxFrameSize)
		require.NoError(t, err)
		assert.Equal(t, byte(frameRequest), f.typ)
		assert.Equal(t, uint64(7), f.id)
		if len(ev.Data) == 0 {
			ev.Data = []byte{}
		}
		assert.Equal(t, ev, f.event)
	}
	r := Reply{Code: -5, Mime: "a/b", Data: []byte("x")}
	f, err := readFrame(bufio.NewReader(bytes.NewReader(encodeReply(1<<60, &r))), DefaultMaxFrameSize)
	require.NoError(t, err)
	assert.Equal(t, r, f.reply)
	assert.Equal(t, uint64(1<<60), f.id)
	f, err = readFrame(bufio.NewReader(bytes.NewReader(encodeHeartbeat())), DefaultMaxFrameSize)
	require.NoError(t, err)
	assert.Equal(t, byte(frameHeartbeat), f.typ)
}

func TestFrameErrors(t *testing.T) {
	req := encodeRequest(1, &Event{Verb: "get", Noun: "time", Args: []string{"a"}})
	tests := []struct {
		name  string
		in    []byte
		max   int
		err   error  // errors.Is target, or nil for a *FrameError
		wants string // substring of the FrameError
	}{
		{"empty stream", nil, 100, io.EOF, ""},
		{"truncated length", []byte{0, 0}, 100, io.ErrUnexpectedEOF, ""},
		{"truncated body", req[:len(req)-1], 100, io.ErrUnexpectedEOF, ""},
		{"too short", []byte{0, 0, 0, 8, 1, 0, 0, 0, 0, 0, 0, 0}, 100, nil, "shorter than"},
		{"at the limit", req, len(req) - 4, nil, ""},
		{"over the limit", req, len(req) - 5, nil, "over the limit"},
		{"huge length", []byte{0xff, 0xff, 0xff, 0xff}, DefaultMaxFrameSize, nil, "over the limit"},
		{"unknown type", []byte{0, 0, 0, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0}, 100, nil, "unknown type"},
		{"heartbeat payload", []byte{0, 0, 0, 10, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 100, nil, "heartbeat"},
		{"truncated string", []byte{0, 0, 0, 11, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}, 100, nil, "truncated"},
		{"bad verb", encodeRequest(1, &Event{Verb: "GET", Noun: "x"}), 100, nil, "verb"},
		{"empty noun", encodeRequest(1, &Event{Verb: "get"}), 100, nil, "noun"},
		{"reply without code", []byte{0, 0, 0, 11, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 100, nil, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readFrame(bufio.NewReader(bytes.NewReader(tt.in)), tt.max)
			switch {
			case tt.err != nil:
				require.ErrorIs(t, err, tt.err)
			case tt.wants == "":
				require.NoError(t, err)
			default:
				var fe *FrameError
				require.True(t, errors.As(err, &fe), "got %v", err)
				assert.Contains(t, fe.Reason, tt.wants)
			}
		})
	}
}

// FuzzReadFrame checks that no input panics or allocates beyond the limit, and
// that a decoded request re-encodes to the same bytes.
func FuzzReadFrame(f *testing.F) {
	f.Add(encodeRequest(1, &Event{Verb: "get", Noun: "a/b", Args: []string{"x"}, Mime: "m", Data: []byte("d")}))
	f.Add(encodeReply(2, &Reply{Code: 1, Mime: "m", Data: []byte("d")}))
	f.Add(encodeHeartbeat())
	f.Fuzz(func(t *testing.T, in []byte) {
		const limit = 1 << 16
		fr, err := readFrame(bufio.NewReader(bytes.NewReader(in)), limit)
		if err != nil {
			return
		}
		var out []byte
		switch fr.typ {
		case frameRequest:
			out = encodeRequest(fr.id, &fr.event)
		case frameReply:
			out = encodeReply(fr.id, &fr.reply)
		case frameHeartbeat:
			out = encodeHeartbeat()
		}
		if !bytes.Equal(out, in[:len(out)]) {
			t.Fatalf("re-encoding %x gave %x", in, out)
		}
	})
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in   string
		noun string
		args []string
		err  bool
	}{
		{"/time", "time", nil, false},
		{"time/utc", "time/utc", nil, false},
		{"/time/utc/", "time/utc", nil, false},
		{"/cat//hello%20/world", "cat", []string{"hello ", "world"}, false},
		{"/cat//a%2Fb", "cat", []string{"a/b"}, false},
		{"/cat//", "cat", []string{""}, false},
		{"/cat//a//b", "cat", []string{"a", "", "b"}, false},
		{"/t%C3%BCr", "tür", nil, false},
		{"", "", nil, true},
		{"//x", "", nil, true},
		{"/a%2Fb", "", nil, true},
		{"/%zz", "", nil, true},
		{"/cat//%zz", "", nil, true},
	}
	for _, tt := range tests {
		noun, args, err := ParseTarget(tt.in)
		if tt.err {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.noun, noun, tt.in)
		assert.Equal(t, tt.args, args, tt.in)
		n2, a2, err := ParseTarget(FormatTarget(noun, args))
		require.NoError(t, err)
		assert.Equal(t, noun, n2)
		assert.Equal(t, args, a2)
	}
	assert.Equal(t, "cat//hello%20/world", FormatTarget("cat", []string{"hello ", "world"}))
}

func TestHandlerKey(t *testing.T) {
	assert.Equal(t, "get_time", HandlerKey("GET", "time"))
	assert.Equal(t, "get_time_utc", HandlerKey("get", "time/utc"))
	assert.Equal(t, "post_a_b", HandlerKey("Post", "/a/b/"))
}
