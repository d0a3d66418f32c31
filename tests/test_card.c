/*
 * The card API over both in-process backends: opening and target parsing, DMA through the
 * probe (with the latency known answer on the RTL), MSI ingress, wired lines,
 * notifications, traces, and the transport layer: batches, wall-clock timeouts,
 * capabilities, the notification descriptor with and without free_run, and memory from
 * ioe_mem_alloc() in the DMA window.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <ioe/card.h>
#include <ioe/ioe.h>
#include <ioe/regs.h>

#include "targets.h"

/* the targets of the tests: IOE_TEST_TARGETS (tests/targets.h; default soft and sim) */
#define targets (tt_list())
#define NTARGETS ((int)tt_count())

static struct ioe_card *open_opts(const char *target, const struct ioe_card_options *o)
{
    struct ioe_card *c = NULL;
    assert_int_equal(ioe_card_open_opts(target, o, &c), 0);
    return c;
}

static void test_open_errors(void **state)
{
    (void)state;
    struct ioe_card *c = (struct ioe_card *)0x1;
    assert_int_equal(ioe_card_open("pci:0000:01:00.0", &c), -ENODEV);
    assert_int_equal(ioe_card_open("", &c), -ENODEV);
    assert_int_equal(ioe_card_open("Soft", &c), -ENODEV);
    assert_int_equal(ioe_card_open(NULL, &c), -EINVAL);
    assert_int_equal(ioe_card_open("soft", NULL), -EINVAL);
    struct ioe_card_options o = {.trace_path = "/tmp/x.fst"};
    assert_int_equal(ioe_card_open_opts("soft", &o, &c), -EINVAL); /* no waveforms */
    assert_ptr_equal(c, (struct ioe_card *)0x1);                   /* untouched on error */
    ioe_card_close(NULL);
}

static void test_info(void **state)
{
    (void)state;
    for (int t = 0; t < NTARGETS; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        struct ioe_card_info in;
        assert_string_equal(ioe_card_backend(c), targets[t]);
        assert_int_equal(ioe_card_info(c, &in), 0);
        assert_int_equal(in.id, IOE_CORE_ID_RESET);
        assert_int_equal(in.version, IOE_CORE_VERSION_RESET);
        assert_int_equal(in.nr_vms, IOE_PARAM_NR_VMS_DEFAULT);
        assert_int_equal(in.nr_vcpus, IOE_PARAM_NR_VCPUS_DEFAULT);
        assert_int_equal(in.nr_irqs, IOE_PARAM_NR_IRQS_DEFAULT);
        assert_int_equal(in.nr_wired, IOE_PARAM_NR_WIRED_DEFAULT);
        assert_int_equal(in.lpi_bits, IOE_PARAM_LPI_BITS_DEFAULT);
        assert_int_equal(in.dev_bits, IOE_PARAM_DEV_BITS_DEFAULT);
        assert_int_equal(in.event_bits, IOE_PARAM_EVENT_BITS_DEFAULT);
        assert_int_equal(in.its_cache_entries, IOE_PARAM_ITS_CACHE_ENTRIES_DEFAULT);
        assert_int_equal(in.xive_sources, IOE_PARAM_XIVE_SOURCES_DEFAULT);
        assert_int_equal(in.dma_tags, IOE_PARAM_DMA_TAGS_DEFAULT);
        ioe_card_close(c);
    }
}

/* Run one probe command and wait for it; returns the STATUS register. */
static uint32_t probe(struct ioe_card *c, uint64_t addr, int write, uint64_t wdata, uint8_t strb)
{
    uint32_t st = 0;
    assert_int_equal(ioe_card_write64(c, IOE_CORE_DMA_ADDR_LO, addr), 0);
    assert_int_equal(ioe_card_write64(c, IOE_CORE_DMA_WDATA_LO, wdata), 0);
    assert_int_equal(ioe_card_write32(c, IOE_CORE_DMA_CMD,
                                      1u << IOE_CORE_DMA_CMD_GO_SHIFT |
                                          (uint32_t)write << IOE_CORE_DMA_CMD_WRITE_SHIFT |
                                          (uint32_t)strb << IOE_CORE_DMA_CMD_STRB_SHIFT),
                     0);
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(ioe_card_read32(c, IOE_CORE_DMA_STATUS, &st), 0);
        if (!(st >> IOE_CORE_DMA_STATUS_BUSY_SHIFT & 1))
            return st;
        assert_int_equal(ioe_card_step(c, 1), 0);
    }
    fail_msg("probe never completed");
    return st;
}

