/*
 * The card API over both in-process backends: opening, DMA through the probe (with the
 * latency known answer on the RTL), MSI ingress, wired lines, notifications, traces.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <ioe/card.h>
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

/* Known answer on the RTL: DMA_LATENCY is exactly the host-memory latency. */
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
        assert_int_equal(lat, lats[i] ? lats[i] : IOE_CARD_DEFAULT_DMA_LATENCY);
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
        assert_int_equal(ioe_card_wait(c, 50), 0); /* nothing yet: times out */
        assert_int_equal(ioe_card_drain(c, n, 8), 0);
        for (uint32_t i = 0; i < 5; i++)
            assert_int_equal(ioe_card_write32(c, IOE_CORE_NOTIFY_TEST, (i + 1) << 8 | (7 - i)), 0);
        assert_int_equal(ioe_card_wait(c, 100), 1);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_errors),   cmocka_unit_test(test_info),
        cmocka_unit_test(test_dma_probe),     cmocka_unit_test(test_dma_latency_known_answer),
        cmocka_unit_test(test_msi_ingress),   cmocka_unit_test(test_wired_lines),
        cmocka_unit_test(test_notifications), cmocka_unit_test(test_trace_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
