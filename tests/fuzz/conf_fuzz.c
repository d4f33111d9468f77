/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_fuzz.c - libFuzzer target: the conf-file reader on arbitrary text.
 * A file is either accepted (and its accessors answer) or refused with at
 * least one error naming the file. Nothing leaks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
