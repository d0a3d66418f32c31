/*
 * Migration of the whole GIC state through the attribute ABI: a VM is driven into a
 * state with enabled, pending (latched and by line level), active and preempted
 * interrupts, PPIs, SGIs, routes and CPU-interface settings; its state is saved, restored
 * into a fresh VM on a fresh card (every ordered pair of the targets of IOE_TEST_TARGETS,
 * tests/targets.h: soft->soft, soft->sim, sim->soft, sim->sim by default), and afterwards
 * the two behave identically.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "gic_state.h"
#include "targets.h"

#define NVCPU 3
#define NIRQ 96

/* what busy_vm left active, per vCPU, in acknowledge order */
static struct ioe_irq acked[NVCPU][2];

static void busy_vm(struct tvm *t)
{
    t_run_all(t);
    t_guest_init(t);
    /* SPIs 32..95: routes, priorities, config, enables */
    for (unsigned n = 32; n < NIRQ; n++) {
        t_mmio(t, DIST_BASE + 0x6000 + 8 * n, 8, 1, n % NVCPU);
        t_mmio(t, DIST_BASE + 0x400 + n, 1, 1, (uint8_t)(0x10 + (n * 37) % 0xe0));
    }
    t_gicd_w(t, 0xc00 + 4 * 2, 0xaaaa0000); /* SPIs 40..47 edge */
    t_gicd_w(t, 0x100 + 4, 0xffff00ff);
    t_gicd_w(t, 0x100 + 8, 0x0f0f0f0f);
    t_gicd_w(t, 0x080 + 8, 0xfffffffe); /* SPI 64 group 0 */
    /* lines and latches */
    for (unsigned n = 33; n < NIRQ; n += 5)
        t_line(t, 1, 0, n, 1);
    t_gicd_w(t, 0x200 + 8, 1u << 20); /* latch SPI 84 */
    /* PPIs and SGIs */
    for (int c = 0; c < NVCPU; c++) {
        t_mmio(t, t_rd(c) + RD_SGI + 0x100, 4, 1, 0xffffffff);
        t_mmio(t, t_rd(c) + RD_SGI + 0x400 + 4 * 6, 4, 1, 0x30405060u + (uint32_t)c);
        t_line(t, 2, (uint32_t)c, 25 + (uint32_t)c, 1);
    }
    uint64_t sgi = 3ull << 24 | 0x7;
    assert_int_equal(ioe_ioctl(t->vcpu[0], IOE_VCPU_SGI, &sgi), 0);
    /* CPU interfaces: one with EOImode 1 and its own binary point, and actives */
    t_sysreg(t, 1, ICC_CTLR, 1, 2);
    t_sysreg(t, 2, ICC_BPR1, 1, 5);
    t_sysreg(t, 2, ICC_PMR, 1, 0xd8);
    for (int c = 0; c < NVCPU; c++) {
        acked[c][0] = t_ack(t, c);
        assert_true(acked[c][0].intid != 1023);
        acked[c][1] = t_ack(t, c); /* maybe a preempting one */
    }
    t_exit_all(t);
}

/* Acknowledge and complete everything deliverable on every vCPU; returns a trace. */
static size_t drain_trace(struct tvm *t, uint32_t *trace, size_t max)
{
    size_t n = 0;
    t_run_all(t);
    for (int c = 0; c < t->n; c++)
        for (int k = 1; k >= 0; k--) {
            struct ioe_irq a = acked[c][k];
            if (a.intid == 1023)
                continue;
            t_eoi(t, c, a.intid, a.group);
            assert_int_equal(ioe_ioctl(t->vcpu[c], IOE_VCPU_DIR, &a), 0);
        }
    for (int round = 0; round < 64 && n < max; round++) {
        for (int c = 0; c < t->n && n < max; c++) {
            struct ioe_irq a = t_ack(t, c);
            trace[n++] = (uint32_t)c << 16 | a.intid;
            if (a.intid != 1023) {
                if (a.intid >= 16) /* lower a level line so the interrupt completes */
                    t_line(t, a.intid < 32 ? 2 : 1, (uint32_t)c, a.intid, 0);
                t_eoi(t, c, a.intid, a.group);
                struct ioe_irq d = {.intid = a.intid, .group = a.group};
                assert_int_equal(ioe_ioctl(t->vcpu[c], IOE_VCPU_DIR, &d), 0);
            }
        }
    }
    t_exit_all(t);
    return n;
}

static void test_migrate(void **state)
{
    const struct tt_pair *p = *state;
    struct tvm a, b;
    static struct gic_state sa, sb, sa2;
    t_vm_open(&a, p->src, NVCPU, NIRQ);
    busy_vm(&a);
    st_save(&a, &sa);
    assert_int_equal(sa.nr_irqs, NIRQ);

    t_vm_open(&b, p->dst, NVCPU, NIRQ);
    sb = sa;
    st_xfer(&b, &sb, 1);
    st_save(&b, &sb);
    st_save(&a, &sa2);
    assert_memory_equal(&sa, &sa2, sizeof(sa)); /* saving changed nothing */
    for (int c = 0; c < NVCPU; c++)
        for (int r = 0; r < 8; r++)
            if (sa.cpu[c].sys[r] != sb.cpu[c].sys[r])
                fail_msg("vcpu %d sysreg %d: 0x%llx vs 0x%llx", c, r,
                         (unsigned long long)sa.cpu[c].sys[r],
                         (unsigned long long)sb.cpu[c].sys[r]);
    assert_memory_equal(&sa, &sb, sizeof(sa));

    /* the same behaviour afterwards */
    static uint32_t ta[4096], tb[4096];
    size_t na = drain_trace(&a, ta, 4096), nb = drain_trace(&b, tb, 4096);
    assert_int_equal(na, nb);
    assert_memory_equal(ta, tb, na * sizeof(ta[0]));
    size_t real = 0;
    for (size_t i = 0; i < na; i++)
        real += (ta[i] & 0xffff) != 1023;
    printf("%s -> %s: %zu interrupts delivered identically after restore\n", p->src, p->dst, real);
    assert_true(real > 10);
    t_vm_close(&a);
    t_vm_close(&b);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {TT_PAIR_TEST(test_migrate)};
    return tt_run_tests("gic_migrate", tests, NULL, NULL);
}
