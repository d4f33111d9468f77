/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * signal.c - the signal dispositions a long-running program starts with.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "util.h"

int util_signals_install(void (*on_stop)(int sig), bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return -errno;
	sa.sa_handler = on_stop;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
		return -errno;
	return 0;
}
