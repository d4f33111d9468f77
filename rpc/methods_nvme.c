/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * methods_nvme.c - local NVMe controllers under SPDK's names:
 * bdev_nvme_attach_controller (trtype PCIe only: one "nvme" backend per
 * active namespace, named <name>n<nsid>) and bdev_nvme_detach_controller.
 *
 * A controller is the set of "nvme" backends named <name>n<nsid>; there
 * is no other record of it, so a controller from an [Nvme] section of the
 * conf file is detached the same way. Attaching connects on the main
 * thread, which waits for the controller to become ready.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "env.h"
#include "rpc/rpc_internal.h"

/* "<name>n<nsid>" must fit a backend name (63) for any 32-bit NSID. */
#define NVME_NAME_MAX 52
#define NVME_PCI_CLASS 0x010802u /* mass storage, NVM, NVM Express */

#define WHY_NO_FABRIC "a PCIe controller has no fabric address; give traddr only"
#define WHY_NO_HOST "a PCIe controller has no host identity"
#define WHY_NO_RECONNECT "a local controller is never reconnected"
#define WHY_ONE_PATH "one path per controller"

struct nvme_params {
	const char *name;
	const char *trtype;
	const char *traddr;
};

/* The PCIe controller of @name: its backends <name>n<nsid>. */
struct ctrlr_scan {
	const char *name;
	const char *path;      /* its PCI address, from the first backend */
	const char *busy;      /* a backend a namespace uses, or NULL */
	char (*names)[64];     /* when not NULL: the backends' names */
	struct json_writer *w; /* when not NULL: the names as JSON strings */
	size_t n;
};

static bool is_ctrlr_backend(const char *prefix, const struct nvmf_backend_info *b)
{
	char want[80];

	if (strcmp(b->type, "nvme") != 0)
		return false;
	snprintf(want, sizeof(want), "%sn%u", prefix, b->nsid);
	return strcmp(want, b->name) == 0;
}

static void scan_backend(void *arg, const struct nvmf_backend_info *b)
{
	struct ctrlr_scan *s = arg;

	if (!is_ctrlr_backend(s->name, b))
		return;
	if (s->path == NULL)
		s->path = b->path;
	if (b->refs > 0 && s->busy == NULL)
		s->busy = b->name;
	if (s->names != NULL)
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", b->name);
	if (s->w != NULL)
		json_str(s->w, b->name);
	s->n++;
}

/* Is PCI address @a the same function as @b? Unparsable ones never are. */
static bool pci_same(const char *a, const char *b)
{
	struct env_pci_addr x, y;

	return a != NULL && b != NULL && env_pci_addr_parse(a, &x) == 0 &&
	       env_pci_addr_parse(b, &y) == 0 && x.domain == y.domain && x.bus == y.bus &&
	       x.dev == y.dev && x.func == y.func;
}

/* Which controller, if any, has @addr: a name prefix of an "nvme" backend. */
struct addr_scan {
	const char *addr;
	const char *owner; /* backend name */
};

static void scan_addr(void *arg, const struct nvmf_backend_info *b)
{
	struct addr_scan *s = arg;

	if (s->owner == NULL && strcmp(b->type, "nvme") == 0 && pci_same(s->addr, b->path))
		s->owner = b->name;
}

/* ------------------------------------------------------------- the device */

struct pci_find {
	struct env_pci_addr want;
	bool found;
	char driver[32];
};

static int pci_find_cb(void *arg, const struct env_pci_info *info)
{
	struct pci_find *f = arg;

	if (info->addr.domain != f->want.domain || info->addr.bus != f->want.bus ||
	    info->addr.dev != f->want.dev || info->addr.func != f->want.func)
		return 0;
	f->found = true;
	snprintf(f->driver, sizeof(f->driver), "%s", info->driver);
	return 1;
}

/*
 * Can this process drive the NVMe function at @addr now: present, bound to
 * vfio-pci, or to uio_pci_generic with physical DMA addresses (hugepages)?
 * @return 0, or -ENODEV / -EBUSY / -EOPNOTSUPP with the call failed.
 */
static int pci_usable(struct rpc_req *r, const struct env_pci_addr *addr, const char *str)
{
	struct pci_find f = {.want = *addr};

	env_pci_enumerate(NVME_PCI_CLASS, 0xffff, pci_find_cb, &f);
	if (!f.found) {
		rpc_error(r, -ENODEV,
			  "traddr %s: no NVMe controller at this PCI address (lspci -D)", str);
		return -ENODEV;
	}
	if (strcmp(f.driver, "vfio-pci") == 0)
		return 0;
	if (strcmp(f.driver, "uio_pci_generic") == 0 && env_iova_physical())
		return 0;
	if (strcmp(f.driver, "uio_pci_generic") == 0) {
		rpc_error(
		    r, -EOPNOTSUPP,
		    "traddr %s: bound to uio_pci_generic, which needs physical DMA addresses, "
		    "but this target started without them (no hugepages, or an IOMMU): "
		    "reserve hugepages (tools/setup.sh) and restart the target, or bind the "
		    "controller to vfio-pci",
		    str);
		return -EOPNOTSUPP;
	}
	rpc_error(r, -EBUSY,
		  "traddr %s: bound to %s%s; bind it to vfio-pci or uio_pci_generic first "
		  "(tools/setup.sh)",
		  str, f.driver[0] ? "kernel driver " : "no driver", f.driver);
	return -EBUSY;
}

