/*
 * The DMA window on a host whose IOMMU has a small aperture and holes (docs/architecture.md,
 * "The DMA window"; docs/pcie.md §6): the card's segment table (block dma) on its own
 * through the DMA probe, the simulated host's aperture (ioe_card_options.iova_bits and
 * iova_holes), guest memory split around a hole with ITS tables and XIVE event queues on
 * both sides of it, and KVM_SET_USER_MEMORY_REGION when the segment table or the IOVA space
 * is full. Each test runs on each target of IOE_TEST_TARGETS (soft and sim by default) with
 * the same assertions, so the C model and the RTL agree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "its_util.h"
#include "xive_util.h"

#include "assert_errno.h"
#include "targets.h"

#define TOP39 ((1ull << 39) - 1)
#define STAGE_CYCLES 2u /* the DMA window's request latency on the RTL */

static struct ioe_card *open_card(const char *target, const struct ioe_card_options *o)
{
    struct ioe_card *c = NULL;
    assert_int_equal(ioe_card_open_opts(target, o, &c), 0);
    return c;
}

static uint32_t rd32(struct ioe_card *c, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(ioe_card_read32(c, addr, &v), 0);
    return v;
}

/* One DMA probe access at card-internal address addr: DMA_STATUS after it completed. */
static uint32_t probe(struct ioe_card *c, uint64_t addr, int write, uint64_t wdata)
{
    struct ioe_csr_op ops[] = {
        {IOE_CSR_WRITE, IOE_CORE_DMA_ADDR_LO, (uint32_t)addr, 0, 0},
        {IOE_CSR_WRITE, IOE_CORE_DMA_ADDR_HI, (uint32_t)(addr >> 32), 0, 0},
        {IOE_CSR_WRITE, IOE_CORE_DMA_WDATA_LO, (uint32_t)wdata, 0, 0},
        {IOE_CSR_WRITE, IOE_CORE_DMA_WDATA_HI, (uint32_t)(wdata >> 32), 0, 0},
        {IOE_CSR_WRITE, IOE_CORE_DMA_CMD,
         1u << IOE_CORE_DMA_CMD_GO_SHIFT | (uint32_t)write << IOE_CORE_DMA_CMD_WRITE_SHIFT |
             0xffu << IOE_CORE_DMA_CMD_STRB_SHIFT,
         0, 0},
        {IOE_CSR_POLL, IOE_CORE_DMA_STATUS, 0, 1u << IOE_CORE_DMA_STATUS_BUSY_SHIFT, 0},
    };
    assert_int_equal(ioe_card_batch(c, ops, sizeof(ops) / sizeof(ops[0])), 0);
    return ops[5].val;
}

#define DONE (1u << IOE_CORE_DMA_STATUS_DONE_SHIFT)
#define FAULT (DONE | 1u << IOE_CORE_DMA_STATUS_ERR_SHIFT)

static uint64_t probe_read(struct ioe_card *c, uint64_t addr)
{
    uint64_t v = 0;
    assert_int_equal(probe(c, addr, 0, 0), DONE);
    assert_int_equal(ioe_card_read64(c, IOE_CORE_DMA_RDATA_LO, &v), 0);
    return v;
}

/* Program entry i of the segment table; returns SEG_VALID afterwards. */
static uint32_t seg_set(struct ioe_card *c, unsigned i, unsigned vm, uint64_t gpa, uint64_t size,
                        uint64_t iova, uint32_t cmd)
{
    assert_int_equal(ioe_card_write32(c, IOE_DMA_SEG_INDEX, i), 0);
    assert_int_equal(ioe_card_write32(c, IOE_DMA_SEG_VM, vm), 0);
    assert_int_equal(ioe_card_write64(c, IOE_DMA_SEG_GPA_LO, gpa), 0);
    assert_int_equal(ioe_card_write64(c, IOE_DMA_SEG_SIZE_LO, size), 0);
    assert_int_equal(ioe_card_write64(c, IOE_DMA_SEG_IOVA_LO, iova), 0);
    assert_int_equal(ioe_card_write32(c, IOE_DMA_SEG_CMD, cmd), 0);
    return rd32(c, IOE_DMA_SEG_VALID);
}