/* ioe_card_of(): every descriptor of one ioe_open() leads to the same card, whose registers
 * answer; a descriptor that is not libioe's, or no longer open, is EBADF. */
static void test_card_of(void **state)
{
    (void)state;
    for (int t = 0; t < NTARGETS; t++) {
        int kvm = ioe_open(targets[t]);
        assert_true(kvm >= 0);
        int vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
        assert_true(vm >= 0);
        int vcpu = ioe_ioctl(vm, KVM_CREATE_VCPU, 0);
        assert_true(vcpu >= 0);
        struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
        assert_int_equal(ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd), 0);
        struct ioe_card *c = ioe_card_of(kvm);
        assert_non_null(c);
        assert_ptr_equal(ioe_card_of(vm), c);
        assert_ptr_equal(ioe_card_of(vcpu), c);
        assert_ptr_equal(ioe_card_of((int)cd.fd), c);
        assert_string_equal(ioe_card_backend(c), targets[t]);
        uint32_t v = 0;
        assert_int_equal(ioe_card_read32(c, IOE_CORE_ID, &v), 0);
        assert_int_equal(v, IOE_CORE_ID_RESET);
        errno = 0;
        assert_null(ioe_card_of(-1));
        assert_int_equal(errno, EBADF);
        errno = 0;
        assert_null(ioe_card_of(STDIN_FILENO)); /* open, but not libioe's */
        assert_int_equal(errno, EBADF);
        int fds[] = {(int)cd.fd, vcpu, vm, kvm};
        for (int i = 0; i < 4; i++)
            assert_int_equal(ioe_close(fds[i]), 0);
        errno = 0;
        assert_null(ioe_card_of(vm));
        assert_int_equal(errno, EBADF);
    }
}

static void test_dma_probe(void **state)
{
    (void)state;
    for (int t = 0; t < NTARGETS; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        uint64_t buf[4] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull, 0, 0};
        uint64_t rd = 0;
        assert_int_equal(ioe_card_dma_map(c, 0x123450000ull, buf, sizeof(buf)), 0);
        assert_int_equal(ioe_card_dma_map(c, 0x123450010ull, buf, 8), -EEXIST);
        assert_int_equal(ioe_card_dma_map(c, 0x1000, NULL, 8), -EINVAL);
        assert_int_equal(ioe_card_dma_map(c, 0x1000, buf, 0), -EINVAL);

        uint32_t st = probe(c, 0x123450008ull, 0, 0, 0);
        assert_int_equal(st, 1u << IOE_CORE_DMA_STATUS_DONE_SHIFT);
        assert_int_equal(ioe_card_read64(c, IOE_CORE_DMA_RDATA_LO, &rd), 0);
        assert_true(rd == buf[1]);

        /* a write with strobes 0x0f changes the low four bytes only */
        buf[2] = 0xffffffffffffffffull;
        st = probe(c, 0x123450010ull, 1, 0x1122334455667788ull, 0x0f);
        assert_int_equal(st, 1u << IOE_CORE_DMA_STATUS_DONE_SHIFT);
        assert_true(buf[2] == 0xffffffff55667788ull);

        /* the low address bits are not part of the address */
        st = probe(c, 0x123450003ull, 0, 0, 0);
        assert_int_equal(ioe_card_read64(c, IOE_CORE_DMA_RDATA_LO, &rd), 0);
        assert_true(rd == buf[0]);

        /* unmapped: error, read data kept */
        st = probe(c, 0x200000000ull, 0, 0, 0);
        assert_int_equal(st, 1u << IOE_CORE_DMA_STATUS_DONE_SHIFT |
                                 1u << IOE_CORE_DMA_STATUS_ERR_SHIFT);
        assert_int_equal(ioe_card_read64(c, IOE_CORE_DMA_RDATA_LO, &rd), 0);
        assert_true(rd == buf[0]);

        assert_int_equal(ioe_card_dma_unmap(c, 0x123450000ull, 8), -ENOENT);
        assert_int_equal(ioe_card_dma_unmap(c, 0x123450000ull, sizeof(buf)), 0);
        st = probe(c, 0x123450008ull, 0, 0, 0); /* gone */
        assert_true(st >> IOE_CORE_DMA_STATUS_ERR_SHIFT & 1);
        ioe_card_close(c);
    }
}

