/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rdma_req_test.c - the NVMe/RDMA request state machine (transport/rdma/
 * rdma_req.c): every transition of the life cycle it documents is accepted
 * by nvmf_rdma_req_set_state(), and every other one stops the process
 * (checked in a child, which must die of SIGABRT with its state unchanged
 * until then). The expected transitions are written out here from the
 * documented life cycle, not read from the table under test.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "transport/rdma/rdma_internal.h"

#define NSTATES NVMF_RDMA_REQ_NSTATES

/* legal[from][to]: the life cycle of rdma_req.c's header comment. */
static bool legal[NSTATES][NSTATES];

static void allow(enum nvmf_rdma_req_state from, enum nvmf_rdma_req_state to)
{
	legal[from][to] = true;
}

static int setup(void **state)
{
	(void)state;
	memset(legal, 0, sizeof(legal));
	/* Any state may end in FREE: done, failed, or the connection closing. */
	for (int s = 0; s < NSTATES; s++)
		allow((enum nvmf_rdma_req_state)s, NVMF_RDMA_REQ_FREE);
	/* No data or in-capsule data: straight to the core. */
	allow(NVMF_RDMA_REQ_FREE, NVMF_RDMA_REQ_EXEC);
	/* Host data by RDMA READ: buffers, maybe a wait for credits, READ. */
	allow(NVMF_RDMA_REQ_FREE, NVMF_RDMA_REQ_NEED_BUF);
	allow(NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_NEED_READ);
	allow(NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_READING);
	allow(NVMF_RDMA_REQ_NEED_READ, NVMF_RDMA_REQ_READING);
	allow(NVMF_RDMA_REQ_READING, NVMF_RDMA_REQ_EXEC);
	/* Controller data: buffers, then the core. */
	allow(NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_EXEC);
	/* The response, maybe after a wait for send queue slots; a request
	 * failed before the core saw it answers from FREE. */
	allow(NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_SENDING);
	allow(NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_NEED_SEND);
	allow(NVMF_RDMA_REQ_FREE, NVMF_RDMA_REQ_SENDING);
	allow(NVMF_RDMA_REQ_FREE, NVMF_RDMA_REQ_NEED_SEND);
	allow(NVMF_RDMA_REQ_NEED_SEND, NVMF_RDMA_REQ_SENDING);
	return 0;
}

static void req_init(struct nvmf_rdma_req *req, enum nvmf_rdma_req_state s)
{
	memset(req, 0, sizeof(*req));
	req->idx = 5;
	req->state = s;
}

static void test_legal_accepted(void **state)
{
	struct nvmf_rdma_req req;
	int n = 0;

	(void)state;
	for (int from = 0; from < NSTATES; from++) {
		for (int to = 0; to < NSTATES; to++) {
			if (!legal[from][to])
				continue;
			req_init(&req, (enum nvmf_rdma_req_state)from);
			nvmf_rdma_req_set_state(&req, (enum nvmf_rdma_req_state)to);
			assert_int_equal(req.state, to);
			n++;
		}
	}
	/* 7 ways into FREE and the 12 steps of the life cycle. */
	assert_int_equal(n, NSTATES + 12);
}

/* In a child: @from -> @to. @return true when the child died of SIGABRT. */
static bool change_aborts(enum nvmf_rdma_req_state from, enum nvmf_rdma_req_state to)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct nvmf_rdma_req req;
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDERR_FILENO); /* the refusal's log line */
		req_init(&req, from);
		nvmf_rdma_req_set_state(&req, to);
		_exit(req.state == to ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void test_illegal_refused(void **state)
{
	int n = 0;

	(void)state;
	for (int from = 0; from < NSTATES; from++) {
		for (int to = 0; to < NSTATES; to++) {
			if (legal[from][to])
				continue;
			if (!change_aborts((enum nvmf_rdma_req_state)from,
					   (enum nvmf_rdma_req_state)to))
				fail_msg("state change %d -> %d was accepted", from, to);
			n++;
		}
	}
	assert_int_equal(n, NSTATES * NSTATES - (NSTATES + 12));
}

/* The paths of the documented life cycle, one request walking each. */
static void test_life_cycles(void **state)
{
	static const enum nvmf_rdma_req_state paths[][7] = {
	    {NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_NEED_READ, NVMF_RDMA_REQ_READING,
	     NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_READING, NVMF_RDMA_REQ_EXEC,
	     NVMF_RDMA_REQ_NEED_SEND, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_EXEC, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_SEND, NVMF_RDMA_REQ_SENDING, NVMF_RDMA_REQ_FREE},
	    {NVMF_RDMA_REQ_NEED_BUF, NVMF_RDMA_REQ_NEED_READ, NVMF_RDMA_REQ_FREE},
	};
	struct nvmf_rdma_req req;

	(void)state;
	req_init(&req, NVMF_RDMA_REQ_FREE);
	for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
		/* Each path ends in FREE (as do the zeroed entries after it). */
		for (size_t i = 0; i < 7; i++) {
			nvmf_rdma_req_set_state(&req, paths[p][i]);
			assert_int_equal(req.state, paths[p][i]);
			if (paths[p][i] == NVMF_RDMA_REQ_FREE)
				break;
		}
		assert_int_equal(req.state, NVMF_RDMA_REQ_FREE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_legal_accepted),
	    cmocka_unit_test(test_illegal_refused),
	    cmocka_unit_test(test_life_cycles),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
