/*
 * C reference model of the card's XIVE engine (docs/xive.md): ESB PQ state and EAS per
 * source, END per (server, priority) with its event queue in guest memory, the OS ring of
 * every server's thread context, for every VM context. Untimed: every operation and MSI
 * takes effect at once; EQ writes go to host memory functionally.
 */
#include "ioe_xive.h"

#include <stdlib.h>
#include <string.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#define NVMS IOE_PARAM_NR_VMS_DEFAULT
#define NSRV IOE_PARAM_NR_VCPUS_DEFAULT
#define NSRC IOE_PARAM_XIVE_SOURCES_DEFAULT
#define NPRIO 8u

enum {
    OP_ESB_LOAD = 1,
    OP_ESB_STORE = 2,
    OP_TRIGGER = 3,
    OP_SOURCE_SET = 4,
    OP_SOURCE_CONFIG = 5,
    OP_SOURCE_READ = 6,
    OP_SOURCE_LEVEL = 7,
    OP_SOURCE_SYNC = 8,
    OP_EQ_CONFIG = 9,
    OP_EQ_READ = 10,
    OP_TM_LOAD = 11,
    OP_TM_STORE = 12,
    OP_VP_SET = 13,
    OP_VP_GET = 14,
    OP_VM_CTRL = 15,
};

enum { ST_DONE = 1u << 1, ST_UNDEF = 1u << 2, ST_BAD = 1u << 3 };

struct xsrc {
    uint8_t valid, lsi, asserted, pq;
    uint8_t masked, prio, server;
    uint32_t eisn;
};

struct xend {
    uint8_t en, an, gen, qshift;
    uint32_t index;
    uint64_t qaddr;
};

struct xsrv {
    uint8_t nsr, cppr, ipb, lsmfb, ack, inc, age;
};

struct xvm {
    struct xsrc src[NSRC];
    struct xend end[NSRV * NPRIO];
    struct xsrv srv[NSRV];
    uint64_t win_base; /* GPA, 128 KiB aligned */
    uint8_t win_en;
};

struct ioe_xive {
    struct ioe_engine_env env;
    uint32_t target, offset, wdata_lo, wdata_hi, status, rdata_lo, rdata_hi;
    uint32_t trig_count, eq_write_count, eq_write_cycle, eq_write_err;
    struct xvm vm[NVMS];
};

static const struct xsrv srv_reset = {.ack = 0xff};

static void vm_clear(struct xvm *v)
{
    memset(v, 0, sizeof(*v));
    for (unsigned i = 0; i < NSRC; i++) {
        v->src[i].pq = 1;
        v->src[i].masked = 1;
    }
    for (unsigned i = 0; i < NSRV; i++)
        v->srv[i] = srv_reset;
}

struct ioe_xive *ioe_xive_create(const struct ioe_engine_env *env)
{
    struct ioe_xive *x = calloc(1, sizeof(*x));
    if (!x)
        return NULL;
    x->env = *env;
    ioe_xive_reset(x);
    return x;
}

void ioe_xive_destroy(struct ioe_xive *x)
{
    free(x);
}

void ioe_xive_reset(struct ioe_xive *x)
{
    struct ioe_engine_env env = x->env;
    memset(x, 0, sizeof(*x));
    x->env = env;
    for (unsigned v = 0; v < NVMS; v++)
        vm_clear(&x->vm[v]);
}

/* ---------------------------------------------------------------- presentation */

static uint8_t pipr(uint8_t ipb)
{
    for (unsigned p = 0; p < 8; p++)
        if (ipb & (0x80u >> p))
            return (uint8_t)p;
    return 0xff;
}

/* raise NSR when PIPR < CPPR and NSR is 0; one notification per raise */
static void srv_check(struct ioe_xive *x, unsigned vm, unsigned s)
{
    struct xsrv *c = &x->vm[vm].srv[s];
    if (c->nsr == 0 && pipr(c->ipb) < c->cppr) {
        c->nsr = 0x80;
        x->env.notify(x->env.ctx, vm, s, IOE_NOTIFY_SRC_XIVE);
    }
}

static uint64_t srv_w01(const struct xsrv *c)
{
    uint32_t hi =
        (uint32_t)c->nsr << 24 | (uint32_t)c->cppr << 16 | (uint32_t)c->ipb << 8 | c->lsmfb;
    uint32_t lo =
        (uint32_t)c->ack << 24 | (uint32_t)c->inc << 16 | (uint32_t)c->age << 8 | pipr(c->ipb);
    return (uint64_t)hi << 32 | lo;
}

/* ---------------------------------------------------------------- routing */

