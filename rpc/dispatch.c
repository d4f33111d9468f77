/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dispatch.c - one JSON-RPC 2.0 request in, one response out: the
 * envelope (jsonrpc, method, params, id), the method table, and the error
 * and result helpers methods use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpc_internal.h"

static const struct rpc_method *const method_tables[] = {
    rpc_methods_misc, rpc_methods_nvmf, rpc_methods_ss,    rpc_methods_ns,  rpc_methods_bdev,
    rpc_methods_nvme, rpc_methods_save, rpc_methods_stats, rpc_methods_ana, rpc_methods_keys,
};

const struct rpc_method *rpc_method_find(const char *name)
{
	for (size_t t = 0; t < sizeof(method_tables) / sizeof(method_tables[0]); t++) {
		for (const struct rpc_method *m = method_tables[t]; m->name != NULL; m++) {
			if (strcmp(m->name, name) == 0)
				return m;
		}
	}
	return NULL;
}

void rpc_foreach_method(void (*cb)(void *arg, const char *name), void *arg)
{
	for (size_t t = 0; t < sizeof(method_tables) / sizeof(method_tables[0]); t++) {
		for (const struct rpc_method *m = method_tables[t]; m->name != NULL; m++)
			cb(arg, m->name);
	}
}

void rpc_error(struct rpc_req *r, int code, const char *fmt, ...)
{
	va_list ap;

	if (r->err_code != 0 || r->result_started)
		return;
	r->err_code = code;
	va_start(ap, fmt);
	vsnprintf(r->err_msg, sizeof(r->err_msg), fmt, ap);
	va_end(ap);
}

void rpc_error_errno(struct rpc_req *r, int rc, const char *what, const char *hint)
{
	rpc_error(r, rc, "%s: %s%s", what, strerror(-rc), hint ? hint : "");
}

struct json_writer *rpc_result(struct rpc_req *r)
{
	r->result_started = true;
	json_key(r->w, "result");
	return r->w;
}

void rpc_result_true(struct rpc_req *r)
{
	json_bool(rpc_result(r), true);
}

void rpc_reply_rc(struct rpc_req *r, int rc, const char *what)
{
	if (rc != 0)
		rpc_error_errno(r, rc, what, NULL);
	else
		rpc_result_true(r);
}

/* What the envelope holds, once checked. */
struct envelope {
	const struct json_value *id; /* NULL: a notification */
	const char *method;
	const struct json_value *params;
};

/* @return 0, or an error code with @msg filled. */
static int envelope_check(const struct json_value *root, struct envelope *env, char *msg,
			  size_t len)
{
	const struct json_value *ver, *method;

	memset(env, 0, sizeof(*env));
	if (root->type != JSON_OBJECT) {
		snprintf(msg, len, "batch requests (arrays) are not supported; send one object");
		return RPC_ERR_INVALID_REQUEST;
	}
	env->id = json_obj_get(root, "id");
	for (size_t i = 0; i < root->u.obj.count; i++) {
		const char *k = root->u.obj.members[i].key;
		if (strcmp(k, "jsonrpc") != 0 && strcmp(k, "method") != 0 &&
		    strcmp(k, "params") != 0 && strcmp(k, "id") != 0) {
			snprintf(msg, len, "unknown member '%.64s' in the request", k);
			return RPC_ERR_INVALID_REQUEST;
		}
	}
	if (env->id != NULL && env->id->type != JSON_STRING && env->id->type != JSON_NUMBER &&
	    env->id->type != JSON_NULL) {
		env->id = NULL;
		snprintf(msg, len, "id: must be a string, a number or null");
		return RPC_ERR_INVALID_REQUEST;
	}
	ver = json_obj_get(root, "jsonrpc");
	if (ver == NULL || ver->type != JSON_STRING || strcmp(ver->u.str.s, "2.0") != 0) {
		snprintf(msg, len, "jsonrpc: must be \"2.0\"");
		return RPC_ERR_INVALID_REQUEST;
	}
	method = json_obj_get(root, "method");
	if (json_get_str(method, &env->method) != 0) {
		snprintf(msg, len, "method: required, a string");
		return RPC_ERR_INVALID_REQUEST;
	}
	env->params = json_obj_get(root, "params");
	if (env->params != NULL && env->params->type == JSON_ARRAY) {
		snprintf(msg, len,
			 "params: by-position (array) params are not supported; use an object");
		return RPC_ERR_INVALID_PARAMS;
	}
	if (env->params != NULL && env->params->type != JSON_OBJECT) {
		snprintf(msg, len, "params: must be an object");
		return RPC_ERR_INVALID_REQUEST;
	}
	return 0;
}

static void write_head(struct json_writer *w, const struct json_value *id)
{
	json_obj_begin(w);
	json_kv_str(w, "jsonrpc", "2.0");
	json_key(w, "id");
	if (id != NULL)
		json_write_value(w, id);
	else
		json_null(w);
}

