/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_bdev.c - backends under SPDK's bdev names: bdev_malloc_create
 * (RAM), bdev_null_create (Null), bdev_aio_create (File), bdev_get_bdevs,
 * bdev_malloc_delete, bdev_null_delete, bdev_aio_delete.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rpc/rpc_internal.h"

#define BDEV_NAME_MAX 63
#define AIO_DEFAULT_BLOCK_SIZE 512

struct bdev_params {
	const char *name;
	const char *filename;
	uint64_t num_blocks;
	uint32_t block_size;
};

/* What malloc and null take; SPDK's other options are refused by name. */
#define BDEV_SIZE_PARAMS(name_required)                                                            \
	RPC_PARAM("name", RPC_P_STR, name_required, struct bdev_params, name),                     \
	    RPC_PARAM("num_blocks", RPC_P_U64, true, struct bdev_params, num_blocks),              \
	    RPC_PARAM("block_size", RPC_P_U32, true, struct bdev_params, block_size),              \
	    RPC_REFUSE("uuid", "namespaces derive their own; give nvmf_subsystem_add_ns a uuid"),  \
	    RPC_REFUSE("md_size", "no metadata"),                                                  \
	    RPC_FIXED("md_interleave", false, "no metadata"),                                      \
	    RPC_REFUSE("dif_type", "no protection information"),                                   \
	    RPC_FIXED("dif_is_head_of_md", false, "no protection information"),                    \
	    RPC_REFUSE("dif_pi_format", "no protection information"),                              \
	    RPC_REFUSE("physical_block_size", "the block size is the physical one"),               \
	    RPC_REFUSE("optimal_io_boundary", "no I/O boundary"),                                  \
	    RPC_REFUSE("numa_id", "memory comes from the target's own allocator")

static const struct rpc_param malloc_tab[] = {BDEV_SIZE_PARAMS(false)};
static const struct rpc_param null_tab[] = {BDEV_SIZE_PARAMS(true)};
#define N_SIZE_TAB (sizeof(malloc_tab) / sizeof(malloc_tab[0]))

/* Name and size checks common to every create. @return 0 or -EINVAL (error set). */
static int bdev_check(struct rpc_req *r, const struct bdev_params *p, uint64_t *size)
{
	if (strlen(p->name) > BDEV_NAME_MAX) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "name: at most %d characters", BDEV_NAME_MAX);
		return -EINVAL;
	}
	if (p->block_size != 512 && p->block_size != 4096) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "block_size: 512 or 4096");
		return -EINVAL;
	}
	if (size != NULL && (p->num_blocks == 0 || p->num_blocks > UINT64_MAX / p->block_size)) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "num_blocks: at least 1, and num_blocks * block_size must fit 64 bits");
		return -EINVAL;
	}
	if (size != NULL)
		*size = p->num_blocks * p->block_size;
	return 0;
}

static void create_done(struct rpc_req *r, int rc, const char *name)
{
	if (rc == -EEXIST)
		rpc_error(r, rc, "bdev %s: already exists", name);
	else if (rc == -ENOMEM)
		rpc_error(r, rc, "bdev %s: out of memory", name);
	else if (rc != 0)
		rpc_error_errno(r, rc, name, NULL);
	else
		json_str(rpc_result(r), name);
}

static void rpc_bdev_malloc_create(struct rpc_req *r, const struct json_value *params)
{
	struct bdev_params p = {0};
	char auto_name[32];
	uint64_t given, size;

	if (rpc_params_decode(r, params, NULL, malloc_tab, N_SIZE_TAB, &p, &given) != 0)
		return;
	/* As SPDK: without a name, the first free MallocN. */
	for (unsigned i = 0; p.name == NULL; i++) {
		snprintf(auto_name, sizeof(auto_name), "Malloc%u", i);
		if (nvmf_backend_find(r->tgt, auto_name) == NULL)
			p.name = auto_name;
	}
	if (bdev_check(r, &p, &size) != 0)
		return;
	create_done(r, nvmf_backend_ram_create(r->tgt, p.name, size, p.block_size), p.name);
}

static void rpc_bdev_null_create(struct rpc_req *r, const struct json_value *params)
{
	struct bdev_params p = {0};
	uint64_t given, size;

	if (rpc_params_decode(r, params, NULL, null_tab, N_SIZE_TAB, &p, &given) != 0 ||
	    bdev_check(r, &p, &size) != 0)
		return;
	create_done(r, nvmf_backend_null_create(r->tgt, p.name, size, p.block_size), p.name);
}

