/*
 * The XIVE engine at the card boundary, on the Verilator model, at clock-cycle resolution.
 * Triggers are MSIs into the ingress port at the trigger page of a source's ESB (the ESB
 * window of VM 0, docs/xive.md "MSI ingress"); t0 is the cycle the MSI is presented.
 *
 *   trigger -> EQ write issued     to EQ_WRITE_CYCLE (CYCLE_LO when the event-queue entry's
 *                                  DMA write left the engine)
 *   trigger -> notification        to the XIVE notification of the target server
 *   triggers back to back          one trigger to each of the sources (PQ 00, so each one
 *                                  writes an EQ entry), spread over the servers: interval
 *                                  between accepted MSIs, and the sustained rate (triggers /
 *                                  cycle from the first presented to the last EQ write)
 *   coalesced, back to back        the same sources again (PQ 10 -> 11: no EQ write): rate
 *                                  up to the last accepted MSI
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/card.h>
#include <ioe/regs.h>

#include "card_port.h"

enum { ESB_LOAD = 1, SOURCE_SET = 4, SOURCE_CONFIG = 5, EQ_CONFIG = 9 };
enum { TM_LOAD = 11, TM_STORE = 12, VM_CTRL = 15, CTL_WINDOW = 4 };
#define ST_DONE (1u << IOE_XIVE_STATUS_DONE_SHIFT)
#define MGMT 0x10000u
#define WIN_BASE 0x4000000ull
#define QBYTES 0x10000u /* qshift 16: 16384 entries per queue */
#define PRIO 5u

static const char SECTION[] = "card: XIVE engine (sim)";

static int op(struct ioe_card *c, uint32_t idx, uint32_t off, uint64_t wd, unsigned code,
              uint64_t *rd)
{
    uint32_t st;
    int err = port_op(c, IOE_XIVE_TARGET, idx << 8, off, wd, code, rd, &st);
    return err ? err : st != ST_DONE ? -EIO : 0;
}

static uint64_t esb(uint32_t src, uint32_t off)
{
    return WIN_BASE + 0x20000ull * src + off;
}

uint64_t xive_esb_trigger(uint32_t src)
{
    return esb(src, 0);
}

uint64_t xive_esb_reset(uint32_t src)
{
    return esb(src, MGMT | 0xc00);
}

int xive_setup(struct ioe_card *c, unsigned servers, unsigned nsrc)
{
    int err;
    if ((err = op(c, 0, CTL_WINDOW, WIN_BASE | 1, VM_CTRL, NULL)))
        return err;
    for (uint32_t s = 0; s < servers; s++)
        if ((err = op(c, s << 3 | PRIO, 16 | 1u << 8 | 1u << 9, QBYTES * (1ull + s), EQ_CONFIG,
                      NULL)) ||
            (err = op(c, s, 0x11, 0xff, TM_STORE, NULL)))
            return err;
    for (uint32_t s = 0; s < nsrc; s++)
        if ((err = op(c, s, 0, 0, SOURCE_SET, NULL)) ||
            (err = op(c, s, 0, (uint64_t)(s + 1) << 33 | (s % servers) << 3 | PRIO, SOURCE_CONFIG,
                      NULL)))
            return err;
    return 0;
}

int xive_map_queues(struct ioe_card *c, unsigned servers, uint8_t **ram)
{
    if (!(*ram = calloc(servers + 1, QBYTES)))
        return -ENOMEM;
    return ioe_card_dma_map(c, 0, *ram, (servers + 1ull) * QBYTES);
}

struct xout {
    uint64_t *eq, *note, *gap_w, *gap_c;
    double rate_w, rate_c;
};

/* one trigger of source 0 (server 0) alone; then acknowledged, CPPR restored, EOI */
static int probe(struct ioe_card *c, uint64_t *eq, uint64_t *note)
{
    uint32_t w0, stamp;
    uint64_t t0, ack;
    int err;
    port_drain(c, 0);
    if ((err = ioe_card_read32(c, IOE_XIVE_EQ_WRITE_COUNT, &w0)) ||
        (err = ioe_card_cycles(c, &t0)) || (err = ioe_card_msi(c, 0, esb(0, 0), 0)) ||
        (err = port_wait_note(c, IOE_NOTIFY_SRC_XIVE, t0, note)) ||
        (err = port_wait_count(c, IOE_XIVE_EQ_WRITE_COUNT, w0, 1, 100000)) ||
        (err = ioe_card_read32(c, IOE_XIVE_EQ_WRITE_CYCLE, &stamp)) ||
        (err = op(c, 0, 0x810, 0, TM_LOAD, &ack)))
        return err;
    *eq = port_since(t0, stamp);
    if (!(ack >> 8 & 0x80))
        return -EIO; /* the server had no exception pending: not our event */
    if ((err = op(c, 0, 0x11, 0xff, TM_STORE, NULL)) ||
        (err = op(c, 0, MGMT | 0x000, 0, ESB_LOAD, NULL)))
        return err;
    port_drain(c, 64);
    return 0;
}

