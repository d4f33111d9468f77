/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_internal.h - inside conf/: the section structs, the directive table
 * and the helpers shared by the parser, the validator and the applier.
 */
#ifndef NVMF_TGT_CONF_INTERNAL_H
#define NVMF_TGT_CONF_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "util_tls_psk.h"

/** Section types; also bits of conf_directive.sections. */
enum conf_sect_type {
	CONF_SECT_GLOBAL = 0,
	CONF_SECT_TRANSPORT,
	CONF_SECT_RAM,
	CONF_SECT_NULL,
	CONF_SECT_FILE,
	CONF_SECT_SUBSYSTEM,
	CONF_SECT_NVME,
	CONF_SECT_COUNT,
};

#define CONF_BIT(t) (1u << (t))
#define CONF_BACKENDS                                                                              \
	(CONF_BIT(CONF_SECT_RAM) | CONF_BIT(CONF_SECT_NULL) | CONF_BIT(CONF_SECT_FILE) |           \
	 CONF_BIT(CONF_SECT_NVME))

/** Most directives in the table (size of conf_section.seen). */
#define CONF_DIRECTIVES_MAX 48
/** Longest backend name, without the NUL. */
#define CONF_NAME_MAX 63

/** Head of every section struct. */
struct conf_section {
	enum conf_sect_type type;
	unsigned line;  /**< line of the [header] */
	char title[40]; /**< the header as written, "[Subsystem2]" */
	unsigned
	    seen[CONF_DIRECTIVES_MAX]; /**< per directive index: line it was given on, 0 = not */
};

struct conf_global {
	struct conf_section hdr;
	char *reactor_mask;
	char *core_list;
	int log_level;
	bool idle_sleep;
	uint32_t idle_us;
	char *resv_dir;
	char *discovery_nqn;
	int tls_kdf; /**< TlsPskDerivation: enum tls_psk_kdf */
	struct conf_listen *referrals;
	unsigned n_referrals;
};

struct conf_transport {
	struct conf_section hdr;
	struct nvmf_transport_opts opts; /**< only the fields given; defaults at apply */
};

struct conf_backend {
	struct conf_section hdr;
	char *name;
	char *path; /**< [File] Path; [Nvme] TrAddr */
	uint64_t size;
	int block_size;
	char *nsids; /**< [Nvme] Namespaces "1,2" as written */
};

struct conf_listen {
	unsigned line;
	char *text; /**< "TCP 127.0.0.1:4420", for messages */
	struct nvmf_listen_addr addr;
	uint8_t ana[NVMF_ANA_GRP_MAX + 1]; /**< ana= ([0]) and ana.N= ([N]) states; 0: not given */
};

struct conf_host {
	unsigned line;
	char *nqn;
	struct tls_psk *psk;   /**< psk=: the configured PSK (wiped when freed), or NULL */
	char *psk_file;        /**< psk= named a key file: its path; else NULL */
	char *dhchap_key;      /**< dhchap_key=, or NULL (conf/auth.c) */
	char *dhchap_ctrl_key; /**< dhchap_ctrlr_key=, or NULL */
};

/** DhchapDigests / DhchapDHGroups: ids in order; n 0: not given. */
struct conf_id_list {
	unsigned line;
	unsigned n;
	uint8_t ids[6];
};

struct conf_ns {
	unsigned line;
	char *backend;
	uint32_t nsid; /**< 0: the core picks */
	bool has_uuid;
	uint8_t uuid[16];
	bool has_nguid;
	uint8_t nguid[16];
	uint32_t anagrpid; /**< anagrpid=N; 0: not given */
};

struct conf_subsystem {
	struct conf_section hdr;
	char *nqn;
	char *sn;
	char *mn;
	bool allow_any_host;
	bool admin_passthru;
	uint32_t max_namespaces;
	struct conf_listen *listens;
	unsigned n_listens;
	struct conf_host *hosts;
	unsigned n_hosts;
	struct conf_id_list dhchap_hashes;
	struct conf_id_list dhchap_groups;
	struct conf_ns *nss;
	unsigned n_nss;
};

/** A parsed file: its sections in file order. */
struct conf {
	char *name;
	struct conf_section **sects;
	unsigned n_sects;
	struct conf_global *global; /**< NULL when there is no [Global] */
};

