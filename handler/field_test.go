package handler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/h2kit/h2kit/handler"
	"github.com/h2kit/h2kit/handler/handlertest"
	"github.com/h2kit/h2kit/hpack"
)

// fieldCase is one response field and whether HTTP/2 lets a server send it,
// by the rules written out here from the RFCs (not from the library).
type fieldCase struct {
	name, value string
	ok          bool
}

// byteFieldCases puts every byte 0x00-0xff into a name ("x" b "y") and into a
// value (in the middle, at the start, at the end).
func byteFieldCases() []fieldCase {
	// RFC 9110 §5.6.2 tchar, lowercase only (RFC 9113 §8.2.1).
	tchar := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
	}
	// RFC 9110 §5.5 field-vchar = VCHAR / obs-text.
	vchar := func(c byte) bool { return c > 0x20 && c != 0x7f }
	var cases []fieldCase
	for i := 0; i < 256; i++ {
		b := string([]byte{byte(i)})
		c := byte(i)
		cases = append(cases,
			fieldCase{"x" + b + "y", "v", tchar(c)},
			fieldCase{"x-v", "a" + b + "b", vchar(c) || c == ' ' || c == '\t'},
			fieldCase{"x-s", b + "b", vchar(c)},
			fieldCase{"x-e", "a" + b, vchar(c)},
		)
	}
	return append(cases,
		fieldCase{"", "v", false},
		fieldCase{":status", "200", false},
		fieldCase{"x:y", "v", false},
		fieldCase{"connection", "close", false},
		fieldCase{"transfer-encoding", "chunked", false},
		fieldCase{"te", "trailers", true},
		fieldCase{"te", "gzip", false},
		fieldCase{"x-empty", "", true},
	)
}

func hasField(h []hpack.HeaderField, name, value string) bool {
	for _, f := range h {
		if f.Name == name && f.Value == value {
			return true
		}
	}
	return false
}

// TestResponseFieldPolicySendResponse: SendResponse refuses exactly the fields
// HTTP/2 forbids, with an error naming the field, and every field it accepts
// reaches the client (the engine never resets the stream for it).
func TestResponseFieldPolicySendResponse(t *testing.T) {
	for _, tc := range byteFieldCases() {
		var sendErr error
		f := handler.FactoryFunc(func(s *handler.Stream) {
			sendErr = s.SendResponse(200, []hpack.HeaderField{{Name: tc.name, Value: tc.value}}, "ok")
			if sendErr != nil {
				s.SendResponse(500, nil, nil)
			}
		})
		resp, err := handlertest.Do(context.Background(), f, handlertest.Request{})
		if err != nil {
			t.Fatalf("%q: %q: %v", tc.name, tc.value, err)
		}
		if resp.WasReset {
			t.Errorf("%q: %q: stream reset with %v after SendResponse returned %v", tc.name, tc.value, resp.Reset, sendErr)
			continue
		}
		if tc.ok {
			if sendErr != nil || resp.Status != 200 || !hasField(resp.Header, tc.name, tc.value) {
				t.Errorf("%q: %q: SendResponse = %v, status %d, header %v; want the field sent", tc.name, tc.value, sendErr, resp.Status, resp.Header)
			}
			continue
		}
		var fe *handler.FieldError
		if !errors.Is(sendErr, handler.ErrBadHeaderField) || !errors.As(sendErr, &fe) || fe.Name != tc.name ||
			!strings.Contains(sendErr.Error(), fmt.Sprintf("%q", tc.name)) {
			t.Errorf("%q: %q: SendResponse = %v; want a *FieldError naming the field", tc.name, tc.value, sendErr)
		}
	}
}

// TestResponseFieldPolicyHTTPHandler: the net/http adapter drops the fields
// HTTP/2 forbids (as net/http and x/net do), sends the others, and the
// response itself always goes out.
func TestResponseFieldPolicyHTTPHandler(t *testing.T) {
	for _, tc := range byteFieldCases() {
		if tc.name == "" || tc.name[0] == ':' {
			continue // not expressible as a net/http header key
		}
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()[tc.name] = []string{tc.value}
			w.Header().Set("X-Marker", "1")
			w.Write([]byte("ok"))
		})
		resp, err := handlertest.Do(context.Background(), handler.HTTPHandler(h), handlertest.Request{})
		if err != nil {
			t.Fatalf("%q: %q: %v", tc.name, tc.value, err)
		}
		if resp.WasReset || resp.Status != 200 || resp.Get("x-marker") != "1" || string(resp.Body) != "ok" {
			t.Errorf("%q: %q: got status %d reset %v (%v) header %v", tc.name, tc.value, resp.Status, resp.WasReset, resp.Reset, resp.Header)
			continue
		}
		// net/http trims surrounding whitespace from values before sending.
		want := strings.Trim(tc.value, " \t")
		sent := false
		for _, f := range resp.Header {
			if f.Name == tc.name {
				sent = true
				if f.Value != want {
					t.Errorf("%q: %q: sent value %q, want %q", tc.name, tc.value, f.Value, want)
				}
			}
		}
		// A value with whitespace at one end is sent trimmed.
		okAfterTrim := tc.ok || (want != tc.value && (tc.name == "x-s" || tc.name == "x-e"))
		if sent != okAfterTrim {
			t.Errorf("%q: %q: sent = %v, want %v", tc.name, tc.value, sent, okAfterTrim)
		}
	}
}
