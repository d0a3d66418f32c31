/*
 * C reference model of the card's GICv3 ITS engine and of the LPI state of every VM:
 * docs/its.md is the specification. The model has no translation cache: every
 * translation reads the tables in guest memory (the RTL caches them; under the
 * architecture's rule that software does not write tables in use, the two agree).
 */
#include "ioe_its.h"

#include "ioe_gic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/regs.h>

#define NR_ITS IOE_PARAM_NR_ITS_DEFAULT
#define NR_VMS IOE_PARAM_NR_VMS_DEFAULT
#define LPI_BITS IOE_PARAM_LPI_BITS_DEFAULT
#define DEV_BITS IOE_PARAM_DEV_BITS_DEFAULT
#define EVENT_BITS IOE_PARAM_EVENT_BITS_DEFAULT
#define LPI_FIRST 8192u
#define NR_LPIS ((1u << LPI_BITS) - LPI_FIRST)
#define NR_COLL 16
#define PEND_WORDS (NR_LPIS / 64)
#define PEND_SUM_WORDS ((PEND_WORDS + 63) / 64)
#define UNMAPPED 0xffffffffu
#define VM_SHIFT 48

enum {
    OP_READ32 = 1,
    OP_WRITE32,
    OP_READ64,
    OP_WRITE64,
    OP_BIND,
    OP_SET_BASE,
    OP_RESET,
    OP_SAVE,
    OP_RESTORE,
    OP_INJECT,
    OP_SAVE_PENDING,
    OP_LPI_STATE,
    OP_TRANSLATE
};

#define ST_DONE (1u << IOE_ITS_STATUS_DONE_SHIFT)
#define ST_UNDEF (1u << IOE_ITS_STATUS_UNDEF_SHIFT)
#define ST_BADTARGET (1u << IOE_ITS_STATUS_BADTARGET_SHIFT)

/* register values (docs/its.md) */
#define IIDR_VAL 0x4b00043bu
#define TYPER_VAL                                                                                  \
    (1ull | 7ull << 4 | (uint64_t)(LPI_BITS - 1) << 8 | (uint64_t)(DEV_BITS - 1) << 13)
#define BASER_INIT 0x3807000000000600ull
#define BASER_VALID (1ull << 63)
#define BASER_INDIRECT (1ull << 62)
#define CBASER_RES0 (1ull << 62 | 7ull << 56 | 1ull << 52 | 0xfull << 12 | 3ull << 8)
#define E_INT_UNMAPPED 0x010307u
#define MAX_REFS 255 /* ITEs per LPI (docs/its.md: the RTL's LPI word keeps 8 bits) */

struct lpi {
    uint16_t refs;
    bool pending, enabled;
    uint8_t prio, target;
};

struct coll {
    uint16_t icid;
    uint32_t target; /* vCPU index, or UNMAPPED */
};

struct inst {
    bool bound, base_set, enabled;
    unsigned vm;
    uint64_t base, cbaser, cwriter, creadr, baser[2];
    struct coll coll[NR_COLL];
    unsigned nr_coll;
    /* what commands (MAPD V=1) and RESTORE_TABLES made valid, the bound of the walks over
     * the device table (docs/its.md, "Bounded walks"): devices mapped minus devices freed
     * (saturating), and while it is not 0 the highest DeviceID and ITT Size mapped */
    uint32_t nd, dev_max;
    unsigned itt_max;
};

#define ND_MAX ((2u << DEV_BITS) - 1)

struct ioe_its {
    struct ioe_engine_env env;
    struct ioe_gic *gic;
    uint32_t target, offset, wdata_lo, wdata_hi, status, rdata_lo, rdata_hi;
    uint32_t msi_in, msi_drop, misses, lpi_set, lpi_set_cycle;
    struct inst its[NR_ITS];
    struct lpi *lpi[NR_VMS]; /* NR_LPIS each */
    /* the pending bits again, 64 LPIs per word, and a summary of it (bit w: word w is not
     * zero): the candidate search visits only the non-zero words of the pending ones */
    uint64_t pend_map[NR_VMS][PEND_WORDS];
    uint64_t pend_sum[NR_VMS][PEND_SUM_WORDS];
};

/* ------------------------------------------------------------------ guest memory */
static int rd64(struct ioe_its *x, unsigned vm, uint64_t gpa, uint64_t *v)
{
    uint8_t b[8];
    if (ioe_dma_xlate_read(x->env.dma, (uint64_t)vm << VM_SHIFT | gpa, b, 8))
        return -EFAULT;
    *v = 0;
    for (int i = 7; i >= 0; i--)
        *v = *v << 8 | b[i];
    return 0;
}

static int wr64(struct ioe_its *x, unsigned vm, uint64_t gpa, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return ioe_dma_xlate_write(x->env.dma, (uint64_t)vm << VM_SHIFT | gpa, b, 8) ? -EFAULT : 0;
}

static int rd8(struct ioe_its *x, unsigned vm, uint64_t gpa, uint8_t *v)
{
    return ioe_dma_xlate_read(x->env.dma, (uint64_t)vm << VM_SHIFT | gpa, v, 1) ? -EFAULT : 0;
}

static int wr8(struct ioe_its *x, unsigned vm, uint64_t gpa, uint8_t v)
{
    return ioe_dma_xlate_write(x->env.dma, (uint64_t)vm << VM_SHIFT | gpa, &v, 1) ? -EFAULT : 0;
}

/* ------------------------------------------------------------------ LPIs */
static struct lpi *lpi_of(struct ioe_its *x, unsigned vm, uint32_t intid)
{
    return &x->lpi[vm][intid - LPI_FIRST];
}

static void set_pending(struct ioe_its *x, unsigned vm, struct lpi *l, bool p)
{
    if (l->pending != p) {
        size_t i = (size_t)(l - x->lpi[vm]), w = i / 64;
        x->pend_map[vm][w] ^= 1ull << (i % 64);
        uint64_t *sum = &x->pend_sum[vm][w / 64], bit = 1ull << (w % 64);
        *sum = x->pend_map[vm][w] ? *sum | bit : *sum & ~bit;
    }
    l->pending = p;
}

static uint64_t propbaser(struct ioe_its *x, unsigned vm)
{
    return ioe_gic_propbaser(x->gic, vm);
}

static uint32_t usable_lpis(struct ioe_its *x, unsigned vm)
{
    unsigned bits = (unsigned)(propbaser(x, vm) & 0x1f) + 1;
    if (bits > LPI_BITS)
        bits = LPI_BITS;
    return 1u << bits;
}