/* Known answer on the RTL: DMA_LATENCY is exactly the host-memory latency plus the two
 * cycles of the DMA window's stage (rtl/src/ioe_dma_xlate.sv). */
static void test_dma_latency_known_answer(void **state)
{
    (void)state;
    static const unsigned lats[] = {0, 1, 37, 500};
    for (size_t i = 0; i < sizeof(lats) / sizeof(lats[0]); i++) {
        struct ioe_card_options o = {.dma_latency = lats[i]};
        struct ioe_card *c = open_opts("sim", &o);
        uint64_t word = 42;
        assert_int_equal(ioe_card_dma_map(c, 0x1000, &word, 8), 0);
        probe(c, 0x1000, 0, 0, 0);
        uint32_t lat = 0;
        assert_int_equal(ioe_card_read32(c, IOE_CORE_DMA_LATENCY, &lat), 0);
        assert_int_equal(lat, (lats[i] ? lats[i] : IOE_CARD_DEFAULT_DMA_LATENCY) + 2);
        ioe_card_close(c);
    }
}

static void test_msi_ingress(void **state)
{
    (void)state;
    for (int t = 0; t < NTARGETS; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        uint32_t v;
        for (uint32_t i = 0; i < 100; i++)
            assert_int_equal(
                ioe_card_msi(c, 0x10000 + i, 0x8090040ull + ((uint64_t)i << 40), i * 3), 0);
        assert_int_equal(ioe_card_read32(c, IOE_CORE_MSI_COUNT, &v), 0);
        assert_int_equal(v, 100);
        assert_int_equal(ioe_card_read32(c, IOE_CORE_MSI_LAST_DEVID, &v), 0);
        assert_int_equal(v, 0x10000 + 99);
        assert_int_equal(ioe_card_read32(c, IOE_CORE_MSI_LAST_ADDR_LO, &v), 0);
        assert_int_equal(v, 0x8090040);
        assert_int_equal(ioe_card_read32(c, IOE_CORE_MSI_LAST_ADDR_HI, &v), 0);
        assert_int_equal(v, 99u << 8);
        assert_int_equal(ioe_card_read32(c, IOE_CORE_MSI_LAST_DATA, &v), 0);
        assert_int_equal(v, 297);
        assert_int_equal(ioe_card_reset(c), 0);
        assert_int_equal(ioe_card_read32(c, IOE_CORE_MSI_COUNT, &v), 0);
        assert_int_equal(v, 0);
        ioe_card_close(c);
    }
}

static void test_wired_lines(void **state)
{
    (void)state;
    for (int t = 0; t < NTARGETS; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        uint32_t v;
        assert_int_equal(ioe_card_set_wired(c, 0, 1), 0);
        assert_int_equal(ioe_card_set_wired(c, 5, 7), 0); /* any non-zero level is high */
        assert_int_equal(ioe_card_set_wired(c, IOE_PARAM_NR_WIRED_DEFAULT - 1, 1), 0);
        assert_int_equal(ioe_card_read32(c, IOE_CORE_WIRED_LEVEL, &v), 0);
        assert_int_equal(v, 1u | 1u << 5 | 1u << (IOE_PARAM_NR_WIRED_DEFAULT - 1));
        assert_int_equal(ioe_card_set_wired(c, 0, 0), 0);
        assert_int_equal(ioe_card_read32(c, IOE_CORE_WIRED_LEVEL, &v), 0);
        assert_int_equal(v, 1u << 5 | 1u << (IOE_PARAM_NR_WIRED_DEFAULT - 1));
        assert_int_equal(ioe_card_set_wired(c, IOE_PARAM_NR_WIRED_DEFAULT, 1), -EINVAL);
        ioe_card_close(c);
    }
}

