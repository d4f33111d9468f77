/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * custom.c - the value parsers of directives that are not a plain number,
 * size, bool, string or enumeration: transport type, core masks, names,
 * NQNs, Listen, Host, Namespace, and the PCI address and NSID list of an
 * [Nvme] section.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "conf/conf_internal.h"
#include "env.h"

#define MAX_TOKENS 40

/* Split @value at whitespace into @buf; @return the token count (up to MAX_TOKENS + 1). */
static unsigned split(const char *value, char *buf, size_t buflen, char *tok[MAX_TOKENS + 1])
{
	unsigned n = 0;
	char *save = NULL;

	snprintf(buf, buflen, "%s", value);
	for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		tok[n++] = t;
		if (n == MAX_TOKENS + 1)
			break;
	}
	return n;
}

static int set_string(struct conf_parser *p, void *field, const char *value)
{
	char **dst = field;

	free(*dst);
	*dst = strdup(value);
	if (!*dst) {
		p->nomem = true;
		return -ENOMEM;
	}
	return 0;
}

/* Grow @arr (of @n elements of @size bytes) by one zeroed element. */
static void *push(struct conf_parser *p, void *arr_field, unsigned *n, size_t size)
{
	void **arr = arr_field;
	char *grown = realloc(*arr, (*n + 1) * size);

	if (!grown) {
		p->nomem = true;
		return NULL;
	}
	*arr = grown;
	memset(grown + *n * size, 0, size);
	return grown + (*n)++ * size;
}

int conf_parse_trtype(struct conf_parser *p, const struct conf_directive *d, void *sect,
		      void *field, const char *value)
{
	(void)sect;
	if (nvmf_trtype_parse(value, (uint8_t *)field) != 0) {
		conf_perr(p, "%s: unknown transport '%s' (expected TCP or RDMA)", d->key, value);
		return -EINVAL;
	}
	return 0;
}

int conf_parse_mask(struct conf_parser *p, const struct conf_directive *d, void *sect, void *field,
		    const char *value)
{
	const char *hex = value + 2;
	size_t len = strlen(value);
	bool nonzero = false;

	(void)sect;
	if (len < 3 || len > 2 + 64 || value[0] != '0' || tolower((unsigned char)value[1]) != 'x')
		goto bad;
	for (; *hex; hex++) {
		if (!isxdigit((unsigned char)*hex))
			goto bad;
		nonzero |= *hex != '0';
	}
	if (!nonzero) {
		conf_perr(p, "%s: '%s' selects no core", d->key, value);
		return -EINVAL;
	}
	return set_string(p, field, value);
bad:
	conf_perr(p, "%s: expected a hex core mask such as 0x3, got '%s'", d->key, value);
	return -EINVAL;
}

/* One "N" or "N-M" item of a core list; advances *@s. */
static bool core_item(const char **s)
{
	char *end;
	unsigned long lo, hi;

	if (!isdigit((unsigned char)**s))
		return false;
	lo = strtoul(*s, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return false;
		hi = strtoul(end + 1, &end, 10);
	}
	*s = end;
	return lo <= hi && hi < 1024;
}

int conf_parse_corelist(struct conf_parser *p, const struct conf_directive *d, void *sect,
			void *field, const char *value)
{
	const char *s = value;

	(void)sect;
	for (;;) {
		if (!core_item(&s))
			break;
		if (*s == '\0')
			return set_string(p, field, value);
		if (*s++ != ',')
			break;
	}
	conf_perr(p, "%s: expected a core list such as 0-1 or 0,2-3 (cores below 1024), got '%s'",
		  d->key, value);
	return -EINVAL;
}

static bool name_valid(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > CONF_NAME_MAX)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr("_-.:", *s))
			return false;
	}
	return true;
}