static int read_config(struct ioe_its *x, unsigned vm, uint32_t intid, struct lpi *l)
{
    uint8_t cfg;
    uint64_t addr = propbaser(x, vm) & 0x000ffffffffff000ull;
    if (rd8(x, vm, addr + (intid - LPI_FIRST), &cfg))
        return -EFAULT;
    l->enabled = cfg & 1;
    l->prio = cfg & 0xf8;
    return 0;
}

static uint64_t pend_addr(struct ioe_its *x, unsigned vm, unsigned vcpu)
{
    return ioe_gic_pendbaser(x->gic, vm, vcpu) & 0x000fffffffff0000ull;
}

/* An ITE references INTID for target (UNMAPPED: collection unmapped). */
static int lpi_ref(struct ioe_its *x, unsigned vm, uint32_t intid, uint32_t target)
{
    struct lpi *l = lpi_of(x, vm, intid);
    if (l->refs == MAX_REFS)
        return -ENOSPC;
    if (l->refs == 0) {
        struct lpi n = {0};
        if (read_config(x, vm, intid, &n))
            return -EFAULT;
        n.target = target == UNMAPPED ? 0 : (uint8_t)target;
        if (target != UNMAPPED) {
            uint8_t b;
            uint64_t a = pend_addr(x, vm, target) + intid / 8;
            if (!rd8(x, vm, a, &b) && (b >> (intid % 8) & 1)) {
                n.pending = true;
                wr8(x, vm, a, (uint8_t)(b & ~(1u << (intid % 8))));
            }
        }
        n.refs = 1;
        bool p = n.pending;
        n.pending = false;
        *l = n;
        set_pending(x, vm, l, p);
        return 0;
    }
    l->refs++;
    if (target != UNMAPPED)
        l->target = (uint8_t)target;
    return 0;
}

static void lpi_unref(struct ioe_its *x, unsigned vm, uint32_t intid)
{
    if (intid < LPI_FIRST || intid - LPI_FIRST >= NR_LPIS)
        return;
    struct lpi *l = lpi_of(x, vm, intid);
    if (l->refs && --l->refs == 0) {
        set_pending(x, vm, l, false);
        memset(l, 0, sizeof(*l));
    }
}

/* ------------------------------------------------------------------ GIC hooks */
/* Ascending INTIDs and a strict compare keep ties on the lowest INTID. */
static void lpi_best(void *ctx, unsigned vm, unsigned nr_vcpus, int *intid, unsigned *prio)
{
    struct ioe_its *x = ctx;
    for (unsigned c = 0; c < nr_vcpus; c++) {
        intid[c] = -1;
        prio[c] = 0x100;
    }
    if (vm >= NR_VMS)
        return;
    /* in INTID order, so a tie goes to the lower INTID */
    for (uint32_t s = 0; s < PEND_SUM_WORDS; s++)
        for (uint64_t sm = x->pend_sum[vm][s]; sm; sm &= sm - 1) {
            uint32_t w = s * 64 + (uint32_t)__builtin_ctzll(sm);
            for (uint64_t m = x->pend_map[vm][w]; m; m &= m - 1) {
                uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(m);
                const struct lpi *l = &x->lpi[vm][i];
                if (l->enabled && l->refs && l->target < nr_vcpus && l->prio < prio[l->target]) {
                    prio[l->target] = l->prio;
                    intid[l->target] = (int)(i + LPI_FIRST);
                }
            }
        }
}

static void lpi_ack(void *ctx, unsigned vm, unsigned intid)
{
    struct ioe_its *x = ctx;
    set_pending(x, vm, lpi_of(x, vm, intid), false);
}

static void lpi_enable(void *ctx, unsigned vm, unsigned vcpu, bool on)
{
    struct ioe_its *x = ctx;
    uint64_t pendbaser = ioe_gic_pendbaser(x->gic, vm, vcpu);
    for (uint32_t i = 0; i < NR_LPIS; i++) {
        struct lpi *l = &x->lpi[vm][i];
        if (!l->refs || l->target != vcpu)
            continue;
        if (!on) {
            set_pending(x, vm, l, false);
        } else if (!(pendbaser >> 62 & 1)) {
            uint8_t b;
            uint32_t intid = i + LPI_FIRST;
            if (!rd8(x, vm, pend_addr(x, vm, vcpu) + intid / 8, &b) && (b >> (intid % 8) & 1))
                set_pending(x, vm, l, true);
        }
    }
    /* on disable, the translation caches of the VM's instances are invalidated: the model
     * has none */
}

static void lpi_vm_reset(void *ctx, unsigned vm)
{
    struct ioe_its *x = ctx;
    memset(x->lpi[vm], 0, NR_LPIS * sizeof(struct lpi));
    memset(x->pend_map[vm], 0, sizeof(x->pend_map[vm]));
    memset(x->pend_sum[vm], 0, sizeof(x->pend_sum[vm]));
}

static const struct ioe_gic_lpi_ops lpi_ops = {lpi_best, lpi_ack, lpi_enable, lpi_vm_reset};

/* ------------------------------------------------------------------ tables */
static uint64_t page_size(uint64_t baser)
{
    static const uint64_t sz[4] = {0x1000, 0x4000, 0x10000, 0x10000};
    return sz[baser >> 8 & 3];
}

static uint64_t baser_addr(uint64_t baser)
{
    return baser & 0x0000fffffffff000ull & ~(page_size(baser) - 1);
}

static uint64_t table_bytes(uint64_t baser)
{
    return ((baser & 0xff) + 1) * page_size(baser);
}

/* Address of DeviceID d's DTE, or -1: the range check of docs/its.md. */
static int dte_addr(struct ioe_its *x, struct inst *t, uint32_t d, uint64_t *addr)
{
    uint64_t b = t->baser[0];
    if (!(b & BASER_VALID) || d >= (1u << DEV_BITS))
        return -1;
    uint64_t P = page_size(b), per = P / 8;
    if (!(b & BASER_INDIRECT)) {
        if (d >= table_bytes(b) / 8)
            return -1;
        *addr = baser_addr(b) + 8ull * d;
        return 0;
    }
    uint64_t l1i = d / per, l1e;
    if (l1i >= table_bytes(b) / 8 || rd64(x, t->vm, baser_addr(b) + 8 * l1i, &l1e) || !(l1e >> 63))
        return -1;
    *addr = (l1e & 0x000ffffffffff000ull & ~(P - 1)) + 8 * (d % per);
    return 0;
}

/* A valid DTE of d: 0, or -1. */
static int read_dte(struct ioe_its *x, struct inst *t, uint32_t d, uint64_t *dte, uint64_t *addr)
{
    uint64_t a;
    if (dte_addr(x, t, d, &a) || rd64(x, t->vm, a, dte) || !(*dte >> 63))
        return -1;
    if (addr)
        *addr = a;
    return 0;
}

