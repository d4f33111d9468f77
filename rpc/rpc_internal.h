/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpc_internal.h - the RPC layer's private parts: one call in progress,
 * the method table, parameter decoding (rpc/ only, and its unit tests).
 */
#ifndef NVMF_TGT_RPC_INTERNAL_H
#define NVMF_TGT_RPC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvmf.h"
#include "rpc.h"
#include "util_json.h"

/** One call: what a method reads and where its outcome goes. */
struct rpc_req {
	struct nvmf_tgt *tgt;
	const char *method;
	struct json_writer *w; /**< the response; the result goes here */
	bool result_started;   /**< rpc_result() was called */
	int err_code;          /**< set by rpc_error(), 0 when none */
	char err_msg[320];
	const struct rpc_later *later; /**< NULL: the caller cannot wait */
	struct rpc_call *call;         /**< set by rpc_defer() */
};

/** A method: validates @params (NULL when absent), acts, then answers. */
typedef void (*rpc_method_fn)(struct rpc_req *r, const struct json_value *params);

struct rpc_method {
	const char *name;
	rpc_method_fn fn;
};

/** The methods of each file, NULL-name terminated tables. */
extern const struct rpc_method rpc_methods_misc[];
extern const struct rpc_method rpc_methods_nvmf[];
extern const struct rpc_method rpc_methods_ss[];
extern const struct rpc_method rpc_methods_ns[];
extern const struct rpc_method rpc_methods_bdev[];
extern const struct rpc_method rpc_methods_nvme[];
extern const struct rpc_method rpc_methods_save[];
extern const struct rpc_method rpc_methods_ana[];
extern const struct rpc_method rpc_methods_keys[];

/**
 * Give host @host of @ss (NQN @nqn) the DH-HMAC-CHAP keys named @key and
 * @ctrl_key (keyring names; NULL: none), as nvmf_subsystem_host_set_dhchap().
 * @return 0, or a negative errno with the error set on @r.
 */
int rpc_host_set_dhchap(struct rpc_req *r, struct nvmf_subsystem *ss, const char *nqn,
			const char *host, const char *key, const char *ctrl_key);

/** Name and version of the text save_config returns. */
#define RPC_SAVE_FORMAT "nvmf-tgt.conf"

/**
 * Write the state of @tgt as a conf file (nvmf-tgt.conf(5)) that loads
 * back to the same transports, backends, subsystems, listeners, hosts and
 * namespaces. The text is checked with the conf parser before it is
 * returned.
 * @text: set to a malloc'ed NUL-terminated string on success.
 * @why: on -EOPNOTSUPP, what cannot be expressed in the conf format.
 * @return 0, -EOPNOTSUPP or -ENOMEM.
 */
int rpc_save_conf(struct nvmf_tgt *tgt, char **text, char *why, size_t why_len);
extern const struct rpc_method rpc_methods_stats[];

/** The method called @name, or NULL. */
const struct rpc_method *rpc_method_find(const char *name);

