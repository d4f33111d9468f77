/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run_cmd.h - helpers of integration tests that drive the project's
 * programs as child processes: run a command and collect its output and
 * exit status (bounded in time), free and open loopback ports, read a file,
 * rewrite text, and read the JSON the tools print. Header-only (each test
 * is its own program); include <cmocka.h> first.
 */
#ifndef NVMF_TGT_TESTS_RUN_CMD_H
#define NVMF_TGT_TESTS_RUN_CMD_H

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util_json.h"

struct result {
	int status; /* exit status, or -1 when killed (timeout) or signalled */
	char *out;
	char *err;
	double secs;
};

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/*
 * A TCP port on 127.0.0.1 that nothing uses now, below the kernel's
 * ephemeral range (32768 and up by default), so that no client connection
 * of this or another test (or its TIME_WAIT) takes it before the target
 * binds it. @return the port, or -1.
 */
static inline int free_port(void)
{
	static unsigned next;
	int port = -1;

	if (next == 0)
		next = (unsigned)getpid() * 37u;
	for (int tries = 0; tries < 1000 && port < 0; tries++) {
		struct sockaddr_in sa = {.sin_family = AF_INET};
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int p = 20000 + (int)(next++ % 12000u);

		sa.sin_port = htons((uint16_t)p);
		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			port = p;
		if (fd >= 0)
			close(fd);
	}
	return port;
}

static inline bool port_open(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static inline char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Write @text to @f with every @from replaced by @to. */
static inline void write_replaced(FILE *f, const char *text, const char *from, const char *to)
{
	const char *p;

	while ((p = strstr(text, from)) != NULL) {
		fwrite(text, 1, (size_t)(p - text), f);
		fputs(to, f);
		text = p + strlen(from);
	}
	fputs(text, f);
}

static inline void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* Read what is ready on @fd into the stream @m; @return false at EOF. */
static inline bool drain_fd(int fd, FILE *m)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0)
		fwrite(buf, 1, (size_t)n, m);
	return n > 0 || (n < 0 && errno == EINTR);
}

/*
 * Run @argv as user and group @uid (-1: as this process), collecting stdout
 * and stderr, killed after @timeout_s. Exit status 126: could not switch.
 */
static inline void run_cmd_as(char *const argv[], unsigned timeout_s, int uid, struct result *r)
{
	int po[2], pe[2], st = 0;
	size_t olen = 0, elen = 0;
	FILE *mo = open_memstream(&r->out, &olen), *me = open_memstream(&r->err, &elen);
	struct pollfd pfd[2];
	double start = now_s();
	pid_t pid;

	assert_true(pipe(po) == 0 && pipe(pe) == 0);
	pid = fork();
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(po[0]);
		close(pe[0]);
		if (uid >= 0 &&
		    (setgroups(0, NULL) != 0 || setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	pfd[0] = (struct pollfd){.fd = po[0], .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = pe[0], .events = POLLIN};
	while ((pfd[0].fd >= 0 || pfd[1].fd >= 0) && now_s() - start < timeout_s) {
		if (poll(pfd, 2, 200) <= 0)
			continue;
		for (int i = 0; i < 2; i++)
			if (pfd[i].fd >= 0 && pfd[i].revents && !drain_fd(pfd[i].fd, i ? me : mo))
				pfd[i].fd = -1;
	}
	if (pfd[0].fd >= 0 || pfd[1].fd >= 0)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(po[0]);
	close(pe[0]);
	fclose(mo);
	fclose(me);
	r->secs = now_s() - start;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * The programs under test and the example confs: $NVMF_TGT_BIN,
 * $NVMF_PERF_BIN, $NVME_IDENTIFY_BIN (default build/bin/...) and
 * $NVMF_CONF_DIR (conf/examples). A child dying makes no SIGPIPE kill us.
 */
static inline void test_bins_from_env(const char **tgt, const char **perf, const char **id,
				      const char **conf_dir)
{
	*tgt = env_or("NVMF_TGT_BIN", "build/bin/nvmf_tgt");
	*perf = env_or("NVMF_PERF_BIN", "build/bin/nvmf_perf");
	*id = env_or("NVME_IDENTIFY_BIN", "build/bin/nvme_identify");
	*conf_dir = env_or("NVMF_CONF_DIR", "conf/examples");
	signal(SIGPIPE, SIG_IGN);
}

/* Run @argv, collecting stdout and stderr, killed after @timeout_s. */
static inline void run_cmd(char *const argv[], unsigned timeout_s, struct result *r)
{
	run_cmd_as(argv, timeout_s, -1, r);
}

/*
 * The start of an nvmf_perf command line: @perf -r @trid -q 8 -o 4096 -w
 * @workload -t @secs, in @argv; @return the number of words written (10).
 */
static inline int perf_argv(const char **argv, const char *perf, const char *trid,
			    const char *workload, const char *secs)
{
	const char *w[] = {perf, "-r", trid, "-q", "8", "-o", "4096", "-w", workload, "-t", secs};
	int n = (int)(sizeof(w) / sizeof(w[0]));

	memcpy(argv, w, sizeof(w));
	return n;
}

static inline struct json_value *parse_json(const char *text)
{
	struct json_value *v = NULL;
	struct json_error err;

	if (json_parse(text, strlen(text), NULL, &v, &err) != 0)
		fail_msg("output is not JSON (%s at line %u): %s", err.msg, err.line, text);
	return v;
}

static inline uint64_t json_u64(const struct json_value *obj, const char *key)
{
	uint64_t v = 0;

	if (json_get_uint64(json_obj_get(obj, key), &v) != 0)
		fail_msg("no unsigned integer '%s' in the JSON output", key);
	return v;
}

static inline double json_dbl(const struct json_value *obj, const char *key)
{
	double v = 0;

	if (json_get_double(json_obj_get(obj, key), &v) != 0)
		fail_msg("no number '%s' in the JSON output", key);
	return v;
}

static inline void expect_exit(const struct result *r, int status)
{
	if (r->status != status)
		fail_msg("exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", r->status, status,
			 r->out, r->err);
}

#endif /* NVMF_TGT_TESTS_RUN_CMD_H */
