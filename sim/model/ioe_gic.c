/*
 * C reference model of the card's GICv3 engine: docs/gic.md is the specification and
 * every rule below names the part of it that it implements.
 */
#include "ioe_gic.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/regs.h>

#define NR_VMS IOE_PARAM_NR_VMS_DEFAULT
#define NR_VCPUS IOE_PARAM_NR_VCPUS_DEFAULT
#define NR_IRQS IOE_PARAM_NR_IRQS_DEFAULT
#define NR_SPIS (NR_IRQS - 32)

enum {
    OP_READ32 = 1,
    OP_WRITE32,
    OP_READ64,
    OP_WRITE64,
    OP_LINE,
    OP_VM_CONFIG,
    OP_VCPU_CONFIG,
    OP_VM_RESET,
    OP_VM_SET_ITS
};
enum { SP_GICD, SP_GICR_RD, SP_GICR_SGI, SP_ICC, SP_STATUS, SP_GICC, SP_COUNT };

#define ST_DONE (1u << IOE_GIC_STATUS_DONE_SHIFT)
#define ST_UNDEF (1u << IOE_GIC_STATUS_UNDEF_SHIFT)
#define ST_BADTARGET (1u << IOE_GIC_STATUS_BADTARGET_SHIFT)

#define SPURIOUS 1023u
#define SPURIOUS_GROUP1 1022u /* GICv2: a group-1 interrupt IAR may not take */
#define LPI_FIRST 8192u
#define STATUS_IDLE SPURIOUS

/* ICC system-register encodings: Op0[15:14] Op1[13:11] CRn[10:7] CRm[6:3] Op2[2:0] */
#define SYSREG(op0, op1, crn, crm, op2)                                                            \
    ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
#define ICC_PMR SYSREG(3, 0, 4, 6, 0)
#define ICC_IAR0 SYSREG(3, 0, 12, 8, 0)
#define ICC_EOIR0 SYSREG(3, 0, 12, 8, 1)
#define ICC_HPPIR0 SYSREG(3, 0, 12, 8, 2)
#define ICC_BPR0 SYSREG(3, 0, 12, 8, 3)
#define ICC_AP0R0 SYSREG(3, 0, 12, 8, 4)
#define ICC_AP1R0 SYSREG(3, 0, 12, 9, 0)
#define ICC_DIR SYSREG(3, 0, 12, 11, 1)
#define ICC_RPR SYSREG(3, 0, 12, 11, 3)
#define ICC_SGI1R SYSREG(3, 0, 12, 11, 5)
#define ICC_SGI0R SYSREG(3, 0, 12, 11, 7)
#define ICC_IAR1 SYSREG(3, 0, 12, 12, 0)
#define ICC_EOIR1 SYSREG(3, 0, 12, 12, 1)
#define ICC_HPPIR1 SYSREG(3, 0, 12, 12, 2)
#define ICC_BPR1 SYSREG(3, 0, 12, 12, 3)
#define ICC_CTLR SYSREG(3, 0, 12, 12, 4)
#define ICC_SRE SYSREG(3, 0, 12, 12, 5)
#define ICC_IGRPEN0 SYSREG(3, 0, 12, 12, 6)
#define ICC_IGRPEN1 SYSREG(3, 0, 12, 12, 7)

#define BPR0_MIN 2
#define BPR1_MIN 3
#define PRI_MASK 0xf8u
#define GICD_IIDR_VAL 0x4b00343bu
#define GICR_IIDR_VAL 0x4b00043bu
#define PIDR2_VAL 0x3bu
#define ICC_CTLR_RO (1u << 15 | 4u << 8) /* A3V, PRIbits = 5 bits, IDbits = 16 */
#define V2_MAX_VCPUS 8u
#define V2_CPUID_SHIFT 10         /* the source CPU of an SGI in GICC_IAR / HPPIR */
#define GICC_IIDR_VAL 0x04b2043bu /* KVM's: ProductID 0x4b, architecture 2, ARM */

/* GICv2 CPU interface (SP_GICC, byte offsets) and the v2-only distributor registers */
enum {
    GICC_CTLR = 0x00,
    GICC_PMR = 0x04,
    GICC_BPR = 0x08,
    GICC_IAR = 0x0c,
    GICC_EOIR = 0x10,
    GICC_RPR = 0x14,
    GICC_HPPIR = 0x18,
    GICC_ABPR = 0x1c,
    GICC_AIAR = 0x20,
    GICC_AEOIR = 0x24,
    GICC_AHPPIR = 0x28,
    GICC_APR0 = 0xd0,
    GICC_APR3 = 0xdc,
    GICC_IIDR = 0xfc,
    GICC_DIR = 0x1000,
    GICD_SGIR = 0xf00,
    GICD_CPENDSGIR = 0xf10,
    GICD_SPENDSGIR = 0xf20,
};
/* GICC_CTLR: EnableGrp0 [0], EnableGrp1 [1], AckCtl [2], FIQEn [3], CBPR [4], EOImodeNS [9] */
#define GICC_CTLR_EOIMODE_SHIFT 9

struct irq {
    uint8_t prio;
    uint8_t src; /* GICv2 SGIs: the source vCPUs pending (latch = src != 0) */
    bool en, latch, level, active, group, edge;
    uint32_t route; /* SPIs: Aff3.Aff2.Aff1.Aff0 */
};

struct cpu {
    uint32_t aff;
    uint16_t procnum;
    bool last;
    uint8_t pmr, bpr0, bpr1;
    uint32_t ap0r, ap1r;
    bool igrpen0, igrpen1, eoimode, cbpr;
    bool ackctl, fiqen; /* GICv2 GICC_CTLR */
    bool enable_lpis;
    uint64_t propbaser, pendbaser;
    uint32_t statusr;
    uint32_t status; /* presentation status as last published */
    struct irq priv[32];
    uint32_t priv_live; /* live() of priv[i] in bit i */
};

struct vm {
    unsigned nr_irqs, nr_vcpus;
    bool its, enabled;
    bool v2; /* GICv2 mode (VM_CONFIG bit 25) */
    uint32_t statusr;
    struct irq spi[NR_SPIS];
    /* live() of SPI 32 + i in bit i % 32 of word i / 32: the candidate search visits only
     * these (an interrupt that is not live cannot be eligible) */
    uint32_t spi_live[NR_SPIS / 32];
    struct cpu cpu[NR_VCPUS];
    int cand[NR_VCPUS];         /* every vCPU's candidate as of the end of the last operation */
    uint8_t lpi_prio[NR_VCPUS]; /* its priority when the candidate is an LPI */
};

