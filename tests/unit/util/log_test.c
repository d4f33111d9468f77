/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log_test.c - log line format, truncation, level parsing and filtering
 * (stderr captured through a pipe), and whole lines under concurrent writers.
 */
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

#define TS_RE "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6} "

static int fmt(char *buf, size_t len, enum log_level lvl, const char *comp, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = log_format(buf, len, lvl, comp, f, ap);
	va_end(ap);
	return n;
}

static void assert_matches(const char *s, const char *re)
{
	regex_t r;

	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	int rc = regexec(&r, s, 0, NULL, 0);

	regfree(&r);
	if (rc != 0)
		fail_msg("\"%s\" does not match /%s/", s, re);
}

/* ------------------------------------------------------- stderr capture */

struct capture {
	int saved;
	int rd;
};

static void capture_begin(struct capture *c)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	c->rd = p[0];
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(p[1], STDERR_FILENO) >= 0);
	close(p[1]);
}

/* Restore stderr and return what was written (up to @len - 1 bytes). */
static size_t capture_end(struct capture *c, char *out, size_t len)
{
	size_t got = 0;
	ssize_t n;

	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	while (got + 1 < len && (n = read(c->rd, out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(c->rd);
	return got;
}

/* ---------------------------------------------------------------- tests */

/* Runs first: nothing has set the level yet. */
static void test_default_level(void **state)
{
	(void)state;
	assert_int_equal(log_get_level(), LOG_LEVEL_NOTICE);
}

static void test_format_levels(void **state)
{
	static const char *names[] = {"error", "warn", "notice", "info", "debug"};
	char buf[256], re[256];

	(void)state;
	for (int l = LOG_LEVEL_ERROR; l <= LOG_LEVEL_DEBUG; l++) {
		int n = fmt(buf, sizeof(buf), l, "tcp", "qpair %d: %s", 7, "gone");

		assert_int_equal(n, (int)strlen(buf));
		snprintf(re, sizeof(re), TS_RE "\\[%s\\] tcp: qpair 7: gone\n$", names[l]);
		assert_matches(buf, re);
		assert_string_equal(log_level_name(l), names[l]);
	}
	assert_string_equal(log_level_name((enum log_level)9), "?");
}

static void test_format_timestamp_is_now(void **state)
{
	char buf[128];
	struct tm tm = {0};
	time_t before = time(NULL);

	(void)state;
	fmt(buf, sizeof(buf), LOG_LEVEL_INFO, "x", "y");
	time_t after = time(NULL);

	assert_non_null(strptime(buf, "%Y-%m-%d %H:%M:%S", &tm));
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);

	assert_true(t >= before - 1 && t <= after + 1);
}

static void test_format_component_and_newline(void **state)
{
	char buf[128];

	(void)state;
	fmt(buf, sizeof(buf), LOG_LEVEL_WARN, NULL, "no tag");
	assert_matches(buf, TS_RE "\\[warn\\] no tag\n$");
	fmt(buf, sizeof(buf), LOG_LEVEL_WARN, "", "empty tag");
	assert_matches(buf, TS_RE "\\[warn\\] empty tag\n$");
	int n = fmt(buf, sizeof(buf), LOG_LEVEL_WARN, "conf", "line %d\n", 3);

	assert_matches(buf, TS_RE "\\[warn\\] conf: line 3\n$");
	assert_int_equal(n, (int)strlen(buf));
	errno = ENOENT;
	fmt(buf, sizeof(buf), LOG_LEVEL_ERROR, "file", "open: %m");
	assert_matches(buf, "\\[error\\] file: open: No such file or directory\n$");
	assert_int_equal(errno, ENOENT);
}

static void test_format_truncated(void **state)
{
	char big[512], buf[48 + 8];
	char msg[300];

	(void)state;
	memset(msg, 'a', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	int full = fmt(big, sizeof(big), LOG_LEVEL_NOTICE, "nvmf", "%s", msg);

	assert_int_equal(full, (int)strlen(big));
	memset(buf, '#', sizeof(buf));
	int n = fmt(buf, 48, LOG_LEVEL_NOTICE, "nvmf", "%s", msg);

	assert_int_equal(n, full); /* as snprintf: the length it would have */
	assert_int_equal(strlen(buf), 47);
	assert_string_equal(buf + 43, "...\n");
	assert_memory_equal(buf + 27, big + 27, 43 - 27); /* after the time stamp */
	for (size_t i = 48; i < sizeof(buf); i++)
		assert_int_equal(buf[i], '#');

	/* Tiny buffers: never written past, always terminated. */
	for (size_t len = 1; len < 6; len++) {
		memset(buf, '#', sizeof(buf));
		assert_int_equal(fmt(buf, len, LOG_LEVEL_NOTICE, "n", "%s", msg), full - 3);
		assert_int_equal(strlen(buf), len - 1);
		assert_int_equal(buf[len], '#');
	}
	assert_int_equal(fmt(NULL, 0, LOG_LEVEL_NOTICE, "nvmf", "%s", msg), full);
}

static void test_level_parse(void **state)
{
	static const char *ok[] = {"error", "warn", "notice", "info", "debug"};
	static const char *bad[] = {"", "warning", "err", "debug2", "trace", " info", "5"};
	enum log_level l;

	(void)state;
	for (int i = 0; i < 5; i++) {
		l = (enum log_level)99;
		assert_int_equal(log_level_parse(ok[i], &l), 0);
		assert_int_equal(l, i);
	}
	assert_int_equal(log_level_parse("DEBUG", &l), 0);
	assert_int_equal(l, LOG_LEVEL_DEBUG);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		l = LOG_LEVEL_INFO;
		assert_int_equal(log_level_parse(bad[i], &l), -EINVAL);
		assert_int_equal(l, LOG_LEVEL_INFO);
	}
	assert_int_equal(log_level_parse(NULL, &l), -EINVAL);
	assert_int_equal(log_level_parse("info", NULL), -EINVAL);
}

static void test_filtering(void **state)
{
	struct capture c;
	char out[4096];

	(void)state;
	log_set_level(LOG_LEVEL_NOTICE);
	capture_begin(&c);
	log_debug("tcp", "dropped debug");
	log_info("tcp", "dropped info");
	log_error("tcp", "kept error %d", 1);
	log_warn("tcp", "kept warn");
	log_notice("tcp", "kept notice");
	capture_end(&c, out, sizeof(out));

	assert_null(strstr(out, "dropped"));
	assert_matches(out, TS_RE "\\[error\\] tcp: kept error 1\n[^\n]+\\[warn\\] tcp: kept "
				  "warn\n[^\n]+\\[notice\\] tcp: kept notice\n$");

	log_set_level(LOG_LEVEL_ERROR);
	capture_begin(&c);
	log_warn("tcp", "dropped warn");
	log_error("tcp", "only error");
	capture_end(&c, out, sizeof(out));
	assert_matches(out, TS_RE "\\[error\\] tcp: only error\n$");

	log_set_level(LOG_LEVEL_DEBUG);
	assert_int_equal(log_get_level(), LOG_LEVEL_DEBUG);
	capture_begin(&c);
	log_debug("rdma", "now debug");
	capture_end(&c, out, sizeof(out));
	assert_matches(out, TS_RE "\\[debug\\] rdma: now debug\n$");

	log_set_level((enum log_level)42);
	assert_int_equal(log_get_level(), LOG_LEVEL_DEBUG);
	log_set_level(LOG_LEVEL_NOTICE);
}

static void test_msg_truncated(void **state)
{
	struct capture c;
	char out[2 * LOG_LINE_MAX];
	char *msg = malloc(5000);

	(void)state;
	assert_non_null(msg);
	memset(msg, 'z', 4999);
	msg[4999] = '\0';
	log_set_level(LOG_LEVEL_NOTICE);
	capture_begin(&c);
	log_error("bdev", "%s", msg);
	size_t n = capture_end(&c, out, sizeof(out));

	free(msg);
	assert_int_equal(n, LOG_LINE_MAX - 1);
	assert_string_equal(out + n - 4, "...\n");
	assert_matches(out, TS_RE "\\[error\\] bdev: z+\\.\\.\\.\n$");
}

#define THREADS 4
#define LINES 300

static void *writer(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < LINES; i++)
		log_notice("t", "writer %ld line %d %0100d", id, i, 0);
	return NULL;
}

struct reader {
	int fd;
	char *buf;
	size_t len, got;
};

static void *reader(void *arg)
{
	struct reader *r = arg;
	ssize_t n;

	while (r->got < r->len && (n = read(r->fd, r->buf + r->got, r->len - r->got)) > 0)
		r->got += (size_t)n;
	return NULL;
}

/* Lines written from several threads at once arrive whole. */
static void test_threads_whole_lines(void **state)
{
	struct capture c;
	pthread_t w[THREADS], rt;
	struct reader r = {.len = THREADS * LINES * 256};
	int count[THREADS] = {0};

	(void)state;
	r.buf = calloc(1, r.len + 1);
	assert_non_null(r.buf);
	capture_begin(&c);
	r.fd = c.rd;
	pthread_create(&rt, NULL, reader, &r);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&w[i], NULL, writer, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(w[i], NULL);
	dup2(c.saved, STDERR_FILENO); /* closes the last write end: EOF */
	close(c.saved);
	pthread_join(rt, NULL);
	close(c.rd);

	int lines = 0;
	for (char *save, *l = strtok_r(r.buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		long id;
		int no;

		assert_matches(l, TS_RE "\\[notice\\] t: writer [0-3] line [0-9]+ 0{100}$");
		assert_int_equal(sscanf(strstr(l, "writer"), "writer %ld line %d", &id, &no), 2);
		assert_int_equal(no, count[id]++); /* each thread's lines in order */
		lines++;
	}
	assert_int_equal(lines, THREADS * LINES);
	free(r.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_level),
	    cmocka_unit_test(test_format_levels),
	    cmocka_unit_test(test_format_timestamp_is_now),
	    cmocka_unit_test(test_format_component_and_newline),
	    cmocka_unit_test(test_format_truncated),
	    cmocka_unit_test(test_level_parse),
	    cmocka_unit_test(test_filtering),
	    cmocka_unit_test(test_msg_truncated),
	    cmocka_unit_test(test_threads_whole_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
