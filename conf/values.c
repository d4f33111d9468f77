/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * values.c - the value parsers behind the directive kinds: integers, sizes,
 * booleans, strings and enumerations.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_internal.h"

/* Decimal, or hex with 0x; no sign, no trailing characters. */
static int parse_u64(const char *s, uint64_t *out, const char **end)
{
	unsigned base = 10;
	uint64_t v = 0;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p))
		return -EINVAL;
	for (; *p; p++) {
		unsigned dig;

		if (isdigit((unsigned char)*p))
			dig = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			dig = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX - dig) / base)
			return -ERANGE;
		v = v * base + dig;
	}
	*out = v;
	*end = p;
	return 0;
}

static int shift_of_suffix(const char *sfx, unsigned *shift)
{
	static const char units[] = "KMGT";
	const char *u;

	if (*sfx == '\0') {
		*shift = 0;
		return 0;
	}
	u = strchr(units, toupper((unsigned char)*sfx));
	if (!u)
		return -EINVAL;
	*shift = 10 * (unsigned)(u - units + 1);
	sfx++;
	/* K, KB, KiB */
	if (*sfx == '\0' || strcasecmp(sfx, "B") == 0 || strcasecmp(sfx, "iB") == 0)
		return 0;
	return -EINVAL;
}

int conf_parse_size(const char *s, uint64_t *out)
{
	const char *end;
	unsigned shift;
	uint64_t v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	if (parse_u64(s, &v, &end) != 0 || shift_of_suffix(end, &shift) != 0)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int conf_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int value_int(struct conf_parser *p, const struct conf_directive *d, void *field,
		     const char *value)
{
	const char *end;
	uint64_t v;

	if (parse_u64(value, &v, &end) != 0 || *end != '\0' || v < d->min || v > d->max) {
		conf_perr(p, "%s: expected an integer from %llu to %llu, got '%s'", d->key,
			  (unsigned long long)d->min, (unsigned long long)d->max, value);
		return -EINVAL;
	}
	*(uint32_t *)field = (uint32_t)v;
	return 0;
}

static int value_size(struct conf_parser *p, const struct conf_directive *d, void *field,
		      const char *value)
{
	uint64_t v;

	if (conf_parse_size(value, &v) != 0) {
		conf_perr(p, "%s: expected a size such as 4096, 64K, 256M or 1G, got '%s'", d->key,
			  value);
		return -EINVAL;
	}
	if (v < d->min || v > d->max) {
		conf_perr(p, "%s: %s is out of range: expected %llu to %llu bytes", d->key, value,
			  (unsigned long long)d->min, (unsigned long long)d->max);
		return -EINVAL;
	}
	if (d->kind == CONF_SIZE32)
		*(uint32_t *)field = (uint32_t)v;
	else
		*(uint64_t *)field = v;
	return 0;
}

static int value_bool(struct conf_parser *p, const struct conf_directive *d, void *field,
		      const char *value)
{
	if (conf_parse_bool(value, (bool *)field) != 0) {
		conf_perr(p, "%s: expected Yes or No (or True/False, On/Off, 1/0), got '%s'",
			  d->key, value);
		return -EINVAL;
	}
	return 0;
}

static int value_string(struct conf_parser *p, const struct conf_directive *d, void *field,
			const char *value)
{
	char **dst = field;
	size_t len = strlen(value);

	if (d->max && len > d->max) {
		conf_perr(p, "%s: '%s' is %zu characters long, at most %llu allowed", d->key, value,
			  len, (unsigned long long)d->max);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = value[i];

		if (ch < 0x20 || ch == 0x7f || (ch > 0x7f && (d->flags & CONF_ASCII))) {
			conf_perr(p, "%s: '%s' has a character that is not printable ASCII", d->key,
				  value);
			return -EINVAL;
		}
	}
	free(*dst);
	*dst = strdup(value);
	if (!*dst) {
		p->nomem = true;
		return -ENOMEM;
	}
	return 0;
}

static int value_enum(struct conf_parser *p, const struct conf_directive *d, void *field,
		      const char *value)
{
	char list[256] = "";
	size_t used = 0;

	for (unsigned i = 0; d->enum_names[i]; i++) {
		if (strcasecmp(value, d->enum_names[i]) == 0) {
			*(int *)field = d->enum_values[i];
			return 0;
		}
	}
	for (unsigned i = 0; d->enum_names[i] && used < sizeof(list); i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
				 d->enum_names[i]);

		used += n > 0 ? (size_t)n : 0;
	}
	conf_perr(p, "%s: expected one of %s, got '%s'", d->key, list, value);
	return -EINVAL;
}

int conf_value_parse(struct conf_parser *p, const struct conf_directive *d, void *sect,
		     const char *value)
{
	void *field = (char *)sect + d->offset;

	switch (d->kind) {
	case CONF_INT:
		return value_int(p, d, field, value);
	case CONF_SIZE32:
	case CONF_SIZE64:
		return value_size(p, d, field, value);
	case CONF_BOOL:
		return value_bool(p, d, field, value);
	case CONF_STRING:
		return value_string(p, d, field, value);
	case CONF_ENUM:
		return value_enum(p, d, field, value);
	case CONF_CUSTOM:
		return d->parse(p, d, sect, field, value);
	}
	return -EINVAL;
}
