/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * key_file.c - reading a secret from a key file: a regular file of the
 * process's own user that no one else may read, its text without the
 * white space around it. The text is never logged; buffers are wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "util.h"

static int key_file_check(int fd, const char **why)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return -EACCES;
	}
	if (st.st_uid != geteuid()) {
		*why = "not owned by the target's user";
		return -EACCES;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		*why = "group or others have access (chmod 0600)";
		return -EACCES;
	}
	return 0;
}

static int key_file_text(char *buf, size_t n, const char **why)
{
	size_t b = 0;

	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
			 buf[n - 1] == '\t'))
		buf[--n] = '\0';
	while (b < n && (buf[b] == ' ' || buf[b] == '\t' || buf[b] == '\n'))
		b++;
	memmove(buf, buf + b, n - b + 1);
	if (buf[0] == '\0') {
		*why = "empty";
		return -EINVAL;
	}
	return 0;
}

int key_file_read(const char *path, char *buf, size_t len, const char **why)
{
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	*why = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	rc = key_file_check(fd, why);
	while (rc == 0 && (n = read(fd, buf + got, len - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = -errno;
		else if ((got += (size_t)n) == len - 1) {
			*why = "too long for a key";
			rc = -EINVAL;
		}
	}
	close(fd);
	if (rc == 0)
		rc = key_file_text(buf, got, why);
	if (rc != 0)
		OPENSSL_cleanse(buf, len);
	return rc;
}
