/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.c - reading the conf file for nvmf_tgt, and nvmf_tgt --check.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tools/nvmf_tgt/check.h"
#include "util.h"

struct conf *tgt_conf_load(const char *path, const char *verdict)
{
	struct conf_errors *errs = malloc(sizeof(*errs));
	struct conf *c = NULL;
	int rc;

	if (!errs) {
		log_error("nvmf_tgt", "out of memory");
		return NULL;
	}
	conf_errors_init(errs);
	if (path == NULL)
		rc = conf_load_buffer(TGT_NO_CONF, "", 0, &c, errs);
	else
		rc = conf_load(path, &c, errs);
	if (rc == 0 && conf_check_paths(c, errs) != 0) {
		conf_free(c);
		c = NULL;
	}
	if (!c) {
		conf_errors_print(errs, stderr);
		fprintf(stderr, "nvmf_tgt: %u error%s in %s; %s\n", errs->count,
			errs->count == 1 ? "" : "s", path ? path : TGT_NO_CONF, verdict);
	}
	free(errs);
	return c;
}

int tgt_check(const char *path, const char *core_mask)
{
	struct conf *c = tgt_conf_load(path, "check failed");
	const char *cores;

	if (!c)
		return 2;
	cores = core_mask ? core_mask : conf_core_mask(c);
	printf("%s: ok\n%s: serves ", path, path);
	conf_summary(c, stdout);
	printf("; cores %s%s\n", cores ? cores : "0x1", cores ? "" : " (the default)");
	conf_free(c);
	return fflush(stdout) == 0 ? 0 : 2;
}
