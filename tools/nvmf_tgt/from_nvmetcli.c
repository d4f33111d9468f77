/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * from_nvmetcli.c - nvmf_tgt --from-nvmetcli FILE: the kernel target's
 * nvmetcli JSON printed as a conf file (conf_nvmetcli.h), checked by the
 * conf reader first. Starts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_nvmetcli.h"
#include "tools/nvmf_tgt/from_nvmetcli.h"

/* The conf reader must take what was written; else every complaint goes to stderr. */
static int verify(const char *text)
{
	struct conf_errors *errs = malloc(sizeof(*errs));
	struct conf *c = NULL;
	int rc;

	if (errs == NULL)
		return -1;
	conf_errors_init(errs);
	rc = conf_load_buffer("converted", text, strlen(text), &c, errs);
	if (rc != 0)
		conf_errors_print(errs, stderr);
	conf_free(c);
	free(errs);
	return rc;
}

int tgt_from_nvmetcli(const char *path)
{
	struct nvmetcli_model *m = NULL;
	char err[512], *text = NULL;
	int status = 2;

	if (nvmetcli_parse_file(path, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "nvmf_tgt: %s: %s\n", path, err);
		return 2;
	}
	for (unsigned i = 0; i < m->n_warnings; i++)
		fprintf(stderr, "nvmf_tgt: %s: warning: %s\n", path, m->warnings[i]);
	if (nvmetcli_emit_conf(m, path, &text) != 0)
		fprintf(stderr, "nvmf_tgt: out of memory\n");
	else if (verify(text) != 0)
		fprintf(stderr,
			"nvmf_tgt: %s: the converted conf file would not load (above); "
			"nothing printed\n",
			path);
	else
		status = fputs(text, stdout) < 0 || fflush(stdout) != 0 ? 1 : 0;
	free(text);
	nvmetcli_free(m);
	return status;
}
