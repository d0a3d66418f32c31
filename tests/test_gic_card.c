/*
 * The GICv3 engine of the RTL (Verilator model, "sim") against docs/gic.md: the access
 * port, VM/vCPU configuration, reset values, distributor and redistributor registers,
 * input lines, routing, candidate and presentation status, acknowledge / EOI / DIR,
 * SGI generation, notifications, UNDEF / BADTARGET, and VM isolation. test_set_its (the ITS
 * flag, VM_SET_ITS) runs on the C model ("soft") as well.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "targets.h"

#include <ioe/card.h>
#include <ioe/regs.h>

enum { READ32 = 1, WRITE32, READ64, WRITE64, LINE, VM_CONFIG, VCPU_CONFIG, VM_RESET, VM_SET_ITS };
enum { GICD = 0, RD = 1, SGI = 2, ICC = 3, STAT = 4 };

#define ST_DONE (1u << IOE_GIC_STATUS_DONE_SHIFT)
#define ST_UNDEF (1u << IOE_GIC_STATUS_UNDEF_SHIFT)
#define ST_BAD (1u << IOE_GIC_STATUS_BADTARGET_SHIFT)

/* ICC encodings: Op0[15:14] Op1[13:11] CRn[10:7] CRm[6:3] Op2[2:0] */
#define ENC(crn, crm, op2) (3u << 14 | (crn) << 7 | (crm) << 3 | (op2))
#define ICC_PMR ENC(4, 6, 0)
#define ICC_IAR0 ENC(12, 8, 0)
#define ICC_EOIR0 ENC(12, 8, 1)
#define ICC_HPPIR0 ENC(12, 8, 2)
#define ICC_BPR0 ENC(12, 8, 3)
#define ICC_AP0R0 ENC(12, 8, 4)
#define ICC_AP0R1 ENC(12, 8, 5)
#define ICC_AP1R0 ENC(12, 9, 0)
#define ICC_DIR ENC(12, 11, 1)
#define ICC_RPR ENC(12, 11, 3)
#define ICC_SGI1R ENC(12, 11, 5)
#define ICC_SGI0R ENC(12, 11, 7)
#define ICC_IAR1 ENC(12, 12, 0)
#define ICC_EOIR1 ENC(12, 12, 1)
#define ICC_HPPIR1 ENC(12, 12, 2)
#define ICC_BPR1 ENC(12, 12, 3)
#define ICC_CTLR ENC(12, 12, 4)
#define ICC_SRE ENC(12, 12, 5)
#define ICC_IGRPEN0 ENC(12, 12, 6)
#define ICC_IGRPEN1 ENC(12, 12, 7)

static struct ioe_card *card;

/* One operation of the access port; returns STATUS (BUSY clear), rdata when asked. */
static uint32_t gic_op(uint32_t vm, uint32_t vcpu, uint32_t space, int ua, uint32_t off,
                       uint64_t wdata, uint32_t code, uint64_t *rdata)
{
    uint32_t target = vm | vcpu << 8 | space << 16 | (uint32_t)(ua ? 1 : 0) << 20;
    assert_int_equal(ioe_card_write32(card, IOE_GIC_TARGET, target), 0);
    assert_int_equal(ioe_card_write32(card, IOE_GIC_OFFSET, off), 0);
    assert_int_equal(ioe_card_write32(card, IOE_GIC_WDATA_LO, (uint32_t)wdata), 0);
    assert_int_equal(ioe_card_write32(card, IOE_GIC_WDATA_HI, (uint32_t)(wdata >> 32)), 0);
    assert_int_equal(ioe_card_write32(card, IOE_GIC_OP, code), 0);
    uint32_t st = 1;
    for (int i = 0; i < 100000 && (st & 1u); i++)
        assert_int_equal(ioe_card_read32(card, IOE_GIC_STATUS, &st), 0);
    assert_int_equal(st & 1u, 0);
    if (rdata) {
        uint32_t lo, hi;
        assert_int_equal(ioe_card_read32(card, IOE_GIC_RDATA_LO, &lo), 0);
        assert_int_equal(ioe_card_read32(card, IOE_GIC_RDATA_HI, &hi), 0);
        *rdata = (uint64_t)hi << 32 | lo;
    }
    return st;
}

static uint32_t rd(uint32_t vm, uint32_t vc, uint32_t space, int ua, uint32_t off)
{
    uint64_t v = 0;
    assert_int_equal(gic_op(vm, vc, space, ua, off, 0, READ32, &v), ST_DONE);
    assert_int_equal(v >> 32, 0);
    return (uint32_t)v;
}

static void wr(uint32_t vm, uint32_t vc, uint32_t space, int ua, uint32_t off, uint32_t val)
{
    assert_int_equal(gic_op(vm, vc, space, ua, off, val, WRITE32, NULL), ST_DONE);
}

static uint64_t rd64(uint32_t vm, uint32_t vc, uint32_t space, int ua, uint32_t off)
{
    uint64_t v = 0;
    assert_int_equal(gic_op(vm, vc, space, ua, off, 0, READ64, &v), ST_DONE);
    return v;
}

static void wr64(uint32_t vm, uint32_t vc, uint32_t space, int ua, uint32_t off, uint64_t val)
{
    assert_int_equal(gic_op(vm, vc, space, ua, off, val, WRITE64, NULL), ST_DONE);
}

static uint64_t icc_rd(uint32_t vm, uint32_t vc, uint32_t enc)
{
    return rd64(vm, vc, ICC, 0, enc);
}

static void icc_wr(uint32_t vm, uint32_t vc, uint32_t enc, uint64_t val)
{
    wr64(vm, vc, ICC, 0, enc, val);
}

static uint32_t status(uint32_t vm, uint32_t vc)
{
    return rd(vm, vc, STAT, 0, 0);
}

static void line(uint32_t vm, uint32_t vc, uint32_t intid, int level)
{
    assert_int_equal(gic_op(vm, vc, 0, 0, 0, intid | (uint32_t)(level ? 1 : 0) << 31, LINE, NULL),
                     ST_DONE);
}

static uint32_t pres(uint32_t group, uint32_t prio, uint32_t intid)
{
    return 1u << 31 | group << 24 | prio << 16 | intid;
}

/* VM with `nvcpus` vCPUs, vCPU i at affinity 0.0.0.i (Aff1 = vm so VMs differ), processor
 * number i, the last one flagged Last. */
static void config_vm(uint32_t vm, uint32_t count, uint32_t nvcpus, int its)
{
    assert_int_equal(
        gic_op(vm, 0, 0, 0, 0, count | nvcpus << 16 | (uint32_t)its << 24, VM_CONFIG, NULL),
        ST_DONE);
    for (uint32_t i = 0; i < nvcpus; i++) {
        uint64_t w = (vm << 8 | i) | (uint64_t)(i | (i == nvcpus - 1 ? 1u << 16 : 0)) << 32;
        assert_int_equal(gic_op(vm, i, 0, 0, 0, w, VCPU_CONFIG, NULL), ST_DONE);
    }
}

/* Group 1 on: GICD_CTLR.EnableGrp1, IGRPEN1 and PMR 0xf8 on every vCPU. */
static void enable_grp1(uint32_t vm, uint32_t nvcpus)
{
    wr(vm, 0, GICD, 0, 0x0000, 2);
    for (uint32_t i = 0; i < nvcpus; i++) {
        icc_wr(vm, i, ICC_IGRPEN1, 1);
        icc_wr(vm, i, ICC_PMR, 0xf8);
    }
}