#define SET 1u
#define CLEAR 2u
#define VMA(vm, gpa) ((uint64_t)(vm) << 48 | (gpa))

/* ------------------------------------------------------------------ the card's table */
static void test_segment_table(void **state)
{
    const char *target = *state;
    struct ioe_card *c = open_card(target, NULL);
    uint64_t buf[0x2000 / 8], other[0x1000 / 8];
    for (unsigned i = 0; i < 0x400; i++)
        buf[i] = 0x1000000000000000ull * (i & 15) + i;
    other[0] = 0xabcdef;
    struct ioe_card_info info;
    assert_int_equal(ioe_card_info(c, &info), 0);
    assert_int_equal(info.dma_segs, IOE_PARAM_NR_DMA_SEGS_DEFAULT);
    assert_int_equal(rd32(c, IOE_CORE_PARAM_DMA), IOE_PARAM_NR_DMA_SEGS_DEFAULT);
    assert_int_equal(ioe_card_dma_map(c, 0x10000, buf, sizeof(buf)), 0);
    assert_int_equal(ioe_card_dma_map(c, 0x80000, other, sizeof(other)), 0);

    /* reset: translation off, addresses pass unchanged */
    assert_int_equal(rd32(c, IOE_DMA_CTRL), 0);
    assert_int_equal(rd32(c, IOE_DMA_SEG_VALID), 0);
    assert_true(probe_read(c, 0x10008) == buf[1]);
    if (strcmp(target, "sim") == 0) { /* the stage's latency, 2 cycles, on the RTL */
        uint32_t lat = rd32(c, IOE_CORE_DMA_LATENCY);
        printf("sim: DMA_LATENCY %u = host memory %u + the DMA window %u\n", lat,
               IOE_CARD_DEFAULT_DMA_LATENCY, lat - IOE_CARD_DEFAULT_DMA_LATENCY);
        assert_int_equal(lat, IOE_CARD_DEFAULT_DMA_LATENCY + STAGE_CYCLES);
    }

    /* VM 2's guest pages [0x40000000, +0x2000) at IOVA 0x10000 */
    assert_int_equal(seg_set(c, 3, 2, 0x40000000, 0x2000, 0x10000, SET), 1u << 3);
    assert_int_equal(ioe_card_write32(c, IOE_DMA_CTRL, 1), 0);
    assert_true(probe_read(c, VMA(2, 0x40000008)) == buf[1]);
    assert_true(probe_read(c, VMA(2, 0x40001ff8)) == buf[0x3ff]);
    assert_int_equal(probe(c, VMA(2, 0x40000010), 1, 0x5555), DONE);
    assert_true(buf[2] == 0x5555);
    /* outside the segment, another VM, the untranslated IOVA: faults, no bus access */
    assert_int_equal(rd32(c, IOE_DMA_FAULTS), 0);
    assert_int_equal(probe(c, VMA(2, 0x40002000), 0, 0), FAULT);
    assert_int_equal(probe(c, VMA(2, 0x3ffffff8), 0, 0), FAULT);
    assert_int_equal(probe(c, VMA(1, 0x40000000), 0, 0), FAULT);
    assert_int_equal(probe(c, 0x10000, 1, 0x7777), FAULT);
    assert_true(buf[0] != 0x7777);
    assert_int_equal(rd32(c, IOE_DMA_FAULTS), 4);
    uint64_t fa = 0;
    assert_int_equal(ioe_card_read64(c, IOE_DMA_FAULT_ADDR_LO, &fa), 0);
    assert_true(fa == 0x10000);

    /* the lowest matching entry wins; CLEAR gives the page back to entry 3 */
    assert_int_equal(seg_set(c, 1, 2, 0x40001000, 0x1000, 0x80000, SET), 1u << 3 | 1u << 1);
    assert_true(probe_read(c, VMA(2, 0x40001000)) == other[0]);
    assert_true(probe_read(c, VMA(2, 0x40000000)) == buf[0]);
    assert_int_equal(seg_set(c, 1, 0, 0, 0, 0, CLEAR), 1u << 3);
    assert_true(probe_read(c, VMA(2, 0x40001000)) == buf[0x200]);

    /* entries the card refuses: size 0, past 2^48, an index beyond the table */
    assert_int_equal(seg_set(c, 5, 2, 0x50000000, 0, 0x10000, SET), 1u << 3);
    assert_int_equal(seg_set(c, 5, 2, 0xfffffffff000ull, 0x2000, 0x10000, SET), 1u << 3);
    assert_int_equal(seg_set(c, 5, 2, 0xfffffffff000ull, 0x1000, 0x10000, SET), 1u << 3 | 1u << 5);
    assert_true(probe_read(c, VMA(2, 0xfffffffff008ull)) == buf[1]);
    assert_int_equal(seg_set(c, IOE_PARAM_NR_DMA_SEGS_DEFAULT, 2, 0, 0x1000, 0, SET),
                     1u << 3 | 1u << 5);
    /* VM 7's guest page 0 at IOVA 0x10000 (entry 3's IOVA lies below its guest address) */
    assert_int_equal(seg_set(c, 0, 7, 0x0, 0x1000, 0x10000, SET), 1u << 5 | 1u << 3 | 1u);
    assert_true(probe_read(c, VMA(7, 0x18)) == buf[3]);

    /* translation off again: pass-through */
    assert_int_equal(ioe_card_write32(c, IOE_DMA_CTRL, 0), 0);
    assert_true(probe_read(c, 0x80000) == other[0]);
    ioe_card_close(c);
}

