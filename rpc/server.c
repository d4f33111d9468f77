/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server.c - the JSON-RPC server's sockets: a listening Unix socket and up
 * to RPC_MAX_CLIENTS clients, all non-blocking, watched by one epoll
 * instance polled with timeout 0 from the target's main loop.
 *
 * A client's life: bytes are appended to its input buffer; each complete
 * JSON object in it is handled (rpc_handle) and its response appended to
 * the output buffer. While output is pending the client is not read, so
 * neither buffer grows without bound: input stops at RPC_MAX_REQUEST
 * (then an error and close), output holds one response. A client that
 * sends garbage gets one Parse error and is closed once it was sent.
 * A method that answers later (rpc_handle_later) holds its client: nothing
 * is read or handled until the answer is queued.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "nvmf.h"
#include "rpc.h"
#include "util.h"

#define READ_CHUNK (64u * 1024)
#define REQS_PER_POLL 4 /* per client */
#define ACCEPTS_PER_POLL 8
#define EVENTS_PER_POLL 32
#define POLL_PERIOD_NS 1000000ull /* look at the sockets once per ms */
#define CALLS_PER_CLOCK 64        /* main-loop calls between two clock reads */
/* After a final error: input read and dropped for this long, so that closing
 * with unread input (a TCP-like reset) does not destroy the error unread. */
#define DRAIN_NS 1000000000ull
#define DRAIN_MAX (4u * RPC_MAX_REQUEST)

struct rpc_client {
	int fd;
	char *in;
	size_t in_len, in_cap;
	struct rpc_frame frame;
	char *out;
	size_t out_len, out_off;
	bool eof;             /* the peer shut down its side */
	bool closing;         /* close once the output is sent */
	bool more;            /* complete requests may wait in the input: serve without an event */
	uint64_t drain_until; /* closing, output sent: dropping input until then */
	size_t drained;
	struct rpc_call *pending; /* a call answered later, or NULL */
	uint32_t events;          /* what epoll watches */
};

struct rpc_server {
	struct nvmf_tgt *tgt;
	int lfd;
	int epfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t next_poll_ns;
	uint32_t calls;
	struct rpc_client *clients[RPC_MAX_CLIENTS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- clients */

static void client_close(struct rpc_server *srv, unsigned slot)
{
	struct rpc_client *c = srv->clients[slot];

	if (c->pending != NULL)
		rpc_call_cancel(c->pending);
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
	srv->clients[slot] = NULL;
}

/* Watch for input when no output is pending, for output otherwise; nothing while a call waits. */
static void client_watch(struct rpc_server *srv, unsigned slot)
{
	struct rpc_client *c = srv->clients[slot];
	uint32_t events = c->pending ? 0 : c->out_off < c->out_len ? EPOLLOUT : EPOLLIN;
	struct epoll_event ev = {.events = events, .data.u32 = slot + 1};

	if (events != c->events)
		epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	c->events = events;
}

/* Queue @len bytes of response plus a newline. @return 0 or -ENOMEM. */
static int client_queue(struct rpc_client *c, const char *data, size_t len)
{
	char *out = malloc(len + 1);

	if (out == NULL)
		return -ENOMEM;
	memcpy(out, data, len);
	out[len] = '\n';
	free(c->out);
	c->out = out;
	c->out_len = len + 1;
	c->out_off = 0;
	return 0;
}

/* Send what is pending. @return 0, or -EPIPE when the client is gone. */
static int client_flush(struct rpc_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -EPIPE;
		c->out_off += (size_t)n;
	}
	return 0;
}

/* An error response with id null, then close. */
static void client_fail(struct rpc_client *c, int code, const char *msg)
{
	struct json_writer w;
	const char *text;
	size_t len;

	json_writer_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "jsonrpc", "2.0");
	json_key(&w, "id");
	json_null(&w);
	json_key(&w, "error");
	json_obj_begin(&w);
	json_kv_int(&w, "code", code);
	json_kv_str(&w, "message", msg);
	json_obj_end(&w);
	json_obj_end(&w);
	text = json_writer_finish(&w, &len);
	if (text != NULL)
		client_queue(c, text, len);
	json_writer_fini(&w);
	c->closing = true;
}

/* Drop the first @n bytes of input; the frame scan restarts after them. */
static void client_consume(struct rpc_client *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	rpc_frame_reset(&c->frame);
}