static uint64_t dte_itt(uint64_t dte)
{
    return (dte >> 5 & ((1ull << 44) - 1)) << 8;
}

static unsigned dte_bits(uint64_t dte)
{
    return (unsigned)(dte & 0x1f) + 1;
}

/* The valid ITE of (d, e): 0, or -1. */
static int read_ite(struct ioe_its *x, struct inst *t, uint32_t d, uint32_t e, uint64_t *ite,
                    uint64_t *addr)
{
    uint64_t dte, a;
    if (read_dte(x, t, d, &dte, NULL) || e >= (1ull << dte_bits(dte)))
        return -1;
    a = dte_itt(dte) + 8ull * e;
    if (rd64(x, t->vm, a, ite) || !(*ite >> 16 & 0xffffffffu))
        return -1;
    if (addr)
        *addr = a;
    return 0;
}

static uint32_t ite_intid(uint64_t ite)
{
    return (uint32_t)(ite >> 16);
}

static uint16_t ite_icid(uint64_t ite)
{
    return (uint16_t)ite;
}

static int coll_find(const struct inst *t, uint32_t icid)
{
    for (unsigned i = 0; i < t->nr_coll; i++)
        if (t->coll[i].icid == icid)
            return (int)i;
    return -1;
}

static uint32_t coll_target(const struct inst *t, uint32_t icid)
{
    int c = coll_find(t, icid);
    return c < 0 ? UNMAPPED : t->coll[c].target;
}

static bool coll_in_range(const struct inst *t, uint32_t icid)
{
    uint64_t b = t->baser[1];
    return (b & BASER_VALID) && icid < 0x10000 && icid < table_bytes(b) / 8;
}

static void coll_remove(struct inst *t, int c)
{
    memmove(&t->coll[c], &t->coll[c + 1], (t->nr_coll - (unsigned)c - 1) * sizeof(t->coll[0]));
    t->nr_coll--;
}

/* A device was made valid (MAPD V=1, RESTORE_TABLES) / freed: the walk bound. */
static void dev_mapped(struct inst *t, uint32_t d, unsigned size)
{
    if (t->nd < ND_MAX)
        t->nd++;
    if (d > t->dev_max)
        t->dev_max = d;
    if (size > t->itt_max)
        t->itt_max = size;
}

static void dev_freed(struct inst *t)
{
    if (t->nd && !--t->nd)
        t->dev_max = t->itt_max = 0;
}

/* Entries a walk visits in a device's ITT: Size 31 none (as the RTL), else at most the
 * largest ITT mapped. */
static uint64_t itt_len(const struct inst *t, uint64_t dte)
{
    unsigned size = (unsigned)(dte & 0x1f);
    if (size > 30)
        return 0;
    return 2ull << (size < t->itt_max ? size : t->itt_max);
}

/* Free a device: every valid ITE among the first n of its ITT freed (zeroed), the DTE
 * zeroed. */
static void free_device_n(struct ioe_its *x, struct inst *t, uint64_t dte_a, uint64_t dte,
                          uint64_t n)
{
    uint64_t itt = dte_itt(dte);
    for (uint64_t e = 0; e < n; e++) {
        uint64_t ite;
        if (rd64(x, t->vm, itt + 8 * e, &ite) || !ite_intid(ite))
            continue;
        lpi_unref(x, t->vm, ite_intid(ite));
        wr64(x, t->vm, itt + 8 * e, 0);
    }
    wr64(x, t->vm, dte_a, 0);
    dev_freed(t);
}

/* Free a device: the ITEs a walk visits (itt_len) */
static void free_device(struct ioe_its *x, struct inst *t, uint64_t dte_a, uint64_t dte)
{
    free_device_n(x, t, dte_a, dte, itt_len(t, dte));
}

/* fn(d, addr, arg) visits slot d; it returns true when it found a device there */
typedef bool slot_fn(struct ioe_its *x, struct inst *t, uint32_t d, uint64_t addr, void *arg);

/* Visit the DTE slots of the device table in DeviceID order. bounded (every walk but
 * RESTORE_TABLES'): none while no device is mapped, none beyond the highest DeviceID
 * mapped, and the walk ends at the nd-th device found (docs/its.md, "Bounded walks"). */
static void for_each_dte_slot(struct ioe_its *x, struct inst *t, slot_fn *fn, void *arg,
                              bool bounded)
{
    uint64_t b = t->baser[0];
    uint64_t end = bounded ? (uint64_t)t->dev_max + 1 : 1ull << DEV_BITS;
    uint32_t left = bounded ? t->nd : ND_MAX + 1;
    if (!(b & BASER_VALID) || !left)
        return;
    uint64_t per = page_size(b) / 8, n = table_bytes(b) / 8;
    if (!(b & BASER_INDIRECT)) {
        for (uint64_t d = 0; d < n && d < end; d++)
            if (fn(x, t, (uint32_t)d, baser_addr(b) + 8 * d, arg) && !--left)
                return;
        return;
    }
    for (uint64_t i = 0; i < n && i * per < end; i++) {
        uint64_t l1e;
        if (rd64(x, t->vm, baser_addr(b) + 8 * i, &l1e) || !(l1e >> 63))
            continue;
        uint64_t l2 = l1e & 0x000ffffffffff000ull & ~(page_size(b) - 1);
        for (uint64_t j = 0; j < per && i * per + j < end; j++)
            if (fn(x, t, (uint32_t)(i * per + j), l2 + 8 * j, arg) && !--left)
                return;
    }
}

static bool free_slot(struct ioe_its *x, struct inst *t, uint32_t d, uint64_t a, void *arg)
{
    uint64_t dte;
    (void)d;
    (void)arg;
    if (rd64(x, t->vm, a, &dte) || !(dte >> 63))
        return false;
    free_device(x, t, a, dte);
    return true;
}

static void free_all_devices(struct ioe_its *x, struct inst *t)
{
    for_each_dte_slot(x, t, free_slot, NULL, true);
}

/* ------------------------------------------------------------------ translation */
/* 1 delivered, 0 blocked, -EBUSY */
static int translate(struct ioe_its *x, struct inst *t, uint32_t d, uint32_t e)
{
    uint64_t ite;
    if (!t->enabled)
        return -EBUSY;
    if (read_ite(x, t, d, e, &ite, NULL))
        return 0;
    uint32_t vcpu = coll_target(t, ite_icid(ite));
    if (vcpu == UNMAPPED || vcpu >= ioe_gic_nr_vcpus(x->gic, t->vm))
        return 0;
    if (!ioe_gic_lpis_enabled(x->gic, t->vm, vcpu))
        return -EBUSY;
    uint32_t intid = ite_intid(ite);
    if (intid < LPI_FIRST || intid - LPI_FIRST >= NR_LPIS || !lpi_of(x, t->vm, intid)->refs)
        return 0;
    set_pending(x, t->vm, lpi_of(x, t->vm, intid), true);
    x->misses++; /* the model has no cache: every delivered translation walked */
    x->lpi_set++;
    x->lpi_set_cycle = (uint32_t)*x->env.cycle;
    return 1;
}

