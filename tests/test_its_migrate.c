/*
 * Migration of a VM with an ITS (kvm-arm-abi.md §4.8.4): the source runs commands and
 * leaves LPIs pending; SAVE_PENDING_TABLES (GICv3 device) and SAVE_TABLES (ITS) write
 * the state into guest memory; guest RAM is copied to a fresh VM on a fresh card, the
 * GICv3 state is restored first (tests/gic_state.h, then the redistributors' LPI
 * registers), then the ITS in the documented order: base, IIDR, CBASER, the other
 * GITS_ registers except CTLR, RESTORE_TABLES, CTLR. Both VMs must then hold identical
 * translations (every (DeviceID, EventID) delivers the same LPI to the same vCPU, or is
 * blocked in both), identical pending LPIs, and write identical table bytes when saved
 * again. Every ordered pair of the targets of IOE_TEST_TARGETS (tests/targets.h; soft->soft,
 * soft->sim, sim->soft, sim->sim by default), with a flat device table and with a
 * two-level one (several level-2 pages, level-1 entries left invalid).
 *
 * The walks over the whole two-level device table besides SAVE/RESTORE (MAPC moving the
 * LPIs of a collection, RESET and GITS_BASER0 Valid=0 freeing every device) run on the two
 * targets of the differential tests (soft and sim by default) side by side with the same
 * guest, compared after each step; so does a RESTORE_TABLES that fails half way.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "assert_errno.h"
#include "gic_state.h"
#include "its_util.h"
#include "targets.h"

#define NVCPU 3
#define NDEV 6
#define NEV 8

/* Two-level device table: 4 KiB pages (512 DTEs each), one level-1 page. The devices sit
 * in level-2 pages 0, 1, 2, 4, 5 and 6 (L2_OFF + 0x1000 * index); level-1 entry 3 is
 * invalid but names a page holding a valid-looking DTE whose ITT has a valid ITE (no walk
 * may touch them), entry 7 is invalid and names nothing. */
#define L2_PER 512u
static const unsigned l2_page[NDEV + 1] = {0, 1, 2, 4, 5, 6, 0};
#define STALE_ITT (ITT_OFF + 0x1000ull * (NDEV + 1))

static int two_level;

static uint32_t dev_id(int d)
{
    uint32_t lo = (uint32_t)(d * 37 + 1); /* spread over the device table (page) */
    return two_level ? l2_page[d] * L2_PER + lo : lo;
}

static void dev_tables(struct tits *x)
{
    if (!two_level) {
        its_tables(x, 0x10000, 0, 1);
        return;
    }
    for (unsigned i = 0; i < 8; i++)
        if (i != 3 && i != 7)
            put64(x->mem + DT_OFF + 8 * i, 1ull << 63 | (MEM_GPA + L2_OFF + 0x1000ull * i));
    put64(x->mem + DT_OFF + 8 * 3, MEM_GPA + L2_OFF + 0x3000);
    put64(x->mem + L2_OFF + 0x3000 + 8 * 9, 1ull << 63 | (MEM_GPA + STALE_ITT) >> 8 << 5 | 2);
    put64(x->mem + STALE_ITT + 8, (uint64_t)(LPI0 + 500) << 16 | 20);
    its_tables(x, 0x1000, 1, 1);
}

/* Level-1 table, level-2 pages (or the flat table), ITTs, collection table. */
static void compare_tables(struct tits *a, struct tits *b)
{
    assert_memory_equal(a->mem + DT_OFF, b->mem + DT_OFF, 0x10000);
    assert_memory_equal(a->mem + L2_OFF, b->mem + L2_OFF, 0x8000);
    assert_memory_equal(a->mem + CT_OFF, b->mem + CT_OFF, 0x10000);
    assert_memory_equal(a->mem + ITT_OFF, b->mem + ITT_OFF, 0x1000 * (NDEV + 2));
    /* the stale entries behind the invalid level-1 entry are untouched */
    assert_int_equal(get64(a->mem + L2_OFF + 0x3000 + 8 * 9),
                     two_level ? 1ull << 63 | (MEM_GPA + STALE_ITT) >> 8 << 5 | 2 : 0);
}