static int run(const struct opts *o, struct ioe_card *c, unsigned nsrc, struct xout *r)
{
    unsigned servers = o->vcpus;
    uint64_t t_first;
    uint32_t w0, w1, stamp;
    int err;
    struct msi *m = calloc(nsrc, sizeof(*m));
    if (!m)
        return -ENOMEM;
    if ((err = xive_setup(c, servers, nsrc)))
        goto out;
    for (uint32_t s = 0; s < nsrc; s++)
        m[s] = (struct msi){.addr = xive_esb_reset(s)}; /* store: PQ := 00 */
    if ((err = port_stream(c, m, nsrc, &t_first, r->gap_w)))
        goto out;
    for (unsigned i = 0; i < o->n; i++) {
        if ((err = probe(c, &r->eq[i], &r->note[i])))
            goto out;
        progress(o, "card: XIVE engine", i + 1, o->n);
    }
    /* every source once: each forwards and writes an EQ entry. The first half of the
     * sources, PQ back to 00, then all: the extra triggers over the extra cycles, so the
     * latency of filling and draining the pipeline cancels. */
    uint64_t span[2];
    for (int k = 0; k < 2; k++) {
        unsigned cnt = k ? nsrc : nsrc / 2;
        for (uint32_t s = 0; s < nsrc; s++)
            m[s].addr = esb(s, 0);
        if ((err = ioe_card_read32(c, IOE_XIVE_EQ_WRITE_COUNT, &w0)) ||
            (err = port_stream(c, m, cnt, &t_first, r->gap_w)) ||
            (err = port_wait_count(c, IOE_XIVE_EQ_WRITE_COUNT, w0, cnt, 1000ull * nsrc)) ||
            (err = ioe_card_read32(c, IOE_XIVE_EQ_WRITE_CYCLE, &stamp)))
            goto out;
        span[k] = port_since(t_first, stamp);
        if (k)
            break;
        for (uint32_t s = 0; s < cnt; s++)
            m[s].addr = esb(s, MGMT | 0xc00);
        if ((err = port_stream(c, m, cnt, &t_first, r->gap_c)))
            goto out;
        port_drain(c, 1000);
    }
    r->rate_w = span[1] > span[0] ? (nsrc - nsrc / 2) / (double)(span[1] - span[0]) : 0;
    /* again: PQ 10 -> 11, nothing written */
    if ((err = ioe_card_read32(c, IOE_XIVE_EQ_WRITE_COUNT, &w0)) ||
        (err = port_stream(c, m, nsrc, &t_first, r->gap_c)))
        goto out;
    uint64_t acc = 0; /* cycles to the last acceptance */
    for (unsigned i = 0; i < nsrc; i++)
        acc += r->gap_c[i];
    r->rate_c = nsrc / (double)acc;
    port_drain(c, 1000);
    if ((err = ioe_card_read32(c, IOE_XIVE_EQ_WRITE_COUNT, &w1)))
        goto out;
    if (w1 != w0)
        err = -EIO; /* a coalesced trigger wrote an entry */
out:
    free(m);
    return err;
}

int bench_xive_card(const struct opts *o, struct series *out, unsigned *nout)
{
    struct ioe_card *c = NULL;
    struct ioe_card_info info;
    struct xout r = {0};
    unsigned n = o->n;
    uint8_t *ram = NULL;
    int err = port_open_sim(o, &c);
    if (!err)
        err = ioe_card_info(c, &info);
    unsigned nsrc = err ? 0 : info.xive_sources < o->stream ? info.xive_sources : o->stream;
    if (!err && (!nsrc || o->vcpus > info.nr_vcpus))
        err = -EOPNOTSUPP;
    if (!err) {
        r.eq = calloc(n, sizeof(uint64_t));
        r.note = calloc(n, sizeof(uint64_t));
        r.gap_w = calloc(nsrc, sizeof(uint64_t));
        r.gap_c = calloc(nsrc, sizeof(uint64_t));
        err = !r.eq || !r.note || !r.gap_w || !r.gap_c ? -ENOMEM : 0;
    }
    if (!err)
        err = xive_map_queues(c, o->vcpus, &ram);
    if (!err)
        err = run(o, c, nsrc, &r);
    if (c)
        ioe_card_close(c);
    free(ram);
    if (err) {
        free(r.eq);
        free(r.note);
        free(r.gap_w);
        free(r.gap_c);
        return err;
    }
    struct series *x = &out[*nout];
    char name[64];
    port_series(x, SECTION, "trigger -> EQ write issued", r.eq, n);
    x->goal_kind = GOAL_P50_MAX;
    x->goal = 4;
    port_series(++x, SECTION, "trigger -> notification", r.note, n);
    snprintf(name, sizeof(name), "%u sources back to back: interval", nsrc);
    port_series(++x, SECTION, name, r.gap_w, nsrc);
    x->per_cycle = r.rate_w;
    x->goal_kind = GOAL_RATE_MIN;
    x->goal = 1.0;
    x->no_plot = 1;
    snprintf(name, sizeof(name), "%u coalesced back to back: interval", nsrc);
    port_series(++x, SECTION, name, r.gap_c, nsrc);
    x->per_cycle = r.rate_c;
    x->no_plot = 1;
    for (struct series *y = &out[*nout]; y <= x; y++)
        y->per_sec = y->per_cycle * o->mhz * 1e6;
    *nout += 4;
    return 0;
}