/* ------------------------------------------------------------------ commands */
static uint32_t cmd_devid(const uint64_t *c)
{
    return (uint32_t)(c[0] >> 32);
}

static uint32_t cmd_event(const uint64_t *c)
{
    return (uint32_t)c[1];
}

static void cmd_mapd(struct ioe_its *x, struct inst *t, const uint64_t *c)
{
    uint32_t d = cmd_devid(c);
    unsigned size = (unsigned)(c[1] & 0x1f);
    bool v = c[2] >> 63;
    uint64_t a, dte;
    if (dte_addr(x, t, d, &a))
        return;
    if (v && (size > 15 || size + 1 > EVENT_BITS))
        return;
    if (rd64(x, t->vm, a, &dte))
        return; /* the old entry cannot be read: the command is skipped, as the RTL does */
    if (dte >> 63)
        free_device(x, t, a, dte);
    if (v) {
        wr64(x, t->vm, a, 1ull << 63 | ((c[2] >> 8) & ((1ull << 44) - 1)) << 5 | size);
        dev_mapped(t, d, size);
    }
}

struct retarget {
    uint32_t icid, rd;
};

/* MAPC's retarget: the LPI of every ITE of the collection in device slot d follows */
static bool retarget_slot(struct ioe_its *x, struct inst *t, uint32_t d, uint64_t a, void *arg)
{
    const struct retarget *r = arg;
    uint64_t dte;
    (void)d;
    if (rd64(x, t->vm, a, &dte) || !(dte >> 63))
        return false;
    uint64_t n = itt_len(t, dte);
    for (uint64_t e = 0; e < n; e++) {
        uint64_t ite;
        if (rd64(x, t->vm, dte_itt(dte) + 8 * e, &ite) || !ite_intid(ite) ||
            ite_icid(ite) != r->icid)
            continue;
        uint32_t l = ite_intid(ite);
        if (l >= LPI_FIRST && l - LPI_FIRST < NR_LPIS && lpi_of(x, t->vm, l)->refs)
            lpi_of(x, t->vm, l)->target = (uint8_t)r->rd;
    }
    return true;
}

static void cmd_mapc(struct ioe_its *x, struct inst *t, const uint64_t *c)
{
    uint32_t icid = (uint16_t)c[2], rd = (uint32_t)(c[2] >> 16);
    bool v = c[2] >> 63;
    if (rd >= ioe_gic_nr_vcpus(x->gic, t->vm))
        return;
    int ci = coll_find(t, icid);
    if (!v) {
        if (ci >= 0)
            coll_remove(t, ci);
        return;
    }
    if (ci >= 0) {
        t->coll[ci].target = rd;
        /* every LPI mapped by an ITE of this collection in this instance follows */
        struct retarget r = {icid, rd};
        for_each_dte_slot(x, t, retarget_slot, &r, true);
        return;
    }
    if (!coll_in_range(t, icid) || t->nr_coll == NR_COLL)
        return;
    t->coll[t->nr_coll++] = (struct coll){(uint16_t)icid, rd};
}

static void cmd_mapti(struct ioe_its *x, struct inst *t, const uint64_t *c, bool mapi)
{
    uint32_t d = cmd_devid(c), e = cmd_event(c);
    uint32_t intid = mapi ? e : (uint32_t)(c[1] >> 32);
    uint32_t icid = (uint16_t)c[2];
    uint64_t dte, a, ite;
    if (read_dte(x, t, d, &dte, NULL))
        return;
    if (e >= (1ull << dte_bits(dte)))
        return;
    a = dte_itt(dte) + 8ull * e;
    if (rd64(x, t->vm, a, &ite))
        return;
    if (intid < LPI_FIRST || intid >= usable_lpis(x, t->vm))
        return;
    if (ite_intid(ite))
        return;
    bool new_coll = coll_find(t, icid) < 0;
    if (new_coll && (!coll_in_range(t, icid) || t->nr_coll == NR_COLL))
        return;
    /* an LPI that cannot be referenced or created fails the whole MAPTI: no collection
     * either (KVM frees the one it allocated) */
    if (lpi_ref(x, t->vm, intid, coll_target(t, icid)))
        return;
    if (new_coll)
        t->coll[t->nr_coll++] = (struct coll){(uint16_t)icid, UNMAPPED};
    if (wr64(x, t->vm, a, (uint64_t)intid << 16 | icid))
        lpi_unref(x, t->vm, intid);
}

static void cmd_movi(struct ioe_its *x, struct inst *t, const uint64_t *c)
{
    uint32_t d = cmd_devid(c), e = cmd_event(c), icid = (uint16_t)c[2];
    uint64_t ite, a;
    if (read_ite(x, t, d, e, &ite, &a))
        return;
    if (coll_target(t, ite_icid(ite)) == UNMAPPED)
        return;
    uint32_t to = coll_target(t, icid);
    if (to == UNMAPPED)
        return;
    wr64(x, t->vm, a, (ite & ~0xffffull) | icid);
    uint32_t l = ite_intid(ite);
    if (l >= LPI_FIRST && l - LPI_FIRST < NR_LPIS && lpi_of(x, t->vm, l)->refs)
        lpi_of(x, t->vm, l)->target = (uint8_t)to;
}

static void cmd_discard(struct ioe_its *x, struct inst *t, const uint64_t *c)
{
    uint64_t ite, a;
    if (read_ite(x, t, cmd_devid(c), cmd_event(c), &ite, &a))
        return;
    if (coll_target(t, ite_icid(ite)) == UNMAPPED)
        return;
    lpi_unref(x, t->vm, ite_intid(ite));
    wr64(x, t->vm, a, 0);
}

static struct lpi *ite_lpi(struct ioe_its *x, struct inst *t, uint64_t ite)
{
    uint32_t l = ite_intid(ite);
    if (l < LPI_FIRST || l - LPI_FIRST >= NR_LPIS || !lpi_of(x, t->vm, l)->refs)
        return NULL;
    return lpi_of(x, t->vm, l);
}