/* Tables, collections 20..22 on vCPUs 0..2, every device's events on collection
 * 20 + (d + e) % ncoll (23: unmapped), some left out when holes. */
static void map_all(struct tits *x, int holes, int ncoll)
{
    dev_tables(x);
    for (int c = 0; c < NVCPU; c++)
        cmd_mapc(x, (uint16_t)(20 + c), (uint32_t)c, 1);
    for (int d = 0; d < NDEV; d++) {
        cmd_mapd(x, dev_id(d), 3, MEM_GPA + ITT_OFF + 0x1000ull * (unsigned)d, 1);
        for (uint32_t e = 0; e < NEV; e++)
            if (!holes || (d + (int)e) % 5) /* leave holes in the ITTs */
                cmd_mapti(x, dev_id(d), e, LPI0 + 64 * (uint32_t)d + e,
                          (uint16_t)(20 + (d + (int)e) % ncoll));
    }
}

/* The source: collections on every vCPU (one left unmapped), devices with events,
 * pending LPIs (some disabled so they stay pending), a moved one, a discarded one. */
static void busy_its(struct tits *x)
{
    map_all(x, 1, 4);
    cmd_dev_ev(x, C_MOVI, dev_id(1), 1, 20);
    cmd_dev_ev(x, C_DISCARD, dev_id(2), 2, 0);
    its_go(x);
    /* disable every LPI of device 3 so their pending state survives in the table */
    for (uint32_t e = 0; e < NEV; e++)
        x->mem[PROP_OFF + 64 * 3 + e] = 0xa0;
    its_cmd(x, C_INVALL, 0, 20, 0);
    its_cmd(x, C_INVALL, 0, 21, 0);
    its_cmd(x, C_INVALL, 0, 22, 0);
    its_go(x);
    for (uint32_t e = 0; e < NEV; e++)
        its_msi(x, dev_id(3), e);
    /* some enabled LPIs pending but not taken */
    its_msi(x, dev_id(4), 1);
    its_msi(x, dev_id(5), 3);
}

/* GICR_PROPBASER/PENDBASER/CTLR of every vCPU, through the REDIST_REGS attributes */
static void rd_lpi_regs(struct tvm *t, uint32_t v[NVCPU][5], int write)
{
    static const uint32_t off[5] = {0x70, 0x74, 0x78, 0x7c, 0x0};
    for (int c = 0; c < NVCPU; c++)
        for (int i = 0; i < 5; i++)
            st_reg(t->dev, write, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, st_mpidr(c) | off[i], &v[c][i]);
}

static const uint64_t its_regs_order[] = {GITS_IIDR,     GITS_CBASER,   GITS_CWRITER,
                                          GITS_CREADR,   GITS_BASER(0), GITS_BASER(1),
                                          GITS_BASER(2), GITS_BASER(7)};

/* Every vCPU of both: the same LPIs in the same order until none is left; how many. */
static int take_all(struct tits *a, struct tits *b)
{
    int n = 0;
    for (int c = 0; c < NVCPU; c++) {
        uint32_t ia, ib;
        do {
            ia = its_take(a, c);
            ib = its_take(b, c);
            if (ia != ib)
                fail_msg("vCPU %d: LPI %u vs %u", c, ia, ib);
            n += ia != 1023;
        } while (ia != 1023);
    }
    return n;
}

/* MSI (d, e) on both: the same result. */
static void msi_both(struct tits *a, struct tits *b, int d, uint32_t e)
{
    int ra = its_msi(a, dev_id(d), e), rb = its_msi(b, dev_id(d), e);
    if (ra != rb)
        fail_msg("MSI (%u, %u): %d vs %d", dev_id(d), e, ra, rb);
}