int conf_parse_name(struct conf_parser *p, const struct conf_directive *d, void *sect, void *field,
		    const char *value)
{
	(void)sect;
	if (!name_valid(value)) {
		conf_perr(p,
			  "%s: '%s' is not a valid name: use letters, digits, '_', '-', '.' "
			  "or ':', at most %d characters",
			  d->key, value, CONF_NAME_MAX);
		return -EINVAL;
	}
	return set_string(p, field, value);
}

static int check_nqn(struct conf_parser *p, const char *key, const char *nqn)
{
	if (!nvmf_nqn_valid(nqn)) {
		conf_perr(p, "%s: '%s' is not a valid NQN: %s", key, nqn, conf_nqn_why(nqn));
		return -EINVAL;
	}
	return 0;
}

int conf_parse_nqn(struct conf_parser *p, const struct conf_directive *d, void *sect, void *field,
		   const char *value)
{
	(void)sect;
	if (check_nqn(p, d->key, value) != 0)
		return -EINVAL;
	if (strcmp(value, NVMF_DISCOVERY_NQN) == 0) {
		conf_perr(p, "%s: '%s' is the discovery service's NQN; choose another", d->key,
			  value);
		return -EINVAL;
	}
	return set_string(p, field, value);
}

/* The option of a Listen: secure=none or secure=tls (TCP only). */
static int parse_secure(struct conf_parser *p, const struct conf_directive *d, uint8_t trtype,
			const char *opt, struct nvmf_listen_addr *addr)
{
	if (strcasecmp(opt, "secure=none") == 0) {
		addr->secure = NVMF_LISTEN_SECURE_NONE;
		return 0;
	}
	if (strcasecmp(opt, "secure=tls") != 0) {
		conf_perr(p, "%s: unknown option '%s' (expected secure=tls or secure=none)", d->key,
			  opt);
		return -EINVAL;
	}
	if (trtype != NVMF_TRTYPE_TCP) {
		conf_perr(p, "%s: secure=tls is for TCP listeners only", d->key);
		return -EINVAL;
	}
	addr->secure = NVMF_LISTEN_SECURE_TLS;
	return 0;
}

/* "TCP 127.0.0.1:4420" in @tok[0..1] into @addr. @return 0 or -EINVAL (reported). */
static int addr_parse(struct conf_parser *p, const struct conf_directive *d, char **tok,
		      struct nvmf_listen_addr *addr)
{
	uint8_t trtype;

	if (nvmf_trtype_parse(tok[0], &trtype) != 0) {
		conf_perr(p, "%s: unknown transport '%s' (expected TCP or RDMA)", d->key, tok[0]);
		return -EINVAL;
	}
	if (nvmf_listen_addr_parse(tok[0], tok[1], addr) != 0) {
		conf_perr(p,
			  "%s: bad address '%s': expected address:port such as 127.0.0.1:4420 "
			  "or [::1]:4420",
			  d->key, tok[1]);
		return -EINVAL;
	}
	return 0;
}

/* Split a Listen or Referral line; @return the token count, 0 when reported as bad. */
static unsigned addr_split(struct conf_parser *p, const struct conf_directive *d, const char *value,
			   char *buf, char **tok, unsigned max)
{
	unsigned n = split(value, buf, CONF_LINE_MAX + 1, tok);

	if (n < 2 || n > max) {
		conf_perr(p,
			  "%s: expected a transport and address:port such as 'TCP 127.0.0.1:4420' "
			  "or 'TCP [::1]:4420', got '%s'",
			  d->key, value);
		return 0;
	}
	return n;
}