/* Set priority of an interrupt (read-modify-write of its IPRIORITYR word). */
static void set_prio(uint32_t vm, uint32_t vc, uint32_t intid, uint32_t prio)
{
    uint32_t space = intid < 32 ? SGI : GICD;
    uint32_t off = 0x400 + (intid & ~3u);
    uint32_t v = rd(vm, vc, space, 0, off);
    v &= ~(0xffu << 8 * (intid & 3));
    v |= prio << 8 * (intid & 3);
    wr(vm, vc, space, 0, off, v);
}

static void enable(uint32_t vm, uint32_t vc, uint32_t intid)
{
    wr(vm, vc, intid < 32 ? SGI : GICD, 0, 0x100 + 4 * (intid / 32), 1u << (intid % 32));
}

static void set_pending(uint32_t vm, uint32_t vc, uint32_t intid)
{
    wr(vm, vc, intid < 32 ? SGI : GICD, 0, 0x200 + 4 * (intid / 32), 1u << (intid % 32));
}

static int drain_gic(struct ioe_notification *n, int max)
{
    ioe_card_step(card, 20);
    int k = 0, got;
    struct ioe_notification tmp[64];
    while ((got = ioe_card_drain(card, tmp, 64)) > 0) {
        for (int i = 0; i < got; i++) {
            assert_int_equal(tmp[i].src, IOE_NOTIFY_SRC_GIC);
            if (k < max)
                n[k] = tmp[i];
            k++;
        }
    }
    return k;
}

static int setup(void **state)
{
    assert_int_equal(ioe_card_open(*state, &card), 0);
    return 0;
}

static int setup_soft(void **state)
{
    (void)state;
    assert_int_equal(ioe_card_open("soft", &card), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ioe_card_close(card);
    card = NULL;
    return 0;
}

/* ------------------------------------------------------------------------------ tests */

static void test_badtarget(void **state)
{
    (void)state;
    struct ioe_card_info in;
    assert_int_equal(ioe_card_info(card, &in), 0);
    /* unconfigured VM */
    assert_int_equal(gic_op(0, 0, GICD, 0, 0, 0, READ32, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 40 | 1u << 31, LINE, NULL), ST_BAD);
    /* bad VM_CONFIG values */
    assert_int_equal(gic_op(in.nr_vms, 0, 0, 0, 0, 64 | 1u << 16, VM_CONFIG, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 48 | 1u << 16, VM_CONFIG, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 100 | 1u << 16, VM_CONFIG, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, 0, 0, 0, (in.nr_irqs + 32) | 1u << 16, VM_CONFIG, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 64, VM_CONFIG, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 64 | (in.nr_vcpus + 1) << 16, VM_CONFIG, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0, 0, READ32, NULL), ST_BAD);
    /* GICv2 mode (bit 25, engines with FEATURES.GICV2): BADTARGET with an ITS (bit 24);
     * spaces of GICv3 (GICR, ICC) are unknown and GICC (5) exists. An engine without the
     * mode ignores the bit (docs/gic.md). */
    if (in.features >> IOE_CORE_FEATURES_GICV2_SHIFT & 1) {
        assert_int_equal(gic_op(0, 0, 0, 0, 0, 64 | 1u << 16 | 3u << 24, VM_CONFIG, NULL), ST_BAD);
        assert_int_equal(gic_op(0, 0, 0, 0, 0, 64 | 1u << 16 | 1u << 25, VM_CONFIG, NULL), ST_DONE);
        assert_int_equal(gic_op(0, 0, RD, 0, 4, 0, READ32, NULL), ST_BAD);
        assert_int_equal(gic_op(0, 0, ICC, 0, 0xc230, 0, READ64, NULL), ST_BAD);
        assert_int_equal(gic_op(0, 0, 5, 0, 0xfc, 0, READ32, NULL), ST_DONE);
        assert_int_equal(gic_op(0, 0, 0, 0, 0, 1, VM_SET_ITS, NULL), ST_BAD);
        assert_int_equal(gic_op(0, 0, 0, 0, 0, 0, VM_RESET, NULL), ST_DONE);
    }

    config_vm(0, 64, 2, 0);
    uint64_t v = 5;
    assert_int_equal(gic_op(0, 0, GICD, 0, 0, 0, READ32, &v), ST_DONE);
    assert_int_equal(v, 0x50);
    assert_int_equal(gic_op(in.nr_vms, 0, GICD, 0, 0, 0, READ32, &v), ST_BAD);
    assert_int_equal(v, 0x50);
    assert_int_equal(gic_op(0, 2, RD, 0, 4, 0, READ32, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 2, SGI, 0, 0x100, 0, READ32, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 2, ICC, 0, ICC_PMR, 0, READ64, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 2, STAT, 0, 0, 0, READ32, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 2, 0, 0, 0, 0, VCPU_CONFIG, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 2, GICD, 0, 0, 0, READ32, NULL), ST_DONE); /* GICD: no vCPU */
    assert_int_equal(gic_op(0, 0, 5, 0, 0, 0, READ32, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, 15, 0, 0, 0, READ32, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0, 0, 0, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0, 0, 10, NULL), ST_BAD);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0, 0, 15, NULL), ST_BAD);
    /* PPI line of a missing vCPU */
    assert_int_equal(gic_op(0, 2, 0, 0, 0, 20 | 1u << 31, LINE, NULL), ST_BAD);
    /* a BADTARGET write changes nothing */
    assert_int_equal(gic_op(0, 0, 6, 0, 0, 2, WRITE32, NULL), ST_BAD);
    assert_int_equal(rd(0, 0, GICD, 0, 0), 0x50);

    /* VM_RESET: back to no vCPUs, no interrupts */
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 0, VM_RESET, NULL), ST_DONE);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0, 0, READ32, NULL), ST_BAD);
    assert_int_equal(gic_op(in.nr_vms, 0, 0, 0, 0, 0, VM_RESET, NULL), ST_BAD);
}

static void test_undef(void **state)
{
    (void)state;
    config_vm(0, 64, 2, 0);
    uint64_t v = 7;
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x2, 0, READ32, &v), ST_DONE | ST_UNDEF);
    assert_int_equal(v, 0);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x14, 0, READ32, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x0108, 0, READ32, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x0108, ~0u, WRITE32, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x0440, 0, READ32, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x0c10, 0, READ32, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x6000 + 8 * 31, 0, READ64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x6000 + 8 * 64, 0, READ64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x6000 + 8 * 63, 0, READ64, NULL), ST_DONE);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x6004 + 8 * 63, 0, READ64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, GICD, 0, 0x0000, 0, READ64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, RD, 0, 0x0018, 0, READ32, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, SGI, 0, 0x0084, 0, READ32, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, SGI, 0, 0x0420, 0, READ32, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, ICC, 0, ICC_AP0R1, 0, READ64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, ICC, 0, ENC(12, 9, 1), 0, READ64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, ICC, 0, 0x1234, 0, READ64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, ICC, 1, ICC_IAR1, 0, READ64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, ICC, 1, ICC_SGI1R, 0, WRITE64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, ICC, 1, ICC_RPR, 0, READ64, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, STAT, 0, 4, 0, READ32, NULL), ST_DONE | ST_UNDEF);
    /* LINE: SGIs and INTIDs beyond the count */
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 3 | 1u << 31, LINE, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 64 | 1u << 31, LINE, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 63 | 1u << 31, LINE, NULL), ST_DONE);
    /* words of INTIDs 0..31 in the distributor: RAZ/WI, not UNDEF */
    wr(0, 0, GICD, 0, 0x0100, ~0u);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0100), 0);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0400), 0);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0100), 0x0000ffff);
}