/* --------------------------------------------------------------- attaching */

static const struct rpc_param attach_tab[] = {
    RPC_PARAM("name", RPC_P_STR, true, struct nvme_params, name),
    RPC_PARAM("trtype", RPC_P_STR, true, struct nvme_params, trtype),
    RPC_PARAM("traddr", RPC_P_STR, true, struct nvme_params, traddr),
    RPC_REFUSE("adrfam", WHY_NO_FABRIC),
    RPC_REFUSE("trsvcid", WHY_NO_FABRIC),
    RPC_REFUSE("subnqn", WHY_NO_FABRIC),
    RPC_REFUSE("hostnqn", WHY_NO_HOST),
    RPC_REFUSE("hostaddr", WHY_NO_HOST),
    RPC_REFUSE("hostsvcid", WHY_NO_HOST),
    RPC_REFUSE("priority", WHY_ONE_PATH),
    RPC_REFUSE("multipath", WHY_ONE_PATH),
    RPC_FIXED("prchk_reftag", false, "no protection information"),
    RPC_FIXED("prchk_guard", false, "no protection information"),
    RPC_FIXED("hdgst", false, "digests are for TCP controllers"),
    RPC_FIXED("ddgst", false, "digests are for TCP controllers"),
    RPC_REFUSE("fabrics_connect_timeout_us", WHY_NO_FABRIC),
    RPC_REFUSE("num_io_queues", "each poll group opens its own I/O queue pair"),
    RPC_REFUSE("ctrlr_loss_timeout_sec", WHY_NO_RECONNECT),
    RPC_REFUSE("reconnect_delay_sec", WHY_NO_RECONNECT),
    RPC_REFUSE("fast_io_fail_timeout_sec", WHY_NO_RECONNECT),
    RPC_REFUSE("psk", "no TLS on PCIe"),
    RPC_REFUSE("dhchap_key", "no authentication on PCIe"),
    RPC_REFUSE("dhchap_ctrlr_key", "no authentication on PCIe"),
    RPC_REFUSE("max_bdevs", "every active namespace gets its bdev"),
    RPC_FIXED("allow_unrecognized_csi", false, "NVM command set namespaces only"),
};

#define N_ATTACH (sizeof(attach_tab) / sizeof(attach_tab[0]))

static bool name_ok(const char *name)
{
	for (const char *c = name; *c != '\0'; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.'))
			return false;
	}
	return strlen(name) <= NVME_NAME_MAX;
}

/* trtype and name. @return 0, or -EINVAL with the call failed. */
static int check_name_trtype(struct rpc_req *r, const struct nvme_params *p)
{
	if (p->trtype != NULL && strcasecmp(p->trtype, "PCIe") != 0) {
		rpc_error(
		    r, RPC_ERR_INVALID_PARAMS,
		    "trtype: '%.32s' not supported: only PCIe (a local NVMe SSD) is attached; "
		    "this target serves NVMe-oF, it does not import it",
		    p->trtype);
		return -EINVAL;
	}
	if (!name_ok(p->name)) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "name: 1 to %d of A-Z a-z 0-9 _ - . (bdevs are <name>n<nsid>)",
			  NVME_NAME_MAX);
		return -EINVAL;
	}
	return 0;
}

/* Neither the name nor the PCI function is taken. @return 0 or <0 with the call failed. */
static int check_free(struct rpc_req *r, const struct nvme_params *p, const char *addr)
{
	struct ctrlr_scan cs = {.name = p->name};
	struct addr_scan as = {.addr = addr};

	nvmf_backend_foreach(r->tgt, scan_backend, &cs);
	if (cs.n > 0) {
		rpc_error(r, -EEXIST, "controller %s: already exists (at %s)", p->name,
			  cs.path ? cs.path : "?");
		return -EEXIST;
	}
	/* The conf file names the controller like a bdev: one name space. */
	if (nvmf_backend_find(r->tgt, p->name) != NULL) {
		rpc_error(r, -EEXIST, "name: bdev %s exists", p->name);
		return -EEXIST;
	}
	nvmf_backend_foreach(r->tgt, scan_addr, &as);
	if (as.owner != NULL) {
		rpc_error(r, -EBUSY, "traddr %s: already attached (bdev %s)", addr, as.owner);
		return -EBUSY;
	}
	return 0;
}

