/*
 * libioe's wire transport against a real ioe-simd ($IOE_SIMD): target sim:unix:PATH and
 * sim:spawn, capabilities and the fd rule, batches longer than one frame and their
 * stop-at-first-failure, notifications and the descriptor, DMA through memfds and over the
 * wire (--dma wire), --free-run, BUSY for a second client, bad frames sent to the server,
 * a server killed in the middle of a run (every later call fails, none hangs; a restarted
 * server is reached by a new open) and a server that stops answering (-ETIMEDOUT).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "targets.h"
#include "wire.h"

extern char **environ;

static char dir[64], sock[96], target[128];

struct server {
    pid_t pid;
};

static pid_t running[4]; /* servers a failed test left: teardown stops them */

static void track(pid_t pid, pid_t gone)
{
    for (int i = 0; i < 4; i++)
        if (running[i] == gone) {
            running[i] = pid;
            return;
        }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Start ioe-simd on `sock` with extra arguments; wait until its socket exists. */
static struct server start(const char *card, const char *a1, const char *a2)
{
    const char *prog = getenv("IOE_SIMD");
    assert_non_null(prog);
    const char *argv[] = {prog, "--card", card, "--listen", sock, a1, a2, NULL};
    struct server s;
    assert_int_equal(posix_spawn(&s.pid, prog, NULL, NULL, (char **)argv, environ), 0);
    track(s.pid, 0);
    for (int i = 0; i < 2000; i++) {
        /* a bare connect would take the client slot: look for the socket file instead */
        if (access(sock, F_OK) == 0)
            return s;
        usleep(5000);
    }
    fail_msg("ioe-simd did not come up on %s", sock);
    return s;
}

static int stop(struct server s, int sig)
{
    int st;
    kill(s.pid, sig);
    assert_int_equal(waitpid(s.pid, &st, 0), s.pid);
    track(0, s.pid);
    return st;
}

static struct ioe_card *open_card(const struct ioe_card_options *o)
{
    struct ioe_card *c = NULL;
    int err = -1;
    for (int i = 0; i < 200 && err; i++) { /* the socket exists before it listens */
        err = ioe_card_open_opts(target, o, &c);
        if (err == -ENODEV)
            usleep(5000);
        else
            break;
    }
    assert_int_equal(err, 0);
    return c;
}

static uint32_t rd(struct ioe_card *c, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(ioe_card_read32(c, addr, &v), 0);
    return v;
}

/* Run one DMA probe command of the card and wait for it; returns STATUS. */
static uint32_t probe(struct ioe_card *c, uint64_t addr, int write, uint64_t wdata)
{
    assert_int_equal(ioe_card_write64(c, IOE_CORE_DMA_ADDR_LO, addr), 0);
    assert_int_equal(ioe_card_write64(c, IOE_CORE_DMA_WDATA_LO, wdata), 0);
    struct ioe_csr_op ops[] = {
        {.kind = IOE_CSR_WRITE,
         .addr = IOE_CORE_DMA_CMD,
         .val = 1u << IOE_CORE_DMA_CMD_GO_SHIFT | (uint32_t)write << IOE_CORE_DMA_CMD_WRITE_SHIFT |
                0xffu << IOE_CORE_DMA_CMD_STRB_SHIFT},
        {.kind = IOE_CSR_POLL,
         .addr = IOE_CORE_DMA_STATUS,
         .mask = 1u << IOE_CORE_DMA_STATUS_BUSY_SHIFT,
         .expect = 0},
    };
    assert_int_equal(ioe_card_batch(c, ops, 2), 0);
    return ops[1].val;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/ioe-wire-test.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(sock, sizeof(sock), "%s/sock", dir);
    snprintf(target, sizeof(target), "sim:unix:%s", sock);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++)
        if (running[i] > 0) {
            kill(running[i], SIGCONT);
            kill(running[i], SIGKILL);
            waitpid(running[i], NULL, 0);
            running[i] = 0;
        }
    unlink(sock);
    rmdir(dir);
    return 0;
}