/* Every (DeviceID, EventID) on both: same result, same vCPU and LPI. */
static void compare_translations(struct tits *a, struct tits *b)
{
    int delivered = 0;
    for (int d = 0; d < NDEV + 1; d++)
        for (uint32_t e = 0; e < NEV; e++) {
            msi_both(a, b, d, e);
            delivered += take_all(a, b);
        }
    printf("%d LPIs delivered identically\n", delivered);
    assert_true(delivered > 20);
}

static void save_all(struct tits *x)
{
    t_set_attr(x->t.dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, NULL);
    its_ctrl(x->its, KVM_DEV_ARM_ITS_SAVE_TABLES);
}

static void migrate(const struct tt_pair *p, int layout)
{
    two_level = layout;
    if (!t_card_has_its(p->src) || !t_card_has_its(p->dst)) {
        printf("%s -> %s: a card has no ITS engine: skipped\n", p->src, p->dst);
        skip();
    }
    static struct tits a, b;
    static struct gic_state sa;
    uint32_t lpi_regs[NVCPU][5];
    its_open(&a, p->src, NVCPU);
    busy_its(&a);
    /* save: GICv3, then the pending tables and the ITS tables, then RAM */
    st_save(&a.t, &sa);
    rd_lpi_regs(&a.t, lpi_regs, 0);
    save_all(&a);
    uint64_t itsr[8], ctlr = its_reg(a.its, GITS_CTLR);
    for (int i = 0; i < 8; i++)
        itsr[i] = its_reg(a.its, its_regs_order[i]);
    assert_int_equal(ctlr & 1, 1);
    /* the pending LPIs of device 3 are in vCPU pending tables now */
    int pend_bits = 0;
    for (int c = 0; c < NVCPU; c++)
        for (int i = LPI0 / 8; i < 0x2000; i++)
            pend_bits += __builtin_popcount(a.mem[PEND_OFF + 0x10000u * (unsigned)c + (unsigned)i]);
    assert_true(pend_bits >= 4);

    /* restore on a fresh card: RAM, vCPUs, GICv3 (with LPI registers), then the ITS */
    memset(&b, 0, sizeof(b));
    t_vm_open(&b.t, p->dst, NVCPU, 64);
    b.mem = ioe_mem_alloc(MEM_SZ); /* every target reaches it, out of process too */
    assert_non_null(b.mem);
    memcpy(b.mem, a.mem, MEM_SZ);
    struct kvm_userspace_memory_region r = {.slot = 0,
                                            .guest_phys_addr = MEM_GPA,
                                            .memory_size = MEM_SZ,
                                            .userspace_addr = (uint64_t)(uintptr_t)b.mem};
    assert_int_equal(ioe_ioctl(b.t.vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
    b.its = its_create(b.t.vm); /* before the GIC state: creating it reconfigures */
    assert_true(b.its >= 0);
    static struct gic_state sb;
    sb = sa;
    st_xfer(&b.t, &sb, 1);
    rd_lpi_regs(&b.t, lpi_regs, 1);
    uint64_t base = ITS_BASE;
    t_set_attr(b.its, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &base);
    for (int i = 0; i < 8; i++)
        its_set_reg(b.its, its_regs_order[i], itsr[i]);
    its_ctrl(b.its, KVM_DEV_ARM_ITS_RESTORE_TABLES);
    its_set_reg(b.its, GITS_CTLR, ctlr);
    for (int i = 0; i < 8; i++)
        if (its_reg(b.its, its_regs_order[i]) != itsr[i])
            fail_msg("ITS reg 0x%llx: 0x%llx vs 0x%llx", (unsigned long long)its_regs_order[i],
                     (unsigned long long)its_reg(b.its, its_regs_order[i]),
                     (unsigned long long)itsr[i]);
    assert_int_equal(its_reg(b.its, GITS_CTLR), ctlr);
    b.qsize = a.qsize;
    b.cwriter = a.cwriter;

    /* saving both again gives the same bytes: device table, ITTs, collection table,
     * pending tables */
    save_all(&a);
    save_all(&b);
    compare_tables(&a, &b);
    assert_memory_equal(a.mem + PEND_OFF, b.mem + PEND_OFF, 0x10000 * NVCPU);

    /* pending LPIs come out identically once enabled */
    for (uint32_t e = 0; e < NEV; e++) {
        a.mem[PROP_OFF + 64 * 3 + e] = 0xa1;
        b.mem[PROP_OFF + 64 * 3 + e] = 0xa1;
    }
    for (struct tits *x = &a; x; x = x == &a ? &b : NULL) {
        for (uint16_t c = 20; c < 23; c++)
            its_cmd(x, C_INVALL, 0, c, 0);
        its_go(x);
    }
    int pend = take_all(&a, &b);
    printf("%s -> %s (%s device table): %d pending LPIs identical after restore\n", p->src, p->dst,
           two_level ? "two-level" : "flat", pend);
    assert_true(pend >= 4);
    /* and the same translations */
    compare_translations(&a, &b);
    its_close(&a);
    its_close(&b);
}

static void test_migrate_flat(void **state)
{
    migrate(*state, 0);
}

static void test_migrate_two_level(void **state)
{
    migrate(*state, 1);
}

/* Collections 20..22 on vCPUs 0..2, every device with NEV events on them, plus event NEV
 * of the last device on the LPI of device 0's event 0 (two references). */
static void map_devices(struct tits *x)
{
    map_all(x, 0, 3);
    cmd_mapti(x, dev_id(NDEV - 1), NEV, LPI0, 21);
    its_go(x);
}

/* After the devices were freed: nothing pending anywhere, the same tables on both, every
 * device's DTE and ITEs zero. */
static void check_freed(struct tits *a, struct tits *b)
{
    assert_int_equal(take_all(a, b), 0);
    compare_tables(a, b);
    for (int d = 0; d < NDEV; d++) {
        uint64_t dte = L2_OFF + 0x1000ull * l2_page[d] + 8 * (dev_id(d) % L2_PER);
        assert_int_equal(get64(b->mem + dte), 0);
        for (uint32_t e = 0; e < NEV; e++)
            assert_int_equal(get64(b->mem + ITT_OFF + 0x1000ull * (unsigned)d + 8 * e), 0);
    }
}

/* The two targets of the differential tests (tt_diff_targets: soft and sim by default), to
 * run side by side; the test is skipped when one has no ITS engine. */
static struct tt_pair side_by_side(void)
{
    struct tt_pair p = tt_diff_targets();
    printf("%s beside %s\n", p.src, p.dst);
    if (!t_card_has_its(p.src) || !t_card_has_its(p.dst)) {
        printf("a card has no ITS engine: skipped\n");
        skip();
    }
    return p;
}

/* MAPC retargeting, RESET and GITS_BASER0 Valid=0 walk every level-2 page: the two targets
 * of the differential tests (tt_diff_targets: soft and sim by default) side by side. */
static void test_walks_two_level(void **state)
{
    (void)state;
    struct tt_pair p = side_by_side();
    two_level = 1;
    static struct tits a, b;
    struct tits *x[2] = {&a, &b};
    its_open(&a, p.src, NVCPU);
    its_open(&b, p.dst, NVCPU);
    for (int i = 0; i < 2; i++)
        map_devices(x[i]);
    /* MAPC of mapped collection 20 to vCPU 2: the LPIs of its ITEs in every level-2
     * page follow (device 1's event 2 is on collection 20) */
    for (int i = 0; i < 2; i++) {
        cmd_mapc(x[i], 20, 2, 1);
        its_go(x[i]);
        assert_int_equal(its_msi(x[i], dev_id(1), 2), 1);
        assert_int_equal(its_take(x[i], 0), 1023);
        assert_int_equal(its_take(x[i], 2), LPI0 + 64 + 2);
    }
    int n = 0;
    for (int d = 0; d < NDEV; d++)
        for (uint32_t e = 0; e <= NEV; e++) {
            msi_both(&a, &b, d, e);
            n += take_all(&a, &b);
        }
    assert_int_equal(n, NDEV * NEV + 1); /* the shared LPI twice */
    compare_tables(&a, &b);

    /* RESET frees every device: DTEs and ITEs zeroed, the pending LPIs go with their
     * last reference */
    for (int d = 0; d < NDEV; d++)
        for (uint32_t e = 0; e <= NEV; e++)
            msi_both(&a, &b, d, e);
    for (int i = 0; i < 2; i++)
        its_ctrl(x[i]->its, KVM_DEV_ARM_ITS_CTRL_RESET);
    check_freed(&a, &b);

    /* GITS_BASER0 Valid=0 (ITS disabled) frees them too */
    for (int i = 0; i < 2; i++)
        map_devices(x[i]);
    for (int d = 0; d < NDEV; d++)
        for (uint32_t e = 0; e <= NEV; e++)
            msi_both(&a, &b, d, e);
    for (int i = 0; i < 2; i++) {
        its_mmio_w(x[i], GITS_CTLR, 4, 0);
        its_mmio_w(x[i], GITS_BASER(0), 8, its_mmio_r(x[i], GITS_BASER(0), 8) & ~(1ull << 63));
    }
    check_freed(&a, &b);
    its_close(&a);
    its_close(&b);
}

/* SAVE_TABLES and SAVE_PENDING_TABLES, RESET, the saved guest memory back and the registers
 * in QEMU's order (not yet RESTORE_TABLES): x as a fresh ITS about to restore its tables. */
static void save_and_reset(struct tits *x)
{
    static const uint64_t order[] = {GITS_BASER(0), GITS_BASER(1), GITS_CBASER, GITS_CREADR,
                                     GITS_CWRITER};
    uint64_t regs[5];
    save_all(x);
    for (int r = 0; r < 5; r++)
        regs[r] = its_reg(x->its, order[r]);
    uint8_t *snap = malloc(MEM_SZ);
    assert_non_null(snap);
    memcpy(snap, x->mem, MEM_SZ);
    its_ctrl(x->its, KVM_DEV_ARM_ITS_CTRL_RESET);
    memcpy(x->mem, snap, MEM_SZ);
    free(snap);
    for (int r = 0; r < 5; r++)
        its_set_reg(x->its, order[r], regs[r]);
}

static uint64_t dte_off(uint32_t d)
{
    return two_level ? L2_OFF + 0x1000ull * (d / L2_PER) + 8 * (d % L2_PER) : DT_OFF + 8ull * d;
}

/* A RESTORE_TABLES that fails after restoring some devices (kvm-arm-abi.md §4.8.3, Linux
 * since 5.19): devices 0..2 restored, device 3 fails at its event 5 (an ICID no collection
 * has: EINVAL) after restoring events 0..4; devices 4 and 5 are not reached, and device 4's
 * DTE and a DTE the chain skips name ITTs of 2^31 events (one outside guest memory). The
 * call gives EINVAL at once (before, the clean-up walked those ITTs: minutes); the ITS is
 * left as KVM leaves it, without devices and collections, the LPIs the scan created (pending
 * from the pending tables) freed again, no reference left: a new ITT mapped with the LPIs
 * configured disabled gives nothing until they are enabled, as on a fresh ITS. Flat and
 * two-level device tables, soft and sim side by side. */
static void test_restore_fails(void **state)
{
    (void)state;
    struct tt_pair p = side_by_side();
    static struct tits a, b;
    struct tits *x[2] = {&a, &b};
    for (two_level = 0; two_level < 2; two_level++) {
        uint32_t skipped = dev_id(4) + 1;
        uint64_t huge = 1ull << 63 | 30; /* V, Size 30 */
        its_open(&a, p.src, NVCPU);
        its_open(&b, p.dst, NVCPU);
        for (int i = 0; i < 2; i++) {
            map_devices(x[i]);
            /* every LPI pending, kept so by disabling them, saved in the pending tables */
            memset(x[i]->mem + PROP_OFF, 0xa0, 0x10000);
            for (uint16_t c = 20; c < 23; c++)
                its_cmd(x[i], C_INVALL, 0, c, 0);
            its_go(x[i]);
            for (int d = 0; d < NDEV; d++)
                for (uint32_t e = 0; e <= NEV; e++)
                    its_msi(x[i], dev_id(d), e);
            save_and_reset(x[i]);
            memset(x[i]->mem + PROP_OFF, 0xa1, 0x10000); /* created enabled */
            uint8_t *m = x[i]->mem;
            uint64_t ite = ITT_OFF + 0x1000ull * 3 + 8 * 5;
            put64(m + ite, (get64(m + ite) & ~0xffffull) | 99);
            uint64_t dte = dte_off(dev_id(4));
            put64(m + dte, (get64(m + dte) & ~0x1full) | 30);
            put64(m + dte_off(skipped), huge); /* ITT at 0, outside guest memory */
        }
        struct kvm_device_attr at = {.group = KVM_DEV_ARM_VGIC_GRP_CTRL,
                                     .attr = KVM_DEV_ARM_ITS_RESTORE_TABLES};
        for (int i = 0; i < 2; i++) {
            assert_err(EINVAL, ioe_ioctl(x[i]->its, KVM_SET_DEVICE_ATTR, &at));
            its_set_reg(x[i]->its, GITS_CTLR, 1);
        }
        /* no device: every DTE zero (the chain's and the skipped one); the ITEs that held
         * references zeroed, the others (device 3 from event 5, devices 4 and 5) kept */
        compare_tables(&a, &b);
        for (int d = 0; d < NDEV; d++) {
            assert_int_equal(get64(b.mem + dte_off(dev_id(d))), 0);
            for (uint32_t e = 0; e < NEV; e++)
                assert_true(!get64(b.mem + ITT_OFF + 0x1000ull * (unsigned)d + 8 * e) ==
                            (d < 3 || (d == 3 && e < 5)));
        }
        assert_int_equal(get64(b.mem + dte_off(skipped)), 0);
        /* no LPI left: nothing pending, no MSI translated */
        assert_int_equal(take_all(&a, &b), 0);
        for (int d = 0; d < NDEV; d++)
            for (uint32_t e = 0; e <= NEV; e++)
                msi_both(&a, &b, d, e);
        assert_int_equal(take_all(&a, &b), 0);
        /* mapped again on fresh ITTs, LPIs configured disabled: created again (the
         * configuration read), so nothing comes out until INVALL enables them */
        for (int i = 0; i < 2; i++) {
            memset(x[i]->mem + ITT_OFF, 0, 0x1000 * NDEV);
            memset(x[i]->mem + PROP_OFF, 0xa0, 0x10000);
            map_devices(x[i]);
        }
        for (int d = 0; d < NDEV; d++)
            for (uint32_t e = 0; e <= NEV; e++)
                msi_both(&a, &b, d, e);
        assert_int_equal(take_all(&a, &b), 0);
        for (int i = 0; i < 2; i++) {
            memset(x[i]->mem + PROP_OFF, 0xa1, 0x10000);
            for (uint16_t c = 20; c < 23; c++)
                its_cmd(x[i], C_INVALL, 0, c, 0);
            its_go(x[i]);
        }
        assert_int_equal(take_all(&a, &b), NDEV * NEV); /* LPI0 twice, pending once */
        printf("%s device table: RESTORE_TABLES failed with EINVAL on both, no LPI left\n",
               two_level ? "two-level" : "flat");
        its_close(&a);
        its_close(&b);
    }
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_PAIR_TEST(test_migrate_flat),
        TT_PAIR_TEST(test_migrate_two_level),
        cmocka_unit_test(test_walks_two_level),
        cmocka_unit_test(test_restore_fails),
    };
    return tt_run_tests("its_migrate", tests, NULL, NULL);
}