/** Parse state, also what every value parser reports through. */
struct conf_parser {
	struct conf *c;
	struct conf_errors *errs;
	unsigned line;
	bool nomem;
};

/* ----------------------------------------------------------- directives */

enum conf_kind {
	CONF_INT,    /**< uint32_t, decimal or 0x hex, in [min, max] */
	CONF_SIZE32, /**< uint32_t, bytes with an optional K/M/G/T suffix */
	CONF_SIZE64, /**< uint64_t, the same */
	CONF_BOOL,   /**< bool: Yes/No, True/False, On/Off, 1/0 */
	CONF_STRING, /**< char *, printable, at most max characters */
	CONF_ENUM,   /**< int, one of enum_names / enum_values */
	CONF_CUSTOM, /**< parse() does everything */
};

#define CONF_REQUIRED 0x1u
#define CONF_REPEATABLE 0x2u
#define CONF_ASCII 0x4u /**< CONF_STRING: printable ASCII only */

struct conf_directive;

/** A custom value parser. @return 0 or -EINVAL after reporting. */
typedef int (*conf_parse_fn)(struct conf_parser *p, const struct conf_directive *d, void *sect,
			     void *field, const char *value);

struct conf_directive {
	unsigned sections; /**< CONF_BIT()s of the sections it belongs to */
	const char *key;
	const char *alias; /**< another accepted spelling, or NULL */
	enum conf_kind kind;
	size_t offset; /**< of the field in the section struct */
	unsigned flags;
	uint64_t min, max;             /**< CONF_INT/SIZE*: range; CONF_STRING: max length */
	const char *const *enum_names; /**< CONF_ENUM, NULL-terminated */
	const int *enum_values;
	conf_parse_fn parse; /**< CONF_CUSTOM */
};

/** The table and its length. */
extern const struct conf_directive conf_directives[];
extern const unsigned conf_n_directives;

/** Section type names as written in headers, "Global" ... */
extern const char *const conf_sect_names[CONF_SECT_COUNT];

/** Find @key (case-insensitive) among the directives of section @type. @return index or -1. */
int conf_directive_find(enum conf_sect_type type, const char *key);

/** Parse @value for directive @d into section @sect, per its kind. @return 0 or -EINVAL. */
int conf_value_parse(struct conf_parser *p, const struct conf_directive *d, void *sect,
		     const char *value);

/* The CONF_CUSTOM parsers (custom.c). */
int conf_parse_trtype(struct conf_parser *p, const struct conf_directive *d, void *sect,
		      void *field, const char *value);
int conf_parse_mask(struct conf_parser *p, const struct conf_directive *d, void *sect, void *field,
		    const char *value);
int conf_parse_corelist(struct conf_parser *p, const struct conf_directive *d, void *sect,
			void *field, const char *value);
int conf_parse_name(struct conf_parser *p, const struct conf_directive *d, void *sect, void *field,
		    const char *value);
int conf_parse_nqn(struct conf_parser *p, const struct conf_directive *d, void *sect, void *field,
		   const char *value);
int conf_parse_listen(struct conf_parser *p, const struct conf_directive *d, void *sect,
		      void *field, const char *value);
int conf_parse_referral(struct conf_parser *p, const struct conf_directive *d, void *sect,
			void *field, const char *value);
/** One option after a Listen address (ana=STATE, ana.N=STATE) into @l. @return 0 or -EINVAL. */
int conf_listen_option(struct conf_parser *p, struct conf_listen *l, const char *tok);
/** A Namespace option anagrpid=N into @ns. @return 1 when @tok is one, 0 when not, -EINVAL. */
int conf_ns_anagrpid(struct conf_parser *p, struct conf_ns *ns, const char *tok);
/** Apply a Listen line's ANA states to @ss. @return 0 or the core's errno. */
int conf_apply_listen_ana(struct nvmf_subsystem *ss, const struct conf_listen *l);
int conf_parse_host(struct conf_parser *p, const struct conf_directive *d, void *sect, void *field,
		    const char *value);