static void rpc_bdev_aio_create(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("filename", RPC_P_STR, true, struct bdev_params, filename),
	    RPC_PARAM("name", RPC_P_STR, true, struct bdev_params, name),
	    RPC_PARAM("block_size", RPC_P_U32, false, struct bdev_params, block_size),
	    RPC_FIXED("readonly", false, "File namespaces are writable"),
	    RPC_FIXED("fallocate", false, "the file keeps its size"),
	    RPC_REFUSE("uuid", "namespaces derive their own; give nvmf_subsystem_add_ns a uuid"),
	};
	struct bdev_params p = {.block_size = AIO_DEFAULT_BLOCK_SIZE};
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, tab, 6, &p, &given) != 0 ||
	    bdev_check(r, &p, NULL) != 0)
		return;
	/* Size 0: the file's (or device's) own. */
	rc = nvmf_backend_file_create(r->tgt, p.name, p.filename, 0, p.block_size);
	if (rc == -EINVAL)
		rpc_error(r, rc, "%s: its size is not a multiple of block_size %u, or it is empty",
			  p.filename, p.block_size);
	else if (rc != 0 && rc != -EEXIST)
		rpc_error_errno(r, rc, p.filename, NULL);
	else
		create_done(r, rc, p.name);
}

/* ---------------------------------------------------------------- listing */

/* SPDK's product names for our types. */
static const char *product_name(const char *type)
{
	if (strcmp(type, "ram") == 0)
		return "Malloc disk";
	if (strcmp(type, "null") == 0)
		return "Null disk";
	if (strcmp(type, "file") == 0)
		return "AIO disk";
	if (strcmp(type, "nvme") == 0)
		return "NVMe disk";
	return type;
}

struct get_bdevs_ctx {
	struct json_writer *w;
	const char *name; /* filter, or NULL */
	unsigned n;
};

static void write_bdev(void *arg, const struct nvmf_backend_info *b)
{
	struct get_bdevs_ctx *c = arg;
	struct json_writer *w = c->w;

	if (c->name != NULL && strcmp(c->name, b->name) != 0)
		return;
	c->n++;
	if (w == NULL)
		return;
	json_obj_begin(w);
	json_kv_str(w, "name", b->name);
	json_key(w, "aliases");
	json_arr_begin(w);
	json_arr_end(w);
	json_kv_str(w, "product_name", product_name(b->type));
	json_kv_uint(w, "block_size", b->block_size);
	json_kv_uint(w, "num_blocks", b->block_size ? b->size / b->block_size : 0);
	json_kv_bool(w, "claimed", b->refs > 0);
	json_kv_bool(w, "volatile_write_cache", b->volatile_cache);
	json_key(w, "driver_specific");
	json_obj_begin(w);
	json_kv_str(w, "type", b->type);
	json_obj_end(w);
	json_obj_end(w);
}

static void rpc_bdev_get_bdevs(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("name", RPC_P_STR, false, struct get_bdevs_ctx, name),
	    RPC_REFUSE("timeout", "bdevs appear at once; there is nothing to wait for"),
	};
	struct get_bdevs_ctx c = {0};
	uint64_t given;

	if (rpc_params_decode(r, params, NULL, tab, 2, &c, &given) != 0)
		return;
	nvmf_backend_foreach(r->tgt, write_bdev, &c);
	if (c.name != NULL && c.n == 0) {
		rpc_error(r, -ENODEV, "bdev %.64s: not found", c.name);
		return;
	}
	c.w = rpc_result(r);
	json_arr_begin(c.w);
	nvmf_backend_foreach(r->tgt, write_bdev, &c);
	json_arr_end(c.w);
}

/* --------------------------------------------------------------- deleting */

static void bdev_delete(struct rpc_req *r, const struct json_value *params, const char *type)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("name", RPC_P_STR, true, struct bdev_params, name),
	};
	struct bdev_params p = {0};
	struct nvmf_backend_info info;
	struct nvmf_backend *b;
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, tab, 1, &p, &given) != 0)
		return;
	b = nvmf_backend_find(r->tgt, p.name);
	if (b == NULL) {
		rpc_error(r, -ENODEV, "bdev %.64s: not found", p.name);
		return;
	}
	nvmf_backend_get_info(b, &info);
	if (strcmp(info.type, type) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "bdev %s: is a %s bdev, not %s", p.name,
			  product_name(info.type), product_name(type));
		return;
	}
	rc = nvmf_backend_delete(r->tgt, p.name);
	if (rc == -EBUSY)
		rpc_error(r, rc, "bdev %s: a namespace uses it; remove the namespace first",
			  p.name);
	else
		rpc_reply_rc(r, rc, p.name);
}

static void rpc_bdev_malloc_delete(struct rpc_req *r, const struct json_value *params)
{
	bdev_delete(r, params, "ram");
}

static void rpc_bdev_null_delete(struct rpc_req *r, const struct json_value *params)
{
	bdev_delete(r, params, "null");
}

static void rpc_bdev_aio_delete(struct rpc_req *r, const struct json_value *params)
{
	bdev_delete(r, params, "file");
}

const struct rpc_method rpc_methods_bdev[] = {
    {"bdev_malloc_create", rpc_bdev_malloc_create}, {"bdev_null_create", rpc_bdev_null_create},
    {"bdev_aio_create", rpc_bdev_aio_create},       {"bdev_get_bdevs", rpc_bdev_get_bdevs},
    {"bdev_malloc_delete", rpc_bdev_malloc_delete}, {"bdev_null_delete", rpc_bdev_null_delete},
    {"bdev_aio_delete", rpc_bdev_aio_delete},       {NULL, NULL},
};
