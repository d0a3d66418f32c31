/*
 * "jtag[:HOST[:PORT]]": the card through its JTAG debug bridge (docs/jtag.md), driven by an
 * OpenOCD that runs the card's Tcl procs (boards/ioe_jtag.tcl) and listens for Tcl RPC on
 * HOST:PORT (default 127.0.0.1:6666). A request is one Tcl command ended by 0x1a; so is the
 * reply. Register accesses go as `ioe_ops {r ADDR} {w ADDR VALUE}...`, up to OPS_PER_CALL per
 * round trip; a POLL is a read repeated until it matches. JTAG reaches the CSR window only:
 * DMA, notifications, MSI and wired lines, stepping and reset answer -EOPNOTSUPP.
 *
 * Every reply is awaited at most the card's timeout (ioe_card_options.timeout_ms, else
 * JTAG_REPLY_TIMEOUT_MS): an OpenOCD that stops answering is -ETIMEDOUT, one that closed the
 * connection -EIO, with ioe_last_error() saying which; the transport is dead after either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "internal.h"
#include "transport.h"

#define JTAG_DEFAULT_HOST "127.0.0.1"
#define JTAG_DEFAULT_PORT "6666"
#define JTAG_REPLY_TIMEOUT_MS 10000u
#define JTAG_EOM '\x1a'
#define OPS_PER_CALL 64 /* one request stays far below OpenOCD's line limit */

struct jtag_transport {
    struct ioe_transport t;
    int fd; /* -1 once the connection failed */
    unsigned timeout_ms;
    uint64_t poll_timeout_ns;
    char reply[16384];
};

static void jtag_error(const char *fmt, const char *arg)
{
    set_last_error(fmt, arg);
}

static int jtag_fail(struct jtag_transport *jt, int err, const char *why)
{
    if (jt->fd >= 0)
        close(jt->fd);
    jt->fd = -1;
    jtag_error("jtag: %s", why);
    return err;
}

