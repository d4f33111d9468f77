/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json.c - strict RFC 8259 reader into a tree, tree accessors, UTF-8 check.
 *
 * A recursive-descent parser; recursion is bounded by the depth limit. Every
 * parse function leaves its value in a state json_free() can release, so an
 * error anywhere unwinds by freeing the root.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "util_json.h"

#define JSON_DEFAULT_DEPTH 32
#define JSON_HARD_DEPTH 512 /* bounds the recursion whatever the caller asks */
#define JSON_DEFAULT_SIZE (1u << 20)
#define JSON_DEFAULT_VALUES 65536
#define JSON_NUMBER_MAX 512 /* longest number literal accepted */

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t k;

	if (n == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return k;
}

/* ---------------------------------------------------------------- parser */

struct parser {
	const unsigned char *s;
	size_t len;
	size_t pos;
	unsigned depth, max_depth;
	size_t values, max_values;
	int err;
	size_t err_pos;
	const char *msg;
};

static int perr(struct parser *p, size_t pos, int err, const char *msg)
{
	if (p->err == 0) {
		p->err = err;
		p->err_pos = pos;
		p->msg = msg;
	}
	return p->err;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int parse_value(struct parser *p, struct json_value *v);

static int parse_literal(struct parser *p, struct json_value *v, const char *word,
			 enum json_type type, bool b)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return perr(p, p->pos, -EINVAL, "invalid literal");
	p->pos += n;
	v->type = type;
	if (type == JSON_BOOL)
		v->u.boolean = b;
	return 0;
}

static size_t scan_digits(struct parser *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos - start;
}

/* Exact integer value of the literal in @txt (digits, optional '-'). */
static void number_integer(struct json_value *v, const char *txt)
{
	bool neg = txt[0] == '-';
	uint64_t u = 0;

	for (const char *d = txt + neg; *d; d++) {
		unsigned digit = (unsigned)(*d - '0');

		if (u > (UINT64_MAX - digit) / 10)
			return; /* does not fit in 64 bits */
		u = u * 10 + digit;
	}
	if (!neg) {
		v->u.num.u = u;
		v->u.num.is_uint = true;
		if (u <= INT64_MAX) {
			v->u.num.i = (int64_t)u;
			v->u.num.is_int = true;
		}
	} else if (u <= (uint64_t)INT64_MAX + 1) {
		v->u.num.i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
		v->u.num.is_int = true;
		if (u == 0) {
			v->u.num.u = 0;
			v->u.num.is_uint = true;
		}
	}
}

static int parse_number(struct parser *p, struct json_value *v)
{
	size_t start = p->pos;
	bool integral = true;
	char txt[JSON_NUMBER_MAX + 1];

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '0') {
		p->pos++;
		if (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			return perr(p, p->pos - 1, -EINVAL, "leading zero in number");
	} else if (scan_digits(p) == 0) {
		return perr(p, p->pos, -EINVAL, "expected a digit");
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		integral = false;
		if (scan_digits(p) == 0)
			return perr(p, p->pos, -EINVAL, "expected a digit after '.'");
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		integral = false;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (scan_digits(p) == 0)
			return perr(p, p->pos, -EINVAL, "expected a digit in exponent");
	}
	if (p->pos - start > JSON_NUMBER_MAX)
		return perr(p, start, -E2BIG, "number too long");
	memcpy(txt, p->s + start, p->pos - start);
	txt[p->pos - start] = '\0';
	v->type = JSON_NUMBER;
	v->u.num.d = strtod(txt, NULL);
	if (isinf(v->u.num.d))
		return perr(p, start, -EINVAL, "number out of range");
	v->u.num.integral = integral;
	if (integral)
		number_integer(v, txt);
	return 0;
}

