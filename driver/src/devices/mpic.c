/*
 * KVM_DEV_TYPE_FSL_MPIC_20 and KVM_DEV_TYPE_FSL_MPIC_42 (Book E OpenPIC) on the ppc-booke
 * persona. The attribute groups, the register map of each variant, their errors and the
 * order of their checks follow Linux (arch/powerpc/kvm/mpic.c; Documentation/virt/kvm/
 * devices/mpic.rst). Pending, enable, priority, routing, acknowledge and EOI of the
 * sources and IPIs live in the card's GIC engine (docs/gic.md); libioe keeps the
 * registers the engine has no field for (vectors, destinations, outputs, timers, MSI
 * banks) and what does not map (docs/api.md, "KVM_DEV_TYPE_FSL_MPIC_20/42"):
 *
 *   source n < direct        SPI 32 + n          (every source when the card has 288 INTIDs)
 *   MSI source 224 + i       SPI 32 + direct + i (the last 8 INTIDs on a smaller card)
 *   IPI k (source 256 + k)   SGI k of each vCPU
 *   MPIC priority p          GIC priority ((15 - p) * 2 + ipi) << 3, BPR1 4, PMR (15 - CTPR) << 4
 *   destination CPU c        affinity Aff0 = c; a source routes to its lowest destination
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/regs.h>

#include "gic.h"

#define MAX_CPU 32
#define MAX_SRC 256
#define MAX_IPI 4
#define MAX_TMR 4
#define MAX_MSI 8
#define MAX_IRQ (MAX_SRC + MAX_IPI + MAX_TMR)
#define IRQ_IPI0 MAX_SRC
#define IRQ_TIM0 (MAX_SRC + MAX_IPI)
#define IRQ_MSI0 224
#define REG_SIZE 0x40000u

#define IVPR_MASK 0x80000000u
#define IVPR_ACTIVITY 0x40000000u
#define IVPR_POLARITY 0x00800000u
#define IVPR_SENSE 0x00400000u
#define IVPR_PRIO(v) ((v) >> 16 & 0xf)
#define VECTOR_MASK 0xffffu
#define GCR_RESET 0x80000000u
#define GCR_MODE_MIXED 0x20000000u
#define GCR_MODE_PROXY 0x60000000u
#define TBCR_CI 0x80000000u
#define TCCR_TOG 0x80000000u
#define IDR_EP 0x80000000u
#define IDR_CI0_SHIFT 30
#define OUT_INT 0 /* ILR_INTTGT_INT */
#define OUT_CINT 1
#define VID_REVISION_1_2 2
#define MAX_ROUTES 4096 /* KVM_MAX_IRQ_ROUTES */

/* engine constants */
#define AFF_NOWHERE (0xfeull << 32)                  /* a route no vCPU's affinity matches */
#define AFF_UNCONNECTED(lane) (0xffu << 24 | (lane)) /* a lane without an MPIC CPU */
/* group priority = the MPIC priority: sources and IPIs of one priority do not preempt
 * each other */
#define BPR1_MPIC 4

enum src_type { SRC_NORMAL, SRC_FSLINT, SRC_FSLSPECIAL };

struct mpic_src {
    uint32_t ivpr; /* without ACTIVITY, which is computed */
    uint32_t idr, destmask;
    uint8_t output;
    bool level, nomask, pending; /* pending: IPIs, timers and unmapped sources only */
};

struct mpic_cpu {
    struct vcpu *vcpu; /* connected with KVM_CAP_IRQ_MPIC, or NULL */
    uint32_t ctpr;
    uint64_t servicing[(MAX_IRQ + 63) / 64];
};

struct mpic {
    struct device dev;
    bool v42; /* KVM_DEV_TYPE_FSL_MPIC_42: ILR, PROXY mode; 2.0: IDR critical bits */
    uint64_t base;
    uint32_t gcr, spve, tfrr, nb_cpus;
    unsigned nr_intids, direct; /* the card's VM configuration and SPI mapping */
    struct mpic_src src[MAX_IRQ];
    struct mpic_cpu cpu[MAX_CPU];
    struct {
        uint32_t tccr, tbcr;
    } tmr[MAX_TMR];
    uint32_t msir[MAX_MSI];
    struct kvm_irq_routing_entry *routes; /* KVM_SET_GSI_ROUTING's table (empty at create) */
    uint32_t nr_routes;
};

static struct mpic *to_mpic(struct device *d)
{
    return (struct mpic *)d;
}

static uint32_t mode_mask(const struct mpic *m)
{
    return m->v42 ? GCR_MODE_PROXY : GCR_MODE_MIXED;
}

static enum src_type src_type(unsigned n)
{
    return n >= MAX_SRC ? SRC_FSLSPECIAL : n >= 16 ? SRC_FSLINT : SRC_NORMAL;
}

static bool is_ipi(unsigned n)
{
    return n >= IRQ_IPI0 && n < IRQ_IPI0 + MAX_IPI;
}

/* ------------------------------------------------------------------ the engine */
static int eng(struct mpic *m, unsigned lane, enum gic_space sp, uint32_t off, enum gic_code code,
               uint64_t w, uint64_t *r)
{
    struct vm *vm = m->dev.vm;
    int err = gic_op(vm->sys, vm->ctx, lane, sp, false, off, code, w, r);
    return err < 0 ? err : err ? -EIO : 0;
}

/* the SPI of source n, or 0 when it has none */
static unsigned src_intid(const struct mpic *m, unsigned n)
{
    if (n < m->direct)
        return 32 + n;
    if (n >= IRQ_MSI0 && n < IRQ_MSI0 + MAX_MSI)
        return 32 + m->direct + n - IRQ_MSI0;
    return 0;
}

