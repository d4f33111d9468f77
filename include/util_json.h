/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util_json.h - a small JSON (RFC 8259) writer and a strict reader.
 *
 * Writer: appends to a growable buffer. Errors are sticky: after the first
 * failure every call is a no-op and json_writer_error() / json_writer_finish()
 * report it, so a caller can write a whole document and check once.
 *
 * Reader: parses a complete text into a tree of struct json_value. It accepts
 * exactly RFC 8259: no comments, no trailing commas, no leading zeros, no
 * NaN/Infinity, only valid UTF-8, no unescaped control characters, one value
 * with nothing but whitespace after it. Objects with a duplicate key are
 * rejected too. Depth, input size and value count are limited.
 *
 * Thread safety: a writer or a tree may be used by one thread at a time;
 * distinct writers and trees are independent. The tree is read-only after
 * json_parse(), so any number of threads may read one tree at once.
 */
#ifndef NVMF_TGT_UTIL_JSON_H
#define NVMF_TGT_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ writer */

/** Deepest nesting of arrays/objects a writer accepts. */
#define JSON_WRITER_MAX_DEPTH 32

/** json_writer_init() flag: newlines and two-space indentation. */
#define JSON_WRITE_PRETTY 0x1u

struct json_writer {
	char *buf;  /**< output, always NUL-terminated when non-NULL */
	size_t len; /**< bytes of output, without the NUL */
	size_t cap; /**< bytes allocated at buf */
	int err;    /**< first error, 0 if none */
	unsigned flags;
	unsigned depth;                       /**< open containers */
	bool have_key;                        /**< inside an object, a key waits for its value */
	bool done;                            /**< the top-level value is complete */
	char kind[JSON_WRITER_MAX_DEPTH];     /**< '{' or '[' per open level */
	bool nonempty[JSON_WRITER_MAX_DEPTH]; /**< level has an element */
};

/** Start an empty writer; @flags is 0 or JSON_WRITE_PRETTY. No allocation. */
void json_writer_init(struct json_writer *w, unsigned flags);

/** Free the writer's buffer; the writer may be initialised again. */
void json_writer_fini(struct json_writer *w);

/**
 * Open an object / array (as a value: at top level, in an array, or after
 * json_key()).
 */
void json_obj_begin(struct json_writer *w);
void json_arr_begin(struct json_writer *w);

/** Close the innermost object / array; a mismatch sets -EINVAL. */
void json_obj_end(struct json_writer *w);
void json_arr_end(struct json_writer *w);

/** Write a member name; only valid directly inside an object. */
void json_key(struct json_writer *w, const char *key);

/**
 * Write a string value. Quotes, backslashes and control characters are
 * escaped; bytes that are not valid UTF-8 are written as \ufffd, so the
 * output is always valid JSON. json_strn() takes a length and may contain
 * NUL bytes (written as \u0000).
 */
void json_str(struct json_writer *w, const char *s);
void json_strn(struct json_writer *w, const char *s, size_t n);

/** Write a number value. A non-finite double sets -EINVAL. */
void json_int(struct json_writer *w, int64_t v);
void json_uint(struct json_writer *w, uint64_t v);
void json_double(struct json_writer *w, double v);

/** Write true/false or null. */
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/** Shorthands for json_key() followed by the value. */
void json_kv_str(struct json_writer *w, const char *key, const char *v);
void json_kv_int(struct json_writer *w, const char *key, int64_t v);
void json_kv_uint(struct json_writer *w, const char *key, uint64_t v);
void json_kv_bool(struct json_writer *w, const char *key, bool v);

/**
 * The first error so far: 0, -ENOMEM (buffer growth failed), -EINVAL
 * (misuse: a value where a key is due, a key outside an object, a mismatched
 * end, a second top-level value, a NULL string, a non-finite double) or
 * -E2BIG (nesting deeper than JSON_WRITER_MAX_DEPTH).
 */
int json_writer_error(const struct json_writer *w);

