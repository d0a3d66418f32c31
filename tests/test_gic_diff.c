/*
 * Random differential test of the GIC engine through the public API: the same seeded
 * stream of operations (lines, guest register writes and reads, ICC system registers,
 * acknowledges, EOIs, deactivations, SGIs) on VMs of two targets (default the C model
 * "soft" and the Verilator model "sim") must give identical results: every read, every
 * acknowledge, every vCPU descriptor's readability, and the whole register state at
 * checkpoints. Options (tests/targets.h):
 *
 *   --seed N / IOE_TEST_SEED=N   reproduce a run     --ops N / IOE_TEST_OPS=N  length (100000)
 *   --targets A,B / IOE_TEST_DIFF="A B"   the two targets compared (default soft, sim)
 *   --v2-only   only the GICv2 run, with the whole --ops count (else a tenth of it)
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>

#include <cmocka.h>

#include "gic_util.h"
#include "targets.h"

#define NV 4
#define NIRQ 128
#define SEED 0x61c5eed /* the default seed */

static uint64_t rs;
static uint32_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs >> 17);
}

struct side {
    struct tvm t;
    struct ioe_irq stack[NV][64];
    int depth[NV];
};

static uint64_t op_no, seed, delivered;
static struct tt_pair tg; /* the two targets compared (--targets, IOE_TEST_DIFF) */

#define SAME(a, b, what)                                                                           \
    do {                                                                                           \
        if ((a) != (b))                                                                            \
            fail_msg("op %" PRIu64 " (seed 0x%" PRIx64 "): %s: %s 0x%llx %s 0x%llx", op_no, seed,  \
                     what, tg.src, (unsigned long long)(a), tg.dst, (unsigned long long)(b));      \
    } while (0)

/* A register of the guest view: distributor or a redistributor's SGI frame. */
static uint64_t reg_gpa(uint32_t r)
{
    int c = (int)(rnd() % NV);
    switch (r % 12) {
    case 0: return DIST_BASE + 0x080 + 4 * (1 + rnd() % (NIRQ / 32 - 1));
    case 1: return DIST_BASE + 0x100 + 0x80 * (rnd() % 6) + 4 * (1 + rnd() % (NIRQ / 32 - 1));
    case 2: return DIST_BASE + 0x400 + 4 * (8 + rnd() % (NIRQ / 4 - 8));
    case 3: return DIST_BASE + 0xc00 + 4 * (2 + rnd() % (NIRQ / 16 - 2));
    case 4: return DIST_BASE + 0x0000;
    case 5: return t_rd(c) + RD_SGI + 0x100 + 0x80 * (rnd() % 6);
    case 6: return t_rd(c) + RD_SGI + 0x400 + 4 * (rnd() % 8);
    case 7: return t_rd(c) + RD_SGI + 0x080;
    case 8: return t_rd(c) + RD_SGI + 0xc04;
    case 9: return DIST_BASE + 0x100 + 4 * (1 + rnd() % (NIRQ / 32 - 1)); /* enables, often */
    case 10: return DIST_BASE + 0x004 + 4 * (rnd() % 3);
    default: return t_rd(c) + 0x0008;
    }
}

static uint32_t rand_bits(void)
{
    switch (rnd() % 4) {
    case 0: return rnd() | rnd() << 16;
    case 1: return 1u << (rnd() % 32);
    case 2: return ~0u;
    default: return rnd() & rnd() & rnd();
    }
}

/* a random SPI line (any vCPU) or a PPI line of vCPU c, on both sides */
static void line_op(struct side *s, bool spi, uint32_t c)
{
    uint32_t n = spi ? 32 + rnd() % (NIRQ - 32) : 16 + rnd() % 16, lvl = rnd() & 1;
    for (int k = 0; k < 2; k++)
        t_line(&s[k].t, spi ? 1 : 2, spi ? 0 : c, n, lvl);
}