/* ------------------------------------------------------------------ the host's aperture */
static void test_aperture(void **state)
{
    const char *target = *state;
    struct ioe_card_options o = {.iova_bits = 39, .nr_iova_holes = 2};
    o.iova_holes[0] = (struct ioe_iova_range){0xfee00000, 0xfeefffff}; /* x86's MSI window */
    o.iova_holes[1] = (struct ioe_iova_range){0, 0xfff};
    struct ioe_card *c = open_card(target, &o);
    struct ioe_iova_range r[4];
    assert_int_equal(ioe_card_iova_ranges(c, r, 4), 2);
    assert_true(r[0].start == 0x1000 && r[0].last == 0xfedfffff);
    assert_true(r[1].start == 0xfef00000 && r[1].last == TOP39);
    assert_int_equal(ioe_card_iova_ranges(c, r, 1), 1);
    static uint64_t page[512];
    assert_int_equal(ioe_card_dma_map(c, 0, page, 4096), -EINVAL);
    assert_int_equal(ioe_card_dma_map(c, 0xfedff000, page, 8192), -EINVAL);
    assert_int_equal(ioe_card_dma_map(c, 0xfeeff000, page, 4096), -EINVAL);
    assert_int_equal(ioe_card_dma_map(c, TOP39 - 0xfff, page, 8192), -EINVAL);
    assert_int_equal(ioe_card_dma_map(c, 1ull << 40, page, 4096), -EINVAL);
    assert_int_equal(ioe_card_dma_map(c, TOP39 - 0xfff, page, 4096), 0);
    assert_int_equal(ioe_card_dma_map(c, 0xfef00000, page, 4096), 0);
    ioe_card_close(c);
    /* options the simulated host refuses */
    struct ioe_card_options bad = {.iova_bits = 64};
    assert_int_equal(ioe_card_open_opts(target, &bad, &c), -EINVAL);
    bad = (struct ioe_card_options){.nr_iova_holes = 1};
    bad.iova_holes[0] = (struct ioe_iova_range){2, 1};
    assert_int_equal(ioe_card_open_opts(target, &bad, &c), -EINVAL);
    bad = (struct ioe_card_options){.nr_iova_holes = IOE_CARD_MAX_IOVA_HOLES + 1};
    assert_int_equal(ioe_card_open_opts(target, &bad, &c), -EINVAL);
}

