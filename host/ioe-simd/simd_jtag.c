/*
 * ioe-simd's JTAG port (--jtag PORT|PATH): the card's TAP (sim/include/ioe_vjtag.h: ioe_top
 * with the debug bridge behind ioe_jtag_tap, in Verilator) served to OpenOCD's remote_bitbang
 * driver on a TCP port of 127.0.0.1 (a number; 0 lets the kernel choose) or a Unix socket
 * (anything else). OpenOCD 0.12's protocol: one byte per request, '0'-'7' set TCK, TMS and
 * TDI (bits 2, 1, 0), 'R' reads TDO (answer '0' or '1'), 'r'-'u' set TRST# and SRST#
 * ('r' none, 's' SRST, 't' TRST, 'u' both held), 'B'/'b' the LED, 'Q' ends the session.
 * Anything else (the SWD and sleep characters of later OpenOCDs included) is a protocol
 * error: ioe-simd says so and closes the connection. The listening address is printed on
 * stdout ("jtag 127.0.0.1:PORT" or "jtag PATH") once it listens.
 *
 * One client at a time (others wait in the backlog); the card stays powered between clients,
 * as a board does, and is reset only by SRST.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ioe_vjtag.h"
#include "simd.h"

static int is_port(const char *s)
{
    if (!*s || strlen(s) > 5)
        return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return atoi(s) <= 65535;
}

/* The listening socket, its address printed on stdout and left in addr; -1 after a message. */
static int jtag_listen(const char *where, char *addr, size_t len)
{
    int fd;
    if (is_port(where)) {
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)atoi(where)),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
            bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
            goto fail;
        socklen_t salen = sizeof(sa);
        getsockname(fd, (struct sockaddr *)&sa, &salen);
        snprintf(addr, len, "127.0.0.1:%u", ntohs(sa.sin_port));
    } else {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(where) >= sizeof(sa.sun_path)) {
            fprintf(stderr, "ioe-simd: --jtag: socket path too long: %s\n", where);
            return -1;
        }
        strcpy(sa.sun_path, where);
        unlink(where); /* a stale socket; bind refuses any other file kind below */
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
            goto fail;
        snprintf(addr, len, "%s", where);
    }
    printf("jtag %s\n", addr);
    fflush(stdout);
    return fd;
fail:
    fprintf(stderr, "ioe-simd: --jtag %s: %s\n", where, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* Serve one OpenOCD until it quits, leaves or breaks the protocol. */
static void jtag_session(struct ioe_vjtag *j, int fd)
{
    unsigned char in[4096], out[4096];
    int tck = 0, tms = 1, tdi = 0;
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
                              {.fd = simd_wake_fd(), .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return;
        if (simd_stopping())
            return;
        if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        ssize_t n = read(fd, in, sizeof(in));
        if (n <= 0)
            return;
        size_t nout = 0;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char ch = in[i];
            if (ch >= '0' && ch <= '7') {
                tck = (ch - '0') >> 2 & 1;
                tms = (ch - '0') >> 1 & 1;
                tdi = (ch - '0') & 1;
                ioe_vjtag_pins(j, tck, tms, tdi);
            } else if (ch == 'R') {
                out[nout++] = ioe_vjtag_tdo(j) ? '1' : '0';
            } else if (ch >= 'r' && ch <= 'u') {
                ioe_vjtag_reset(j, (ch - 'r') >> 1 & 1, (ch - 'r') & 1);
            } else if (ch == 'B' || ch == 'b') {
                /* the LED */
            } else if (ch == 'Q') {
                n = 0;
                break;
            } else {
                fprintf(stderr,
                        "ioe-simd: --jtag: byte 0x%02x is not OpenOCD 0.12's remote_bitbang\n", ch);
                return;
            }
            if (nout == sizeof(out) || (nout && i == n - 1)) {
                if (write(fd, out, nout) != (ssize_t)nout)
                    return;
                nout = 0;
            }
        }
        if (nout && write(fd, out, nout) != (ssize_t)nout)
            return;
        if (n == 0)
            return;
    }
}

int simd_serve_jtag(const char *where, uint32_t idcode, const char *trace_path, int once)
{
    struct ioe_vjtag *j;
    int err = ioe_vjtag_open(idcode, trace_path, &j);
    if (err) {
        fprintf(stderr, "ioe-simd: --jtag: the card's model: %s\n", strerror(-err));
        return 1;
    }
    char addr[128];
    int lfd = jtag_listen(where, addr, sizeof(addr));
    if (lfd < 0) {
        ioe_vjtag_close(j);
        return 1;
    }
    fprintf(stderr, "ioe-simd: the card's TAP (IDCODE 0x%08x) on %s\n", idcode, addr);
    while (!simd_stopping()) {
        struct pollfd p[2] = {{.fd = lfd, .events = POLLIN},
                              {.fd = simd_wake_fd(), .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on Unix: fine */
        uint64_t edges = ioe_vjtag_tck_edges(j);
        jtag_session(j, fd);
        close(fd);
        fprintf(stderr, "ioe-simd: JTAG client gone after %llu TCK cycles\n",
                (unsigned long long)(ioe_vjtag_tck_edges(j) - edges));
        if (once)
            break;
    }
    close(lfd);
    if (!is_port(where))
        unlink(where);
    ioe_vjtag_close(j);
    return 0;
}