struct ioe_gic {
    ioe_gic_notify_fn notify;
    void *ctx;
    const struct ioe_gic_lpi_ops *lpi;
    void *lpi_ctx;
    uint32_t target, offset, wdata_lo, wdata_hi, status, rdata_lo, rdata_hi;
    struct vm vm[NR_VMS];
};

static void publish(struct ioe_gic *g, unsigned vmi);

/* ------------------------------------------------------------------ state */
static void irq_reset(struct irq *q, bool sgi, bool v2)
{
    memset(q, 0, sizeof(*q));
    q->group = !v2; /* KVM: group 1 for GICv3, group 0 for GICv2 */
    q->en = sgi;
    q->edge = sgi;
}

static void vm_reset(struct vm *v, unsigned nr_irqs, unsigned nr_vcpus, bool its, bool v2)
{
    memset(v, 0, sizeof(*v));
    v->nr_irqs = nr_irqs;
    v->nr_vcpus = nr_vcpus;
    v->its = its;
    v->v2 = v2;
    for (unsigned i = 0; i < NR_SPIS; i++)
        irq_reset(&v->spi[i], false, v2);
    for (unsigned c = 0; c < NR_VCPUS; c++) {
        struct cpu *p = &v->cpu[c];
        for (unsigned i = 0; i < 32; i++)
            irq_reset(&p->priv[i], i < 16, v2);
        p->bpr0 = BPR0_MIN;
        p->bpr1 = BPR1_MIN;
        p->status = STATUS_IDLE;
        v->cand[c] = -1;
    }
}

struct ioe_gic *ioe_gic_create(ioe_gic_notify_fn notify, void *ctx)
{
    struct ioe_gic *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->notify = notify;
    g->ctx = ctx;
    ioe_gic_reset(g);
    return g;
}

void ioe_gic_set_lpi_ops(struct ioe_gic *g, const struct ioe_gic_lpi_ops *ops, void *ctx)
{
    g->lpi = ops;
    g->lpi_ctx = ctx;
}

unsigned ioe_gic_nr_vcpus(const struct ioe_gic *g, unsigned vm)
{
    return vm < NR_VMS ? g->vm[vm].nr_vcpus : 0;
}

bool ioe_gic_lpis_enabled(const struct ioe_gic *g, unsigned vm, unsigned vcpu)
{
    return vm < NR_VMS && vcpu < g->vm[vm].nr_vcpus && g->vm[vm].cpu[vcpu].enable_lpis;
}

/* KVM's PROPBASER is VM-wide; the card keeps one per redistributor and the LPI side uses
 * redistributor 0's (docs/its.md). */
uint64_t ioe_gic_propbaser(const struct ioe_gic *g, unsigned vm)
{
    return vm < NR_VMS ? g->vm[vm].cpu[0].propbaser : 0;
}

uint64_t ioe_gic_pendbaser(const struct ioe_gic *g, unsigned vm, unsigned vcpu)
{
    return vm < NR_VMS && vcpu < NR_VCPUS ? g->vm[vm].cpu[vcpu].pendbaser : 0;
}

void ioe_gic_lpi_changed(struct ioe_gic *g, unsigned vm)
{
    if (vm < NR_VMS && g->vm[vm].nr_vcpus)
        publish(g, vm);
}

void ioe_gic_destroy(struct ioe_gic *g)
{
    free(g);
}

void ioe_gic_reset(struct ioe_gic *g)
{
    g->target = IOE_GIC_TARGET_RESET;
    g->offset = IOE_GIC_OFFSET_RESET;
    g->wdata_lo = IOE_GIC_WDATA_LO_RESET;
    g->wdata_hi = IOE_GIC_WDATA_HI_RESET;
    g->status = g->rdata_lo = g->rdata_hi = 0;
    for (unsigned i = 0; i < NR_VMS; i++)
        vm_reset(&g->vm[i], 0, 0, false, false);
}

static struct irq *irq_of(struct vm *v, unsigned vcpu, unsigned intid)
{
    return intid < 32 ? &v->cpu[vcpu].priv[intid] : &v->spi[intid - 32];
}

static bool pending(const struct irq *q)
{
    return q->latch || (!q->edge && q->level);
}

/* Pending, enabled and not active: eligible but for the CPU interface's group enables. */
static bool live(const struct irq *q)
{
    return pending(q) && q->en && !q->active;
}

/* Bring the live bit of one interrupt up to date; every change of its latch, level, en,
 * active or edge is followed by this. */
static void touch(struct vm *v, unsigned vcpu, unsigned intid)
{
    uint32_t *w = intid < 32 ? &v->cpu[vcpu].priv_live : &v->spi_live[(intid - 32) / 32];
    uint32_t bit = 1u << (intid % 32);
    *w = live(irq_of(v, vcpu, intid)) ? *w | bit : *w & ~bit;
}

static int vcpu_of_aff(const struct vm *v, uint32_t aff)
{
    for (unsigned c = 0; c < v->nr_vcpus; c++)
        if (v->cpu[c].aff == aff)
            return (int)c;
    return -1;
}

/* The vCPU an SPI is delivered to: GICv3, the lowest one whose affinity is its route;
 * GICv2, the lowest of its ITARGETSR targets, vCPU 0 when it has none (KVM's
 * vgic_mmio_write_target) */
static int spi_target(const struct vm *v, const struct irq *q)
{
    if (v->v2)
        return q->route ? __builtin_ctz(q->route) : 0;
    return vcpu_of_aff(v, q->route);
}

/* ------------------------------------------------------------------ presentation */
static unsigned group_prio(const struct cpu *p, const struct irq *q)
{
    unsigned bpr = q->group ? (p->cbpr ? p->bpr0 + 1u : p->bpr1) : p->bpr0 + 1u;
    return q->prio & (0xffu << bpr) & 0xffu;
}

static unsigned running_prio(const struct cpu *p)
{
    uint32_t ap = p->ap0r | p->ap1r;
    return ap ? (unsigned)__builtin_ctz(ap) << 3 : 0xffu;
}

static bool eligible(const struct cpu *p, const struct irq *q)
{
    return pending(q) && q->en && !q->active && (q->group ? p->igrpen1 : p->igrpen0);
}

/* The candidate of docs/gic.md for every vCPU in one pass over the live interrupts (the
 * others are not eligible): best[c] is the INTID, or -1. Ascending INTIDs and a strict
 * compare keep ties on the lowest INTID. */