/* A 39-bit aperture whose usable IOVA is exactly `size` bytes from 0 with a hole of 64 KiB
 * at `hole`: guest memory of that size can only be mapped as two pieces. */
static struct ioe_card_options split_opts(uint64_t hole, uint64_t size)
{
    struct ioe_card_options o = {.iova_bits = 39, .nr_iova_holes = 2};
    o.iova_holes[0] = (struct ioe_iova_range){hole, hole + 0xffff};
    o.iova_holes[1] = (struct ioe_iova_range){size + 0x10000, TOP39};
    return o;
}

/* ------------------------------------------------------------------ ITS across a hole */
static void test_its_split(void **state)
{
    const char *target = *state;
    if (!t_card_has_its(target))
        skip();
    /* IOVA [0, 4M) holds guest memory up to the ITT (command queue, device and collection
     * tables, property and pending tables); the ITTs are beyond the hole */
    t_card_opts = split_opts(ITT_OFF, MEM_SZ);
    struct tits x;
    its_open(&x, target, 2);
    its_tables(&x, 0x10000, 0, 1);
    cmd_mapc(&x, 0, 0, 1);
    cmd_mapc(&x, 1, 1, 1);
    cmd_mapd(&x, 5, 4, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(&x, 5, 3, LPI0 + 40, 1);
    cmd_mapti(&x, 5, 9, LPI0 + 41, 0);
    its_go(&x);
    assert_int_equal(its_msi(&x, 5, 3), 1);
    assert_int_equal(its_msi(&x, 5, 9), 1);
    assert_int_equal(its_take(&x, 1), LPI0 + 40);
    assert_int_equal(its_take(&x, 0), LPI0 + 41);
    /* the tables in guest memory on both sides of the hole */
    assert_true(get64(x.mem + DT_OFF + 8 * 5) != 0);
    assert_true(get64(x.mem + ITT_OFF + 8 * 3) != 0);
    assert_true(get64(x.mem + ITT_OFF + 8 * 9) != 0);
    its_close(&x);
    t_card_opts = (struct ioe_card_options){0};
}

/* ------------------------------------------------------------------ XIVE across a hole */
static void test_xive_split(void **state)
{
    const char *target = *state;
    /* RAM [0, 256K) below the hole: the queues of priorities 0..3 of vCPU 0; the others
     * above it */
    xv_card_opts = split_opts(4 * EQ_BYTES, RAM_SIZE);
    struct xvm t;
    xive_open(&t, target, 1, true);
    static const unsigned prios[] = {1, 5};
    for (unsigned k = 0; k < 2; k++) {
        uint32_t irq = 20 + k;
        assert_ok(xive_source(&t, irq, 0));
        assert_ok(xive_eq_set(&t, 0, prios[k], 1, 0));
        assert_ok(xive_target(&t, irq, t.server[0], prios[k], 0x100 + k, false));
    }
    xive_cppr(&t, 0, 0xff);
    for (unsigned k = 0; k < 2; k++) {
        xive_esb(&t, 20 + k, true, XIVE_ESB_SET_PQ_00, false);
        xive_trigger(&t, 20 + k);
    }
    for (unsigned k = 0; k < 2; k++) {
        struct reader r;
        rd_init(&r, &t, 0, prios[k], 0, 0);
        assert_int_equal(rd_next(&r), 0x100 + k);
        assert_int_equal(rd_next(&r), -1);
    }
    xive_close(&t);
    xv_card_opts = (struct ioe_card_options){0};
}

/* ------------------------------------------------------------------ a full table */
static int set_slot(int vm, unsigned slot, uint64_t gpa, uint64_t size, void *hva)
{
    struct kvm_userspace_memory_region m = {.slot = slot,
                                            .guest_phys_addr = gpa,
                                            .memory_size = size,
                                            .userspace_addr = (uint64_t)(uintptr_t)hva};
    return ioe_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &m);
}