/** Fail the call with @code and a printf-style message. The first error wins. */
void rpc_error(struct rpc_req *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * Fail the call for the nvmf API's @rc (negative errno): code @rc, message
 * "@what: <strerror>" plus @hint when not NULL.
 */
void rpc_error_errno(struct rpc_req *r, int rc, const char *what, const char *hint);

/** Begin the result: returns the writer, positioned for one value. */
struct json_writer *rpc_result(struct rpc_req *r);

/**
 * Answer later: the response (its head written) moves into a call that
 * outlives the method. Answer through rpc_call_req(), then rpc_call_done().
 * @return the call, or NULL with @r failed (the caller cannot wait, or out
 *         of memory).
 */
struct rpc_call *rpc_defer(struct rpc_req *r);

/** The request of a deferred @call, to answer with rpc_result() / rpc_error(). */
struct rpc_req *rpc_call_req(struct rpc_call *call);

/** The answer of @call is complete: send it (or drop it when cancelled) and free @call. */
void rpc_call_done(struct rpc_call *call);

/** Answer `true` (what SPDK's methods that change state return). */
void rpc_result_true(struct rpc_req *r);

/**
 * Answer the nvmf API's @rc: `true` when 0, else fail the call as
 * rpc_error_errno(@r, @rc, @what, NULL).
 */
void rpc_reply_rc(struct rpc_req *r, int rc, const char *what);

/** Why tgt_name is refused, for every method that SPDK gives one. */
#define RPC_WHY_TGT_NAME "one target per process; omit tgt_name"

/**
 * The NVM subsystem @nqn, or NULL with the call failed (-ENOENT, or
 * -EPERM for the discovery subsystem, which these methods do not change).
 */
struct nvmf_subsystem *rpc_ss_lookup(struct rpc_req *r, const char *nqn);

struct rpc_param;

/**
 * Decode @params into @out by @tab (@n entries) as rpc_params_decode(), then
 * rpc_ss_lookup() the subsystem whose NQN was decoded by tab[0], which must
 * be the required "nqn" string.
 * @return the subsystem, or NULL with the call failed.
 */
struct nvmf_subsystem *rpc_ss_params(struct rpc_req *r, const struct json_value *params,
				     const struct rpc_param *tab, size_t n, void *out);

/* ------------------------------------------------------------ parameters */

enum rpc_ptype {
	RPC_P_STR,    /**< const char * (non-empty, no NUL) */
	RPC_P_U32,    /**< uint32_t */
	RPC_P_U64,    /**< uint64_t */
	RPC_P_BOOL,   /**< bool */
	RPC_P_OBJ,    /**< const struct json_value * (an object) */
	RPC_P_FIXED,  /**< a bool accepted only with value @fixed (what we do) */
	RPC_P_REFUSE, /**< known, not supported: any value is an error */
};

/** One parameter a method takes; decoded into the field at @off. */
struct rpc_param {
	const char *name;
	enum rpc_ptype type;
	bool required;
	bool fixed;      /**< RPC_P_FIXED: the only accepted value */
	size_t off;      /**< offset of the field in the method's struct */
	const char *why; /**< RPC_P_FIXED / RPC_P_REFUSE: what we do instead */
};

#define RPC_PARAM(n, t, req, st, field)                                                            \
	{                                                                                          \
		.name = (n), .type = (t), .required = (req), .off = offsetof(st, field)            \
	}
#define RPC_FIXED(n, value, reason)                                                                \
	{                                                                                          \
		.name = (n), .type = RPC_P_FIXED, .fixed = (value), .why = (reason)                \
	}
#define RPC_REFUSE(n, reason)                                                                      \
	{                                                                                          \
		.name = (n), .type = RPC_P_REFUSE, .why = (reason)                                 \
	}

/**
 * Decode @params (an object, or NULL when absent) into @out by @tab (@n
 * entries). Unknown names, missing required ones, wrong types and refused
 * values fail the call with RPC_ERR_INVALID_PARAMS and a message naming
 * the parameter (prefixed "@prefix." when @prefix is not NULL).
 * @given: bit i set when tab[i] was present (n <= 64).
 * @return 0 or -EINVAL (the error is set on @r).
 */
int rpc_params_decode(struct rpc_req *r, const struct json_value *params, const char *prefix,
		      const struct rpc_param *tab, size_t n, void *out, uint64_t *given);

/**
 * Decode a listen address object {trtype, traddr, trsvcid, adrfam} named
 * @name in messages into @a. @return 0 or -EINVAL (error set).
 */
int rpc_listen_addr_decode(struct rpc_req *r, const struct json_value *v, const char *name,
			   struct nvmf_listen_addr *a);

/** Format 16 bytes as a UUID "8-4-4-4-12" into @buf (NUL-terminated). */
void rpc_format_uuid(char buf[37], const uint8_t b[16]);

/** Write 16 (or 8) bytes as SPDK does: a UUID "8-4-4-4-12", or plain hex. */
void rpc_write_uuid(struct json_writer *w, const char *key, const uint8_t b[16]);
void rpc_write_hex(struct json_writer *w, const char *key, const uint8_t *b, size_t n);

/**
 * Write @a as SPDK's listen_address object {trtype, adrfam, traddr,
 * trsvcid}, under @key when not NULL.
 */
void rpc_write_listen_addr(struct json_writer *w, const char *key,
			   const struct nvmf_listen_addr *a);

/* ------------------------------------------------------- result objects */

enum rpc_fkind {
	RPC_F_U64,   /**< uint64_t */
	RPC_F_U32,   /**< uint32_t */
	RPC_F_U16,   /**< uint16_t */
	RPC_F_STRP,  /**< const char * (NULL: written as null) */
	RPC_F_UUID,  /**< uint8_t[16], as rpc_write_uuid() */
	RPC_F_ADDRP, /**< const struct nvmf_listen_addr *, as rpc_write_listen_addr() */
};

/** One member of a result object: its JSON name, and the C field at @off. */
struct rpc_field {
	const char *name;
	enum rpc_fkind kind;
	size_t off;
};

#define RPC_FIELD(n, k, st, field)                                                                 \
	{                                                                                          \
		.name = (n), .kind = (k), .off = offsetof(st, field)                               \
	}

/** Write the members @tab (@n entries) of @obj into the open object of @w. */
void rpc_write_fields(struct json_writer *w, const void *obj, const struct rpc_field *tab,
		      size_t n);

/** Parse a UUID string / a hex string of @n bytes into @b. @return 0 or -EINVAL. */
int rpc_parse_uuid(const char *s, uint8_t b[16]);
int rpc_parse_hex(const char *s, uint8_t *b, size_t n);

#endif /* NVMF_TGT_RPC_INTERNAL_H */
