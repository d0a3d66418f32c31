/*
 * The ITS engine at the card boundary, on the Verilator model, at clock-cycle resolution.
 * MSIs go straight into the card's ingress port (ioe_card_msi); t0 is the cycle the MSI is
 * presented there. The pending point is LPI_SET_CYCLE (the card's CYCLE_LO when the
 * translation set the LPI's pending bit), the notification point the cycle the GIC
 * engine's notification for the target vCPU left the card.
 *
 *   hit: MSI -> LPI pending / -> notification    translation-cache hit (checked with the
 *                                                 CACHE_HIT / CACHE_MISS counters)
 *   miss: ...                                     the event's cache entry invalidated by a
 *                                                 MOVI (an invalidating command per
 *                                                 docs/its.md) just before: a table walk
 *                                                 with the run's DMA latency
 *   hits, back to back                            a stream of MSIs over 8 cached events:
 *                                                 interval between accepted MSIs, and the
 *                                                 sustained rate (MSIs / cycle from the
 *                                                 first presented to the last LPI pending)
 *   10% misses, back to back                      the same with every tenth MSI to an event
 *                                                 whose entry was invalidated
 *   working set (vgic_lpi_stress shape)           -d devices x -e events, LPIs spread over
 *                                                 the vCPUs, MSIs for every (device,
 *                                                 event) per iteration (-i): one at a time
 *                                                 (latency) and back to back (rate)
 * The vCPUs acknowledge only in the latency rows; elsewhere an LPI that is pending already
 * is simply set again (the card counts and timestamps that set as any other).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "card_port.h"

enum { G_READ64 = 3, G_WRITE64 = 4, G_VM_CONFIG = 6 };
enum { I_READ64 = 3, I_WRITE64 = 4, I_BIND = 5, I_SET_BASE = 6 };
enum { SP_GICD = 0, SP_RD = 1, SP_ICC = 3 };
#define ST_DONE (1u << IOE_ITS_STATUS_DONE_SHIFT)
#define ICC(crn, crm, op2) (3u << 14 | (crn) << 7 | (crm) << 3 | (op2))
#define ICC_PMR ICC(4, 6, 0)
#define ICC_IAR1 ICC(12, 12, 0)
#define ICC_EOIR1 ICC(12, 12, 1)
#define ICC_IGRPEN1 ICC(12, 12, 7)

#define ITS_BASE 0x08080000ull
#define TRANSLATER (ITS_BASE + 0x10040)
#define MEM_GPA 0x40000000ull
#define PROP_OFF 0x000000ull /* LPI configuration table */
#define PEND_OFF 0x010000ull /* + 0x10000 * vCPU */
#define CMDQ_OFF 0x100000ull /* 4 KiB command queue */
#define DT_OFF 0x200000ull   /* flat device table, 4 KiB pages */
#define CT_OFF 0x300000ull
#define ITT_OFF 0x400000ull
#define QSIZE 0x1000u
#define LPI0 8192u
#define HOT 8u /* cached events of the stream rows */

static const char SECTION[] = "card: ITS engine (sim)";

struct itsb {
    struct ioe_card *c;
    const struct opts *o;
    uint8_t *mem;
    uint64_t mem_sz, itt_next;
    uint32_t cw, queued;
    unsigned vcpus, cold;       /* cold: events of device 0 that the 10% stream misses on */
    uint32_t ws_lpi0, alt_icid; /* first LPI of the working set; collection for MOVI */
};

static int gic(struct itsb *b, unsigned vc, unsigned space, uint32_t off, uint64_t wd,
               unsigned code, uint64_t *rd)
{
    uint32_t st;
    int err = port_op(b->c, IOE_GIC_TARGET, vc << 8 | space << 16, off, wd, code, rd, &st);
    return err ? err : st != ST_DONE ? -EIO : 0;
}

