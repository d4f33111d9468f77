/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json_test.c - JSON writer output (compact, pretty, escapes, misuse),
 * reader values and round trips, malformed inputs with their error offsets,
 * and the depth / size / value-count limits.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "util_json.h"

static const char *finish(struct json_writer *w)
{
	const char *s = json_writer_finish(w, NULL);

	if (s == NULL)
		fail_msg("writer failed: %d", json_writer_error(w));
	return s;
}

static struct json_value *parse_ok(const char *text)
{
	struct json_value *v = NULL;
	struct json_error e = {0};
	int rc = json_parse(text, strlen(text), NULL, &v, &e);

	if (rc != 0)
		fail_msg("parse of '%s' failed: %d at %zu: %s", text, rc, e.offset, e.msg);
	return v;
}

static void build_sample(struct json_writer *w)
{
	json_obj_begin(w);
	json_kv_str(w, "nqn", "nqn.2014-08.org.nvmexpress:uuid:1");
	json_kv_int(w, "nsid", -3);
	json_kv_uint(w, "size", UINT64_MAX);
	json_kv_bool(w, "ok", true);
	json_key(w, "none");
	json_null(w);
	json_key(w, "list");
	json_arr_begin(w);
	json_int(w, 1);
	json_double(w, 0.5);
	json_arr_begin(w);
	json_arr_end(w);
	json_obj_begin(w);
	json_obj_end(w);
	json_bool(w, false);
	json_arr_end(w);
	json_obj_end(w);
}

static const char sample_compact[] = "{\"nqn\":\"nqn.2014-08.org.nvmexpress:uuid:1\",\"nsid\":-3,"
				     "\"size\":18446744073709551615,\"ok\":true,\"none\":null,"
				     "\"list\":[1,0.5,[],{},false]}";

static void test_writer_compact(void **state)
{
	struct json_writer w;
	size_t len = 0;

	(void)state;
	json_writer_init(&w, 0);
	build_sample(&w);
	assert_string_equal(json_writer_finish(&w, &len), sample_compact);
	assert_int_equal(len, strlen(sample_compact));
	json_writer_fini(&w);
}

static void test_writer_pretty(void **state)
{
	struct json_writer w;
	static const char want[] = "{\n"
				   "  \"nqn\": \"nqn.2014-08.org.nvmexpress:uuid:1\",\n"
				   "  \"nsid\": -3,\n"
				   "  \"size\": 18446744073709551615,\n"
				   "  \"ok\": true,\n"
				   "  \"none\": null,\n"
				   "  \"list\": [\n"
				   "    1,\n"
				   "    0.5,\n"
				   "    [],\n"
				   "    {},\n"
				   "    false\n"
				   "  ]\n"
				   "}";

	(void)state;
	json_writer_init(&w, JSON_WRITE_PRETTY);
	build_sample(&w);
	assert_string_equal(finish(&w), want);
	json_writer_fini(&w);
}

static void test_writer_escapes(void **state)
{
	struct json_writer w;
	static const char in[] = "q\" b\\ \b\f\n\r\t \x01\x1f\x7f / "
				 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 "
				 "\xff \xc0\xaf \xed\xa0\x80 \xe2\x82";
	static const char want[] = "[\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f\x7f / "
				   "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 "
				   "\\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\","
				   "\"a\\u0000b\",\"\"]";

	(void)state;
	json_writer_init(&w, 0);
	json_arr_begin(&w);
	json_str(&w, in);
	json_strn(&w, "a\0b", 3);
	json_str(&w, "");
	json_arr_end(&w);
	assert_string_equal(finish(&w), want);

	/* The escaped output parses back; invalid bytes became U+FFFD. */
	struct json_value *v = parse_ok(want);
	const char *s;

	assert_int_equal(json_get_str(json_arr_at(v, 0), &s), 0);
	assert_memory_equal(s, in, 28);
	assert_memory_equal(s + 28, "\xef\xbf\xbd ", 4);
	assert_int_equal(json_arr_at(v, 1)->u.str.len, 3);
	assert_memory_equal(json_arr_at(v, 1)->u.str.s, "a\0b", 4);
	assert_int_equal(json_get_str(json_arr_at(v, 1), &s), -EINVAL);
	json_free(v);
	json_writer_fini(&w);
}