static void test_notifications(void **state)
{
    (void)state;
    for (int t = 0; t < NTARGETS; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        struct ioe_notification n[8];
        assert_int_equal(ioe_card_wait(c, 0), 0);  /* nothing yet */
        assert_int_equal(ioe_card_wait(c, 50), 0); /* nor after 50 us */
        assert_int_equal(ioe_card_drain(c, n, 8), 0);
        for (uint32_t i = 0; i < 5; i++)
            assert_int_equal(ioe_card_write32(c, IOE_CORE_NOTIFY_TEST, (i + 1) << 8 | (7 - i)), 0);
        assert_int_equal(ioe_card_wait(c, 1000000), 1);
        assert_int_equal(ioe_card_wait(c, 0), 1);
        assert_int_equal(ioe_card_step(c, 10), 0);
        assert_int_equal(ioe_card_drain(c, n, 2), 2);
        assert_int_equal(ioe_card_drain(c, n + 2, 8), 3);
        uint64_t last = 0;
        for (uint32_t i = 0; i < 5; i++) {
            assert_int_equal(n[i].vm, i + 1);
            assert_int_equal(n[i].vcpu, 7 - i);
            assert_int_equal(n[i].src, IOE_NOTIFY_SRC_TEST);
            assert_true(n[i].cycle >= last);
            last = n[i].cycle;
        }
        uint32_t v;
        assert_int_equal(ioe_card_read32(c, IOE_CORE_NOTIFY_COUNT, &v), 0);
        assert_int_equal(v, 5);
        assert_int_equal(ioe_card_read32(c, IOE_CORE_NOTIFY_DROP, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(ioe_card_drain(c, NULL, 1), -EINVAL);
        ioe_card_close(c);
    }
}

static void test_trace_file(void **state)
{
    (void)state;
    char path[] = "/tmp/ioe-trace-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct ioe_card_options o = {.trace_path = path};
    struct ioe_card *c = open_opts("sim", &o);
    uint32_t v;
    assert_int_equal(ioe_card_read32(c, IOE_CORE_ID, &v), 0);
    assert_int_equal(ioe_card_step(c, 100), 0);
    ioe_card_close(c);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 100);
    FILE *f = fopen(path, "rb");
    unsigned char hdr = 0xff;
    assert_int_equal(fread(&hdr, 1, 1, f), 1);
    fclose(f);
    assert_int_equal(hdr, 0); /* FST files open with a header block, type 0 */
    unlink(path);

    o.trace_path = "/nonexistent-dir/x.fst";
    struct ioe_card *bad = NULL;
    assert_int_not_equal(ioe_card_open_opts("sim", &o, &bad), 0);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_targets(void **state)
{
    (void)state;
    const struct ioe_target_desc *d = ioe_card_targets();
    bool soft = false, sim = false;
    size_t n = 0;
    for (; d[n].syntax; n++) {
        assert_non_null(d[n].summary);
        assert_true(strlen(d[n].summary) > 0);
        soft |= strcmp(d[n].syntax, "soft") == 0;
        sim |= strcmp(d[n].syntax, "sim") == 0;
    }
    assert_null(d[n].summary);
    assert_true(soft && sim);
    assert_true(n >= 2);

    static const char *const bad[] = {"soft:x",   "sim:", "soft:", "",  "nosuch",
                                      "nosuch:1", ":",    "sim2",  "so"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ioe_card *c = (struct ioe_card *)0x1;
        assert_int_equal(ioe_card_open(bad[i], &c), -ENODEV);
        assert_ptr_equal(c, (struct ioe_card *)0x1);
    }
    for (int t = 0; t < 2; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        assert_string_equal(ioe_card_backend(c), targets[t]);
        ioe_card_close(c);
    }
}

static void test_caps(void **state)
{
    (void)state;
    const uint32_t sim_caps = IOE_CARD_CAP_STEP | IOE_CARD_CAP_MSI | IOE_CARD_CAP_WIRED;
    for (int t = 0; t < 2; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        assert_int_equal(ioe_card_caps(c), sim_caps);
        ioe_card_close(c);
        struct ioe_card_options o = {.free_run = true};
        c = open_opts(targets[t], &o);
        assert_int_equal(ioe_card_caps(c), sim_caps | IOE_CARD_CAP_ASYNC);
        ioe_card_close(c);
    }
}

static uint32_t rd(struct ioe_card *c, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(ioe_card_read32(c, addr, &v), 0);
    return v;
}

static void test_batch(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        struct ioe_csr_op ops[] = {
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 0x1234},
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_SCRATCH, .val = 0xdead},
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 0xabcd5678},
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_SCRATCH},
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_ID},
            {.kind = IOE_CSR_POLL, .addr = IOE_CORE_SCRATCH, .mask = 0xff00, .expect = 0x5600},
        };
        assert_int_equal(ioe_card_batch(c, ops, 6), 0);
        assert_int_equal(ops[0].val, 0x1234); /* a write's value is left alone */
        assert_int_equal(ops[1].val, 0x1234);
        assert_int_equal(ops[3].val, 0xabcd5678);
        assert_int_equal(ops[4].val, IOE_CORE_ID_RESET);
        assert_int_equal(ops[5].val, 0xabcd5678); /* POLL leaves the value read */
        assert_int_equal(ioe_card_batch(c, ops, 0), 0);
        assert_int_equal(ioe_card_batch(c, NULL, 0), 0);
        assert_int_equal(ioe_card_batch(c, NULL, 1), -EINVAL);

        /* a bad op anywhere: refused before the first op is sent */
        struct ioe_csr_op bad[] = {
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 0x99},
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_SCRATCH},
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 0x77},
        };
        const struct ioe_csr_op wrong[] = {
            {.kind = 3, .addr = IOE_CORE_SCRATCH},
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_SCRATCH + 2},
            {.kind = IOE_CSR_WRITE, .addr = IOE_CSR_WINDOW_SIZE},
            {.kind = IOE_CSR_READ, .addr = 0xfffffffc},
            {.kind = IOE_CSR_POLL, .addr = IOE_CORE_SCRATCH, .mask = 0xf, .expect = 0x10},
        };
        for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
            bad[1] = wrong[i];
            assert_int_equal(ioe_card_batch(c, bad, 3), -EINVAL);
            assert_int_equal(rd(c, IOE_CORE_SCRATCH), 0xabcd5678);
        }

        /* a card error stops the batch: the ops before it took effect, not those after */
        struct ioe_csr_op eio[] = {
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 1},
            {.kind = IOE_CSR_READ, .addr = 0xffffc}, /* no register there */
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 2},
        };
        assert_int_equal(ioe_card_batch(c, eio, 3), -EIO);
        assert_int_equal(rd(c, IOE_CORE_SCRATCH), 1);

        /* 64-bit accesses are batches of two */
        uint64_t v64 = 0;
        assert_int_equal(ioe_card_write64(c, IOE_CORE_DMA_WDATA_LO, 0x0123456789abcdefull), 0);
        assert_int_equal(ioe_card_read64(c, IOE_CORE_DMA_WDATA_LO, &v64), 0);
        assert_true(v64 == 0x0123456789abcdefull);
        ioe_card_close(c);
    }
}

