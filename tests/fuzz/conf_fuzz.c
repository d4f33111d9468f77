/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_fuzz.c - libFuzzer target: the conf-file reader on arbitrary text.
 * A file is either accepted (and its accessors answer, its summary is one
 * line) or refused with at least one error naming the file. Nothing leaks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* conf_summary() writes one line, with no line break in it. */
static void summary_one_line(const struct conf *c)
{
	size_t len = 0;
	char *s = NULL;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return;
	conf_summary(c, f);
	fclose(f);
	if (memchr(s, '\n', len) != NULL)
		abort();
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_errors errs;
	struct conf *c = NULL;
	const char *pci[8];
	enum log_level lvl;
	unsigned i;
	int rc;

	conf_errors_init(&errs);
	rc = conf_load_buffer("fuzz.conf", (const char *)data, size, &c, &errs);
	if (rc == 0) {
		if (c == NULL)
			abort();
		(void)conf_core_mask(c);
		(void)conf_log_level(c, &lvl);
		summary_one_line(c);
		for (i = conf_pci_allow(c, pci, 8); i > 0; i--)
			if (pci[i - 1] == NULL)
				abort();
		conf_free(c);
		return 0;
	}
	if (rc != -EINVAL && rc != -ENOMEM)
		abort();
	if (rc == -EINVAL && (errs.count == 0 || strncmp(errs.msg[0], "fuzz.conf", 9) != 0))
		abort();
	return 0;
}