static void candidates(struct vm *v, int *best)
{
    unsigned prio[NR_VCPUS];
    for (unsigned c = 0; c < NR_VCPUS; c++) {
        best[c] = -1;
        prio[c] = 0x100;
    }
    if (!v->enabled)
        return;
    for (unsigned c = 0; c < v->nr_vcpus; c++) {
        for (uint32_t m = v->cpu[c].priv_live; m; m &= m - 1) {
            unsigned i = (unsigned)__builtin_ctz(m);
            const struct irq *q = &v->cpu[c].priv[i];
            if (eligible(&v->cpu[c], q) && q->prio < prio[c]) {
                best[c] = (int)i;
                prio[c] = q->prio;
            }
        }
    }
    for (unsigned w = 0; w < (v->nr_irqs - 32) / 32; w++) {
        for (uint32_t m = v->spi_live[w]; m; m &= m - 1) {
            unsigned i = 32 + w * 32 + (unsigned)__builtin_ctz(m);
            const struct irq *q = &v->spi[i - 32];
            int c = spi_target(v, q);
            if (c >= 0 && eligible(&v->cpu[c], q) && q->prio < prio[c]) {
                best[c] = (int)i;
                prio[c] = q->prio;
            }
        }
    }
}

/* The LPI candidate of a vCPU (group 1), folded into the others: lower priority wins, a
 * tie keeps the lower INTID, i.e. the SGI/PPI/SPI. */
static void lpi_candidates(struct ioe_gic *g, unsigned vmi, int *best)
{
    struct vm *v = &g->vm[vmi];
    int l[NR_VCPUS];
    unsigned lp[NR_VCPUS];
    if (!v->enabled || !v->its || !g->lpi)
        return;
    g->lpi->best(g->lpi_ctx, vmi, v->nr_vcpus, l, lp);
    for (unsigned c = 0; c < v->nr_vcpus; c++) {
        if (!v->cpu[c].igrpen1 || l[c] < 0)
            continue;
        unsigned cur = best[c] < 0 ? 0x100u : irq_of(v, c, (unsigned)best[c])->prio;
        if (lp[c] < cur) {
            best[c] = l[c];
            v->lpi_prio[c] = (uint8_t)lp[c];
        }
    }
}

/* State changes only inside operations, and every operation ends with publish(), which
 * recomputes the candidates: at the start of an operation v->cand is current. */
static int candidate(struct vm *v, unsigned vcpu)
{
    return v->cand[vcpu];
}

/* The interrupt state the CPU interface needs of a candidate; an LPI candidate is group 1
 * with the priority publish() found. */
static struct irq cand_irq(struct ioe_gic *g, unsigned vmi, unsigned vcpu, unsigned intid)
{
    struct vm *v = &g->vm[vmi];
    if (intid < LPI_FIRST)
        return *irq_of(v, vcpu, intid);
    return (struct irq){.group = true, .en = true, .prio = v->lpi_prio[vcpu]};
}

static uint32_t status_of(struct ioe_gic *g, unsigned vmi, unsigned vcpu, int c)
{
    struct vm *v = &g->vm[vmi];
    const struct cpu *p = &v->cpu[vcpu];
    if (c < 0)
        return STATUS_IDLE;
    struct irq cq = cand_irq(g, vmi, vcpu, (unsigned)c);
    const struct irq *q = &cq;
    if (q->prio >= p->pmr || group_prio(p, q) >= running_prio(p))
        return STATUS_IDLE;
    return 1u << 31 | (uint32_t)q->group << 24 | (uint32_t)q->prio << 16 | (uint32_t)c;
}

static uint32_t pres_status(struct ioe_gic *g, unsigned vmi, unsigned vcpu)
{
    return status_of(g, vmi, vcpu, candidate(&g->vm[vmi], vcpu));
}

static void publish(struct ioe_gic *g, unsigned vmi)
{
    struct vm *v = &g->vm[vmi];
    candidates(v, v->cand);
    lpi_candidates(g, vmi, v->cand);
    for (unsigned c = 0; c < v->nr_vcpus; c++) {
        uint32_t s = status_of(g, vmi, c, v->cand[c]);
        if (s != v->cpu[c].status) {
            v->cpu[c].status = s;
            if (g->notify)
                g->notify(g->ctx, vmi, c);
        }
    }
}

/* ------------------------------------------------------------------ CPU interface */
/* The lowest source vCPU of a GICv2 SGI, as KVM's vgic_v2/v3_populate_lr takes them. */
static unsigned sgi_source(const struct irq *q)
{
    return q->src ? (unsigned)__builtin_ctz(q->src) : 0;
}

/* Acknowledge the presentable candidate when its group is `group1`: its INTID (a GICv2
 * SGI's with its source in [12:10]), else 1023. GICv2 keeps one combined active-priority
 * register (KVM's GICH_APR view): AP1R0. */
static uint32_t acknowledge(struct ioe_gic *g, unsigned vmi, unsigned vcpu, bool group1)
{
    struct vm *v = &g->vm[vmi];
    struct cpu *p = &v->cpu[vcpu];
    uint32_t s = pres_status(g, vmi, vcpu);
    if (!(s >> 31) || ((s >> 24 & 1) != group1))
        return SPURIOUS;
    unsigned intid = s & 0xffff;
    uint32_t ret = intid;
    struct irq lq, *q = &lq;
    if (intid >= LPI_FIRST) {
        lq = cand_irq(g, vmi, vcpu, intid); /* an LPI has no active state */
        g->lpi->ack(g->lpi_ctx, vmi, intid);
    } else {
        q = irq_of(v, vcpu, intid);
        q->active = true;
        if (v->v2 && intid < 16) {
            unsigned src = sgi_source(q);
            ret |= src << V2_CPUID_SHIFT;
            q->src &= (uint8_t) ~(1u << src);
            q->latch = q->src != 0; /* pending again for the other sources */
        } else {
            q->latch = false;
        }
        touch(v, vcpu, intid);
    }
    uint32_t bit = 1u << (group_prio(p, q) >> 3);
    if (group1 || v->v2)
        p->ap1r |= bit;
    else
        p->ap0r |= bit;
    return ret;
}

static void deactivate(struct vm *v, unsigned vcpu, unsigned intid)
{
    if (intid < v->nr_irqs) {
        irq_of(v, vcpu, intid)->active = false;
        touch(v, vcpu, intid);
    }
}