/* ---------------------------------------------------------------- the transport */

static void test_card_ops(void **state)
{
    const char *card = *state ? "sim" : "soft";
    struct server s = start(card, NULL, NULL);
    struct ioe_card *c = open_card(NULL);
    assert_string_equal(ioe_card_backend(c), target);
    assert_int_equal(ioe_card_caps(c), IOE_CARD_CAP_STEP | IOE_CARD_CAP_MSI | IOE_CARD_CAP_WIRED |
                                           IOE_CARD_CAP_FD_MEMORY);
    struct ioe_card_info in;
    assert_int_equal(ioe_card_info(c, &in), 0);
    assert_int_equal(in.id, IOE_CORE_ID_RESET);

    /* 150 ops: three frames; the hole at op 100 stops the batch there */
    static struct ioe_csr_op ops[150];
    for (int i = 0; i < 150; i++)
        ops[i] = (struct ioe_csr_op){.kind = i % 2 ? IOE_CSR_READ : IOE_CSR_WRITE,
                                     .addr = IOE_CORE_SCRATCH,
                                     .val = (uint32_t)i};
    assert_int_equal(ioe_card_batch(c, ops, 150), 0);
    for (int i = 1; i < 150; i += 2)
        assert_int_equal(ops[i].val, i - 1);
    ops[100] = (struct ioe_csr_op){.kind = IOE_CSR_READ, .addr = IOE_CSR_WINDOW_SIZE - 4};
    assert_int_equal(ioe_card_batch(c, ops, 150), -EIO);
    assert_int_equal(rd(c, IOE_CORE_SCRATCH), 98); /* op 98 ran, ops 102... did not */
    /* a POLL on the far side, and its timeout */
    struct ioe_csr_op poll_op = {
        .kind = IOE_CSR_POLL, .addr = IOE_CORE_SCRATCH, .mask = 0xff, .expect = 98};
    assert_int_equal(ioe_card_batch(c, &poll_op, 1), 0);
    assert_int_equal(poll_op.val, 98);
    ioe_card_close(c);
    struct ioe_card_options o = {.timeout_ms = 200};
    c = open_card(&o);
    poll_op.expect = 97;
    assert_int_equal(ioe_card_batch(c, &poll_op, 1), -ETIMEDOUT);
    assert_int_equal(rd(c, IOE_CORE_SCRATCH), 0); /* a new connection, a fresh card */

    /* notifications, the descriptor in step with them, wait, step and cycles */
    int fd = ioe_card_notify_fd(c);
    assert_true(fd >= 0);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 0);
    assert_int_equal(ioe_card_wait(c, 1000), 0);
    for (uint32_t i = 0; i < 100; i++) /* more than one NOTIFY frame holds */
        assert_int_equal(ioe_card_write32(c, IOE_CORE_NOTIFY_TEST, (i % 8) << 8 | 3), 0);
    assert_int_equal(ioe_card_wait(c, 1000000), 1);
    assert_int_equal(ioe_card_step(c, 100), 0);
    assert_int_equal(poll(&p, 1, 0), 1);
    struct ioe_notification n[128];
    int got = 0, k;
    while ((k = ioe_card_drain(c, n + got, 7)) > 0)
        got += k;
    assert_int_equal(got, 100);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(n[i].vm, (uint32_t)i % 8);
        assert_int_equal(n[i].vcpu, 3);
        assert_int_equal(n[i].src, IOE_NOTIFY_SRC_TEST);
    }
    assert_int_equal(poll(&p, 1, 0), 0);
    uint64_t cyc0, cyc1;
    assert_int_equal(ioe_card_cycles(c, &cyc0), 0);
    assert_int_equal(ioe_card_step(c, 1000), 0);
    assert_int_equal(ioe_card_cycles(c, &cyc1), 0);
    assert_int_equal(cyc1 - cyc0, 1000);
    assert_int_equal(ioe_card_set_wired(c, 1, 1), 0);
    assert_int_equal(ioe_card_set_wired(c, 1000, 1), -EINVAL);
    assert_int_equal(ioe_card_msi(c, 1, 0x1000, 2), 0);

    /* DMA: the fd rule, memfd memory the server maps, overlaps and unknown unmaps */
    uint64_t plain[2] = {1, 2};
    assert_int_equal(ioe_card_dma_map(c, 0x5000, plain, sizeof(plain)), -EFAULT);
    uint64_t *mem = ioe_mem_alloc(8192);
    assert_non_null(mem);
    mem[1] = 0x8877665544332211ull;
    assert_int_equal(ioe_card_dma_map(c, 0x7000000, mem + 0, 4096), 0);
    assert_int_equal(ioe_card_dma_map(c, 0x7000ff8, mem + 512, 64), -EEXIST);
    assert_int_equal(ioe_card_dma_map(c, 0x9000000, mem + 512, 4096), 0); /* at an offset */
    assert_int_equal(probe(c, 0x7000008, 0, 0), 1u << IOE_CORE_DMA_STATUS_DONE_SHIFT);
    uint64_t v;
    assert_int_equal(ioe_card_read64(c, IOE_CORE_DMA_RDATA_LO, &v), 0);
    assert_int_equal(v, 0x8877665544332211ull);
    assert_int_equal(
        probe(c, 0x9000010, 1, 0xabcdef0123456789ull) & 1u << IOE_CORE_DMA_STATUS_ERR_SHIFT, 0);
    if (!strcmp(card, "sim"))
        assert_int_equal(ioe_card_step(c, 1000), 0); /* the write reaches memory */
    assert_int_equal(mem[512 + 2], 0xabcdef0123456789ull);
    assert_true(probe(c, 0x8000000, 0, 0) & 1u << IOE_CORE_DMA_STATUS_ERR_SHIFT);
    assert_int_equal(ioe_card_dma_unmap(c, 0x7000000, 4096), 0);
    assert_int_equal(ioe_card_dma_unmap(c, 0x7000000, 4096), -ENOENT);
    assert_true(probe(c, 0x7000008, 0, 0) & 1u << IOE_CORE_DMA_STATUS_ERR_SHIFT);
    assert_int_equal(ioe_card_reset(c), 0);
    assert_int_equal(rd(c, IOE_CORE_ID), IOE_CORE_ID_RESET);
    ioe_card_close(c);
    assert_int_equal(ioe_mem_free(mem), 0);
    assert_int_equal(stop(s, SIGTERM), 0); /* a clean exit, the socket removed */
    assert_int_equal(access(sock, F_OK), -1);
}