/* A failed EQ write (an error response; the RTL also ends a write that gets no response
 * within its completion timeout so) loses the event: EQ_WRITE_ERR counts it, the index
 * stays at the slot, so the next event is written there, and the source's PQ returns to 00
 * (it has no event in a queue: its next trigger forwards again). The server is notified
 * all the same (the RTL presents the event when it sends the entry, before the write's
 * outcome is known): the guest finds nothing new in its queue, a spurious interrupt. */
static void forward(struct ioe_xive *x, unsigned vm, struct xsrc *s)
{
    if (s->masked)
        return;
    struct xend *e = &x->vm[vm].end[s->server * NPRIO + s->prio];
    if (!e->en)
        return;
    uint32_t word = (uint32_t)e->gen << 31 | (s->eisn & 0x7fffffffu);
    uint8_t be[4] = {(uint8_t)(word >> 24), (uint8_t)(word >> 16), (uint8_t)(word >> 8),
                     (uint8_t)word};
    uint64_t iova = (uint64_t)vm << 48 | (e->qaddr + 4ull * e->index);
    int err = ioe_dma_xlate_write(x->env.dma, iova, be, 4);
    x->eq_write_count++;
    x->eq_write_cycle = (uint32_t)*x->env.cycle;
    if (err < 0) {
        x->eq_write_err++;
        s->pq = 0;
    } else {
        uint32_t mask = (1u << (e->qshift - 2)) - 1;
        e->index = (e->index + 1) & mask;
        if (e->index == 0)
            e->gen ^= 1;
    }
    if (e->an) {
        struct xsrv *c = &x->vm[vm].srv[s->server];
        c->ipb |= (uint8_t)(0x80u >> s->prio);
        srv_check(x, vm, s->server);
    }
}

static void trigger(struct ioe_xive *x, unsigned vm, struct xsrc *s)
{
    bool fwd = false;
    if (s->lsi) {
        if (s->pq == 0) {
            s->pq = 2;
            fwd = true;
        }
    } else {
        switch (s->pq) {
        case 0:
            s->pq = 2;
            fwd = true;
            break;
        case 2: s->pq = 3; break;
        default: break;
        }
    }
    if (fwd)
        forward(x, vm, s);
}

/* returns 1 when the EOI re-forwarded the queued event; at most one forward */
static unsigned eoi(struct ioe_xive *x, unsigned vm, struct xsrc *s)
{
    unsigned ref = 0;
    switch (s->pq) {
    case 2: s->pq = 0; break;
    case 3:
        s->pq = 2;
        ref = 1;
        break;
    default: break;
    }
    bool fwd = ref;
    if (s->lsi && s->asserted && s->pq == 0) {
        s->pq = 2;
        fwd = true;
    }
    if (fwd)
        forward(x, vm, s);
    return ref;
}

/* ESB store at offset `off` of the page pair; returns status bits */
static uint32_t esb_store(struct ioe_xive *x, unsigned vm, struct xsrc *s, uint32_t off)
{
    uint32_t o = off & 0xfff;
    if (!(off & 0x10000) || o < 0x400) {
        x->trig_count++;
        trigger(x, vm, s);
    } else if (o < 0x800)
        (void)eoi(x, vm, s);
    else if (o < 0xc00)
        return ST_UNDEF;
    else
        s->pq = (uint8_t)((o >> 8) & 3);
    return 0;
}

static uint64_t esb_load(struct ioe_xive *x, unsigned vm, struct xsrc *s, uint32_t off)
{
    uint32_t o = off & 0xfff;
    if (!(off & 0x10000))
        return ~0ull;
    if (o < 0x800)
        return eoi(x, vm, s);
    uint8_t old = s->pq;
    if (o >= 0xc00)
        s->pq = (uint8_t)((o >> 8) & 3);
    return old;
}

/* ---------------------------------------------------------------- operations */

static uint32_t op_vm_ctrl(struct ioe_xive *x, unsigned vm)
{
    struct xvm *v = &x->vm[vm];
    uint64_t wd = (uint64_t)x->wdata_hi << 32 | x->wdata_lo;
    switch (x->offset) {
    case 1: /* RESET */
        for (unsigned i = 0; i < NSRC; i++) {
            struct xsrc *s = &v->src[i];
            if (!s->valid)
                continue;
            s->pq = 1;
            s->masked = 1;
            s->prio = 0;
            s->server = 0;
            s->eisn = 0;
        }
        memset(v->end, 0, sizeof(v->end));
        return 0;
    case 2: return 0; /* EQ_SYNC: untimed model, nothing in flight */
    case 3: vm_clear(v); return 0;
    case 4:
        if ((wd & 0x1fffeull) || (wd >> 48))
            return ST_BAD;
        v->win_base = wd & ~0x1ffffull;
        v->win_en = wd & 1;
        return 0;
    default: return ST_BAD;
    }
}