/* DH-HMAC-CHAP (auth.c). */
/** Parse the options after a Host's NQN (@opts, modified) into @h. @return 0 or -EINVAL. */
int conf_host_options(struct conf_parser *p, struct conf_host *h, char *opts);
/** Free what @h holds, secrets wiped. */
void conf_host_free(struct conf_host *h);
/** psk=@arg of a Host (an interchange string or a key file) into @h. @return 0 or -errno. */
int conf_host_psk(struct conf_parser *p, struct conf_host *h, const char *arg);
int conf_parse_dhchap_hashes(struct conf_parser *p, const struct conf_directive *d, void *sect,
			     void *field, const char *value);
int conf_parse_dhchap_groups(struct conf_parser *p, const struct conf_directive *d, void *sect,
			     void *field, const char *value);
int conf_parse_namespace(struct conf_parser *p, const struct conf_directive *d, void *sect,
			 void *field, const char *value);
int conf_parse_pci_addr(struct conf_parser *p, const struct conf_directive *d, void *sect,
			void *field, const char *value);
int conf_parse_nsid_list(struct conf_parser *p, const struct conf_directive *d, void *sect,
			 void *field, const char *value);

/** Most NSIDs an [Nvme] Namespaces list may name. */
#define CONF_NVME_NSIDS_MAX 64

/**
 * Parse an [Nvme] Namespaces list, "1,2" or "1 2" (NSIDs from 1 to
 * 4294967295), into @nsids (room for CONF_NVME_NSIDS_MAX).
 * @return how many (at least one), or -EINVAL.
 */
int conf_nsid_list(const char *s, uint32_t *nsids);

/** Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx". @return 0 or -EINVAL. */
int conf_parse_uuid(const char *s, uint8_t uuid[16]);

/**
 * Read the whole file @path (at most 16 MiB) into a new buffer @buf (free()).
 * @return 0, -EFBIG, -EISDIR, -ENOMEM or the errno of open/read.
 */
int conf_read_file(const char *path, char **buf, size_t *len);

/** Parse an NGUID written as 32 hex digits. @return 0 or -EINVAL. */
int conf_parse_nguid(const char *s, uint8_t nguid[16]);

/** Parse a size with an optional K/M/G/T suffix (binary multiples). @return 0 or -EINVAL. */
int conf_parse_size(const char *s, uint64_t *out);

/** Parse Yes/No, True/False, On/Off, 1/0. @return 0 or -EINVAL. */
int conf_parse_bool(const char *s, bool *out);

/* --------------------------------------------------------------- errors */

/** Record "name:line: text" in @errs. */
void conf_err(struct conf_errors *errs, const char *name, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Record an error at the parser's current line. */
#define conf_perr(p, ...) conf_err((p)->errs, (p)->c->name, (p)->line, __VA_ARGS__)

/** Optimal string alignment distance, case-insensitive. */
unsigned conf_edit_distance(const char *a, const char *b);

/**
 * Best of @n candidates (spaced @stride bytes apart from @first, each a
 * const char *) close enough to @word to suggest, or NULL.
 */
const char *conf_suggest(const char *word, const char *const *first, size_t n, size_t stride);

/** Explain why @nqn is not a valid NQN (for an NQN nvmf_nqn_valid() refused). */
const char *conf_nqn_why(const char *nqn);

/* ----------------------------------------------------------- the phases */

/** Parse @len bytes into @c, reporting into @p->errs. @return 0 or -ENOMEM. */
int conf_parse_text(struct conf_parser *p, const char *text, size_t len);

/** Cross-section checks after parsing. Reports into @errs. */
void conf_validate(const struct conf *c, struct conf_errors *errs);

/** The section's struct size and its free function. */
size_t conf_sect_size(enum conf_sect_type type);
void conf_sect_free(struct conf_section *s);

/** True when directive @index was given in section @s. */
static inline bool conf_seen(const struct conf_section *s, int index)
{
	return index >= 0 && s->seen[index] != 0;
}

/** The backend section named @name, or NULL. */
const struct conf_backend *conf_backend_find(const struct conf *c, const char *name);

/** "TCP", "RDMA", or "?" for another NVMF_TRTYPE_*. */
const char *conf_trtype_name(uint8_t trtype);

/** The options of [Transport] @t: the core's defaults for its Type, then the keys given. */
void conf_transport_opts(const struct conf_transport *t, struct nvmf_transport_opts *opts);

#endif /* NVMF_TGT_CONF_INTERNAL_H */
