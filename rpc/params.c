/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * params.c - decoding a method's named parameters by table, with an error
 * that names the parameter; identifiers (UUID, hex) in and out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rpc/rpc_internal.h"
#include "util.h"

static const struct rpc_param *param_find(const struct rpc_param *tab, size_t n, const char *name,
					  size_t *idx)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(tab[i].name, name) == 0) {
			*idx = i;
			return &tab[i];
		}
	}
	return NULL;
}

/* Decode one present value. @return NULL or what was expected. */
static const char *param_store(const struct rpc_param *p, const struct json_value *v, void *out)
{
	char *field = (char *)out + p->off;
	uint64_t u;
	bool b;

	switch (p->type) {
	case RPC_P_STR:
		if (json_get_str(v, (const char **)(void *)field) != 0 || v->u.str.len == 0)
			return "a non-empty string";
		return NULL;
	case RPC_P_U32:
		if (json_get_uint64(v, &u) != 0 || u > UINT32_MAX)
			return "an integer from 0 to 4294967295";
		*(uint32_t *)(void *)field = (uint32_t)u;
		return NULL;
	case RPC_P_U64:
		if (json_get_uint64(v, &u) != 0)
			return "a non-negative integer";
		*(uint64_t *)(void *)field = u;
		return NULL;
	case RPC_P_BOOL:
		if (json_get_bool(v, &b) != 0)
			return "true or false";
		*(bool *)(void *)field = b;
		return NULL;
	case RPC_P_OBJ:
		if (v->type != JSON_OBJECT)
			return "an object";
		*(const struct json_value **)(void *)field = v;
		return NULL;
	case RPC_P_FIXED:
		if (json_get_bool(v, &b) != 0)
			return "true or false";
		return NULL;
	case RPC_P_REFUSE:
		return NULL;
	}
	return "a value";
}

static const char *pfx(const char *prefix)
{
	return prefix ? prefix : "";
}

static const char *dot(const char *prefix)
{
	return prefix ? "." : "";
}

/* FIXED and REFUSE: the value is known to be well-typed. @return 0 or -EINVAL. */
static int param_policy(struct rpc_req *r, const char *prefix, const struct rpc_param *p,
			const struct json_value *v)
{
	if (p->type == RPC_P_REFUSE) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "%s%s%s: not supported (%s)", pfx(prefix),
			  dot(prefix), p->name, p->why);
		return -EINVAL;
	}
	if (p->type == RPC_P_FIXED && v->u.boolean != p->fixed) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "%s%s%s: %s is not supported (%s)",
			  pfx(prefix), dot(prefix), p->name, p->fixed ? "false" : "true", p->why);
		return -EINVAL;
	}
	return 0;
}