static void eoi(struct vm *v, unsigned vcpu, unsigned intid, bool group1)
{
    struct cpu *p = &v->cpu[vcpu];
    bool lpi = v->its && intid >= LPI_FIRST && intid <= 0xffff;
    if (!lpi && (intid >= 1020 || intid >= v->nr_irqs))
        return;
    uint32_t *ap = group1 ? &p->ap1r : &p->ap0r;
    *ap &= *ap - 1; /* priority drop: lowest set bit */
    if (!p->eoimode && !lpi)
        deactivate(v, vcpu, intid);
}

static void generate_sgi(struct vm *v, unsigned self, uint64_t val, bool group1)
{
    unsigned intid = (unsigned)(val >> 24 & 0xf);
    bool irm = val >> 40 & 1;
    uint32_t aff_hi = (uint32_t)(val >> 48 & 0xff) << 24 | (uint32_t)(val >> 32 & 0xff) << 16 |
                      (uint32_t)(val >> 16 & 0xff) << 8;
    unsigned rs = (unsigned)(val >> 44 & 0xf);
    for (unsigned c = 0; c < v->nr_vcpus; c++) {
        uint32_t aff = v->cpu[c].aff;
        bool hit;
        if (irm) {
            hit = c != self;
        } else {
            unsigned aff0 = aff & 0xff;
            hit = (aff & 0xffffff00u) == aff_hi && aff0 / 16 == rs && (val >> (aff0 % 16) & 1);
        }
        struct irq *q = &v->cpu[c].priv[intid];
        if (hit && q->group == group1) {
            q->latch = true;
            touch(v, c, intid);
        }
    }
}

/* GICD_SGIR (GICv2): TargetListFilter [25:24], CPUTargetList [23:16], INTID [3:0]; the
 * SGI becomes pending from `self` at every target, whatever its group (KVM's
 * vgic_mmio_write_sgir) */
static void generate_sgi_v2(struct vm *v, unsigned self, uint32_t val)
{
    unsigned intid = val & 0xf, filter = val >> 24 & 3;
    uint32_t all = (1u << v->nr_vcpus) - 1;
    uint32_t targets = filter == 0   ? (val >> 16 & 0xff)
                       : filter == 1 ? all & ~(1u << self)
                       : filter == 2 ? 1u << self
                                     : 0; /* 3: reserved */
    for (unsigned c = 0; c < v->nr_vcpus; c++) {
        if (!(targets >> c & 1))
            continue;
        struct irq *q = &v->cpu[c].priv[intid];
        q->src |= (uint8_t)(1u << self);
        q->latch = true;
        touch(v, c, intid);
    }
}

static uint32_t icc_ctlr(const struct cpu *p)
{
    return ICC_CTLR_RO | (uint32_t)p->eoimode << 1 | p->cbpr;
}

/* Returns false for UNDEF. */
static bool icc_access(struct ioe_gic *g, unsigned vmi, unsigned vcpu, unsigned enc, bool write,
                       uint64_t wval, uint64_t *rval, bool uaccess)
{
    struct vm *v = &g->vm[vmi];
    struct cpu *p = &v->cpu[vcpu];
    uint32_t w = (uint32_t)wval;
    *rval = 0;
    switch (enc) {
    case ICC_PMR:
        if (write)
            p->pmr = w & PRI_MASK;
        *rval = p->pmr;
        return true;
    case ICC_BPR0:
        if (write)
            p->bpr0 = (w & 7) < BPR0_MIN ? BPR0_MIN : (w & 7);
        *rval = p->bpr0;
        return true;
    case ICC_BPR1:
        if (write && !p->cbpr)
            p->bpr1 = (w & 7) < BPR1_MIN ? BPR1_MIN : (w & 7);
        *rval = p->cbpr ? (p->bpr0 + 1u > 7 ? 7u : p->bpr0 + 1u) : p->bpr1;
        return true;
    case ICC_AP0R0:
        if (write)
            p->ap0r = w;
        *rval = p->ap0r;
        return true;
    case ICC_AP1R0:
        if (write)
            p->ap1r = w;
        *rval = p->ap1r;
        return true;
    case ICC_CTLR:
        if (write) {
            p->eoimode = w >> 1 & 1;
            p->cbpr = w & 1;
        }
        *rval = icc_ctlr(p);
        return true;
    case ICC_SRE: *rval = 0x7; return true;
    case ICC_IGRPEN0:
        if (write)
            p->igrpen0 = w & 1;
        *rval = p->igrpen0;
        return true;
    case ICC_IGRPEN1:
        if (write)
            p->igrpen1 = w & 1;
        *rval = p->igrpen1;
        return true;
    default: break;
    }
    if (uaccess)
        return false;
    /* the rest are read-only or write-only: the other direction is UNDEF */
    bool read_only = enc == ICC_IAR0 || enc == ICC_IAR1 || enc == ICC_HPPIR0 || enc == ICC_HPPIR1 ||
                     enc == ICC_RPR;
    if (write == read_only)
        return false;
    int c;
    switch (enc) {
    case ICC_IAR0:
    case ICC_IAR1: *rval = acknowledge(g, vmi, vcpu, enc == ICC_IAR1); return true;
    case ICC_EOIR0:
    case ICC_EOIR1: eoi(v, vcpu, w & 0xffffff, enc == ICC_EOIR1); return true;
    case ICC_HPPIR0:
    case ICC_HPPIR1:
        c = candidate(v, vcpu);
        *rval = c >= 0 && cand_irq(g, vmi, vcpu, (unsigned)c).group == (enc == ICC_HPPIR1)
                    ? (uint64_t)c
                    : SPURIOUS;
        return true;
    case ICC_DIR:
        if (p->eoimode && (w & 0xffffff) < 1020)
            deactivate(v, vcpu, w & 0xffffff);
        return true;
    case ICC_RPR: *rval = running_prio(p); return true;
    case ICC_SGI1R:
    case ICC_SGI0R: generate_sgi(v, vcpu, wval, enc == ICC_SGI1R); return true;
    default: return false;
    }
}

/* HPPIR / AHPPIR (GICv2): the candidate when its group is `group1` (a SGI with its source),
 * 1022 for a group-1 candidate HPPIR cannot acknowledge (AckCtl = 0), else 1023 */
static uint32_t hppir_v2(struct vm *v, unsigned vcpu, bool alias)
{
    int c = candidate(v, vcpu);
    if (c < 0)
        return SPURIOUS;
    const struct irq *q = irq_of(v, vcpu, (unsigned)c);
    bool takes = alias ? q->group : !q->group || v->cpu[vcpu].ackctl;
    if (!takes)
        return !alias && q->group ? SPURIOUS_GROUP1 : SPURIOUS;
    return (uint32_t)c | (c < 16 ? sgi_source(q) << V2_CPUID_SHIFT : 0);
}

