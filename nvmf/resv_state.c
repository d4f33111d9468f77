/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * resv_state.c - Persist Through Power Loss: the reservation state of a
 * namespace in a small file of its own.
 *
 * The file, little-endian:
 *   0  "NVMFRESV"          8 bytes
 *   8  version (1)         u32
 *  12  generation          u32
 *  16  rtype, ptpl, 0, 0   4 bytes
 *  20  holder host id      16 bytes
 *  36  registrants N       u32
 *  40  N x (host id 16, key u64)
 *  ..  CRC32C of all above u32
 *
 * Written whole to FILE.tmp, fsync'd, renamed over FILE and the directory
 * fsync'd: FILE always holds a complete state, the last one or the one
 * before it. Only FILE.tmp can be cut short (power lost while writing); a
 * load removes it and reads FILE. A FILE that still fails its checks
 * (damaged on disk, edited) is refused: logged, set aside as FILE.bad, and
 * the namespace starts with no reservation state.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "nvmf/resv.h"

#define RESV_MAGIC "NVMFRESV"
#define RESV_VERSION 1u
#define RESV_HDR 40u
#define RESV_ENTRY 24u
#define RESV_MAX_FILE (RESV_HDR + NVMF_RESV_MAX_REGS * RESV_ENTRY + 4u)

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static size_t encode(const struct nvmf_resv_state *s, uint8_t *b)
{
	size_t off = RESV_HDR;

	memset(b, 0, RESV_HDR);
	memcpy(b, RESV_MAGIC, 8);
	put32(b + 8, RESV_VERSION);
	put32(b + 12, s->gen);
	b[16] = s->rtype;
	b[17] = s->ptpl ? 1 : 0;
	memcpy(b + 20, s->holder, NVMF_RESV_HOSTID_LEN);
	put32(b + 36, s->nregs);
	for (uint32_t i = 0; i < s->nregs; i++, off += RESV_ENTRY) {
		memcpy(b + off, s->regs[i].hostid, NVMF_RESV_HOSTID_LEN);
		put64(b + off + 16, s->regs[i].rkey);
	}
	put32(b + off, crc32c(0, b, off));
	return off + 4;
}

/* @return NULL when @b (@len bytes) is a good state (decoded into @s), else why not. */
static const char *decode(const uint8_t *b, size_t len, struct nvmf_resv_state *s)
{
	uint32_t n;

	if (len < RESV_HDR + 4)
		return "shorter than its header";
	if (memcmp(b, RESV_MAGIC, 8) != 0)
		return "not a reservation state file (bad magic)";
	if (get32(b + 8) != RESV_VERSION)
		return "unknown version";
	n = get32(b + 36);
	if (n > NVMF_RESV_MAX_REGS)
		return "too many registrants";
	if (len != RESV_HDR + n * RESV_ENTRY + 4)
		return "truncated or with trailing bytes";
	if (get32(b + len - 4) != crc32c(0, b, len - 4))
		return "checksum mismatch";
	if (b[16] > 6)
		return "unknown reservation type";
	memset(s, 0, sizeof(*s));
	s->gen = get32(b + 12);
	s->rtype = b[16];
	s->ptpl = b[17] != 0;
	memcpy(s->holder, b + 20, NVMF_RESV_HOSTID_LEN);
	s->nregs = n;
	for (uint32_t i = 0; i < n; i++) {
		memcpy(s->regs[i].hostid, b + RESV_HDR + i * RESV_ENTRY, NVMF_RESV_HOSTID_LEN);
		s->regs[i].rkey = get64(b + RESV_HDR + i * RESV_ENTRY + 16);
	}
	if (s->rtype != 0 && nvmf_resv_role_of(s, s->holder) != NVMF_RESV_HOLDER &&
	    !nvmf_resv_all_regs(s->rtype))
		return "the holder is not a registrant";
	return NULL;
}

/* mkdir @dir and its parent when missing. */
static int make_dir(const char *dir)
{
	char parent[PATH_MAX];
	char *slash;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || snprintf(parent, sizeof(parent), "%s", dir) >= (int)sizeof(parent))
		return -errno;
	slash = strrchr(parent, '/');
	if (slash == NULL || slash == parent)
		return -ENOENT;
	*slash = '\0';
	if (mkdir(parent, 0755) != 0 && errno != EEXIST)
		return -errno;
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

static int fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

static int write_all(int fd, const uint8_t *b, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static int save_tmp(const char *tmp, const uint8_t *b, size_t len)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc;

	if (fd < 0)
		return -errno;
	rc = write_all(fd, b, len);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

int nvmf_resv_state_save(const char *path, const struct nvmf_resv_state *s)
{
	uint8_t b[RESV_MAX_FILE];
	char tmp[PATH_MAX], dir[PATH_MAX];
	size_t len = encode(s, b);
	char *slash;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		rc = make_dir(dir);
		if (rc != 0)
			goto err_log;
	}
	rc = save_tmp(tmp, b, len);
	if (rc != 0)
		goto err_unlink;
	if (rename(tmp, path) != 0) {
		rc = -errno;
		goto err_unlink;
	}
	rc = fsync_dir_of(path);
	if (rc != 0)
		goto err_log;
	return 0;
err_unlink:
	unlink(tmp);
err_log:
	log_error("nvmf", "reservation state %s: not saved: %s (check the ReservationDir)", path,
		  strerror(-rc));
	return rc;
}

static void set_aside(const char *path, const char *why)
{
	char bad[PATH_MAX];

	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (rename(path, bad) == 0)
		log_error("nvmf",
			  "reservation state %s: refused (%s); moved to %s; the namespace starts "
			  "with no registrants and no reservation",
			  path, why, bad);
	else
		log_error("nvmf",
			  "reservation state %s: refused (%s); the namespace starts with no "
			  "registrants and no reservation",
			  path, why);
}

int nvmf_resv_state_load(const char *path, struct nvmf_resv_state *s)
{
	uint8_t b[RESV_MAX_FILE + 1];
	char tmp[PATH_MAX];
	const char *why;
	ssize_t n;
	int fd;

	memset(s, 0, sizeof(*s));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) < (int)sizeof(tmp) && unlink(tmp) == 0)
		log_warn("nvmf",
			 "reservation state %s: removed %s, a write cut short; the last "
			 "complete state is used",
			 path, tmp);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	n = read(fd, b, sizeof(b));
	close(fd);
	why = n < 0 ? "unreadable" : decode(b, (size_t)n, s);
	if (why != NULL) {
		memset(s, 0, sizeof(*s));
		set_aside(path, why);
		return -EBADMSG;
	}
	return 0;
}

int nvmf_resv_state_remove(const char *path)
{
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int nvmf_resv_state_path(char *buf, size_t len, const char *dir, const char *subnqn, uint32_t nsid)
{
	int n = snprintf(buf, len, "%s/%s-ns%u.resv", dir, subnqn, nsid);
	size_t base;

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	base = strlen(dir) + 1;
	for (size_t i = base; buf[i] != '\0'; i++) {
		if (buf[i] == '/')
			buf[i] = '_';
	}
	return 0;
}
