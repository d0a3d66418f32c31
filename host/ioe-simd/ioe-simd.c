/*
 * ioe-simd: a simulated ioe card served over a Unix socket with the wire protocol
 * (docs/wire.md), for libioe's target "sim:unix:PATH".
 *
 *   ioe-simd --card soft|sim|board --listen PATH [--free-run] [--dma fd|wire] [--timeout-ms N]
 *            [--dma-latency N] [--dma-outstanding N] [--trace FILE] [--once]
 *   ioe-simd --card sim --jtag PORT|PATH [--jtag-idcode N] [--trace FILE] [--once]
 *
 * One client at a time: a second one is answered ERROR BUSY and closed. Each connection
 * gets a fresh card (reset state, cycle 0, no DMA regions); a disconnect returns to
 * accept (--once: exits). SIGTERM and SIGINT exit cleanly and remove the socket.
 *
 * The program is two parts: the connection handling here (listen, accept, BUSY, signals,
 * waiting on the client) and a backend that serves one connection, chosen by --card from
 * the table `backends` (simd_card.c: the C model and the Verilator model through
 * ioe_simcard_ops). A backend reads and writes the client's bytes through struct
 * simd_conn and returns when the client is gone or the server must stop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ioe_vjtag.h"
#include "simd.h"

static const struct simd_backend backends[] = {
    {"soft", "C reference model of the card", simd_serve_simcard, &ioe_model_ops},
    {"sim", "Verilator model of the card's RTL", simd_serve_simcard, &ioe_vsim_ops},
    {"board", "the iCEBreaker's logic in Verilator: the RTL wire bridge in front of the small card",
     simd_serve_board, NULL},
};

static volatile sig_atomic_t stop_requested;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    int saved = errno;
    ssize_t r = write(wake_pipe[1], "x", 1);
    (void)r;
    errno = saved;
}

int simd_wake_fd(void)
{
    return wake_pipe[0];
}

int simd_stopping(void)
{
    return stop_requested != 0;
}

/* A client that came while another is served: answer its first request (or seq 0 after a
 * short wait) with ERROR BUSY and close it. */
static void refuse_busy(int listen_fd)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    struct wire_link *link;
    if (wire_link_unix_adopt(fd, &link))
        return;
    struct ioe_wire_decoder *dec = malloc(sizeof(*dec));
    struct ioe_wire_frame *f = malloc(sizeof(*f));
    uint16_t seq = 0;
    if (dec && f) {
        ioe_wire_decoder_init(dec);
        for (int tries = 0; tries < 10; tries++) {
            size_t room;
            uint8_t *p = ioe_wire_decoder_space(dec, &room);
            ssize_t n = link->ops->recv(link, p, room, NULL, 20);
            if (n < 0)
                break;
            ioe_wire_decoder_commit(dec, (size_t)n);
            if (ioe_wire_decoder_next(dec, f) == 1) {
                seq = f->seq;
                break;
            }
        }
    }
    struct ioe_wire_msg e = {.type = IOE_WIRE_ERROR, .seq = seq};
    e.u.error.code = IOE_WIRE_E_BUSY;
    e.u.error.seq = seq;
    uint8_t out[IOE_WIRE_MAX_FRAME];
    int len = ioe_wire_pack(&e, out);
    if (len > 0)
        link->ops->send(link, out, (size_t)len, -1, 100);
    link->ops->close(link);
    free(dec);
    free(f);
    fprintf(stderr, "ioe-simd: a second client was refused (BUSY)\n");
}

int simd_wait(struct simd_conn *c, int timeout_ms)
{
    for (;;) {
        if (stop_requested)
            return -1;
        struct pollfd p[3] = {{.fd = c->link->ops->poll_fd(c->link), .events = POLLIN},
                              {.fd = c->listen_fd, .events = POLLIN},
                              {.fd = wake_pipe[0], .events = POLLIN}};
        int r = poll(p, 3, timeout_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (stop_requested)
            return -1;
        if (p[0].revents) /* first: a client that left lets the next one in, not BUSY */
            return 1;
        if (p[1].revents & POLLIN) {
            refuse_busy(c->listen_fd);
            continue;
        }
        if (r > 0)
            continue; /* the wake pipe without a stop */
        return 0;
    }
}

static int listen_on(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "ioe-simd: socket path too long: %s\n", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("ioe-simd: socket");
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) == 0) {
        /* a stale socket of a server that died may go; a live one or any other file not */
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        if (probe >= 0)
            close(probe);
        if (!S_ISSOCK(st.st_mode) || live) {
            fprintf(stderr, "ioe-simd: %s: %s\n", path,
                    live ? "another server listens there" : "exists and is not a socket");
            close(fd);
            return -1;
        }
        unlink(path);
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4)) {
        fprintf(stderr, "ioe-simd: %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: ioe-simd --card CARD --listen PATH [options]\n"
               "Serve a simulated ioe card over the Unix socket PATH with the wire protocol\n"
               "(docs/wire.md), one client at a time; libioe reaches it as sim:unix:PATH.\n\n"
               "  --card CARD           ");
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
        fprintf(f, "%s%s (%s)", i ? ", " : "", backends[i].name, backends[i].summary);
    fprintf(f, "\n"
               "  --listen PATH         the socket (a stale one is replaced)\n"
               "  --free-run            the card runs on its own between requests (ASYNC)\n"
               "  --dma fd|wire         fd (default): map the memory the client passes;\n"
               "                        wire: ask the client for every DMA access (DMA_WIRE)\n"
               "  --timeout-ms N        bound of one POLL, a FENCE and the client's DMA\n"
               "                        answers (default 120000)\n"
               "  --dma-latency N       host-memory latency in cycles (default 200)\n"
               "  --dma-outstanding N   host-memory request limit (default 256)\n"
               "  --trace FILE          FST waveform of each connection (--card sim)\n"
               "  --once                exit when the first client disconnects\n");
    fprintf(f,
            "  --jtag PORT|PATH      instead of --listen (--card sim): the card's TAP for\n"
            "                        OpenOCD's remote_bitbang on 127.0.0.1:PORT (0: any)\n"
            "                        or a Unix socket; prints \"jtag ADDRESS\" (docs/jtag.md)\n"
            "  --jtag-idcode N       the TAP's IDCODE (default 0x%08x)\n"
            "  --help\n",
            IOE_JTAG_IDCODE);
}