static void write_error(struct json_writer *w, int code, const char *msg)
{
	json_key(w, "error");
	json_obj_begin(w);
	json_kv_int(w, "code", code);
	json_kv_str(w, "message", msg);
	json_obj_end(w);
}

static int finish(struct json_writer *w)
{
	json_obj_end(w);
	return json_writer_finish(w, NULL) != NULL ? 1 : -ENOMEM;
}

/* The end of a response: the error when there is no result. @return as finish(). */
static int req_end(struct rpc_req *r)
{
	if (!r->result_started && r->err_code == 0)
		rpc_error(r, RPC_ERR_INTERNAL, "%s gave no result", r->method);
	if (!r->result_started)
		write_error(r->w, r->err_code, r->err_msg);
	return finish(r->w);
}

/* A call answered later; see rpc_defer(). */
struct rpc_call {
	struct rpc_req r;
	struct json_writer w;
	struct rpc_later later;
	bool notification; /* no id: nothing to send */
	bool in_dispatch;  /* the method has not returned yet */
	bool done;         /* answered while in dispatch */
	bool cancelled;
};

struct rpc_call *rpc_defer(struct rpc_req *r)
{
	struct rpc_call *c = r->later != NULL ? calloc(1, sizeof(*c)) : NULL;

	if (c == NULL) {
		rpc_error(r, RPC_ERR_INTERNAL, "%s: %s", r->method,
			  r->later ? "out of memory"
				   : "answers later, and this caller cannot wait");
		return NULL;
	}
	c->later = *r->later;
	c->in_dispatch = true;
	c->w = *r->w; /* the head written so far moves with it */
	json_writer_init(r->w, r->w->flags);
	c->r = *r;
	c->r.w = &c->w;
	r->call = c;
	return c;
}

struct rpc_req *rpc_call_req(struct rpc_call *call)
{
	return &call->r;
}

void rpc_call_done(struct rpc_call *c)
{
	const char *text = NULL;
	size_t len = 0;

	if (req_end(&c->r) > 0 && !c->notification)
		text = json_writer_finish(&c->w, &len);
	if (c->in_dispatch) {
		c->done = true; /* call() hands it over as a plain response */
		return;
	}
	if (!c->cancelled)
		c->later.fn(c->later.arg, text, len);
	json_writer_fini(&c->w);
	free(c);
}

void rpc_call_cancel(struct rpc_call *call)
{
	call->cancelled = true;
}

static int call(struct nvmf_tgt *tgt, const struct envelope *env, struct json_writer *resp,
		const struct rpc_later *later, struct rpc_call **pending)
{
	const struct rpc_method *m = rpc_method_find(env->method);
	struct rpc_req r = {.tgt = tgt, .method = env->method, .w = resp, .later = later};
	struct rpc_call *c;

	write_head(resp, env->id);
	if (m == NULL)
		rpc_error(&r, RPC_ERR_METHOD_NOT_FOUND,
			  "unknown method '%.64s' (rpc_get_methods lists them)", env->method);
	else
		m->fn(&r, env->params);
	c = r.call;
	if (c == NULL)
		return req_end(&r);
	c->in_dispatch = false;
	c->notification = env->id == NULL;
	if (!c->done) {
		*pending = c;
		return RPC_HANDLE_LATER;
	}
	json_writer_fini(resp);
	*resp = c->w; /* answered before the method returned */
	free(c);
	return json_writer_error(resp) == 0 ? 1 : -ENOMEM;
}

int rpc_handle(struct nvmf_tgt *tgt, const char *req, size_t len, struct json_writer *resp)
{
	return rpc_handle_later(tgt, req, len, resp, NULL, NULL);
}

int rpc_handle_later(struct nvmf_tgt *tgt, const char *req, size_t len, struct json_writer *resp,
		     const struct rpc_later *later, struct rpc_call **pending)
{
	struct json_limits lim = {.max_size = RPC_MAX_REQUEST};
	struct json_value *root = NULL;
	struct json_error jerr;
	struct envelope env;
	char msg[160];
	int code, rc;

	rc = json_parse(req, len, &lim, &root, &jerr);
	if (rc == -ENOMEM)
		return rc;
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "Parse error: %s at byte %zu", jerr.msg, jerr.offset);
		write_head(resp, NULL);
		write_error(resp, RPC_ERR_PARSE, msg);
		return finish(resp);
	}
	code = envelope_check(root, &env, msg, sizeof(msg));
	if (code != 0) {
		write_head(resp, env.id);
		write_error(resp, code, msg);
		rc = finish(resp);
	} else {
		rc = call(tgt, &env, resp, later, pending);
		if (env.id == NULL && rc == 1)
			rc = 0;
	}
	json_free(root);
	return rc;
}