static void test_reset_values(void **state)
{
    (void)state;
    config_vm(1, 256, 4, 0);
    config_vm(2, 96, 1, 1);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0000), 0x50);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0004), 7 | 9u << 19);
    assert_int_equal(rd(2, 0, GICD, 0, 0x0004), 2 | 15u << 19 | 1u << 17);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0008), 0x4b00343b);
    assert_int_equal(rd(1, 0, GICD, 0, 0x000c), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0010), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0xffe8), 0x3b);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0084), 0xffffffff);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0088), 0xffffffff);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0104), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0204), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0304), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0420), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0820), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0c08), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0d04), 0);
    assert_int_equal(rd64(1, 0, GICD, 0, 0x6000 + 8 * 255), 0);
    for (uint32_t i = 0; i < 4; i++) {
        uint64_t typer = (uint64_t)(1u << 8 | i) << 32 | i << 8 | (i == 3 ? 1u << 4 : 0);
        assert_int_equal(rd64(1, i, RD, 0, 0x0008), typer);
        assert_int_equal(rd(1, i, RD, 0, 0x0008), (uint32_t)typer);
        assert_int_equal(rd(1, i, RD, 0, 0x000c), (uint32_t)(typer >> 32));
        assert_int_equal(rd(1, i, RD, 0, 0x0000), 0);
        assert_int_equal(rd(1, i, RD, 0, 0x0004), 0x4b00043b);
        assert_int_equal(rd(1, i, RD, 0, 0x0014), 0);
        assert_int_equal(rd(1, i, RD, 0, 0xffe8), 0x3b);
        assert_int_equal(rd64(1, i, RD, 0, 0x0070), 0);
        assert_int_equal(rd64(1, i, RD, 0, 0x0078), 0);
        assert_int_equal(rd(1, i, SGI, 0, 0x0080), 0xffffffff);
        assert_int_equal(rd(1, i, SGI, 0, 0x0100), 0x0000ffff);
        assert_int_equal(rd(1, i, SGI, 0, 0x0180), 0x0000ffff);
        assert_int_equal(rd(1, i, SGI, 0, 0x0200), 0);
        assert_int_equal(rd(1, i, SGI, 0, 0x0300), 0);
        assert_int_equal(rd(1, i, SGI, 0, 0x041c), 0);
        assert_int_equal(rd(1, i, SGI, 0, 0x0c00), 0xaaaaaaaa);
        assert_int_equal(rd(1, i, SGI, 0, 0x0c04), 0);
        assert_int_equal(rd(1, i, SGI, 0, 0x0d00), 0);
        assert_int_equal(rd(1, i, SGI, 0, 0x0e00), 0);
        assert_int_equal(icc_rd(1, i, ICC_PMR), 0);
        assert_int_equal(icc_rd(1, i, ICC_BPR0), 2);
        assert_int_equal(icc_rd(1, i, ICC_BPR1), 3);
        assert_int_equal(icc_rd(1, i, ICC_AP0R0), 0);
        assert_int_equal(icc_rd(1, i, ICC_AP1R0), 0);
        assert_int_equal(icc_rd(1, i, ICC_CTLR), 0x8400);
        assert_int_equal(icc_rd(1, i, ICC_SRE), 7);
        assert_int_equal(icc_rd(1, i, ICC_IGRPEN0), 0);
        assert_int_equal(icc_rd(1, i, ICC_IGRPEN1), 0);
        assert_int_equal(icc_rd(1, i, ICC_RPR), 0xff);
        assert_int_equal(icc_rd(1, i, ICC_HPPIR1), 1023);
        assert_int_equal(icc_rd(1, i, ICC_HPPIR0), 1023);
        assert_int_equal(icc_rd(1, i, ICC_IAR1), 1023);
        assert_int_equal(status(1, i), 0x3ff);
    }
    /* GICR_CTLR.EnableLPIs only with an ITS; PROPBASER/PENDBASER stored */
    wr(1, 0, RD, 0, 0x0000, 1);
    assert_int_equal(rd(1, 0, RD, 0, 0x0000), 0);
    wr(2, 0, RD, 0, 0x0000, 1);
    assert_int_equal(rd(2, 0, RD, 0, 0x0000), 1);
    assert_int_equal(rd64(2, 0, RD, 0, 0x0008) & 1, 1); /* PLPIS */
    wr64(1, 2, RD, 1, 0x0070, 0x123456789abcdef0ull);
    wr(1, 2, RD, 1, 0x007c, 0xcafef00d);
    wr(1, 2, RD, 1, 0x0078, 0x11223344);
    assert_int_equal(rd64(1, 2, RD, 1, 0x0070), 0x123456789abcdef0ull);
    assert_int_equal(rd(1, 2, RD, 1, 0x0074), 0x12345678);
    assert_int_equal(rd64(1, 2, RD, 0, 0x0078), 0xcafef00d11223344ull);
    assert_int_equal(rd64(1, 1, RD, 0, 0x0070), 0);
    /* TYPER writes ignored */
    wr64(1, 2, RD, 1, 0x0008, ~0ull);
    assert_int_equal(rd(1, 2, RD, 0, 0x0008), 2u << 8);
    /* STATUSR: userspace view stores, guest view reads 0 */
    wr(1, 0, GICD, 1, 0x0010, 0xdeadbeef);
    assert_int_equal(rd(1, 0, GICD, 1, 0x0010), 0xdeadbeef);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0010), 0);
    wr(1, 0, GICD, 0, 0x0010, 1);
    assert_int_equal(rd(1, 0, GICD, 1, 0x0010), 0xdeadbeef);
    wr(1, 3, RD, 1, 0x0010, 0x5a5a);
    assert_int_equal(rd(1, 3, RD, 1, 0x0010), 0x5a5a);
    assert_int_equal(rd(1, 3, RD, 0, 0x0010), 0);
    assert_int_equal(rd(1, 2, RD, 1, 0x0010), 0);
    /* VM_CONFIG resets everything of the VM */
    config_vm(1, 256, 4, 0);
    assert_int_equal(rd(1, 0, GICD, 1, 0x0010), 0);
    assert_int_equal(rd64(1, 2, RD, 1, 0x0070), 0);
    assert_int_equal(rd(1, 3, RD, 1, 0x0010), 0);
}