/* the MPIC interrupt of an INTID the engine acknowledged, or -1 */
static int intid_src(const struct mpic *m, unsigned intid)
{
    if (intid < MAX_IPI)
        return (int)(IRQ_IPI0 + intid);
    if (intid < 32 || intid >= m->nr_intids)
        return -1;
    unsigned n = intid - 32;
    return n < m->direct ? (int)n : (int)(IRQ_MSI0 + n - m->direct);
}

static uint8_t gic_prio(const struct mpic *m, unsigned n)
{
    return (uint8_t)(((15 - IVPR_PRIO(m->src[n].ivpr)) * 2 + is_ipi(n)) << 3);
}

static uint64_t pmr_of(uint32_t ctpr)
{
    return (uint64_t)(15 - ctpr) << 4;
}

/* the lane (card vCPU index) of MPIC CPU c, or -1 */
static int lane_of(const struct mpic *m, unsigned c)
{
    return c < MAX_CPU && m->cpu[c].vcpu ? (int)m->cpu[c].vcpu->idx : -1;
}

static uint64_t route_of(const struct mpic *m, unsigned n)
{
    const struct mpic_src *s = &m->src[n];
    if (s->output != OUT_INT || !s->destmask)
        return AFF_NOWHERE; /* critical and machine-check outputs are not delivered (Linux) */
    return (uint64_t)__builtin_ctz(s->destmask); /* the lowest destination CPU */
}

/* IPRIORITYR / ICFGR words from libioe's source registers */
static uint32_t prio_word(const struct mpic *m, unsigned intid0)
{
    uint32_t w = 0;
    for (unsigned i = 0; i < 4; i++) {
        int n = intid_src(m, intid0 + i);
        w |= (uint32_t)(n >= 0 ? gic_prio(m, (unsigned)n) : 0xf8) << (8 * i);
    }
    return w;
}

static uint32_t cfg_word(const struct mpic *m, unsigned intid0)
{
    uint32_t w = 0;
    for (unsigned i = 0; i < 16; i++) {
        int n = intid_src(m, intid0 + i);
        if (n >= 0 && !m->src[n].level)
            w |= 2u << (2 * i);
    }
    return w;
}

static bool src_enabled(const struct mpic_src *s)
{
    return !(s->ivpr & IVPR_MASK) || s->nomask;
}

/* the engine's pending bit of an SPI (latch, or line of a level interrupt) */
static int spi_pending(struct mpic *m, unsigned intid, bool *p)
{
    uint64_t r = 0;
    int err = eng(m, 0, GIC_GICD, 0x200 + intid / 32 * 4, GIC_READ32, 0, &r);
    *p = !err && (r >> (intid % 32) & 1);
    return err;
}

/* Linux's src->pending */
static int src_pending(struct mpic *m, unsigned n, bool *p)
{
    unsigned intid = is_ipi(n) ? 0 : src_intid(m, n);
    if (!intid) {
        *p = m->src[n].pending;
        return 0;
    }
    return spi_pending(m, intid, p);
}

/* Make source n's pending state `p` in the engine's form for its sense. */
static int spi_set_pending(struct mpic *m, unsigned n, bool p)
{
    unsigned intid = src_intid(m, n);
    if (m->src[n].level)
        return eng(m, 0, GIC_GICD, 0, GIC_LINE, intid | (uint64_t)p << 31, NULL);
    if (p)
        return eng(m, 0, GIC_GICD, 0, GIC_LINE, intid | 1ull << 31, NULL);
    return eng(m, 0, GIC_GICD, 0x280 + intid / 32 * 4, GIC_WRITE32, 1u << (intid % 32), NULL);
}

/* Program an SPI's enable, priority, trigger and route from the source's registers. */
static int sync_spi(struct mpic *m, unsigned n)
{
    unsigned intid = src_intid(m, n);
    uint32_t bit = 1u << (intid % 32), word = intid / 32 * 4;
    int err = eng(m, 0, GIC_GICD, (src_enabled(&m->src[n]) ? 0x100 : 0x180) + word, GIC_WRITE32,
                  bit, NULL);
    if (!err)
        err = eng(m, 0, GIC_GICD, 0x400 + (intid & ~3u), GIC_WRITE32, prio_word(m, intid & ~3u),
                  NULL);
    if (!err)
        err = eng(m, 0, GIC_GICD, 0xc00 + intid / 16 * 4, GIC_WRITE32, cfg_word(m, intid & ~15u),
                  NULL);
    if (!err)
        err = eng(m, 0, GIC_GICD, 0x6000 + intid * 8, GIC_WRITE64, route_of(m, n), NULL);
    return err;
}

/* IPI k's enable and priority at one lane (SGI k) */
static int sync_ipi_lane(struct mpic *m, unsigned k, unsigned lane)
{
    const struct mpic_src *s = &m->src[IRQ_IPI0 + k];
    int err =
        eng(m, lane, GIC_GICR_SGI, src_enabled(s) ? 0x100 : 0x180, GIC_WRITE32, 1u << k, NULL);
    return err ? err : eng(m, lane, GIC_GICR_SGI, 0x400, GIC_WRITE32, prio_word(m, 0), NULL);
}

static int sync_src(struct mpic *m, unsigned n)
{
    if (src_intid(m, n))
        return sync_spi(m, n);
    if (!is_ipi(n))
        return 0;
    for (unsigned lane = 0; lane < m->dev.vm->sys->info.nr_vcpus; lane++) {
        int err = sync_ipi_lane(m, n - IRQ_IPI0, lane);
        if (err)
            return err;
    }
    return 0;
}