static void test_writer_misuse(void **state)
{
	struct json_writer w;

	(void)state;
	json_writer_init(&w, 0);
	json_obj_begin(&w);
	json_int(&w, 1); /* a value where a key is due */
	assert_int_equal(json_writer_error(&w), -EINVAL);
	size_t len = w.len;

	json_obj_end(&w); /* sticky: nothing more is written */
	assert_int_equal(w.len, len);
	assert_null(json_writer_finish(&w, NULL));
	assert_int_equal(errno, EINVAL);
	json_writer_fini(&w);

	json_writer_init(&w, 0);
	json_arr_begin(&w);
	json_key(&w, "k"); /* key in an array */
	assert_int_equal(json_writer_error(&w), -EINVAL);
	json_writer_fini(&w);

	json_writer_init(&w, 0);
	json_arr_begin(&w);
	json_obj_end(&w); /* mismatched end */
	assert_int_equal(json_writer_error(&w), -EINVAL);
	json_writer_fini(&w);

	json_writer_init(&w, 0);
	json_obj_begin(&w);
	json_key(&w, "k");
	json_obj_end(&w); /* key without value */
	assert_int_equal(json_writer_error(&w), -EINVAL);
	json_writer_fini(&w);

	json_writer_init(&w, 0);
	json_int(&w, 1);
	assert_string_equal(finish(&w), "1");
	json_int(&w, 2); /* second top-level value */
	assert_int_equal(json_writer_error(&w), -EINVAL);
	json_writer_fini(&w);

	json_writer_init(&w, 0);
	json_arr_begin(&w);
	json_double(&w, NAN);
	assert_int_equal(json_writer_error(&w), -EINVAL);
	json_writer_fini(&w);

	json_writer_init(&w, 0);
	json_arr_begin(&w);
	json_str(&w, NULL);
	assert_int_equal(json_writer_error(&w), -EINVAL);
	json_writer_fini(&w);

	/* Incomplete document. */
	json_writer_init(&w, 0);
	assert_null(json_writer_finish(&w, NULL));
	json_arr_begin(&w);
	assert_null(json_writer_finish(&w, NULL));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(json_writer_error(&w), 0);
	json_writer_fini(&w);

	/* Depth: JSON_WRITER_MAX_DEPTH levels are fine, one more is not. */
	json_writer_init(&w, 0);
	for (int i = 0; i < JSON_WRITER_MAX_DEPTH; i++)
		json_arr_begin(&w);
	assert_int_equal(json_writer_error(&w), 0);
	json_arr_begin(&w);
	assert_int_equal(json_writer_error(&w), -E2BIG);
	json_writer_fini(&w);
}

static void test_writer_numbers_roundtrip(void **state)
{
	static const double d[] = {0.1, -2.5e-300, 1e300, 123456789.125, 1.0 / 3, 0.0};
	struct json_writer w;

	(void)state;
	json_writer_init(&w, 0);
	json_arr_begin(&w);
	json_int(&w, INT64_MIN);
	json_int(&w, INT64_MAX);
	json_uint(&w, UINT64_MAX);
	for (size_t i = 0; i < ARRAY_SIZE(d); i++)
		json_double(&w, d[i]);
	json_arr_end(&w);
	struct json_value *v = parse_ok(finish(&w));
	int64_t i64;
	uint64_t u64;
	double x;

	assert_int_equal(json_get_int64(json_arr_at(v, 0), &i64), 0);
	assert_true(i64 == INT64_MIN);
	assert_int_equal(json_get_int64(json_arr_at(v, 1), &i64), 0);
	assert_true(i64 == INT64_MAX);
	assert_int_equal(json_get_uint64(json_arr_at(v, 2), &u64), 0);
	assert_true(u64 == UINT64_MAX);
	for (size_t i = 0; i < ARRAY_SIZE(d); i++) {
		assert_int_equal(json_get_double(json_arr_at(v, 3 + i), &x), 0);
		assert_true(x == d[i]);
	}
	assert_string_equal(strstr(finish(&w), "0.1,"), "0.1,-2.5e-300,1e+300,123456789.125,"
							"0.33333333333333331,0]");
	json_free(v);
	json_writer_fini(&w);
}