static void test_dist_regs(void **state)
{
    (void)state;
    config_vm(0, 128, 2, 0);
    /* enables */
    wr(0, 0, GICD, 0, 0x0104, 0x00ff0f00);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0104), 0x00ff0f00);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0184), 0x00ff0f00);
    wr(0, 0, GICD, 0, 0x0184, 0x000f0100);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0104), 0x00f00e00);
    /* groups */
    wr(0, 0, GICD, 0, 0x0088, 0x0000ffff);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0088), 0x0000ffff);
    /* pending via ISPENDR/ICPENDR (guest and userspace views) */
    wr(0, 0, GICD, 0, 0x0208, 0x80000001);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0208), 0x80000001);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0288), 0x80000001);
    assert_int_equal(rd(0, 0, GICD, 1, 0x0288), 0);
    wr(0, 0, GICD, 1, 0x0288, 0x80000001); /* userspace ICPENDR: ignored */
    assert_int_equal(rd(0, 0, GICD, 1, 0x0208), 0x80000001);
    wr(0, 0, GICD, 0, 0x0288, 0x00000001);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0208), 0x80000000);
    /* active */
    wr(0, 0, GICD, 0, 0x030c, 0x00000030);
    assert_int_equal(rd(0, 0, GICD, 0, 0x038c), 0x00000030);
    wr(0, 0, GICD, 0, 0x038c, 0x00000010);
    assert_int_equal(rd(0, 0, GICD, 0, 0x030c), 0x00000020);
    /* priorities keep bits [7:3] */
    wr(0, 0, GICD, 0, 0x0420, 0xffa0173f);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0420), 0xf8a01038);
    /* ICFGR: bit 1 of each field */
    wr(0, 0, GICD, 0, 0x0c0c, 0xffffffff);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0c0c), 0xaaaaaaaa);
    wr(0, 0, GICD, 0, 0x0c0c, 0x00000003);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0c0c), 0x00000002);
    /* IROUTER: 64-bit and 32-bit halves, IRM ignored */
    wr64(0, 0, GICD, 0, 0x6000 + 8 * 100, 0xffffffffffffffffull);
    assert_int_equal(rd64(0, 0, GICD, 0, 0x6000 + 8 * 100), 0x000000ff00ffffffull);
    wr(0, 0, GICD, 0, 0x6000 + 8 * 100, 0x12345678);
    wr(0, 0, GICD, 0, 0x6004 + 8 * 100, 0x9a);
    assert_int_equal(rd(0, 0, GICD, 0, 0x6000 + 8 * 100), 0x00345678);
    assert_int_equal(rd(0, 0, GICD, 0, 0x6004 + 8 * 100), 0x9a);
    assert_int_equal(rd64(0, 0, GICD, 0, 0x6000 + 8 * 101), 0);
    /* redistributor SGI frame: per vCPU */
    wr(0, 1, SGI, 0, 0x0180, 0x0000000f);
    wr(0, 1, SGI, 0, 0x0100, 0x00030000);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0100), 0x0003fff0);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0100), 0x0000ffff);
    wr(0, 1, SGI, 0, 0x0c00, 0);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0c00), 0xaaaaaaaa);
    wr(0, 1, SGI, 0, 0x0c04, 0xffffffff);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0c04), 0xaaaaaaaa);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0c04), 0);
    wr(0, 1, SGI, 0, 0x0410, 0x08101820);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0410), 0x08101820);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0410), 0);
    wr(0, 1, SGI, 0, 0x0080, 0xfffffffe);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0080), 0xfffffffe);
    /* ITARGETSR and IGRPMODR: 0, writes ignored */
    wr(0, 0, GICD, 0, 0x0824, 0x01010101);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0824), 0);
}

static void test_lines(void **state)
{
    (void)state;
    config_vm(0, 64, 2, 0);
    /* level SPI 40 */
    line(0, 0, 40, 1);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 1u << 8);
    assert_int_equal(rd(0, 0, GICD, 1, 0x0204), 0); /* userspace: latch only */
    line(0, 0, 40, 0);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 0);
    /* a latch set by ISPENDR stays after the line drops */
    line(0, 0, 40, 1);
    wr(0, 0, GICD, 0, 0x0204, 1u << 8);
    line(0, 0, 40, 0);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 1u << 8);
    wr(0, 0, GICD, 0, 0x0284, 1u << 8);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 0);
    /* ICPENDR does not clear a high level line */
    line(0, 0, 40, 1);
    wr(0, 0, GICD, 0, 0x0284, 1u << 8);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 1u << 8);
    line(0, 0, 40, 0);
    /* edge SPI 41: level 1 sets the latch, level 0 does nothing */
    wr(0, 0, GICD, 0, 0x0c08, 2u << 18);
    line(0, 0, 41, 1);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 1u << 9);
    assert_int_equal(rd(0, 0, GICD, 1, 0x0204), 1u << 9);
    line(0, 0, 41, 0);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 1u << 9);
    wr(0, 0, GICD, 0, 0x0284, 1u << 9);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 0);
    /* PPI 20 on vCPU 1 only */
    line(0, 1, 20, 1);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0200), 1u << 20);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0200), 0);
    line(0, 1, 20, 0);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0200), 0);
}

static void test_ack_order_and_eoi(void **state)
{
    (void)state;
    config_vm(0, 64, 2, 0);
    enable_grp1(0, 2);
    uint32_t irqs[] = {40, 41, 42, 20};
    uint32_t prios[] = {0x80, 0x40, 0x40, 0x60};
    for (int i = 0; i < 4; i++) {
        set_prio(0, 0, irqs[i], prios[i]);
        enable(0, 0, irqs[i]);
    }
    assert_int_equal(status(0, 0), 0x3ff);
    for (int i = 0; i < 4; i++)
        set_pending(0, 0, irqs[i]);
    assert_int_equal(status(0, 0), pres(1, 0x40, 41));
    assert_int_equal(status(0, 1), 0x3ff);
    assert_int_equal(icc_rd(0, 0, ICC_HPPIR1), 41);
    assert_int_equal(icc_rd(0, 0, ICC_HPPIR0), 1023);
    assert_int_equal(icc_rd(0, 0, ICC_IAR0), 1023); /* wrong group: nothing happens */
    uint32_t expect[] = {41, 42, 20, 40};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(icc_rd(0, 0, ICC_IAR1), expect[i]);
        assert_int_equal(rd(0, 0, expect[i] < 32 ? SGI : GICD, 0, 0x0300 + 4 * (expect[i] / 32)) &
                             (1u << (expect[i] % 32)),
                         1u << (expect[i] % 32));
        assert_int_equal(rd(0, 0, expect[i] < 32 ? SGI : GICD, 0, 0x0200 + 4 * (expect[i] / 32)) &
                             (1u << (expect[i] % 32)),
                         0);
        uint32_t p = expect[i] == 40 ? 0x80 : expect[i] == 20 ? 0x60 : 0x40;
        assert_int_equal(icc_rd(0, 0, ICC_AP1R0), 1u << (p >> 3));
        assert_int_equal(icc_rd(0, 0, ICC_RPR), p);
        icc_wr(0, 0, ICC_EOIR1, expect[i]);
        assert_int_equal(icc_rd(0, 0, ICC_AP1R0), 0);
        assert_int_equal(icc_rd(0, 0, ICC_RPR), 0xff);
        assert_int_equal(rd(0, 0, expect[i] < 32 ? SGI : GICD, 0, 0x0300 + 4 * (expect[i] / 32)),
                         0);
    }
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 1023);
    assert_int_equal(status(0, 0), 0x3ff);
    /* a level interrupt whose line is high stays pending after acknowledge */
    set_prio(0, 0, 50, 0x10);
    enable(0, 0, 50);
    line(0, 0, 50, 1);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 50);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 1u << 18);
    assert_int_equal(status(0, 0), 0x3ff); /* active: not eligible */
    icc_wr(0, 0, ICC_EOIR1, 50);
    assert_int_equal(status(0, 0), pres(1, 0x10, 50));
    line(0, 0, 50, 0);
    assert_int_equal(status(0, 0), 0x3ff);
    /* EOI of special and out-of-range INTIDs is ignored (no priority drop) */
    icc_wr(0, 0, ICC_AP1R0, 0x3);
    icc_wr(0, 0, ICC_EOIR1, 1023);
    icc_wr(0, 0, ICC_EOIR1, 64);
    assert_int_equal(icc_rd(0, 0, ICC_AP1R0), 0x3);
    icc_wr(0, 0, ICC_EOIR1, 63);
    assert_int_equal(icc_rd(0, 0, ICC_AP1R0), 0x2);
}