static int parse_uint(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (!*s || *end || errno || v == 0 || v > UINT_MAX || *s == '-')
        return -1;
    *out = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"card", required_argument, 0, 'c'},
                                             {"listen", required_argument, 0, 'l'},
                                             {"free-run", no_argument, 0, 'f'},
                                             {"dma", required_argument, 0, 'd'},
                                             {"timeout-ms", required_argument, 0, 't'},
                                             {"dma-latency", required_argument, 0, 'L'},
                                             {"dma-outstanding", required_argument, 0, 'O'},
                                             {"trace", required_argument, 0, 'T'},
                                             {"once", no_argument, 0, 'o'},
                                             {"jtag", required_argument, 0, 'j'},
                                             {"jtag-idcode", required_argument, 0, 'i'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    struct simd_config cfg = {.timeout_ms = IOE_CARD_DEFAULT_TIMEOUT_MS,
                              .dma_latency = IOE_CARD_DEFAULT_DMA_LATENCY,
                              .dma_outstanding = IOE_CARD_DEFAULT_DMA_OUTSTANDING};
    const char *card = NULL, *path = NULL, *jtag = NULL;
    unsigned idcode = IOE_JTAG_IDCODE;
    int once = 0, o;
    while ((o = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (o) {
        case 'c': card = optarg; break;
        case 'l': path = optarg; break;
        case 'f': cfg.free_run = 1; break;
        case 'd':
            if (strcmp(optarg, "wire") && strcmp(optarg, "fd")) {
                fprintf(stderr, "ioe-simd: --dma takes fd or wire, not \"%s\"\n", optarg);
                return 2;
            }
            cfg.dma_wire = strcmp(optarg, "wire") == 0;
            break;
        case 't':
        case 'L':
        case 'O': {
            unsigned v;
            if (parse_uint(optarg, &v)) {
                fprintf(stderr, "ioe-simd: bad number \"%s\"\n", optarg);
                return 2;
            }
            *(o == 't' ? &cfg.timeout_ms : o == 'L' ? &cfg.dma_latency : &cfg.dma_outstanding) = v;
            break;
        }
        case 'T': cfg.trace_path = optarg; break;
        case 'o': once = 1; break;
        case 'j': jtag = optarg; break;
        case 'i':
            if (parse_uint(optarg, &idcode) || !(idcode & 1)) {
                fprintf(stderr, "ioe-simd: --jtag-idcode: \"%s\" is no IDCODE (bit 0 is 1)\n",
                        optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (jtag && (path || !card || strcmp(card, "sim") || cfg.free_run || cfg.dma_wire)) {
        fprintf(stderr,
                "ioe-simd: --jtag serves --card sim alone (no --listen, --free-run, --dma)\n");
        return 2;
    }
    if (optind < argc || !card || (!path && !jtag)) {
        usage(stderr);
        return 2;
    }
    const struct simd_backend *be = NULL;
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
        if (strcmp(card, backends[i].name) == 0)
            be = &backends[i];
    if (!be) {
        fprintf(stderr, "ioe-simd: unknown card \"%s\"\n", card);
        usage(stderr);
        return 2;
    }
    if (cfg.trace_path && be->card_ops != &ioe_vsim_ops) {
        fprintf(stderr, "ioe-simd: --trace needs --card sim\n");
        return 2;
    }
    if (!be->card_ops &&
        (cfg.free_run || cfg.dma_wire || cfg.dma_latency != IOE_CARD_DEFAULT_DMA_LATENCY ||
         cfg.dma_outstanding != IOE_CARD_DEFAULT_DMA_OUTSTANDING)) {
        /* the board runs on its own clock and has no host memory */
        fprintf(stderr,
                "ioe-simd: --card %s takes none of --free-run, --dma, --dma-latency, "
                "--dma-outstanding\n",
                be->name);
        return 2;
    }
    cfg.card_ops = be->card_ops;
    snprintf(cfg.name, sizeof(cfg.name), "ioe-simd %s", be->name);

    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK)) {
        perror("ioe-simd: pipe");
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (jtag)
        return simd_serve_jtag(jtag, idcode, cfg.trace_path, once);

    int lfd = listen_on(path);
    if (lfd < 0)
        return 1;
    fprintf(stderr, "ioe-simd: serving %s on %s\n", be->name, path);
    int rc = 0;
    while (!stop_requested) {
        struct pollfd p[2] = {{.fd = lfd, .events = POLLIN},
                              {.fd = wake_pipe[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("ioe-simd: poll");
            rc = 1;
            break;
        }
        if (stop_requested)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        struct simd_conn conn = {.listen_fd = lfd};
        if (wire_link_unix_adopt(fd, &conn.link))
            continue;
        int err = be->serve(&cfg, &conn);
        conn.link->ops->close(conn.link);
        fprintf(stderr, "ioe-simd: client gone (%s; %u frames dropped)\n",
                err ? strerror(-err) : "disconnected", conn.dropped);
        if (once)
            break;
    }
    close(lfd);
    unlink(path);
    return rc;
}
