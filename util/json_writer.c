/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json_writer.c - JSON text into a growable buffer, compact or indented.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util_json.h"

#define JSON_WRITER_MIN_CAP 256

static void fail(struct json_writer *w, int err)
{
	if (w->err == 0)
		w->err = err;
}

static int reserve(struct json_writer *w, size_t n)
{
	size_t need = w->len + n + 1;
	size_t cap = w->cap ? w->cap : JSON_WRITER_MIN_CAP;
	char *p;

	if (need < n) {
		fail(w, -ENOMEM);
		return w->err;
	}
	if (need <= w->cap)
		return 0;
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	p = realloc(w->buf, cap);
	if (p == NULL) {
		fail(w, -ENOMEM);
		return w->err;
	}
	w->buf = p;
	w->cap = cap;
	return 0;
}

static void put(struct json_writer *w, const char *s, size_t n)
{
	if (w->err || reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct json_writer *w, const char *s)
{
	put(w, s, strlen(s));
}

void json_writer_init(struct json_writer *w, unsigned flags)
{
	memset(w, 0, sizeof(*w));
	w->flags = flags;
}

void json_writer_fini(struct json_writer *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

int json_writer_error(const struct json_writer *w)
{
	return w->err;
}

static void newline_indent(struct json_writer *w, unsigned depth)
{
	static const char spaces[] = "                                ";

	if (!(w->flags & JSON_WRITE_PRETTY))
		return;
	put(w, "\n", 1);
	for (unsigned n = 2 * depth; n > 0;) {
		unsigned k = n < sizeof(spaces) - 1 ? n : (unsigned)sizeof(spaces) - 1;

		put(w, spaces, k);
		n -= k;
	}
}

/* Comma and line break before an element of the innermost container. */
static void element_sep(struct json_writer *w)
{
	unsigned d = w->depth - 1;

	if (w->nonempty[d])
		put(w, ",", 1);
	w->nonempty[d] = true;
	newline_indent(w, w->depth);
}

/* Check that a value may come now and write what goes before it. */
static bool value_begin(struct json_writer *w)
{
	if (w->err)
		return false;
	if (w->depth == 0) {
		if (w->done)
			fail(w, -EINVAL);
		return w->err == 0;
	}
	if (w->kind[w->depth - 1] == '{') {
		if (!w->have_key) {
			fail(w, -EINVAL);
			return false;
		}
		w->have_key = false; /* json_key() wrote the separator */
		return true;
	}
	element_sep(w);
	return w->err == 0;
}

static void value_end(struct json_writer *w)
{
	if (w->depth == 0)
		w->done = true;
}

static void open_container(struct json_writer *w, char kind)
{
	if (!value_begin(w))
		return;
	if (w->depth >= JSON_WRITER_MAX_DEPTH) {
		fail(w, -E2BIG);
		return;
	}
	put(w, &kind, 1);
	w->kind[w->depth] = kind;
	w->nonempty[w->depth] = false;
	w->depth++;
}

static void close_container(struct json_writer *w, char kind)
{
	if (w->err)
		return;
	if (w->depth == 0 || w->kind[w->depth - 1] != kind || w->have_key) {
		fail(w, -EINVAL);
		return;
	}
	w->depth--;
	if (w->nonempty[w->depth])
		newline_indent(w, w->depth);
	put(w, kind == '{' ? "}" : "]", 1);
	value_end(w);
}

void json_obj_begin(struct json_writer *w)
{
	open_container(w, '{');
}

void json_arr_begin(struct json_writer *w)
{
	open_container(w, '[');
}

void json_obj_end(struct json_writer *w)
{
	close_container(w, '{');
}

void json_arr_end(struct json_writer *w)
{
	close_container(w, '[');
}

/* One escape for a byte below 0x20 or a quote or backslash. */
static void put_escape(struct json_writer *w, unsigned char c)
{
	char tmp[8];

	switch (c) {
	case '"':
		puts_(w, "\\\"");
		break;
	case '\\':
		puts_(w, "\\\\");
		break;
	case '\b':
		puts_(w, "\\b");
		break;
	case '\f':
		puts_(w, "\\f");
		break;
	case '\n':
		puts_(w, "\\n");
		break;
	case '\r':
		puts_(w, "\\r");
		break;
	case '\t':
		puts_(w, "\\t");
		break;
	default:
		snprintf(tmp, sizeof(tmp), "\\u%04x", c);
		puts_(w, tmp);
		break;
	}
}

static void put_string(struct json_writer *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0, i = 0;

	put(w, "\"", 1);
	while (i < n) {
		size_t k = 1;

		if (s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' &&
		    (s[i] < 0x80 || (k = utf8_seq_len(s + i, n - i)) > 0)) {
			i += k;
			continue;
		}
		put(w, str + run, i - run);
		if (s[i] >= 0x80)
			puts_(w, "\\ufffd");
		else
			put_escape(w, s[i]);
		run = ++i;
	}
	put(w, str + run, i - run);
	put(w, "\"", 1);
}

void json_key(struct json_writer *w, const char *key)
{
	if (w->err)
		return;
	if (key == NULL || w->depth == 0 || w->kind[w->depth - 1] != '{' || w->have_key) {
		fail(w, -EINVAL);
		return;
	}
	element_sep(w);
	put_string(w, key, strlen(key));
	puts_(w, (w->flags & JSON_WRITE_PRETTY) ? ": " : ":");
	w->have_key = true;
}

void json_strn(struct json_writer *w, const char *s, size_t n)
{
	if (s == NULL && n > 0) {
		fail(w, -EINVAL);
		return;
	}
	if (!value_begin(w))
		return;
	put_string(w, s ? s : "", n);
	value_end(w);
}

void json_str(struct json_writer *w, const char *s)
{
	if (s == NULL) {
		fail(w, -EINVAL);
		return;
	}
	json_strn(w, s, strlen(s));
}

static void put_scalar(struct json_writer *w, const char *text)
{
	if (!value_begin(w))
		return;
	puts_(w, text);
	value_end(w);
}

void json_int(struct json_writer *w, int64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	put_scalar(w, tmp);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	put_scalar(w, tmp);
}

void json_double(struct json_writer *w, double v)
{
	char tmp[32];

	if (!isfinite(v)) {
		fail(w, -EINVAL);
		return;
	}
	/* The shortest of the two precisions that reads back exactly. */
	snprintf(tmp, sizeof(tmp), "%.15g", v);
	if (strtod(tmp, NULL) != v)
		snprintf(tmp, sizeof(tmp), "%.17g", v);
	put_scalar(w, tmp);
}

void json_bool(struct json_writer *w, bool v)
{
	put_scalar(w, v ? "true" : "false");
}

void json_null(struct json_writer *w)
{
	put_scalar(w, "null");
}

void json_kv_str(struct json_writer *w, const char *key, const char *v)
{
	json_key(w, key);
	json_str(w, v);
}

void json_kv_int(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_int(w, v);
}

void json_kv_uint(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint(w, v);
}

void json_kv_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}

const char *json_writer_finish(struct json_writer *w, size_t *len)
{
	if (w->err) {
		errno = -w->err;
		return NULL;
	}
	if (!w->done || w->depth != 0) {
		errno = EINVAL;
		return NULL;
	}
	if (len)
		*len = w->len;
	return w->buf;
}

void json_write_value(struct json_writer *w, const struct json_value *v)
{
	switch (v->type) {
	case JSON_NULL:
		json_null(w);
		break;
	case JSON_BOOL:
		json_bool(w, v->u.boolean);
		break;
	case JSON_NUMBER:
		if (v->u.num.is_int)
			json_int(w, v->u.num.i);
		else if (v->u.num.is_uint)
			json_uint(w, v->u.num.u);
		else
			json_double(w, v->u.num.d);
		break;
	case JSON_STRING:
		json_strn(w, v->u.str.s, v->u.str.len);
		break;
	case JSON_ARRAY:
		json_arr_begin(w);
		for (size_t i = 0; i < v->u.arr.count; i++)
			json_write_value(w, &v->u.arr.items[i]);
		json_arr_end(w);
		break;
	case JSON_OBJECT:
		json_obj_begin(w);
		for (size_t i = 0; i < v->u.obj.count; i++) {
			json_key(w, v->u.obj.members[i].key);
			json_write_value(w, &v->u.obj.members[i].value);
		}
		json_obj_end(w);
		break;
	}
}