static void one_op(struct side *s)
{
    uint32_t kind = rnd() % 100, c = rnd() % NV;
    uint64_t r[2] = {0, 0};
    if (kind < 28) {
        line_op(s, kind < 20, c);
    } else if (kind < 45) { /* guest register write */
        uint32_t sel = rnd();
        uint64_t saved = rs;
        uint64_t gpa = reg_gpa(sel);
        uint32_t v = rand_bits();
        if (gpa == DIST_BASE)
            v = rnd() % 8 ? 2 : 0; /* mostly keep the distributor on */
        for (int k = 0; k < 2; k++) {
            rs = saved;
            gpa = reg_gpa(sel);
            t_mmio(&s[k].t, gpa, 4, 1, v);
        }
    } else if (kind < 50) { /* SPI route or priority byte */
        uint32_t n = 32 + rnd() % (NIRQ - 32), v = rnd();
        for (int k = 0; k < 2; k++) {
            if (v & 1)
                t_mmio(&s[k].t, DIST_BASE + 0x6000 + 8 * n, 8, 1, (v >> 1) % (NV + 1));
            else
                t_mmio(&s[k].t, DIST_BASE + 0x400 + n, 1, 1, v >> 8);
        }
    } else if (kind < 56) { /* guest register read */
        uint32_t sel = rnd();
        uint64_t saved = rs;
        for (int k = 0; k < 2; k++) {
            rs = saved;
            r[k] = t_mmio(&s[k].t, reg_gpa(sel), 4, 0, 0);
        }
        SAME(r[0], r[1], "guest register read");
    } else if (kind < 62) { /* CPU interface settings */
        static const uint32_t regs[] = {ICC_PMR,     ICC_BPR0, ICC_BPR1, ICC_IGRPEN0,
                                        ICC_IGRPEN1, ICC_CTLR, ICC_PMR,  ICC_IGRPEN1};
        uint32_t enc = regs[rnd() % 8];
        uint64_t v = enc == ICC_PMR       ? (rnd() % 4 ? 0xf0 : rnd() & 0xff)
                     : enc == ICC_CTLR    ? rnd() & 3
                     : enc == ICC_IGRPEN1 ? (rnd() % 4 != 0)
                                          : rnd() & 7;
        for (int k = 0; k < 2; k++)
            t_sysreg(&s[k].t, (int)c, enc, 1, v);
    } else if (kind < 80) { /* acknowledge */
        struct ioe_irq a[2];
        for (int k = 0; k < 2; k++) {
            a[k] = t_ack(&s[k].t, (int)c);
            if (a[k].intid != 1023 && s[k].depth[c] < 64)
                s[k].stack[c][s[k].depth[c]++] = a[k];
        }
        SAME(a[0].intid, a[1].intid, "acknowledged INTID");
        delivered += a[0].intid != 1023;
        SAME(a[0].priority, a[1].priority, "acknowledged priority");
        SAME(a[0].group, a[1].group, "acknowledged group");
    } else if (kind < 92) { /* EOI (and DIR for EOImode 1) of the last acknowledged */
        uint32_t dir = rnd() & 1;
        for (int k = 0; k < 2; k++) {
            if (!s[k].depth[c])
                continue;
            struct ioe_irq a = s[k].stack[c][--s[k].depth[c]];
            t_eoi(&s[k].t, (int)c, a.intid, a.group);
            if (dir)
                assert_int_equal(ioe_ioctl(s[k].t.vcpu[c], IOE_VCPU_DIR, &a), 0);
        }
    } else { /* SGI */
        uint64_t v = (uint64_t)(rnd() % 16) << 24 | (rnd() % 8 ? (rnd() & 0xf) : 1ull << 40);
        for (int k = 0; k < 2; k++)
            assert_int_equal(ioe_ioctl(s[k].t.vcpu[c], IOE_VCPU_SGI, &v), 0);
    }
    for (int i = 0; i < NV; i++)
        SAME(t_readable(&s[0].t, i), t_readable(&s[1].t, i), "vCPU readable");
}