/* Parse, write back, compare: the writer and reader agree byte for byte. */
static void test_roundtrip(void **state)
{
	static const char *docs[] = {
	    sample_compact,
	    "[]",
	    "{}",
	    "\"x\"",
	    "-0.25",
	    "[null,true,false,\"\\u0000\",\"\\\"\\\\\\n\"]",
	    "{\"a\":{\"b\":{\"c\":[1,[2,[3,{}]]]}},\"\xc3\xa9\":\"\xf0\x9f\x98\x80\"}",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		struct json_value *v = parse_ok(docs[i]);
		struct json_writer w;

		json_writer_init(&w, 0);
		json_write_value(&w, v);
		assert_string_equal(finish(&w), docs[i]);
		json_writer_fini(&w);
		json_free(v);
	}
}

static void test_reader_values(void **state)
{
	const char *s;
	bool b;
	int64_t i;
	uint64_t u;
	double d;

	(void)state;
	struct json_value *v = parse_ok(" \t\r\n{ \"s\" : \"\\u00e9\\u20AC\\ud83d\\ude00\\/\\b\" ,"
					"\"b\":false, \"n\":[-0, 1E+2, 1.5, -9223372036854775808,"
					"9223372036854775808, 18446744073709551616 ] } \n");

	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->u.obj.count, 3);
	assert_string_equal(v->u.obj.members[0].key, "s");
	assert_int_equal(json_get_str(json_obj_get(v, "s"), &s), 0);
	assert_string_equal(s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\b");
	assert_int_equal(json_get_bool(json_obj_get(v, "b"), &b), 0);
	assert_false(b);
	assert_null(json_obj_get(v, "missing"));
	assert_int_equal(json_get_bool(json_obj_get(v, "missing"), &b), -EINVAL);
	assert_int_equal(json_get_str(json_obj_get(v, "b"), &s), -EINVAL);

	const struct json_value *n = json_obj_get(v, "n");

	assert_int_equal(n->u.arr.count, 6);
	assert_null(json_arr_at(n, 6));
	assert_null(json_arr_at(v, 0));
	assert_int_equal(json_get_int64(json_arr_at(n, 0), &i), 0);
	assert_int_equal(i, 0);
	assert_int_equal(json_get_uint64(json_arr_at(n, 0), &u), 0);
	assert_int_equal(json_get_int64(json_arr_at(n, 1), &i), -EINVAL); /* 1E+2 */
	assert_int_equal(json_get_double(json_arr_at(n, 1), &d), 0);
	assert_true(d == 100.0);
	assert_int_equal(json_get_int64(json_arr_at(n, 2), &i), -EINVAL); /* 1.5 */
	assert_int_equal(json_get_int64(json_arr_at(n, 3), &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(json_get_uint64(json_arr_at(n, 3), &u), -ERANGE);
	assert_int_equal(json_get_int64(json_arr_at(n, 4), &i), -ERANGE);
	assert_int_equal(json_get_uint64(json_arr_at(n, 4), &u), 0);
	assert_true(u == 9223372036854775808ull);
	assert_int_equal(json_get_uint64(json_arr_at(n, 5), &u), -ERANGE);
	assert_int_equal(json_get_double(json_arr_at(n, 5), &d), 0);
	assert_true(d == 18446744073709551616.0);
	json_free(v);

	/* Input need not be NUL-terminated: only len bytes are read. */
	struct json_value *t = NULL;

	assert_int_equal(json_parse("123456", 3, NULL, &t, NULL), 0);
	assert_int_equal(json_get_int64(t, &i), 0);
	assert_int_equal(i, 123);
	json_free(t);
	assert_int_equal(json_parse("truex", 4, NULL, &t, NULL), 0);
	assert_int_equal(t->type, JSON_BOOL);
	json_free(t);
	json_free(NULL);
}

struct bad_case {
	const char *text;
	size_t offset;
	int rc;
	unsigned line, col;
};

static const struct bad_case bad_cases[] = {
    {"", 0, -EINVAL, 1, 1},
    {"   ", 3, -EINVAL, 1, 4},
    {"[1,]", 3, -EINVAL, 1, 4},
    {"{\"a\":1,}", 7, -EINVAL, 1, 8},
    {"[1 2]", 3, -EINVAL, 1, 4},
    {"01", 0, -EINVAL, 1, 1},
    {"[-01]", 2, -EINVAL, 1, 3},
    {"-", 1, -EINVAL, 1, 2},
    {"1.", 2, -EINVAL, 1, 3},
    {"1.e5", 2, -EINVAL, 1, 3},
    {"1e", 2, -EINVAL, 1, 3},
    {"1e+", 3, -EINVAL, 1, 4},
    {".5", 0, -EINVAL, 1, 1},
    {"+1", 0, -EINVAL, 1, 1},
    {"NaN", 0, -EINVAL, 1, 1},
    {"[Infinity]", 1, -EINVAL, 1, 2},
    {"1e999", 0, -EINVAL, 1, 1},
    {"tru", 0, -EINVAL, 1, 1},
    {"[nul]", 1, -EINVAL, 1, 2},
    {"True", 0, -EINVAL, 1, 1},
    {"\"abc", 0, -EINVAL, 1, 1},
    {"\"a\x01\"", 2, -EINVAL, 1, 3},
    {"\"a\nb\"", 2, -EINVAL, 1, 3},
    {"\"\\x\"", 1, -EINVAL, 1, 2},
    {"\"\\u12G4\"", 1, -EINVAL, 1, 2},
    {"\"\\u12\"", 1, -EINVAL, 1, 2},
    {"\"\\ud800\"", 1, -EINVAL, 1, 2},
    {"\"\\ud800\\u0041\"", 1, -EINVAL, 1, 2},
    {"\"ab\\udc00\"", 3, -EINVAL, 1, 4},
    {"\"\xff\"", 1, -EINVAL, 1, 2},
    {"\"a\xc0\xaf\"", 2, -EINVAL, 1, 3},
    {"\"\xed\xa0\x80\"", 1, -EINVAL, 1, 2},
    {"\"\xf4\x90\x80\x80\"", 1, -EINVAL, 1, 2},
    {"\"\xe2\x82\"", 1, -EINVAL, 1, 2},
    {"{1:2}", 1, -EINVAL, 1, 2},
    {"{'a':2}", 1, -EINVAL, 1, 2},
    {"{\"a\" 1}", 5, -EINVAL, 1, 6},
    {"{\"a\":}", 5, -EINVAL, 1, 6},
    {"{\"a\":1 \"b\":2}", 7, -EINVAL, 1, 8},
    {"{\"a\":1,\"b\":2,\"a\":3}", 13, -EINVAL, 1, 14},
    {"[1] x", 4, -EINVAL, 1, 5},
    {"[1]\n]", 4, -EINVAL, 2, 1},
    {"[\"a\",\n  tru]", 8, -EINVAL, 2, 3},
    {"// c\n1", 0, -EINVAL, 1, 1},
    {"\t[\v]", 2, -EINVAL, 1, 3},
    {"[", 1, -EINVAL, 1, 2},
    {"[1,", 3, -EINVAL, 1, 4},
    {"{", 1, -EINVAL, 1, 2},
    {"]", 0, -EINVAL, 1, 1},
};

static void test_reader_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct json_value *v = (struct json_value *)0x1;
		struct json_error e = {0};
		int rc = json_parse(c->text, strlen(c->text), NULL, &v, &e);

		if (rc != c->rc || e.offset != c->offset || e.line != c->line || e.col != c->col)
			fail_msg("case %zu '%s': rc %d offset %zu line %u col %u (%s); want %d %zu "
				 "%u %u",
				 i, c->text, rc, e.offset, e.line, e.col, e.msg ? e.msg : "-",
				 c->rc, c->offset, c->line, c->col);
		assert_non_null(e.msg);
		assert_ptr_equal(v, (struct json_value *)0x1); /* untouched */
	}
	/* An embedded NUL byte is not whitespace. */
	struct json_value *v;
	struct json_error e;

	assert_int_equal(json_parse("1\0", 2, NULL, &v, &e), -EINVAL);
	assert_int_equal(e.offset, 1);
	assert_int_equal(json_parse(NULL, 1, NULL, &v, &e), -EINVAL);
	assert_int_equal(json_parse("1", 1, NULL, NULL, &e), -EINVAL);
}

