/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tgt_child.h - run build/bin/nvmf_tgt as a child process of an integration
 * test: write a conf file, start the target, wait (bounded) until it
 * accepts TCP connections, stop it with SIGTERM and report how it exited.
 * Header-only (each test is its own program).
 */
#ifndef NVMF_TGT_TESTS_TGT_CHILD_H
#define NVMF_TGT_TESTS_TGT_CHILD_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct tgt_child {
	pid_t pid;
	int port;
	char conf[64];
	const char *rpc_sock; /**< passed as -r when not NULL */
};

/** Write @text to a new temporary conf file (path in @t->conf). @return 0 or -1. */
static inline int tgt_child_write_conf(struct tgt_child *t, const char *text)
{
	FILE *f;
	int fd;

	snprintf(t->conf, sizeof(t->conf), "/tmp/nvmf_test_conf.XXXXXX");
	fd = mkstemp(t->conf);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return -1;
	}
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

static inline int tgt_child_probe(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	if (fd < 0)
		return -1;
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok ? 0 : -1;
}

/**
 * Start the target binary ($NVMF_TGT_BIN, default build/bin/nvmf_tgt) on
 * @t->conf and wait up to 10 s until 127.0.0.1:@t->port accepts.
 * @return 0, or -1 (the child is reaped).
 */
static inline int tgt_child_start(struct tgt_child *t)
{
	const char *bin = getenv("NVMF_TGT_BIN");
	int i;

	if (bin == NULL || bin[0] == '\0')
		bin = "build/bin/nvmf_tgt";
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		execl(bin, bin, "-c", t->conf, t->rpc_sock ? "-r" : (char *)NULL, t->rpc_sock,
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		if (tgt_child_probe(t->port) == 0)
			return 0;
		if (waitpid(t->pid, NULL, WNOHANG) == t->pid) {
			fprintf(stderr, "%s exited before listening on port %d\n", bin, t->port);
			t->pid = 0;
			return -1;
		}
		usleep(100000);
	}
	fprintf(stderr, "%s did not listen on port %d within 10 s\n", bin, t->port);
	kill(t->pid, SIGKILL);
	waitpid(t->pid, NULL, 0);
	t->pid = 0;
	return -1;
}

/**
 * SIGTERM the target, wait up to 10 s, remove the conf file.
 * @return the exit code (0 on a clean stop), or -1 (killed / signalled).
 */
static inline int tgt_child_stop(struct tgt_child *t)
{
	int st = 0, i;
	pid_t r = 0;

	unlink(t->conf);
	if (t->pid <= 0)
		return -1;
	kill(t->pid, SIGTERM);
	for (i = 0; i < 100 && (r = waitpid(t->pid, &st, WNOHANG)) == 0; i++)
		usleep(100000);
	if (r != t->pid) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
		t->pid = 0;
		return -1;
	}
	t->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif /* NVMF_TGT_TESTS_TGT_CHILD_H */