static void checkpoint(struct side *s)
{
    static const uint32_t sys[] = {ICC_PMR, ICC_BPR0, ICC_BPR1,    ICC_AP0R0,   ICC_AP1R0,
                                   ICC_RPR, ICC_CTLR, ICC_IGRPEN0, ICC_IGRPEN1, ICC_HPPIR1};
    for (uint32_t off = 0; off < 0xd00; off += 4) {
        if (off >= 0x800 && off < 0xc00)
            continue;
        SAME(t_gicd_r(&s[0].t, off), t_gicd_r(&s[1].t, off), "GICD register");
    }
    for (uint32_t n = 32; n < NIRQ; n++)
        SAME(t_mmio(&s[0].t, DIST_BASE + 0x6000 + 8 * n, 8, 0, 0),
             t_mmio(&s[1].t, DIST_BASE + 0x6000 + 8 * n, 8, 0, 0), "IROUTER");
    for (int c = 0; c < NV; c++) {
        for (uint32_t off = 0; off < 0xe04; off += 4)
            SAME(t_mmio(&s[0].t, t_rd(c) + RD_SGI + off, 4, 0, 0),
                 t_mmio(&s[1].t, t_rd(c) + RD_SGI + off, 4, 0, 0), "GICR SGI-frame register");
        for (uint32_t off = 0; off < 0x80; off += 4)
            SAME(t_mmio(&s[0].t, t_rd(c) + off, 4, 0, 0), t_mmio(&s[1].t, t_rd(c) + off, 4, 0, 0),
                 "GICR RD register");
        for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
            SAME(t_sysreg(&s[0].t, c, sys[i], 0, 0), t_sysreg(&s[1].t, c, sys[i], 0, 0),
                 "ICC register");
    }
}

static void test_differential(void **state)
{
    (void)state;
    seed = tt_seed(SEED);
    uint64_t nops = tt_ops(100000);
    printf("GIC differential %s vs %s: seed 0x%" PRIx64 ", %" PRIu64 " operations\n", tg.src,
           tg.dst, seed, nops);
    rs = seed ? seed : 1;
    static struct side s[2];
    memset(s, 0, sizeof(s));
    t_vm_open(&s[0].t, tg.src, NV, NIRQ);
    t_vm_open(&s[1].t, tg.dst, NV, NIRQ);
    for (int k = 0; k < 2; k++) {
        t_run_all(&s[k].t);
        t_guest_init(&s[k].t);
    }
    uint64_t acks = 0;
    for (op_no = 0; op_no < nops; op_no++) {
        one_op(s);
        if (op_no % 2000 == 1999)
            checkpoint(s);
    }
    checkpoint(s);
    for (int c = 0; c < NV; c++)
        acks += (uint64_t)s[0].depth[c];
    printf("done: %" PRIu64 " operations identical, %" PRIu64 " interrupts acknowledged, %" PRIu64
           " still active at the end\n",
           nops, delivered, acks);
    assert_true(delivered > nops / 100); /* the stream really exercises delivery */
    for (int k = 0; k < 2; k++)
        t_vm_close(&s[k].t);
}

/* ------------------------------------------------------------------ GICv2 VMs */
/* The same comparison on VGICv2 VMs (docs/gic.md, "GICv2 mode"): SPI targets, GICD_SGIR with
 * every filter, SGI sources, the banked distributor, the GICC interface with AckCtl, CBPR and
 * EOImode, acknowledges through GICC_IAR / AIAR and their EOIs and deactivations. */
#define GICC(off) (V2_CPU_BASE + (off))

