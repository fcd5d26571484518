//go:build nghttp2

package hpackbench

/*
#cgo pkg-config: libnghttp2
#include <stdint.h>
#include <stdlib.h>
#include <nghttp2/nghttp2.h>

// Allocation counting: libnghttp2 takes its allocator as an nghttp2_mem, so
// the benchmark can report its allocations per block next to Go's.
static uint64_t bench_allocs;

static void *bench_malloc(size_t n, void *u) { bench_allocs++; return malloc(n); }
static void bench_free(void *p, void *u) { free(p); }
static void *bench_calloc(size_t n, size_t m, void *u) { bench_allocs++; return calloc(n, m); }
static void *bench_realloc(void *p, size_t n, void *u) { bench_allocs++; return realloc(p, n); }

static nghttp2_mem bench_mem = {NULL, bench_malloc, bench_free, bench_calloc, bench_realloc};

static uint64_t bench_alloc_count(void) { return bench_allocs; }

static int bench_inflater_new(nghttp2_hd_inflater **p) {
	return nghttp2_hd_inflate_new2(p, &bench_mem);
}

// bench_decode decodes n header blocks laid end to end in buf (lens[i]
// octets each) with one inflater, as nghttp2's own inflatehd does: it calls
// nghttp2_hd_inflate_hd2 until the block is final. It adds the number of
// fields and a checksum of their names and values to *fields and *sum, and
// returns -1 - i if block i fails, 0 otherwise.
static int bench_decode(nghttp2_hd_inflater *inf, const uint8_t *buf,
                        const int32_t *lens, int n, uint64_t *fields,
                        uint64_t *sum) {
	uint64_t nf = 0, s = 0;
	for (int i = 0; i < n; i++) {
		const uint8_t *in = buf;
		size_t inlen = (size_t)lens[i];
		buf += inlen;
		for (;;) {
			nghttp2_nv nv;
			int flags = 0;
			ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, inlen, 1);
			if (rv < 0) {
				return -1 - i;
			}
			in += rv;
			inlen -= (size_t)rv;
			if (flags & NGHTTP2_HD_INFLATE_EMIT) {
				nf++;
				s += nv.namelen * 31 + nv.valuelen;
				if (nv.valuelen > 0) {
					s += nv.value[0] + nv.value[nv.valuelen - 1];
				}
			}
			if (flags & NGHTTP2_HD_INFLATE_FINAL) {
				nghttp2_hd_inflate_end_headers(inf);
				break;
			}
			if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && inlen == 0) {
				return -1 - i;
			}
		}
	}
	*fields += nf;
	*sum += s;
	return 0;
}
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/h2kit/h2kit/hpack"
)

// Nghttp2Inflater is a libnghttp2 HPACK decoder (nghttp2_hd_inflater) with
// the default 4096-octet table.
type Nghttp2Inflater struct {
	p *C.nghttp2_hd_inflater
	// Decode's results, here so that passing them to C allocates nothing.
	fields, sum C.uint64_t
}

// NewNghttp2Inflater returns a new libnghttp2 decoder; Free releases it.
func NewNghttp2Inflater() (*Nghttp2Inflater, error) {
	var p *C.nghttp2_hd_inflater
	if rv := C.bench_inflater_new(&p); rv != 0 {
		return nil, fmt.Errorf("nghttp2_hd_inflate_new2: %d", int(rv))
	}
	return &Nghttp2Inflater{p: p}, nil
}

// Free releases the decoder's C memory; a nil decoder is ignored.
func (d *Nghttp2Inflater) Free() {
	if d != nil && d.p != nil {
		C.nghttp2_hd_inflate_del(d.p)
		d.p = nil
	}
}

// Blocks is a sequence of header blocks of one connection laid end to end,
// so that a whole story is decoded in one cgo call.
type Blocks struct {
	Buf  []byte
	Lens []int32
}

// NewBlocks lays out blocks end to end.
func NewBlocks(blocks [][]byte) Blocks {
	var b Blocks
	for _, w := range blocks {
		b.Buf = append(b.Buf, w...)
		b.Lens = append(b.Lens, int32(len(w)))
	}
	return b
}

// Decode decodes the blocks in order and returns how many fields they held
// and a checksum of the fields (Checksum computes the same over h2kit's).
func (d *Nghttp2Inflater) Decode(b Blocks) (fields int, sum uint64, err error) {
	if len(b.Lens) == 0 {
		return 0, 0, nil
	}
	d.fields, d.sum = 0, 0
	rv := C.bench_decode(d.p, (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b.Buf))),
		(*C.int32_t)(unsafe.Pointer(unsafe.SliceData(b.Lens))), C.int(len(b.Lens)), &d.fields, &d.sum)
	if rv != 0 {
		return 0, 0, fmt.Errorf("nghttp2_hd_inflate_hd2 failed on block %d", -1-int(rv))
	}
	return int(d.fields), uint64(d.sum), nil
}

// Checksum adds f to sum the way the C decoding loop does.
func Checksum(sum uint64, f hpack.HeaderField) uint64 {
	sum += uint64(len(f.Name))*31 + uint64(len(f.Value))
	if n := len(f.Value); n > 0 {
		sum += uint64(f.Value[0]) + uint64(f.Value[n-1])
	}
	return sum
}

// Nghttp2Allocs returns the number of allocations (malloc, calloc and
// realloc calls) libnghttp2 has made through the decoders' allocator.
func Nghttp2Allocs() uint64 { return uint64(C.bench_alloc_count()) }
