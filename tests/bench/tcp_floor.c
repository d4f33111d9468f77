/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_floor - the bench's floor: the NVMe/TCP exchange with nothing behind
 * it, to show what bare loopback sockets reach on this machine in the same
 * minute as nvmf_tgt.
 *
 * A server pinned to one core reads 72-byte command capsules and answers a
 * read with a 24-byte C2HData header and IO_SIZE bytes of data (a write:
 * the capsule carries the data in-capsule, the answer is a 16-byte CQE in
 * an 8-byte header). Like the target, each loop is one recv() of up to
 * 64 KiB and one sendmsg() of up to 64 iovecs. A client pinned to another
 * core keeps QD commands in flight and sends the replacements of each batch
 * of completions in one send(). No parsing, no backend, no digests, no
 * allocation: what is left is the kernel's work per I/O. A benchmark tool:
 * it prints a figure and asserts nothing.
 *
 *   tcp_floor [-w read|write] [-q QD] [-o IO_SIZE] [-t SECONDS] [-a WARMUP]
 *             [-s SERVER_CORE] [-c CLIENT_CORE]
 *
 * Prints one line: "tcp_floor: read QD 32 IO 4096: IOPS 812345 avg_us 39.4"
 * (avg from Little's law: QD / IOPS).
 *
 * The wake-up floor, for idle.sh: -p PAUSE_MS makes the client send one
 * command at a time and spin PAUSE_MS after each answer, and prints the
 * mean and median of the measured round trips ("... pause 1000 ms sleep:
 * avg_us 95.2 p50_us 90.1 n 10"); -b makes the server block in
 * epoll_wait() whenever it has nothing to read, as an idle target does,
 * instead of spinning on recv().
 * The difference of the two is what a sleeping core costs this machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CMD_LEN 72u
#define C2H_HDR_LEN 24u
#define RSP_LEN 24u
#define RECV_LEN 65536u
#define IOV_MAX_SEND 64u
#define PAUSED_MAX 100000u /* round trips kept by -p */

struct opts {
	bool write;
	uint32_t qd;
	uint32_t io_size;
	double seconds;
	double warmup;
	int server_core;
	int client_core;
	uint32_t pause_ms; /* 0: keep QD in flight; else QD 1, a pause after each */
	bool block;        /* the server sleeps in epoll_wait() when idle */
};

static uint8_t rbuf[RECV_LEN];
static uint8_t *data; /* io_size bytes, what every read returns */
static uint8_t hdr[C2H_HDR_LEN];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pin(int core)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(core, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		fprintf(stderr, "tcp_floor: cannot pin to core %d: %s\n", core, strerror(errno));
}

static void die(const char *what)
{
	fprintf(stderr, "tcp_floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* One unit of the stream in the server's direction: its segments. */
static uint32_t answer_iov(const struct opts *o, struct iovec *iov)
{
	if (o->write) {
		iov[0] = (struct iovec){hdr, RSP_LEN};
		return 1;
	}
	iov[0] = (struct iovec){hdr, C2H_HDR_LEN};
	iov[1] = (struct iovec){data, o->io_size};
	return 2;
}

/* Iovecs for @owed answers, the first one @skip bytes in. @return count. */
static uint32_t gather(const struct opts *o, uint64_t owed, uint32_t skip, struct iovec *iov)
{
	struct iovec unit[2];
	uint32_t n = 0, k, i;

	k = answer_iov(o, unit);
	while (owed > 0 && n + k <= IOV_MAX_SEND) {
		for (i = 0; i < k; i++) {
			if (skip >= unit[i].iov_len) {
				skip -= (uint32_t)unit[i].iov_len;
				continue;
			}
			iov[n].iov_base = (uint8_t *)unit[i].iov_base + skip;
			iov[n++].iov_len = unit[i].iov_len - skip;
			skip = 0;
		}
		owed--;
	}
	return n;
}

static void serve(const struct opts *o, int fd)
{
	uint64_t in_len = o->write ? CMD_LEN + o->io_size : CMD_LEN;
	uint64_t out_len = o->write ? RSP_LEN : C2H_HDR_LEN + o->io_size;
	uint64_t in_bytes = 0, owed = 0, sent_part = 0;
	struct iovec iov[IOV_MAX_SEND];
	struct msghdr msg = {.msg_iov = iov};
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
	int ep = -1;
	ssize_t n;

	if (o->block && ((ep = epoll_create1(0)) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0))
		die("server epoll");
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN && owed == 0 && ep >= 0 &&
		    epoll_wait(ep, &ev, 1, -1) < 0 && errno != EINTR)
			die("server epoll_wait");
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return; /* the client is done */
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			die("server recv");
		if (n > 0) {
			in_bytes += (uint64_t)n;
			owed += in_bytes / in_len;
			in_bytes %= in_len;
		}
		if (owed == 0)
			continue;
		msg.msg_iovlen = gather(o, owed, (uint32_t)sent_part, iov);
		n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return; /* the client went away */
		if (n > 0) {
			sent_part += (uint64_t)n;
			owed -= sent_part / out_len;
			sent_part %= out_len;
		}
	}
}

/* Send @len bytes of commands (only their length matters). */
static void send_all(int fd, uint64_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, rbuf, len < sizeof(rbuf) ? len : sizeof(rbuf), MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR)
			die("client send");
		if (n > 0)
			len -= (uint64_t)n;
	}
}