static int hex4(const unsigned char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		int d = util_hex_digit((char)s[i]);

		if (d < 0)
			return -EINVAL;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static size_t utf8_put(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A \u escape at @i (pointing at the backslash), up to @end; may be a pair. */
static int unicode_escape(struct parser *p, size_t *i, size_t end, uint32_t *cp)
{
	const unsigned char *s = p->s;
	uint32_t lo;

	if (end - *i < 6 || hex4(s + *i + 2, cp))
		return perr(p, *i, -EINVAL, "bad \\u escape");
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return perr(p, *i, -EINVAL, "lone low surrogate in \\u escape");
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (end - *i < 12 || s[*i + 6] != '\\' || s[*i + 7] != 'u' ||
		    hex4(s + *i + 8, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return perr(p, *i, -EINVAL, "high surrogate without low surrogate");
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
		*i += 6;
	}
	*i += 6;
	return 0;
}

static int decode_escape(struct parser *p, size_t *i, size_t end, char *d, size_t *dlen)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned char c = p->s[*i + 1];
	const char *hit = c ? strchr(from, c) : NULL;
	uint32_t cp = 0;

	if (hit) {
		d[(*dlen)++] = to[hit - from];
		*i += 2;
		return 0;
	}
	if (c != 'u')
		return perr(p, *i, -EINVAL, "bad escape in string");
	if (unicode_escape(p, i, end, &cp))
		return p->err;
	*dlen += utf8_put(d + *dlen, cp);
	return 0;
}

/* Find the closing quote of the string starting at p->pos (the quote). */
static int string_end(struct parser *p, size_t *end)
{
	for (size_t i = p->pos + 1; i < p->len; i++) {
		unsigned char c = p->s[i];

		if (c == '"') {
			*end = i;
			return 0;
		}
		if (c < 0x20)
			return perr(p, i, -EINVAL, "control character in string");
		if (c == '\\')
			i++;
	}
	return perr(p, p->pos, -EINVAL, "unterminated string");
}

static int parse_string(struct parser *p, char **out, size_t *outlen)
{
	size_t end = 0, i, n = 0;
	char *d;

	if (string_end(p, &end))
		return p->err;
	/* Escapes never decode longer than they are written. */
	d = malloc(end - p->pos);
	if (d == NULL)
		return perr(p, p->pos, -ENOMEM, "out of memory");
	for (i = p->pos + 1; i < end;) {
		size_t k;

		if (p->s[i] == '\\') {
			if (decode_escape(p, &i, end, d, &n))
				goto err_free;
			continue;
		}
		k = utf8_seq_len(p->s + i, end - i);
		if (k == 0) {
			perr(p, i, -EINVAL, "invalid UTF-8 in string");
			goto err_free;
		}
		memcpy(d + n, p->s + i, k);
		n += k;
		i += k;
	}
	d[n] = '\0';
	p->pos = end + 1;
	*out = d;
	*outlen = n;
	return 0;

err_free:
	free(d);
	return p->err;
}

/* Make room for one more element in a growing array of @size-byte items. */
static int grow(struct parser *p, void **items, size_t count, size_t *cap, size_t size)
{
	void *n;
	size_t ncap;

	if (count < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	n = realloc(*items, ncap * size);
	if (n == NULL)
		return perr(p, p->pos, -ENOMEM, "out of memory");
	memset((char *)n + *cap * size, 0, (ncap - *cap) * size);
	*items = n;
	*cap = ncap;
	return 0;
}

static int container_enter(struct parser *p)
{
	if (p->depth >= p->max_depth)
		return perr(p, p->pos, -E2BIG, "nesting too deep");
	p->depth++;
	p->pos++; /* the bracket */
	skip_ws(p);
	return 0;
}

/* After an element: ',' (more follow) returns 1, @close returns 0. */
static int after_element(struct parser *p, unsigned char close, const char *msg)
{
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == ',') {
		p->pos++;
		skip_ws(p);
		return 1;
	}
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		p->depth--;
		return 0;
	}
	return perr(p, p->pos, -EINVAL, msg);
}

static int parse_array(struct parser *p, struct json_value *v)
{
	size_t cap = 0;
	int rc;

	v->type = JSON_ARRAY;
	if (container_enter(p))
		return p->err;
	if (p->pos < p->len && p->s[p->pos] == ']') {
		p->pos++;
		p->depth--;
		return 0;
	}
	do {
		if (grow(p, (void **)&v->u.arr.items, v->u.arr.count, &cap,
			 sizeof(*v->u.arr.items)))
			return p->err;
		if (parse_value(p, &v->u.arr.items[v->u.arr.count++]))
			return p->err;
		rc = after_element(p, ']', "expected ',' or ']' in array");
	} while (rc == 1);
	return rc;
}

/* qsort_r comparator over member indices: by key bytes. */
static int member_cmp(const void *a, const void *b, void *ctx)
{
	const struct json_member *m = ctx;
	const struct json_member *x = &m[*(const size_t *)a], *y = &m[*(const size_t *)b];
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* Reject a duplicate key; @key_pos holds each key's offset in the input. */
static int check_duplicates(struct parser *p, const struct json_value *v, const size_t *key_pos)
{
	size_t n = v->u.obj.count;
	size_t *idx;

	if (n < 2)
		return 0;
	idx = malloc(n * sizeof(*idx));
	if (idx == NULL)
		return perr(p, p->pos, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), member_cmp, v->u.obj.members);
	for (size_t i = 1; i < n; i++) {
		if (member_cmp(&idx[i - 1], &idx[i], v->u.obj.members) == 0) {
			size_t later = idx[i] > idx[i - 1] ? idx[i] : idx[i - 1];

			perr(p, key_pos[later], -EINVAL, "duplicate key in object");
			break;
		}
	}
	free(idx);
	return p->err;
}

static int parse_member(struct parser *p, struct json_member *m)
{
	if (p->pos >= p->len || p->s[p->pos] != '"')
		return perr(p, p->pos, -EINVAL, "expected a string key");
	if (parse_string(p, &m->key, &m->key_len))
		return p->err;
	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != ':')
		return perr(p, p->pos, -EINVAL, "expected ':' after key");
	p->pos++;
	return parse_value(p, &m->value);
}

