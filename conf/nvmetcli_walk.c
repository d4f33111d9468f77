/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmetcli_walk.c - the generic part of reading nvmetcli JSON: walking an
 * object through its key table, arrays, typed values, warnings and the
 * first error. The tables and readers of each object are in nvmetcli.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_internal.h"
#include "conf/nvmetcli_internal.h"

/* ---------------------------------------------------------------- helpers */

static void nc_add_warning(struct nc *c, char *msg)
{
	char **grown;

	if (msg == NULL) {
		c->rc = -ENOMEM;
		return;
	}
	grown = realloc(c->m->warnings, (c->m->n_warnings + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(msg);
		c->rc = -ENOMEM;
		return;
	}
	c->m->warnings = grown;
	grown[c->m->n_warnings++] = msg;
}

void nc_warn(struct nc *c, const char *path, const char *fmt, ...)
{
	char *body = NULL, *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&body, fmt, ap) < 0)
		body = NULL;
	va_end(ap);
	if (body == NULL || asprintf(&msg, "%s: %s", path, body) < 0)
		msg = NULL;
	free(body);
	nc_add_warning(c, msg);
}

int nc_fail(struct nc *c, const char *path, const char *fmt, ...)
{
	int n = 0;
	va_list ap;

	if (c->rc != 0)
		return c->rc;
	if (c->errlen > 0)
		n = snprintf(c->err, c->errlen, "%s: ", path);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	c->rc = -EINVAL;
	return c->rc;
}

/* A scalar as text: a string as is, a number as written, a boolean as 1 or 0; else NULL. */
const char *nc_scalar(const struct json_value *v, char buf[32])
{
	switch (v->type) {
	case JSON_STRING:
		return v->u.str.s;
	case JSON_BOOL:
		return v->u.boolean ? "1" : "0";
	case JSON_NUMBER:
		if (v->u.num.is_int)
			snprintf(buf, 32, "%lld", (long long)v->u.num.i);
		else
			snprintf(buf, 32, "%g", v->u.num.d);
		return buf;
	default:
		return NULL;
	}
}

/* Whether @val is one of the '|'-separated words of @list. */
static bool nc_in_list(const char *val, const char *list)
{
	size_t n = strlen(val);

	for (const char *p = list; p != NULL; p = strchr(p, '|'), p = p ? p + 1 : NULL) {
		if (strncmp(p, val, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return true;
	}
	return false;
}

int nc_str(struct nc *c, const char *path, const struct json_value *v, const char **out)
{
	if (v->type != JSON_STRING)
		return nc_fail(c, path, "expected a string");
	*out = v->u.str.s;
	return 0;
}

int nc_strdup(struct nc *c, char **dst, const char *path, const struct json_value *v)
{
	char buf[32];
	const char *s = nc_scalar(v, buf);

	if (s == NULL || v->type == JSON_BOOL)
		return nc_fail(c, path, "expected a string");
	free(*dst);
	*dst = strdup(s);
	if (*dst == NULL)
		c->rc = -ENOMEM;
	return c->rc;
}

/* "1"/"0", 1/0 or true/false. */
int nc_flag(struct nc *c, const char *path, const struct json_value *v, bool *out)
{
	char buf[32];
	const char *s = nc_scalar(v, buf);

	if (s == NULL || (strcmp(s, "1") != 0 && strcmp(s, "0") != 0))
		return nc_fail(c, path, "expected 1 or 0");
	*out = s[0] == '1';
	return 0;
}

int nc_u32(struct nc *c, const char *path, const struct json_value *v, uint32_t *out)
{
	char buf[32], *end;
	const char *s = nc_scalar(v, buf);
	unsigned long long n;

	if (s == NULL || v->type == JSON_BOOL || s[0] < '0' || s[0] > '9')
		return nc_fail(c, path, "expected an integer");
	n = strtoull(s, &end, 10);
	if (*end != '\0' || n > UINT32_MAX)
		return nc_fail(c, path, "expected an integer from 0 to 4294967295");
	*out = (uint32_t)n;
	return 0;
}

/* Grow @arr (of @n elements of @size bytes) by one zeroed element. */
void *nc_push(struct nc *c, void *arr_field, unsigned *n, size_t size)
{
	void **arr = arr_field;
	char *grown = realloc(*arr, (*n + 1) * size);

	if (grown == NULL) {
		c->rc = -ENOMEM;
		return NULL;
	}
	*arr = grown;
	memset(grown + *n * size, 0, size);
	return grown + (*n)++ * size;
}

/* A key without a reader: quiet, or one warning. */
static void nc_unmapped(struct nc *c, const char *path, const struct nc_key *k,
			const struct json_value *v)
{
	char buf[32];
	const char *s = nc_scalar(v, buf);

	if (k->quiet || (k->ok != NULL && s != NULL && nc_in_list(s, k->ok)))
		return;
	if (s != NULL)
		nc_warn(c, path, "'%s': %s; ignored", s, k->why);
	else
		nc_warn(c, path, "%s; ignored", k->why);
}

/* Read object @obj at @path through the @n keys of @tab. */
int nc_walk(struct nc *c, const char *path, const struct json_value *obj, const struct nc_key *tab,
	    size_t n)
{
	char sub[NC_PATH_LEN];

	if (obj->type != JSON_OBJECT)
		return nc_fail(c, path, "expected an object");
	for (size_t i = 0; i < obj->u.obj.count && c->rc == 0; i++) {
		const struct json_member *mb = &obj->u.obj.members[i];
		const struct nc_key *k = NULL;

		snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", mb->key);
		for (size_t j = 0; j < n && k == NULL; j++)
			k = strcmp(tab[j].key, mb->key) == 0 ? &tab[j] : NULL;
		if (k == NULL)
			nc_warn(c, sub, "unknown key; ignored");
		else if (k->read != NULL)
			k->read(c, sub, &mb->value);
		else
			nc_unmapped(c, sub, k, &mb->value);
	}
	return c->rc;
}

/* Call @each on every item of the array @v at @path. */
int nc_each(struct nc *c, const char *path, const struct json_value *v,
	    int (*each)(struct nc *c, const char *path, const struct json_value *item))
{
	char sub[NC_PATH_LEN];

	if (v->type != JSON_ARRAY)
		return nc_fail(c, path, "expected an array");
	for (size_t i = 0; i < v->u.arr.count && c->rc == 0; i++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		each(c, sub, &v->u.arr.items[i]);
	}
	return c->rc;
}

/* A UUID or NGUID: 8-4-4-4-12 hex digits (as the kernel shows both) or 32. */
int nc_id(struct nc *c, const char *path, const struct json_value *v, uint8_t id[16], bool *has)
{
	static const uint8_t zero[16];

	if (v->type != JSON_STRING ||
	    (conf_parse_uuid(v->u.str.s, id) != 0 && conf_parse_nguid(v->u.str.s, id) != 0))
		return nc_fail(c, path, "expected 32 hex digits, with or without dashes");
	*has = memcmp(id, zero, 16) != 0; /* all zero: not set */
	return 0;
}
