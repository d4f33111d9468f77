/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpc_test_util.h - calling the dispatcher from a unit test: one request
 * in, the response parsed, its error code / message / result checked.
 * Header-only (each test is its own program).
 */
#ifndef NVMF_TGT_TESTS_RPC_TEST_UTIL_H
#define NVMF_TGT_TESTS_RPC_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nvmf.h"
#include "nvmf/nvmf_internal.h" /* nvmf_tgt_poll(), for answers that come later */
#include "rpc.h"
#include "util_json.h"

/** The last response, parsed (freed by the next call). */
static struct json_value *g_resp;
/** Set when an answer that came later was parsed into g_resp. */
static bool g_answered;

static inline void rpc_t_answered(void *arg, const char *text, size_t len)
{
	(void)arg;
	if (text != NULL)
		assert_int_equal(json_parse(text, len, NULL, &g_resp, NULL), 0);
	g_answered = true;
}

/** Poll @tgt's main group until the call answers (the other groups run on their own threads). */
static inline void rpc_t_wait(struct nvmf_tgt *tgt)
{
	for (unsigned long i = 0; !g_answered; i++) {
		assert_true(i < 100000000ul);
		nvmf_tgt_poll(tgt);
	}
}

/** Send @text to @tgt's dispatcher; @return the parsed response (or NULL for none). */
static inline const struct json_value *rpc_t_raw(struct nvmf_tgt *tgt, const char *text)
{
	const struct rpc_later later = {.fn = rpc_t_answered};
	struct rpc_call *call = NULL;
	struct json_writer w;
	size_t len;
	int rc;

	json_free(g_resp);
	g_resp = NULL;
	g_answered = false;
	json_writer_init(&w, 0);
	rc = rpc_handle_later(tgt, text, strlen(text), &w, &later, &call);
	assert_true(rc >= 0);
	if (rc == RPC_HANDLE_LATER) {
		assert_non_null(call);
		rpc_t_wait(tgt);
	} else if (rc == 1) {
		const char *out = json_writer_finish(&w, &len);
		assert_non_null(out);
		assert_int_equal(json_parse(out, len, NULL, &g_resp, NULL), 0);
	}
	json_writer_fini(&w);
	return g_resp;
}

/** Send @text with rpc_handle(), a caller that cannot wait; @return the parsed response. */
static inline const struct json_value *rpc_t_raw_sync(struct nvmf_tgt *tgt, const char *text)
{
	struct json_writer w;
	const char *out;
	size_t len;

	json_free(g_resp);
	g_resp = NULL;
	json_writer_init(&w, 0);
	assert_int_equal(rpc_handle(tgt, text, strlen(text), &w), 1);
	out = json_writer_finish(&w, &len);
	assert_non_null(out);
	assert_int_equal(json_parse(out, len, NULL, &g_resp, NULL), 0);
	json_writer_fini(&w);
	return g_resp;
}

/** Call @method with @params (JSON text or NULL) and id 1. */
static inline const struct json_value *rpc_t_call(struct nvmf_tgt *tgt, const char *method,
						  const char *params)
{
	char buf[4096];

	if (params)
		snprintf(buf, sizeof(buf),
			 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}", method,
			 params);
	else
		snprintf(buf, sizeof(buf), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\"}",
			 method);
	return rpc_t_raw(tgt, buf);
}

/** Assert the response is an error of @code whose message contains @part. */
static inline void rpc_t_err(const struct json_value *resp, int code, const char *part)
{
	const struct json_value *err = json_obj_get(resp, "error");
	const char *msg = NULL;
	int64_t c = 0;

	assert_non_null(err);
	assert_null(json_obj_get(resp, "result"));
	assert_int_equal(json_get_int64(json_obj_get(err, "code"), &c), 0);
	assert_int_equal(json_get_str(json_obj_get(err, "message"), &msg), 0);
	if (c != code || strstr(msg, part) == NULL)
		fail_msg("expected error %d containing '%s', got %lld '%s'", code, part,
			 (long long)c, msg);
}

/** Assert the response is a result and return it. */
static inline const struct json_value *rpc_t_ok(const struct json_value *resp)
{
	const struct json_value *err = json_obj_get(resp, "error");
	const char *msg = "";

	if (err != NULL) {
		json_get_str(json_obj_get(err, "message"), &msg);
		fail_msg("unexpected error: %s", msg);
	}
	assert_non_null(json_obj_get(resp, "result"));
	return json_obj_get(resp, "result");
}

/** A fresh target, created, not started. */
static inline struct nvmf_tgt *rpc_t_tgt(void)
{
	struct nvmf_tgt *tgt = NULL;

	assert_int_equal(nvmf_tgt_create(NULL, &tgt), 0);
	return tgt;
}

/** cmocka set-up / tear-down of a test whose state is a fresh target. */
static inline int rpc_t_setup(void **state)
{
	*state = rpc_t_tgt();
	return 0;
}

static inline int rpc_t_teardown(void **state)
{
	nvmf_tgt_destroy(*state);
	return 0;
}

#endif /* NVMF_TGT_TESTS_RPC_TEST_UTIL_H */