/* GICC_IAR: group 0, or group 1 with AckCtl (1022 for a group-1 candidate without) */
static uint32_t iar_v2(struct ioe_gic *g, unsigned vmi, unsigned vcpu)
{
    struct vm *v = &g->vm[vmi];
    uint32_t r = acknowledge(g, vmi, vcpu, false);
    if (r == SPURIOUS && v->cpu[vcpu].ackctl)
        r = acknowledge(g, vmi, vcpu, true);
    else if (r == SPURIOUS && (pres_status(g, vmi, vcpu) >> 24 & 0x81) == 0x81)
        r = SPURIOUS_GROUP1;
    return r;
}

/* The GICv2 CPU interface (SP_GICC). Returns false for UNDEF. The userspace view has
 * CTLR, PMR (GICH_VMCR.VMPriMask format: priority >> 3), BPR, ABPR, APR0..3 and IIDR. */
static bool gicc_access(struct ioe_gic *g, unsigned vmi, unsigned vcpu, uint32_t off, bool write,
                        uint32_t w, uint64_t *rval, bool uaccess)
{
    struct vm *v = &g->vm[vmi];
    struct cpu *p = &v->cpu[vcpu];
    *rval = 0;
    switch (off) {
    case GICC_CTLR:
        if (write) {
            p->igrpen0 = w & 1;
            p->igrpen1 = w >> 1 & 1;
            p->ackctl = w >> 2 & 1;
            p->fiqen = w >> 3 & 1;
            p->cbpr = w >> 4 & 1;
            p->eoimode = w >> GICC_CTLR_EOIMODE_SHIFT & 1;
        }
        *rval = (uint32_t)p->igrpen0 | (uint32_t)p->igrpen1 << 1 | (uint32_t)p->ackctl << 2 |
                (uint32_t)p->fiqen << 3 | (uint32_t)p->cbpr << 4 |
                (uint32_t)p->eoimode << GICC_CTLR_EOIMODE_SHIFT;
        return true;
    case GICC_PMR:
        if (write)
            p->pmr = (uint8_t)((uaccess ? w << 3 : w) & PRI_MASK);
        *rval = uaccess ? p->pmr >> 3 : p->pmr;
        return true;
    case GICC_BPR:
        if (write)
            p->bpr0 = (w & 7) < BPR0_MIN ? BPR0_MIN : (w & 7);
        *rval = p->bpr0;
        return true;
    case GICC_ABPR: /* its own register whatever CBPR says */
        if (write)
            p->bpr1 = (w & 7) < BPR1_MIN ? BPR1_MIN : (w & 7);
        *rval = p->bpr1;
        return true;
    case GICC_IIDR: *rval = GICC_IIDR_VAL; return true;
    default: break;
    }
    if (off >= GICC_APR0 && off <= GICC_APR3 && !(off & 3)) {
        /* 32 preemption levels with 5 priority bits: APR0 alone; APR1..3 RAZ/WI */
        if (off == GICC_APR0 && write)
            p->ap1r = w;
        *rval = off == GICC_APR0 ? p->ap1r : 0;
        return true;
    }
    if (uaccess)
        return false;
    bool read_only = off == GICC_IAR || off == GICC_AIAR || off == GICC_HPPIR ||
                     off == GICC_AHPPIR || off == GICC_RPR;
    bool write_only = off == GICC_EOIR || off == GICC_AEOIR || off == GICC_DIR;
    if (!(read_only && !write) && !(write_only && write))
        return false;
    switch (off) {
    case GICC_IAR: *rval = iar_v2(g, vmi, vcpu); break;
    case GICC_AIAR: *rval = acknowledge(g, vmi, vcpu, true); break;
    case GICC_HPPIR:
    case GICC_AHPPIR: *rval = hppir_v2(v, vcpu, off == GICC_AHPPIR); break;
    case GICC_RPR: *rval = running_prio(p); break;
    case GICC_EOIR:
    case GICC_AEOIR: eoi(v, vcpu, w & 0x3ff, true); break;
    default: /* GICC_DIR */
        if (p->eoimode && (w & 0x3ff) < 1020)
            deactivate(v, vcpu, w & 0x3ff);
        break;
    }
    return true;
}

/* ------------------------------------------------------------------ per-interrupt registers */
enum field {
    F_GROUP,
    F_SENABLE,
    F_CENABLE,
    F_SPEND,
    F_CPEND,
    F_SACTIVE,
    F_CACTIVE,
    F_PRIO,
    F_TARGETS,
    F_CFG,
    F_GRPMOD
};

static const struct {
    uint32_t base, end;
    unsigned bits; /* per interrupt */
    enum field f;
} irq_regs[] = {
    {0x0080, 0x0100, 1, F_GROUP},   {0x0100, 0x0180, 1, F_SENABLE}, {0x0180, 0x0200, 1, F_CENABLE},
    {0x0200, 0x0280, 1, F_SPEND},   {0x0280, 0x0300, 1, F_CPEND},   {0x0300, 0x0380, 1, F_SACTIVE},
    {0x0380, 0x0400, 1, F_CACTIVE}, {0x0400, 0x0800, 8, F_PRIO},    {0x0800, 0x0c00, 8, F_TARGETS},
    {0x0c00, 0x0d00, 2, F_CFG},     {0x0d00, 0x0d80, 1, F_GRPMOD},
};

/* GICv2 reads pending state in both views (KVM's v2 table has no uaccess read of it) */
static uint32_t field_read(const struct vm *v, unsigned vcpu, unsigned intid, enum field f,
                           bool uaccess)
{
    const struct irq *q = irq_of((struct vm *)v, vcpu, intid);
    switch (f) {
    case F_GROUP: return q->group;
    case F_SENABLE:
    case F_CENABLE: return q->en;
    case F_SPEND: return uaccess && !v->v2 ? q->latch : pending(q);
    case F_CPEND: return uaccess && !v->v2 ? 0 : pending(q);
    case F_TARGETS: return intid < 32 ? 1u << vcpu : q->route; /* GICv2 only */
    case F_SACTIVE:
    case F_CACTIVE: return q->active;
    case F_PRIO: return q->prio;
    case F_CFG: return q->edge ? 2 : 0;
    default: return 0;
    }
}