/* More memory slots over every VM context than the segment table has entries: the slot
 * that finds no free entry fails with ENOSPC (docs/api.md); deleting a slot or closing a
 * VM frees its entries. */
static void test_table_full(void **state)
{
    const char *target = *state;
    struct ioe_card_options o = {.iova_bits = 39, .nr_iova_holes = 1};
    o.iova_holes[0] = (struct ioe_iova_range){0xfee00000, 0xfeefffff};
    struct ioe_card *c = open_card(target, &o);
    struct ioe_card_info info;
    assert_int_equal(ioe_card_info(c, &info), 0);
    unsigned nsegs = info.dma_segs;
    ioe_card_close(c);
    assert_true(nsegs > 0 && info.nr_vms > 1);

    const uint64_t sz = 0x10000;
    uint8_t *mem = ioe_mem_alloc(sz * (nsegs + 2));
    assert_non_null(mem);
    int kvm = ioe_open_opts(target, &o);
    assert_true(kvm >= 0);
    int vm[256];
    for (unsigned v = 0; v < info.nr_vms; v++)
        assert_true((vm[v] = ioe_ioctl(kvm, KVM_CREATE_VM, 0)) >= 0);
    /* round robin over the VMs, one slot of 64 KiB each time */
    unsigned n = 0;
    for (; n < nsegs; n++)
        assert_ok(
            set_slot(vm[n % info.nr_vms], n / info.nr_vms, 0x10000000 + sz * n, sz, mem + sz * n));
    assert_err(ENOSPC, set_slot(vm[n % info.nr_vms], n / info.nr_vms, 0x10000000 + sz * n, sz,
                                mem + sz * n));
    /* delete VM 0's slot 0: one entry free again */
    assert_ok(set_slot(vm[0], 0, 0x10000000, 0, mem));
    assert_ok(
        set_slot(vm[n % info.nr_vms], n / info.nr_vms, 0x10000000 + sz * n, sz, mem + sz * n));
    assert_err(ENOSPC, set_slot(vm[0], 0, 0x10000000, sz, mem));
    /* VM 1 goes: its slots' entries are free for VM 0 */
    assert_int_equal(ioe_close(vm[1]), 0);
    assert_ok(set_slot(vm[0], 0, 0x10000000, sz, mem));
    for (unsigned v = 0; v < info.nr_vms; v++)
        if (v != 1)
            ioe_close(vm[v]);
    ioe_close(kvm);

    /* the IOVA space full: ENOMEM */
    struct ioe_card_options tiny = {.iova_bits = 16};
    kvm = ioe_open_opts(target, &tiny);
    assert_true(kvm >= 0);
    vm[0] = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    assert_ok(set_slot(vm[0], 0, 0x10000000, sz / 2, mem));
    assert_err(ENOMEM, set_slot(vm[0], 1, 0x20000000, sz, mem + sz));
    assert_ok(set_slot(vm[0], 1, 0x20000000, sz / 2, mem + sz));
    ioe_close(vm[0]);
    ioe_close(kvm);
    assert_int_equal(ioe_mem_free(mem), 0);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_segment_table), TT_TARGET_TEST(test_aperture),
        TT_TARGET_TEST(test_its_split),     TT_TARGET_TEST(test_xive_split),
        TT_TARGET_TEST(test_table_full),
    };
    return tt_run_tests("iova", tests, NULL, NULL);
}