/* the lane's MPIC CPU: affinity, and the CPU interface as the MPIC uses it */
static int sync_lane(struct mpic *m, unsigned lane, int cpu)
{
    struct vcpu *v = lane < m->dev.vm->nr_vcpus ? m->dev.vm->vcpus[lane] : NULL;
    uint64_t w = cpu >= 0 ? (uint32_t)cpu : AFF_UNCONNECTED(lane);
    w |= (uint64_t)(v ? v->id & 0xffff : 0) << 32;
    int err = eng(m, lane, GIC_GICD, 0, GIC_VCPU_CONFIG, w, NULL);
    if (!err)
        err = eng(m, lane, GIC_ICC, ICC_IGRPEN1_EL1, GIC_WRITE64, 1, NULL);
    if (!err)
        err = eng(m, lane, GIC_ICC, ICC_BPR1_EL1, GIC_WRITE64, BPR1_MPIC, NULL);
    if (!err)
        err = eng(m, lane, GIC_ICC, ICC_PMR_EL1, GIC_WRITE64,
                  pmr_of(cpu >= 0 ? m->cpu[cpu].ctpr : 15), NULL);
    return err;
}

/* IPI k pending at the CPUs of its destination mask that have a vCPU */
static int ipi_deliver(struct mpic *m, unsigned k, uint32_t cpus)
{
    for (unsigned c = 0; c < MAX_CPU; c++) {
        int lane = lane_of(m, c);
        if ((cpus >> c & 1) && lane >= 0) {
            int err = eng(m, (unsigned)lane, GIC_GICR_SGI, 0x200, GIC_WRITE32, 1u << k, NULL);
            if (err)
                return err;
        }
    }
    return 0;
}

/* The card's VM context from libioe's registers, keeping the sources' pending state (as
 * Linux's openpic_reset does). */
static int engine_setup(struct mpic *m, bool keep_pending)
{
    struct vm *vm = m->dev.vm;
    const struct ioe_card_info *info = &vm->sys->info;
    bool pend[MAX_SRC] = {false};
    int err = 0;
    for (unsigned n = 0; keep_pending && n < MAX_SRC && !err; n++)
        if (src_intid(m, n))
            err = spi_pending(m, src_intid(m, n), &pend[n]);
    if (!err)
        err = eng(m, 0, GIC_GICD, 0, GIC_VM_CONFIG, m->nr_intids | (uint64_t)info->nr_vcpus << 16,
                  NULL);
    if (!err)
        err = eng(m, 0, GIC_GICD, 0, GIC_WRITE32, 2, NULL); /* GICD_CTLR.EnableGrp1 */
    for (unsigned lane = 0; lane < info->nr_vcpus && !err; lane++) {
        int cpu = -1;
        for (unsigned c = 0; c < MAX_CPU; c++)
            if (lane_of(m, c) == (int)lane)
                cpu = (int)c;
        err = sync_lane(m, lane, cpu);
    }
    for (unsigned n = 0; n < IRQ_TIM0 && !err; n++)
        err = sync_src(m, n);
    for (unsigned n = 0; n < MAX_SRC && !err; n++)
        if (pend[n])
            err = spi_set_pending(m, n, true);
    for (unsigned k = 0; k < MAX_IPI && !err; k++)
        if (m->src[IRQ_IPI0 + k].pending)
            err = ipi_deliver(m, k, m->src[IRQ_IPI0 + k].destmask);
    return err;
}

/* ------------------------------------------------------------------ OpenPIC state */
/* openpic_set_irq */
static int set_irq(struct mpic *m, unsigned n, bool level)
{
    struct mpic_src *s = &m->src[n];
    if (is_ipi(n)) { /* edge */
        if (!level)
            return 0;
        s->pending = true;
        return ipi_deliver(m, n - IRQ_IPI0, s->destmask);
    }
    if (!s->level && (!level || s->output != OUT_INT))
        return 0; /* no edge; an edge on a non-INT output is dropped at once (Linux) */
    if (!src_intid(m, n)) {
        s->pending = level;
        return 0;
    }
    return spi_set_pending(m, n, level);
}

/* openpic_reset: what GCR[RESET] restores (destinations, outputs, pending and MSI banks
 * stay, as in Linux) */
static int mpic_reset(struct mpic *m, bool keep_pending)
{
    m->gcr = 0;
    m->spve = VECTOR_MASK;
    m->tfrr = 0;
    for (unsigned n = 0; n < MAX_IRQ; n++) {
        struct mpic_src *s = &m->src[n];
        s->ivpr = IVPR_MASK | (src_type(n) == SRC_FSLINT ? IVPR_POLARITY : 0);
        s->idr = 1;
        if (src_type(n) == SRC_NORMAL)
            s->level = false;
    }
    for (unsigned c = 0; c < MAX_CPU; c++) {
        m->cpu[c].ctpr = 15;
        memset(m->cpu[c].servicing, 0, sizeof(m->cpu[c].servicing));
    }
    for (unsigned t = 0; t < MAX_TMR; t++)
        m->tmr[t].tccr = 0, m->tmr[t].tbcr = TBCR_CI;
    return engine_setup(m, keep_pending);
}