static void test_gating(void **state)
{
    (void)state;
    config_vm(0, 64, 1, 0);
    set_prio(0, 0, 33, 0x40);
    enable(0, 0, 33);
    set_pending(0, 0, 33);
    /* nothing until EnableGrp1, IGRPEN1 and PMR allow it */
    assert_int_equal(status(0, 0), 0x3ff);
    wr(0, 0, GICD, 0, 0x0000, 2);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0000), 0x52);
    assert_int_equal(status(0, 0), 0x3ff);
    assert_int_equal(icc_rd(0, 0, ICC_HPPIR1), 1023);
    icc_wr(0, 0, ICC_IGRPEN1, 1);
    assert_int_equal(icc_rd(0, 0, ICC_HPPIR1), 33); /* candidate, masked by PMR 0 */
    assert_int_equal(status(0, 0), 0x3ff);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 1023);
    icc_wr(0, 0, ICC_PMR, 0x40);
    assert_int_equal(icc_rd(0, 0, ICC_PMR), 0x40);
    assert_int_equal(status(0, 0), 0x3ff); /* priority must be below PMR */
    icc_wr(0, 0, ICC_PMR, 0x4f);
    assert_int_equal(icc_rd(0, 0, ICC_PMR), 0x48);
    assert_int_equal(status(0, 0), pres(1, 0x40, 33));
    /* group 0 */
    wr(0, 0, GICD, 0, 0x0084, ~2u);
    assert_int_equal(status(0, 0), 0x3ff);
    icc_wr(0, 0, ICC_IGRPEN0, 1);
    assert_int_equal(status(0, 0), pres(0, 0x40, 33));
    assert_int_equal(icc_rd(0, 0, ICC_HPPIR0), 33);
    assert_int_equal(icc_rd(0, 0, ICC_HPPIR1), 1023);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 1023);
    assert_int_equal(icc_rd(0, 0, ICC_IAR0), 33);
    assert_int_equal(icc_rd(0, 0, ICC_AP0R0), 1u << 8);
    icc_wr(0, 0, ICC_EOIR0, 33);
    assert_int_equal(icc_rd(0, 0, ICC_AP0R0), 0);
    /* disable */
    set_pending(0, 0, 33);
    wr(0, 0, GICD, 0, 0x0184, 2);
    assert_int_equal(status(0, 0), 0x3ff);
    enable(0, 0, 33);
    assert_int_equal(status(0, 0), pres(0, 0x40, 33));
    wr(0, 0, GICD, 0, 0x0000, 0);
    assert_int_equal(status(0, 0), 0x3ff);
}

static void test_preemption_bpr(void **state)
{
    (void)state;
    config_vm(0, 64, 1, 0);
    enable_grp1(0, 1);
    set_prio(0, 0, 40, 0x48);
    set_prio(0, 0, 41, 0x40);
    enable(0, 0, 40);
    enable(0, 0, 41);
    /* BPR1 = 3: 0x48 active, 0x40 preempts */
    set_pending(0, 0, 40);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 40);
    assert_int_equal(icc_rd(0, 0, ICC_RPR), 0x48);
    set_pending(0, 0, 41);
    assert_int_equal(status(0, 0), pres(1, 0x40, 41));
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 41);
    assert_int_equal(icc_rd(0, 0, ICC_AP1R0), 1u << 8 | 1u << 9);
    assert_int_equal(icc_rd(0, 0, ICC_RPR), 0x40);
    icc_wr(0, 0, ICC_EOIR1, 41);
    assert_int_equal(icc_rd(0, 0, ICC_RPR), 0x48);
    icc_wr(0, 0, ICC_EOIR1, 40);
    /* BPR1 = 6: 0x48 is acknowledged at group priority 0x40; 0x40 does not preempt */
    icc_wr(0, 0, ICC_BPR1, 6);
    assert_int_equal(icc_rd(0, 0, ICC_BPR1), 6);
    set_pending(0, 0, 40);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 40);
    assert_int_equal(icc_rd(0, 0, ICC_AP1R0), 1u << 8);
    assert_int_equal(icc_rd(0, 0, ICC_RPR), 0x40);
    set_pending(0, 0, 41);
    assert_int_equal(status(0, 0), 0x3ff);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 1023);
    icc_wr(0, 0, ICC_EOIR1, 40);
    assert_int_equal(status(0, 0), pres(1, 0x40, 41));
    /* BPR writes are clamped; CBPR makes BPR1 read BPR0 + 1 and ignore writes */
    icc_wr(0, 0, ICC_BPR1, 0);
    assert_int_equal(icc_rd(0, 0, ICC_BPR1), 3);
    icc_wr(0, 0, ICC_BPR0, 1);
    assert_int_equal(icc_rd(0, 0, ICC_BPR0), 2);
    icc_wr(0, 0, ICC_BPR0, 0xd);
    assert_int_equal(icc_rd(0, 0, ICC_BPR0), 5);
    icc_wr(0, 0, ICC_CTLR, 1);
    assert_int_equal(icc_rd(0, 0, ICC_CTLR), 0x8401);
    assert_int_equal(icc_rd(0, 0, ICC_BPR1), 6);
    icc_wr(0, 0, ICC_BPR1, 4);
    assert_int_equal(icc_rd(0, 0, ICC_BPR1), 6);
    icc_wr(0, 0, ICC_CTLR, 0);
    assert_int_equal(icc_rd(0, 0, ICC_BPR1), 3);
    /* CBPR = 1 with BPR0 = 5: group 1 group priority = p & 0xc0 */
    icc_wr(0, 0, ICC_CTLR, 1);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 41);
    assert_int_equal(icc_rd(0, 0, ICC_AP1R0), 1u << 8);
    icc_wr(0, 0, ICC_EOIR1, 41);
    icc_wr(0, 0, ICC_CTLR, 0);
    /* a written APR masks too */
    set_pending(0, 0, 41);
    icc_wr(0, 0, ICC_AP0R0, 1u << 8);
    assert_int_equal(icc_rd(0, 0, ICC_RPR), 0x40);
    assert_int_equal(status(0, 0), 0x3ff);
    icc_wr(0, 0, ICC_AP0R0, 0);
    assert_int_equal(status(0, 0), pres(1, 0x40, 41));
}

static void test_eoimode_dir(void **state)
{
    (void)state;
    config_vm(0, 64, 1, 0);
    enable_grp1(0, 1);
    set_prio(0, 0, 45, 0x20);
    enable(0, 0, 45);
    icc_wr(0, 0, ICC_CTLR, 2);
    assert_int_equal(icc_rd(0, 0, ICC_CTLR), 0x8402);
    set_pending(0, 0, 45);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 45);
    icc_wr(0, 0, ICC_EOIR1, 45);
    assert_int_equal(icc_rd(0, 0, ICC_AP1R0), 0);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0304), 1u << 13); /* still active */
    set_pending(0, 0, 45);
    assert_int_equal(status(0, 0), 0x3ff);
    icc_wr(0, 0, ICC_DIR, 45);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0304), 0);
    assert_int_equal(status(0, 0), pres(1, 0x20, 45));
    /* EOImode 0: DIR is ignored, EOI deactivates */
    icc_wr(0, 0, ICC_CTLR, 0);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 45);
    icc_wr(0, 0, ICC_DIR, 45);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0304), 1u << 13);
    icc_wr(0, 0, ICC_EOIR1, 45);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0304), 0);
    /* private interrupt: PPI 27 */
    icc_wr(0, 0, ICC_CTLR, 2);
    set_prio(0, 0, 27, 0x08);
    enable(0, 0, 27);
    line(0, 0, 27, 1);
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 27);
    line(0, 0, 27, 0);
    icc_wr(0, 0, ICC_EOIR1, 27);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0300), 1u << 27);
    icc_wr(0, 0, ICC_DIR, 27);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0300), 0);
}

