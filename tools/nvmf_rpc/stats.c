/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.c - `nvmf_rpc stats`: take a sample, another one a second later,
 * print the report of the difference (stats_report.c).
 *
 *   nvmf_rpc [-s SOCK] stats [--watch] [--count N]
 *
 * One report by default. --watch repeats once per second until SIGINT,
 * SIGTERM or N reports (--count): on a terminal like top (the screen is
 * redrawn; q quits), otherwise a new block per second, each headed by the
 * time.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "tools/nvmf_rpc/nvmf_rpc.h"
#include "tools/nvmf_rpc/stats.h"

static volatile sig_atomic_t g_stop;
static sigset_t g_stop_sigs; /* held during a sample: a call is never cut short */

static void on_stop(int sig)
{
	(void)sig;
	g_stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Call @method with @nqn (or no params); @return the response, NULL after an error line. */
static struct json_value *call(const char *sock, const char *method, const char *nqn)
{
	const struct json_value *err;
	struct json_value *resp = NULL;
	const char *msg = "(no message)";
	struct json_writer w;
	const char *text;
	size_t len;
	int rc;

	json_writer_init(&w, 0);
	json_obj_begin(&w);
	json_kv_str(&w, "jsonrpc", "2.0");
	json_kv_int(&w, "id", 1);
	json_kv_str(&w, "method", method);
	if (nqn != NULL) {
		json_key(&w, "params");
		json_obj_begin(&w);
		json_kv_str(&w, "nqn", nqn);
		json_obj_end(&w);
	}
	json_obj_end(&w);
	text = json_writer_finish(&w, &len);
	rc = text != NULL ? nvmf_rpc_call(sock, text, len, &resp) : -ENOMEM;
	json_writer_fini(&w);
	if (rc != 0)
		return NULL;
	err = json_obj_get(resp, "error");
	if (err != NULL || json_obj_get(resp, "result") == NULL) {
		json_get_str(json_obj_get(err, "message"), &msg);
		fprintf(stderr, "nvmf_rpc: stats: %s: %s\n", method, msg);
		json_free(resp);
		return NULL;
	}
	return resp;
}

static void sample_free(struct stats_sample *s)
{
	json_free(s->stats);
	json_free(s->subsystems);
	for (size_t i = 0; i < STATS_MAX_SS; i++)
		json_free(s->ctrlrs[i]);
	memset(s, 0, sizeof(*s));
}

/* @return 0, or 1 after an error line (@s is then empty). */
static int sample_take(const char *sock, struct stats_sample *s)
{
	const struct json_value *ss;

	memset(s, 0, sizeof(*s));
	s->t = now_s();
	s->stats = call(sock, "nvmf_get_stats", NULL);
	s->subsystems = s->stats ? call(sock, "nvmf_get_subsystems", NULL) : NULL;
	if (s->subsystems == NULL)
		goto fail;
	ss = json_obj_get(s->subsystems, "result");
	for (size_t i = 0; ss->type == JSON_ARRAY && i < ss->u.arr.count && i < STATS_MAX_SS; i++) {
		const char *nqn = "";

		json_get_str(json_obj_get(json_arr_at(ss, i), "nqn"), &nqn);
		s->ctrlrs[i] = call(sock, "nvmf_subsystem_get_controllers", nqn);
		if (s->ctrlrs[i] == NULL)
			goto fail;
	}
	return 0;
fail:
	sample_free(s);
	return 1;
}

/* sample_take() with the stop signals held until it is done. */
static int sample_whole(const char *sock, struct stats_sample *s)
{
	sigset_t old;
	int rc;

	sigprocmask(SIG_BLOCK, &g_stop_sigs, &old);
	rc = sample_take(sock, s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Wait until @t, or a stop: a signal, or q on the terminal @tty (-1: none). */
static void wait_until(double t, int tty)
{
	double left;

	while (!g_stop && (left = t - now_s()) > 0) {
		struct pollfd pfd = {.fd = tty, .events = POLLIN};
		char ch;

		if (poll(&pfd, tty >= 0 ? 1 : 0, (int)(left * 1000) + 1) > 0 &&
		    read(tty, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
			g_stop = 1;
	}
}

static void print_head(bool tty)
{
	char clock[16];
	time_t now = time(NULL);

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	if (tty)
		printf("\033[H\033[2Jnvmf_rpc stats  %s  every 1 s, q quits\n\n", clock);
	else
		printf("--- %s\n", clock);
}

/* Reports until @count (-1: no end) or a stop. @return the exit status. */
static int run(const char *sock, long count, bool watch, int tty)
{
	struct stats_sample a, b;
	int rc = 0;

	if (sample_whole(sock, &a) != 0)
		return 1;
	for (long n = 0; !g_stop && (count < 0 || n < count); n++) {
		wait_until(a.t + 1.0, tty);
		if (g_stop)
			break;
		if (sample_whole(sock, &b) != 0) {
			rc = 1;
			break;
		}
		if (watch)
			print_head(tty >= 0);
		stats_report(&a, &b);
		if (watch && tty < 0)
			printf("\n");
		fflush(stdout);
		sample_free(&a);
		a = b;
	}
	sample_free(&a);
	return rc;
}

/* Watch on a terminal: keys without Enter and no echo, put back at the end. */
static int run_tty(const char *sock, long count)
{
	struct termios old, raw;
	int rc;

	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return run(sock, count, true, -1);
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	rc = run(sock, count, true, STDIN_FILENO);
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	return rc;
}

static int stats_usage(FILE *f, int rc)
{
	fprintf(f, "usage: nvmf_rpc [-s SOCK] stats [--watch] [--count N]\n"
		   "IOPS, MiB/s, queue pairs and latency percentiles (p50, p99, p99.9 from\n"
		   "the target's histograms) per poll group, subsystem and namespace over\n"
		   "1 s intervals.\n"
		   "  --watch    a report every second until Ctrl-C (or q on a terminal,\n"
		   "             where the screen is redrawn like top)\n"
		   "  --count N  stop after N reports\n");
	return rc;
}

static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "nvmf_rpc: stats: %s '%s' (nvmf_rpc stats --help)\n", what, arg);
	return 2;
}

int nvmf_rpc_stats(const char *sock, int argc, char **argv)
{
	long count = 1;
	bool watch = false, counted = false;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return stats_usage(stdout, 0);
		if (strcmp(argv[i], "--watch") == 0) {
			watch = true;
		} else if (strcmp(argv[i], "--count") == 0) {
			if (i + 1 == argc)
				return bad_usage("--count needs a number, after", argv[i]);
			count = strtol(argv[++i], &end, 10);
			if (*end != '\0' || count < 1)
				return bad_usage("--count takes a whole number from 1, not",
						 argv[i]);
			counted = true;
		} else {
			return bad_usage("unknown option", argv[i]);
		}
	}
	sigemptyset(&g_stop_sigs);
	if (!watch)
		return run(sock, count, false, -1);
	sigaddset(&g_stop_sigs, SIGINT);
	sigaddset(&g_stop_sigs, SIGTERM);
	if (util_signals_install(on_stop, false) != 0)
		return 1;
	if (!counted)
		count = -1;
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? run_tty(sock, count)
							     : run(sock, count, true, -1);
}