/* write_IRQreg_ivpr */
static int write_ivpr(struct mpic *m, unsigned n, uint32_t val)
{
    struct mpic_src *s = &m->src[n];
    bool was_level = s->level, pend = false;
    bool moves = src_intid(m, n) && src_type(n) == SRC_NORMAL && !!(val & IVPR_SENSE) != was_level;
    int err = moves ? src_pending(m, n, &pend) : 0;
    if (err)
        return err;
    s->ivpr = val & (IVPR_MASK | 0xf0000u | IVPR_SENSE | IVPR_POLARITY | VECTOR_MASK);
    switch (src_type(n)) {
    case SRC_NORMAL: s->level = !!(s->ivpr & IVPR_SENSE); break;
    case SRC_FSLINT: s->ivpr &= ~IVPR_SENSE; break;
    case SRC_FSLSPECIAL: s->ivpr &= ~(IVPR_POLARITY | IVPR_SENSE); break;
    }
    if (moves) {
        /* one pending flag in Linux; the engine's form depends on the trigger */
        s->level = was_level;
        err = spi_set_pending(m, n, false);
        s->level = !was_level;
        if (!err)
            err = sync_spi(m, n);
        return err ? err : pend ? spi_set_pending(m, n, true) : 0;
    }
    return sync_src(m, n);
}

/* write_IRQreg_idr */
static int write_idr(struct mpic *m, unsigned n, uint32_t val)
{
    struct mpic_src *s = &m->src[n];
    uint32_t normal = (uint32_t)((1ull << m->nb_cpus) - 1), mask = normal, crit = 0;
    if (!m->v42) {
        int shift = 31 - (int)m->nb_cpus; /* Linux shifts by -1 at 32 CPUs: 0 on powerpc */
        crit = shift >= 0 ? normal << shift : 0;
        mask |= crit | IDR_EP;
    }
    s->idr = val & mask;
    if (m->v42) {
        s->destmask = s->idr;
    } else if (s->idr & crit) {
        s->output = OUT_CINT;
        s->nomask = true;
        s->destmask = 0;
        for (unsigned i = 0; i < m->nb_cpus; i++)
            if (s->idr >> (IDR_CI0_SHIFT - i) & 1)
                s->destmask |= 1u << i;
    } else {
        s->output = OUT_INT;
        s->nomask = false;
        s->destmask = s->idr & normal;
    }
    return sync_src(m, n);
}

static int ivpr_read(struct mpic *m, unsigned n, uint32_t *val)
{
    bool p = false;
    int err = src_pending(m, n, &p);
    *val = m->src[n].ivpr | (p && src_enabled(&m->src[n]) ? IVPR_ACTIVITY : 0);
    return err;
}

/* the highest-priority interrupt in service at CPU c (IRQ_get_next), or -1 */
static int servicing_next(const struct mpic *m, unsigned c)
{
    int next = -1, prio = -1;
    for (unsigned n = 0; n < MAX_IRQ; n++)
        if (m->cpu[c].servicing[n / 64] >> (n % 64) & 1 && (int)IVPR_PRIO(m->src[n].ivpr) > prio)
            next = (int)n, prio = (int)IVPR_PRIO(m->src[n].ivpr);
    return next;
}

/* openpic_iack: the vector of the interrupt CPU c takes, or SPVE; *taken: the source */
static int iack(struct mpic *m, unsigned c, uint32_t *val, int *taken)
{
    int lane = lane_of(m, c);
    uint64_t st = 0, intid = 1023;
    *val = m->spve;
    *taken = -1;
    int err = lane < 0 ? 0 : eng(m, (unsigned)lane, GIC_STATUS, 0, GIC_READ32, 0, &st);
    if (!err && lane >= 0 && st >> 31 & 1)
        err = eng(m, (unsigned)lane, GIC_ICC, ICC_IAR1_EL1, GIC_READ64, 0, &intid);
    int n = err ? -1 : intid_src(m, (unsigned)intid);
    if (n < 0)
        return err;
    m->cpu[c].servicing[n / 64] |= 1ull << (n % 64);
    *val = m->src[n].ivpr & VECTOR_MASK;
    *taken = n;
    if (is_ipi((unsigned)n)) {
        m->src[n].destmask &= ~(1u << c);
        m->src[n].pending = m->src[n].destmask != 0;
    }
    return 0;
}

/* the EOI register */
static int eoi(struct mpic *m, unsigned c)
{
    int n = servicing_next(m, c), lane = lane_of(m, c);
    if (n < 0)
        return 0;
    m->cpu[c].servicing[n / 64] &= ~(1ull << (n % 64));
    unsigned intid = is_ipi((unsigned)n) ? (unsigned)n - IRQ_IPI0 : src_intid(m, (unsigned)n);
    int err =
        lane < 0 ? 0 : eng(m, (unsigned)lane, GIC_ICC, ICC_EOIR1_EL1, GIC_WRITE64, intid, NULL);
    if (!err)
        irqfd_acked(m->dev.vm, 0, (uint32_t)n); /* kvm_notify_acked_irq, after the EOI */
    return err;
}

/* ------------------------------------------------------------------ register map */
/* Per-CPU registers of CPU `c` (-1: the current-CPU aliases used without a vCPU). */
static int cpu_write(struct mpic *m, uint64_t off, uint32_t val, int c)
{
    if (c < 0 || (off & 0xf))
        return 0;
    off &= 0xff0;
    switch (off) {
    case 0x40:
    case 0x50:
    case 0x60:
    case 0x70: {
        unsigned k = (unsigned)(off - 0x40) >> 4;
        m->src[IRQ_IPI0 + k].destmask |= val; /* the CPUs that have yet to take it */
        return set_irq(m, IRQ_IPI0 + k, true);
    }
    case 0x80: {
        m->cpu[c].ctpr = val & 0xf;
        int lane = lane_of(m, (unsigned)c);
        return lane < 0 ? 0
                        : eng(m, (unsigned)lane, GIC_ICC, ICC_PMR_EL1, GIC_WRITE64,
                              pmr_of(m->cpu[c].ctpr), NULL);
    }
    case 0xb0: return eoi(m, (unsigned)c);
    default: return 0; /* WHOAMI, IACK: read-only */
    }
}