static void cmd_clear_inv(struct ioe_its *x, struct inst *t, const uint64_t *c, bool inv)
{
    uint64_t ite;
    if (read_ite(x, t, cmd_devid(c), cmd_event(c), &ite, NULL))
        return;
    struct lpi *l = ite_lpi(x, t, ite);
    if (!l)
        return;
    if (inv) {
        struct lpi n = *l;
        if (!read_config(x, t->vm, ite_intid(ite), &n))
            *l = n;
    } else {
        set_pending(x, t->vm, l, false);
    }
}

static void cmd_invall(struct ioe_its *x, struct inst *t, const uint64_t *c)
{
    uint32_t vcpu = coll_target(t, (uint16_t)c[2]);
    if (vcpu == UNMAPPED)
        return;
    for (uint32_t i = 0; i < NR_LPIS; i++) {
        struct lpi *l = &x->lpi[t->vm][i];
        if (l->refs && l->target == vcpu) {
            struct lpi n = *l;
            if (!read_config(x, t->vm, i + LPI_FIRST, &n))
                *l = n;
        }
    }
}

static void cmd_movall(struct ioe_its *x, struct inst *t, const uint64_t *c)
{
    uint32_t r1 = (uint32_t)(c[2] >> 16), r2 = (uint32_t)(c[3] >> 16);
    unsigned n = ioe_gic_nr_vcpus(x->gic, t->vm);
    if (r1 >= n || r2 >= n || r1 == r2)
        return;
    for (uint32_t i = 0; i < NR_LPIS; i++) {
        struct lpi *l = &x->lpi[t->vm][i];
        if (l->refs && l->target == r1)
            l->target = (uint8_t)r2;
    }
}

static void run_command(struct ioe_its *x, struct inst *t, const uint64_t *c)
{
    switch (c[0] & 0xff) {
    case 0x01: cmd_movi(x, t, c); break;
    case 0x03: translate(x, t, cmd_devid(c), cmd_event(c)); break;
    case 0x04: cmd_clear_inv(x, t, c, false); break;
    case 0x08: cmd_mapd(x, t, c); break;
    case 0x09: cmd_mapc(x, t, c); break;
    case 0x0a: cmd_mapti(x, t, c, false); break;
    case 0x0b: cmd_mapti(x, t, c, true); break;
    case 0x0c: cmd_clear_inv(x, t, c, true); break;
    case 0x0d: cmd_invall(x, t, c); break;
    case 0x0e: cmd_movall(x, t, c); break;
    case 0x0f: cmd_discard(x, t, c); break;
    default: break; /* SYNC and everything else */
    }
}

static uint64_t queue_bytes(const struct inst *t)
{
    return ((t->cbaser & 0xff) + 1) * 0x1000;
}

static void run_queue(struct ioe_its *x, struct inst *t)
{
    if (!t->enabled)
        return;
    uint64_t base = t->cbaser & 0x000fffffffff0000ull;
    while (t->creadr != t->cwriter) {
        uint64_t c[4];
        bool ok = true;
        for (int i = 0; i < 4 && ok; i++)
            ok = !rd64(x, t->vm, base + t->creadr + 8 * (uint64_t)i, &c[i]);
        if (ok)
            run_command(x, t, c);
        t->creadr += 32;
        if (t->creadr >= queue_bytes(t))
            t->creadr = 0;
    }
}

/* ------------------------------------------------------------------ frame registers */
static uint64_t sanitise(uint64_t v)
{
    if ((v >> 10 & 3) == 2)
        v = (v & ~(3ull << 10)) | 1ull << 10;
    if ((v >> 59 & 7) <= 1)
        v = (v & ~(7ull << 59)) | 7ull << 59;
    if ((v >> 53 & 7) > 1)
        v &= ~(7ull << 53);
    return v;
}

static void inst_reset(struct ioe_its *x, struct inst *t);

static void write_baser(struct ioe_its *x, struct inst *t, unsigned n, uint64_t v)
{
    if (t->enabled || n > 1)
        return;
    v &= ~(0x1full << 48 | 7ull << 56);
    v |= 7ull << 48 | (n ? 4ull : 1ull) << 56;
    if ((v >> 8 & 3) == 3)
        v = (v & ~(3ull << 8)) | 2ull << 8;
    if (n)
        v &= ~BASER_INDIRECT;
    v = sanitise(v);
    if (!(v & BASER_VALID)) {
        if (n == 0)
            free_all_devices(x, t);
        else
            t->nr_coll = 0;
    }
    t->baser[n] = v;
}

/* 64-bit view of the register at an 8-aligned offset: true if it exists. */
static bool reg64(struct inst *t, uint32_t off, uint64_t **p, uint64_t *val)
{
    *p = NULL;
    switch (off) {
    case 0x08: *val = TYPER_VAL; return true;
    case 0x80: *p = &t->cbaser; break;
    case 0x88: *p = &t->cwriter; break;
    case 0x90: *p = &t->creadr; break;
    default:
        if (off >= 0x100 && off < 0x140) {
            unsigned n = (off - 0x100) / 8;
            *val = n < 2 ? t->baser[n] : 0;
            return true;
        }
        return false;
    }
    *val = **p;
    return true;
}

static bool read32_id(uint32_t off, uint32_t *v)
{
    static const struct {
        uint32_t off, val;
    } ids[] = {{0xffd0, 0x40}, {0xffe0, 0x92}, {0xffe4, 0xb4}, {0xffe8, 0x3b},
               {0xfff0, 0x0d}, {0xfff4, 0xf0}, {0xfff8, 0x05}, {0xfffc, 0xb1}};
    if (off < 0xffd0 || off > 0xfffc)
        return false;
    *v = 0;
    for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (ids[i].off == off)
            *v = ids[i].val;
    return true;
}

/* Write the 64-bit register at off (8-aligned) with its rules; returns a positive errno
 * for userspace writes that fail. */
static uint32_t write64(struct ioe_its *x, struct inst *t, uint32_t off, uint64_t v, bool ua)
{
    switch (off) {
    case 0x08: return 0;
    case 0x80:
        if (t->enabled)
            return 0;
        t->cbaser = sanitise(v & ~CBASER_RES0);
        t->creadr = t->cwriter = 0;
        return 0;
    case 0x88:
        v &= 0xfffe0;
        if (v >= queue_bytes(t))
            return 0;
        t->cwriter = v;
        run_queue(x, t);
        return 0;
    case 0x90:
        if (!ua)
            return 0;
        if (t->enabled)
            return EBUSY;
        if ((v & 0xfffe0) >= queue_bytes(t))
            return EINVAL;
        t->creadr = v & 0xfffe0;
        return 0;
    default: write_baser(x, t, (off - 0x100) / 8, v); return 0;
    }
}

