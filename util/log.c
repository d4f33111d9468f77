/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.c - leveled log lines to stderr.
 *
 * A line is "YYYY-MM-DD HH:MM:SS.uuuuuu [level] component: message\n" in
 * local time. It is formatted into a stack buffer and written with a single
 * write(2), so lines from different threads never interleave (a write of at
 * most PIPE_BUF bytes to a pipe is atomic; LOG_LINE_MAX is below that).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *const level_names[] = {
    [LOG_LEVEL_ERROR] = "error", [LOG_LEVEL_WARN] = "warn",   [LOG_LEVEL_NOTICE] = "notice",
    [LOG_LEVEL_INFO] = "info",   [LOG_LEVEL_DEBUG] = "debug",
};

static int cur_level = LOG_LEVEL_NOTICE;

void log_set_level(enum log_level level)
{
	if ((int)level < LOG_LEVEL_ERROR)
		level = LOG_LEVEL_ERROR;
	if (level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_DEBUG;
	__atomic_store_n(&cur_level, (int)level, __ATOMIC_RELAXED);
}

enum log_level log_get_level(void)
{
	return (enum log_level)__atomic_load_n(&cur_level, __ATOMIC_RELAXED);
}

int log_level_parse(const char *str, enum log_level *level)
{
	if (str == NULL || level == NULL)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (strcasecmp(str, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *log_level_name(enum log_level level)
{
	if ((unsigned)level >= ARRAY_SIZE(level_names))
		return "?";
	return level_names[level];
}

/* Output cursor: @pos counts every byte the full line needs, written or not. */
struct log_out {
	char *buf;
	size_t len;
	size_t pos;
};

static int out_vprintf(struct log_out *o, const char *fmt, va_list ap)
{
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	int n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);

	if (n > 0)
		o->pos += (size_t)n;
	return n;
}

static void out_printf(struct log_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vprintf(o, fmt, ap);
	va_end(ap);
}

static void out_timestamp(struct log_out *o)
{
	struct timespec ts;
	struct tm tm;
	char date[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (localtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(date, sizeof(date), "%lld", (long long)ts.tv_sec);
	out_printf(o, "%s.%06ld ", date, ts.tv_nsec / 1000);
}

/* Mark a line that did not fit: it ends in "...\n" where room allows. */
static void out_truncate(struct log_out *o)
{
	static const char mark[] = "...\n";

	if (o->len >= sizeof(mark))
		memcpy(o->buf + o->len - sizeof(mark), mark, sizeof(mark));
	else if (o->len > 0)
		o->buf[o->len - 1] = '\0';
}

int log_format(char *buf, size_t len, enum log_level level, const char *component, const char *fmt,
	       va_list ap)
{
	struct log_out o = {.buf = buf, .len = buf ? len : 0, .pos = 0};
	size_t flen = fmt ? strlen(fmt) : 0;
	int saved_errno = errno; /* for %m, whatever the time stamp does */

	if (o.len > 0)
		buf[0] = '\0';
	out_timestamp(&o);
	out_printf(&o, "[%s] ", log_level_name(level));
	if (component && component[0])
		out_printf(&o, "%s: ", component);
	if (fmt) {
		errno = saved_errno;
		/* A newline at the end of the format is replaced by ours. */
		if (out_vprintf(&o, fmt, ap) > 0 && fmt[flen - 1] == '\n')
			o.pos--;
	}
	out_printf(&o, "\n");
	if (o.pos >= o.len)
		out_truncate(&o);
	return o.pos > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)o.pos;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	if ((int)level > __atomic_load_n(&cur_level, __ATOMIC_RELAXED))
		return;
	int saved_errno = errno;

	va_start(ap, fmt);
	n = log_format(line, sizeof(line), level, component, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	write_all(STDERR_FILENO, line, (size_t)n);
	errno = saved_errno;
}