/* The answer of the client's pending call: queue it, serve the client again. */
static void client_answered(void *arg, const char *text, size_t len)
{
	struct rpc_client *c = arg;

	c->pending = NULL;
	if (text != NULL && client_queue(c, text, len) != 0)
		c->closing = true;
	c->more = true;
}

/* Handle one complete request if there is one. @return 1 handled, 0 none, <0 error. */
static int client_one(struct rpc_server *srv, struct rpc_client *c)
{
	struct rpc_later later = {.fn = client_answered, .arg = c};
	struct json_writer w;
	size_t start, end, len;
	const char *text;
	int rc = rpc_frame_next(&c->frame, c->in, c->in_len, &start, &end);

	if (rc < 0) {
		client_fail(c, RPC_ERR_PARSE, "Parse error: a request must be a JSON object");
		return 0;
	}
	if (rc == 0) {
		if (!c->frame.started)
			client_consume(c, c->in_len); /* only whitespace so far */
		else if (c->in_len - c->frame.start > RPC_MAX_REQUEST)
			client_fail(c, RPC_ERR_INVALID_REQUEST,
				    "request too large: the limit is 1048576 bytes");
		else if (c->eof)
			c->closing = true; /* cut short: nothing to answer */
		return 0;
	}
	json_writer_init(&w, 0);
	rc = rpc_handle_later(srv->tgt, c->in + start, end - start, &w, &later, &c->pending);
	client_consume(c, end);
	if (rc == 1 && (text = json_writer_finish(&w, &len)) != NULL)
		rc = client_queue(c, text, len);
	json_writer_fini(&w);
	return rc < 0 ? rc : 1;
}

/* Read what is there (one chunk). @return 0, or -EPIPE / -ENOMEM to close. */
static int client_read(struct rpc_client *c)
{
	ssize_t n;

	if (c->in_cap - c->in_len < READ_CHUNK) {
		size_t cap = c->in_len + READ_CHUNK;
		char *in = realloc(c->in, cap);
		if (in == NULL)
			return -ENOMEM;
		c->in = in;
		c->in_cap = cap;
	}
	n = recv(c->fd, c->in + c->in_len, READ_CHUNK, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -EPIPE;
	if (n == 0)
		c->eof = true;
	c->in_len += (size_t)n;
	return 0;
}

/* Closing and all sent: drop input until EOF, a deadline or a limit. @return true when done. */
static bool client_drain(struct rpc_client *c, uint64_t now)
{
	char sink[4096];
	ssize_t n;

	if (c->drain_until == 0) {
		shutdown(c->fd, SHUT_WR);
		c->drain_until = now + DRAIN_NS;
	}
	while ((n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT)) > 0) {
		c->drained += (size_t)n;
		if (c->drained > DRAIN_MAX)
			return true;
	}
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		return true;
	return now >= c->drain_until;
}

/* Serve one client: flush, read, handle up to REQS_PER_POLL requests. */
static void client_serve(struct rpc_server *srv, unsigned slot, bool readable)
{
	struct rpc_client *c = srv->clients[slot];
	int rc = client_flush(c);

	if (rc == 0 && c->closing && c->out_off == c->out_len) {
		if (client_drain(c, now_ns()))
			client_close(srv, slot);
		else
			client_watch(srv, slot);
		return;
	}

	if (c->pending != NULL) {
		c->more = false;
		client_watch(srv, slot);
		return;
	}
	if (rc == 0 && readable && !c->eof && !c->closing && c->out_off == c->out_len)
		rc = client_read(c);
	c->more = false;
	for (unsigned i = 0; rc == 0 && !c->closing && c->out_off == c->out_len && !c->pending;
	     i++) {
		if (i == REQS_PER_POLL) {
			c->more = true; /* budget spent: the next poll goes on */
			break;
		}
		rc = client_one(srv, c);
		if (rc == 0)
			break;
		if (rc == 1)
			rc = client_flush(c);
	}
	if (rc < 0 || (!c->pending && c->out_off == c->out_len && c->eof && c->in_len == 0)) {
		client_close(srv, slot);
		return;
	}
	if (c->closing && c->out_off == c->out_len) {
		c->more = true; /* drained from the poll loop */
		return;
	}
	client_watch(srv, slot);
}

/* --------------------------------------------------------------- listener */

