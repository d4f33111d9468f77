/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.c - SIGHUP reloads the conf file: the handler sets a flag, the
 * main-loop poller sees it, reads and checks the file, and hands it to
 * conf_reload(), which changes nothing unless the whole change can be
 * made. Every line it logs starts with "reload:".
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tools/nvmf_tgt/reload.h"
#include "util.h"

#define RELOAD_LOG "nvmf_tgt"

struct tgt_reloader {
	struct nvmf_tgt *tgt;
	struct rpc_server *srv;
	char *conf_path;
	char *core_mask;
	struct conf_reload_opts opts;
	struct conf_reload_result res; /* of the last reload */
};

/* The signal handler's flag, and the one reloader of this process. */
static volatile sig_atomic_t g_hup;
static struct tgt_reloader *g_reloader;

static void on_hup(int sig)
{
	(void)sig;
	g_hup = 1;
}

static void log_lines(enum log_level level, const struct conf_errors *e)
{
	unsigned kept = e->count < CONF_ERRORS_MAX ? e->count : CONF_ERRORS_MAX;

	for (unsigned i = 0; i < kept; i++)
		log_msg(level, RELOAD_LOG, "reload: %s", e->msg[i]);
	if (e->count > kept)
		log_msg(level, RELOAD_LOG, "reload: (%u more not shown)", e->count - kept);
}

/* Read and check the file, then apply it; report everything in the log. */
static void reload_now(struct tgt_reloader *r, struct conf_errors *errs, struct conf_errors *notes)
{
	struct conf *c = NULL;
	int rc;

	log_notice(RELOAD_LOG, "reload: SIGHUP, reading %s", r->conf_path);
	rc = conf_load(r->conf_path, &c, errs);
	if (rc == 0 && conf_check_paths(c, errs) != 0)
		rc = -EINVAL;
	if (rc == 0)
		rc = conf_reload(c, r->tgt, &r->opts, errs, notes, &r->res);
	conf_free(c);
	log_lines(LOG_LEVEL_WARN, notes);
	if (rc) {
		log_lines(LOG_LEVEL_ERROR, errs);
		log_error(RELOAD_LOG, "reload: %s not applied (%u error%s); nothing was changed",
			  r->conf_path, errs->count, errs->count == 1 ? "" : "s");
		return;
	}
	log_notice(RELOAD_LOG, "reload: %s: %s%s", r->conf_path, r->res.summary,
		   notes->count ? " (see the lines above for what was left as it is)" : "");
}

static void reload(struct tgt_reloader *r)
{
	struct conf_errors *errs, *notes;

	if (r->conf_path == NULL) {
		log_warn(RELOAD_LOG, "reload: SIGHUP ignored: started without a conf file (-c)");
		return;
	}
	errs = malloc(sizeof(*errs));
	notes = malloc(sizeof(*notes));
	if (errs && notes) {
		conf_errors_init(errs);
		conf_errors_init(notes);
		reload_now(r, errs, notes);
	} else {
		log_error(RELOAD_LOG, "reload: out of memory; nothing was changed");
	}
	free(errs);
	free(notes);
}

static int reload_main_poll(void *arg)
{
	struct tgt_reloader *r = arg;
	int busy = r->srv ? rpc_server_main_poll(r->srv) : NVMF_POLL_IDLE;

	if (g_hup) {
		g_hup = 0;
		reload(r);
		busy = NVMF_POLL_BUSY;
	}
	return busy;
}

static int set_hup(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGHUP, &sa, NULL) == 0 ? 0 : -errno;
}

int tgt_reload_install(struct nvmf_tgt *tgt, const char *conf_path,
		       const struct conf_reload_opts *opts, struct rpc_server *srv)
{
	struct tgt_reloader *r = calloc(1, sizeof(*r));
	int rc;

	if (r == NULL || (conf_path && (r->conf_path = strdup(conf_path)) == NULL) ||
	    (opts->core_mask && (r->core_mask = strdup(opts->core_mask)) == NULL)) {
		rc = -ENOMEM;
		goto err_free;
	}
	r->tgt = tgt;
	r->srv = srv;
	r->opts = *opts;
	r->opts.core_mask = r->core_mask;
	rc = set_hup(on_hup);
	if (rc)
		goto err_free;
	g_reloader = r;
	nvmf_tgt_set_main_poller(tgt, reload_main_poll, r);
	return 0;
err_free:
	if (r) {
		free(r->conf_path);
		free(r->core_mask);
	}
	free(r);
	return rc;
}

void tgt_reload_uninstall(struct nvmf_tgt *tgt)
{
	struct tgt_reloader *r = g_reloader;

	nvmf_tgt_set_main_poller(tgt, NULL, NULL);
	set_hup(SIG_IGN); /* shutting down: a late SIGHUP must not kill */
	g_reloader = NULL;
	if (r == NULL)
		return;
	free(r->conf_path);
	free(r->core_mask);
	free(r);
}