/* --dma wire: the card asks this process for each DMA access. */
static void test_dma_wire(void **state)
{
    (void)state;
    struct server s = start("soft", "--dma", "wire");
    struct ioe_card *c = open_card(NULL);
    assert_false(ioe_card_caps(c) & IOE_CARD_CAP_FD_MEMORY);
    uint64_t buf[4] = {0, 0x1122334455667788ull, 0, 0};
    assert_int_equal(ioe_card_dma_map(c, 0x40000, buf, sizeof(buf)), 0); /* no fd needed */
    assert_int_equal(ioe_card_dma_map(c, 0x40008, buf, 8), -EEXIST);
    assert_int_equal(probe(c, 0x40008, 0, 0), 1u << IOE_CORE_DMA_STATUS_DONE_SHIFT);
    uint64_t v;
    assert_int_equal(ioe_card_read64(c, IOE_CORE_DMA_RDATA_LO, &v), 0);
    assert_int_equal(v, 0x1122334455667788ull);
    assert_int_equal(probe(c, 0x40018, 1, 0x0badf00ddeadbeefull),
                     1u << IOE_CORE_DMA_STATUS_DONE_SHIFT);
    assert_int_equal(buf[3], 0x0badf00ddeadbeefull);
    assert_true(probe(c, 0x80000, 0, 0) & 1u << IOE_CORE_DMA_STATUS_ERR_SHIFT);
    ioe_card_close(c);
    assert_int_equal(stop(s, SIGINT), 0);
}

