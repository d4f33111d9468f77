/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * env_pci_addr.h - PCI address parsing and formatting shared by the DPDK env
 * and the fake env (header only).
 */
#ifndef NVMF_TGT_ENV_PCI_ADDR_H
#define NVMF_TGT_ENV_PCI_ADDR_H

#include <errno.h>
#include <stdio.h>

#include "include/env.h"

/* Parse 1..@max hex digits at *p into *out, advancing *p. */
static inline int env_pci_hex_field(const char **p, unsigned max, uint32_t *out)
{
	uint32_t v = 0;
	unsigned n = 0;
	const char *s = *p;

	for (;; s++, n++) {
		char c = *s;
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (n == max)
			return -EINVAL;
		v = v << 4 | (uint32_t)d;
	}
	if (n == 0)
		return -EINVAL;
	*p = s;
	*out = v;
	return 0;
}

/** Parse "DDDD:BB:DD.F" or "BB:DD.F" (hex). @return 0 or -EINVAL. */
static inline int env_pci_addr_do_parse(const char *str, struct env_pci_addr *addr)
{
	uint32_t f[4] = {0, 0, 0, 0};
	const char *s = str;
	unsigned nf = 0;

	if (str == NULL || addr == NULL)
		return -EINVAL;
	/* Up to three ':'-separated fields, then ".F". */
	for (;;) {
		if (nf == 3 || env_pci_hex_field(&s, 8, &f[nf]))
			return -EINVAL;
		nf++;
		if (*s != ':')
			break;
		s++;
	}
	if (*s != '.' || (nf != 2 && nf != 3))
		return -EINVAL;
	s++;
	if (env_pci_hex_field(&s, 1, &f[3]) || *s != '\0')
		return -EINVAL;
	if (nf == 2) {
		f[2] = f[1];
		f[1] = f[0];
		f[0] = 0;
	}
	if (f[1] > 0xff || f[2] > 0x1f || f[3] > 7)
		return -EINVAL;
	addr->domain = f[0];
	addr->bus = (uint8_t)f[1];
	addr->dev = (uint8_t)f[2];
	addr->func = (uint8_t)f[3];
	return 0;
}

/** Format as "0000:00:04.0" (truncated to @len, always terminated). */
static inline void env_pci_addr_do_fmt(const struct env_pci_addr *addr, char *buf, size_t len)
{
	if (buf == NULL || len == 0)
		return;
	snprintf(buf, len, "%04x:%02x:%02x.%x", (unsigned)addr->domain, addr->bus, addr->dev,
		 addr->func);
}

#endif /* NVMF_TGT_ENV_PCI_ADDR_H */
