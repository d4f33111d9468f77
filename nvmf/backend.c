/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend.c - what backends share: the channel of a backend whose channels
 * hold no state.
 */
#include <errno.h>
#include <stdlib.h>

#include "nvmf/backend.h"

int nvmf_bchannel_plain_create(struct nvmf_backend *b, struct nvmf_bchannel **ch)
{
	struct nvmf_bchannel *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -ENOMEM;
	c->backend = b;
	*ch = c;
	return 0;
}

void nvmf_bchannel_plain_destroy(struct nvmf_bchannel *ch)
{
	free(ch);
}
