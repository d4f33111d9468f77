/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpc_fuzz.c - libFuzzer target: the JSON-RPC dispatcher and the stream
 * framing. The input is a byte stream as a client would send it; every
 * object framed out of it goes to rpc_handle() against one target (created,
 * not started), whose every answer must be a complete JSON-RPC response:
 * an object with "jsonrpc" and exactly one of "result" and "error".
 * Inputs naming bdev_aio_create are skipped: it opens whatever file the
 * input names. So are those naming nvmf_create_transport: a transport
 * allocates its buffer pools (64 MiB for TCP), a thousand times slower
 * than the rest. Both are covered by tests/unit/rpc/methods_test.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nvmf.h"
#include "rpc.h"
#include "util_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_response(const char *text, size_t len)
{
	struct json_value *v = NULL;

	if (json_parse(text, len, NULL, &v, NULL) != 0 || v->type != JSON_OBJECT ||
	    json_obj_get(v, "jsonrpc") == NULL ||
	    (json_obj_get(v, "result") == NULL) == (json_obj_get(v, "error") == NULL))
		abort();
	json_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct nvmf_tgt *tgt = NULL;
	struct rpc_frame f;
	size_t off = 0, start, end;

	if (memmem(data, size, "bdev_aio_create", 15) != NULL ||
	    memmem(data, size, "nvmf_create_transport", 21) != NULL ||
	    nvmf_tgt_create(NULL, &tgt) != 0)
		return 0;
	rpc_frame_reset(&f);
	while (off < size && rpc_frame_next(&f, buf + off, size - off, &start, &end) == 1) {
		struct json_writer w;
		size_t len;
		int rc;

		if (start >= end || end > size - off)
			abort();
		json_writer_init(&w, 0);
		rc = rpc_handle(tgt, buf + off + start, end - start, &w);
		if (rc == 1) {
			const char *out = json_writer_finish(&w, &len);
			if (out == NULL)
				abort();
			check_response(out, len);
		}
		json_writer_fini(&w);
		off += end;
		rpc_frame_reset(&f);
	}
	nvmf_tgt_destroy(tgt);
	return 0;
}