/* A POLL that never matches fails with -ETIMEDOUT after timeout_ms of wall clock. */
static void test_batch_poll_timeout(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        struct ioe_card_options o = {.timeout_ms = 50};
        struct ioe_card *c = open_opts(targets[t], &o);
        struct ioe_csr_op ops[] = {
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 0x101},
            {.kind = IOE_CSR_POLL, .addr = IOE_CORE_SCRATCH, .mask = 0xff, .expect = 0x02},
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_SCRATCH, .val = 0x7},
        };
        uint64_t c0 = 0, c1 = 0;
        assert_int_equal(ioe_card_cycles(c, &c0), 0);
        double t0 = now_s();
        assert_int_equal(ioe_card_batch(c, ops, 3), -ETIMEDOUT);
        double dt = now_s() - t0;
        assert_true(dt >= 0.049);
        assert_true(dt < 5.0);
        assert_int_equal(ops[1].val, 0x101);
        assert_int_equal(rd(c, IOE_CORE_SCRATCH), 0x101); /* the op after it was not sent */
        assert_int_equal(ioe_card_cycles(c, &c1), 0);
        assert_true(c1 - c0 > 64); /* the card was stepped while polling */

        /* ioe_card_wait is bounded in wall clock too */
        t0 = now_s();
        assert_int_equal(ioe_card_wait(c, 20000), 0);
        dt = now_s() - t0;
        assert_true(dt >= 0.019 && dt < 5.0);
        ioe_card_close(c);
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, timeout_ms);
    assert_true(r >= 0);
    return r == 1 && (p.revents & POLLIN);
}