/* a distributor register of the v2 guest view (INTIDs 0..31 banked per vCPU) */
static uint32_t v2_gicd_off(uint32_t r)
{
    switch (r % 12) {
    case 0: return 0x080 + 4 * (rnd() % (NIRQ / 32));
    case 1: return 0x100 + 0x80 * (rnd() % 6) + 4 * (rnd() % (NIRQ / 32));
    case 2: return 0x400 + 4 * (rnd() % (NIRQ / 4));
    case 3: return 0x800 + 4 * (rnd() % (NIRQ / 4));
    case 4: return 0xc00 + 4 * (rnd() % (NIRQ / 16));
    case 5: return 0x000;
    case 6: return 0xf10 + 4 * (rnd() % 8);
    case 7: return 0x100 + 4 * (rnd() % (NIRQ / 32)); /* enables, often */
    case 8: return 0x800 + 4 * (8 + rnd() % (NIRQ / 4 - 8));
    case 9: return 0x004 + 4 * (rnd() % 2);
    case 10: return 0x200 + 4 * (rnd() % (NIRQ / 32));
    default: return 0x000 + 4 * (rnd() % 0x400); /* anything, defined or not */
    }
}

static const uint32_t v2_gicc_regs[] = {0x00, 0x04, 0x08, 0x14, 0x18, 0x1c, 0x28, 0xd0, 0xd4, 0xfc};

/* The SGIR value of a random SGI: every filter, a target list of the VM's vCPUs or not */
static uint32_t v2_sgir(void)
{
    uint32_t filter = rnd() % 8 < 5 ? 0 : rnd() % 4;
    return filter << 24 | (rnd() & 0xff) << 16 | (rnd() % 16);
}

static void one_op_v2(struct side *s)
{
    uint32_t kind = rnd() % 100, c = rnd() % NV;
    uint64_t r[2] = {0, 0};
    if (kind < 21) {
        line_op(s, kind < 15, c);
    } else if (kind < 38) { /* guest distributor write */
        uint32_t off = v2_gicd_off(rnd()), v = rand_bits();
        if (off == 0)
            v = rnd() % 8 ? 1 : 0; /* mostly keep the distributor on */
        for (int k = 0; k < 2; k++)
            t_mmio_as(&s[k].t, (int)c, DIST_BASE + off, 4, 1, v);
    } else if (kind < 43) { /* SPI target or priority byte */
        uint32_t n = 32 + rnd() % (NIRQ - 32), v = rnd();
        for (int k = 0; k < 2; k++)
            t_mmio_as(&s[k].t, (int)c, DIST_BASE + (v & 1 ? 0x800 : 0x400) + n, 1, 1, v >> 8);
    } else if (kind < 50) { /* guest register read: distributor or CPU interface */
        uint32_t sel = rnd();
        uint32_t off = sel & 1 ? v2_gicd_off(rnd()) : v2_gicc_regs[rnd() % 10];
        for (int k = 0; k < 2; k++)
            r[k] = t_mmio_as(&s[k].t, (int)c, (sel & 1 ? DIST_BASE : V2_CPU_BASE) + off, 4, 0, 0);
        SAME(r[0], r[1], "guest register read");
    } else if (kind < 56) { /* CPU interface settings */
        static const uint32_t regs[] = {0x00, 0x04, 0x08, 0x1c, 0x00, 0x04};
        uint32_t off = regs[rnd() % 6], v;
        if (off == 0x00) /* both groups mostly on; AckCtl, FIQEn, CBPR, EOImode at random */
            v = (rnd() % 6 ? 3 : rnd() & 3) | (rnd() & 0x1c) | (rnd() % 3 == 0) << 9;
        else if (off == 0x04)
            v = rnd() % 4 ? 0xf8 : rnd() & 0xff;
        else
            v = rnd() & 7;
        for (int k = 0; k < 2; k++)
            t_mmio_as(&s[k].t, (int)c, GICC(off), 4, 1, v);
    } else if (kind < 76) { /* acknowledge: GICC_IAR, GICC_AIAR or IOE_VCPU_ACK */
        uint32_t how = rnd() % 3;
        struct ioe_irq a[2];
        for (int k = 0; k < 2; k++) {
            memset(&a[k], 0, sizeof(a[k]));
            if (how < 2) {
                a[k].intid = (uint32_t)t_mmio_as(&s[k].t, (int)c, GICC(how ? 0x20 : 0x0c), 4, 0, 0);
                a[k].group = (uint8_t)how;
            } else {
                a[k] = t_ack(&s[k].t, (int)c);
            }
            if ((a[k].intid & 0x3ff) < 1020 && s[k].depth[c] < 64)
                s[k].stack[c][s[k].depth[c]++] = a[k];
        }
        SAME(a[0].intid, a[1].intid, "acknowledged INTID");
        SAME(a[0].priority, a[1].priority, "acknowledged priority");
        SAME(a[0].group, a[1].group, "acknowledged group");
        delivered += (a[0].intid & 0x3ff) < 1020;
    } else if (kind < 90) { /* EOI of the last acknowledged, by its alias, and maybe DIR */
        uint32_t dir = rnd() & 1, alias = rnd() % 4;
        for (int k = 0; k < 2; k++) {
            if (!s[k].depth[c])
                continue;
            struct ioe_irq a = s[k].stack[c][--s[k].depth[c]];
            /* mostly the right register; sometimes the other alias or IOE_VCPU_EOI */
            if (alias == 0)
                t_eoi(&s[k].t, (int)c, a.intid, a.group);
            else
                t_mmio_as(&s[k].t, (int)c, GICC((alias == 1 ? !a.group : a.group) ? 0x24 : 0x10), 4,
                          1, a.intid);
            if (dir)
                t_mmio_as(&s[k].t, (int)c, GICC(0x1000), 4, 1, a.intid);
        }
    } else { /* SGI: GICD_SGIR, through MMIO or IOE_VCPU_SGI */
        uint64_t v = v2_sgir();
        uint32_t how = rnd() & 1;
        for (int k = 0; k < 2; k++) {
            if (how)
                assert_int_equal(ioe_ioctl(s[k].t.vcpu[c], IOE_VCPU_SGI, &v), 0);
            else
                t_mmio_as(&s[k].t, (int)c, DIST_BASE + 0xf00, 4, 1, (uint32_t)v);
        }
    }
    for (int i = 0; i < NV; i++)
        SAME(t_readable(&s[0].t, i), t_readable(&s[1].t, i), "vCPU readable");
}

