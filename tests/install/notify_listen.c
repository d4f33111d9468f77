/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * notify_listen - play the service manager's side of the readiness
 * protocol for one program: own a unix datagram socket, start the program
 * with NOTIFY_SOCKET naming it, and check what it says and when.
 *
 *   notify_listen [-a] PORT SECONDS -- PROGRAM [ARGS...]
 *
 * -a uses an abstract socket ("@name") instead of a path. Checks, one
 * "ok:" or "FAIL:" line each:
 *   - while READY=1 is being sent, 127.0.0.1:PORT already accepts
 *     connections;
 *   - READY=1 is the first message and arrives within SECONDS;
 *   - after SIGTERM, STOPPING=1 arrives and the program exits 0.
 *
 * The first check is exact, not a race: before the program starts, the
 * socket's queue is filled with our own datagrams, so the program's first
 * send blocks. Once /proc says the program sits in sendto(), the port is
 * probed, and only then is the queue drained and READY=1 let through.
 * Exit status: 0 when every check passed, 1 otherwise, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILLER "FILLER"

struct listener {
	int fd;
	struct sockaddr_un sa;
	socklen_t sa_len;
	unsigned n_fill; /* our datagrams in the queue */
	pid_t child;
	int port;
	int seconds;
	int failures;
	char dir[64]; /* path mode: the private folder of the socket */
	char name[108];
};

static void check(struct listener *l, int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	fflush(stdout);
	l->failures += !ok;
}

static int port_accepts(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* Bind the datagram socket and export its name in NOTIFY_SOCKET. */
static int listener_open(struct listener *l, int abstract)
{
	l->sa.sun_family = AF_UNIX;
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return -1;
	if (abstract) {
		snprintf(l->name, sizeof(l->name), "@nvmf-notify-test-%d", (int)getpid());
		memcpy(l->sa.sun_path + 1, l->name + 1, strlen(l->name) - 1);
		l->sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(l->name));
	} else {
		snprintf(l->dir, sizeof(l->dir), "/tmp/nvmf-notify.XXXXXX");
		if (!mkdtemp(l->dir))
			return -1;
		snprintf(l->name, sizeof(l->name), "%s/notify", l->dir);
		snprintf(l->sa.sun_path, sizeof(l->sa.sun_path), "%s", l->name);
		l->sa_len = sizeof(l->sa);
	}
	if (bind(l->fd, (struct sockaddr *)&l->sa, l->sa_len) != 0)
		return -1;
	return setenv("NOTIFY_SOCKET", l->name, 1);
}

/* Fill the queue until the next sender would block. @return 0 or -1. */
static int listener_fill(struct listener *l)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	while (l->n_fill < 10000 && sendto(fd, FILLER, strlen(FILLER), MSG_DONTWAIT,
					   (struct sockaddr *)&l->sa, l->sa_len) >= 0)
		l->n_fill++;
	close(fd);
	return l->n_fill > 0 && l->n_fill < 10000 ? 0 : -1;
}

static void listener_close(struct listener *l)
{
	if (l->fd >= 0)
		close(l->fd);
	if (l->dir[0]) {
		unlink(l->name);
		rmdir(l->dir);
	}
}

/* Wait until the child's main thread blocks in sendto(). @return 1, or 0. */
static int child_in_sendto(struct listener *l)
{
	char path[64], line[256];
	FILE *f;
	long nr;
	int found;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)l->child);
	for (int i = 0; i < l->seconds * 1000; i++) {
		if (waitpid(l->child, NULL, WNOHANG) == l->child) {
			fprintf(stderr, "notify_listen: the program exited early\n");
			l->child = 0;
			return 0;
		}
		f = fopen(path, "r");
		found = f && fgets(line, sizeof(line), f) && sscanf(line, "%ld", &nr) == 1 &&
			nr == SYS_sendto;
		if (f)
			fclose(f);
		if (found)
			return 1;
		usleep(1000);
	}
	return 0;
}

/* The next message that is not ours, within the time limit; "" if none. */
static void next_message(struct listener *l, char *buf, size_t len)
{
	struct pollfd p = {.fd = l->fd, .events = POLLIN};
	ssize_t n;

	buf[0] = '\0';
	for (int waited = 0; waited < l->seconds * 10;) {
		if (poll(&p, 1, 100) != 1) {
			waited++;
			continue;
		}
		n = recv(l->fd, buf, len - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		if (l->n_fill == 0 || strcmp(buf, FILLER) != 0)
			return;
		l->n_fill--;
	}
	buf[0] = '\0';
}

static int wait_exit(struct listener *l)
{
	int st = 0;
	pid_t r = 0;

	for (int i = 0; i < l->seconds * 10 && (r = waitpid(l->child, &st, WNOHANG)) == 0; i++)
		usleep(100000);
	if (r != l->child) {
		kill(l->child, SIGKILL);
		waitpid(l->child, NULL, 0);
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void run(struct listener *l)
{
	char msg[256];
	int blocked = child_in_sendto(l);

	check(l, blocked && port_accepts(l->port),
	      "the port accepts connections while READY=1 is being sent");
	next_message(l, msg, sizeof(msg));
	check(l, strcmp(msg, "READY=1") == 0, "READY=1 is the first message");
	if (l->child <= 0)
		return;
	kill(l->child, SIGTERM);
	next_message(l, msg, sizeof(msg));
	check(l, strcmp(msg, "STOPPING=1") == 0, "STOPPING=1 follows SIGTERM");
	check(l, wait_exit(l) == 0, "the program exits 0 after SIGTERM");
}

int main(int argc, char **argv)
{
	struct listener l = {.fd = -1};
	int arg = 1, abstract = 0;

	if (arg < argc && strcmp(argv[arg], "-a") == 0) {
		abstract = 1;
		arg++;
	}
	if (argc - arg < 4 || strcmp(argv[arg + 2], "--") != 0) {
		fprintf(stderr, "usage: %s [-a] PORT SECONDS -- PROGRAM [ARGS...]\n", argv[0]);
		return 2;
	}
	l.port = atoi(argv[arg]);
	l.seconds = atoi(argv[arg + 1]);
	if (listener_open(&l, abstract) != 0 || listener_fill(&l) != 0) {
		perror("notify_listen: socket");
		listener_close(&l);
		return 1;
	}
	printf("NOTIFY_SOCKET=%s (%u datagrams queued first)\n", l.name, l.n_fill);
	fflush(stdout);
	l.child = fork();
	if (l.child == 0) {
		execv(argv[arg + 3], argv + arg + 3);
		_exit(127);
	}
	if (l.child > 0)
		run(&l);
	else
		check(&l, 0, "fork");
	listener_close(&l);
	return l.failures ? 1 : 0;
}
