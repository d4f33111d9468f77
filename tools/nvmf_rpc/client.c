/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client.c - one JSON-RPC call over a Unix socket: send the request, read
 * until one whole JSON object came back, parse it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc.h"
#include "tools/nvmf_rpc/nvmf_rpc.h"

#define CALL_TIMEOUT_MS 30000

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one response object into a new tree. */
static int recv_response(int fd, struct json_value **out)
{
	struct json_limits lim = {.max_size = 64u * 1024 * 1024};
	struct rpc_frame f;
	size_t len = 0, cap = 0, start, end;
	char *buf = NULL;
	int rc = 0;

	rpc_frame_reset(&f);
	while (rc == 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (cap - len < 65536) {
			char *nb = realloc(buf, cap + 65536);
			if (nb == NULL) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap += 65536;
		}
		if (poll(&p, 1, CALL_TIMEOUT_MS) != 1) {
			rc = -ETIMEDOUT;
			break;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n <= 0) {
			rc = -ECONNRESET;
			break;
		}
		len += (size_t)n;
		rc = rpc_frame_next(&f, buf, len, &start, &end);
		if (rc == 1)
			rc = json_parse(buf + start, end - start, &lim, out, NULL) == 0 ? 1
											: -EPROTO;
	}
	free(buf);
	return rc == 1 ? 0 : rc;
}

int nvmf_rpc_call(const char *sock, const char *request, size_t len, struct json_value **resp)
{
	int fd = sock_connect(sock), rc;

	if (fd < 0) {
		fprintf(stderr, "nvmf_rpc: cannot connect to %s: %s%s\n", sock, strerror(-fd),
			fd == -ENOENT || fd == -ECONNREFUSED ? " (is nvmf_tgt running? -s SOCK)"
							     : "");
		return fd;
	}
	rc = send_all(fd, request, len);
	if (rc == 0)
		rc = recv_response(fd, resp);
	if (rc != 0)
		fprintf(stderr, "nvmf_rpc: no valid response from %s: %s\n", sock, strerror(-rc));
	close(fd);
	return rc;
}
