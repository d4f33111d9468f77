/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ana_log_test.c - the host's reading of an ANA log page: a namespace's
 * state found by its group or by the NSID lists (descriptors only 4-byte
 * aligned after an odd NSID count), absent ones, and logs cut short or
 * claiming more descriptors than they hold.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nvme.h"
#include "nvme_spec_log.h"

struct log {
	uint8_t buf[1024];
	size_t len;
	uint16_t ndesc;
};

static void log_init(struct log *l)
{
	memset(l, 0, sizeof(*l));
	l->len = sizeof(struct nvme_ana_log_hdr);
}

static void log_add(struct log *l, uint32_t grp, uint8_t state, const uint32_t *nsids, uint32_t n)
{
	struct nvme_ana_group_desc d;

	memset(&d, 0, sizeof(d));
	d.anagrpid = grp;
	d.nnsids = n;
	d.state = state;
	memcpy(l->buf + l->len, &d, sizeof(d));
	l->len += sizeof(d);
	if (n)
		memcpy(l->buf + l->len, nsids, n * sizeof(uint32_t));
	l->len += n * sizeof(uint32_t);
	l->ndesc++;
	memcpy(l->buf + offsetof(struct nvme_ana_log_hdr, num_ana_group_desc), &l->ndesc,
	       sizeof(l->ndesc));
}

/* Groups 1 (NSIDs 1, 2, 7: optimized), 2 (NSID 3: inaccessible), 5 (none: change). */
static void three_groups(struct log *l)
{
	const uint32_t g1[] = {1, 2, 7}, g2[] = {3};

	log_init(l);
	log_add(l, 1, NVME_ANA_OPTIMIZED, g1, 3);
	log_add(l, 2, NVME_ANA_INACCESSIBLE, g2, 1);
	log_add(l, 5, NVME_ANA_CHANGE, NULL, 0);
}

static void test_by_group(void **state)
{
	struct log l;

	(void)state;
	three_groups(&l);
	assert_int_equal(nvme_ana_log_find(l.buf, l.len, 1, 9), NVME_ANA_OPTIMIZED);
	assert_int_equal(nvme_ana_log_find(l.buf, l.len, 2, 9), NVME_ANA_INACCESSIBLE);
	/* A group with no NSID listed (as with RGO) is still found by its ID. */
	assert_int_equal(nvme_ana_log_find(l.buf, l.len, 5, 9), NVME_ANA_CHANGE);
	assert_int_equal(nvme_ana_log_find(l.buf, l.len, 4, 9), -ENOENT);
}

static void test_by_nsid(void **state)
{
	struct log l;

	(void)state;
	three_groups(&l);
	assert_int_equal(nvme_ana_log_find(l.buf, l.len, 0, 7), NVME_ANA_OPTIMIZED);
	/* After group 1's three NSIDs the next descriptor is not 8-byte aligned. */
	assert_int_equal(nvme_ana_log_find(l.buf, l.len, 0, 3), NVME_ANA_INACCESSIBLE);
	assert_int_equal(nvme_ana_log_find(l.buf, l.len, 0, 4), -ENOENT);
}

static void test_malformed(void **state)
{
	struct log l;
	uint16_t more = 9;

	(void)state;
	three_groups(&l);
	assert_int_equal(nvme_ana_log_find(l.buf, 8, 1, 1), -EPROTO);
	/* Group 2's descriptor cut in its NSID list. */
	assert_int_equal(nvme_ana_log_find(l.buf, 16 + 32 + 12 + 32, 0, 3), -EPROTO);
	/* The first group is still read in a log cut after it. */
	assert_int_equal(nvme_ana_log_find(l.buf, 16 + 32 + 12, 1, 1), NVME_ANA_OPTIMIZED);
	/* More descriptors claimed than the log holds. */
	memcpy(l.buf + offsetof(struct nvme_ana_log_hdr, num_ana_group_desc), &more, sizeof(more));
	assert_int_equal(nvme_ana_log_find(l.buf, l.len, 0, 4), -EPROTO);
	/* A state's upper bits are reserved. */
	three_groups(&l);
	l.buf[16 + offsetof(struct nvme_ana_group_desc, state)] |= 0xF0;
	assert_int_equal(nvme_ana_log_find(l.buf, l.len, 1, 1), NVME_ANA_OPTIMIZED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_by_group),
	    cmocka_unit_test(test_by_nsid),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
