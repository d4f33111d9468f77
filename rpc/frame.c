/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frame.c - finding where one JSON object or array ends in a byte stream,
 * incrementally: brackets are counted outside strings. Whether the bytes
 * in between are valid JSON is the reader's business (json_parse).
 */
#include <errno.h>
#include <string.h>

#include "rpc.h"

void rpc_frame_reset(struct rpc_frame *f)
{
	memset(f, 0, sizeof(*f));
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One byte inside a value. @return true when the value ends with it. */
static bool frame_step(struct rpc_frame *f, char c)
{
	if (f->in_str) {
		if (f->esc)
			f->esc = false;
		else if (c == '\\')
			f->esc = true;
		else if (c == '"')
			f->in_str = false;
		return false;
	}
	switch (c) {
	case '"':
		f->in_str = true;
		return false;
	case '{':
	case '[':
		f->depth++;
		return false;
	case '}':
	case ']':
		return --f->depth == 0;
	default:
		return false;
	}
}

int rpc_frame_next(struct rpc_frame *f, const char *buf, size_t len, size_t *start, size_t *end)
{
	while (f->pos < len) {
		char c = buf[f->pos];

		if (!f->started) {
			if (is_space(c)) {
				f->pos++;
				continue;
			}
			if (c != '{' && c != '[')
				return -EINVAL;
			f->started = true;
			f->start = f->pos;
		}
		f->pos++;
		if (frame_step(f, c)) {
			*start = f->start;
			*end = f->pos;
			return 1;
		}
	}
	return 0;
}