static int cpu_read(struct mpic *m, uint64_t off, uint32_t *val, int c)
{
    int taken;
    *val = 0xffffffffu;
    if (c < 0 || (off & 0xf))
        return 0;
    switch (off & 0xff0) {
    case 0x80: *val = m->cpu[c].ctpr; return 0;
    case 0x90: *val = (uint32_t)c; return 0;
    case 0xa0: return iack(m, (unsigned)c, val, &taken);
    case 0xb0: *val = 0; return 0;
    default: return 0;
    }
}

static int gbl_write(struct mpic *m, uint64_t off, uint32_t val)
{
    if (off & 0xf)
        return 0;
    if (off >= 0x40 && off <= 0xb0)
        return cpu_write(m, off, val, -1); /* the current CPU's aliases: none here */
    switch (off) {
    case 0x1020: /* GCR */
        if (val & GCR_RESET)
            return mpic_reset(m, true);
        m->gcr = (m->gcr & ~mode_mask(m)) | (val & mode_mask(m));
        return 0;
    case 0x1090: return -ENXIO; /* PIR resets a core: userspace's (Linux) */
    case 0x10a0:
    case 0x10b0:
    case 0x10c0:
    case 0x10d0: return write_ivpr(m, IRQ_IPI0 + (unsigned)(off - 0x10a0) / 16, val);
    case 0x10e0: m->spve = val & VECTOR_MASK; return 0;
    default: return 0; /* BRR1, FRR, VIR: read-only */
    }
}

static int gbl_read(struct mpic *m, uint64_t off, uint32_t *val)
{
    *val = 0xffffffffu;
    if (off & 0xf)
        return 0;
    if (off >= 0x40 && off <= 0xb0)
        return cpu_read(m, off, val, -1);
    switch (off) {
    case 0x0: *val = m->v42 ? 0x00400402u : 0x00400200u; return 0; /* BRR1 */
    case 0x1000: /* FRR; Linux's (nb_cpus - 1) wraps before the first vCPU connects */
        *val = (uint32_t)((m->v42 ? 196 : 80) - 1) << 16 | (m->nb_cpus - 1) << 8 | VID_REVISION_1_2;
        return 0;
    case 0x1020: *val = m->gcr; return 0;
    case 0x1080: *val = 0; return 0; /* VIR */
    case 0x1090: *val = 0; return 0; /* PIR */
    case 0x10a0:
    case 0x10b0:
    case 0x10c0:
    case 0x10d0: return ivpr_read(m, IRQ_IPI0 + (unsigned)(off - 0x10a0) / 16, val);
    case 0x10e0: *val = m->spve; return 0;
    default: return 0;
    }
}

/* Timers: registers only (Linux's timers do not count). Writes decode the offset from
 * 0x0000, reads from the start of the region (0x10f0), as Linux does. */
static int tmr_write(struct mpic *m, uint64_t off, uint32_t val)
{
    off += 0x10f0;
    if (off & 0xf)
        return 0;
    if (off == 0x10f0) {
        m->tfrr = val;
        return 0;
    }
    unsigned t = (unsigned)(off >> 6) & 3;
    switch (off & 0x30) {
    case 0x10: /* TBCR */
        if ((m->tmr[t].tccr & TCCR_TOG) && !(val & TBCR_CI) && (m->tmr[t].tbcr & TBCR_CI))
            m->tmr[t].tccr &= ~TCCR_TOG;
        m->tmr[t].tbcr = val;
        return 0;
    case 0x20: return write_ivpr(m, IRQ_TIM0 + t, val);
    case 0x30: return write_idr(m, IRQ_TIM0 + t, val);
    default: return 0; /* TCCR: read-only */
    }
}

static int tmr_read(struct mpic *m, uint64_t off, uint32_t *val)
{
    *val = 0xffffffffu;
    if (off & 0xf)
        return 0;
    if (off == 0) {
        *val = m->tfrr;
        return 0;
    }
    unsigned t = (unsigned)(off >> 6) & 3;
    switch (off & 0x30) {
    case 0x00: *val = m->tmr[t].tccr; return 0;
    case 0x10: *val = m->tmr[t].tbcr; return 0;
    case 0x20: return ivpr_read(m, IRQ_TIM0 + t, val);
    default: *val = m->src[IRQ_TIM0 + t].idr; return 0;
    }
}

static int src_write(struct mpic *m, uint64_t off, uint32_t val)
{
    unsigned n = (unsigned)(off & 0xffff) >> 5;
    switch (off & 0x1f) {
    case 0x00: return write_ivpr(m, n, val);
    case 0x10: return write_idr(m, n, val);
    case 0x18:
        if (!m->v42)
            return 0;
        m->src[n].output = (uint8_t)val; /* ILR_INTTGT_MASK */
        return sync_src(m, n);
    default: return 0;
    }
}

static int src_read(struct mpic *m, uint64_t off, uint32_t *val)
{
    unsigned n = (unsigned)(off & 0xffff) >> 5;
    *val = 0xffffffffu;
    switch (off & 0x1f) {
    case 0x00: return ivpr_read(m, n, val);
    case 0x10: *val = m->src[n].idr; return 0;
    case 0x18: *val = m->v42 ? m->src[n].output : 0xffffffffu; return 0;
    default: return 0;
    }
}

#define MSIIR 0x140
#define MSISR 0x120

static int msi_write(struct mpic *m, uint64_t off, uint32_t val)
{
    if ((off & 0xf) || off != MSIIR)
        return 0; /* the other registers are read-only */
    unsigned srs = val >> 29, ibs = val >> 24 & 0x1f;
    m->msir[srs] |= 1u << ibs;
    return set_irq(m, IRQ_MSI0 + srs, true);
}

