/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpc.h - run-time control: a JSON-RPC 2.0 server on a Unix socket, with
 * the method names and parameter names of SPDK's target, over the public
 * nvmf API (nvmf.h). Also the pieces a client needs (stream framing,
 * writing a parsed value back out).
 *
 * Wire: requests are JSON objects sent back to back on a stream socket,
 * no delimiter needed; each response is one JSON object. Batches (arrays)
 * are refused. The server runs on the target's main thread, from
 * nvmf_tgt_set_main_poller(): it never blocks and does bounded work per
 * call; every client has its own buffers.
 *
 * Thread safety: none; everything here belongs to the main thread.
 */
#ifndef NVMF_TGT_RPC_H
#define NVMF_TGT_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util_json.h"

struct nvmf_tgt;
struct rpc_server;

/** Where nvmf_tgt listens unless told otherwise (as SPDK's target). */
#define RPC_DEFAULT_SOCKET "/var/tmp/nvmf_tgt.sock"
/** Largest request, bytes; a client that sends more gets an error and is closed. */
#define RPC_MAX_REQUEST (1024u * 1024)
/** Clients served at once; more are told so and closed. */
#define RPC_MAX_CLIENTS 64

/* JSON-RPC 2.0 error codes. Failures of a valid call carry a negative errno. */
#define RPC_ERR_PARSE (-32700)
#define RPC_ERR_INVALID_REQUEST (-32600)
#define RPC_ERR_METHOD_NOT_FOUND (-32601)
#define RPC_ERR_INVALID_PARAMS (-32602)
#define RPC_ERR_INTERNAL (-32603)

/* ---------------------------------------------------------------- framing */

/** State of a scan for the end of one JSON value in a byte stream. */
struct rpc_frame {
	size_t pos;     /**< bytes scanned so far */
	size_t start;   /**< where the value starts, once started */
	uint32_t depth; /**< open objects/arrays */
	bool started;
	bool in_str;
	bool esc;
};

/** Start scanning a new value at offset 0. */
void rpc_frame_reset(struct rpc_frame *f);

/**
 * Scan @buf (@len bytes, the same bytes as before plus more) from where
 * the last call stopped. Leading whitespace is skipped.
 * @return 1 with [@*start, @*end) the next complete object or array;
 *         0 when more bytes are needed; -EINVAL when the next value does
 *         not start with '{' or '[' (the stream cannot be resynchronised).
 */
int rpc_frame_next(struct rpc_frame *f, const char *buf, size_t len, size_t *start, size_t *end);

/* ------------------------------------------------------------- dispatcher */

/**
 * Handle one request (@len bytes of JSON text) against @tgt and write the
 * response object into @resp (an initialised, empty writer). A method that
 * can only answer later (nvmf_get_stats) fails here: use rpc_handle_later().
 * @return 1 when a response was written, 0 for a notification (no id: the
 *         call ran, nothing to send), -ENOMEM.
 */
int rpc_handle(struct nvmf_tgt *tgt, const char *req, size_t len, struct json_writer *resp);

/** Where the response of a call that a method finishes later goes. */
struct rpc_later {
	/**
	 * Called once, on the main thread, with the complete response; @text
	 * is NULL for a notification or when out of memory (nothing to send).
	 */
	void (*fn)(void *arg, const char *text, size_t len);
	void *arg;
};

/** A call whose method answers later (statistics gathered by message). */
struct rpc_call;

/** rpc_handle_later(): the response will come through the rpc_later. */
#define RPC_HANDLE_LATER 2

/**
 * rpc_handle(), where a method may also answer later: then @later (copied)
 * gets the response from a later main-loop poll, @resp is left empty and
 * @*call names the call until then.
 * @return as rpc_handle(), or RPC_HANDLE_LATER.
 */
int rpc_handle_later(struct nvmf_tgt *tgt, const char *req, size_t len, struct json_writer *resp,
		     const struct rpc_later *later, struct rpc_call **call);

/** The response of @call is no longer wanted (its client left): it is dropped. */
void rpc_call_cancel(struct rpc_call *call);

/**
 * Call @cb with each method name the server knows, in the order listed by
 * rpc_get_methods.
 */
void rpc_foreach_method(void (*cb)(void *arg, const char *name), void *arg);

/* ----------------------------------------------------------------- server */

/**
 * Listen on Unix socket @path (mode 0600; a stale socket file there is
 * replaced, a live one is not) and serve @tgt. Call rpc_server_poll()
 * from the main loop (rpc_server_main_poll fits nvmf_tgt_set_main_poller).
 * @return 0, -EADDRINUSE (a live server answers there), -ENAMETOOLONG,
 *         -ENOMEM or the errno of socket/bind/listen/chmod.
 */
int rpc_server_create(struct nvmf_tgt *tgt, const char *path, struct rpc_server **out);

/**
 * Accept, read, run and answer, without blocking; bounded work. Reads
 * the clock every 64th call and looks at the sockets at most once per
 * millisecond.
 * @return NVMF_POLL_BUSY when it did something, else NVMF_POLL_IDLE.
 */
int rpc_server_poll(struct rpc_server *srv);

/** An fd readable when rpc_server_poll() has work (for nvmf_tgt_set_main_wait_fd()). */
int rpc_server_wait_fd(const struct rpc_server *srv);

/** rpc_server_poll() with a void pointer, for nvmf_tgt_set_main_poller(). */
int rpc_server_main_poll(void *srv);

/** Close every client and the socket, remove the socket file, free. NULL ok. */
void rpc_server_destroy(struct rpc_server *srv);

#endif /* NVMF_TGT_RPC_H */