/* GICv2 SGIs (KVM's is_vgic_v2_sgi): the guest's ISPENDR0/ICPENDR0 bits are WI; userspace
 * sets one from the vCPU itself, or clears every source */
static void field_write(struct vm *v, unsigned vcpu, unsigned intid, enum field f, uint32_t val,
                        bool uaccess)
{
    struct irq *q = irq_of(v, vcpu, intid);
    bool v2_sgi = v->v2 && intid < 16;
    if (v2_sgi && !uaccess && (f == F_SPEND || f == F_CPEND))
        return;
    switch (f) {
    case F_GROUP: q->group = val & 1; break;
    case F_SENABLE:
        if (val & 1)
            q->en = true;
        break;
    case F_CENABLE:
        if (val & 1)
            q->en = false;
        break;
    case F_SPEND:
        if (val & 1) {
            q->latch = true;
            if (v2_sgi)
                q->src |= (uint8_t)(1u << vcpu);
        }
        break;
    case F_CPEND:
        if ((val & 1) && (!uaccess || v->v2)) {
            q->latch = false;
            q->src = 0;
        }
        break;
    case F_TARGETS: /* GICv2: the SPIs' targets, among the VM's vCPUs; SGI/PPI read-only */
        if (intid >= 32)
            q->route = val & ((1u << v->nr_vcpus) - 1);
        break;
    case F_SACTIVE:
        if (val & 1)
            q->active = true;
        break;
    case F_CACTIVE:
        if (val & 1)
            q->active = false;
        break;
    case F_PRIO: q->prio = (uint8_t)(val & PRI_MASK); break;
    case F_CFG:
        if (intid >= 16) /* SGIs are always edge */
            q->edge = val >> 1 & 1;
        break;
    default: break;
    }
}

/* A 32-bit access to a per-interrupt register. first = INTID of bit/byte 0. Returns false
 * for UNDEF. `priv_only`: the redistributor (vcpu's 32 private interrupts only). */
static bool irq_reg_access(struct vm *v, unsigned vcpu, uint32_t off, bool redist, bool write,
                           uint32_t w, uint32_t *r, bool uaccess)
{
    *r = 0;
    for (size_t k = 0; k < sizeof(irq_regs) / sizeof(irq_regs[0]); k++) {
        if (off < irq_regs[k].base || off >= irq_regs[k].end)
            continue;
        unsigned bits = irq_regs[k].bits, per_word = 32 / bits;
        unsigned first = (off - irq_regs[k].base) * 8 / bits;
        enum field f = irq_regs[k].f;
        if (redist) {
            if (first >= 32 || f == F_TARGETS)
                return false;
            if (f == F_GRPMOD)
                return true;
        } else {
            if (first >= v->nr_irqs)
                return false;
            if (v->v2 && f == F_GRPMOD)
                return false; /* GICv2 has no IGRPMODR */
            if (!v->v2 && (first < 32 || f == F_TARGETS || f == F_GRPMOD))
                return true; /* RAZ/WI; GICv2 banks INTIDs 0..31 per vCPU here */
        }
        uint32_t mask = bits == 32 ? ~0u : (1u << bits) - 1;
        for (unsigned i = 0; i < per_word; i++) {
            uint32_t fv = (w >> (i * bits)) & mask;
            if (write) {
                field_write(v, vcpu, first + i, f, fv, uaccess);
                touch(v, vcpu, first + i);
            }
            *r |= field_read(v, vcpu, first + i, f, uaccess) << (i * bits);
        }
        if (write)
            *r = 0;
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ frames */
static bool gicd_access(struct vm *v, uint32_t off, bool wide, bool write, uint64_t w, uint64_t *r,
                        bool uaccess)
{
    uint32_t r32 = 0;
    *r = 0;
    if (off >= 0x6000 && off < 0x8000) { /* IROUTER */
        unsigned intid = (off - 0x6000) / 8;
        bool hi = off & 4;
        if ((off & 3) || (wide && hi) || intid < 32 || intid >= v->nr_irqs)
            return false;
        struct irq *q = &v->spi[intid - 32];
        uint64_t cur = (q->route & 0xffffff) | (uint64_t)(q->route >> 24) << 32;
        if (write) {
            uint64_t nv = wide ? w
                          : hi ? (cur & 0xffffffffu) | w << 32
                               : (cur & ~0xffffffffull) | w;
            q->route = (uint32_t)(nv & 0xffffff) | (uint32_t)(nv >> 32 & 0xff) << 24;
        } else {
            *r = wide ? cur : hi ? cur >> 32 : (cur & 0xffffffffu);
        }
        if (write)
            *r = 0;
        return true;
    }
    if (wide || (off & 3))
        return false;
    if (off >= 0x80 && off < 0xd80) {
        bool ok = irq_reg_access(v, 0, off, false, write, (uint32_t)w, &r32, uaccess);
        *r = r32;
        return ok;
    }
    switch (off) {
    case 0x0000:
        if (write)
            v->enabled = w >> 1 & 1;
        *r = (uint32_t)v->enabled << 1 | 1u << 4 | 1u << 6;
        break;
    case 0x0004: *r = (v->nr_irqs / 32 - 1) | (v->its ? (15u << 19 | 1u << 17) : 9u << 19); break;
    case 0x0008: *r = GICD_IIDR_VAL; break;
    case 0x000c: *r = 0; break;
    case 0x0010:
        if (write && uaccess)
            v->statusr = (uint32_t)w;
        *r = uaccess ? v->statusr : 0;
        break;
    case 0xffe8: *r = PIDR2_VAL; break;
    default: return false;
    }
    if (write)
        *r = 0;
    return true;
}

/* GICD_CPENDSGIR / SPENDSGIR (GICv2): a byte per SGI of the vCPU, bit s = pending from
 * vCPU s; writing 1 clears / sets it (KVM's vgic_mmio_write_sgipendc / sgipends) */
static uint32_t sgi_pend_access(struct vm *v, unsigned vcpu, uint32_t off, bool write, uint32_t w)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < 4; i++) {
        unsigned intid = (off & 0xc) + i;
        struct irq *q = &v->cpu[vcpu].priv[intid];
        uint8_t bits = (uint8_t)(w >> (8 * i));
        if (write) {
            q->src = off < GICD_SPENDSGIR ? (uint8_t)(q->src & ~bits) : (uint8_t)(q->src | bits);
            q->latch = q->src != 0;
            touch(v, vcpu, intid);
        }
        r |= (uint32_t)q->src << (8 * i);
    }
    return write ? 0 : r;
}