/* every distributor word of every vCPU's view, and the CPU interfaces' registers */
static void checkpoint_v2(struct side *s)
{
    for (int c = 0; c < NV; c++) {
        for (uint32_t off = 0; off < 0xf30; off += 4) {
            if (off == 0xf00 || (off >= 0xd00 && off < 0xf10))
                continue;
            SAME(t_mmio_as(&s[0].t, c, DIST_BASE + off, 4, 0, 0),
                 t_mmio_as(&s[1].t, c, DIST_BASE + off, 4, 0, 0), "GICD register (v2)");
        }
        for (size_t i = 0; i < sizeof(v2_gicc_regs) / sizeof(v2_gicc_regs[0]); i++)
            SAME(t_mmio_as(&s[0].t, c, GICC(v2_gicc_regs[i]), 4, 0, 0),
                 t_mmio_as(&s[1].t, c, GICC(v2_gicc_regs[i]), 4, 0, 0), "GICC register");
    }
}

/* the v2 run's length: --ops N with --v2-only, else a tenth of it (at least 1000) */
static bool v2_only;

static void test_differential_v2(void **state)
{
    (void)state;
    seed = tt_seed(SEED);
    uint64_t nops = tt_ops(100000);
    if (!v2_only)
        nops = nops / 10 < 1000 ? 1000 : nops / 10;
    printf("GICv2 differential %s vs %s: seed 0x%" PRIx64 ", %" PRIu64 " operations\n", tg.src,
           tg.dst, seed, nops);
    rs = seed ? seed : 1;
    delivered = 0;
    static struct side s[2];
    memset(s, 0, sizeof(s));
    t_vm_open_v2(&s[0].t, tg.src, NV, NIRQ);
    t_vm_open_v2(&s[1].t, tg.dst, NV, NIRQ);
    for (int k = 0; k < 2; k++) {
        t_run_all(&s[k].t);
        t_mmio_as(&s[k].t, 0, DIST_BASE, 4, 1, 1);
        for (int c = 0; c < NV; c++) {
            t_mmio_as(&s[k].t, c, GICC(0x00), 4, 1, 3);
            t_mmio_as(&s[k].t, c, GICC(0x04), 4, 1, 0xf8);
        }
    }
    for (op_no = 0; op_no < nops; op_no++) {
        one_op_v2(s);
        if (op_no % 2000 == 1999)
            checkpoint_v2(s);
    }
    checkpoint_v2(s);
    printf("done: %" PRIu64 " GICv2 operations identical, %" PRIu64 " interrupts acknowledged\n",
           nops, delivered);
    assert_true(delivered > nops / 100);
    for (int k = 0; k < 2; k++)
        t_vm_close(&s[k].t);
}