static int its(struct itsb *b, uint32_t off, uint64_t wd, unsigned code, uint64_t *rd)
{
    uint32_t st;
    uint64_t r = 0;
    int err = port_op(b->c, IOE_ITS_TARGET, 0, off, wd, code, &r, &st);
    if (rd)
        *rd = r;
    else if (!err && code != I_READ64 && (uint32_t)r)
        return -(int)(uint32_t)r; /* the operation's errno */
    return err ? err : st != ST_DONE ? -EIO : 0;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

/* Make the queued commands visible (CWRITER) and check the ITS consumed them all. */
static int q_go(struct itsb *b)
{
    uint64_t creadr;
    int err;
    if (!b->queued)
        return 0;
    b->queued = 0;
    if ((err = its(b, 0x88, b->cw, I_WRITE64, NULL)) || (err = its(b, 0x90, 0, I_READ64, &creadr)))
        return err;
    return creadr == b->cw ? 0 : -EIO;
}

static int q_cmd(struct itsb *b, uint64_t d0, uint64_t d1, uint64_t d2)
{
    uint8_t *p = b->mem + CMDQ_OFF + b->cw;
    put64(p, d0);
    put64(p + 8, d1);
    put64(p + 16, d2);
    put64(p + 24, 0);
    b->cw = (b->cw + 32) % QSIZE;
    return ++b->queued >= QSIZE / 32 / 2 ? q_go(b) : 0;
}

/* MAPD of device dev with 2^bits events; its ITT is allocated after the previous one */
static int mapd(struct itsb *b, uint32_t dev, unsigned bits)
{
    uint64_t sz = 8ull << bits, itt = (b->itt_next + 255) & ~255ull;
    if (itt + sz > b->mem_sz)
        return -ENOMEM;
    b->itt_next = itt + sz;
    return q_cmd(b, 0x08 | (uint64_t)dev << 32, bits - 1, 1ull << 63 | (MEM_GPA + itt));
}

static int mapti(struct itsb *b, uint32_t dev, uint32_t ev, uint32_t lpi, uint32_t icid)
{
    return q_cmd(b, 0x0a | (uint64_t)dev << 32, ev | (uint64_t)lpi << 32, icid);
}

/* MOVI to the other collection of the pair (icid, alt_icid), both on the same vCPU: the
 * event's translation changes, so its cache entry must be invalidated (docs/its.md). */
static int movi(struct itsb *b, uint32_t dev, uint32_t ev, uint32_t icid)
{
    return q_cmd(b, 0x01 | (uint64_t)dev << 32, ev, icid);
}

static unsigned bits_for(unsigned n)
{
    unsigned bits = 1;
    while ((1u << bits) < n)
        bits++;
    return bits;
}

static int rd32(struct itsb *b, uint32_t reg, uint32_t *v)
{
    return ioe_card_read32(b->c, reg, v);
}

/* device 0: event 0 the hit probe, 1 the miss probe (LPIs 8192, 8193 on vCPU 0), 2..9 the
 * hot set, then the cold events; devices 1..d the working set */
static int setup(struct itsb *b)
{
    const struct opts *o = b->o;
    int err;
    b->vcpus = o->vcpus;
    b->cold = o->stream / 10;
    unsigned dev0_events = 2 + HOT + b->cold;
    b->ws_lpi0 = LPI0 + dev0_events;
    if (b->ws_lpi0 + o->ws_devices * o->ws_events > 65536u)
        return -E2BIG;
    b->mem_sz = ITT_OFF + (8ull << bits_for(dev0_events)) + 256 +
                (uint64_t)o->ws_devices * ((8ull << bits_for(o->ws_events)) + 256);
    b->itt_next = ITT_OFF;
    if (!(b->mem = calloc(1, b->mem_sz)))
        return -ENOMEM;
    if ((err = port_open_sim(o, &b->c)))
        return err;
    if ((err = ioe_card_dma_map(b->c, MEM_GPA, b->mem, b->mem_sz)))
        return err;
    memset(b->mem + PROP_OFF, 0xa1, 0x10000); /* every LPI enabled at priority 0xa0 */
    if ((err = gic(b, 0, SP_GICD, 0, o->irqs | b->vcpus << 16 | 1u << 24, G_VM_CONFIG, NULL)) ||
        (err = gic(b, 0, SP_GICD, 0, 2, 2 /* WRITE32 */, NULL)))
        return err;
    for (unsigned v = 0; v < b->vcpus; v++)
        if ((err = gic(b, v, SP_ICC, ICC_IGRPEN1, 1, G_WRITE64, NULL)) ||
            (err = gic(b, v, SP_ICC, ICC_PMR, 0xff, G_WRITE64, NULL)) ||
            (err = gic(b, v, SP_RD, 0x70, (MEM_GPA + PROP_OFF) | 15, G_WRITE64, NULL)) ||
            (err = gic(b, v, SP_RD, 0x78, MEM_GPA + PEND_OFF + 0x10000ull * v, G_WRITE64, NULL)) ||
            (err = gic(b, v, SP_RD, 0x00, 1, 2, NULL)))
            return err;
    unsigned ndev = 1 + o->ws_devices, pages = (ndev * 8 + 4095) / 4096;
    if ((err = its(b, 0, 1, I_BIND, NULL)) || (err = its(b, 0, ITS_BASE, I_SET_BASE, NULL)) ||
        (err = its(b, 0x100, 1ull << 63 | (MEM_GPA + DT_OFF) | (pages - 1), I_WRITE64, NULL)) ||
        (err = its(b, 0x108, 1ull << 63 | (MEM_GPA + CT_OFF), I_WRITE64, NULL)) ||
        (err = its(b, 0x80, 1ull << 63 | (MEM_GPA + CMDQ_OFF), I_WRITE64, NULL)) ||
        (err = its(b, 0x00, 1, 2, NULL)))
        return err;
    /* collection v on vCPU v; one more on vCPU 0 for the MOVIs */
    b->alt_icid = b->vcpus;
    for (unsigned v = 0; v <= b->vcpus; v++)
        if ((err = q_cmd(b, 0x09, 0, 1ull << 63 | (uint64_t)(v % b->vcpus) << 16 | v)))
            return err;
    if ((err = mapd(b, 0, bits_for(dev0_events))))
        return err;
    for (uint32_t e = 0; e < dev0_events; e++)
        if ((err = mapti(b, 0, e, LPI0 + e, e < 2 ? 0 : e % b->vcpus)))
            return err;
    for (uint32_t d = 1; d <= o->ws_devices; d++) {
        if ((err = mapd(b, d, bits_for(o->ws_events))))
            return err;
        for (uint32_t e = 0; e < o->ws_events; e++) {
            uint32_t k = (d - 1) * o->ws_events + e;
            if ((err = mapti(b, d, e, b->ws_lpi0 + k, k % b->vcpus)))
                return err;
            progress(o, "card: ITS engine (mapping)", k + 1, o->ws_devices * o->ws_events);
        }
    }
    return q_go(b);
}

/* One MSI of device 0 event ev (LPI 8192 + ev on vCPU 0), alone: cycles to pending and to
 * the notification, checked to be a cache hit (miss 0) or a miss (1) unless miss < 0,
 * then acknowledged. */
static int probe(struct itsb *b, uint32_t ev, int miss, uint64_t *pend, uint64_t *note)
{
    uint32_t h0, m0, s0, h1, m1, stamp;
    uint64_t t0, intid;
    int err;
    port_drain(b->c, 0);
    if ((err = rd32(b, IOE_ITS_CACHE_HIT, &h0)) || (err = rd32(b, IOE_ITS_CACHE_MISS, &m0)) ||
        (err = rd32(b, IOE_ITS_LPI_SET, &s0)) || (err = ioe_card_cycles(b->c, &t0)) ||
        (err = ioe_card_msi(b->c, 0, TRANSLATER, ev)) ||
        (err = port_wait_note(b->c, IOE_NOTIFY_SRC_GIC, t0, note)) ||
        (err = port_wait_count(b->c, IOE_ITS_LPI_SET, s0, 1, 100000)) ||
        (err = rd32(b, IOE_ITS_LPI_SET_CYCLE, &stamp)) || (err = rd32(b, IOE_ITS_CACHE_HIT, &h1)) ||
        (err = rd32(b, IOE_ITS_CACHE_MISS, &m1)))
        return err;
    *pend = port_since(t0, stamp);
    if (miss >= 0 && (miss ? (m1 != m0 + 1 || h1 != h0) : (h1 != h0 + 1 || m1 != m0))) {
        fprintf(stderr, "ioe-bench: ITS: a forced %s was counted as %u hit(s), %u miss(es)\n",
                miss ? "miss" : "hit", h1 - h0, m1 - m0);
        return -EIO;
    }
    if (*note < *pend)
        return -EIO; /* notified before the LPI was pending: a measurement bug */
    if ((err = gic(b, 0, SP_ICC, ICC_IAR1, 0, G_READ64, &intid)))
        return err;
    if (intid != LPI0 + ev)
        return -EIO;
    if ((err = gic(b, 0, SP_ICC, ICC_EOIR1, intid, G_WRITE64, NULL)))
        return err;
    port_drain(b->c, 64);
    return 0;
}

struct rate {
    double per_cycle, miss_frac;
    uint64_t span; /* cycles from the first MSI presented to the last LPI set */
};

/* A stream of n MSIs: gap[] as port_stream, the sustained rate up to the last LPI set. */
static int stream(struct itsb *b, const struct msi *m, unsigned n, uint64_t *gap, struct rate *r)
{
    uint32_t s0, h0, m0, h1, m1, stamp;
    uint64_t t_first;
    int err;
    if ((err = rd32(b, IOE_ITS_LPI_SET, &s0)) || (err = rd32(b, IOE_ITS_CACHE_HIT, &h0)) ||
        (err = rd32(b, IOE_ITS_CACHE_MISS, &m0)) ||
        (err = port_stream(b->c, m, n, &t_first, gap)) ||
        (err = port_wait_count(b->c, IOE_ITS_LPI_SET, s0, n, 100000ull * n)) ||
        (err = rd32(b, IOE_ITS_LPI_SET_CYCLE, &stamp)) || (err = rd32(b, IOE_ITS_CACHE_HIT, &h1)) ||
        (err = rd32(b, IOE_ITS_CACHE_MISS, &m1)))
        return err;
    r->span = port_since(t_first, stamp);
    r->per_cycle = n / (double)r->span;
    r->miss_frac = (h1 - h0) + (m1 - m0) ? (double)(m1 - m0) / ((h1 - h0) + (m1 - m0)) : 0;
    return 0;
}

static double sustained(unsigned n1, const struct rate *r1, unsigned n2, const struct rate *r2)
{
    return r2->span > r1->span ? (n2 - n1) / (double)(r2->span - r1->span) : 0;
}

/* MSIs to the hot events one at a time, so that their translations are cached */
static int warm(struct itsb *b)
{
    for (uint32_t e = 2; e < 2 + HOT; e++) {
        uint32_t s0;
        int err;
        if ((err = rd32(b, IOE_ITS_LPI_SET, &s0)) || (err = ioe_card_msi(b->c, 0, TRANSLATER, e)) ||
            (err = port_wait_count(b->c, IOE_ITS_LPI_SET, s0, 1, 100000)))
            return err;
    }
    return 0;
}

/* invalidate the cold events' entries: each moves to the other collection of its vCPU */
static int chill(struct itsb *b, unsigned round)
{
    int err = 0;
    for (uint32_t k = 0; !err && k < b->cold; k++) {
        uint32_t e = 2 + HOT + k, home = e % b->vcpus;
        err = movi(b, 0, e, round & 1 ? home : b->alt_icid);
    }
    /* the alternate collection is on vCPU 0: the cold LPIs of other vCPUs move there */
    return err ? err : q_go(b);
}

struct its_out {
    uint64_t *hit_p, *hit_n, *miss_p, *miss_n, *hot_gap, *mix_gap, *ws_lat, *ws_gap;
    struct rate hot, mix, ws;
    double ws_hit;
};

static int run(struct itsb *b, struct its_out *r)
{
    const struct opts *o = b->o;
    unsigned n = o->n, s = o->stream;
    unsigned ws_n = o->ws_devices * o->ws_events * o->ws_iters;
    uint64_t junk_p, junk_n;
    int err;
    struct msi *m = calloc(s > ws_n ? s : ws_n, sizeof(*m));
    if (!m)
        return -ENOMEM;
    if ((err = setup(b)))
        goto out;
    for (unsigned i = 0; i < n; i++) {
        /* the MOVI may invalidate more than its own entry (docs/its.md: this RTL clears the
         * whole cache), so the hit probe's entry is filled again after it */
        if ((err = movi(b, 0, 1, i & 1 ? 0 : b->alt_icid)) || (err = q_go(b)) ||
            (err = probe(b, 1, 1, &r->miss_p[i], &r->miss_n[i])) ||
            (err = probe(b, 0, -1, &junk_p, &junk_n)) ||
            (err = probe(b, 0, 0, &r->hit_p[i], &r->hit_n[i])))
            goto out;
        progress(o, "card: ITS engine (hit, miss)", i + 1, n);
    }
    /* Sustained rates: the first half of a stream, then the whole stream; the extra MSIs
     * over the extra cycles, so the latency of filling and draining the pipeline cancels.
     * Hits back to back over the hot set: */
    struct rate half;
    for (unsigned i = 0; i < s; i++)
        m[i] = (struct msi){.devid = 0, .addr = TRANSLATER, .data = 2 + i % HOT};
    if ((err = warm(b)) || (err = stream(b, m, s / 2, r->hot_gap, &half)) ||
        (err = stream(b, m, s, r->hot_gap, &r->hot)))
        goto out;
    r->hot.per_cycle = sustained(s / 2, &half, s, &r->hot);
    progress(o, "card: ITS engine (streams)", 1, 2);
    /* every tenth MSI to a cold event (invalidated before each of the two streams) */
    for (unsigned i = 0; i < s; i++)
        if (i % 10 == 9)
            m[i].data = 2 + HOT + i / 10;
    if ((err = chill(b, 0)) || (err = warm(b)) || (err = stream(b, m, s / 2, r->mix_gap, &half)) ||
        (err = chill(b, 1)) || (err = warm(b)) || (err = stream(b, m, s, r->mix_gap, &r->mix)))
        goto out;
    r->mix.per_cycle = sustained(s / 2, &half, s, &r->mix);
    progress(o, "card: ITS engine (streams)", 2, 2);
    /* the working set: one at a time, then back to back */
    unsigned k = 0;
    uint32_t h0, m0, h1, m1;
    if ((err = rd32(b, IOE_ITS_CACHE_HIT, &h0)) || (err = rd32(b, IOE_ITS_CACHE_MISS, &m0)))
        goto out;
    for (unsigned it = 0; it < o->ws_iters; it++)
        for (uint32_t d = 1; d <= o->ws_devices; d++)
            for (uint32_t e = 0; e < o->ws_events; e++, k++) {
                uint32_t s0, stamp;
                uint64_t t0;
                m[k] = (struct msi){.devid = d, .addr = TRANSLATER, .data = e};
                if ((err = rd32(b, IOE_ITS_LPI_SET, &s0)) || (err = ioe_card_cycles(b->c, &t0)) ||
                    (err = ioe_card_msi(b->c, d, TRANSLATER, e)) ||
                    (err = port_wait_count(b->c, IOE_ITS_LPI_SET, s0, 1, 100000)) ||
                    (err = rd32(b, IOE_ITS_LPI_SET_CYCLE, &stamp)))
                    goto out;
                r->ws_lat[k] = port_since(t0, stamp);
                progress(o, "card: ITS engine (working set)", k + 1, ws_n);
            }
    if ((err = rd32(b, IOE_ITS_CACHE_HIT, &h1)) || (err = rd32(b, IOE_ITS_CACHE_MISS, &m1)))
        goto out;
    r->ws_hit = (double)(h1 - h0) / ws_n;
    err = stream(b, m, ws_n, r->ws_gap, &r->ws);
out:
    free(m);
    return err;
}

int bench_its_card(const struct opts *o, struct series *out, unsigned *nout)
{
    struct itsb b = {.o = o};
    struct its_out r = {0};
    unsigned n = o->n, s = o->stream, ws_n = o->ws_devices * o->ws_events * o->ws_iters;
    uint64_t **bufs[] = {&r.hit_p,   &r.hit_n,   &r.miss_p, &r.miss_n,
                         &r.hot_gap, &r.mix_gap, &r.ws_lat, &r.ws_gap};
    unsigned lens[] = {n, n, n, n, s, s, ws_n, ws_n};
    int err = 0;
    for (unsigned i = 0; i < 8; i++)
        if (!(*bufs[i] = calloc(lens[i], sizeof(uint64_t))))
            err = -ENOMEM;
    if (!err)
        err = run(&b, &r);
    if (b.c)
        ioe_card_close(b.c);
    free(b.mem);
    if (err) {
        for (unsigned i = 0; i < 8; i++)
            free(*bufs[i]);
        return err;
    }
    struct series *x = &out[*nout];
    char name[64];
    port_series(x++, SECTION, "hit: MSI -> LPI pending", r.hit_p, n);
    x[-1].goal_kind = GOAL_P50_MAX;
    x[-1].goal = 3;
    port_series(x++, SECTION, "hit: MSI -> notification", r.hit_n, n);
    snprintf(name, sizeof(name), "miss (DMA %u): MSI -> LPI pending", o->dma_latency);
    port_series(x++, SECTION, name, r.miss_p, n);
    snprintf(name, sizeof(name), "miss (DMA %u): MSI -> notification", o->dma_latency);
    port_series(x++, SECTION, name, r.miss_n, n);
    port_series(x++, SECTION, "hits back to back: interval", r.hot_gap, s);
    x[-1].goal_kind = GOAL_RATE_MIN;
    x[-1].goal = 1.0;
    x[-1].per_cycle = r.hot.per_cycle;
    snprintf(name, sizeof(name), "%.1f%% misses back to back: interval", r.mix.miss_frac * 100);
    port_series(x++, SECTION, name, r.mix_gap, s);
    x[-1].goal_kind = GOAL_RATE_MIN;
    x[-1].goal = 0.8;
    x[-1].per_cycle = r.mix.per_cycle;
    snprintf(name, sizeof(name), "set %ux%u (%.1f%% hits): MSI -> pending", o->ws_devices,
             o->ws_events, r.ws_hit * 100);
    port_series(x++, SECTION, name, r.ws_lat, ws_n);
    snprintf(name, sizeof(name), "set %ux%u back to back: interval", o->ws_devices, o->ws_events);
    port_series(x++, SECTION, name, r.ws_gap, ws_n);
    x[-1].per_cycle = r.ws.per_cycle;
    for (struct series *y = &out[*nout]; y < x; y++) {
        y->no_plot = strstr(y->name, "interval") != NULL;
        y->per_sec = y->per_cycle * o->mhz * 1e6;
    }
    *nout = (unsigned)(x - out);
    return 0;
}