/* The GICv2 distributor of vCPU `vcpu` (INTIDs 0..31 banked). Returns false for UNDEF. */
static bool gicd_v2_access(struct vm *v, unsigned vcpu, uint32_t off, bool wide, bool write,
                           uint32_t w, uint64_t *r, bool uaccess)
{
    uint32_t r32 = 0;
    *r = 0;
    if (wide || (off & 3))
        return false;
    if (off >= 0x80 && off < 0xd80) {
        bool ok = irq_reg_access(v, vcpu, off, false, write, w, &r32, uaccess);
        *r = r32;
        return ok;
    }
    if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 16) {
        *r = sgi_pend_access(v, vcpu, off, write, w);
        return true;
    }
    switch (off) {
    case 0x0000:
        if (write)
            v->enabled = w & 1;
        *r = v->enabled;
        break;
    case 0x0004: *r = (v->nr_irqs / 32 - 1) | (v->nr_vcpus - 1) << 5; break;
    case 0x0008: *r = GICD_IIDR_VAL; break;
    case GICD_SGIR:
        if (write)
            generate_sgi_v2(v, vcpu, w);
        break;
    default: return false;
    }
    if (write)
        *r = 0;
    return true;
}

static bool gicr_rd_access(struct ioe_gic *g, unsigned vmi, unsigned vcpu, uint32_t off, bool wide,
                           bool write, uint64_t w, uint64_t *r, bool uaccess)
{
    struct vm *v = &g->vm[vmi];
    struct cpu *p = &v->cpu[vcpu];
    uint64_t typer = (uint64_t)p->aff << 32 | (uint64_t)p->procnum << 8 | (uint64_t)p->last << 4 |
                     (uint64_t)v->its;
    *r = 0;
    if (off & 3)
        return false;
    uint64_t *reg64 = off == 0x70 || off == 0x74   ? &p->propbaser
                      : off == 0x78 || off == 0x7c ? &p->pendbaser
                                                   : NULL;
    if (reg64 || off == 0x08 || off == 0x0c) {
        bool hi = off & 4;
        if (wide && hi)
            return false;
        uint64_t cur = reg64 ? *reg64 : typer;
        if (write && reg64)
            *reg64 = wide ? w : hi ? (cur & 0xffffffffu) | w << 32 : (cur & ~0xffffffffull) | w;
        if (!write)
            *r = wide ? cur : hi ? cur >> 32 : (cur & 0xffffffffu);
        return true;
    }
    if (wide)
        return false;
    switch (off) {
    case 0x0000:
        if (write && v->its && p->enable_lpis != (w & 1)) {
            p->enable_lpis = w & 1;
            if (g->lpi)
                g->lpi->enable_lpis(g->lpi_ctx, vmi, vcpu, p->enable_lpis);
        }
        *r = p->enable_lpis;
        break;
    case 0x0004: *r = GICR_IIDR_VAL; break;
    case 0x0010:
        if (write && uaccess)
            p->statusr = (uint32_t)w;
        *r = uaccess ? p->statusr : 0;
        break;
    case 0x0014: *r = 0; break;
    case 0xffe8: *r = PIDR2_VAL; break;
    default: return false;
    }
    if (write)
        *r = 0;
    return true;
}

static bool gicr_sgi_access(struct vm *v, unsigned vcpu, uint32_t off, bool wide, bool write,
                            uint64_t w, uint64_t *r, bool uaccess)
{
    uint32_t r32 = 0;
    *r = 0;
    if (wide || (off & 3))
        return false;
    if (off == 0xe00) /* NSACR */
        return true;
    if (off == 0xc00) { /* ICFGR0: SGIs, always edge */
        *r = write ? 0 : 0xaaaaaaaau;
        return true;
    }
    bool ok;
    if (off == 0xc04) /* ICFGR1 = the PPI half of the 32 private fields */
        ok = irq_reg_access(v, vcpu, 0xc04, true, write, (uint32_t)w, &r32, uaccess);
    else if (off == 0x80 || off == 0x100 || off == 0x180 || off == 0x200 || off == 0x280 ||
             off == 0x300 || off == 0x380 || (off >= 0x400 && off < 0x420) || off == 0xd00)
        ok = irq_reg_access(v, vcpu, off, true, write, (uint32_t)w, &r32, uaccess);
    else
        return false;
    *r = r32;
    return ok;
}

