/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * import.c - nvmf_rpc import-nvmetcli [--dry-run] FILE: the kernel
 * target's nvmetcli JSON applied to a running target, one call after the
 * other, as conf_nvmetcli.h lists them. A transport that exists already
 * is kept; on any other failure the subsystems and bdevs this import
 * created are deleted again, so the target is left as it was (but for
 * transports).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_nvmetcli.h"
#include "tools/nvmf_rpc/nvmf_rpc.h"

static const char import_usage[] = "usage: nvmf_rpc [-s SOCK] import-nvmetcli [--dry-run] FILE\n";

/* One call: @method with @params (a parsed object), or with "@key": @val when @params is NULL. */
static int import_call(const char *sock, const char *method, const struct json_value *params,
		       const char *key, const char *val, struct json_value **resp)
{
	struct json_writer w;
	int rc = -ENOMEM;

	json_writer_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "jsonrpc", "2.0");
	json_kv_int(&w, "id", 1);
	json_kv_str(&w, "method", method);
	json_key(&w, "params");
	if (params != NULL) {
		json_write_value(&w, params);
	} else {
		json_obj_begin(&w);
		json_kv_str(&w, key, val);
		json_obj_end(&w);
	}
	json_obj_end(&w);
	if (json_writer_finish(&w, NULL) != NULL)
		rc = nvmf_rpc_call(sock, w.buf, w.len, resp);
	json_writer_fini(&w);
	return rc;
}

/* Delete what calls[0 .. n-1] created, newest first. */
static void import_undo(const char *sock, const struct json_value *calls, size_t n)
{
	while (n-- > 0) {
		const struct json_value *c = json_arr_at(calls, n), *p = json_obj_get(c, "params");
		const char *method = "", *del = NULL, *key = NULL, *val = "";
		struct json_value *resp = NULL;

		json_get_str(json_obj_get(c, "method"), &method);
		if (strcmp(method, "nvmf_create_subsystem") == 0) {
			del = "nvmf_delete_subsystem";
			key = "nqn";
		} else if (strcmp(method, "bdev_aio_create") == 0) {
			del = "bdev_aio_delete";
			key = "name";
		}
		if (del == NULL || json_get_str(json_obj_get(p, key), &val) != 0)
			continue;
		if (import_call(sock, del, NULL, key, val, &resp) != 0 ||
		    json_obj_get(resp, "error") != NULL)
			fprintf(stderr, "nvmf_rpc: import-nvmetcli: could not undo: %s %s\n", del,
				val);
		json_free(resp);
	}
}

/* The error of @resp, or NULL; a transport that exists already is not one. */
static const struct json_value *import_error(const char *method, const struct json_value *resp)
{
	const struct json_value *err = json_obj_get(resp, "error");
	int64_t code = 0;

	if (err != NULL && strcmp(method, "nvmf_create_transport") == 0 &&
	    json_get_int64(json_obj_get(err, "code"), &code) == 0 && code == -EEXIST)
		return NULL;
	return err;
}

/* Make every call of @calls. @return the exit status. */
static int import_apply(const char *sock, const char *path, const struct json_value *calls)
{
	size_t n = calls->u.arr.count;

	for (size_t i = 0; i < n; i++) {
		const struct json_value *c = json_arr_at(calls, i), *err;
		const char *method = "", *msg = "(no message)";
		struct json_value *resp = NULL;

		json_get_str(json_obj_get(c, "method"), &method);
		if (import_call(sock, method, json_obj_get(c, "params"), NULL, NULL, &resp) != 0) {
			import_undo(sock, calls, i);
			return 1;
		}
		err = import_error(method, resp);
		if (err != NULL) {
			json_get_str(json_obj_get(err, "message"), &msg);
			fprintf(
			    stderr,
			    "nvmf_rpc: import-nvmetcli %s: call %zu of %zu, %s: %s; undoing the "
			    "import\n",
			    path, i + 1, n, method, msg);
			json_free(resp);
			import_undo(sock, calls, i);
			return 1;
		}
		json_free(resp);
	}
	return 0;
}

/* The model's calls as a parsed array. @return 0 or -ENOMEM. */
static int import_calls(const struct nvmetcli_model *m, struct json_value **calls)
{
	struct json_limits lim = {.max_size = 64u << 20, .max_values = 1u << 22};
	struct json_writer w;
	int rc = -ENOMEM;

	json_writer_init(&w, 0);
	nvmetcli_emit_rpc(m, &w);
	if (json_writer_finish(&w, NULL) != NULL)
		rc = json_parse(w.buf, w.len, &lim, calls, NULL);
	json_writer_fini(&w);
	return rc;
}

static int import_print(const struct json_value *calls)
{
	struct json_writer w;
	int rc = 1;

	json_writer_init(&w, JSON_WRITE_PRETTY);
	json_write_value(&w, calls);
	if (json_writer_finish(&w, NULL) != NULL && printf("%s\n", w.buf) > 0)
		rc = 0;
	json_writer_fini(&w);
	return rc;
}

static int import_args(int argc, char **argv, bool *dry_run, const char **path)
{
	*path = NULL;
	*dry_run = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("%sapplies the Linux kernel target's nvmetcli JSON (what `nvmetcli "
			       "save` writes)\nto the running target; --dry-run prints the calls "
			       "instead\n",
			       import_usage);
			return 1;
		}
		if (strcmp(argv[i], "--dry-run") == 0)
			*dry_run = true;
		else if (*path == NULL && argv[i][0] != '-')
			*path = argv[i];
		else
			break;
		if (i == argc - 1 && *path != NULL)
			return 0;
	}
	fputs(import_usage, stderr);
	return 2;
}

int nvmf_rpc_import_nvmetcli(const char *sock, int argc, char **argv)
{
	struct nvmetcli_model *m = NULL;
	struct json_value *calls = NULL;
	const char *path;
	char err[512];
	bool dry_run;
	int rc = import_args(argc, argv, &dry_run, &path);

	if (rc != 0)
		return rc == 1 ? 0 : 2;
	if (nvmetcli_parse_file(path, &m, err, sizeof(err)) != 0) {
		fprintf(stderr, "nvmf_rpc: %s: %s\n", path, err);
		return 2;
	}
	for (unsigned i = 0; i < m->n_warnings; i++)
		fprintf(stderr, "nvmf_rpc: %s: warning: %s\n", path, m->warnings[i]);
	if (import_calls(m, &calls) != 0) {
		fprintf(stderr, "nvmf_rpc: out of memory\n");
		rc = 1;
	} else {
		rc = dry_run ? import_print(calls) : import_apply(sock, path, calls);
	}
	json_free(calls);
	nvmetcli_free(m);
	return rc;
}