int conf_parse_listen(struct conf_parser *p, const struct conf_directive *d, void *sect,
		      void *field, const char *value)
{
	struct conf_subsystem *ss = sect;
	struct conf_listen l = {.line = p->line};
	char buf[CONF_LINE_MAX + 1];
	char *tok[MAX_TOKENS + 1];
	struct conf_listen *slot;
	unsigned n = addr_split(p, d, value, buf, tok, MAX_TOKENS);

	if (n == 0 || addr_parse(p, d, tok, &l.addr) != 0)
		return -EINVAL;
	for (unsigned i = 2; i < n; i++) {
		int rc = strncasecmp(tok[i], "secure=", 7) == 0
			     ? parse_secure(p, d, l.addr.trtype, tok[i], &l.addr)
			     : conf_listen_option(p, &l, tok[i]);
		if (rc != 0)
			return -EINVAL;
	}
	slot = push(p, field, &ss->n_listens, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = l;
	return set_string(p, &slot->text, value);
}

int conf_parse_referral(struct conf_parser *p, const struct conf_directive *d, void *sect,
			void *field, const char *value)
{
	struct conf_global *g = sect;
	struct conf_listen l = {.line = p->line};
	char buf[CONF_LINE_MAX + 1];
	char *tok[MAX_TOKENS + 1];
	struct conf_listen *slot;

	if (addr_split(p, d, value, buf, tok, 2) == 0 || addr_parse(p, d, tok, &l.addr) != 0)
		return -EINVAL;
	for (unsigned i = 0; i < g->n_referrals; i++) {
		if (nvmf_listen_addr_eq(&g->referrals[i].addr, &l.addr)) {
			conf_perr(p, "%s: duplicate referral %s (first at line %u)", d->key, value,
				  g->referrals[i].line);
			return -EINVAL;
		}
	}
	slot = push(p, field, &g->n_referrals, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = l;
	return set_string(p, &slot->text, value);
}

/* psk=: an interchange string or a key file; errors never show key bytes. */
int conf_host_psk(struct conf_parser *p, struct conf_host *h, const char *arg)
{
	const char *why = "bad key";
	struct tls_psk *k;
	int rc;

	if (h->psk != NULL) {
		conf_perr(p, "Host: psk given twice");
		return -EINVAL;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		p->nomem = true;
		return -ENOMEM;
	}
	rc = tls_psk_load(arg, k, &why);
	if (rc != 0) {
		if (rc == -EINVAL)
			conf_perr(p, "Host: psk: %s", why);
		else
			conf_perr(p, "Host: psk: cannot read key file %s: %s", arg,
				  why != NULL ? why : strerror(-rc));
		free(k);
		return rc;
	}
	h->psk = k;
	if (arg[0] == '/' || arg[0] == '.')
		return set_string(p, &h->psk_file, arg);
	return 0;
}

int conf_parse_host(struct conf_parser *p, const struct conf_directive *d, void *sect, void *field,
		    const char *value)
{
	struct conf_subsystem *ss = sect;
	struct conf_host *h;
	char buf[CONF_LINE_MAX];
	size_t n = strcspn(value, " \t");
	int rc;

	snprintf(buf, sizeof(buf), "%s", value);
	buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
	if (check_nqn(p, d->key, buf) != 0)
		return -EINVAL;
	h = push(p, field, &ss->n_hosts, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->line = p->line;
	if (set_string(p, &h->nqn, buf) != 0)
		return -ENOMEM;
	snprintf(buf, sizeof(buf), "%s", value + n);
	rc = conf_host_options(p, h, buf); /* options after the NQN */
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

static int hexval(char c)
{
	if (isdigit((unsigned char)c))
		return c - '0';
	if (isxdigit((unsigned char)c))
		return tolower((unsigned char)c) - 'a' + 10;
	return -1;
}

/** Parse a UUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". @return 0 or -EINVAL. */
int conf_parse_uuid(const char *s, uint8_t uuid[16])
{
	unsigned n = 0;

	if (strlen(s) != 36)
		return -EINVAL;
	for (unsigned i = 0; i < 36;) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -EINVAL;
			continue;
		}
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		uuid[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

int conf_parse_nguid(const char *s, uint8_t nguid[16])
{
	if (strlen(s) != 32)
		return -EINVAL;
	for (unsigned i = 0; i < 16; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		nguid[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int ns_option(struct conf_parser *p, struct conf_ns *ns, const char *tok)
{
	char *end;
	unsigned long v;
	int rc = conf_ns_anagrpid(p, ns, tok);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (strlen(tok) == 32) {
		if (ns->has_nguid || conf_parse_nguid(tok, ns->nguid) != 0) {
			conf_perr(p,
				  "Namespace: bad NGUID '%s' (expected 32 hex digits, given once)",
				  tok);
			return -EINVAL;
		}
		ns->has_nguid = true;
		return 0;
	}
	if (strchr(tok, '-')) {
		if (ns->has_uuid || conf_parse_uuid(tok, ns->uuid) != 0) {
			conf_perr(p,
				  "Namespace: bad UUID '%s' (expected "
				  "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, given once)",
				  tok);
			return -EINVAL;
		}
		ns->has_uuid = true;
		return 0;
	}
	v = strtoul(tok, &end, 10);
	if (!isdigit((unsigned char)tok[0]) || *end || ns->nsid || v == 0 || v > 1024) {
		conf_perr(p, "Namespace: bad NSID '%s' (expected one integer from 1 to 1024)", tok);
		return -EINVAL;
	}
	ns->nsid = (uint32_t)v;
	return 0;
}

int conf_parse_namespace(struct conf_parser *p, const struct conf_directive *d, void *sect,
			 void *field, const char *value)
{
	struct conf_subsystem *ss = sect;
	char buf[CONF_LINE_MAX + 1];
	char *tok[MAX_TOKENS + 1];
	struct conf_ns ns = {.line = p->line};
	struct conf_ns *slot;
	unsigned n = split(value, buf, sizeof(buf), tok);

	if (n < 1 || n > 5) {
		conf_perr(
		    p, "%s: expected '<backend name> [nsid] [uuid] [nguid] [anagrpid=N]', got '%s'",
		    d->key, value);
		return -EINVAL;
	}
	if (!name_valid(tok[0])) {
		conf_perr(p, "%s: '%s' is not a valid backend name", d->key, tok[0]);
		return -EINVAL;
	}
	for (unsigned i = 1; i < n; i++) {
		if (ns_option(p, &ns, tok[i]) != 0)
			return -EINVAL;
	}
	slot = push(p, field, &ss->n_nss, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	*slot = ns;
	return set_string(p, &slot->backend, tok[0]);
}

int conf_parse_pci_addr(struct conf_parser *p, const struct conf_directive *d, void *sect,
			void *field, const char *value)
{
	struct env_pci_addr addr;

	(void)sect;
	if (env_pci_addr_parse(value, &addr) != 0) {
		conf_perr(p, "%s: bad PCI address '%s' (expected 0000:00:04.0, as lspci -D shows)",
			  d->key, value);
		return -EINVAL;
	}
	return set_string(p, field, value);
}

int conf_nsid_list(const char *s, uint32_t *nsids)
{
	unsigned n = 0;
	char *end;

	for (;;) {
		unsigned long long v;

		s += strspn(s, ", \t");
		if (*s == '\0')
			break;
		if (!isdigit((unsigned char)*s) || n == CONF_NVME_NSIDS_MAX)
			return -EINVAL;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno || v == 0 || v > UINT32_MAX || (*end && !strchr(", \t", *end)))
			return -EINVAL;
		nsids[n++] = (uint32_t)v;
		s = end;
	}
	return n ? (int)n : -EINVAL;
}

int conf_parse_nsid_list(struct conf_parser *p, const struct conf_directive *d, void *sect,
			 void *field, const char *value)
{
	uint32_t nsids[CONF_NVME_NSIDS_MAX];

	(void)sect;
	if (conf_nsid_list(value, nsids) < 0) {
		conf_perr(p,
			  "%s: bad NSID list '%s' (expected NSIDs from 1 such as 1,2; at most %d)",
			  d->key, value, CONF_NVME_NSIDS_MAX);
		return -EINVAL;
	}
	return set_string(p, field, value);
}