static void write_ctlr(struct ioe_its *x, struct inst *t, uint32_t v)
{
    bool en = v & 1;
    if (!t->enabled && en &&
        (!(t->baser[0] & BASER_VALID) || !(t->baser[1] & BASER_VALID) || !(t->cbaser >> 63)))
        return;
    t->enabled = en; /* 1 -> 0 invalidates the translation cache: the model has none */
    run_queue(x, t);
}

/* READ32/WRITE32/READ64/WRITE64: false for UNDEF. *res = positive errno of a write. */
static bool frame_access(struct ioe_its *x, struct inst *t, uint32_t off, bool wide, bool write,
                         uint64_t w, uint64_t *r, uint32_t *res, bool ua)
{
    uint64_t *p, cur;
    *r = 0;
    *res = 0;
    if (off & 3)
        return false;
    if (off == 0x0 || off == 0x4) {
        if (wide)
            return false;
        if (off == 0) {
            if (write)
                write_ctlr(x, t, (uint32_t)w);
            else
                *r = (uint64_t)t->enabled | 1ull << 31; /* Quiescent */
        } else {
            if (write && ua && ((uint32_t)w >> 12 & 0xf) >= 1)
                *res = EINVAL;
            else if (!write)
                *r = IIDR_VAL;
        }
        return true;
    }
    uint32_t id;
    if (read32_id(off, &id)) {
        if (wide)
            return false;
        if (!write)
            *r = id;
        return true;
    }
    if (!reg64(t, off & ~7u, &p, &cur))
        return false;
    bool hi = off & 4;
    if (wide && hi)
        return false;
    if (!write) {
        *r = wide ? cur : hi ? cur >> 32 : (cur & 0xffffffffu);
        return true;
    }
    uint64_t v = wide ? w
                 : hi ? (cur & 0xffffffffu) | w << 32
                      : (cur & ~0xffffffffull) | (w & 0xffffffffu);
    *res = write64(x, t, off & ~7u, v, ua);
    return true;
}

/* ------------------------------------------------------------------ save / restore */
struct walk {
    int err;
    uint32_t prev_d;
    uint64_t prev_a, prev_dte;
    bool have_prev;
};

static int save_itt(struct ioe_its *x, struct inst *t, uint64_t dte)
{
    uint64_t itt = dte_itt(dte), n = itt_len(t, dte);
    bool have = false;
    uint64_t pe = 0, pite = 0;
    for (uint64_t e = 0; e < n; e++) {
        uint64_t ite;
        if (rd64(x, t->vm, itt + 8 * e, &ite))
            return -EFAULT;
        if (!ite_intid(ite))
            continue;
        if (have) {
            uint64_t next = e - pe > 0xffff ? 0xffff : e - pe;
            if (wr64(x, t->vm, itt + 8 * pe, (pite & ((1ull << 48) - 1)) | next << 48))
                return -EFAULT;
        }
        have = true;
        pe = e;
        pite = ite;
    }
    if (have && wr64(x, t->vm, itt + 8 * pe, pite & ((1ull << 48) - 1)))
        return -EFAULT;
    return 0;
}

static bool save_slot(struct ioe_its *x, struct inst *t, uint32_t d, uint64_t a, void *arg)
{
    struct walk *w = arg;
    uint64_t dte;
    if (w->err)
        return false;
    if (rd64(x, t->vm, a, &dte)) {
        return false; /* an L2 page the card cannot read holds no device it knows */
    }
    if (!(dte >> 63) || (dte & 0x1f) > 30) /* Size 31: no device (as the RTL) */
        return false;
    if ((w->err = save_itt(x, t, dte)))
        return true;
    if (w->have_prev) {
        uint64_t next = d - w->prev_d > 16383 ? 16383 : d - w->prev_d;
        if (wr64(x, t->vm, w->prev_a, (w->prev_dte & ~(0x3fffull << 49)) | next << 49)) {
            w->err = -EFAULT;
            return true;
        }
    }
    w->have_prev = true;
    w->prev_d = d;
    w->prev_a = a;
    w->prev_dte = dte;
    return true;
}

static int save_tables(struct ioe_its *x, struct inst *t)
{
    struct walk w = {0};
    for_each_dte_slot(x, t, save_slot, &w, true);
    if (w.err)
        return w.err;
    if (w.have_prev && wr64(x, t->vm, w.prev_a, w.prev_dte & ~(0x3fffull << 49)))
        return -EFAULT;
    uint64_t b = t->baser[1];
    if (b & BASER_VALID) {
        uint64_t base = baser_addr(b), n = table_bytes(b) / 8, i = 0;
        for (; i < t->nr_coll && i < n; i++) {
            const struct coll *c = &t->coll[i];
            if (wr64(x, t->vm, base + 8 * i, 1ull << 63 | (uint64_t)c->target << 16 | c->icid))
                return -EFAULT;
        }
        if (i < n && wr64(x, t->vm, base + 8 * i, 0))
            return -EFAULT;
    }
    return 0;
}

/* Restore one device's ITT with KVM's scanner (an invalid entry advances by one, a valid
 * one by its next field, next = 0 ends the scan): 0 or -errno, and then *at is the EventID
 * that failed (the ITEs below it hold their references). Valid entries the scan does not
 * reach are zeroed, so the live ITT holds what KVM's kernel state would. */
static int restore_itt(struct ioe_its *x, struct inst *t, uint64_t dte, uint64_t *at)
{
    uint64_t itt = dte_itt(dte), n = 1ull << dte_bits(dte), pos = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t ite;
        *at = i;
        if (rd64(x, t->vm, itt + 8 * i, &ite))
            return -EFAULT;
        if (i < pos) {
            if (ite_intid(ite))
                wr64(x, t->vm, itt + 8 * i, 0);
            continue;
        }
        if (!ite_intid(ite)) {
            pos = i + 1;
            continue;
        }
        uint32_t intid = ite_intid(ite);
        uint64_t next = ite >> 48;
        if (intid < LPI_FIRST || intid - LPI_FIRST >= NR_LPIS)
            return -EINVAL;
        if (i + next >= n)
            return -EINVAL;
        if (coll_find(t, ite_icid(ite)) < 0)
            return -EINVAL;
        int err = lpi_ref(x, t->vm, intid, coll_target(t, ite_icid(ite)));
        if (err) /* EFAULT, or ENOSPC beyond MAX_REFS */
            return err;
        pos = next ? i + next : n;
    }
    return 0;
}

struct rwalk {
    int err;
    bool done;
    uint64_t per;    /* DTEs per L2 page of an indirect table, 0 for a flat one */
    uint64_t next_d; /* the next DeviceID the scan looks at */
};