static void check_note(const struct ioe_notification *n, uint32_t vm, uint32_t vcpu)
{
    assert_int_equal(n->vm, vm);
    assert_int_equal(n->vcpu, vcpu);
    assert_int_equal(n->src, IOE_NOTIFY_SRC_TEST);
}

/* free_run: the card runs between calls and the fd turns readable by itself. */
static void test_notify_fd_free_run(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        struct ioe_card_options o = {.free_run = true};
        struct ioe_card *c = open_opts(targets[t], &o);
        int fd = ioe_card_notify_fd(c);
        assert_true(fd >= 0);
        assert_int_equal(ioe_card_notify_fd(c), fd); /* one descriptor per card */
        assert_false(readable(fd, 0));

        /* the clock runs between calls */
        uint64_t c0 = 0, c1 = 0;
        assert_int_equal(ioe_card_cycles(c, &c0), 0);
        for (int i = 0; i < 500 && c1 <= c0 + 1000; i++) {
            sleep_ms(2);
            assert_int_equal(ioe_card_cycles(c, &c1), 0);
        }
        assert_true(c1 > c0 + 1000);

        assert_int_equal(ioe_card_write32(c, IOE_CORE_NOTIFY_TEST, 4u << 8 | 2u), 0);
        assert_true(readable(fd, 10000)); /* no further call on the card */
        struct ioe_notification n[4];
        assert_int_equal(ioe_card_drain(c, n, 4), 1);
        check_note(&n[0], 4, 2);
        assert_false(readable(fd, 0));
        assert_false(readable(fd, 20)); /* and stays quiet while nothing arrives */

        /* the DMA probe (200 cycles of memory latency on sim) completes between calls:
         * wait for the clock thread alone (ioe_card_cycles does not step), then read */
        uint64_t *buf = ioe_mem_alloc(64);
        assert_non_null(buf);
        buf[1] = 0x1122334455667788ull;
        assert_int_equal(ioe_card_dma_map(c, 0x40000, buf, 64), 0);
        assert_int_equal(ioe_card_write64(c, IOE_CORE_DMA_ADDR_LO, 0x40008), 0);
        assert_int_equal(ioe_card_write32(c, IOE_CORE_DMA_CMD, 1u << IOE_CORE_DMA_CMD_GO_SHIFT), 0);
        assert_int_equal(ioe_card_cycles(c, &c0), 0);
        c1 = c0;
        for (int i = 0; i < 5000 && c1 <= c0 + 1000; i++) {
            sleep_ms(1);
            assert_int_equal(ioe_card_cycles(c, &c1), 0);
        }
        assert_true(c1 > c0 + 1000);
        struct ioe_csr_op ops[] = {
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_DMA_STATUS},
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_DMA_RDATA_LO},
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_DMA_RDATA_HI},
        };
        assert_int_equal(ioe_card_batch(c, ops, 3), 0);
        assert_int_equal(ops[0].val, 1u << IOE_CORE_DMA_STATUS_DONE_SHIFT);
        assert_int_equal(ops[1].val, 0x55667788);
        assert_int_equal(ops[2].val, 0x11223344);
        assert_int_equal(ioe_card_dma_unmap(c, 0x40000, 64), 0);
        assert_int_equal(ioe_mem_free(buf), 0);
        ioe_card_close(c);
    }
}