/* Every ICC encoding with Op0 = 3, Op1 = 0, CRn 4 or 12, read and written, gives the same
 * answer (value, or ENXIO for an encoding the CPU interface does not have) on both cards.
 * The acknowledge registers are only written (a read would acknowledge). */
static void test_icc_decode(void **state)
{
    (void)state;
    static struct side s[2];
    memset(s, 0, sizeof(s));
    t_vm_open(&s[0].t, tg.src, 2, 64);
    t_vm_open(&s[1].t, tg.dst, 2, 64);
    unsigned checked = 0;
    for (int k = 0; k < 2; k++) {
        t_run_all(&s[k].t);
        t_guest_init(&s[k].t);
    }
    for (uint32_t crn = 4; crn <= 12; crn += 8)
        for (uint32_t crm = 0; crm < 16; crm++)
            for (uint32_t op2 = 0; op2 < 8; op2++)
                for (int wr = 1; wr >= 0; wr--) {
                    uint32_t enc = ENC(3, 0, crn, crm, op2);
                    if (!wr && (enc == ENC(3, 0, 12, 8, 0) || enc == ENC(3, 0, 12, 12, 0)))
                        continue;
                    int rc[2], er[2];
                    uint64_t val[2];
                    for (int k = 0; k < 2; k++) {
                        struct ioe_sysreg r = {.enc = enc, .is_write = (uint8_t)wr, .value = 0};
                        rc[k] = ioe_ioctl(s[k].t.vcpu[0], IOE_VCPU_SYSREG, &r);
                        er[k] = rc[k] ? errno : 0;
                        val[k] = r.value;
                    }
                    op_no = enc << 1 | (uint32_t)wr;
                    SAME(rc[0], rc[1], "ICC access result");
                    SAME(er[0], er[1], "ICC access errno");
                    SAME(val[0], val[1], "ICC read value");
                    checked++;
                }
    printf("%u ICC encodings x directions agree\n", checked);
    for (int k = 0; k < 2; k++)
        t_vm_close(&s[k].t);
}

int main(int argc, char **argv)
{
    /* --v2-only: the GICv2 differential alone, with the whole --ops count */
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--v2-only")) {
            v2_only = true;
            for (int b = a; b < argc; b++)
                argv[b] = argv[b + 1];
            argc--;
            break;
        }
    }
    tt_init(argc, argv);
    tg = tt_diff_targets();
    tt_seed(SEED);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_icc_decode),
                                       cmocka_unit_test(test_differential),
                                       cmocka_unit_test(test_differential_v2)};
    const struct CMUnitTest v2_tests[] = {cmocka_unit_test(test_differential_v2)};
    return v2_only ? cmocka_run_group_tests(v2_tests, NULL, NULL)
                   : cmocka_run_group_tests(tests, NULL, NULL);
}
