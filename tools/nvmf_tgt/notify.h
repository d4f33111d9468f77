/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * notify.h - readiness notification to a service manager (the sd_notify
 * datagram protocol, no library): one "KEY=VALUE" datagram to the unix
 * socket named by $NOTIFY_SOCKET.
 */
#ifndef NVMF_TGT_TOOLS_NOTIFY_H
#define NVMF_TGT_TOOLS_NOTIFY_H

/**
 * Send @state (e.g. "READY=1" or "STOPPING=1") to the socket named by
 * $NOTIFY_SOCKET: a file system path ("/run/...") or an abstract socket
 * ("@name"). Does nothing when the variable is unset or empty. A failure
 * is logged as a warning: the service manager then times out on its own.
 *
 * @param state  the datagram text, without a trailing newline
 * @return 0 when sent or when there is no NOTIFY_SOCKET; -EAFNOSUPPORT for
 *         an address that is neither a path nor "@name", -ENAMETOOLONG when
 *         it does not fit a unix socket address, or the negative errno of
 *         socket() or sendto(). Thread-safe; not async-signal-safe (logs).
 */
int tgt_notify(const char *state);

#endif /* NVMF_TGT_TOOLS_NOTIFY_H */