static uint32_t op_source(struct ioe_xive *x, unsigned code, unsigned vm, unsigned idx,
                          uint64_t *rd)
{
    struct xsrc *s = &x->vm[vm].src[idx];
    uint64_t wd = (uint64_t)x->wdata_hi << 32 | x->wdata_lo;
    switch (code) {
    case OP_ESB_LOAD:
        if (x->offset >> 17)
            return ST_BAD;
        *rd = esb_load(x, vm, s, x->offset);
        return 0;
    case OP_ESB_STORE:
        if (x->offset >> 17)
            return ST_BAD;
        return esb_store(x, vm, s, x->offset);
    case OP_TRIGGER: return esb_store(x, vm, s, 0);
    case OP_SOURCE_SET:
        s->valid = 1;
        s->lsi = wd & 1;
        s->asserted = s->lsi && (wd & 2);
        s->masked = 1;
        s->prio = 0;
        s->server = 0;
        s->pq = 1;
        return 0;
    case OP_SOURCE_CONFIG: {
        uint32_t server = (uint32_t)(wd >> 3) & 0x1fffffff;
        if (server >= NSRV)
            return ST_BAD;
        if (!s->valid)
            return ST_UNDEF;
        s->prio = wd & 7;
        s->server = (uint8_t)server;
        s->masked = (wd >> 32) & 1;
        s->eisn = (uint32_t)(wd >> 33);
        return 0;
    }
    case OP_SOURCE_READ:
        if (x->offset == 0)
            *rd = (uint64_t)s->valid << 4 | (uint64_t)s->asserted << 3 | (uint64_t)s->lsi << 2 |
                  s->pq;
        else if (x->offset == 8)
            *rd = (uint64_t)s->eisn << 33 | (uint64_t)s->masked << 32 | (uint64_t)s->server << 3 |
                  s->prio;
        else
            return ST_UNDEF;
        return 0;
    case OP_SOURCE_LEVEL:
        if (!s->valid)
            return ST_UNDEF;
        if (s->lsi)
            s->asserted = wd & 1;
        if (wd & 1) {
            x->trig_count++;
            trigger(x, vm, s);
        }
        return 0;
    case OP_SOURCE_SYNC: return s->valid ? 0 : ST_UNDEF;
    default: return ST_BAD;
    }
}

static uint32_t op_end(struct ioe_xive *x, unsigned code, unsigned vm, unsigned idx, uint64_t *rd)
{
    struct xend *e = &x->vm[vm].end[idx];
    uint64_t wd = (uint64_t)x->wdata_hi << 32 | x->wdata_lo;
    if (code == OP_EQ_CONFIG) {
        unsigned qshift = x->offset & 0x1f;
        uint32_t qindex = x->offset >> 10;
        if (qshift == 0) {
            memset(e, 0, sizeof(*e));
            return 0;
        }
        if (qshift < 12 || qshift > 24 || (wd & ((1ull << qshift) - 1)) || (wd >> 48) ||
            qindex >= (1u << (qshift - 2)))
            return ST_BAD;
        e->en = 1;
        e->an = (x->offset >> 8) & 1;
        e->gen = (x->offset >> 9) & 1;
        e->qshift = (uint8_t)qshift;
        e->index = qindex;
        e->qaddr = wd;
        return 0;
    }
    /* EQ_READ */
    if (x->offset == 0)
        *rd = e->en ? (uint64_t)e->index << 10 | (uint64_t)e->gen << 9 | (uint64_t)e->an << 8 |
                          e->qshift
                    : 0;
    else if (x->offset == 8)
        *rd = e->en ? e->qaddr : 0;
    else
        return ST_UNDEF;
    return 0;
}

static uint32_t op_server(struct ioe_xive *x, unsigned code, unsigned vm, unsigned idx,
                          uint64_t *rd)
{
    struct xsrv *c = &x->vm[vm].srv[idx];
    uint8_t b = (uint8_t)x->wdata_lo;
    switch (code) {
    case OP_TM_LOAD:
        if (x->offset == 0x10) {
            *rd = srv_w01(c);
        } else if (x->offset == 0x810) {
            if (c->nsr) {
                uint8_t p = pipr(c->ipb);
                c->cppr = p;
                if (p < 8)
                    c->ipb &= (uint8_t) ~(0x80u >> p);
                *rd = (uint64_t)c->nsr << 8 | c->cppr;
                c->nsr = 0;
            } else {
                *rd = c->cppr;
            }
        } else
            return ST_UNDEF;
        return 0;
    case OP_TM_STORE:
        if (x->offset == 0x11)
            c->cppr = b <= 7 ? b : 0xff;
        else if (x->offset == 0x812) {
            if (b <= 7)
                c->ipb |= (uint8_t)(0x80u >> b);
        } else
            return ST_UNDEF;
        srv_check(x, vm, idx);
        return 0;
    case OP_VP_SET:
        c->nsr = (uint8_t)(x->wdata_hi >> 24);
        c->cppr = (uint8_t)(x->wdata_hi >> 16);
        c->ipb = (uint8_t)(x->wdata_hi >> 8);
        c->lsmfb = (uint8_t)x->wdata_hi;
        c->ack = (uint8_t)(x->wdata_lo >> 24);
        c->inc = (uint8_t)(x->wdata_lo >> 16);
        c->age = (uint8_t)(x->wdata_lo >> 8);
        srv_check(x, vm, idx);
        return 0;
    default: /* VP_GET */ *rd = srv_w01(c); return 0;
    }
}