static int msi_read(struct mpic *m, uint64_t off, uint32_t *val)
{
    *val = 0;
    if (off & 0xf)
        return -ENXIO;
    if (off < MAX_MSI * 0x10) { /* MSIRn: read-clear, lowers the bank's source */
        unsigned srs = (unsigned)off >> 4;
        *val = m->msir[srs];
        m->msir[srs] = 0;
        return set_irq(m, IRQ_MSI0 + srs, false);
    }
    if (off == MSISR)
        for (unsigned i = 0; i < MAX_MSI; i++)
            *val |= (uint32_t)(m->msir[i] != 0) << i;
    return 0;
}

static int summary_write(struct mpic *m, uint64_t off, uint32_t val)
{
    (void)m, (void)off, (void)val;
    return 0; /* EISR/EIMR are not implemented (Linux) */
}

static int summary_read(struct mpic *m, uint64_t off, uint32_t *val)
{
    (void)m, (void)off;
    *val = 0;
    return 0;
}

static int percpu_write(struct mpic *m, uint64_t off, uint32_t val)
{
    return cpu_write(m, off, val, (int)((off & 0x1f000) >> 12));
}

static int percpu_read(struct mpic *m, uint64_t off, uint32_t *val)
{
    return cpu_read(m, off, val, (int)((off & 0x1f000) >> 12));
}

/* The regions of the 256 KiB register space (Linux's mmio_regions). */
static const struct mpic_region {
    uint64_t start, size;
    int (*read)(struct mpic *m, uint64_t off, uint32_t *val);
    int (*write)(struct mpic *m, uint64_t off, uint32_t val);
} regions[] = {
    {0x00000, 0x10f0, gbl_read, gbl_write},
    {0x010f0, 0x220, tmr_read, tmr_write},
    {0x01600, 0x200, msi_read, msi_write},
    {0x03800, 0x800, summary_read, summary_write},
    {0x10000, MAX_SRC * 0x20, src_read, src_write},
    {0x20000, 0x100 + (MAX_CPU - 1) * 0x1000, percpu_read, percpu_write},
};

static const struct mpic_region *region_of(uint64_t off)
{
    for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
        if (off >= regions[i].start && off - regions[i].start < regions[i].size)
            return &regions[i];
    return NULL;
}

/* kvm_mpic_read_internal / kvm_mpic_write_internal */
static int reg_access(struct mpic *m, uint64_t off, uint32_t *val, bool write)
{
    const struct mpic_region *r = region_of(off);
    if (!r)
        return -ENXIO;
    return write ? r->write(m, off - r->start, *val) : r->read(m, off - r->start, val);
}

/* ------------------------------------------------------------------ attribute groups */
static int misc_set(struct device *d, const struct kvm_device_attr *a)
{
    struct mpic *m = to_mpic(d);
    uint64_t base;
    if (a->attr != KVM_DEV_MPIC_BASE_ADDR)
        return -ENXIO;
    if (copy_from_user(&base, a->addr, sizeof(base)))
        return -EFAULT;
    if (base & (REG_SIZE - 1))
        return -EINVAL;
    m->base = base; /* 0: unmapped */
    return 0;
}

static int misc_get(struct device *d, const struct kvm_device_attr *a)
{
    if (a->attr != KVM_DEV_MPIC_BASE_ADDR)
        return -ENXIO;
    return copy_to_user(a->addr, &to_mpic(d)->base, sizeof(uint64_t));
}

static int misc_has(struct device *d, const struct kvm_device_attr *a)
{
    (void)d;
    return a->attr == KVM_DEV_MPIC_BASE_ADDR ? 0 : -ENXIO;
}

static int reg_set(struct device *d, const struct kvm_device_attr *a)
{
    uint32_t val;
    if (copy_from_user(&val, a->addr, sizeof(val)))
        return -EFAULT;
    return a->attr & 3 ? -ENXIO : reg_access(to_mpic(d), a->attr, &val, true);
}

static int reg_get(struct device *d, const struct kvm_device_attr *a)
{
    uint32_t val;
    if (a->attr & 3)
        return -ENXIO;
    int err = reg_access(to_mpic(d), a->attr, &val, false);
    return err ? err : copy_to_user(a->addr, &val, sizeof(val));
}

static int reg_has(struct device *d, const struct kvm_device_attr *a)
{
    (void)d, (void)a;
    return 0;
}

static int active_set(struct device *d, const struct kvm_device_attr *a)
{
    uint32_t val;
    if (a->attr > MAX_SRC) /* 256, the first IPI, passes as in Linux */
        return -EINVAL;
    if (copy_from_user(&val, a->addr, sizeof(val)))
        return -EFAULT;
    if (val > 1)
        return -EINVAL;
    return set_irq(to_mpic(d), (unsigned)a->attr, val);
}

static int active_get(struct device *d, const struct kvm_device_attr *a)
{
    bool p = false;
    if (a->attr > MAX_SRC)
        return -EINVAL;
    int err = src_pending(to_mpic(d), (unsigned)a->attr, &p);
    uint32_t val = p;
    return err ? err : copy_to_user(a->addr, &val, sizeof(val));
}

static int active_has(struct device *d, const struct kvm_device_attr *a)
{
    (void)d;
    return a->attr > MAX_SRC ? -ENXIO : 0;
}

static const struct attr_group mpic_groups[] = {
    {KVM_DEV_MPIC_GRP_MISC, misc_set, misc_get, misc_has},
    {KVM_DEV_MPIC_GRP_REGISTER, reg_set, reg_get, reg_has},
    {KVM_DEV_MPIC_GRP_IRQ_ACTIVE, active_set, active_get, active_has},
};