/* One round trip: send cmd, receive the reply (without its 0x1a) into jt->reply. */
static int jtag_rpc(struct jtag_transport *jt, const char *cmd)
{
    if (jt->fd < 0) {
        jtag_error("%s", "jtag: the connection to OpenOCD failed earlier");
        return -EIO;
    }
    size_t len = strlen(cmd), sent = 0;
    while (sent <= len) { /* the terminator too */
        const char *p = sent < len ? cmd + sent : "\x1a";
        size_t n = sent < len ? len - sent : 1;
        ssize_t w = send(jt->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return jtag_fail(jt, -ETIMEDOUT, "OpenOCD did not take the request in time");
        if (w <= 0)
            return jtag_fail(jt, -EIO, "OpenOCD closed the Tcl connection");
        sent += (size_t)w;
    }
    size_t got = 0;
    uint64_t deadline = transport_now_ns() + (uint64_t)jt->timeout_ms * 1000000u;
    for (;;) {
        uint64_t now = transport_now_ns();
        if (now >= deadline)
            return jtag_fail(jt, -ETIMEDOUT, "OpenOCD did not answer in time");
        struct pollfd p = {.fd = jt->fd, .events = POLLIN};
        int r = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue; /* the deadline check above decides */
        if (got == sizeof(jt->reply) - 1)
            return jtag_fail(jt, -EIO, "OpenOCD's reply is too long");
        ssize_t n = recv(jt->fd, jt->reply + got, sizeof(jt->reply) - 1 - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return jtag_fail(jt, -EIO, "OpenOCD closed the Tcl connection");
        got += (size_t)n;
        char *eom = memchr(jt->reply, JTAG_EOM, got);
        if (eom) {
            if (eom != jt->reply + got - 1)
                return jtag_fail(jt, -EIO, "OpenOCD sent more than one reply");
            *eom = '\0';
            return 0;
        }
    }
}

/* The errno of a proc's error message ("EIO: ...", see boards/ioe_jtag.tcl); anything else
 * (a JTAG failure of OpenOCD, a missing proc) is -EIO. */
static int tcl_errno(const char *msg)
{
    static const struct {
        const char *tag;
        int err;
    } kinds[] = {
        {"EIO:", -EIO}, {"ETIMEDOUT:", -ETIMEDOUT}, {"ENODEV:", -ENODEV}, {"EINVAL:", -EINVAL}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strncmp(msg, kinds[i].tag, strlen(kinds[i].tag)))
            return kinds[i].err;
    return -EIO;
}

/* READ and WRITE ops[0..n), n <= OPS_PER_CALL, in one ioe_ops call. */
static int jtag_ops(struct jtag_transport *jt, struct ioe_csr_op *ops, size_t n)
{
    char cmd[OPS_PER_CALL * 32 + 16];
    size_t len = (size_t)snprintf(cmd, sizeof(cmd), "ioe_ops");
    for (size_t i = 0; i < n; i++)
        len += (size_t)(ops[i].kind == IOE_CSR_WRITE
                            ? snprintf(cmd + len, sizeof(cmd) - len, " {w 0x%x 0x%x}", ops[i].addr,
                                       ops[i].val)
                            : snprintf(cmd + len, sizeof(cmd) - len, " {r 0x%x}", ops[i].addr));
    int err = jtag_rpc(jt, cmd);
    if (err)
        return err;
    /* "OK V..." or "ERR INDEX V...\nMESSAGE": the values of the reads done */
    char *p = jt->reply, *end;
    int ok = !strncmp(p, "OK", 2);
    if (!ok && strncmp(p, "ERR ", 4)) {
        jtag_error("jtag: %s", jt->reply); /* e.g. the procs are not loaded */
        return -EIO;
    }
    p += ok ? 2 : 4;
    size_t failed = ok ? n : strtoul(p, &end, 10);
    if (!ok)
        p = end;
    for (size_t i = 0; i < n && i < failed; i++) {
        if (ops[i].kind != IOE_CSR_READ)
            continue;
        ops[i].val = (uint32_t)strtoul(p, &end, 0);
        if (end == p) {
            jtag_error("jtag: a reply without the values read: %s", jt->reply);
            return -EIO;
        }
        p = end;
    }
    if (ok)
        return 0;
    if (failed >= n) {
        jtag_error("jtag: a reply naming no op: %s", jt->reply);
        return -EIO;
    }
    const char *msg = strchr(p, '\n');
    msg = msg ? msg + 1 : "";
    jtag_error("jtag: %s", msg);
    ops[failed].val = 0;
    return tcl_errno(msg);
}

static int jtag_poll(struct jtag_transport *jt, struct ioe_csr_op *op)
{
    uint64_t deadline = transport_now_ns() + jt->poll_timeout_ns;
    for (;;) {
        struct ioe_csr_op rd = {.kind = IOE_CSR_READ, .addr = op->addr};
        int err = jtag_ops(jt, &rd, 1);
        op->val = rd.val;
        if (err || (rd.val & op->mask) == op->expect)
            return err;
        if (transport_now_ns() >= deadline)
            return -ETIMEDOUT;
    }
}

static int jt_batch(struct ioe_transport *t, struct ioe_csr_op *ops, size_t n)
{
    struct jtag_transport *jt = (struct jtag_transport *)t;
    size_t i = 0;
    while (i < n) {
        if (ops[i].kind == IOE_CSR_POLL) {
            int err = jtag_poll(jt, &ops[i]);
            if (err)
                return err;
            i++;
            continue;
        }
        size_t k = 0; /* reads and writes up to the next POLL, OPS_PER_CALL at a time */
        while (i + k < n && k < OPS_PER_CALL && ops[i + k].kind != IOE_CSR_POLL)
            k++;
        int err = jtag_ops(jt, ops + i, k);
        if (err)
            return err;
        i += k;
    }
    return 0;
}

static int jt_unsupported(const char *what)
{
    jtag_error("jtag: %s: the JTAG debug path reaches the CSR window only", what);
    return -EOPNOTSUPP;
}

static int jt_reset(struct ioe_transport *t)
{
    (void)t;
    return jt_unsupported("reset");
}

static int jt_dma_map(struct ioe_transport *t, const struct ioe_dma_region *r)
{
    (void)t;
    (void)r;
    return jt_unsupported("DMA");
}

static int jt_dma_unmap(struct ioe_transport *t, uint64_t iova, uint64_t size)
{
    (void)t;
    (void)iova;
    (void)size;
    return jt_unsupported("DMA");
}

static int jt_drain(struct ioe_transport *t, struct ioe_notification *buf, size_t max)
{
    (void)t;
    (void)buf;
    (void)max;
    return jt_unsupported("notifications");
}

static int jt_wait(struct ioe_transport *t, uint64_t timeout_us)
{
    (void)t;
    (void)timeout_us;
    return jt_unsupported("notifications");
}

static void jt_close(struct ioe_transport *t)
{
    struct jtag_transport *jt = (struct jtag_transport *)t;
    if (jt->fd >= 0)
        close(jt->fd);
    free(jt);
}

static const struct ioe_transport_ops jtag_transport_ops = {
    .name = "jtag",
    .close = jt_close,
    .reset = jt_reset,
    .batch = jt_batch,
    .dma_map = jt_dma_map,
    .dma_unmap = jt_dma_unmap,
    .drain = jt_drain,
    .wait = jt_wait,
};

static int jtag_connect(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res))
        return -ENODEV;
    int fd = -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    return fd < 0 ? -ENODEV : fd;
}

