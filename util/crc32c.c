/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crc32c.c - CRC32C (Castagnoli, reflected polynomial 0x82F63B78).
 *
 * Two implementations with identical results:
 *  - crc32c_table(): slicing-by-8 over eight 256-entry tables, built once on
 *    first use; runs on any CPU.
 *  - crc32c_hw(): the SSE4.2 CRC32 instruction, 8 bytes per instruction. For
 *    long buffers three independent streams run interleaved (the instruction
 *    has a latency of about three cycles and a throughput of one), and the
 *    three partial CRCs are merged with precomputed "advance over N zero
 *    bytes" tables.
 * crc32c() picks the instruction at run time when the CPU has it.
 *
 * All functions work on the raw CRC register internally; the public
 * functions invert on entry and exit so that a CRC can be continued by
 * passing the previous result back in.
 */
#include <nmmintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

#define CRC32C_POLY 0x82F63B78u

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "crc32c.c assumes a little-endian CPU"
#endif

/* ------------------------------------------------------------ table path */

static uint32_t slice_tab[8][256];
static pthread_once_t slice_once = PTHREAD_ONCE_INIT;

static void slice_tab_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int b = 0; b < 8; b++)
			c = (c >> 1) ^ ((c & 1) ? CRC32C_POLY : 0);
		slice_tab[0][i] = c;
	}
	for (int k = 1; k < 8; k++) {
		for (int i = 0; i < 256; i++) {
			uint32_t prev = slice_tab[k - 1][i];

			slice_tab[k][i] = (prev >> 8) ^ slice_tab[0][prev & 0xff];
		}
	}
}

static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t table_bytes(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--)
		crc = (crc >> 8) ^ slice_tab[0][(crc ^ *p++) & 0xff];
	return crc;
}

static uint32_t table_raw(uint32_t crc, const uint8_t *p, size_t len)
{
	size_t head = (8 - ((uintptr_t)p & 7)) & 7;

	if (head > len)
		head = len;
	crc = table_bytes(crc, p, head);
	p += head;
	len -= head;
	for (; len >= 8; p += 8, len -= 8) {
		uint32_t lo = crc ^ load32(p);
		uint32_t hi = load32(p + 4);

		crc = slice_tab[7][lo & 0xff] ^ slice_tab[6][(lo >> 8) & 0xff] ^
		      slice_tab[5][(lo >> 16) & 0xff] ^ slice_tab[4][lo >> 24] ^
		      slice_tab[3][hi & 0xff] ^ slice_tab[2][(hi >> 8) & 0xff] ^
		      slice_tab[1][(hi >> 16) & 0xff] ^ slice_tab[0][hi >> 24];
	}
	return table_bytes(crc, p, len);
}

uint32_t crc32c_table(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&slice_once, slice_tab_init);
	return ~table_raw(~crc, buf, len);
}

/* --------------------------------------------------------- hardware path */

#define HW_TARGET __attribute__((target("sse4.2")))

/*
 * Interleaved block sizes (bytes per stream). A long buffer is consumed in
 * rounds of 3 * HW_LONG bytes, then rounds of 3 * HW_SHORT bytes, then the
 * rest in a single stream.
 */
#define HW_LONG ((size_t)1024)
#define HW_SHORT ((size_t)128)

/*
 * shift tables: shift[k][b] is the register after running @n zero bytes
 * through a register that held (b << 8k). The map is linear over GF(2), so
 * any register is advanced by XOR-ing four lookups.
 */
struct hw_shift {
	uint32_t tab[4][256];
};

static struct hw_shift shift_long, shift_short;
static pthread_once_t hw_once = PTHREAD_ONCE_INIT;

HW_TARGET static uint32_t hw_zeros(uint32_t crc, size_t n)
{
	uint64_t c = crc;

	for (; n >= 8; n -= 8)
		c = _mm_crc32_u64(c, 0);
	crc = (uint32_t)c;
	while (n--)
		crc = _mm_crc32_u8(crc, 0);
	return crc;
}

static void hw_shift_init(struct hw_shift *s, size_t n)
{
	uint32_t bit[32];

	for (int i = 0; i < 32; i++)
		bit[i] = hw_zeros(1u << i, n);
	for (int k = 0; k < 4; k++) {
		for (int b = 0; b < 256; b++) {
			uint32_t v = 0;

			for (int i = 0; i < 8; i++)
				if (b & (1 << i))
					v ^= bit[8 * k + i];
			s->tab[k][b] = v;
		}
	}
}

static void hw_tables_init(void)
{
	hw_shift_init(&shift_long, HW_LONG);
	hw_shift_init(&shift_short, HW_SHORT);
}

static inline uint32_t hw_shift(const struct hw_shift *s, uint32_t crc)
{
	return s->tab[0][crc & 0xff] ^ s->tab[1][(crc >> 8) & 0xff] ^
	       s->tab[2][(crc >> 16) & 0xff] ^ s->tab[3][crc >> 24];
}

HW_TARGET static uint32_t hw_bytes(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--)
		crc = _mm_crc32_u8(crc, *p++);
	return crc;
}

HW_TARGET static uint32_t hw_single(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t c = crc;

	for (; len >= 8; p += 8, len -= 8)
		c = _mm_crc32_u64(c, load64(p));
	return hw_bytes((uint32_t)c, p, len);
}

/* Run rounds of three interleaved streams of @blk bytes each over @*pp. */
HW_TARGET static uint32_t hw_triple(uint32_t crc, const uint8_t **pp, size_t *lenp, size_t blk,
				    const struct hw_shift *s)
{
	const uint8_t *p = *pp;
	size_t len = *lenp;

	while (len >= 3 * blk) {
		uint64_t a = crc, b = 0, c = 0;

		for (size_t i = 0; i < blk; i += 8) {
			a = _mm_crc32_u64(a, load64(p + i));
			b = _mm_crc32_u64(b, load64(p + blk + i));
			c = _mm_crc32_u64(c, load64(p + 2 * blk + i));
		}
		crc = hw_shift(s, (uint32_t)a) ^ (uint32_t)b;
		crc = hw_shift(s, crc) ^ (uint32_t)c;
		p += 3 * blk;
		len -= 3 * blk;
	}
	*pp = p;
	*lenp = len;
	return crc;
}

uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t head = (8 - ((uintptr_t)p & 7)) & 7;
	uint32_t c = ~crc;

	if (head > len)
		head = len;
	c = hw_bytes(c, p, head);
	p += head;
	len -= head;
	if (len >= 3 * HW_SHORT) {
		pthread_once(&hw_once, hw_tables_init);
		c = hw_triple(c, &p, &len, HW_LONG, &shift_long);
		c = hw_triple(c, &p, &len, HW_SHORT, &shift_short);
	}
	return ~hw_single(c, p, len);
}

/* ------------------------------------------------------------- dispatch */

/* -1: not probed yet, 0: no SSE4.2, 1: SSE4.2 present. */
static int hw_state = -1;

int crc32c_hw_available(void)
{
	int s = __atomic_load_n(&hw_state, __ATOMIC_RELAXED);

	if (s < 0) {
		__builtin_cpu_init();
		s = __builtin_cpu_supports("sse4.2") ? 1 : 0;
		__atomic_store_n(&hw_state, s, __ATOMIC_RELAXED);
	}
	return s;
}

uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
{
	if (crc32c_hw_available())
		return crc32c_hw(crc, buf, len);
	return crc32c_table(crc, buf, len);
}
