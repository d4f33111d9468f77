/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.c - what a validated conf can be checked against on this machine
 * without changing anything: the Path of each [File] section is stat()ed.
 * Nothing is opened, created, bound or probed: listen addresses, RDMA
 * devices, PCI functions, cores and hugepages are left to start-up.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/conf_internal.h"

/* A Path that does not exist yet: the backend creates it when Size is given. */
static void check_missing(const struct conf *c, const struct conf_backend *b, unsigned line,
			  struct conf_errors *errs)
{
	char dir[PATH_MAX];
	const char *parent;
	struct stat st;

	if (b->size == 0) {
		conf_err(errs, c->name, line,
			 "Path '%s' does not exist; give Size to have it created", b->path);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", b->path);
	parent = dirname(dir); /* a pointer into dir, or to a static "." */

	/* ENOENT for the file itself: the parent is a directory, or missing. */
	if (stat(parent, &st) != 0)
		conf_err(errs, c->name, line, "Path '%s': cannot create it in '%s': %s", b->path,
			 parent, strerror(errno));
}

static void check_file(const struct conf *c, const struct conf_backend *b, struct conf_errors *errs)
{
	int idx = conf_directive_find(CONF_SECT_FILE, "Path");
	unsigned line = conf_seen(&b->hdr, idx) ? b->hdr.seen[idx] : b->hdr.line;
	struct stat st;

	if (stat(b->path, &st) != 0) {
		if (errno == ENOENT)
			check_missing(c, b, line, errs);
		else
			conf_err(errs, c->name, line, "Path '%s': %s", b->path, strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode))
		conf_err(errs, c->name, line, "Path '%s' is a directory; name a file in it",
			 b->path);
	else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		conf_err(errs, c->name, line,
			 "Path '%s' is neither a regular file nor a block device", b->path);
	else if (S_ISREG(st.st_mode) && b->size == 0 &&
		 (uint64_t)st.st_size < (uint64_t)b->block_size)
		conf_err(errs, c->name, line,
			 "Path '%s' is smaller than one block (%lld bytes) and no Size is given",
			 b->path, (long long)st.st_size);
}

int conf_check_paths(const struct conf *c, struct conf_errors *errs)
{
	unsigned before = errs->count;

	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_backend *b = (const void *)c->sects[i];

		if (b->hdr.type == CONF_SECT_FILE && b->path)
			check_file(c, b, errs);
	}
	return errs->count == before ? 0 : -EINVAL;
}
