/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * notify.c - the sd_notify datagram protocol, sending side: the manager
 * creates a unix datagram socket, passes its address in $NOTIFY_SOCKET, and
 * the service sends it newline-separated "KEY=VALUE" assignments. A leading
 * '@' names a socket in the abstract namespace (the '@' becomes a NUL byte
 * and the address has no terminating NUL).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tools/nvmf_tgt/notify.h"
#include "util.h"

/* Fill @sa from @path; @return the address length or a negative errno. */
static int notify_addr(const char *path, struct sockaddr_un *sa)
{
	size_t len = strlen(path);

	if (path[0] != '/' && path[0] != '@')
		return -EAFNOSUPPORT;
	if (len > sizeof(sa->sun_path) - (path[0] == '/' ? 1 : 0))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len);
	if (path[0] == '@') {
		sa->sun_path[0] = '\0';
		return (int)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	return (int)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

int tgt_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	ssize_t sent;
	int fd, len, rc = 0;

	if (path == NULL || path[0] == '\0')
		return 0;
	len = notify_addr(path, &sa);
	if (len < 0) {
		rc = len;
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	sent =
	    sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, (socklen_t)len);
	if (sent < 0)
		rc = -errno;
	close(fd);
out:
	if (rc)
		log_warn("nvmf_tgt", "cannot tell the service manager %s (NOTIFY_SOCKET=%s): %s",
			 state, path, strerror(-rc));
	return rc;
}