static void test_routing(void **state)
{
    (void)state;
    config_vm(0, 64, 3, 0);
    enable_grp1(0, 3);
    set_prio(0, 0, 60, 0x30);
    enable(0, 0, 60);
    set_pending(0, 0, 60);
    /* route 0 = vCPU 0 (affinity 0.0.0.0) */
    assert_int_equal(status(0, 0), pres(1, 0x30, 60));
    assert_int_equal(status(0, 1), 0x3ff);
    wr64(0, 0, GICD, 0, 0x6000 + 8 * 60, 2);
    assert_int_equal(status(0, 0), 0x3ff);
    assert_int_equal(status(0, 2), pres(1, 0x30, 60));
    /* nowhere: stays pending, presented once a vCPU matches */
    wr64(0, 0, GICD, 0, 0x6000 + 8 * 60, 0x0100000005ull);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(status(0, i), 0x3ff);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 1u << 28);
    assert_int_equal(gic_op(0, 1, 0, 0, 0, 0x01000005, VCPU_CONFIG, NULL), ST_DONE);
    assert_int_equal(status(0, 1), pres(1, 0x30, 60));
    assert_int_equal(icc_rd(0, 0, ICC_IAR1), 1023);
    assert_int_equal(icc_rd(0, 1, ICC_IAR1), 60);
    icc_wr(0, 1, ICC_EOIR1, 60);
    assert_int_equal(status(0, 1), 0x3ff);
}

static void test_sgi(void **state)
{
    (void)state;
    config_vm(0, 64, 4, 0);
    enable_grp1(0, 4);
    /* target list {1, 3}, Aff1.. of this VM are 0 */
    icc_wr(0, 0, ICC_SGI1R, 5ull << 24 | 0xa);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0200), 0);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0200), 1u << 5);
    assert_int_equal(rd(0, 2, SGI, 0, 0x0200), 0);
    assert_int_equal(rd(0, 3, SGI, 0, 0x0200), 1u << 5);
    assert_int_equal(status(0, 1), pres(1, 0, 5));
    assert_int_equal(icc_rd(0, 1, ICC_IAR1), 5);
    icc_wr(0, 1, ICC_EOIR1, 5);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0200), 0);
    /* self included when listed; RS and Aff1 must match */
    icc_wr(0, 0, ICC_SGI1R, 6ull << 24 | 0x1);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0200), 1u << 6);
    icc_wr(0, 0, ICC_SGI1R, 7ull << 24 | 1ull << 44 | 0xf);
    icc_wr(0, 0, ICC_SGI1R, 7ull << 24 | 1ull << 16 | 0xf);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(rd(0, i, SGI, 0, 0x0200) & (1u << 7), 0);
    /* IRM: every other vCPU */
    icc_wr(0, 2, ICC_SGI1R, 8ull << 24 | 1ull << 40);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(rd(0, i, SGI, 0, 0x0200) & (1u << 8), i == 2 ? 0 : 1u << 8);
    /* group: SGI 9 is group 0 at vCPU 3 */
    wr(0, 3, SGI, 0, 0x0080, ~(1u << 9));
    icc_wr(0, 0, ICC_SGI1R, 9ull << 24 | 0xc);
    assert_int_equal(rd(0, 2, SGI, 0, 0x0200) & (1u << 9), 1u << 9);
    assert_int_equal(rd(0, 3, SGI, 0, 0x0200) & (1u << 9), 0);
    icc_wr(0, 0, ICC_SGI0R, 9ull << 24 | 0xc);
    assert_int_equal(rd(0, 3, SGI, 0, 0x0200) & (1u << 9), 1u << 9);
    /* SGIs are edge: ISPENDR0 pends, ICPENDR0 clears */
    wr(0, 1, SGI, 0, 0x0280, ~0u);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0200), 0);
    wr(0, 1, SGI, 0, 0x0200, 1u << 3);
    assert_int_equal(rd(0, 1, SGI, 0, 0x0200), 1u << 3);
}

static void test_notifications(void **state)
{
    (void)state;
    struct ioe_notification n[16];
    config_vm(3, 64, 2, 0);
    assert_int_equal(drain_gic(n, 16), 0);
    enable_grp1(3, 2);
    set_prio(3, 0, 33, 0x40);
    enable(3, 0, 33);
    wr64(3, 0, GICD, 0, 0x6000 + 8 * 33, 3u << 8); /* vCPU 0 of VM 3 is 0.0.3.0 */
    assert_int_equal(drain_gic(n, 16), 0);
    set_pending(3, 0, 33);
    assert_int_equal(drain_gic(n, 16), 1);
    assert_int_equal(n[0].vm, 3);
    assert_int_equal(n[0].vcpu, 0);
    /* no change: no record */
    set_pending(3, 0, 33);
    set_prio(3, 0, 34, 0x10);
    wr64(3, 0, GICD, 0, 0x6000 + 8 * 34, 3u << 8);
    assert_int_equal(drain_gic(n, 16), 0);
    /* a better candidate changes the value */
    enable(3, 0, 34);
    set_pending(3, 0, 34);
    assert_int_equal(drain_gic(n, 16), 1);
    assert_int_equal(status(3, 0), pres(1, 0x10, 34));
    /* acknowledge: 34 active, 33 not presentable behind RPR 0x10 */
    assert_int_equal(icc_rd(3, 0, ICC_IAR1), 34);
    assert_int_equal(drain_gic(n, 16), 1);
    assert_int_equal(status(3, 0), 0x3ff);
    icc_wr(3, 0, ICC_EOIR1, 34);
    assert_int_equal(drain_gic(n, 16), 1);
    /* moving the route notifies both vCPUs */
    wr64(3, 0, GICD, 0, 0x6000 + 8 * 33, 3u << 8 | 1);
    assert_int_equal(drain_gic(n, 16), 2);
    assert_int_equal(n[0].vcpu + n[1].vcpu, 1);
    assert_int_equal(status(3, 1), pres(1, 0x40, 33));
    /* PMR change */
    icc_wr(3, 1, ICC_PMR, 0x40);
    assert_int_equal(drain_gic(n, 16), 1);
    assert_int_equal(n[0].vcpu, 1);
    /* reads do not notify */
    assert_int_equal(status(3, 1), 0x3ff);
    assert_int_equal(icc_rd(3, 1, ICC_IAR1), 1023);
    assert_int_equal(drain_gic(n, 16), 0);
}

