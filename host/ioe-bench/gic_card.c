/*
 * The GIC engine at the card boundary, on the Verilator model, at clock-cycle resolution:
 *   line -> notification   from the LINE operation reaching the card's register block to
 *                          the vCPU's notification leaving the card
 *   ack -> status          from the acknowledge (ICC_IAR1 read) reaching the card to the
 *                          notification that the vCPU's presentation status changed
 *   ack -> engine idle     from the acknowledge to STATUS.BUSY reading clear (polled with
 *                          AXI4-Lite reads of 3 cycles, so up to 3 cycles late)
 *   PPI line -> notify     the same for a PPI of vCPU 0
 *   SGI -> notification    from an ICC_SGI1R write of vCPU 0 (to itself) to the notification
 *   eoi -> next            from the EOI reaching the card to the notification that the next
 *                          (lower-priority, waiting) interrupt may be presented
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "bench.h"
#include "card_port.h"

enum { OP_READ32 = 1, OP_WRITE32, OP_READ64, OP_WRITE64, OP_LINE, OP_VM_CONFIG, OP_VCPU_CONFIG };
#define ICC_PMR (3u << 14 | 4u << 7 | 6u << 3)
#define ICC_IAR1 (3u << 14 | 12u << 7 | 12u << 3)
#define ICC_EOIR1 (ICC_IAR1 | 1u)
#define ICC_IGRPEN1 (ICC_IAR1 | 7u)
#define ICC_SGI1R (3u << 14 | 12u << 7 | 11u << 3 | 5u)

struct bench {
    struct ioe_card *card;
    const struct opts *o;
    uint64_t *lat_line, *lat_ack, *lat_eoi, *lat_idle, *lat_ppi, *lat_sgi;
    unsigned n, irqs, vcpus;
};

/* Start one GIC operation; returns the card cycle at which its OP write reached the card. */
static int gic_start(struct ioe_card *c, unsigned space, uint32_t off, unsigned code,
                     uint64_t wdata, uint64_t *t0)
{
    struct ioe_notification stale[8];
    int err;
    while (ioe_card_drain(c, stale, 8) > 0) /* records of earlier operations */
        ;
    if ((err = ioe_card_write32(c, IOE_GIC_TARGET, space << IOE_GIC_TARGET_SPACE_SHIFT)) ||
        (err = ioe_card_write32(c, IOE_GIC_OFFSET, off)) ||
        (err = ioe_card_write64(c, IOE_GIC_WDATA_LO, wdata)) || (err = ioe_card_cycles(c, t0)))
        return err;
    return ioe_card_write32(c, IOE_GIC_OP, code);
}

static int gic_wait(struct ioe_card *c)
{
    uint32_t st = 1;
    for (int i = 0; i < 1000000 && (st & 1); i++) {
        int err = ioe_card_read32(c, IOE_GIC_STATUS, &st);
        if (err)
            return err;
    }
    return (st & 1) ? -ETIMEDOUT : (st & (1u << IOE_GIC_STATUS_BADTARGET_SHIFT)) ? -EIO : 0;
}

static int gic(struct ioe_card *c, unsigned space, uint32_t off, unsigned code, uint64_t wdata)
{
    uint64_t t0;
    int err = gic_start(c, space, off, code, wdata, &t0);
    return err ? err : gic_wait(c);
}

/* Cycles from t0 to the next GIC notification. */
static int wait_note(struct ioe_card *c, uint64_t t0, uint64_t *lat)
{
    return port_wait_note(c, IOE_NOTIFY_SRC_GIC, t0, lat);
}