/* ------------------------------------------------------------------ guest MMIO */
/* kvm_mpic_read / kvm_mpic_write: 32-bit accesses; 1-byte reads (big-endian byte lanes, as
 * the registers are on the e500); no current vCPU behind the VM's IOE_MMIO */
static int mpic_mmio(struct device *d, struct ioe_mmio *mm)
{
    struct mpic *m = to_mpic(d);
    if (!m->base || mm->gpa < m->base || mm->gpa - m->base >= REG_SIZE)
        return -ENXIO;
    uint64_t off = mm->gpa - m->base;
    uint32_t val = (uint32_t)mm->data;
    if (mm->is_write) {
        if (mm->len != 4 || (off & 3))
            return -EOPNOTSUPP;
        return reg_access(m, off, &val, true);
    }
    if (mm->gpa & ((uint64_t)mm->len - 1))
        return -EINVAL;
    int err = reg_access(m, off, &val, false);
    if (mm->len == 4)
        mm->data = val;
    else if (mm->len == 1)
        mm->data = val >> (24 - 8 * (off & 3)) & 0xff;
    else
        return -EINVAL;
    return err;
}

/* ------------------------------------------------------------------ vCPUs */
static int mpic_connect(struct device *d, struct vcpu *v, const struct kvm_enable_cap *cap)
{
    struct mpic *m = to_mpic(d);
    uint32_t c = (uint32_t)cap->args[1];
    /* kvmppc_mpic_connect_vcpu order */
    if (d->vm != v->vm || c >= MAX_CPU)
        return -EPERM;
    if (m->cpu[c].vcpu)
        return -EEXIST;
    if (v->irq)
        return -EBUSY;
    m->cpu[c].vcpu = v;
    v->irq = &m->cpu[c];
    if (m->nb_cpus < c + 1)
        m->nb_cpus = c + 1;
    int err = sync_lane(m, v->idx, (int)c);
    for (unsigned k = 0; k < MAX_IPI && !err; k++)
        if (m->src[IRQ_IPI0 + k].pending)
            err = ipi_deliver(m, k, m->src[IRQ_IPI0 + k].destmask & 1u << c);
    return err;
}

static int cpu_of(struct mpic *m, struct vcpu *v)
{
    return v->irq ? (int)((struct mpic_cpu *)v->irq - m->cpu) : -1;
}

/* IOE_VCPU_ACK: the interrupt delivery (IACK; what KVM does for EPR in proxy mode);
 * IOE_VCPU_EOI: the EOI register */
static int mpic_vcpu_ioctl(struct device *d, struct vcpu *v, unsigned long req, unsigned long arg)
{
    struct mpic *m = to_mpic(d);
    struct ioe_irq irq;
    int c = cpu_of(m, v), taken, err;
    if (req != IOE_VCPU_ACK && req != IOE_VCPU_EOI)
        return -ENOTTY;
    if (c < 0)
        return -ENXIO;
    if (req == IOE_VCPU_EOI) {
        if (copy_from_user(&irq, arg, sizeof(irq)))
            return -EFAULT;
        err = eoi(m, (unsigned)c);
    } else {
        memset(&irq, 0, sizeof(irq));
        err = iack(m, (unsigned)c, &irq.intid, &taken);
        if (taken >= 0)
            irq.priority = (uint8_t)IVPR_PRIO(m->src[taken].ivpr), irq.group = 1;
        if (!err)
            err = copy_to_user(arg, &irq, sizeof(irq));
    }
    sys_sync_notifications(d->vm->sys);
    return err;
}

static int mpic_vcpu_pending(struct device *d, struct vcpu *v, bool *yes)
{
    uint64_t st = 0;
    *yes = false;
    if (!v->irq || eng(to_mpic(d), v->idx, GIC_STATUS, 0, GIC_READ32, 0, &st))
        return 0;
    *yes = st >> 31 & 1;
    return 0;
}

/* ------------------------------------------------------------------ injection */
/* kvm_set_irq: every route of the GSI (none until KVM_SET_GSI_ROUTING) */
static int mpic_irq_line(struct device *d, uint32_t irq, uint32_t level)
{
    struct mpic *m = to_mpic(d);
    int err = 0;
    for (uint32_t i = 0; i < m->nr_routes && !err; i++) {
        const struct kvm_irq_routing_entry *e = &m->routes[i];
        if (e->gsi != irq)
            continue;
        if (e->type == KVM_IRQ_ROUTING_IRQCHIP)
            err = set_irq(m, e->u.irqchip.pin, level != 0); /* mpic_set_irq */
        else
            err = msi_write(m, MSIIR, e->u.msi.data); /* kvm_set_msi, whatever the level */
    }
    return err;
}

/* KVM_IRQ_LINE_STATUS: kvm_set_irq's result, -1 for a GSI without routes and otherwise 0
 * (mpic_set_irq and powerpc's kvm_set_msi return 0) */
static int32_t mpic_line_status(struct device *d, uint32_t irq)
{
    const struct mpic *m = to_mpic(d);
    for (uint32_t i = 0; i < m->nr_routes; i++)
        if (m->routes[i].gsi == irq)
            return 0;
    return -1;
}

/* kvm_set_irq_routing's checks, in order, with the MPIC's kvm_set_routing_entry (one
 * irqchip of 256 pins, and MSI) */
