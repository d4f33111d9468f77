/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nvmetcli_fuzz.c - libFuzzer target: the nvmetcli converter. Any byte
 * string is either refused with a message or read into a model whose conf
 * text the conf reader accepts or refuses cleanly, and whose RPC calls are
 * one complete JSON document. Nothing leaks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_nvmetcli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_errors errs;
	struct nvmetcli_model *m = NULL;
	struct json_writer w;
	struct conf *c = NULL;
	char err[256], *text = NULL;

	if (nvmetcli_parse((const char *)data, size, &m, err, sizeof(err)) != 0) {
		if (m != NULL || memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		return 0;
	}
	if (nvmetcli_emit_conf(m, "fuzz", &text) == 0) {
		conf_errors_init(&errs);
		conf_load_buffer("fuzz", text, strlen(text), &c, &errs);
		conf_free(c);
		free(text);
	}
	json_writer_init(&w, 0);
	nvmetcli_emit_rpc(m, &w);
	if (json_writer_error(&w) == 0 && json_writer_finish(&w, NULL) == NULL)
		abort();
	json_writer_fini(&w);
	nvmetcli_free(m);
	return 0;
}
