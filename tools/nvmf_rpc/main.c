/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmf_rpc - run-time control of nvmf_tgt over its JSON-RPC socket.
 *
 *   nvmf_rpc [-s SOCK] raw METHOD [JSON-PARAMS]
 *   nvmf_rpc [-s SOCK] subsystem|ns|listener|referral|host|bdev|transport ... (--help)
 *   nvmf_rpc [-s SOCK] import-nvmetcli [--dry-run] FILE
 *   nvmf_rpc [-s SOCK] stats [--watch] [--count N]
 *
 * Prints the result (pretty JSON; nothing for a plain `true`; a conf file
 * from save_config as its text). Exit status:
 * 0 done, 1 the call failed (one line on stderr says why), 2 bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rpc.h"
#include "tools/nvmf_rpc/nvmf_rpc.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nvmf_rpc [-s SOCK] raw METHOD [JSON-PARAMS]\n"
		"       nvmf_rpc [-s SOCK] COMMAND ... (COMMAND --help for each)\n"
		"  -s SOCK   the target's RPC socket (default " RPC_DEFAULT_SOCKET ")\n"
		"commands: subsystem add|del|list, ns add|del, listener add|del|ana-state|list,\n"
		"          referral add|del|list, host add|del,\n"
		"          bdev malloc|null|list, transport create, save-config,\n"
		"          import-nvmetcli [--dry-run] FILE (the kernel target's JSON),\n"
		"          stats [--watch] [--count N]\n");
}

/* raw: @params_text parsed and written as "params". @return 0 or 2. */
static int build_raw(const char *params_text, struct json_writer *w)
{
	struct json_value *v;
	struct json_error err;

	if (json_parse(params_text, strlen(params_text), NULL, &v, &err) != 0) {
		fprintf(stderr, "nvmf_rpc: JSON-PARAMS: %s at byte %zu\n", err.msg, err.offset);
		return 2;
	}
	json_write_value(w, v);
	json_free(v);
	return 0;
}

/* A conf file (save_config's result) is printed as the file. @return true if it was one. */
static bool print_conf_text(const struct json_value *res)
{
	const char *format = NULL;
	const struct json_value *text = json_obj_get(res, "text");

	if (res->type != JSON_OBJECT || res->u.obj.count != 2 ||
	    json_get_str(json_obj_get(res, "format"), &format) != 0 ||
	    strcmp(format, "nvmf-tgt.conf") != 0 || text == NULL || text->type != JSON_STRING)
		return false;
	fwrite(text->u.str.s, 1, text->u.str.len, stdout);
	return true;
}

/* Print the result, or the error on one line. @return the exit status. */
static int report(const char *method, const struct json_value *resp)
{
	const struct json_value *err = json_obj_get(resp, "error");
	const struct json_value *res = json_obj_get(resp, "result");
	const char *msg = "(no message)";
	struct json_writer w;
	int64_t code = 0;

	if (err != NULL) {
		json_get_str(json_obj_get(err, "message"), &msg);
		json_get_int64(json_obj_get(err, "code"), &code);
		fprintf(stderr, "nvmf_rpc: %s: %s (code %lld)\n", method, msg, (long long)code);
		return 1;
	}
	if (res == NULL) {
		fprintf(stderr, "nvmf_rpc: %s: the response has neither result nor error\n",
			method);
		return 1;
	}
	if (res->type == JSON_BOOL && res->u.boolean)
		return 0;
	if (print_conf_text(res))
		return 0;
	json_writer_init(&w, JSON_WRITE_PRETTY);
	json_write_value(&w, res);
	if (json_writer_finish(&w, NULL) != NULL)
		printf("%s\n", w.buf);
	json_writer_fini(&w);
	return 0;
}

int main(int argc, char **argv)
{
	const char *sock = RPC_DEFAULT_SOCKET, *method = NULL;
	struct json_value *resp = NULL;
	struct json_writer params, req;
	int i = 1, rc;

	if (i + 1 < argc && strcmp(argv[i], "-s") == 0) {
		sock = argv[i + 1];
		i += 2;
	}
	if (i == argc || strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
		usage(i == argc ? stderr : stdout);
		return i == argc ? 2 : 0;
	}
	if (strcmp(argv[i], "import-nvmetcli") == 0)
		return nvmf_rpc_import_nvmetcli(sock, argc - i, argv + i);
	if (strcmp(argv[i], "stats") == 0)
		return nvmf_rpc_stats(sock, argc - i, argv + i);
	json_writer_init(&params, 0);
	if (strcmp(argv[i], "raw") == 0) {
		if (argc - i < 2 || argc - i > 3) {
			usage(stderr);
			return 2;
		}
		method = argv[i + 1];
		rc = argc - i == 3 ? build_raw(argv[i + 2], &params) : 0;
	} else {
		rc = nvmf_rpc_build(argc - i, argv + i, &method, &params);
	}
	if (rc != 0) {
		json_writer_fini(&params);
		return rc == 1 ? 0 : 2;
	}
	json_writer_init(&req, 0);
	json_obj_begin(&req);
	json_kv_str(&req, "jsonrpc", "2.0");
	json_kv_int(&req, "id", 1);
	json_kv_str(&req, "method", method);
	json_obj_end(&req);
	/* Splice "params" in before the closing brace. */
	if (json_writer_finish(&req, NULL) == NULL || json_writer_error(&params) != 0) {
		fprintf(stderr, "nvmf_rpc: out of memory\n");
		return 1;
	}
	rc = 0;
	{
		char buf[req.len + params.len + 16];
		int n = params.len ? snprintf(buf, sizeof(buf), "%.*s,\"params\":%s}",
					      (int)req.len - 1, req.buf, params.buf)
				   : snprintf(buf, sizeof(buf), "%s", req.buf);
		rc = nvmf_rpc_call(sock, buf, (size_t)n, &resp);
	}
	json_writer_fini(&req);
	json_writer_fini(&params);
	if (rc != 0)
		return 1;
	rc = report(method, resp);
	json_free(resp);
	return rc;
}
