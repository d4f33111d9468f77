/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env_cores.h - core mask / core list parsing shared by the DPDK env and
 * the fake env (header only; both libraries compile it in).
 *
 * Accepted forms: a hex mask "0x3" (or "0X3"), or a decimal list of cores
 * and ranges "0-1,3". Cores are limited to ENV_MAX_CORES.
 */
#ifndef NVMF_TGT_ENV_CORES_H
#define NVMF_TGT_ENV_CORES_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "include/util.h"

#define ENV_MAX_CORES 128u

/** A set of cores, one bit per core. */
struct env_coreset {
	uint64_t bits[ENV_MAX_CORES / 64];
};

static inline void env_coreset_add(struct env_coreset *set, unsigned core)
{
	set->bits[core / 64] |= 1ull << (core % 64);
}

static inline bool env_coreset_has(const struct env_coreset *set, unsigned core)
{
	return core < ENV_MAX_CORES && (set->bits[core / 64] >> (core % 64)) & 1;
}

static inline unsigned env_coreset_count(const struct env_coreset *set)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ENV_MAX_CORES / 64; i++)
		n += (unsigned)__builtin_popcountll(set->bits[i]);
	return n;
}

/** First core after @prev (UINT32_MAX: from the start); UINT32_MAX at end. */
static inline uint32_t env_coreset_next(const struct env_coreset *set, uint32_t prev)
{
	for (uint32_t c = prev == UINT32_MAX ? 0 : prev + 1; c < ENV_MAX_CORES; c++)
		if (env_coreset_has(set, c))
			return c;
	return UINT32_MAX;
}

static inline int env_coreset_parse_mask(const char *hex, struct env_coreset *set)
{
	size_t len = strlen(hex);

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = util_hex_digit(hex[len - 1 - i]);

		if (d < 0)
			return -EINVAL;
		for (unsigned b = 0; b < 4; b++) {
			if (!(d & (1 << b)))
				continue;
			if (i * 4 + b >= ENV_MAX_CORES)
				return -EINVAL;
			env_coreset_add(set, (unsigned)(i * 4 + b));
		}
	}
	return 0;
}

/* Parse a decimal core number at *p, advancing *p. */
static inline int env_coreset_parse_num(const char **p, unsigned *out)
{
	unsigned v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned)(*s - '0');
		if (v >= ENV_MAX_CORES)
			return -EINVAL;
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

static inline int env_coreset_parse_list(const char *s, struct env_coreset *set)
{
	for (;;) {
		unsigned lo, hi;

		if (env_coreset_parse_num(&s, &lo))
			return -EINVAL;
		hi = lo;
		if (*s == '-') {
			s++;
			if (env_coreset_parse_num(&s, &hi) || hi < lo)
				return -EINVAL;
		}
		for (unsigned c = lo; c <= hi; c++)
			env_coreset_add(set, c);
		if (*s == '\0')
			return 0;
		if (*s != ',')
			return -EINVAL;
		s++;
	}
}

/**
 * Parse a core mask or list into @set.
 * @return 0, or -EINVAL for a malformed string, an empty set or a core
 *         number of ENV_MAX_CORES or more.
 */
static inline int env_coreset_parse(const char *str, struct env_coreset *set)
{
	int rc;

	memset(set, 0, sizeof(*set));
	if (str == NULL)
		return -EINVAL;
	if (str[0] == '0' && (str[1] == 'x' || str[1] == 'X'))
		rc = env_coreset_parse_mask(str + 2, set);
	else
		rc = env_coreset_parse_list(str, set);
	if (rc == 0 && env_coreset_count(set) == 0)
		rc = -EINVAL;
	return rc;
}

/**
 * Format @set as a decimal list "0,1,3" into @buf.
 * @return 0, or -ENOSPC when @len is too small.
 */
static inline int env_coreset_fmt(const struct env_coreset *set, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (uint32_t c = env_coreset_next(set, UINT32_MAX); c != UINT32_MAX;
	     c = env_coreset_next(set, c)) {
		int n = snprintf(buf + off, len - off, "%s%u", off ? "," : "", c);

		if (n < 0 || (size_t)n >= len - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	return 0;
}

#endif /* NVMF_TGT_ENV_CORES_H */