int ioe_transport_jtag_open(const char *name, const char *args, const struct ioe_card_options *opts,
                            struct ioe_transport **out)
{
    (void)name;
    if (opts->trace_path || opts->free_run || opts->dma_latency || opts->dma_outstanding ||
        opts->iova_bits || opts->nr_iova_holes)
        return -EINVAL; /* options of the simulated cards */
    char host[256] = JTAG_DEFAULT_HOST, port[16] = JTAG_DEFAULT_PORT;
    if (args && *args) {
        const char *colon = strrchr(args, ':');
        size_t hlen = colon ? (size_t)(colon - args) : strlen(args);
        if (hlen == 0 || hlen >= sizeof(host) ||
            (colon && (!colon[1] || strlen(colon + 1) >= sizeof(port) ||
                       strspn(colon + 1, "0123456789") != strlen(colon + 1)))) {
            jtag_error("jtag: bad target arguments '%s' (jtag:HOST:PORT)", args);
            return -ENODEV;
        }
        memcpy(host, args, hlen);
        host[hlen] = '\0';
        if (colon)
            strcpy(port, colon + 1);
    }
    struct jtag_transport *jt = calloc(1, sizeof(*jt));
    if (!jt)
        return -ENOMEM;
    jt->t.ops = &jtag_transport_ops;
    jt->t.caps = 0;
    jt->timeout_ms = opts->timeout_ms ? opts->timeout_ms : JTAG_REPLY_TIMEOUT_MS;
    jt->poll_timeout_ns =
        (uint64_t)(opts->timeout_ms ? opts->timeout_ms : IOE_CARD_DEFAULT_TIMEOUT_MS) * 1000000u;
    jt->fd = jtag_connect(host, port);
    if (jt->fd >= 0) { /* a send into a full socket waits no longer than a reply */
        struct timeval tv = {.tv_sec = jt->timeout_ms / 1000,
                             .tv_usec = jt->timeout_ms % 1000 * 1000};
        setsockopt(jt->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    }
    if (jt->fd < 0) {
        char where[300];
        snprintf(where, sizeof(where), "%s:%s", host, port);
        jtag_error("jtag: no OpenOCD Tcl server at %s", where);
        free(jt);
        return -ENODEV;
    }
    /* the procs are there and the bridge answers behind the TAP */
    int err = jtag_rpc(jt, "ioe_rpc ioe_probe");
    if (!err && strncmp(jt->reply, "OK", 2)) {
        jt->reply[400] = '\0'; /* enough of OpenOCD's reason */
        jtag_error("jtag: OpenOCD cannot reach the debug bridge: %s",
                   strncmp(jt->reply, "ERR ", 4) ? jt->reply : jt->reply + 4);
        err = -ENODEV;
    }
    if (err) {
        jt_close(&jt->t);
        return err;
    }
    *out = &jt->t;
    return 0;
}