static int parse_object(struct parser *p, struct json_value *v)
{
	size_t cap = 0, pcap = 0;
	size_t *key_pos = NULL;
	int rc = 0;

	v->type = JSON_OBJECT;
	if (container_enter(p))
		return p->err;
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		p->depth--;
		return 0;
	}
	do {
		size_t i = v->u.obj.count;

		if (grow(p, (void **)&v->u.obj.members, i, &cap, sizeof(*v->u.obj.members)) ||
		    grow(p, (void **)&key_pos, i, &pcap, sizeof(*key_pos)))
			break;
		key_pos[i] = p->pos;
		v->u.obj.count++;
		if (parse_member(p, &v->u.obj.members[i]))
			break;
		rc = after_element(p, '}', "expected ',' or '}' in object");
	} while (rc == 1);
	if (p->err == 0)
		check_duplicates(p, v, key_pos);
	free(key_pos);
	return p->err;
}

static int parse_value(struct parser *p, struct json_value *v)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return perr(p, p->pos, -EINVAL, "unexpected end of input");
	if (++p->values > p->max_values)
		return perr(p, p->pos, -E2BIG, "too many values");
	switch (p->s[p->pos]) {
	case '{':
		return parse_object(p, v);
	case '[':
		return parse_array(p, v);
	case '"':
		if (parse_string(p, &v->u.str.s, &v->u.str.len))
			return p->err;
		v->type = JSON_STRING;
		return 0;
	case 't':
		return parse_literal(p, v, "true", JSON_BOOL, true);
	case 'f':
		return parse_literal(p, v, "false", JSON_BOOL, false);
	case 'n':
		return parse_literal(p, v, "null", JSON_NULL, false);
	default:
		if (p->s[p->pos] == '-' || (p->s[p->pos] >= '0' && p->s[p->pos] <= '9'))
			return parse_number(p, v);
		return perr(p, p->pos, -EINVAL, "unexpected character");
	}
}

/* ------------------------------------------------------------------ tree */

static void free_value(struct json_value *v)
{
	switch (v->type) {
	case JSON_STRING:
		free(v->u.str.s);
		break;
	case JSON_ARRAY:
		for (size_t i = 0; i < v->u.arr.count; i++)
			free_value(&v->u.arr.items[i]);
		free(v->u.arr.items);
		break;
	case JSON_OBJECT:
		for (size_t i = 0; i < v->u.obj.count; i++) {
			free(v->u.obj.members[i].key);
			free_value(&v->u.obj.members[i].value);
		}
		free(v->u.obj.members);
		break;
	default:
		break;
	}
}