int rpc_params_decode(struct rpc_req *r, const struct json_value *params, const char *prefix,
		      const struct rpc_param *tab, size_t n, void *out, uint64_t *given)
{
	size_t count = params ? params->u.obj.count : 0;

	*given = 0;
	if (params != NULL && params->type != JSON_OBJECT) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS, "%s: must be an object",
			  prefix ? prefix : "params");
		return -EINVAL;
	}
	for (size_t i = 0; i < count; i++) {
		const struct json_member *m = &params->u.obj.members[i];
		const struct rpc_param *p;
		const char *want;
		size_t idx;

		p = param_find(tab, n, m->key, &idx);
		if (p == NULL) {
			rpc_error(r, RPC_ERR_INVALID_PARAMS, "unknown parameter '%s%s%.64s'",
				  pfx(prefix), dot(prefix), m->key);
			return -EINVAL;
		}
		want = param_store(p, &m->value, out);
		if (want != NULL) {
			rpc_error(r, RPC_ERR_INVALID_PARAMS, "%s%s%s: expected %s", pfx(prefix),
				  dot(prefix), p->name, want);
			return -EINVAL;
		}
		if (param_policy(r, prefix, p, &m->value) != 0)
			return -EINVAL;
		*given |= 1ull << idx;
	}
	for (size_t i = 0; i < n; i++) {
		if (tab[i].required && !(*given & (1ull << i))) {
			rpc_error(r, RPC_ERR_INVALID_PARAMS, "%s%s%s: required", pfx(prefix),
				  dot(prefix), tab[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ identifiers */

static void hex_into(char *dst, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = digits[b[i] >> 4];
		dst[2 * i + 1] = digits[b[i] & 15];
	}
	dst[2 * n] = '\0';
}

void rpc_write_hex(struct json_writer *w, const char *key, const uint8_t *b, size_t n)
{
	char buf[2 * 16 + 1];

	if (n > 16)
		n = 16;
	hex_into(buf, b, n);
	json_kv_str(w, key, buf);
}

void rpc_format_uuid(char buf[37], const uint8_t b[16])
{
	hex_into(buf, b, 4);
	buf[8] = '-';
	hex_into(buf + 9, b + 4, 2);
	buf[13] = '-';
	hex_into(buf + 14, b + 6, 2);
	buf[18] = '-';
	hex_into(buf + 19, b + 8, 2);
	buf[23] = '-';
	hex_into(buf + 24, b + 10, 6);
}

void rpc_write_uuid(struct json_writer *w, const char *key, const uint8_t b[16])
{
	char buf[37];

	rpc_format_uuid(buf, b);
	json_kv_str(w, key, buf);
}

/* @n bytes from hex digits at @s, skipping '-' when @dashes. @return 0 or -EINVAL. */
static int hex_parse(const char *s, uint8_t *b, size_t n, bool dashes)
{
	size_t got = 0;

	while (*s != '\0') {
		int hi, lo;

		if (dashes && *s == '-') {
			s++;
			continue;
		}
		hi = util_hex_digit(s[0]);
		lo = hi < 0 ? -1 : util_hex_digit(s[1]);
		if (lo < 0 || got == n)
			return -EINVAL;
		b[got++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return got == n ? 0 : -EINVAL;
}

int rpc_parse_uuid(const char *s, uint8_t b[16])
{
	static const size_t dash_at[] = {8, 13, 18, 23};

	if (strlen(s) != 36)
		return -EINVAL;
	for (size_t i = 0; i < 4; i++) {
		if (s[dash_at[i]] != '-')
			return -EINVAL;
	}
	return hex_parse(s, b, 16, true);
}

int rpc_parse_hex(const char *s, uint8_t *b, size_t n)
{
	return hex_parse(s, b, n, false);
}

void rpc_write_listen_addr(struct json_writer *w, const char *key, const struct nvmf_listen_addr *a)
{
	if (key != NULL)
		json_key(w, key);
	json_obj_begin(w);
	json_kv_str(w, "trtype", a->trtype == NVMF_TRTYPE_RDMA ? "RDMA" : "TCP");
	json_kv_str(w, "adrfam", a->adrfam == NVMF_ADRFAM_IPV6 ? "IPv6" : "IPv4");
	json_kv_str(w, "traddr", a->traddr);
	json_kv_str(w, "trsvcid", a->trsvcid);
	json_obj_end(w);
}

void rpc_write_fields(struct json_writer *w, const void *obj, const struct rpc_field *tab, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const void *p = (const char *)obj + tab[i].off;

		switch (tab[i].kind) {
		case RPC_F_U64:
			json_kv_uint(w, tab[i].name, *(const uint64_t *)p);
			break;
		case RPC_F_U32:
			json_kv_uint(w, tab[i].name, *(const uint32_t *)p);
			break;
		case RPC_F_U16:
			json_kv_uint(w, tab[i].name, *(const uint16_t *)p);
			break;
		case RPC_F_STRP:
			json_key(w, tab[i].name);
			if (*(const char *const *)p != NULL)
				json_str(w, *(const char *const *)p);
			else
				json_null(w);
			break;
		case RPC_F_UUID:
			rpc_write_uuid(w, tab[i].name, p);
			break;
		case RPC_F_ADDRP:
			rpc_write_listen_addr(w, tab[i].name,
					      *(const struct nvmf_listen_addr *const *)p);
			break;
		}
	}
}