/* --free-run: the descriptor turns readable between calls. */
static void test_free_run(void **state)
{
    (void)state;
    struct server s = start("soft", "--free-run", NULL);
    struct ioe_card_options o = {.free_run = true};
    struct ioe_card *c = open_card(&o);
    assert_true(ioe_card_caps(c) & IOE_CARD_CAP_ASYNC);
    int fd = ioe_card_notify_fd(c);
    assert_true(fd >= 0);
    assert_int_equal(ioe_card_write32(c, IOE_CORE_NOTIFY_TEST, 2 << 8 | 1), 0);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    struct ioe_notification n[4];
    int got = 0;
    for (int i = 0; i < 100 && !got; i++)
        got = ioe_card_drain(c, n, 4);
    assert_int_equal(got, 1);
    assert_int_equal(n[0].vm, 2);
    ioe_card_close(c);
    stop(s, SIGTERM);
    /* free_run on a server without it is refused */
    s = start("soft", NULL, NULL);
    struct ioe_card *bad = NULL;
    int err = -ENODEV;
    for (int i = 0; i < 200 && err == -ENODEV; i++, usleep(5000))
        err = ioe_card_open_opts(target, &o, &bad);
    assert_int_equal(err, -EINVAL);
    stop(s, SIGTERM);
}

static void test_targets(void **state)
{
    (void)state;
    struct ioe_card *c = (struct ioe_card *)0x1;
    static const char *const nodev[] = {
        "sim:x",      "sim:unix:",   "sim:unix:/nonexistent/sock", "sim:spawn:nosuch",
        "sim:spawnx", "soft:unix:/x"};
    for (size_t i = 0; i < sizeof(nodev) / sizeof(nodev[0]); i++)
        assert_int_equal(ioe_card_open(nodev[i], &c), -ENODEV);
    assert_ptr_equal(c, (struct ioe_card *)0x1);
    struct ioe_card_options o = {.dma_latency = 8};
    assert_int_equal(ioe_card_open_opts(target, &o, &c), -EINVAL); /* the server's option */
    /* sim:spawn: a private server with the options, gone after close */
    assert_int_equal(ioe_card_open_opts("sim:spawn:soft", &o, &c), 0);
    assert_string_equal(ioe_card_backend(c), "sim:spawn:soft");
    assert_int_equal(rd(c, IOE_CORE_ID), IOE_CORE_ID_RESET);
    ioe_card_close(c);
    o = (struct ioe_card_options){.trace_path = "/tmp/x.fst"};
    assert_int_equal(ioe_card_open_opts("sim:spawn:soft", &o, &c), -EINVAL);
    const struct ioe_target_desc *t = ioe_card_targets();
    int unix_row = 0;
    for (; t->syntax; t++)
        unix_row |= !strcmp(t->syntax, "sim:unix:PATH");
    assert_true(unix_row);
}

/* ---------------------------------------------------------------- faults */

/* A second client gets BUSY; once the first leaves, it gets the card. */
static void test_busy(void **state)
{
    (void)state;
    struct server s = start("soft", NULL, NULL);
    struct ioe_card *a = open_card(NULL), *b = NULL;
    assert_int_equal(ioe_card_open(target, &b), -EBUSY);
    assert_int_equal(rd(a, IOE_CORE_ID), IOE_CORE_ID_RESET); /* the first is unharmed */
    ioe_card_close(a);
    b = open_card(NULL);
    assert_int_equal(rd(b, IOE_CORE_ID), IOE_CORE_ID_RESET);
    ioe_card_close(b);
    stop(s, SIGTERM);
}