/* ------------------------------------------------------------------ operations */
static uint32_t run_op(struct ioe_gic *g, unsigned code)
{
    unsigned vmi = g->target >> IOE_GIC_TARGET_VM_SHIFT & IOE_GIC_TARGET_VM_MASK;
    unsigned vcpu = g->target >> IOE_GIC_TARGET_VCPU_SHIFT & IOE_GIC_TARGET_VCPU_MASK;
    unsigned space = g->target >> IOE_GIC_TARGET_SPACE_SHIFT & IOE_GIC_TARGET_SPACE_MASK;
    bool uaccess = g->target >> IOE_GIC_TARGET_UACCESS_SHIFT & 1;
    uint32_t off = g->offset & IOE_GIC_OFFSET_OFFSET_MASK;
    uint64_t w = (uint64_t)g->wdata_hi << 32 | g->wdata_lo;
    uint64_t r = 0;

    if (vmi >= NR_VMS || code < OP_READ32 || code > OP_VM_SET_ITS)
        return ST_BADTARGET;
    struct vm *v = &g->vm[vmi];
    if (code == OP_VM_RESET) {
        g->rdata_lo = g->rdata_hi = 0; /* as every operation but a BADTARGET one */
        vm_reset(v, 0, 0, false, false);
        if (g->lpi)
            g->lpi->vm_reset(g->lpi_ctx, vmi);
        return ST_DONE;
    }
    if (code == OP_VM_CONFIG) {
        unsigned nirq = g->wdata_lo & 0xffff, ncpu = g->wdata_lo >> 16 & 0xff;
        bool its = g->wdata_lo >> 24 & 1, v2 = g->wdata_lo >> 25 & 1;
        if (nirq < 64 || nirq > NR_IRQS || nirq % 32 || ncpu < 1 || ncpu > NR_VCPUS ||
            (v2 && (its || ncpu > V2_MAX_VCPUS)))
            return ST_BADTARGET;
        g->rdata_lo = g->rdata_hi = 0;
        vm_reset(v, nirq, ncpu, its, v2);
        if (g->lpi)
            g->lpi->vm_reset(g->lpi_ctx, vmi);
        return ST_DONE;
    }
    if (v->nr_vcpus == 0)
        return ST_BADTARGET;
    if (code == OP_VM_SET_ITS) {
        /* the flag alone (docs/gic.md); the card has an ITS engine. Clearing it while a
         * vCPU has EnableLPIs = 1 is refused (EnableLPIs = 1 implies an ITS). LPIs are
         * presented only while the flag is set: every vCPU's status is re-evaluated. */
        bool its = g->wdata_lo & 1;
        if (its && v->v2)
            return ST_BADTARGET; /* a GICv2 VM has no LPIs */
        for (unsigned c = 0; !its && c < v->nr_vcpus; c++)
            if (v->cpu[c].enable_lpis)
                return ST_BADTARGET;
        v->its = its;
        g->rdata_lo = g->rdata_hi = 0;
        publish(g, vmi);
        return ST_DONE;
    }
    bool needs_vcpu =
        code == OP_VCPU_CONFIG || ((code <= OP_WRITE64) && (space != SP_GICD || v->v2)) ||
        (code == OP_LINE && (g->wdata_lo & 0x3ff) >= 16 && (g->wdata_lo & 0x3ff) < 32);
    /* a space of the other mode is unknown: GICR and ICC are GICv3's, GICC is GICv2's */
    bool known_space = space == SP_GICD || space == SP_STATUS ||
                       (v->v2 ? space == SP_GICC : space < SP_COUNT && space != SP_GICC);
    if ((code <= OP_WRITE64 && !known_space) || (needs_vcpu && vcpu >= v->nr_vcpus))
        return ST_BADTARGET;

    bool ok = true;
    if (code == OP_VCPU_CONFIG) {
        v->cpu[vcpu].aff = g->wdata_lo;
        v->cpu[vcpu].procnum = (uint16_t)(g->wdata_hi & 0xffff);
        v->cpu[vcpu].last = g->wdata_hi >> 16 & 1;
    } else if (code == OP_LINE) {
        unsigned intid = g->wdata_lo & 0x3ff;
        bool level = g->wdata_lo >> 31;
        if (intid < 16 || intid >= v->nr_irqs) {
            ok = false;
        } else {
            struct irq *q = irq_of(v, vcpu, intid);
            if (g->wdata_lo >> 30 & 1) {
                q->level = level; /* RAW: KVM's LEVEL_INFO, the line itself */
            } else if (q->edge) {
                if (level)
                    q->latch = true;
            } else {
                q->level = level;
            }
            touch(v, vcpu, intid);
        }
    } else {
        bool write = code == OP_WRITE32 || code == OP_WRITE64;
        bool wide = code == OP_READ64 || code == OP_WRITE64;
        switch (space) {
        case SP_GICD:
            ok = v->v2 ? gicd_v2_access(v, vcpu, off, wide, write, (uint32_t)w, &r, uaccess)
                       : gicd_access(v, off, wide, write, w, &r, uaccess);
            break;
        case SP_GICR_RD: ok = gicr_rd_access(g, vmi, vcpu, off, wide, write, w, &r, uaccess); break;
        case SP_GICR_SGI: ok = gicr_sgi_access(v, vcpu, off, wide, write, w, &r, uaccess); break;
        case SP_ICC: ok = wide && icc_access(g, vmi, vcpu, off, write, w, &r, uaccess); break;
        case SP_GICC:
            ok = !wide && gicc_access(g, vmi, vcpu, off, write, (uint32_t)w, &r, uaccess);
            break;
        case SP_STATUS:
            ok = !write && !wide &&
                 (off == 0 ||
                  (off >= 0x1000 && !(off & 3) && (off - 0x1000u) / 4 * 32 < v->nr_irqs));
            if (ok && off == 0) {
                r = pres_status(g, vmi, vcpu);
            } else if (ok) {
                unsigned first = (off - 0x1000u) / 4 * 32;
                for (unsigned i = first < 32 ? 16 : 0; i < 32; i++)
                    r |= (uint64_t)irq_of(v, vcpu, first + i)->level << i;
            }
            break;
        }
        if (!ok || write)
            r = 0;
        if (!wide)
            r &= 0xffffffffu;
    }
    g->rdata_lo = (uint32_t)r;
    g->rdata_hi = (uint32_t)(r >> 32);
    /* only writes, lines, configuration and acknowledges change state; other reads cannot
     * change a presentation status, so they skip the re-evaluation */
    bool reads = code == OP_READ32 || code == OP_READ64;
    if (!reads || (space == SP_ICC && (off == ICC_IAR0 || off == ICC_IAR1)) ||
        (space == SP_GICC && (off == GICC_IAR || off == GICC_AIAR)))
        publish(g, vmi);
    return ST_DONE | (ok ? 0 : ST_UNDEF);
}

uint32_t ioe_gic_csr_read(struct ioe_gic *g, uint32_t off)
{
    switch (off + IOE_GIC_BASE) {
    case IOE_GIC_TARGET: return g->target;
    case IOE_GIC_OFFSET: return g->offset;
    case IOE_GIC_WDATA_LO: return g->wdata_lo;
    case IOE_GIC_WDATA_HI: return g->wdata_hi;
    case IOE_GIC_STATUS: return g->status;
    case IOE_GIC_RDATA_LO: return g->rdata_lo;
    case IOE_GIC_RDATA_HI: return g->rdata_hi;
    default: return 0;
    }
}

void ioe_gic_csr_write(struct ioe_gic *g, uint32_t off, uint32_t val)
{
    switch (off + IOE_GIC_BASE) {
    case IOE_GIC_TARGET:
        g->target = val & (IOE_GIC_TARGET_VM_MASK << IOE_GIC_TARGET_VM_SHIFT |
                           IOE_GIC_TARGET_VCPU_MASK << IOE_GIC_TARGET_VCPU_SHIFT |
                           IOE_GIC_TARGET_SPACE_MASK << IOE_GIC_TARGET_SPACE_SHIFT |
                           IOE_GIC_TARGET_UACCESS_MASK << IOE_GIC_TARGET_UACCESS_SHIFT);
        break;
    case IOE_GIC_OFFSET: g->offset = val & IOE_GIC_OFFSET_OFFSET_MASK; break;
    case IOE_GIC_WDATA_LO: g->wdata_lo = val; break;
    case IOE_GIC_WDATA_HI: g->wdata_hi = val; break;
    case IOE_GIC_OP: g->status = run_op(g, val & IOE_GIC_OP_CODE_MASK); break;
    default: break;
    }
}
