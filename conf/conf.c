/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf.c - loading (file or buffer), freeing, and the [Global] accessors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_internal.h"

/** Largest conf file read. */
#define CONF_FILE_MAX (16u << 20)

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->n_sects; i++)
		conf_sect_free(c->sects[i]);
	free(c->sects);
	free(c->name);
	free(c);
}

int conf_load_buffer(const char *name, const char *text, size_t len, struct conf **out,
		     struct conf_errors *errs)
{
	unsigned before = errs->count;
	struct conf_parser p = {.errs = errs};
	int rc;

	*out = NULL;
	p.c = calloc(1, sizeof(*p.c));
	if (!p.c || !(p.c->name = strdup(name))) {
		free(p.c);
		conf_err(errs, name, 0, "out of memory");
		return -ENOMEM;
	}
	rc = conf_parse_text(&p, text, len);
	if (rc) {
		conf_err(errs, name, 0, "out of memory");
		conf_free(p.c);
		return rc;
	}
	conf_validate(p.c, errs);
	if (errs->count != before) {
		conf_free(p.c);
		return -EINVAL;
	}
	*out = p.c;
	return 0;
}

/* Read all of @fd into a new buffer. @return 0 or a negative errno. */
static int read_all(int fd, char **buf, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *b;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if ((uint64_t)st.st_size > CONF_FILE_MAX)
		return -EFBIG;
	b = malloc((size_t)st.st_size + 1);
	if (!b)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, b + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int rc = n < 0 ? -errno : 0;

			if (rc) {
				free(b);
				return rc;
			}
			break; /* shrank while reading */
		}
		got += (size_t)n;
	}
	*buf = b;
	*len = got;
	return 0;
}

int conf_read_file(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = read_all(fd, buf, len);
	close(fd);
	return rc;
}

int conf_load(const char *path, struct conf **out, struct conf_errors *errs)
{
	size_t len = 0;
	char *text = NULL;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		conf_err(errs, path, 0, "cannot open the conf file: %s", strerror(-rc));
		return rc;
	}
	rc = read_all(fd, &text, &len);
	close(fd);
	if (rc) {
		conf_err(errs, path, 0, "cannot read the conf file: %s%s", strerror(-rc),
			 rc == -EFBIG ? " (over 16 MiB)" : "");
		return rc;
	}
	rc = conf_load_buffer(path, text, len, out, errs);
	free(text);
	return rc;
}

const char *conf_core_mask(const struct conf *c)
{
	if (!c->global)
		return NULL;
	return c->global->reactor_mask ? c->global->reactor_mask : c->global->core_list;
}

int conf_log_level(const struct conf *c, enum log_level *level)
{
	int idx = conf_directive_find(CONF_SECT_GLOBAL, "LogLevel");

	if (!c->global || !conf_seen(&c->global->hdr, idx))
		return -ENOENT;
	*level = (enum log_level)c->global->log_level;
	return 0;
}

void conf_tgt_opts(const struct conf *c, struct nvmf_tgt_opts *opts)
{
	int sleep_idx = conf_directive_find(CONF_SECT_GLOBAL, "IdleSleep");
	int us_idx = conf_directive_find(CONF_SECT_GLOBAL, "IdleSleepUs");

	nvmf_tgt_opts_init(opts);
	if (!c->global)
		return;
	if (conf_seen(&c->global->hdr, sleep_idx))
		opts->idle_sleep = c->global->idle_sleep;
	if (conf_seen(&c->global->hdr, us_idx))
		opts->idle_us = c->global->idle_us;
	if (c->global->resv_dir != NULL)
		snprintf(opts->resv_dir, sizeof(opts->resv_dir), "%s", c->global->resv_dir);
}

unsigned conf_pci_allow(const struct conf *c, const char **addrs, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->n_sects; i++) {
		const struct conf_backend *b = (const void *)c->sects[i];

		if (b->hdr.type == CONF_SECT_NVME && b->path && n < max)
			addrs[n++] = b->path;
	}
	return n;
}
