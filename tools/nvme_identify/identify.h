/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * identify.h - nvme_identify internals: one emitter that writes either
 * "  Label:  value" lines for a person or members of a JSON object, so the
 * printers describe each field once.
 */
#ifndef NVME_IDENTIFY_H
#define NVME_IDENTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme.h"
#include "util_json.h"

struct emit {
	bool json;
	struct json_writer w; /* JSON mode */
	unsigned indent;      /* person mode */
};

/**
 * Open / close a named section (a JSON object member, or a heading); with
 * @key NULL, an object with no key (an array element).
 */
void emit_section_begin(struct emit *e, const char *key, const char *title);
void emit_section_end(struct emit *e);
/** Open / close an array member / an element of it. */
void emit_array_begin(struct emit *e, const char *key);
void emit_array_end(struct emit *e);
void emit_item_begin(struct emit *e, const char *title);
void emit_item_end(struct emit *e);

/** One field: @label for a person, @key in JSON. */
void emit_str(struct emit *e, const char *label, const char *key, const char *v);
/** A fixed-size space- or NUL-padded text field, trimmed. */
void emit_text(struct emit *e, const char *label, const char *key, const char *v, size_t len);
void emit_uint(struct emit *e, const char *label, const char *key, uint64_t v);
/** A number shown as hex to a person (a number in JSON). */
void emit_hex(struct emit *e, const char *label, const char *key, uint64_t v);
/** Bytes as a hex string ("" when all zero is shown as "(none)" to a person). */
void emit_bytes(struct emit *e, const char *label, const char *key, const uint8_t *b, size_t n);

/* print.c */
void print_ctrlr(struct emit *e, struct nvme_ctrlr *ctrlr);
/** Every active namespace. @return 0 or the first admin errno. */
int print_namespaces(struct emit *e, struct nvme_ctrlr *ctrlr);
/** The discovery log page. @return 0 or an errno. */
int print_discovery(struct emit *e, struct nvme_ctrlr *ctrlr);

#endif /* NVME_IDENTIFY_H */