static bool restore_slot(struct ioe_its *x, struct inst *t, uint32_t d, uint64_t a, void *arg)
{
    struct rwalk *w = arg;
    uint64_t dte, at = 0;
    if (w->per && d % w->per == 0 && !w->done)
        w->next_d = d; /* KVM scans every valid L2 page from its first entry */
    if (rd64(x, t->vm, a, &dte))
        return false;
    if (w->done || d < w->next_d) {
        /* not reached by the scan (or after its error): no device; its ITEs took no
         * references, so its ITT is not walked */
        if (dte >> 63)
            wr64(x, t->vm, a, 0);
        return false;
    }
    if (!(dte >> 63) || (dte & 0x1f) > 30) { /* Size 31: no device (as the RTL) */
        w->next_d = d + 1ull;
        return false;
    }
    dev_mapped(t, d, (unsigned)(dte & 0x1f));
    int err = restore_itt(x, t, dte, &at);
    if (err) {
        /* KVM frees the device it failed in: here the ITEs restored so far. nd has no
         * bound's role until the walk of free_restored ends. */
        t->nd = ND_MAX;
        free_device_n(x, t, a, dte, at);
        w->err = err;
        w->done = true;
        return true;
    }
    uint64_t next = dte >> 49 & 0x3fff;
    if (next == 0)
        w->done = true;
    else
        w->next_d = d + next;
    return true;
}

static void free_everything(struct ioe_its *x, struct inst *t)
{
    free_all_devices(x, t);
    t->nr_coll = 0;
}

/* A failed RESTORE_TABLES, after its scan zeroed the DTEs it had not reached (and freed the
 * device it failed in): the valid DTEs left are the devices it restored, at DeviceIDs up to
 * dev_max, with ITT Sizes up to itt_max (both as the scan set them). Each is freed as MAPD
 * V=0 frees it (nd = ND_MAX: the walk is not ended by a count), then no device and no
 * collection is left, as KVM leaves its ITS. */
static void free_restored(struct ioe_its *x, struct inst *t)
{
    t->nd = ND_MAX;
    free_all_devices(x, t);
    t->nd = t->dev_max = t->itt_max = 0;
    t->nr_coll = 0;
}

static int restore_tables(struct ioe_its *x, struct inst *t)
{
    /* The tables to restore are the live tables in guest memory: only the collections
     * are dropped first (RESTORE_TABLES expects an ITS without devices, fresh or after
     * RESET, as QEMU's restore does). An error ends the scan: the DTEs after it are zeroed
     * (all of them when the collections failed), then free_restored. */
    struct rwalk w = {0};
    if (t->baser[0] & BASER_INDIRECT)
        w.per = page_size(t->baser[0]) / 8;
    t->nr_coll = 0;
    uint64_t b = t->baser[1];
    if (b & BASER_VALID) {
        uint64_t base = baser_addr(b), n = table_bytes(b) / 8;
        unsigned nv = ioe_gic_nr_vcpus(x->gic, t->vm);
        for (uint64_t i = 0; i < n; i++) {
            uint64_t cte;
            int err = 0;
            if (rd64(x, t->vm, base + 8 * i, &cte))
                err = -EFAULT;
            else if (!(cte >> 63))
                break;
            uint32_t target = (uint32_t)(cte >> 16), icid = (uint16_t)cte;
            if (!err && target != UNMAPPED && target >= nv)
                err = -EINVAL;
            else if (!err && coll_find(t, icid) >= 0)
                err = -EEXIST;
            else if (!err && !coll_in_range(t, icid))
                err = -EINVAL;
            else if (!err && t->nr_coll == NR_COLL)
                err = -ENOMEM;
            if (err) {
                w.err = err;
                w.done = true;
                break;
            }
            t->coll[t->nr_coll++] = (struct coll){(uint16_t)icid, target};
        }
    }
    for_each_dte_slot(x, t, restore_slot, &w, false);
    if (w.err)
        free_restored(x, t);
    return w.err;
}

static int save_pending(struct ioe_its *x, unsigned vm)
{
    for (uint32_t i = 0; i < NR_LPIS; i++) {
        const struct lpi *l = &x->lpi[vm][i];
        if (!l->refs)
            continue;
        uint32_t intid = i + LPI_FIRST;
        uint64_t a = pend_addr(x, vm, l->target) + intid / 8;
        uint8_t b;
        if (rd8(x, vm, a, &b))
            return -EFAULT;
        uint8_t nb =
            l->pending ? (uint8_t)(b | 1u << (intid % 8)) : (uint8_t)(b & ~(1u << (intid % 8)));
        if (nb != b && wr8(x, vm, a, nb))
            return -EFAULT;
    }
    return 0;
}

/* ------------------------------------------------------------------ instances */
static void inst_reset(struct ioe_its *x, struct inst *t)
{
    free_everything(x, t);
    t->baser[0] &= ~BASER_VALID;
    t->baser[1] &= ~BASER_VALID;
    t->cbaser = t->creadr = t->cwriter = 0;
    t->enabled = false;
}

static void inst_bind(struct inst *t, unsigned vm)
{
    *t = (struct inst){0};
    t->bound = true;
    t->vm = vm;
    t->baser[0] = BASER_INIT | 1ull << 56;
    t->baser[1] = BASER_INIT | 4ull << 56;
}