static void accept_some(struct rpc_server *srv)
{
	for (unsigned n = 0; n < ACCEPTS_PER_POLL; n++) {
		int fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = {.events = EPOLLIN};
		struct rpc_client *c;
		unsigned slot;

		if (fd < 0)
			return;
		for (slot = 0; slot < RPC_MAX_CLIENTS && srv->clients[slot] != NULL; slot++)
			;
		c = slot < RPC_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
		ev.data.u32 = slot + 1;
		if (c == NULL || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			static const char busy[] =
			    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":"
			    "-32603,\"message\":\"too many RPC clients\"}}\n";
			log_warn("rpc", "refused a client: %u connected already", RPC_MAX_CLIENTS);
			if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
				log_debug("rpc", "could not tell a refused client why");
			free(c);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->events = EPOLLIN;
		rpc_frame_reset(&c->frame);
		srv->clients[slot] = c;
	}
}

int rpc_server_poll(struct rpc_server *srv)
{
	struct epoll_event ev[EVENTS_PER_POLL];
	uint64_t now;
	int n;

	/* The main loop turns millions of times a second: not even a clock read each time. */
	if (++srv->calls % CALLS_PER_CLOCK != 0)
		return NVMF_POLL_IDLE;
	now = now_ns();
	if (now < srv->next_poll_ns)
		return NVMF_POLL_IDLE;
	srv->next_poll_ns = now + POLL_PERIOD_NS;
	n = epoll_wait(srv->epfd, ev, EVENTS_PER_POLL, 0);
	for (int i = 0; i < n; i++) {
		uint32_t tag = ev[i].data.u32;

		if (tag == 0)
			accept_some(srv);
		else if (srv->clients[tag - 1] != NULL)
			client_serve(srv, tag - 1,
				     (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0);
	}
	for (unsigned slot = 0; slot < RPC_MAX_CLIENTS; slot++) {
		struct rpc_client *c = srv->clients[slot];

		if (c != NULL && (c->more || c->drain_until != 0)) {
			client_serve(srv, slot, false);
			n = n > 0 ? n : 1;
		}
	}
	return n > 0 ? NVMF_POLL_BUSY : NVMF_POLL_IDLE;
}

int rpc_server_wait_fd(const struct rpc_server *srv)
{
	return srv->epfd;
}

int rpc_server_main_poll(void *srv)
{
	return rpc_server_poll(srv);
}

/* ------------------------------------------------------ create / destroy */

/* Is a server alive at @sa? */
static bool socket_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return live;
}

static int server_listen(struct rpc_server *srv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 0};

	memcpy(sa.sun_path, srv->path, strlen(srv->path) + 1);
	if (socket_live(&sa))
		return -EADDRINUSE;
	unlink(srv->path); /* a stale socket of a target that died */
	srv->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0)
		return -errno;
	/* On Linux the socket's own mode becomes the file's: 0600 from the start. */
	if (fchmod(srv->lfd, 0600) != 0 ||
	    bind(srv->lfd, (const struct sockaddr *)&sa, sizeof(sa)) != 0)
		return -errno;
	if (chmod(srv->path, 0600) != 0 || listen(srv->lfd, 16) != 0 ||
	    epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->lfd, &ev) != 0) {
		int rc = -errno;
		unlink(srv->path);
		return rc;
	}
	return 0;
}

int rpc_server_create(struct nvmf_tgt *tgt, const char *path, struct rpc_server **out)
{
	struct rpc_server *srv;
	int rc;

	if (strlen(path) >= sizeof(srv->path))
		return -ENAMETOOLONG;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return -ENOMEM;
	srv->tgt = tgt;
	srv->lfd = -1;
	memcpy(srv->path, path, strlen(path) + 1);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	rc = srv->epfd < 0 ? -errno : server_listen(srv);
	if (rc != 0) {
		if (srv->lfd >= 0)
			close(srv->lfd);
		if (srv->epfd >= 0)
			close(srv->epfd);
		free(srv);
		return rc;
	}
	*out = srv;
	return 0;
}

void rpc_server_destroy(struct rpc_server *srv)
{
	if (srv == NULL)
		return;
	for (unsigned slot = 0; slot < RPC_MAX_CLIENTS; slot++) {
		if (srv->clients[slot] != NULL)
			client_close(srv, slot);
	}
	close(srv->lfd);
	close(srv->epfd);
	unlink(srv->path);
	free(srv);
}