/* Without free_run the card stands still between calls; the fd follows every call. */
static void test_notify_fd_in_calls(void **state)
{
    (void)state;
    for (int t = 0; t < 2; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        int fd = ioe_card_notify_fd(c);
        assert_true(fd >= 0);
        assert_false(readable(fd, 0));
        uint64_t c0 = 0, c1 = 0;
        assert_int_equal(ioe_card_cycles(c, &c0), 0);
        sleep_ms(10);
        assert_int_equal(ioe_card_cycles(c, &c1), 0);
        assert_true(c1 == c0);

        assert_int_equal(ioe_card_write32(c, IOE_CORE_NOTIFY_TEST, 1u << 8 | 3u), 0);
        if (!readable(fd, 0)) {
            assert_false(readable(fd, 20)); /* nothing moves by itself */
            assert_int_equal(ioe_card_step(c, 16), 0);
        }
        assert_true(readable(fd, 0));
        assert_int_equal(ioe_card_write32(c, IOE_CORE_NOTIFY_TEST, 2u << 8 | 5u), 0);
        assert_int_equal(ioe_card_step(c, 16), 0);
        assert_true(readable(fd, 0));
        struct ioe_notification n[4];
        assert_int_equal(ioe_card_drain(c, n, 1), 1); /* one of two: still readable */
        check_note(&n[0], 1, 3);
        assert_true(readable(fd, 0));
        assert_int_equal(ioe_card_drain(c, n, 4), 1);
        check_note(&n[0], 2, 5);
        assert_false(readable(fd, 0));

        /* reset empties the stream and the fd with it */
        assert_int_equal(ioe_card_write32(c, IOE_CORE_NOTIFY_TEST, 1u << 8), 0);
        assert_int_equal(ioe_card_wait(c, 1000000), 1);
        assert_true(readable(fd, 0));
        assert_int_equal(ioe_card_reset(c), 0);
        assert_int_equal(ioe_card_drain(c, n, 4), 0);
        assert_false(readable(fd, 0));
        ioe_card_close(c);
    }
}

/* Is [p, p+len) mapped from the memfd that ioe_mem_alloc() names "ioe-mem"? */
static bool memfd_backed(const void *p)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    bool found = false;
    assert_non_null(f);
    while (!found && fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && (uintptr_t)p >= lo && (uintptr_t)p < hi)
            found = strstr(line, "memfd:ioe-mem") != NULL && strstr(line, " rw-s ") != NULL;
    }
    fclose(f);
    return found;
}

