/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * errors.c - collecting "file:line: text" messages, spelling suggestions
 * and explanations of bad NQNs.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_internal.h"

void conf_errors_init(struct conf_errors *errs)
{
	errs->count = 0;
}

void conf_errors_print(const struct conf_errors *errs, FILE *f)
{
	unsigned kept = errs->count < CONF_ERRORS_MAX ? errs->count : CONF_ERRORS_MAX;

	for (unsigned i = 0; i < kept; i++)
		fprintf(f, "%s\n", errs->msg[i]);
	if (errs->count > kept)
		fprintf(f, "(%u more errors not shown)\n", errs->count - kept);
}

void conf_err(struct conf_errors *errs, const char *name, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *buf;
	int n;

	if (errs->count++ >= CONF_ERRORS_MAX)
		return;
	buf = errs->msg[errs->count - 1];
	if (line)
		n = snprintf(buf, CONF_ERROR_LEN, "%s:%u: ", name, line);
	else
		n = snprintf(buf, CONF_ERROR_LEN, "%s: ", name);
	if (n < 0 || n >= CONF_ERROR_LEN)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, CONF_ERROR_LEN - n, fmt, ap);
	va_end(ap);
}

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

unsigned conf_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned *d;
	unsigned r;

	if (la > 64 || lb > 64)
		return 1000;
	/* (la+1) x (lb+1) matrix, row-major */
	d = calloc((la + 1) * (lb + 1), sizeof(*d));
	if (!d)
		return 1000;
#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost =
			    tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);

			D(i, j) = min3(D(i - 1, j) + 1, D(i, j - 1) + 1, D(i - 1, j - 1) + cost);
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
			    D(i - 2, j - 2) + 1 < D(i, j))
				D(i, j) = D(i - 2, j - 2) + 1;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

const char *conf_suggest(const char *word, const char *const *first, size_t n, size_t stride)
{
	size_t len = strlen(word);
	unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	const char *best = NULL;
	unsigned best_d = limit + 1;

	for (size_t i = 0; i < n; i++) {
		const char *cand = *(const char *const *)((const char *)first + i * stride);
		unsigned dist;

		if (!cand)
			continue;
		dist = conf_edit_distance(word, cand);
		if (dist < best_d) {
			best_d = dist;
			best = cand;
		}
	}
	return best;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

const char *conf_nqn_why(const char *nqn)
{
	static const char uuid_prefix[] = "nqn.2014-08.org.nvmexpress:uuid:";
	const char *domain, *colon;

	if (strlen(nqn) > NVMF_NQN_MAX_LEN)
		return "longer than 223 bytes";
	if (strncmp(nqn, "nqn.", 4) != 0)
		return "must start with 'nqn.'";
	if (!all_digits(nqn + 4, 4) || nqn[8] != '-' || !all_digits(nqn + 9, 2) || nqn[11] != '.')
		return "expected a date 'yyyy-mm.' after 'nqn.' (nqn.2016-06.com.example:name)";
	if (nqn[9] > '1' || (nqn[9] == '1' && nqn[10] > '2') || (nqn[9] == '0' && nqn[10] == '0'))
		return "the month of the date must be 01 to 12";
	if (strncmp(nqn, uuid_prefix, sizeof(uuid_prefix) - 1) == 0)
		return "expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) after ':uuid:'";
	domain = nqn + 12;
	colon = strchr(domain, ':');
	if (!colon)
		return "expected ':' and a name after the reverse domain "
		       "(nqn.2016-06.com.example:name)";
	if (colon == domain)
		return "expected a reverse domain name (com.example) after the date";
	if (colon[1] == '\0')
		return "expected a name after the ':'";
	return "does not follow nqn.yyyy-mm.reverse.domain:name";
}
