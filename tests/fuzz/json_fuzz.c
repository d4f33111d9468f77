/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json_fuzz.c - libFuzzer target: the JSON reader. Any byte string either
 * parses into a tree whose every node is well-formed, or is refused with an
 * error that points inside the input. Nothing leaks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walk @v: touch every string byte and call every accessor. */
static void walk(const struct json_value *v, unsigned depth)
{
	const char *s;
	int64_t i;
	uint64_t u;
	double d;
	bool b;
	size_t k;

	if (depth > 64)
		abort();
	switch (v->type) {
	case JSON_NULL:
		break;
	case JSON_BOOL:
		if (json_get_bool(v, &b) != 0)
			abort();
		break;
	case JSON_NUMBER:
		if (json_get_double(v, &d) != 0)
			abort();
		if (v->u.num.is_int && json_get_int64(v, &i) != 0)
			abort();
		if (v->u.num.is_uint && json_get_uint64(v, &u) != 0)
			abort();
		break;
	case JSON_STRING:
		if (v->u.str.s[v->u.str.len] != '\0')
			abort();
		if (json_get_str(v, &s) == 0 && strlen(s) != v->u.str.len)
			abort();
		break;
	case JSON_ARRAY:
		for (k = 0; k < v->u.arr.count; k++)
			walk(json_arr_at(v, k), depth + 1);
		if (json_arr_at(v, v->u.arr.count) != NULL)
			abort();
		break;
	case JSON_OBJECT:
		for (k = 0; k < v->u.obj.count; k++) {
			const struct json_member *m = &v->u.obj.members[k];

			if (m->key[m->key_len] != '\0')
				abort();
			if (strlen(m->key) == m->key_len && json_obj_get(v, m->key) == NULL)
				abort();
			walk(&m->value, depth + 1);
		}
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_limits lim = {.max_depth = 16, .max_size = 65536, .max_values = 4096};
	struct json_value *root = NULL;
	struct json_error err = {0};
	int rc;

	rc = json_parse((const char *)data, size, &lim, &root, &err);
	if (rc == 0) {
		if (root == NULL)
			abort();
		walk(root, 0);
		json_free(root);
		return 0;
	}
	if (rc != -EINVAL && rc != -E2BIG && rc != -ENOMEM)
		abort();
	if (root != NULL || err.msg == NULL || err.offset > size)
		abort();
	return 0;
}