static char *nested(unsigned depth)
{
	char *s = malloc(2 * depth + 2);

	assert_non_null(s);
	memset(s, '[', depth);
	s[depth] = '1';
	memset(s + depth + 1, ']', depth);
	s[2 * depth + 1] = '\0';
	return s;
}

static void test_reader_limits(void **state)
{
	struct json_value *v = NULL;
	struct json_error e;
	char *s;

	(void)state;
	s = nested(32); /* the default depth */
	assert_int_equal(json_parse(s, strlen(s), NULL, &v, &e), 0);
	json_free(v);
	free(s);
	s = nested(33);
	assert_int_equal(json_parse(s, strlen(s), NULL, &v, &e), -E2BIG);
	assert_int_equal(e.offset, 32);
	assert_string_equal(e.msg, "nesting too deep");
	free(s);

	struct json_limits lim = {.max_depth = 3};
	const char *objs = "{\"a\":{\"b\":{\"c\":{}}}}";

	assert_int_equal(json_parse(objs, strlen(objs), &lim, &v, &e), -E2BIG);
	assert_int_equal(e.offset, 15);
	lim.max_depth = 4;
	assert_int_equal(json_parse(objs, strlen(objs), &lim, &v, &e), 0);
	json_free(v);

	/* A huge nesting request is still bounded (no stack exhaustion). */
	s = nested(100000);
	lim.max_depth = 1000000;
	assert_int_equal(json_parse(s, strlen(s), &lim, &v, &e), -E2BIG);
	free(s);

	struct json_limits small = {.max_size = 10};

	assert_int_equal(json_parse("[1,2,3,44]", 10, &small, &v, &e), 0);
	json_free(v);
	assert_int_equal(json_parse("[1,2,3,456]", 11, &small, &v, &e), -E2BIG);
	assert_int_equal(e.offset, 10);

	struct json_limits few = {.max_values = 4};

	assert_int_equal(json_parse("[1,2,3]", 7, &few, &v, &e), 0);
	json_free(v);
	assert_int_equal(json_parse("[1,2,3,4]", 9, &few, &v, &e), -E2BIG);
	assert_int_equal(e.offset, 7);
}