static uint32_t run_op(struct ioe_its *x, unsigned code)
{
    unsigned n = x->target >> IOE_ITS_TARGET_ITS_SHIFT & IOE_ITS_TARGET_ITS_MASK;
    unsigned vm = x->target >> IOE_ITS_TARGET_VM_SHIFT & IOE_ITS_TARGET_VM_MASK;
    bool ua = x->target >> IOE_ITS_TARGET_UACCESS_SHIFT & 1;
    uint64_t w = (uint64_t)x->wdata_hi << 32 | x->wdata_lo, r = 0;
    uint32_t res = 0;
    bool ok = true;
    int err;

    x->rdata_lo = x->rdata_hi = 0;
    if (code < OP_READ32 || code > OP_TRANSLATE)
        return ST_BADTARGET;
    if (code == OP_SAVE_PENDING || code == OP_LPI_STATE) {
        if (vm >= NR_VMS)
            return ST_BADTARGET;
        if (code == OP_SAVE_PENDING) {
            x->rdata_lo = (uint32_t)-save_pending(x, vm);
            return ST_DONE;
        }
        uint32_t intid = x->offset;
        if (intid < LPI_FIRST || intid - LPI_FIRST >= NR_LPIS)
            return ST_DONE | ST_UNDEF;
        const struct lpi *l = lpi_of(x, vm, intid);
        x->rdata_lo = (uint32_t)l->refs << 16 | (uint32_t)l->target << 8 | l->prio |
                      (uint32_t)l->pending << 1 | l->enabled;
        return ST_DONE;
    }
    if (n >= NR_ITS)
        return ST_BADTARGET;
    struct inst *t = &x->its[n];
    if (code == OP_BIND) {
        if (x->wdata_lo & 1) {
            if (vm >= NR_VMS)
                return ST_BADTARGET;
            if (t->bound)
                inst_reset(x, t);
            inst_bind(t, vm);
        } else if (t->bound) {
            inst_reset(x, t);
            *t = (struct inst){0};
        }
        ioe_gic_lpi_changed(x->gic, vm);
        return ST_DONE;
    }
    if (!t->bound)
        return ST_BADTARGET;
    switch (code) {
    case OP_READ32:
    case OP_WRITE32:
    case OP_READ64:
    case OP_WRITE64: {
        bool write = code == OP_WRITE32 || code == OP_WRITE64;
        bool wide = code == OP_READ64 || code == OP_WRITE64;
        ok = frame_access(x, t, x->offset & 0x1ffff, wide, write, wide ? w : x->wdata_lo, &r, &res,
                          ua);
        if (write)
            r = res;
        break;
    }
    case OP_SET_BASE:
        t->base = w & ~0xffffull;
        t->base_set = true;
        break;
    case OP_RESET: inst_reset(x, t); break;
    case OP_SAVE: r = (uint32_t)-save_tables(x, t); break;
    case OP_RESTORE: r = (uint32_t)-restore_tables(x, t); break;
    case OP_INJECT:
        err = translate(x, t, x->wdata_lo, x->wdata_hi);
        r = err < 0 ? (uint32_t)-err : (uint32_t)err;
        if (err == 0)
            r = (uint64_t)E_INT_UNMAPPED << 32;
        break;
    case OP_TRANSLATE: {
        uint64_t ite;
        if (!read_ite(x, t, x->wdata_lo, x->wdata_hi, &ite, NULL)) {
            uint32_t tg = coll_target(t, ite_icid(ite));
            r = ite_intid(ite) | (uint64_t)ite_icid(ite) << 32 |
                (uint64_t)(tg == UNMAPPED ? 0xffu : tg & 0xff) << 48;
        }
        break;
    }
    default: break;
    }
    x->rdata_lo = (uint32_t)r;
    x->rdata_hi = (uint32_t)(r >> 32);
    ioe_gic_lpi_changed(x->gic, t->vm);
    return ST_DONE | (ok ? 0 : ST_UNDEF);
}

/* ------------------------------------------------------------------ block interface */
struct ioe_its *ioe_its_create(const struct ioe_engine_env *env, struct ioe_gic *gic)
{
    struct ioe_its *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    x->env = *env;
    x->gic = gic;
    for (unsigned v = 0; v < NR_VMS; v++) {
        x->lpi[v] = calloc(NR_LPIS, sizeof(struct lpi));
        if (!x->lpi[v]) {
            ioe_its_destroy(x);
            return NULL;
        }
    }
    ioe_gic_set_lpi_ops(gic, &lpi_ops, x);
    return x;
}

void ioe_its_destroy(struct ioe_its *x)
{
    if (!x)
        return;
    for (unsigned v = 0; v < NR_VMS; v++)
        free(x->lpi[v]);
    free(x);
}

void ioe_its_reset(struct ioe_its *x)
{
    x->target = x->offset = x->wdata_lo = x->wdata_hi = x->status = 0;
    x->rdata_lo = x->rdata_hi = 0;
    x->msi_in = x->msi_drop = x->misses = x->lpi_set = x->lpi_set_cycle = 0;
    memset(x->its, 0, sizeof(x->its));
    for (unsigned v = 0; v < NR_VMS; v++)
        lpi_vm_reset(x, v);
}

uint32_t ioe_its_csr_read(struct ioe_its *x, uint32_t off)
{
    switch (off + IOE_ITS_BASE) {
    case IOE_ITS_TARGET: return x->target;
    case IOE_ITS_OFFSET: return x->offset;
    case IOE_ITS_WDATA_LO: return x->wdata_lo;
    case IOE_ITS_WDATA_HI: return x->wdata_hi;
    case IOE_ITS_STATUS: return x->status;
    case IOE_ITS_RDATA_LO: return x->rdata_lo;
    case IOE_ITS_RDATA_HI: return x->rdata_hi;
    case IOE_ITS_MSI_IN: return x->msi_in;
    case IOE_ITS_MSI_DROP: return x->msi_drop;
    case IOE_ITS_CACHE_HIT: return 0;
    case IOE_ITS_CACHE_MISS: return x->misses;
    case IOE_ITS_LPI_SET: return x->lpi_set;
    case IOE_ITS_LPI_SET_CYCLE: return x->lpi_set_cycle;
    default: return 0;
    }
}

void ioe_its_csr_write(struct ioe_its *x, uint32_t off, uint32_t val)
{
    switch (off + IOE_ITS_BASE) {
    case IOE_ITS_TARGET: x->target = val & ioe_reg_wmask(IOE_ITS_TARGET); break;
    case IOE_ITS_OFFSET: x->offset = val & ioe_reg_wmask(IOE_ITS_OFFSET); break;
    case IOE_ITS_WDATA_LO: x->wdata_lo = val; break;
    case IOE_ITS_WDATA_HI: x->wdata_hi = val; break;
    case IOE_ITS_OP: x->status = run_op(x, val & IOE_ITS_OP_CODE_MASK); break;
    default: break;
    }
}

static int claimer(const struct ioe_its *x, uint64_t addr)
{
    unsigned vm = (unsigned)(addr >> VM_SHIFT);
    uint64_t gpa = addr & ((1ull << VM_SHIFT) - 1);
    for (unsigned i = 0; i < NR_ITS; i++) {
        const struct inst *t = &x->its[i];
        if (t->bound && t->base_set && t->vm == vm && gpa >= t->base && gpa < t->base + 0x20000)
            return (int)i;
    }
    return -1;
}

bool ioe_its_msi_claim(const struct ioe_its *x, uint32_t devid, uint64_t addr)
{
    (void)devid;
    return claimer(x, addr) >= 0;
}

void ioe_its_msi(struct ioe_its *x, uint32_t devid, uint64_t addr, uint32_t data)
{
    int i = claimer(x, addr);
    if (i < 0)
        return;
    x->msi_in++;
    if (translate(x, &x->its[i], devid, data) != 1)
        x->msi_drop++;
    ioe_gic_lpi_changed(x->gic, x->its[i].vm);
}
