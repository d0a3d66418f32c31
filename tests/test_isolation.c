/*
 * Isolation under attack (docs/reliability.md): a hostile VM A beside a well-behaved VM B on
 * the same card, on each target (soft and sim). A points its ITS command queue and tables
 * at the guest addresses where B keeps its own and outside any memory slot, names B's
 * device, event and collection numbers in its commands, fills its queue with garbage,
 * floods the card with MSIs carrying B's IDs, and has its descriptors closed and used
 * again. B's state is compared before and after: its guest memory byte for byte, its ITS
 * registers, nothing pending; and B's own MSI is then delivered exactly once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "its_util.h"

#include "assert_errno.h"
#include "targets.h"

#define OUTSIDE_GPA 0x70000000ull /* in no memory slot of either VM */

struct snapshot {
    uint8_t *mem;
    uint64_t regs[6];
};

static const uint32_t snap_regs[] = {GITS_CTLR,   GITS_CBASER,   GITS_CWRITER,
                                     GITS_CREADR, GITS_BASER(0), GITS_BASER(1)};

static void snap(struct tits *b, struct snapshot *s)
{
    s->mem = malloc(MEM_SZ);
    assert_non_null(s->mem);
    memcpy(s->mem, b->mem, MEM_SZ);
    for (size_t i = 0; i < 6; i++)
        s->regs[i] = its_reg(b->its, snap_regs[i]);
}

/* B is as it was: memory, registers, nothing pending; then its MSI arrives once */
static void check_unchanged(struct tits *b, struct snapshot *s)
{
    assert_memory_equal(b->mem, s->mem, MEM_SZ);
    for (size_t i = 0; i < 6; i++)
        assert_true(its_reg(b->its, snap_regs[i]) == s->regs[i]);
    assert_int_equal(its_take(b, 0), 1023);
    assert_int_equal(its_msi(b, 1, 0), 1);
    assert_int_equal(its_take(b, 0), LPI0 + 3);
    assert_int_equal(its_take(b, 0), 1023);
    free(s->mem);
}

/* B: its tables, device 1 event 0 -> LPI0 + 3 on collection 0 (vCPU 0), exercised once */
static void open_pair(struct tits *a, struct tits *b, const char *target)
{
    its_open(b, target, 1);
    t_shared_kvm = b->t.kvm; /* until close_pair */
    its_open(a, target, 1);
    its_tables(b, 0x10000, 0, 1);
    cmd_mapc(b, 0, 0, 1);
    cmd_mapd(b, 1, 3, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(b, 1, 0, LPI0 + 3, 0);
    its_go(b);
    assert_int_equal(its_msi(b, 1, 0), 1);
    assert_int_equal(its_take(b, 0), LPI0 + 3);
}

/* A closed (if it is not already), then B and the card */
static void close_pair(struct tits *a, struct tits *b)
{
    if (a)
        its_close(a);
    t_shared_kvm = -1;
    its_close(b);
}

/* A's queue and tables at B's guest addresses, then outside any slot; commands that name
 * B's numbers */
static void test_tables_over_other_vm(void **state)
{
    const char *target = *state;
    struct tits a, b;
    open_pair(&a, &b, target);
    struct snapshot s;
    snap(&b, &s);
    static const uint64_t bases[] = {MEM_GPA, OUTSIDE_GPA};
    for (int i = 0; i < 2; i++) {
        its_mmio_w(&a, GITS_CTLR, 4, 0);
        its_mmio_w(&a, GITS_CBASER, 8, 1ull << 63 | (bases[i] + CMDQ_OFF));
        its_mmio_w(&a, GITS_BASER(0), 8, 1ull << 63 | (bases[i] + DT_OFF) | 2u << 8);
        its_mmio_w(&a, GITS_BASER(1), 8, 1ull << 63 | (bases[i] + CT_OFF) | 2u << 8);
        its_mmio_w(&a, GITS_CTLR, 4, 1);
        a.cwriter = (uint32_t)its_mmio_r(&a, GITS_CREADR, 8);
        a.qsize = 0x1000;
        cmd_mapc(&a, 0, 0, 1);
        cmd_mapd(&a, 1, 3, bases[i] + ITT_OFF, 1);
        cmd_mapti(&a, 1, 0, LPI0 + 3, 0);
        cmd_dev_ev(&a, C_INT, 1, 0, 0);
        cmd_dev_ev(&a, C_DISCARD, 1, 0, 0);
        cmd_mapd(&a, 1, 3, bases[i] + ITT_OFF, 0);
        its_cmd(&a, C_MOVALL, 0, 0, 0);
        its_cmd(&a, C_INVALL, 0, 0, 0);
        its_mmio_w(&a, GITS_CWRITER, 8, a.cwriter);
        its_msi(&a, 1, 0);
        while (its_take(&a, 0) != 1023)
            ;
    }
    check_unchanged(&b, &s);
    close_pair(&a, &b);
}

/* A's queue full of garbage, and a flood of MSIs with B's IDs */
static void test_garbage_and_flood(void **state)
{
    const char *target = *state;
    struct tits a, b;
    open_pair(&a, &b, target);
    its_tables(&a, 0x10000, 0, 1);
    cmd_mapc(&a, 0, 0, 1);
    cmd_mapd(&a, 1, 3, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(&a, 1, 0, LPI0 + 3, 0);
    its_go(&a);
    struct snapshot s;
    snap(&b, &s);
    uint64_t seed = tt_seed(19);
    for (uint32_t i = 0; i < 0x1000 / 4; i++)
        ((uint32_t *)(a.mem + CMDQ_OFF))[i] = (uint32_t)tt_rand(&seed);
    its_mmio_w(&a, GITS_CWRITER, 8, 0x1000 - 32);
    unsigned n = (unsigned)tt_ops(5000);
    for (unsigned i = 0; i < n; i++)
        its_msi(&a, 1, i % 8);
    while (its_take(&a, 0) != 1023)
        ;
    check_unchanged(&b, &s);
    close_pair(&a, &b);
}

/* A's descriptors closed and used again: EBADF, and B unaffected */
static void test_closed_vm_descriptors(void **state)
{
    const char *target = *state;
    struct tits a, b;
    open_pair(&a, &b, target);
    struct snapshot s;
    snap(&b, &s);
    int vm = a.t.vm, its = a.its, vcpu = a.t.vcpu[0];
    its_close(&a);
    struct kvm_msi m = {.address_lo = (uint32_t)(ITS_BASE + 0x10040), .flags = KVM_MSI_VALID_DEVID};
    assert_err(EBADF, ioe_ioctl(vm, KVM_SIGNAL_MSI, &m));
    struct kvm_device_attr at = {.group = KVM_DEV_ARM_VGIC_GRP_CTRL,
                                 .attr = KVM_DEV_ARM_ITS_SAVE_TABLES};
    assert_err(EBADF, ioe_ioctl(its, KVM_SET_DEVICE_ATTR, &at));
    assert_err(EBADF, ioe_ioctl(vcpu, KVM_RUN, 0));
    assert_err(EBADF, ioe_close(vm));
    check_unchanged(&b, &s);
    close_pair(NULL, &b);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_tables_over_other_vm),
        TT_TARGET_TEST(test_garbage_and_flood),
        TT_TARGET_TEST(test_closed_vm_descriptors),
    };
    return tt_run_tests("isolation", tests, NULL, NULL);
}