static void test_mem_dma(void **state)
{
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    errno = 0;
    assert_null(ioe_mem_alloc(0));
    assert_int_equal(errno, EINVAL);
    int local = 0;
    assert_int_equal(ioe_mem_free(NULL), -EINVAL);
    assert_int_equal(ioe_mem_free(&local), -EINVAL);

    uint8_t *p = ioe_mem_alloc(100);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % (uintptr_t)page, 0);
    assert_true(memfd_backed(p));
    for (long i = 0; i < page; i++)
        assert_int_equal(p[i], 0); /* zero-filled, the whole page usable */
    p[page - 1] = 0x5a;
    assert_int_equal(ioe_mem_free(p + 8), -EINVAL); /* not the allocation's start */

    for (int t = 0; t < 2; t++) {
        struct ioe_card *c = open_opts(targets[t], NULL);
        uint64_t word = 0x8877665544332211ull;
        memcpy(p + 64, &word, 8);
        /* an address inside the allocation: the region carries the memfd */
        assert_int_equal(ioe_card_dma_map(c, 0x7000040, p + 64, 64), 0);
        assert_int_equal(ioe_card_dma_map(c, 0x7000040, p + 64, 64), -EEXIST);
        /* one round trip: address, go, poll for done, read data */
        struct ioe_csr_op ops[] = {
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_DMA_ADDR_LO, .val = 0x7000040},
            {.kind = IOE_CSR_WRITE, .addr = IOE_CORE_DMA_ADDR_HI, .val = 0},
            {.kind = IOE_CSR_WRITE,
             .addr = IOE_CORE_DMA_CMD,
             .val = 1u << IOE_CORE_DMA_CMD_GO_SHIFT},
            {.kind = IOE_CSR_POLL,
             .addr = IOE_CORE_DMA_STATUS,
             .mask = 1u << IOE_CORE_DMA_STATUS_BUSY_SHIFT,
             .expect = 0},
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_DMA_RDATA_LO},
            {.kind = IOE_CSR_READ, .addr = IOE_CORE_DMA_RDATA_HI},
        };
        assert_int_equal(ioe_card_batch(c, ops, 6), 0);
        assert_int_equal(ops[3].val, 1u << IOE_CORE_DMA_STATUS_DONE_SHIFT);
        assert_int_equal(ops[4].val, 0x44332211);
        assert_int_equal(ops[5].val, 0x88776655);
        assert_int_equal(ioe_card_dma_unmap(c, 0x7000040, 64), 0);
        assert_int_equal(ioe_card_dma_unmap(c, 0x7000040, 64), -ENOENT);

        /* a region the caller describes; these cards take fd -1 (no IOE_CARD_CAP_FD_MEMORY) */
        assert_false(ioe_card_caps(c) & IOE_CARD_CAP_FD_MEMORY);
        uint64_t plain[2] = {0, 0xfeedface};
        struct ioe_dma_region r = {.iova = 0x9000, .size = 16, .hva = plain, .fd = -1};
        assert_int_equal(ioe_card_dma_map_region(c, &r), 0);
        ops[0].val = 0x9008;
        assert_int_equal(ioe_card_batch(c, ops, 6), 0);
        assert_int_equal(ops[4].val, 0xfeedface);
        assert_int_equal(ioe_card_dma_unmap(c, 0x9000, 16), 0);
        struct ioe_dma_region bad = r;
        bad.size = 0;
        assert_int_equal(ioe_card_dma_map_region(c, &bad), -EINVAL);
        bad = r;
        bad.hva = NULL;
        assert_int_equal(ioe_card_dma_map_region(c, &bad), -EINVAL);
        bad = r;
        bad.iova = UINT64_MAX - 7;
        assert_int_equal(ioe_card_dma_map_region(c, &bad), -EINVAL);
        assert_int_equal(ioe_card_dma_map_region(c, NULL), -EINVAL);
        /* a range reaching past the allocation is mapped as plain memory */
        assert_int_equal(ioe_card_dma_map(c, 0x10000, p + page - 8, 16), 0);
        assert_int_equal(ioe_card_dma_unmap(c, 0x10000, 16), 0);
        ioe_card_close(c);
    }
    assert_int_equal(p[page - 1], 0x5a);
    assert_int_equal(ioe_mem_free(p), 0);
    assert_int_equal(ioe_mem_free(p), -EINVAL); /* already freed */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_card_of),
        cmocka_unit_test(test_dma_probe),
        cmocka_unit_test(test_dma_latency_known_answer),
        cmocka_unit_test(test_msi_ingress),
        cmocka_unit_test(test_wired_lines),
        cmocka_unit_test(test_notifications),
        cmocka_unit_test(test_trace_file),
        cmocka_unit_test(test_targets),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_batch_poll_timeout),
        cmocka_unit_test(test_notify_fd_free_run),
        cmocka_unit_test(test_notify_fd_in_calls),
        cmocka_unit_test(test_mem_dma),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