/**
 * Check that the document is complete (one top-level value, every container
 * closed) and, when @len is not NULL, store the output length there.
 * @return the output (NUL-terminated, owned by the writer), or NULL with
 *         errno set to the writer error, or -EINVAL when incomplete.
 */
const char *json_writer_finish(struct json_writer *w, size_t *len);

/* ------------------------------------------------------------------ reader */

enum json_type {
	JSON_NULL = 0,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

/** One parsed value. Read it through the accessors below or directly. */
struct json_value {
	enum json_type type;
	union {
		bool boolean;
		struct {
			double d;      /**< always set (may round large integers) */
			int64_t i;     /**< exact when is_int */
			uint64_t u;    /**< exact when is_uint */
			bool integral; /**< literal has no fraction or exponent */
			bool is_int;   /**< integer literal that fits int64_t */
			bool is_uint;  /**< integer literal >= 0 that fits uint64_t */
		} num;
		struct {
			char *s;    /**< NUL-terminated UTF-8 (may hold \0 if len says so) */
			size_t len; /**< bytes, without the terminating NUL */
		} str;
		struct {
			struct json_value *items;
			size_t count;
		} arr;
		struct {
			struct json_member *members; /**< in document order */
			size_t count;
		} obj;
	} u;
};

struct json_member {
	char *key; /**< NUL-terminated */
	size_t key_len;
	struct json_value value;
};

/** Limits for json_parse(); a zero field takes the default. */
struct json_limits {
	unsigned max_depth; /**< nesting of arrays/objects; default 32 */
	size_t max_size;    /**< input bytes; default 1 MiB */
	size_t max_values;  /**< values in the tree; default 65536 */
};

/** Where and why parsing stopped. */
struct json_error {
	size_t offset;   /**< byte offset of the offending character */
	unsigned line;   /**< 1-based line of offset */
	unsigned col;    /**< 1-based byte column of offset */
	const char *msg; /**< static description, e.g. "expected ':'" */
};

/**
 * Parse @len bytes at @text (need not be NUL-terminated) into a new tree.
 * @lim: limits, or NULL for the defaults.
 * @out: receives the root; free it with json_free().
 * @err: filled on failure when not NULL.
 * @return 0; -EINVAL for a syntax error or a bad argument; -E2BIG when a
 *         limit is exceeded; -ENOMEM when out of memory. @out is untouched
 *         on failure.
 */
int json_parse(const char *text, size_t len, const struct json_limits *lim, struct json_value **out,
	       struct json_error *err);

/** Free a tree from json_parse(); NULL is ignored. */
void json_free(struct json_value *root);

/** Member @key of object @obj, or NULL (also when @obj is not an object). */
const struct json_value *json_obj_get(const struct json_value *obj, const char *key);

/** Item @i of array @arr, or NULL when out of range or not an array. */
const struct json_value *json_arr_at(const struct json_value *arr, size_t i);

/**
 * Typed reads. @return 0; -EINVAL when @v is NULL or of another type (or,
 * for integers, not an integer literal); -ERANGE when the integer does not
 * fit. json_get_str() also fails with -EINVAL when the string holds a NUL.
 */
int json_get_int64(const struct json_value *v, int64_t *out);
int json_get_uint64(const struct json_value *v, uint64_t *out);
int json_get_double(const struct json_value *v, double *out);
int json_get_bool(const struct json_value *v, bool *out);
int json_get_str(const struct json_value *v, const char **out);

/**
 * Write the parsed tree @v into @w as one value (integers stay integers,
 * members keep their order). Errors are the writer's (json_writer_error()).
 */
void json_write_value(struct json_writer *w, const struct json_value *v);

/* ------------------------------------------------------------------- UTF-8 */

/**
 * Length of the well-formed UTF-8 sequence at the start of @s (at most @n
 * bytes readable): 1 to 4, or 0 when the bytes are not well-formed UTF-8
 * (bad lead or continuation byte, overlong form, surrogate, above U+10FFFF,
 * or cut short). Thread-safe.
 */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif /* NVMF_TGT_UTIL_JSON_H */