static void run_op(struct ioe_xive *x, unsigned code)
{
    unsigned vm = x->target & 0xff, idx = x->target >> 8;
    uint64_t rd = 0;
    uint32_t st;
    if (NSRC == 0 || vm >= NVMS)
        st = ST_BAD;
    else if (code >= OP_ESB_LOAD && code <= OP_SOURCE_SYNC)
        st = idx < NSRC ? op_source(x, code, vm, idx, &rd) : ST_BAD;
    else if (code == OP_EQ_CONFIG || code == OP_EQ_READ)
        st = idx < NSRV * NPRIO ? op_end(x, code, vm, idx, &rd) : ST_BAD;
    else if (code >= OP_TM_LOAD && code <= OP_VP_GET)
        st = idx < NSRV ? op_server(x, code, vm, idx, &rd) : ST_BAD;
    else if (code == OP_VM_CTRL)
        st = op_vm_ctrl(x, vm);
    else
        st = ST_BAD;
    if (st & (ST_BAD | ST_UNDEF))
        rd = 0;
    x->status = ST_DONE | st;
    x->rdata_lo = (uint32_t)rd;
    x->rdata_hi = (uint32_t)(rd >> 32);
}

uint32_t ioe_xive_csr_read(struct ioe_xive *x, uint32_t off)
{
    switch (off + IOE_XIVE_BASE) {
    case IOE_XIVE_TARGET: return x->target;
    case IOE_XIVE_OFFSET: return x->offset;
    case IOE_XIVE_WDATA_LO: return x->wdata_lo;
    case IOE_XIVE_WDATA_HI: return x->wdata_hi;
    case IOE_XIVE_STATUS: return x->status;
    case IOE_XIVE_RDATA_LO: return x->rdata_lo;
    case IOE_XIVE_RDATA_HI: return x->rdata_hi;
    case IOE_XIVE_TRIG_COUNT: return x->trig_count;
    case IOE_XIVE_EQ_WRITE_COUNT: return x->eq_write_count;
    case IOE_XIVE_EQ_WRITE_CYCLE: return x->eq_write_cycle;
    case IOE_XIVE_EQ_WRITE_ERR: return x->eq_write_err;
    default: return 0;
    }
}

void ioe_xive_csr_write(struct ioe_xive *x, uint32_t off, uint32_t val)
{
    switch (off + IOE_XIVE_BASE) {
    case IOE_XIVE_TARGET: x->target = val; break;
    case IOE_XIVE_OFFSET: x->offset = val; break;
    case IOE_XIVE_WDATA_LO: x->wdata_lo = val; break;
    case IOE_XIVE_WDATA_HI: x->wdata_hi = val; break;
    case IOE_XIVE_OP: run_op(x, val & IOE_XIVE_OP_CODE_MASK); break;
    default: break;
    }
}

/* source of an MSI in the ESB window of VM addr[63:48], or -1 */
static long msi_source(const struct ioe_xive *x, uint64_t addr)
{
    unsigned vm = (unsigned)(addr >> 48);
    uint64_t gpa = addr & 0xffffffffffffull;
    if (NSRC == 0 || vm >= NVMS || !x->vm[vm].win_en || gpa < x->vm[vm].win_base)
        return -1;
    uint64_t n = (gpa - x->vm[vm].win_base) >> 17;
    return n < NSRC ? (long)n : -1;
}

bool ioe_xive_msi_claim(const struct ioe_xive *x, uint32_t devid, uint64_t addr)
{
    (void)devid;
    return msi_source(x, addr) >= 0;
}

void ioe_xive_msi(struct ioe_xive *x, uint32_t devid, uint64_t addr, uint32_t data)
{
    (void)devid;
    (void)data;
    long n = msi_source(x, addr);
    if (n < 0)
        return;
    unsigned vm = (unsigned)(addr >> 48);
    (void)esb_store(x, vm, &x->vm[vm].src[n], (uint32_t)(addr & 0x1ffff));
}
