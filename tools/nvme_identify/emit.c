/* SPDX-License-Identifier: BSD-3-Clause */
/* nvme_identify emitter: the same fields as text for a person or as JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tools/nvme_identify/identify.h"

#define LABEL_WIDTH 34

static void indent(const struct emit *e)
{
	printf("%*s", (int)e->indent * 2, "");
}

void emit_section_begin(struct emit *e, const char *key, const char *title)
{
	if (e->json) {
		if (key != NULL)
			json_key(&e->w, key);
		json_obj_begin(&e->w);
		return;
	}
	indent(e);
	printf("%s\n", title);
	e->indent++;
}

void emit_section_end(struct emit *e)
{
	if (e->json)
		json_obj_end(&e->w);
	else
		e->indent--;
}

void emit_array_begin(struct emit *e, const char *key)
{
	if (e->json) {
		json_key(&e->w, key);
		json_arr_begin(&e->w);
	}
}

void emit_array_end(struct emit *e)
{
	if (e->json)
		json_arr_end(&e->w);
}

void emit_item_begin(struct emit *e, const char *title)
{
	emit_section_begin(e, NULL, title);
}

void emit_item_end(struct emit *e)
{
	emit_section_end(e);
}

static void label(const struct emit *e, const char *l)
{
	int pad = LABEL_WIDTH - (int)e->indent * 2 - (int)strlen(l) - 1;

	indent(e);
	printf("%s:%*s ", l, pad > 0 ? pad : 0, "");
}

void emit_str(struct emit *e, const char *l, const char *key, const char *v)
{
	if (e->json) {
		json_kv_str(&e->w, key, v);
		return;
	}
	label(e, l);
	printf("%s\n", v);
}

void emit_text(struct emit *e, const char *l, const char *key, const char *v, size_t len)
{
	char buf[512];
	size_t n = 0;

	while (n < len && n < sizeof(buf) - 1 && v[n] != '\0')
		n++;
	while (n > 0 && v[n - 1] == ' ')
		n--;
	memcpy(buf, v, n);
	buf[n] = '\0';
	emit_str(e, l, key, buf);
}

/* A number: in JSON always as an integer; for a person in decimal or @hex. */
static void emit_number(struct emit *e, const char *l, const char *key, uint64_t v, bool hex)
{
	if (e->json) {
		json_kv_uint(&e->w, key, v);
		return;
	}
	label(e, l);
	printf(hex ? "0x%" PRIx64 "\n" : "%" PRIu64 "\n", v);
}

void emit_uint(struct emit *e, const char *l, const char *key, uint64_t v)
{
	emit_number(e, l, key, v, false);
}

void emit_hex(struct emit *e, const char *l, const char *key, uint64_t v)
{
	emit_number(e, l, key, v, true);
}

void emit_bytes(struct emit *e, const char *l, const char *key, const uint8_t *b, size_t n)
{
	char hex[2 * 64 + 1];
	bool zero = true;

	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++) {
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
		if (b[i])
			zero = false;
	}
	hex[2 * n] = '\0';
	if (e->json) {
		json_kv_str(&e->w, key, hex);
		return;
	}
	label(e, l);
	printf("%s\n", zero ? "(none)" : hex);
}