static void test_two_vms(void **state)
{
    (void)state;
    struct ioe_notification n[16];
    config_vm(0, 64, 1, 0);
    config_vm(1, 64, 1, 0);
    enable_grp1(0, 1);
    enable_grp1(1, 1);
    for (uint32_t vm = 0; vm < 2; vm++) {
        set_prio(vm, 0, 35, 0x20);
        enable(vm, 0, 35);
    }
    drain_gic(n, 16);
    line(0, 0, 35, 1);
    assert_int_equal(drain_gic(n, 16), 1);
    assert_int_equal(n[0].vm, 0);
    assert_int_equal(status(0, 0), pres(1, 0x20, 35));
    assert_int_equal(status(1, 0), 0x3ff);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0204), 0);
    wr(1, 0, GICD, 0, 0x0420, 0x08080808);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0420), 0x20000000);
    wr(1, 0, SGI, 0, 0x0180, 0xffff);
    assert_int_equal(rd(0, 0, SGI, 0, 0x0100), 0xffff);
    /* resetting VM 1 leaves VM 0 alone */
    assert_int_equal(gic_op(1, 0, 0, 0, 0, 0, VM_RESET, NULL), ST_DONE);
    assert_int_equal(status(0, 0), pres(1, 0x20, 35));
    assert_int_equal(icc_rd(0, 0, ICC_PMR), 0xf8);
}

static void test_uaccess_cpuif(void **state)
{
    (void)state;
    config_vm(0, 64, 1, 0);
    wr64(0, 0, ICC, 1, ICC_PMR, 0xff);
    assert_int_equal(rd64(0, 0, ICC, 1, ICC_PMR), 0xf8);
    wr64(0, 0, ICC, 1, ICC_AP1R0, 0x80000001ull);
    assert_int_equal(rd64(0, 0, ICC, 1, ICC_AP1R0), 0x80000001ull);
    wr64(0, 0, ICC, 1, ICC_IGRPEN1, 3);
    assert_int_equal(rd64(0, 0, ICC, 1, ICC_IGRPEN1), 1);
    wr64(0, 0, ICC, 1, ICC_CTLR, 3);
    assert_int_equal(rd64(0, 0, ICC, 1, ICC_CTLR), 0x8403);
    wr64(0, 0, ICC, 1, ICC_SRE, 0);
    assert_int_equal(rd64(0, 0, ICC, 1, ICC_SRE), 7);
    assert_int_equal(icc_rd(0, 0, ICC_RPR), 0);
    /* system registers are 64-bit only; the status space 32-bit only */
    assert_int_equal(gic_op(0, 0, ICC, 0, ICC_PMR, 0, READ32, NULL), ST_DONE | ST_UNDEF);
    assert_int_equal(gic_op(0, 0, STAT, 0, 0, 0, READ64, NULL), ST_DONE | ST_UNDEF);
    /* line levels (SPACE 4, 0x1000 + 4n) and RAW line writes */
    wr(0, 0, GICD, 0, 0x0c08, 2u << 18); /* 41 edge */
    assert_int_equal(gic_op(0, 0, 0, 0, 0, 41 | 3u << 30, LINE, NULL), ST_DONE);
    assert_int_equal(rd(0, 0, STAT, 0, 0x1004), 1u << 9);
    assert_int_equal(rd(0, 0, GICD, 0, 0x0204), 0); /* RAW does not latch */
    line(0, 0, 20, 1);
    assert_int_equal(rd(0, 0, STAT, 1, 0x1000), 1u << 20);
    uint64_t v = 0x55;
    assert_int_equal(gic_op(0, 0, 5, 0, 0, 0, READ32, &v), ST_BAD); /* RDATA untouched */
    assert_int_equal(v, 1u << 20);
    assert_int_equal(gic_op(0, 0, STAT, 0, 0x1008, 0, READ32, &v), ST_DONE | ST_UNDEF);
    assert_int_equal(v, 0);
}

/* Every register of VM `vm` (count interrupts, nv vCPUs) that an operation can read without
 * side effects, in a fixed order; GICD_TYPER and GICR_TYPER.PLPIS are left out (the ITS
 * flag shows there). Returns the number of values. */
#define SNAP_MAX 1024
static int snapshot(uint32_t vm, uint32_t count, uint32_t nv, uint64_t *s)
{
    int k = 0;
    s[k++] = rd(vm, 0, GICD, 0, 0x0000);
    s[k++] = rd(vm, 0, GICD, 0, 0x0008);
    s[k++] = rd(vm, 0, GICD, 1, 0x0010);
    for (uint32_t n = 1; n < count / 32; n++) {
        for (uint32_t r = 0x080; r <= 0x380; r += 0x80)
            s[k++] = rd(vm, 0, GICD, 0, r + 4 * n);
        s[k++] = rd(vm, 0, GICD, 1, 0x0200 + 4 * n); /* latches */
        s[k++] = rd(vm, 0, GICD, 0, 0x0c00 + 8 * n);
        s[k++] = rd(vm, 0, GICD, 0, 0x0c04 + 8 * n);
        s[k++] = rd(vm, 0, STAT, 0, 0x1000 + 4 * n);
    }
    for (uint32_t i = 32; i < count; i += 4)
        s[k++] = rd(vm, 0, GICD, 0, 0x0400 + i);
    for (uint32_t i = 32; i < count; i++)
        s[k++] = rd64(vm, 0, GICD, 0, 0x6000 + 8 * i);
    for (uint32_t c = 0; c < nv; c++) {
        s[k++] = rd(vm, c, RD, 0, 0x0000);
        s[k++] = rd64(vm, c, RD, 0, 0x0008) & ~1ull;
        s[k++] = rd(vm, c, RD, 1, 0x0010);
        s[k++] = rd64(vm, c, RD, 0, 0x0070);
        s[k++] = rd64(vm, c, RD, 0, 0x0078);
        for (uint32_t r = 0x080; r <= 0x380; r += 0x80)
            s[k++] = rd(vm, c, SGI, 0, r);
        s[k++] = rd(vm, c, SGI, 1, 0x0200);
        for (uint32_t r = 0x400; r < 0x420; r += 4)
            s[k++] = rd(vm, c, SGI, 0, r);
        s[k++] = rd(vm, c, SGI, 0, 0x0c04);
        s[k++] = rd(vm, c, STAT, 0, 0x1000);
        const uint32_t icc[] = {ICC_PMR,     ICC_BPR0,    ICC_BPR1, ICC_AP0R0,  ICC_AP1R0, ICC_CTLR,
                                ICC_IGRPEN0, ICC_IGRPEN1, ICC_RPR,  ICC_HPPIR0, ICC_HPPIR1};
        for (size_t j = 0; j < sizeof(icc) / sizeof(icc[0]); j++)
            s[k++] = icc_rd(vm, c, icc[j]);
        s[k++] = status(vm, c);
    }
    assert_true(k <= SNAP_MAX);
    return k;
}

static void same_snapshot(const uint64_t *a, const uint64_t *b, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i] != b[i])
            fail_msg("snapshot value %d: 0x%llx before, 0x%llx after", i, (unsigned long long)a[i],
                     (unsigned long long)b[i]);
}

static uint32_t set_its(uint32_t vm, uint64_t wdata, uint64_t *rdata)
{
    return gic_op(vm, 0, 0, 0, 0, wdata, VM_SET_ITS, rdata);
}

/* VM_SET_ITS sets and clears the VM's ITS flag (GICD_TYPER.LPIS and IDbits, GICR_TYPER.PLPIS,
 * EnableLPIs writable, EOIR of an LPI INTID) and changes nothing else. */
