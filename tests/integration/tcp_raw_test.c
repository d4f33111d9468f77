/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_raw_test.c - the NVMe/TCP target from the wire: a child nvmf_tgt on
 * 127.0.0.1 with a RAM namespace, driven by hand-built PDUs over a raw
 * socket. Checks the ICResp, the admin bring-up (Connect, Property Get/Set,
 * Identify, Set Features), I/O through in-capsule data, R2T/H2CData and
 * C2HData with and without digests, and the answers to bad input; after
 * each bad case a well-behaved connection still works.
 *
 * The binary: argv[1], else $NVMF_TGT_BIN, else build/bin/nvmf_tgt. The
 * port: $NVMF_TEST_PORT, else 24200 + pid % 1000.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "nvme_spec.h"
#include "nvme_spec_id.h"
#include "nvme_spec_log.h"
#include "nvmf_spec.h"
#include "util.h"

#define SUBNQN "nqn.2016-06.io.nvmf-tgt:ram0"
#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:5a1c0f5e-0000-4000-8000-000000000001"
/* A subsystem with a host list (HOSTNQN only) and a Null namespace. */
#define LISTED_NQN "nqn.2016-06.io.nvmf-tgt:listed"
#define MAX_IO (1024u * 1024)
#define DG_BOTH (NVME_TCP_DGST_HDGST_ENABLE | NVME_TCP_DGST_DDGST_ENABLE)

static const char *g_bin = "build/bin/nvmf_tgt";
static char g_conf[64];
static char g_log[64]; /* the target's stderr */
static pid_t g_pid;
static const char *g_hostnqn = HOSTNQN; /* what fabrics_connect() sends */
static int g_port;
static bool g_v6;      /* ::1 exists here: the target listens on it too */
static bool g_dial_v6; /* tcp_dial() goes to [::1] */

/* ------------------------------------------------------------- the target */

static int write_conf(void)
{
	int fd;
	FILE *f;

	snprintf(g_conf, sizeof(g_conf), "/tmp/tcp_raw_test.XXXXXX");
	fd = mkstemp(g_conf);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fprintf(f,
		"[Global]\n  ReactorMask 0x3\n  LogLevel info\n"
		"[Transport]\n  Type TCP\n  InCapsuleDataSize 8192\n  MaxIOSize %u\n"
		"[Ram]\n  Name ram0\n  Size 64M\n  BlockSize 512\n"
		"[Null]\n  Name null0\n  Size 1G\n  BlockSize 512\n"
		"[Subsystem]\n  NQN " LISTED_NQN "\n  SN NVMFTGT0002\n  MN nvmf-tgt Null\n"
		"  Listen TCP 127.0.0.1:%d\n  Host " HOSTNQN "\n  Namespace null0 1\n"
		"[Subsystem]\n  NQN " SUBNQN "\n  SN NVMFTGT0001\n  MN nvmf-tgt RAM\n"
		"  Listen TCP 127.0.0.1:%d\n  AllowAnyHost Yes\n  Namespace ram0 1\n",
		MAX_IO, g_port, g_port);
	if (g_v6)
		fprintf(f, "  Listen TCP [::1]:%d\n", g_port);
	return fclose(f);
}

/* Can this machine bind [::1]? (Some build hosts have no IPv6.) */
static bool have_ipv6_loopback(void)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

static int tcp_dial(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
	struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6,
				   .sin6_port = htons((uint16_t)g_port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct timeval tv = {.tv_sec = 5};
	int one = 1, fd = socket(g_dial_v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	int rc;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (g_dial_v6)
		rc = connect(fd, (struct sockaddr *)&sa6, sizeof(sa6));
	else
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int start_target(void **state)
{
	const char *port = getenv("NVMF_TEST_PORT");
	int i, fd;

	(void)state;
	g_port = port ? atoi(port) : 24200 + getpid() % 1000; /* below the ephemeral ports */
	g_v6 = have_ipv6_loopback();
	if (write_conf() != 0)
		return -1;
	snprintf(g_log, sizeof(g_log), "/tmp/tcp_raw_test_log.XXXXXX");
	fd = mkstemp(g_log);
	if (fd < 0)
		return -1;
	g_pid = fork();
	if (g_pid == 0) {
		dup2(fd, STDERR_FILENO);
		execl(g_bin, g_bin, "-c", g_conf, (char *)NULL);
		_exit(127);
	}
	close(fd);
	for (i = 0; i < 100; i++) { /* 10 s */
		fd = tcp_dial();
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (waitpid(g_pid, NULL, WNOHANG) == g_pid) {
			fprintf(stderr, "%s exited before listening\n", g_bin);
			g_pid = 0;
			return -1;
		}
		usleep(100000);
	}
	return -1;
}

/* Lines of the target's log so far that contain every one of @needles (NULL-ended). */
static int log_lines_with(const char *needle, ...)
{
	char line[4096];
	FILE *f = fopen(g_log, "r");
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		va_list ap;
		const char *w = needle;
		bool all = true;

		va_start(ap, needle);
		for (; w != NULL && all; w = va_arg(ap, const char *))
			all = strstr(line, w) != NULL;
		va_end(ap);
		n += all;
	}
	fclose(f);
	return n;
}

/* The target's log to our stderr (kept with the test's output), then gone. */
static void dump_log(void)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(g_log, "r");

	if (f != NULL) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, stderr);
		fclose(f);
	}
	unlink(g_log);
}