static int run_gic(struct bench *b)
{
    struct ioe_card *c = b->card;
    int err;
    if ((err = gic(c, 0, 0, OP_VM_CONFIG, b->irqs | b->vcpus << 16)))
        return err;
    for (unsigned v = 1; v < b->vcpus; v++) { /* vCPU 0 keeps affinity 0 */
        if ((err = ioe_card_write32(c, IOE_GIC_TARGET, v << IOE_GIC_TARGET_VCPU_SHIFT)) ||
            (err = ioe_card_write64(c, IOE_GIC_WDATA_LO, v)) ||
            (err = ioe_card_write32(c, IOE_GIC_OP, OP_VCPU_CONFIG)) || (err = gic_wait(c)))
            return err;
    }
    if ((err = gic(c, 0, 0x0000, OP_WRITE32, 2)) ||
        (err = gic(c, 0, 0x0104, OP_WRITE32, 0xffffffff)) ||
        (err = gic(c, 3, ICC_PMR, OP_WRITE64, 0xf0)) ||
        (err = gic(c, 3, ICC_IGRPEN1, OP_WRITE64, 1)) ||
        (err = gic(c, 2, 0x100, OP_WRITE32, 1u << 20))) /* PPI 20 of vCPU 0 */
        return err;
    /* SPIs 32..47 at priority 0x40, 48..63 at 0x80 */
    for (uint32_t w = 8; w < 16; w++)
        if ((err = gic(c, 0, 0x400 + 4 * w, OP_WRITE32, w < 12 ? 0x40404040u : 0x80808080u)))
            return err;
    for (unsigned i = 0; i < b->n; i++) {
        uint32_t hi = 32 + i % 16, lo = 48 + i % 16;
        uint64_t t0;
        /* line -> notification */
        if ((err = gic_start(c, 0, 0, OP_LINE, hi | 1u << 31, &t0)) ||
            (err = wait_note(c, t0, &b->lat_line[i])) || (err = gic_wait(c)) ||
            (err = gic(c, 0, 0, OP_LINE, lo | 1u << 31)))
            return err;
        /* acknowledge -> status */
        uint64_t t1;
        if ((err = gic_start(c, 3, ICC_IAR1, OP_READ64, 0, &t0)) ||
            (err = wait_note(c, t0, &b->lat_ack[i])) || (err = gic_wait(c)) ||
            (err = ioe_card_cycles(c, &t1)) || (err = gic(c, 0, 0, OP_LINE, hi)))
            return err;
        b->lat_idle[i] = t1 - t0;
        /* EOI -> the waiting lower-priority interrupt may be presented */
        if ((err = gic_start(c, 3, ICC_EOIR1, OP_WRITE64, hi, &t0)) ||
            (err = wait_note(c, t0, &b->lat_eoi[i])) || (err = gic_wait(c)))
            return err;
        if ((err = gic(c, 3, ICC_IAR1, OP_READ64, 0)) || (err = gic(c, 0, 0, OP_LINE, lo)) ||
            (err = gic(c, 3, ICC_EOIR1, OP_WRITE64, lo)))
            return err;
        /* PPI 20 of vCPU 0: line -> notification */
        if ((err = gic_start(c, 0, 0, OP_LINE, 20u | 1u << 31, &t0)) ||
            (err = wait_note(c, t0, &b->lat_ppi[i])) || (err = gic_wait(c)) ||
            (err = gic(c, 3, ICC_IAR1, OP_READ64, 0)) || (err = gic(c, 0, 0, OP_LINE, 20)) ||
            (err = gic(c, 3, ICC_EOIR1, OP_WRITE64, 20)))
            return err;
        /* SGI 3 from vCPU 0 to itself (Aff 0.0.0, target list bit 0) */
        if ((err = gic_start(c, 3, ICC_SGI1R, OP_WRITE64, 3ull << 24 | 1, &t0)) ||
            (err = wait_note(c, t0, &b->lat_sgi[i])) || (err = gic_wait(c)) ||
            (err = gic(c, 3, ICC_IAR1, OP_READ64, 0)) ||
            (err = gic(c, 3, ICC_EOIR1, OP_WRITE64, 3)))
            return err;
        struct ioe_notification junk[8];
        ioe_card_step(c, 16);
        while (ioe_card_drain(c, junk, 8) > 0)
            ;
        progress(b->o, "card: GIC engine", i + 1, b->n);
    }
    return 0;
}

static void add(struct series *s, const char *name, uint64_t *v, unsigned n)
{
    port_series(s, "card: GIC engine (sim)", name, v, n);
}

int bench_gic_card(const struct opts *o, struct series *out, unsigned *nout)
{
    struct bench b = {.o = o, .n = o->n, .irqs = o->irqs, .vcpus = o->vcpus};
    b.lat_line = calloc(b.n, sizeof(uint64_t));
    b.lat_ack = calloc(b.n, sizeof(uint64_t));
    b.lat_eoi = calloc(b.n, sizeof(uint64_t));
    b.lat_idle = calloc(b.n, sizeof(uint64_t));
    b.lat_ppi = calloc(b.n, sizeof(uint64_t));
    b.lat_sgi = calloc(b.n, sizeof(uint64_t));
    int err = !b.lat_line || !b.lat_ack || !b.lat_eoi || !b.lat_idle || !b.lat_ppi || !b.lat_sgi
                  ? -ENOMEM
                  : ioe_card_open("sim", &b.card);
    if (!err) {
        err = run_gic(&b);
        ioe_card_close(b.card);
    }
    if (err) {
        free(b.lat_line);
        free(b.lat_ack);
        free(b.lat_eoi);
        free(b.lat_idle);
        free(b.lat_ppi);
        free(b.lat_sgi);
        return err;
    }
    add(&out[(*nout)++], "SPI line -> notification", b.lat_line, b.n);
    add(&out[(*nout)++], "PPI line -> notification", b.lat_ppi, b.n);
    add(&out[(*nout)++], "SGI -> notification", b.lat_sgi, b.n);
    add(&out[(*nout)++], "ack -> status ready", b.lat_ack, b.n);
    add(&out[(*nout)++], "ack -> engine idle", b.lat_idle, b.n);
    add(&out[(*nout)++], "eoi -> next presentable", b.lat_eoi, b.n);
    return 0;
}