/* Receive exactly @len bytes, spinning. */
static void recv_all(int fd, uint64_t len)
{
	ssize_t n;

	while (len > 0) {
		n = recv(fd, rbuf, len < sizeof(rbuf) ? len : sizeof(rbuf), MSG_DONTWAIT);
		if (n == 0) {
			fprintf(stderr, "tcp_floor: the server closed\n");
			exit(1);
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			die("client recv");
		if (n > 0)
			len -= (uint64_t)n;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* -p: one command at a time, each after a spun pause; mean and median round trip. */
static void drive_paused(const struct opts *o, int fd)
{
	uint64_t in_len = o->write ? RSP_LEN : C2H_HDR_LEN + o->io_size;
	uint64_t out_len = o->write ? CMD_LEN + o->io_size : CMD_LEN;
	double end = now() + o->warmup + o->seconds, sum = 0, t0, t1 = now();
	double *lat = calloc(PAUSED_MAX, sizeof(*lat));
	uint64_t n = 0;

	if (lat == NULL)
		die("calloc");
	while (t1 < end && n < PAUSED_MAX) {
		while (now() < t1 + o->pause_ms / 1000.0)
			;
		t0 = now();
		send_all(fd, out_len);
		recv_all(fd, in_len);
		t1 = now();
		lat[n++] = t1 - t0;
		sum += t1 - t0;
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("tcp_floor: %s QD 1 IO %u pause %u ms %s: avg_us %.1f p50_us %.1f n %llu\n",
	       o->write ? "write" : "read", o->io_size, o->pause_ms, o->block ? "sleep" : "busy",
	       sum * 1e6 / (double)(n ? n : 1), n ? lat[n / 2] * 1e6 : 0.0, (unsigned long long)n);
	free(lat);
}

static void drive(const struct opts *o, int fd)
{
	uint64_t in_len = o->write ? RSP_LEN : C2H_HDR_LEN + o->io_size;
	uint64_t out_len = o->write ? CMD_LEN + o->io_size : CMD_LEN;
	uint64_t got = 0, done = 0, done0 = 0;
	double t0 = now(), start = t0 + o->warmup, end = start + o->seconds, t;
	bool measuring = false;
	ssize_t n;

	send_all(fd, o->qd * out_len);
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n == 0) {
			fprintf(stderr, "tcp_floor: the server closed\n");
			exit(1);
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			die("client recv");
		if (n > 0) {
			uint64_t k;

			got += (uint64_t)n;
			k = got / in_len;
			got %= in_len;
			done += k;
			if (k > 0)
				send_all(fd, k * out_len);
		}
		t = now();
		if (!measuring && t >= start) {
			measuring = true;
			done0 = done;
			start = t;
			end = t + o->seconds;
		} else if (measuring && t >= end) {
			break;
		}
	}
	printf("tcp_floor: %s QD %u IO %u: IOPS %.0f avg_us %.1f\n", o->write ? "write" : "read",
	       o->qd, o->io_size, (double)(done - done0) / (t - start),
	       (double)o->qd * 1e6 * (t - start) / (double)(done - done0 ? done - done0 : 1));
}

static int parse(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){false, 32, 4096, 5, 1, 0, 1, 0, false};
	while ((c = getopt(argc, argv, "w:q:o:t:a:s:c:p:b")) != -1) {
		switch (c) {
		case 'w':
			if (strcmp(optarg, "read") != 0 && strcmp(optarg, "write") != 0)
				return -1;
			o->write = strcmp(optarg, "write") == 0;
			break;
		case 'q':
			o->qd = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'o':
			o->io_size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 't':
			o->seconds = strtod(optarg, NULL);
			break;
		case 'a':
			o->warmup = strtod(optarg, NULL);
			break;
		case 's':
			o->server_core = atoi(optarg);
			break;
		case 'c':
			o->client_core = atoi(optarg);
			break;
		case 'p':
			o->pause_ms = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'b':
			o->block = true;
			break;
		default:
			return -1;
		}
	}
	if (o->qd == 0 || o->qd > 4096 || o->io_size == 0 || o->io_size > (1u << 20) ||
	    o->seconds <= 0 || o->warmup < 0 || o->pause_ms > 60000)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int one = 1, ls, fd, status = 1;
	struct opts o;
	pid_t server;

	if (parse(argc, argv, &o) != 0) {
		fprintf(stderr,
			"usage: tcp_floor [-w read|write] [-q QD] [-o IO_SIZE] [-t SECONDS] "
			"[-a WARMUP] [-s SERVER_CORE] [-c CLIENT_CORE] [-p PAUSE_MS] [-b]\n");
		return 2;
	}
	data = calloc(1, o.io_size);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (data == NULL || ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(ls, 1) != 0 || getsockname(ls, (struct sockaddr *)&a, &alen) != 0)
		die("listen");
	server = fork();
	if (server < 0)
		die("fork");
	if (server == 0) {
		pin(o.server_core);
		fd = accept(ls, NULL, NULL);
		if (fd < 0)
			die("accept");
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		serve(&o, fd);
		_exit(0);
	}
	close(ls);
	pin(o.client_core);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (o.pause_ms != 0)
		drive_paused(&o, fd);
	else
		drive(&o, fd);
	close(fd);
	if (waitpid(server, &status, 0) != server || !WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "tcp_floor: the server did not end cleanly\n");
	return 0;
}