/* Kill the server in the middle of a run: every later call fails with EIO/ENODEV at once
 * (no hang, no SIGPIPE); a restarted server is reached by a new open. */
static void test_kill(void **state)
{
    const char *card = *state ? "sim" : "soft";
    struct server s = start(card, NULL, NULL);
    struct ioe_card *c = open_card(NULL);
    int fd = ioe_card_notify_fd(c);
    assert_true(fd >= 0);
    int err = 0, i;
    for (i = 0; i < 100000 && !err; i++) {
        if (i == 300)
            kill(s.pid, SIGKILL);
        err = ioe_card_write32(c, IOE_CORE_SCRATCH, (uint32_t)i);
    }
    assert_true(i > 300);
    assert_true(err == -EIO || err == -ENODEV);
    waitpid(s.pid, NULL, 0);
    track(0, s.pid);
    double t0 = now_s();
    struct ioe_csr_op op = {.kind = IOE_CSR_READ, .addr = IOE_CORE_ID};
    struct ioe_notification n[4];
    uint64_t cyc;
    int errs[] = {ioe_card_batch(c, &op, 1),   ioe_card_read32(c, IOE_CORE_ID, &op.val),
                  ioe_card_reset(c),           ioe_card_drain(c, n, 4),
                  ioe_card_wait(c, 1000000),   ioe_card_step(c, 10),
                  ioe_card_cycles(c, &cyc),    ioe_card_msi(c, 0, 0, 0),
                  ioe_card_set_wired(c, 0, 1), ioe_card_dma_unmap(c, 0, 4096)};
    for (size_t k = 0; k < sizeof(errs) / sizeof(errs[0]); k++)
        if (errs[k] != -EIO && errs[k] != -ENODEV)
            fail_msg("call %zu after the server died: %d", k, errs[k]);
    assert_true(now_s() - t0 < 1.0);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 0); /* no poller is kept awake by a dead card */
    ioe_card_close(c);
    assert_int_equal(ioe_card_open(target, &c), -ENODEV); /* nobody listens */
    s = start(card, NULL, NULL);
    c = open_card(NULL);
    assert_int_equal(rd(c, IOE_CORE_ID), IOE_CORE_ID_RESET);
    ioe_card_close(c);
    stop(s, SIGTERM);
}

/* A server that stops answering: -ETIMEDOUT after the bound, then -EIO. */
static void test_silent(void **state)
{
    (void)state;
    struct server s = start("soft", NULL, NULL);
    struct ioe_card_options o = {.timeout_ms = 300};
    struct ioe_card *c = open_card(&o);
    kill(s.pid, SIGSTOP);
    double t0 = now_s();
    uint32_t v;
    assert_int_equal(ioe_card_read32(c, IOE_CORE_ID, &v), -ETIMEDOUT);
    double dt = now_s() - t0;
    assert_true(dt >= 0.25 && dt < 5.0);
    assert_int_equal(ioe_card_read32(c, IOE_CORE_ID, &v), -EIO);
    ioe_card_close(c);
    kill(s.pid, SIGCONT);
    stop(s, SIGTERM);
}

/* Raw frames to the server: bad ones are answered with ERROR and counted, never a crash. */
static int raw_connect(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, sock);
    for (int i = 0; i < 200; i++) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        close(fd);
        usleep(5000);
    }
    fail_msg("cannot connect to %s", sock);
    return -1;
}

static struct ioe_wire_decoder rdec;

/* The next frame from the server (2 s at most). */
static void raw_next(int fd, struct ioe_wire_msg *m)
{
    static struct ioe_wire_frame f;
    for (;;) {
        int r = ioe_wire_decoder_next(&rdec, &f);
        if (r == 1) {
            assert_int_equal(ioe_wire_unpack(&f, m), 0);
            return;
        }
        assert_int_equal(r, 0);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&p, 1, 2000), 1);
        size_t room;
        uint8_t *buf = ioe_wire_decoder_space(&rdec, &room);
        ssize_t n = read(fd, buf, room);
        assert_true(n > 0);
        ioe_wire_decoder_commit(&rdec, (size_t)n);
    }
}

