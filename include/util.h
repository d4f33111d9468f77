/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util.h - small shared pieces with no dependencies: CRC32C, hex digits,
 * signal dispositions and logging.
 * Every function here is thread-safe.
 */
#ifndef NVMF_TGT_UTIL_H
#define NVMF_TGT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#endif
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ----------------------------------------------------------------- CRC32C */

/**
 * CRC32C (Castagnoli, as NVMe/TCP digests use it) of @len bytes at @buf.
 * Start with crc = 0 and feed the previous result to continue over several
 * buffers; the pre- and post-inversion are done inside. Uses the SSE4.2
 * instruction when the CPU has it, a table otherwise.
 */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

/** The table implementation, always (exported for tests). */
uint32_t crc32c_table(uint32_t crc, const void *buf, size_t len);

/** The SSE4.2 implementation; only call when crc32c_hw_available(). */
uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len);

/** Nonzero when the CPU has the SSE4.2 CRC32 instruction. */
int crc32c_hw_available(void);

/* -------------------------------------------------------------------- hex */

/** Value 0-15 of the hex digit @c (either case); -1 when @c is not one. */
static inline int util_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---------------------------------------------------------------- signals */

/**
 * Ignore SIGPIPE (a write to a closed peer then fails with EPIPE) and call
 * @on_stop on SIGINT and SIGTERM. @restart: system calls the signal
 * interrupts are restarted (SA_RESTART) instead of failing with EINTR.
 * Not thread-safe: call before starting threads.
 * @return 0, or -errno from sigaction().
 */
int util_signals_install(void (*on_stop)(int sig), bool restart);

/* -------------------------------------------------------------------- log */

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/**
 * Line buffer of log_msg(): a line is at most LOG_LINE_MAX - 1 bytes, newline
 * included; longer ones are cut and end in "...\n". Below PIPE_BUF, so one
 * line is one atomic write to a pipe.
 */
#define LOG_LINE_MAX 2048

/**
 * Set the level: messages above it are dropped. Default: notice. Values
 * outside the enum are clamped to error / debug.
 */
void log_set_level(enum log_level level);

/** The current level. */
enum log_level log_get_level(void);

/**
 * Parse "error", "warn", "notice", "info", "debug" (any case) into @level.
 * @return 0, or -EINVAL for any other string or a NULL argument.
 */
int log_level_parse(const char *str, enum log_level *level);

/** Name of @level as log_level_parse() accepts it; "?" for a bad value. */
const char *log_level_name(enum log_level level);

/**
 * Format one message: "2026-11-21 20:01:02.123456 [notice] tcp: text\n"
 * (local wall-clock time, microseconds). A NULL or empty @component leaves
 * out the "tcp: " tag; a newline ending @fmt is not doubled. Writes at most
 * @len bytes including the NUL into @buf (exported for tests); a line that
 * does not fit is cut and, when @len >= 5, ends in "...\n".
 * errno is preserved for %m.
 * @return the length the full line would have, as snprintf.
 */
int log_format(char *buf, size_t len, enum log_level level, const char *component, const char *fmt,
	       va_list ap);

/**
 * Write one message to stderr (one write() per line, at most LOG_LINE_MAX - 1
 * bytes) when @level is at or below the current level. Preserves errno.
 */
void log_msg(enum log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(comp, ...) log_msg(LOG_LEVEL_ERROR, comp, __VA_ARGS__)
#define log_warn(comp, ...) log_msg(LOG_LEVEL_WARN, comp, __VA_ARGS__)
#define log_notice(comp, ...) log_msg(LOG_LEVEL_NOTICE, comp, __VA_ARGS__)
#define log_info(comp, ...) log_msg(LOG_LEVEL_INFO, comp, __VA_ARGS__)
#define log_debug(comp, ...)                                                                       \
	do {                                                                                       \
		if (log_get_level() >= LOG_LEVEL_DEBUG)                                            \
			log_msg(LOG_LEVEL_DEBUG, comp, __VA_ARGS__);                               \
	} while (0)

/**
 * Read the secret in the key file @path into @buf (@len bytes with the NUL;
 * white space around the text removed). The file must be a regular file
 * (not a symbolic link) owned by the effective user, with no access for
 * group or others. On failure @buf is wiped and *@why may say why.
 * @return 0, -EACCES (owner, mode or type: *@why), -EINVAL (empty or too
 *         long: *@why), or the negative errno of open() / read().
 */
int key_file_read(const char *path, char *buf, size_t len, const char **why);

#endif /* NVMF_TGT_UTIL_H */