/* Mutated documents: never a crash or leak, errors point inside the input. */
static void test_reader_mutations(void **state)
{
	uint64_t x = 88172645463325252ull;
	size_t n = strlen(sample_compact);
	char buf[sizeof(sample_compact)];
	static const char alphabet[] = "{}[],:\"\\u0123e.-+ tfn\xff\xc3";
	int ok = 0;

	(void)state;
	for (int round = 0; round < 3000; round++) {
		struct json_value *v;
		struct json_error e;

		memcpy(buf, sample_compact, n);
		for (int k = 0; k < 1 + round % 3; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[x % n] = alphabet[(x >> 32) % (sizeof(alphabet) - 1)];
		}
		int rc = json_parse(buf, n, NULL, &v, &e);

		if (rc == 0) {
			ok++;
			json_free(v);
		} else {
			assert_int_equal(rc, -EINVAL);
			assert_true(e.offset <= n);
		}
	}
	assert_true(ok < 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_writer_compact),
	    cmocka_unit_test(test_writer_pretty),
	    cmocka_unit_test(test_writer_escapes),
	    cmocka_unit_test(test_writer_misuse),
	    cmocka_unit_test(test_writer_numbers_roundtrip),
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_reader_values),
	    cmocka_unit_test(test_reader_malformed),
	    cmocka_unit_test(test_reader_limits),
	    cmocka_unit_test(test_reader_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