void json_free(struct json_value *root)
{
	if (root == NULL)
		return;
	free_value(root);
	free(root);
}

static void fill_error(const struct parser *p, struct json_error *err)
{
	unsigned line = 1, col = 1;

	if (err == NULL)
		return;
	for (size_t i = 0; i < p->err_pos && i < p->len; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	err->offset = p->err_pos;
	err->line = line;
	err->col = col;
	err->msg = p->msg;
}

static void parser_init(struct parser *p, const char *text, size_t len,
			const struct json_limits *lim)
{
	memset(p, 0, sizeof(*p));
	p->s = (const unsigned char *)text;
	p->len = len;
	p->max_depth = lim && lim->max_depth ? lim->max_depth : JSON_DEFAULT_DEPTH;
	if (p->max_depth > JSON_HARD_DEPTH)
		p->max_depth = JSON_HARD_DEPTH;
	p->max_values = lim && lim->max_values ? lim->max_values : JSON_DEFAULT_VALUES;
}

int json_parse(const char *text, size_t len, const struct json_limits *lim, struct json_value **out,
	       struct json_error *err)
{
	size_t max_size = lim && lim->max_size ? lim->max_size : JSON_DEFAULT_SIZE;
	struct json_value *root;
	struct parser p;

	parser_init(&p, text, len, lim);
	if ((text == NULL && len > 0) || out == NULL)
		perr(&p, 0, -EINVAL, "bad argument");
	else if (len > max_size)
		perr(&p, max_size, -E2BIG, "input too large");
	if (p.err) {
		fill_error(&p, err);
		return p.err;
	}
	root = calloc(1, sizeof(*root));
	if (root == NULL) {
		perr(&p, 0, -ENOMEM, "out of memory");
		fill_error(&p, err);
		return p.err;
	}
	if (parse_value(&p, root) == 0) {
		skip_ws(&p);
		if (p.pos != p.len)
			perr(&p, p.pos, -EINVAL, "unexpected data after the value");
	}
	if (p.err) {
		json_free(root);
		fill_error(&p, err);
		return p.err;
	}
	*out = root;
	return 0;
}

/* ------------------------------------------------------------- accessors */

const struct json_value *json_obj_get(const struct json_value *obj, const char *key)
{
	if (obj == NULL || key == NULL || obj->type != JSON_OBJECT)
		return NULL;
	size_t n = strlen(key);

	for (size_t i = 0; i < obj->u.obj.count; i++) {
		const struct json_member *m = &obj->u.obj.members[i];

		if (m->key_len == n && memcmp(m->key, key, n) == 0)
			return &m->value;
	}
	return NULL;
}

const struct json_value *json_arr_at(const struct json_value *arr, size_t i)
{
	if (arr == NULL || arr->type != JSON_ARRAY || i >= arr->u.arr.count)
		return NULL;
	return &arr->u.arr.items[i];
}

int json_get_int64(const struct json_value *v, int64_t *out)
{
	if (v == NULL || v->type != JSON_NUMBER || !v->u.num.integral)
		return -EINVAL;
	if (!v->u.num.is_int)
		return -ERANGE;
	*out = v->u.num.i;
	return 0;
}

int json_get_uint64(const struct json_value *v, uint64_t *out)
{
	if (v == NULL || v->type != JSON_NUMBER || !v->u.num.integral)
		return -EINVAL;
	if (!v->u.num.is_uint)
		return -ERANGE;
	*out = v->u.num.u;
	return 0;
}

int json_get_double(const struct json_value *v, double *out)
{
	if (v == NULL || v->type != JSON_NUMBER)
		return -EINVAL;
	*out = v->u.num.d;
	return 0;
}

int json_get_bool(const struct json_value *v, bool *out)
{
	if (v == NULL || v->type != JSON_BOOL)
		return -EINVAL;
	*out = v->u.boolean;
	return 0;
}

int json_get_str(const struct json_value *v, const char **out)
{
	if (v == NULL || v->type != JSON_STRING || strlen(v->u.str.s) != v->u.str.len)
		return -EINVAL;
	*out = v->u.str.s;
	return 0;
}