static void attach_failed(struct rpc_req *r, int rc, const struct nvme_params *p)
{
	if (rc == -ENOENT)
		rpc_error(r, rc, "controller %s at %s: no active namespace", p->name, p->traddr);
	else if (rc == -EEXIST)
		rpc_error(r, rc, "controller %s: a bdev <name>n<nsid> of it exists already",
			  p->name);
	else if (rc == -ENOTSUP)
		rpc_error(r, rc, "controller %s: a namespace's block size is not 512 or 4096",
			  p->name);
	else
		rpc_error_errno(r, rc, p->traddr, "; the target's log says why");
}

static void rpc_bdev_nvme_attach_controller(struct rpc_req *r, const struct json_value *params)
{
	struct nvme_params p = {0};
	struct ctrlr_scan cs = {0};
	struct env_pci_addr a;
	char addr[16];
	uint64_t given;
	int rc;

	if (rpc_params_decode(r, params, NULL, attach_tab, N_ATTACH, &p, &given) != 0 ||
	    check_name_trtype(r, &p) != 0)
		return;
	if (env_pci_addr_parse(p.traddr, &a) != 0) {
		rpc_error(r, RPC_ERR_INVALID_PARAMS,
			  "traddr: '%.32s' is not a PCI address (0000:00:04.0, as lspci -D shows)",
			  p.traddr);
		return;
	}
	env_pci_addr_fmt(&a, addr, sizeof(addr));
	if (check_free(r, &p, addr) != 0 || pci_usable(r, &a, addr) != 0)
		return;
	rc = nvmf_backend_nvme_create(r->tgt, p.name, addr, NULL, 0);
	if (rc != 0) {
		attach_failed(r, rc, &p);
		return;
	}
	/* As SPDK: the names of the bdevs made. */
	cs.name = p.name;
	cs.w = rpc_result(r);
	json_arr_begin(cs.w);
	nvmf_backend_foreach(r->tgt, scan_backend, &cs);
	json_arr_end(cs.w);
}

/* --------------------------------------------------------------- detaching */

static void rpc_bdev_nvme_detach_controller(struct rpc_req *r, const struct json_value *params)
{
	static const struct rpc_param tab[] = {
	    RPC_PARAM("name", RPC_P_STR, true, struct nvme_params, name),
	    RPC_PARAM("trtype", RPC_P_STR, false, struct nvme_params, trtype),
	    RPC_PARAM("traddr", RPC_P_STR, false, struct nvme_params, traddr),
	    RPC_REFUSE("adrfam", WHY_NO_FABRIC),
	    RPC_REFUSE("trsvcid", WHY_NO_FABRIC),
	    RPC_REFUSE("subnqn", WHY_NO_FABRIC),
	    RPC_REFUSE("hostaddr", WHY_NO_HOST),
	    RPC_REFUSE("hostsvcid", WHY_NO_HOST),
	};
	struct nvme_params p = {0};
	struct ctrlr_scan cs = {0};
	uint64_t given;
	int rc = 0;

	if (rpc_params_decode(r, params, NULL, tab, 8, &p, &given) != 0 ||
	    check_name_trtype(r, &p) != 0)
		return;
	cs.name = p.name;
	nvmf_backend_foreach(r->tgt, scan_backend, &cs);
	if (cs.n == 0) {
		rpc_error(r, -ENODEV, "controller %s: not found", p.name);
		return;
	}
	if (p.traddr != NULL && !pci_same(p.traddr, cs.path)) {
		rpc_error(r, -ENODEV, "controller %s: is at %s, not %.32s", p.name, cs.path,
			  p.traddr);
		return;
	}
	if (cs.busy != NULL) {
		rpc_error(r, -EBUSY,
			  "controller %s: bdev %s is a namespace of a subsystem; remove the "
			  "namespace first",
			  p.name, cs.busy);
		return;
	}
	/* Names first: deleting changes the list being walked. */
	cs.names = calloc(cs.n, sizeof(cs.names[0]));
	if (cs.names == NULL) {
		rpc_error(r, -ENOMEM, "controller %s: out of memory", p.name);
		return;
	}
	cs.n = 0;
	nvmf_backend_foreach(r->tgt, scan_backend, &cs);
	for (size_t i = 0; i < cs.n && rc == 0; i++)
		rc = nvmf_backend_delete(r->tgt, cs.names[i]);
	free(cs.names);
	rpc_reply_rc(r, rc, p.name);
}

const struct rpc_method rpc_methods_nvme[] = {
    {"bdev_nvme_attach_controller", rpc_bdev_nvme_attach_controller},
    {"bdev_nvme_detach_controller", rpc_bdev_nvme_detach_controller},
    {NULL, NULL},
};