static void test_set_its(void **state)
{
    (void)state;
    struct ioe_card_info in;
    struct ioe_notification n[16];
    static uint64_t before[SNAP_MAX], after[SNAP_MAX];
    const uint32_t typer = 3 | 9u << 19, typer_its = 3 | 15u << 19 | 1u << 17;
    assert_int_equal(ioe_card_info(card, &in), 0);
    uint64_t v = 0;

    /* a VM that was never configured, and one out of range: BADTARGET, RDATA untouched */
    config_vm(1, 128, 2, 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0004), typer);
    assert_int_equal(set_its(0, 1, &v), ST_BAD);
    assert_int_equal(v, typer);
    assert_int_equal(set_its(in.nr_vms, 1, &v), ST_BAD);
    assert_int_equal(v, typer);

    /* some state: SPI 40 routed to vCPU 1, enabled, pending, priority 0x50; SPI 41's line
     * high; PPI 20 of vCPU 0 acknowledged (active, AP1R0); the CPU interfaces and the
     * redistributors' registers away from reset; EnableLPIs stays 0 without an ITS */
    enable_grp1(1, 2);
    wr64(1, 0, GICD, 0, 0x6000 + 8 * 40, 1u << 8 | 1);
    set_prio(1, 0, 40, 0x50);
    enable(1, 0, 40);
    set_pending(1, 0, 40);
    enable(1, 0, 41);
    line(1, 0, 41, 1);
    set_prio(1, 0, 20, 0x30);
    enable(1, 0, 20);
    line(1, 0, 20, 1);
    assert_int_equal(icc_rd(1, 0, ICC_IAR1), 20);
    icc_wr(1, 1, ICC_BPR1, 5);
    icc_wr(1, 1, ICC_PMR, 0xe0);
    wr(1, 0, GICD, 0, 0x0c08, 2u << 20); /* SPI 42 edge */
    wr(1, 0, GICD, 1, 0x0010, 0x1234);
    wr(1, 1, RD, 1, 0x0010, 0x5678);
    wr64(1, 0, RD, 0, 0x0070, 0x0000000000789f0bull);
    wr64(1, 0, RD, 0, 0x0078, 0x4000000000456000ull); /* PTZ: no pending table to read */
    wr(1, 0, RD, 0, 0x0000, 1);
    assert_int_equal(rd(1, 0, RD, 0, 0x0000), 0);
    assert_int_equal(status(1, 1), pres(1, 0x50, 40));
    drain_gic(n, 16);
    int k = snapshot(1, 128, 2, before);

    /* set: only the flag changes; DONE, RDATA 0, no notification */
    v = 7;
    assert_int_equal(set_its(1, ~0ull, &v), ST_DONE); /* WDATA beyond bit 0 ignored */
    assert_int_equal(v, 0);
    assert_int_equal(drain_gic(n, 16), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0004), typer_its);
    assert_int_equal(rd64(1, 1, RD, 0, 0x0008) & 1, 1);
    assert_int_equal(snapshot(1, 128, 2, after), k);
    same_snapshot(before, after, k);
    assert_int_equal(set_its(1, 1, NULL), ST_DONE); /* again: no change */
    assert_int_equal(rd(1, 0, GICD, 0, 0x0004), typer_its);

    /* EnableLPIs is writable now; the flag cannot be cleared while a vCPU has it */
    wr(1, 0, RD, 0, 0x0000, 1);
    assert_int_equal(rd(1, 1, RD, 0, 0x0000), 0);
    assert_int_equal(rd(1, 0, RD, 0, 0x0000), 1);
    assert_int_equal(set_its(1, ~1ull, &v), ST_BAD);
    assert_int_equal(v, 1);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0004), typer_its);
    /* EOIR1 of an LPI INTID drops the priority while the VM has an ITS */
    icc_wr(1, 0, ICC_AP1R0, 0x3);
    icc_wr(1, 0, ICC_EOIR1, 8192);
    assert_int_equal(icc_rd(1, 0, ICC_AP1R0), 0x2);
    wr(1, 0, RD, 0, 0x0000, 0);
    assert_int_equal(rd(1, 0, RD, 0, 0x0000), 0);
    icc_wr(1, 0, ICC_AP1R0, 1u << 6); /* back to PPI 20's active priority */

    /* clear: back to the first snapshot (EnableLPIs 0 again) */
    v = 7;
    assert_int_equal(set_its(1, ~1ull, &v), ST_DONE);
    assert_int_equal(v, 0);
    assert_int_equal(drain_gic(n, 16), 0);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0004), typer);
    assert_int_equal(rd64(1, 1, RD, 0, 0x0008) & 1, 0);
    assert_int_equal(snapshot(1, 128, 2, after), k);
    same_snapshot(before, after, k);
    assert_int_equal(set_its(1, 0, NULL), ST_DONE);
    /* without the flag: EnableLPIs write-ignored, EOIR1 of an LPI INTID ignored */
    wr(1, 1, RD, 0, 0x0000, 1);
    assert_int_equal(rd(1, 1, RD, 0, 0x0000), 0);
    icc_wr(1, 0, ICC_AP1R0, 0x3);
    icc_wr(1, 0, ICC_EOIR1, 8192);
    assert_int_equal(icc_rd(1, 0, ICC_AP1R0), 0x3);

    /* the flag is the VM's own; VM_CONFIG bit 24 sets it, VM_RESET clears it */
    config_vm(2, 64, 1, 0);
    assert_int_equal(set_its(2, 1, NULL), ST_DONE);
    assert_int_equal(rd(2, 0, GICD, 0, 0x0004), 1 | 15u << 19 | 1u << 17);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0004), typer);
    config_vm(2, 64, 1, 1);
    assert_int_equal(set_its(2, 0, NULL), ST_DONE);
    assert_int_equal(rd(2, 0, GICD, 0, 0x0004), 1 | 9u << 19);
    assert_int_equal(set_its(2, 1, NULL), ST_DONE);
    /* (VM_RESET and VM_CONFIG rewrite RDATA with 0, as every operation but BADTARGET) */
    assert_int_equal(rd(2, 0, GICD, 0, 0x0004), 1 | 15u << 19 | 1u << 17);
    assert_int_equal(gic_op(2, 0, 0, 0, 0, 0, VM_RESET, &v), ST_DONE);
    assert_int_equal(v, 0);
    assert_int_equal(set_its(2, 1, NULL), ST_BAD);
    assert_int_equal(rd(1, 0, GICD, 0, 0x0004), typer);
    assert_int_equal(gic_op(2, 0, 0, 0, 0, 64 | 1u << 16, VM_CONFIG, &v), ST_DONE);
    assert_int_equal(v, 0);
    assert_int_equal(rd(2, 0, GICD, 0, 0x0004), 1 | 9u << 19);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    tt_only("sim"); /* the RTL engine: skipped when sim is not among IOE_TEST_TARGETS */
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST_SETUP_TEARDOWN(test_badtarget, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_undef, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_reset_values, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_dist_regs, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_lines, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_ack_order_and_eoi, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_gating, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_preemption_bpr, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_eoimode_dir, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_routing, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_sgi, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_notifications, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_two_vms, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_uaccess_cpuif, setup, teardown),
        TT_TARGET_TEST_SETUP_TEARDOWN(test_set_its, setup, teardown),
        /* VM_SET_ITS on the C model too: its rules are the model's and the RTL's */
        cmocka_unit_test_setup_teardown(test_set_its, setup_soft, teardown),
    };
    return tt_run_tests("gic_card", tests, NULL, NULL);
}