static int stop_target(void **state)
{
	int st = -1;

	(void)state;
	unlink(g_conf);
	if (g_pid <= 0)
		return -1;
	kill(g_pid, SIGTERM);
	for (int i = 0; i < 100 && waitpid(g_pid, &st, WNOHANG) == 0; i++)
		usleep(100000);
	dump_log();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "nvmf_tgt did not exit cleanly (status 0x%x)\n", st);
		kill(g_pid, SIGKILL);
		waitpid(g_pid, NULL, 0);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ host */

struct host {
	int fd;
	bool hd, dd;
	uint16_t cid;
	uint16_t cntlid;
	bool sqflow_off;
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t tcp32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static int xsend(struct host *h, const void *buf, size_t len)
{
	return send(h->fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static int xrecv(struct host *h, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = recv(h->fd, p, len, 0);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one PDU (header, checked digests) into @buf. @return plen or -1. */
static int recv_pdu(struct host *h, uint8_t *buf, size_t max)
{
	struct nvme_tcp_common_hdr *ch = (struct nvme_tcp_common_hdr *)buf;

	if (xrecv(h, buf, 8) != 0)
		return -1;
	assert_true(ch->plen >= ch->hlen && ch->plen <= max);
	assert_int_equal(xrecv(h, buf + 8, ch->plen - 8), 0);
	if (ch->flags & NVME_TCP_FLAG_HDGSTF)
		assert_int_equal(tcp32(buf + ch->hlen), crc32c(0, buf, ch->hlen));
	return (int)ch->plen;
}

static uint8_t g_pdu[MAX_IO + 4096];

/* Header digest / data digest onto a PDU built at @buf. @return plen. */
static size_t seal(struct host *h, uint8_t *buf, uint32_t hlen, const void *data, uint32_t dlen)
{
	struct nvme_tcp_common_hdr *ch = (struct nvme_tcp_common_hdr *)buf;
	uint32_t pdo = hlen + (h->hd ? 4 : 0), plen = pdo;

	ch->hlen = (uint8_t)hlen;
	ch->flags |= h->hd ? NVME_TCP_FLAG_HDGSTF : 0;
	ch->pdo = 0;
	if (dlen > 0) {
		ch->pdo = (uint8_t)pdo;
		memcpy(buf + pdo, data, dlen);
		plen += dlen;
		if (h->dd) {
			ch->flags |= NVME_TCP_FLAG_DDGSTF;
			put32(buf + plen, crc32c(0, data, dlen));
			plen += 4;
		}
	}
	ch->plen = plen;
	if (h->hd)
		put32(buf + hlen, crc32c(0, buf, hlen));
	return plen;
}

static size_t icreq(uint8_t *buf, uint8_t dgst)
{
	struct nvme_tcp_icreq *ic = (struct nvme_tcp_icreq *)buf;

	memset(ic, 0, sizeof(*ic));
	ic->ch.pdu_type = NVME_TCP_PDU_ICREQ;
	ic->ch.hlen = 128;
	ic->ch.plen = 128;
	ic->dgst = dgst;
	return 128;
}

/* TCP connect + ICReq/ICResp. */
static void host_open(struct host *h, uint8_t dgst)
{
	uint8_t buf[256];
	struct nvme_tcp_icresp *r = (struct nvme_tcp_icresp *)buf;

	memset(h, 0, sizeof(*h));
	h->fd = tcp_dial();
	assert_true(h->fd >= 0);
	assert_int_equal(xsend(h, buf, icreq(buf, dgst)), 0);
	assert_int_equal(recv_pdu(h, buf, sizeof(buf)), 128);
	assert_int_equal(r->ch.pdu_type, NVME_TCP_PDU_ICRESP);
	assert_int_equal(r->ch.hlen, 128);
	assert_int_equal(r->pfv, 0);
	assert_int_equal(r->cpda, 0);
	assert_int_equal(r->dgst, dgst);
	assert_true(r->maxh2cdata >= 4096 && r->maxh2cdata % 4 == 0);
	h->hd = dgst & NVME_TCP_DGST_HDGST_ENABLE;
	h->dd = dgst & NVME_TCP_DGST_DDGST_ENABLE;
}

static void host_close(struct host *h)
{
	close(h->fd);
	h->fd = -1;
}

/*
 * Run @cmd: @out (H2C, in-capsule up to 8 KiB, else by R2T) or @in (C2H)
 * of @len bytes. Fills @cpl (synthesized on a C2HData SUCCESS).
 */
static void host_cmd(struct host *h, struct nvme_cmd *cmd, const void *out, void *in, uint32_t len,
		     struct nvme_cpl *cpl)
{
	static uint8_t buf[MAX_IO + 4096];
	struct nvme_tcp_cmd *pdu = (struct nvme_tcp_cmd *)g_pdu;
	bool icd = out != NULL && len <= 8192;

	cmd->cid = ++h->cid;
	cmd->psdt = NVME_PSDT_SGL_MPTR_CONTIG;
	if (icd)
		nvme_sgl_set_unkeyed(&cmd->dptr.sgl1, NVME_SGL_TYPE_DATA_BLOCK,
				     NVME_SGL_SUBTYPE_OFFSET, 0, len);
	else
		nvme_sgl_set_unkeyed(&cmd->dptr.sgl1, NVME_SGL_TYPE_TRANSPORT_DATA_BLOCK,
				     NVME_SGL_SUBTYPE_TRANSPORT, 0, len);
	memset(pdu, 0, sizeof(*pdu));
	pdu->ch.pdu_type = NVME_TCP_PDU_CAPSULE_CMD;
	pdu->ccsqe = *cmd;
	assert_int_equal(xsend(h, g_pdu, seal(h, g_pdu, 72, out, icd ? len : 0)), 0);
	for (;;) {
		struct nvme_tcp_common_hdr *ch = (struct nvme_tcp_common_hdr *)buf;
		int plen = recv_pdu(h, buf, sizeof(buf));

		assert_true(plen > 0);
		if (ch->pdu_type == NVME_TCP_PDU_CAPSULE_RESP) {
			*cpl = ((struct nvme_tcp_rsp *)buf)->rccqe;
			assert_int_equal(cpl->cid, cmd->cid);
			return;
		}
		if (ch->pdu_type == NVME_TCP_PDU_R2T) {
			struct nvme_tcp_r2t_hdr *r = (struct nvme_tcp_r2t_hdr *)buf;
			struct nvme_tcp_data_hdr *d = (struct nvme_tcp_data_hdr *)g_pdu;

			assert_non_null(out);
			assert_int_equal(r->cccid, cmd->cid);
			assert_true(r->r2to + r->r2tl <= len);
			memset(d, 0, sizeof(*d));
			d->ch.pdu_type = NVME_TCP_PDU_H2C_DATA;
			d->ch.flags = NVME_TCP_FLAG_LAST_PDU;
			d->cccid = cmd->cid;
			d->ttag = r->ttag;
			d->datao = r->r2to;
			d->datal = r->r2tl;
			assert_int_equal(
			    xsend(h, g_pdu,
				  seal(h, g_pdu, 24, (const uint8_t *)out + r->r2to, r->r2tl)),
			    0);
			continue;
		}
		if (ch->pdu_type == NVME_TCP_PDU_C2H_DATA) {
			struct nvme_tcp_data_hdr *d = (struct nvme_tcp_data_hdr *)buf;

			assert_non_null(in);
			assert_int_equal(d->cccid, cmd->cid);
			assert_true(d->datao + d->datal <= len);
			if (ch->flags & NVME_TCP_FLAG_DDGSTF)
				assert_int_equal(tcp32(buf + ch->pdo + d->datal),
						 crc32c(0, buf + ch->pdo, d->datal));
			memcpy((uint8_t *)in + d->datao, buf + ch->pdo, d->datal);
			if (ch->flags & NVME_TCP_FLAG_SUCCESS) {
				assert_true(ch->flags & NVME_TCP_FLAG_LAST_PDU);
				memset(cpl, 0, sizeof(*cpl));
				cpl->cid = cmd->cid;
				return;
			}
			continue;
		}
		fail_msg("unexpected PDU type %u", ch->pdu_type);
	}
}

static uint16_t status_of(const struct nvme_cpl *cpl)
{
	return nvme_cpl_get_status(cpl) & 0x7FF;
}

static struct nvme_cpl fabrics_connect(struct host *h, uint16_t qid, uint16_t cntlid,
				       const char *subnqn)
{
	static struct nvmf_connect_data data;
	struct nvme_cmd cmd = {0};
	struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *)&cmd;
	struct nvme_cpl cpl;

	memset(&data, 0, sizeof(data));
	memset(data.hostid, 0x5a, sizeof(data.hostid));
	data.cntlid = cntlid;
	snprintf(data.subnqn, sizeof(data.subnqn), "%s", subnqn);
	snprintf(data.hostnqn, sizeof(data.hostnqn), "%s", g_hostnqn);
	cc->opcode = NVME_OPC_FABRICS;
	cc->fctype = NVMF_FCTYPE_CONNECT;
	cc->qid = qid;
	cc->sqsize = qid ? 31 : 31;
	cc->kato = qid ? 0 : 30000;
	host_cmd(h, &cmd, &data, NULL, sizeof(data), &cpl);
	return cpl;
}

static uint64_t prop_get(struct host *h, uint32_t ofst, uint8_t size)
{
	struct nvme_cmd cmd = {0};
	struct nvmf_property_get_cmd *p = (struct nvmf_property_get_cmd *)&cmd;
	struct nvme_cpl cpl;

	p->opcode = NVME_OPC_FABRICS;
	p->fctype = NVMF_FCTYPE_PROPERTY_GET;
	p->attrib = size;
	p->ofst = ofst;
	host_cmd(h, &cmd, NULL, NULL, 0, &cpl);
	assert_int_equal(status_of(&cpl), 0);
	return cpl.cdw0 | ((uint64_t)cpl.cdw1 << 32);
}

static void prop_set(struct host *h, uint32_t ofst, uint32_t value)
{
	struct nvme_cmd cmd = {0};
	struct nvmf_property_set_cmd *p = (struct nvmf_property_set_cmd *)&cmd;
	struct nvme_cpl cpl;

	p->opcode = NVME_OPC_FABRICS;
	p->fctype = NVMF_FCTYPE_PROPERTY_SET;
	p->attrib = NVMF_PROP_SIZE_4;
	p->ofst = ofst;
	p->value = value;
	host_cmd(h, &cmd, NULL, NULL, 0, &cpl);
	assert_int_equal(status_of(&cpl), 0);
}

/* Admin bring-up as a kernel host does it; @return the CNTLID. */
static uint16_t admin_up(struct host *h, uint8_t dgst)
{
	static struct nvme_id_ctrl id;
	struct nvme_cmd cmd = {0};
	struct nvme_cpl cpl;
	uint32_t csts = 0;

	host_open(h, dgst);
	cpl = fabrics_connect(h, 0, NVMF_CNTLID_DYNAMIC, SUBNQN);
	assert_int_equal(status_of(&cpl), 0);
	h->cntlid = NVMF_CONNECT_RSP_CNTLID(cpl.cdw0);
	assert_true(h->cntlid >= 1 && h->cntlid <= NVMF_CNTLID_MAX);
	assert_true((prop_get(h, NVME_REG_CAP, NVMF_PROP_SIZE_8) & 0xFFFF) >= 1); /* MQES */
	prop_set(h, NVME_REG_CC, 0x00460001u); /* IOCQES 4, IOSQES 6, EN */
	for (int i = 0; i < 100 && !(csts & 1); i++) {
		csts = (uint32_t)prop_get(h, NVME_REG_CSTS, NVMF_PROP_SIZE_4);
		if (!(csts & 1))
			usleep(10000);
	}
	assert_true(csts & 1);
	cmd.opc = NVME_OPC_IDENTIFY;
	cmd.cdw10 = NVME_CNS_CONTROLLER;
	host_cmd(h, &cmd, NULL, &id, sizeof(id), &cpl);
	assert_int_equal(status_of(&cpl), 0);
	assert_memory_equal(id.sn, "NVMFTGT0001", 11);
	assert_memory_equal(id.mn, "nvmf-tgt RAM", 12);
	assert_string_equal(id.subnqn, SUBNQN);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = NVME_OPC_SET_FEATURES;
	cmd.cdw10 = NVME_FEAT_NUMBER_OF_QUEUES;
	cmd.cdw11 = 0x00010001; /* 2 SQ, 2 CQ, 0's based */
	host_cmd(h, &cmd, NULL, NULL, 0, &cpl);
	assert_int_equal(status_of(&cpl), 0);
	return h->cntlid;
}

static void io_rw(struct host *h, uint8_t opc, uint64_t slba, void *buf, uint32_t len,
		  uint16_t expect)
{
	struct nvme_cmd cmd = {0};
	struct nvme_cpl cpl;

	cmd.opc = opc;
	cmd.nsid = 1;
	cmd.cdw10 = (uint32_t)slba;
	cmd.cdw11 = (uint32_t)(slba >> 32);
	cmd.cdw12 = len / 512 - 1;
	host_cmd(h, &cmd, opc == NVME_OPC_WRITE ? buf : NULL, opc == NVME_OPC_READ ? buf : NULL,
		 len, &cpl);
	assert_int_equal(status_of(&cpl), expect);
}

static void run_io(uint8_t dgst, uint64_t base)
{
	static uint8_t w4[4096], w64[65536], r[65536];
	struct host adm, io;
	struct nvme_cpl cpl;

	for (size_t i = 0; i < sizeof(w4); i++)
		w4[i] = (uint8_t)(i * 5 + dgst + base);
	for (size_t i = 0; i < sizeof(w64); i++)
		w64[i] = (uint8_t)(i * 11 + (i >> 9) + dgst);
	admin_up(&adm, dgst);
	host_open(&io, dgst);
	cpl = fabrics_connect(&io, 1, adm.cntlid, SUBNQN);
	assert_int_equal(status_of(&cpl), 0);
	io_rw(&io, NVME_OPC_WRITE, base, w4, sizeof(w4), 0);
	io_rw(&io, NVME_OPC_WRITE, base + 8, w64, sizeof(w64), 0);
	memset(r, 0, sizeof(r));
	io_rw(&io, NVME_OPC_READ, base, r, sizeof(w4), 0);
	assert_memory_equal(r, w4, sizeof(w4));
	memset(r, 0, sizeof(r));
	io_rw(&io, NVME_OPC_READ, base + 8, r, sizeof(w64), 0);
	assert_memory_equal(r, w64, sizeof(w64));
	host_close(&io);
	host_close(&adm);
}

static void test_io_plain(void **state)
{
	(void)state;
	run_io(0, 0);
}

static void test_io_digests(void **state)
{
	(void)state;
	run_io(DG_BOTH, 1024);
}

/* A large write and read (1 MiB: several R2Ts and C2HData PDUs). */
static void test_io_large(void **state)
{
	static uint8_t w[MAX_IO], r[MAX_IO];
	struct host adm, io;
	struct nvme_cpl cpl;

	(void)state;
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 7 + (i >> 12));
	admin_up(&adm, DG_BOTH);
	host_open(&io, DG_BOTH);
	cpl = fabrics_connect(&io, 1, adm.cntlid, SUBNQN);
	assert_int_equal(status_of(&cpl), 0);
	io_rw(&io, NVME_OPC_WRITE, 4096, w, sizeof(w), 0);
	io_rw(&io, NVME_OPC_READ, 4096, r, sizeof(r), 0);
	assert_memory_equal(r, w, sizeof(w));
	host_close(&io);
	host_close(&adm);
}

/* ----------------------------------------------------------- bad input */

/* Expect a C2HTermReq with @fes (and @fei unless ~0) then the close. */
static void expect_term(struct host *h, uint16_t fes, uint32_t fei)
{
	uint8_t buf[256], b;
	struct nvme_tcp_term_req_hdr *t = (struct nvme_tcp_term_req_hdr *)buf;
	int plen = recv_pdu(h, buf, sizeof(buf));

	assert_true(plen >= 24 && plen <= NVME_TCP_TERM_REQ_MAX_PLEN);
	assert_int_equal(t->ch.pdu_type, NVME_TCP_PDU_C2H_TERM_REQ);
	assert_int_equal(t->fes, fes);
	if (fei != ~0u)
		assert_int_equal(t->fei, fei);
	assert_true(recv(h->fd, &b, 1, 0) <= 0);
	host_close(h);
}

/* A second, well-behaved connection keeps working. */
static void still_works(void)
{
	struct host h;

	admin_up(&h, 0);
	host_close(&h);
}

static size_t flush_capsule(struct host *h, uint8_t *buf)
{
	struct nvme_tcp_cmd *pdu = (struct nvme_tcp_cmd *)buf;

	memset(pdu, 0, sizeof(*pdu));
	pdu->ch.pdu_type = NVME_TCP_PDU_CAPSULE_CMD;
	pdu->ccsqe.opc = 0x18; /* Keep Alive: no data */
	pdu->ccsqe.cid = 77;
	return seal(h, buf, 72, NULL, 0);
}

static void test_bad_hlen(void **state)
{
	struct host h;
	uint8_t buf[128];
	size_t n;

	(void)state;
	host_open(&h, 0);
	n = flush_capsule(&h, buf);
	buf[2] = 64;
	assert_int_equal(xsend(&h, buf, n), 0);
	expect_term(&h, NVME_TCP_FES_INVALID_HEADER_FIELD, 2);
	still_works();
}

static void test_unknown_type(void **state)
{
	struct host h;
	uint8_t buf[128];
	size_t n;

	(void)state;
	host_open(&h, 0);
	n = flush_capsule(&h, buf);
	buf[0] = 0x0E;
	assert_int_equal(xsend(&h, buf, n), 0);
	expect_term(&h, NVME_TCP_FES_INVALID_HEADER_FIELD, 0);
	still_works();
}

static void test_capsule_before_icreq(void **state)
{
	struct host h = {0};
	uint8_t buf[128];

	(void)state;
	h.fd = tcp_dial();
	assert_true(h.fd >= 0);
	assert_int_equal(xsend(&h, buf, flush_capsule(&h, buf)), 0);
	expect_term(&h, NVME_TCP_FES_PDU_SEQUENCE_ERROR, ~0u);
	still_works();
}

static void test_second_icreq(void **state)
{
	struct host h;
	uint8_t buf[128];

	(void)state;
	host_open(&h, 0);
	assert_int_equal(xsend(&h, buf, icreq(buf, 0)), 0);
	expect_term(&h, NVME_TCP_FES_PDU_SEQUENCE_ERROR, ~0u);
	still_works();
}

/* In-capsule data longer than the SGL says: the command fails, the
 * connection lives. */
static void test_data_longer_than_announced(void **state)
{
	static uint8_t data[4096];
	struct host h;
	struct nvme_tcp_cmd *pdu = (struct nvme_tcp_cmd *)g_pdu;
	struct nvme_cpl cpl;
	uint8_t buf[64];

	(void)state;
	admin_up(&h, 0);
	memset(pdu, 0, sizeof(*pdu));
	pdu->ch.pdu_type = NVME_TCP_PDU_CAPSULE_CMD;
	pdu->ccsqe.opc = NVME_OPC_SET_FEATURES;
	pdu->ccsqe.cid = 900;
	pdu->ccsqe.cdw10 = NVME_FEAT_NUMBER_OF_QUEUES;
	nvme_sgl_set_unkeyed(&pdu->ccsqe.dptr.sgl1, NVME_SGL_TYPE_DATA_BLOCK,
			     NVME_SGL_SUBTYPE_OFFSET, 0, 512);
	assert_int_equal(xsend(&h, g_pdu, seal(&h, g_pdu, 72, data, sizeof(data))), 0);
	assert_int_equal(recv_pdu(&h, buf, sizeof(buf)), 24);
	cpl = ((struct nvme_tcp_rsp *)buf)->rccqe;
	assert_int_equal(cpl.cid, 900);
	assert_int_equal(status_of(&cpl), NVME_STATUS_GENERIC(NVME_SC_DATA_SGL_LENGTH_INVALID));
	assert_int_equal(prop_get(&h, NVME_REG_CSTS, NVMF_PROP_SIZE_4) & 1, 1);
	host_close(&h);
	still_works();
}

static void test_wrong_header_digest(void **state)
{
	struct host h;
	uint8_t buf[128];
	size_t n;

	(void)state;
	host_open(&h, DG_BOTH);
	n = flush_capsule(&h, buf);
	buf[72] ^= 0xff;
	assert_int_equal(xsend(&h, buf, n), 0);
	expect_term(&h, NVME_TCP_FES_HEADER_DIGEST_ERROR, ~0u);
	still_works();
}

/* Wrong data digest on a write: Transient Transport Error, connection lives. */
static void test_wrong_data_digest(void **state)
{
	static uint8_t data[4096];
	struct host adm, io;
	struct nvme_tcp_cmd *pdu = (struct nvme_tcp_cmd *)g_pdu;
	struct nvme_cpl cpl;
	uint8_t buf[64];
	size_t n;

	(void)state;
	admin_up(&adm, 0);
	host_open(&io, DG_BOTH);
	cpl = fabrics_connect(&io, 1, adm.cntlid, SUBNQN);
	assert_int_equal(status_of(&cpl), 0);
	memset(pdu, 0, sizeof(*pdu));
	pdu->ch.pdu_type = NVME_TCP_PDU_CAPSULE_CMD;
	pdu->ccsqe.opc = NVME_OPC_WRITE;
	pdu->ccsqe.nsid = 1;
	pdu->ccsqe.cid = 901;
	pdu->ccsqe.cdw12 = 7;
	nvme_sgl_set_unkeyed(&pdu->ccsqe.dptr.sgl1, NVME_SGL_TYPE_DATA_BLOCK,
			     NVME_SGL_SUBTYPE_OFFSET, 0, sizeof(data));
	n = seal(&io, g_pdu, 72, data, sizeof(data));
	g_pdu[n - 1] ^= 0xff;
	assert_int_equal(xsend(&io, g_pdu, n), 0);
	assert_int_equal(recv_pdu(&io, buf, sizeof(buf)), 28);
	cpl = ((struct nvme_tcp_rsp *)buf)->rccqe;
	assert_int_equal(cpl.cid, 901);
	assert_int_equal(status_of(&cpl), NVME_STATUS_GENERIC(NVME_SC_TRANSIENT_TRANSPORT_ERROR));
	io_rw(&io, NVME_OPC_WRITE, 0, data, sizeof(data), 0);
	host_close(&io);
	host_close(&adm);
	still_works();
}

/* Half a PDU, then the socket closes: only that connection goes. */
static void test_cut_pdu(void **state)
{
	struct host adm, io;
	struct nvme_cpl cpl;
	uint8_t buf[128];

	(void)state;
	admin_up(&adm, 0);
	host_open(&io, 0);
	cpl = fabrics_connect(&io, 1, adm.cntlid, SUBNQN);
	assert_int_equal(status_of(&cpl), 0);
	assert_int_equal(xsend(&io, buf, flush_capsule(&io, buf) / 2), 0);
	host_close(&io);
	usleep(100000);
	assert_int_equal(prop_get(&adm, NVME_REG_CSTS, NVMF_PROP_SIZE_4) & 1, 1);
	host_close(&adm);
	still_works();
}

static void test_over_mdts(void **state)
{
	struct host adm, io;
	struct nvme_cmd cmd = {0};
	struct nvme_cpl cpl;

	(void)state;
	admin_up(&adm, 0);
	host_open(&io, 0);
	cpl = fabrics_connect(&io, 1, adm.cntlid, SUBNQN);
	assert_int_equal(status_of(&cpl), 0);
	cmd.opc = NVME_OPC_READ;
	cmd.nsid = 1;
	cmd.cdw12 = 2 * MAX_IO / 512 - 1;
	host_cmd(&io, &cmd, NULL, NULL, 2 * MAX_IO, &cpl);
	assert_int_equal(status_of(&cpl), NVME_STATUS_GENERIC(NVME_SC_INVALID_FIELD));
	host_close(&io);
	host_close(&adm);
	still_works();
}

static void test_connect_unknown_nqn(void **state)
{
	struct host h;
	struct nvme_cpl cpl;

	(void)state;
	host_open(&h, 0);
	cpl = fabrics_connect(&h, 0, NVMF_CNTLID_DYNAMIC, "nqn.2016-06.io.nvmf-tgt:nope");
	assert_int_equal(status_of(&cpl),
			 NVME_STATUS_CMD(NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS));
	host_close(&h);
	still_works();
}

/*
 * An empty HOSTNQN (what spdk_nvme_perf sends by default) is taken where any
 * host may connect: admin and I/O queues, and I/O on them.
 */
static void test_connect_empty_hostnqn(void **state)
{
	(void)state;
	g_hostnqn = "";
	run_io(0, 4096);
	g_hostnqn = "not an nqn";
	run_io(DG_BOTH, 8192);
	g_hostnqn = HOSTNQN;
}

/* Where a host list applies it is an Invalid Host, logged once with the reason. */
static void test_connect_listed_refuses_empty_hostnqn(void **state)
{
	struct host h;
	struct nvme_cpl cpl;

	(void)state;
	assert_int_equal(log_lines_with("connect refused", "'" LISTED_NQN "'", NULL), 0);
	g_hostnqn = "";
	host_open(&h, 0);
	cpl = fabrics_connect(&h, 0, NVMF_CNTLID_DYNAMIC, LISTED_NQN);
	g_hostnqn = HOSTNQN;
	assert_int_equal(status_of(&cpl), NVME_STATUS_CMD(NVME_SC_FABRICS_CONNECT_INVALID_HOST));
	host_close(&h);
	/* The line is written before the response is sent. */
	assert_int_equal(
	    log_lines_with("[warn]", "connect refused: host ''", "'" LISTED_NQN "'",
			   "HOSTNQN: not a valid NQN, and the subsystem has a host list", NULL),
	    1);
	assert_int_equal(log_lines_with("connect refused", "'" LISTED_NQN "'", NULL), 1);
	/* The listed host gets in. */
	host_open(&h, 0);
	cpl = fabrics_connect(&h, 0, NVMF_CNTLID_DYNAMIC, LISTED_NQN);
	assert_int_equal(status_of(&cpl), 0);
	host_close(&h);
	assert_int_equal(log_lines_with("connect refused", "'" LISTED_NQN "'", NULL), 1);
	still_works();
}

static void test_io_connect_unknown_cntlid(void **state)
{
	struct host h;
	struct nvme_cpl cpl;

	(void)state;
	host_open(&h, 0);
	cpl = fabrics_connect(&h, 1, 0xFFEE, SUBNQN);
	assert_int_equal(status_of(&cpl),
			 NVME_STATUS_CMD(NVME_SC_FABRICS_CONNECT_INVALID_PARAMETERS));
	host_close(&h);
	still_works();
}

/*
 * Thousands of connections opened and closed in every state (bare TCP, after
 * ICReq, after an admin Connect, mid-header, reset instead of closed) while
 * a well-behaved host keeps doing I/O on its own connections.
 */
static void test_connection_churn(void **state)
{
	static uint8_t w[4096], r[4096];
	struct linger rst = {.l_onoff = 1, .l_linger = 0};
	struct host adm, io, h;
	struct nvme_cpl cpl;
	uint8_t buf[256];

	(void)state;
	admin_up(&adm, 0);
	host_open(&io, 0);
	cpl = fabrics_connect(&io, 1, adm.cntlid, SUBNQN);
	assert_int_equal(status_of(&cpl), 0);
	for (int i = 0; i < 3000; i++) {
		switch (i % 5) {
		case 0: /* bare TCP */
			h.fd = tcp_dial();
			assert_true(h.fd >= 0);
			break;
		case 1: /* ICReq, then gone before the answer is read */
			h.fd = tcp_dial();
			assert_true(h.fd >= 0);
			assert_int_equal(xsend(&h, buf, icreq(buf, 0)), 0);
			break;
		case 2: /* half a common header */
			h.fd = tcp_dial();
			assert_true(h.fd >= 0);
			assert_int_equal(xsend(&h, buf, icreq(buf, 0) / 32), 0);
			break;
		case 3: /* a live admin queue, dropped without Disconnect */
			if (i % 50 == 3) {
				admin_up(&h, 0);
				break;
			}
			host_open(&h, 0);
			break;
		default: /* after ICResp, reset instead of closed */
			host_open(&h, 0);
			setsockopt(h.fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
			break;
		}
		host_close(&h);
		if (i % 100 == 0) {
			/* A host keeps its controller alive (KATO 30 s) however long this takes. */
			struct nvme_cmd ka = {.opc = NVME_OPC_KEEP_ALIVE};

			host_cmd(&adm, &ka, NULL, NULL, 0, &cpl);
			assert_int_equal(status_of(&cpl), 0);
			memset(w, i & 0xff, sizeof(w));
			io_rw(&io, NVME_OPC_WRITE, 4096 + (uint64_t)(i / 100) * 8, w, sizeof(w), 0);
			io_rw(&io, NVME_OPC_READ, 4096 + (uint64_t)(i / 100) * 8, r, sizeof(r), 0);
			assert_memory_equal(r, w, sizeof(w));
		}
	}
	host_close(&io);
	host_close(&adm);
	still_works();
}

/* The same target on its IPv6 listener: admin bring-up and I/O over [::1]. */
static void test_ipv6(void **state)
{
	(void)state;
	if (!g_v6) {
		print_message("no IPv6 loopback on this machine: skipped\n");
		skip();
	}
	g_dial_v6 = true;
	run_io(0, 8192);
	g_dial_v6 = false;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_io_plain),
	    cmocka_unit_test(test_io_digests),
	    cmocka_unit_test(test_io_large),
	    cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_bad_hlen),
	    cmocka_unit_test(test_unknown_type),
	    cmocka_unit_test(test_capsule_before_icreq),
	    cmocka_unit_test(test_second_icreq),
	    cmocka_unit_test(test_data_longer_than_announced),
	    cmocka_unit_test(test_wrong_header_digest),
	    cmocka_unit_test(test_wrong_data_digest),
	    cmocka_unit_test(test_cut_pdu),
	    cmocka_unit_test(test_over_mdts),
	    cmocka_unit_test(test_connect_unknown_nqn),
	    cmocka_unit_test(test_io_connect_unknown_cntlid),
	    cmocka_unit_test(test_connect_empty_hostnqn),
	    cmocka_unit_test(test_connect_listed_refuses_empty_hostnqn),
	    cmocka_unit_test(test_connection_churn),
	};

	if (argc > 1)
		g_bin = argv[1];
	else if (getenv("NVMF_TGT_BIN"))
		g_bin = getenv("NVMF_TGT_BIN");
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, start_target, stop_target);
}
