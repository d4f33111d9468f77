/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse.c - text -> section structs: lines, comments, [section] headers and
 * "Key value" directives, each dispatched through the directive table.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_internal.h"

/* Names SPDK's legacy conf used for what is called otherwise here. */
static const struct {
	const char *legacy;
	const char *ours;
} sect_hints[] = {
    {"Malloc", "Ram"},
    {"AIO", "File"},
    {"Nvmf", "Global"},
};

/* Cut a comment: '#' at the start of the line or after whitespace. */
static void strip_comment(char *s)
{
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '#' && (i == 0 || isspace((unsigned char)s[i - 1]))) {
			s[i] = '\0';
			return;
		}
	}
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static bool sect_type_of(const char *name, enum conf_sect_type *type)
{
	size_t sub = strlen("Subsystem");

	for (unsigned t = 0; t < CONF_SECT_COUNT; t++) {
		if (strcasecmp(name, conf_sect_names[t]) == 0) {
			*type = t;
			return true;
		}
	}
	/* [Subsystem1], [Subsystem2] ... as SPDK's users write them */
	if (strncasecmp(name, "Subsystem", sub) == 0 && name[sub]) {
		for (const char *d = name + sub; *d; d++) {
			if (!isdigit((unsigned char)*d))
				return false;
		}
		*type = CONF_SECT_SUBSYSTEM;
		return true;
	}
	return false;
}

static void unknown_section(struct conf_parser *p, const char *name)
{
	const char *hint = conf_suggest(name, conf_sect_names, CONF_SECT_COUNT, sizeof(char *));

	for (size_t i = 0; i < ARRAY_SIZE(sect_hints) && !hint; i++) {
		if (strcasecmp(name, sect_hints[i].legacy) == 0)
			hint = sect_hints[i].ours;
	}
	if (hint)
		conf_perr(p, "unknown section [%s] (did you mean [%s]?)", name, hint);
	else
		conf_perr(p,
			  "unknown section [%s] (known: Global, Transport, Ram, Null, File, "
			  "Nvme, Subsystem)",
			  name);
}

static int sect_append(struct conf_parser *p, struct conf_section *s)
{
	struct conf *c = p->c;
	struct conf_section **grown = realloc(c->sects, (c->n_sects + 1) * sizeof(*grown));

	if (!grown) {
		p->nomem = true;
		return -ENOMEM;
	}
	c->sects = grown;
	c->sects[c->n_sects++] = s;
	return 0;
}

static struct conf_section *sect_new(struct conf_parser *p, enum conf_sect_type type,
				     const char *name)
{
	struct conf_section *s = calloc(1, conf_sect_size(type));

	if (!s) {
		p->nomem = true;
		return NULL;
	}
	s->type = type;
	s->line = p->line;
	snprintf(s->title, sizeof(s->title), "[%s]", name);
	if (type != CONF_SECT_GLOBAL && type != CONF_SECT_TRANSPORT && type != CONF_SECT_SUBSYSTEM)
		((struct conf_backend *)s)->block_size = 512;
	if (sect_append(p, s) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* A "[name]" line: the new current section, or NULL (unknown: its keys are skipped). */
static struct conf_section *header(struct conf_parser *p, char *s)
{
	size_t len = strlen(s);
	enum conf_sect_type type;
	char *name;

	if (s[len - 1] != ']') {
		conf_perr(p, "section header '%s' has no closing ']'", s);
		return NULL;
	}
	s[len - 1] = '\0';
	name = trim(s + 1);
	if (!sect_type_of(name, &type)) {
		unknown_section(p, name);
		return NULL;
	}
	if (type == CONF_SECT_GLOBAL && p->c->global) {
		conf_perr(p, "duplicate section [%s] (first at line %u)", name,
			  p->c->global->hdr.line);
		return NULL;
	}
	struct conf_section *sect = sect_new(p, type, name);

	if (sect && type == CONF_SECT_GLOBAL)
		p->c->global = (struct conf_global *)sect;
	return sect;
}

static void unknown_key(struct conf_parser *p, const struct conf_section *s, const char *key)
{
	const char *cands[2 * CONF_DIRECTIVES_MAX];
	const char *hint;
	size_t n = 0;

	for (unsigned i = 0; i < conf_n_directives; i++) {
		if (!(conf_directives[i].sections & CONF_BIT(s->type)))
			continue;
		cands[n++] = conf_directives[i].key;
		if (conf_directives[i].alias)
			cands[n++] = conf_directives[i].alias;
	}
	hint = conf_suggest(key, cands, n, sizeof(cands[0]));
	if (hint)
		conf_perr(p, "unknown key '%s' in [%s] (did you mean '%s'?)", key,
			  conf_sect_names[s->type], hint);
	else
		conf_perr(p, "unknown key '%s' in [%s]", key, conf_sect_names[s->type]);
}

static void directive(struct conf_parser *p, struct conf_section *s, char *line)
{
	char *key = line, *value = line;
	const struct conf_directive *d;
	int idx;

	while (*value && !isspace((unsigned char)*value))
		value++;
	if (*value)
		*value++ = '\0';
	value = trim(value);
	idx = conf_directive_find(s->type, key);
	if (idx < 0) {
		unknown_key(p, s, key);
		return;
	}
	d = &conf_directives[idx];
	if (s->seen[idx] && !(d->flags & CONF_REPEATABLE)) {
		conf_perr(p, "duplicate key '%s' in %s (first given at line %u)", d->key, s->title,
			  s->seen[idx]);
		return;
	}
	if (*value == '\0') {
		conf_perr(p, "key '%s' in %s needs a value", d->key, s->title);
		return;
	}
	if (!s->seen[idx])
		s->seen[idx] = p->line;
	conf_value_parse(p, d, s, value);
}

/* One line (NUL-terminated, no line ending); @cur and @skip carry the section. */
static void parse_line(struct conf_parser *p, char *buf, struct conf_section **cur, bool *skip)
{
	char *s;

	strip_comment(buf);
	s = trim(buf);
	if (*s == '\0')
		return;
	if (*s == '[') {
		*cur = header(p, s);
		*skip = *cur == NULL;
		return;
	}
	if (*cur)
		directive(p, *cur, s);
	else if (!*skip)
		conf_perr(p, "'%s' is outside of any section (put a [Section] header above it)", s);
}

int conf_parse_text(struct conf_parser *p, const char *text, size_t len)
{
	struct conf_section *cur = NULL;
	char buf[CONF_LINE_MAX + 1];
	bool skip = false;
	size_t pos = 0;

	p->line = 0;
	while (pos < len && !p->nomem) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;

		pos += n + (nl ? 1 : 0);
		p->line++;
		if (n && start[n - 1] == '\r')
			n--;
		if (n > CONF_LINE_MAX) {
			conf_perr(p, "line is too long (%zu characters, at most %d)", n,
				  CONF_LINE_MAX);
			continue;
		}
		if (memchr(start, '\0', n)) {
			conf_perr(p, "line contains a NUL byte (is this a text file?)");
			continue;
		}
		memcpy(buf, start, n);
		buf[n] = '\0';
		parse_line(p, buf, &cur, &skip);
	}
	return p->nomem ? -ENOMEM : 0;
}