static int check_routes(const struct kvm_irq_routing_entry *e, uint32_t nr)
{
    for (uint32_t i = 0; i < nr; i++)
        if (e[i].gsi >= MAX_ROUTES)
            return -EINVAL;
    for (uint32_t i = 0; i < nr; i++) {
        bool chip = e[i].type == KVM_IRQ_ROUTING_IRQCHIP;
        if (e[i].flags & ~(e[i].type == KVM_IRQ_ROUTING_MSI ? (uint32_t)KVM_MSI_VALID_DEVID : 0))
            return -EINVAL;
        /* a GSI goes to an irqchip once, and to nothing else beside it */
        for (uint32_t j = 0; j < i; j++)
            if (e[j].gsi == e[i].gsi && (!chip || e[j].type != KVM_IRQ_ROUTING_IRQCHIP ||
                                         e[j].u.irqchip.irqchip == e[i].u.irqchip.irqchip))
                return -EINVAL;
        if (chip ? e[i].u.irqchip.irqchip >= 1 || e[i].u.irqchip.pin >= MAX_SRC
                 : e[i].type != KVM_IRQ_ROUTING_MSI)
            return -EINVAL;
    }
    return 0;
}

int mpic_set_gsi_routing(struct vm *vm, uint64_t uptr)
{
    struct kvm_irq_routing r;
    struct kvm_irq_routing_entry *e = NULL;
    if (copy_from_user(&r, uptr, sizeof(r)))
        return -EFAULT;
    if (r.nr > MAX_ROUTES || r.flags)
        return -EINVAL;
    if (r.nr && !(e = calloc(r.nr, sizeof(*e))))
        return -ENOMEM;
    int err = r.nr && copy_from_user(e, uptr + sizeof(r), r.nr * sizeof(*e)) ? -EFAULT : 0;
    if (!err)
        err = check_routes(e, r.nr);
    struct device *ic = vm->irqchip;
    if (err || !ic || (ic->ops != &mpic20_ops && ic->ops != &mpic42_ops)) {
        free(e); /* without an MPIC the table has no user: the MPIC starts with an empty one */
        return err;
    }
    struct mpic *m = to_mpic(ic);
    free(m->routes);
    m->routes = e;
    m->nr_routes = r.nr;
    return 0;
}

/* the last irqchip route of the pin (kvm_set_irq_routing fills chip[][] in table order) */
int mpic_chip_gsi(struct vm *vm, uint32_t irqchip, uint32_t pin)
{
    struct device *ic = vm->irqchip;
    int gsi = -1;
    if (!ic || (ic->ops != &mpic20_ops && ic->ops != &mpic42_ops))
        return -1;
    const struct mpic *m = to_mpic(ic);
    for (uint32_t i = 0; i < m->nr_routes; i++)
        if (m->routes[i].type == KVM_IRQ_ROUTING_IRQCHIP &&
            m->routes[i].u.irqchip.irqchip == irqchip && m->routes[i].u.irqchip.pin == pin)
            gsi = (int)m->routes[i].gsi;
    return gsi;
}

static int mpic_signal_msi(struct device *d, const struct kvm_msi *msi)
{
    return msi_write(to_mpic(d), MSIIR, msi->data); /* kvm_set_msi: one bank, address ignored */
}

/* ------------------------------------------------------------------ device */
static void mpic_destroy(struct device *d)
{
    free(to_mpic(d)->routes);
}

static bool mpic_available(const struct sys *s)
{
    return s->info.features >> IOE_CORE_FEATURES_GIC_SHIFT & 1 && s->info.nr_irqs >= 64;
}

static int mpic_create(struct device *d)
{
    struct mpic *m = to_mpic(d);
    const struct ioe_card_info *info = &d->vm->sys->info;
    int err = vm_irqchip_check(d->vm, d->ops); /* one MPIC per VM: EINVAL */
    if (err)
        return err;
    m->v42 = d->ops->type == KVM_DEV_TYPE_FSL_MPIC_42;
    m->nr_intids = info->nr_irqs >= 32 + MAX_SRC ? 32 + MAX_SRC : info->nr_irqs;
    m->direct = m->nr_intids == 32 + MAX_SRC ? MAX_SRC : m->nr_intids - 32 - MAX_MSI;
    for (unsigned n = 0; n < MAX_IRQ; n++)
        m->src[n].level = src_type(n) == SRC_FSLINT;
    err = mpic_reset(m, false);
    return err < 0 ? err : 0;
}

static const struct irqchip_ops mpic_irqchip = {
    .irq_line = mpic_irq_line,
    .line_status = mpic_line_status,
    .signal_msi = mpic_signal_msi,
    .vcpu_pending = mpic_vcpu_pending,
    .vcpu_ioctl = mpic_vcpu_ioctl,
};

#define MPIC_OPS(var, devname, devtype)                                                            \
    const struct device_ops var = {                                                                \
        .name = devname,                                                                           \
        .type = devtype,                                                                           \
        .hosts = HOST_BIT(HOST_PPC_BOOKE),                                                         \
        .size = sizeof(struct mpic),                                                               \
        .available = mpic_available,                                                               \
        .create = mpic_create,                                                                     \
        .destroy = mpic_destroy,                                                                   \
        .groups = mpic_groups,                                                                     \
        .nr_groups = sizeof(mpic_groups) / sizeof(mpic_groups[0]),                                 \
        .mmio = mpic_mmio,                                                                         \
        .irqchip = &mpic_irqchip,                                                                  \
        .irqchip_exists = EINVAL,                                                                  \
        .vcpu_cap = KVM_CAP_IRQ_MPIC,                                                              \
        .connect_vcpu = mpic_connect,                                                              \
    }

MPIC_OPS(mpic20_ops, "kvm-mpic", KVM_DEV_TYPE_FSL_MPIC_20);
MPIC_OPS(mpic42_ops, "kvm-mpic", KVM_DEV_TYPE_FSL_MPIC_42);