static void raw_send(int fd, const void *buf, size_t n)
{
    assert_int_equal(send(fd, buf, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void expect_error(int fd, unsigned code, uint16_t seq)
{
    struct ioe_wire_msg m;
    raw_next(fd, &m);
    assert_int_equal(m.type, IOE_WIRE_ERROR);
    if (m.u.error.code != code)
        fail_msg("ERROR %s, expected %s", ioe_wire_error_name(m.u.error.code),
                 ioe_wire_error_name(code));
    assert_int_equal(m.u.error.seq, seq);
}

static void test_bad_frames(void **state)
{
    (void)state;
    struct server s = start("soft", NULL, NULL);
    int fd = raw_connect();
    ioe_wire_decoder_init(&rdec);
    uint8_t buf[IOE_WIRE_MAX_FRAME];
    struct ioe_wire_msg m = {.type = IOE_WIRE_STEP, .seq = 1};
    /* before HELLO */
    raw_send(fd, buf, (size_t)ioe_wire_pack(&m, buf));
    expect_error(fd, IOE_WIRE_E_BAD_VERSION, 1);
    /* HELLO of version 0 */
    m = (struct ioe_wire_msg){.type = IOE_WIRE_HELLO, .seq = 2};
    raw_send(fd, buf, (size_t)ioe_wire_pack(&m, buf));
    expect_error(fd, IOE_WIRE_E_BAD_VERSION, 2);
    /* garbage, then a frame with a bad CRC */
    raw_send(fd, "\x01\x02\x03garbage", 10);
    m.u.hello.version = 1;
    m.seq = 3;
    int len = ioe_wire_pack(&m, buf);
    buf[len - 1] ^= 1;
    raw_send(fd, buf, (size_t)len);
    expect_error(fd, IOE_WIRE_E_BAD_CRC, 3);
    /* a header with len over the limit */
    raw_send(fd, (uint8_t[]){IOE_WIRE_SYNC, IOE_WIRE_BATCH, 4, 0, 0xff, 0xff, 0, 0}, 8);
    expect_error(fd, IOE_WIRE_E_BAD_LEN, 4);
    /* HELLO at last */
    m.seq = 5;
    raw_send(fd, buf, (size_t)ioe_wire_pack(&m, buf));
    raw_next(fd, &m);
    assert_int_equal(m.type, IOE_WIRE_HELLO | IOE_WIRE_RESP);
    assert_int_equal(m.seq, 5);
    assert_int_equal(m.u.hello.version, 1);
    assert_int_equal(m.u.hello.id, IOE_CORE_ID_RESET);
    assert_int_equal(m.u.hello.caps,
                     IOE_WIRE_CAP_SIM | IOE_WIRE_CAP_FENCE | IOE_WIRE_CAP_FD_MEMORY);
    assert_string_equal(m.u.hello.name, "ioe-simd soft");
    /* an unknown type, a payload that does not fit, a response nobody asked for, a
     * message only the card sends */
    raw_send(fd, buf, (size_t)ioe_wire_encode(0x55, 6, NULL, 0, buf));
    expect_error(fd, IOE_WIRE_E_BAD_TYPE, 6);
    raw_send(fd, buf, (size_t)ioe_wire_encode(IOE_WIRE_STEP, 7, "abc", 3, buf));
    expect_error(fd, IOE_WIRE_E_BAD_PAYLOAD, 7);
    raw_send(fd, buf,
             (size_t)ioe_wire_encode(IOE_WIRE_RESET | IOE_WIRE_RESP, 8, "\0\0\0\0", 4, buf));
    expect_error(fd, IOE_WIRE_E_OUT_OF_ORDER, 8);
    m = (struct ioe_wire_msg){.type = IOE_WIRE_DMA_READ, .seq = 9};
    raw_send(fd, buf, (size_t)ioe_wire_pack(&m, buf));
    expect_error(fd, IOE_WIRE_E_BAD_TYPE, 9);
    /* bad ops: reported as the op's status, the batch stopped there */
    m = (struct ioe_wire_msg){.type = IOE_WIRE_BATCH, .seq = 10};
    m.u.batch.n = 3;
    m.u.batch.op[0] = (struct ioe_wire_op){IOE_CSR_WRITE, IOE_CORE_SCRATCH, 0x55, 0};
    m.u.batch.op[1] = (struct ioe_wire_op){7, IOE_CORE_SCRATCH, 0, 0};
    m.u.batch.op[2] = (struct ioe_wire_op){IOE_CSR_WRITE, IOE_CORE_SCRATCH, 0x66, 0};
    raw_send(fd, buf, (size_t)ioe_wire_pack(&m, buf));
    raw_next(fd, &m);
    assert_int_equal(m.type, IOE_WIRE_BATCH | IOE_WIRE_RESP);
    assert_int_equal(m.u.batch_rsp.status, -EINVAL);
    assert_int_equal(m.u.batch_rsp.done, 2);
    /* DMA_MAP without a descriptor */
    m = (struct ioe_wire_msg){.type = IOE_WIRE_DMA_MAP, .seq = 11};
    m.u.dma_map.size = 4096;
    raw_send(fd, buf, (size_t)ioe_wire_pack(&m, buf));
    raw_next(fd, &m);
    assert_int_equal(m.type, IOE_WIRE_DMA_MAP | IOE_WIRE_RESP);
    assert_int_equal(m.u.status, -EINVAL);
    /* the server counted what it dropped */
    raw_send(fd, buf, (size_t)ioe_wire_encode(0x66, 12, NULL, 0, buf));
    raw_next(fd, &m);
    assert_int_equal(m.type, IOE_WIRE_ERROR);
    assert_true(m.u.error.dropped >= 7);
    /* still serving: a read */
    m = (struct ioe_wire_msg){.type = IOE_WIRE_BATCH, .seq = 13};
    m.u.batch.n = 1;
    m.u.batch.op[0] = (struct ioe_wire_op){IOE_CSR_READ, IOE_CORE_SCRATCH, 0, 0};
    raw_send(fd, buf, (size_t)ioe_wire_pack(&m, buf));
    raw_next(fd, &m);
    assert_int_equal(m.u.batch_rsp.status, 0);
    assert_int_equal(m.u.batch_rsp.value[0], 0x55);
    /* a client that leaves in the middle of a frame */
    raw_send(fd, buf, 5);
    close(fd);
    struct ioe_card *c = open_card(NULL);
    assert_int_equal(rd(c, IOE_CORE_ID), IOE_CORE_ID_RESET);
    ioe_card_close(c);
    assert_int_equal(stop(s, SIGTERM), 0);
}

/* the same scenarios on the C model and on the Verilator model behind ioe-simd */
static void test_card_ops_soft(void **state)
{
    *state = NULL;
    test_card_ops(state);
}

static void test_card_ops_sim(void **state)
{
    *state = (void *)1;
    test_card_ops(state);
}

static void test_kill_soft(void **state)
{
    *state = NULL;
    test_kill(state);
}

static void test_kill_sim(void **state)
{
    *state = (void *)1;
    test_kill(state);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    signal(SIGPIPE, SIG_DFL); /* a send to a dead server must not raise it */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_card_ops_soft, setup, teardown),
        cmocka_unit_test_setup_teardown(test_card_ops_sim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dma_wire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_soft, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_sim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_frames, setup, teardown),
    };
    return cmocka_run_group_tests_name("wire_card", tests, NULL, NULL);
}
