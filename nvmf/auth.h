/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * auth.h - DH-HMAC-CHAP on the target (nvmf/ only, and its unit tests):
 * one transaction context per queue that must authenticate.
 *
 * Life: created on the main thread by the Connect of a host that has a
 * secret (nvmf_auth_create), handed to the queue's poll group with the
 * Connect's answer (ATR set), run there by Authentication Send / Receive,
 * freed with the connection. Until the first transaction succeeds every
 * other command but Disconnect gets Authentication Required.
 *
 * Steps of one transaction (controller's view):
 *
 *   NEGOTIATE --Send Negotiate--> CHALLENGE --Recv--> REPLY --Send Reply-->
 *   SUCCESS1 --Recv--> DONE, or (bidirectional) SUCCESS2 --Send Success2--> DONE
 *
 * Any unexpected or bad message moves to FAILURE1 (reported by the next
 * Receive), then FAILED; the queue is closed shortly after (a controller
 * whose admin queue failed is freed). DONE takes a new Negotiate
 * (re-authentication) while the queue keeps running commands.
 */
#ifndef NVMF_TGT_NVMF_AUTH_H
#define NVMF_TGT_NVMF_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "util_dhchap.h"

#define NVMF_AUTH_TIMEOUT_MS 10000    /* the host's turn at any step of a transaction */
#define NVMF_AUTH_CLOSE_GRACE_MS 1000 /* after a failure: time for the host to read it */

struct nvmf_conn;
struct nvmf_host;
struct nvmf_poll_group;
struct nvmf_request;
struct nvmf_subsystem;

enum nvmf_auth_step {
	NVMF_AUTH_NEGOTIATE = 0,
	NVMF_AUTH_CHALLENGE,
	NVMF_AUTH_REPLY,
	NVMF_AUTH_SUCCESS1,
	NVMF_AUTH_SUCCESS2,
	NVMF_AUTH_FAILURE1,
	NVMF_AUTH_DONE,
	NVMF_AUTH_FAILED,
};

struct nvmf_auth {
	enum nvmf_auth_step step;
	bool authenticated; /* a transaction succeeded: the queue runs commands */
	bool bidir;
	uint16_t t_id;
	uint8_t hash_id, gid, hl, fail_exp;
	uint32_t s1, s2, last_s2;
	uint8_t c1[DHCHAP_MAX_HASH_LEN], c2[DHCHAP_MAX_HASH_LEN];
	uint8_t hkey[DHCHAP_MAX_KEY_LEN]; /* host secret, transformed */
	uint8_t ckey[DHCHAP_MAX_KEY_LEN]; /* controller secret, transformed */
	uint8_t hkey_len, ckey_len;       /* ckey_len 0: no controller secret */
	struct dhchap_dh *dh;
	uint8_t skey[DHCHAP_MAX_DH_LEN]; /* g^xy mod p */
	uint8_t hashes[3], nhashes;      /* allowed, in order of preference */
	uint8_t groups[6], ngroups;
	uint64_t deadline; /* ticks; 0: none */
	char hostnqn[224];
	char subnqn[224];
};

/**
 * The context for a Connect of @hostnqn to @ss (main thread): NULL in
 * *@out when the host has no secret (no authentication).
 * @return 0, -ENOMEM or -EIO (a secret could not be transformed).
 */
int nvmf_auth_create(struct nvmf_subsystem *ss, const char *hostnqn, struct nvmf_auth **out);
/** Wipe and free @a; NULL is ignored. */
void nvmf_auth_free(struct nvmf_auth *a);
/** May @c run commands other than Connect, Disconnect and authentication? */
bool nvmf_auth_ok(const struct nvmf_conn *c);
/** Arm @c's first transaction (its group, Connect answered). */
void nvmf_auth_start(struct nvmf_conn *c);
/** Authentication Send / Receive on @req's queue (group thread); completes @req. */
void nvmf_auth_send(struct nvmf_request *req);
void nvmf_auth_recv(struct nvmf_request *req);
/**
 * @c is going away (its group, before its queue is freed): log it as a
 * failed authentication when it had to authenticate and never did, nor
 * had a failure logged (a host that closed instead of authenticating).
 */
void nvmf_auth_closed(const struct nvmf_conn *c);
/** Close the queues of @pg whose transaction ran out of time or failed. */
void nvmf_auth_timers(struct nvmf_poll_group *pg, uint64_t now);
/** Free a host entry, its secrets wiped (main thread). */
void nvmf_host_free(struct nvmf_host *h);

#endif /* NVMF_TGT_NVMF_AUTH_H */
