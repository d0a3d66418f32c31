/* Access ports, counters, notifications and MSI streams of the sim card (card_port.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ioe/regs.h>

#include "card_port.h"

/* offsets in every engine's access-port block */
enum { P_TARGET = 0x00, P_OFFSET = 0x04, P_WDATA = 0x08, P_OP = 0x10, P_STATUS = 0x14 };
enum { P_RDATA_LO = 0x18, P_RDATA_HI = 0x1c };

int port_open_sim(const struct opts *o, struct ioe_card **card)
{
    struct ioe_card_options co = {.dma_latency = o->dma_latency,
                                  .dma_outstanding = o->dma_outstanding};
    return ioe_card_open_opts("sim", &co, card);
}

int port_op(struct ioe_card *c, uint32_t base, uint32_t target, uint32_t off, uint64_t wdata,
            uint32_t code, uint64_t *rdata, uint32_t *status)
{
    int err;
    uint32_t st = 1, lo = 0, hi = 0;
    if ((err = ioe_card_write32(c, base + P_TARGET, target)) ||
        (err = ioe_card_write32(c, base + P_OFFSET, off)) ||
        (err = ioe_card_write64(c, base + P_WDATA, wdata)) ||
        (err = ioe_card_write32(c, base + P_OP, code)))
        return err;
    for (unsigned i = 0; i < 1000000 && (st & 1); i++)
        if ((err = ioe_card_read32(c, base + P_STATUS, &st)))
            return err;
    if (st & 1)
        return -ETIMEDOUT;
    if (rdata && ((err = ioe_card_read32(c, base + P_RDATA_LO, &lo)) ||
                  (err = ioe_card_read32(c, base + P_RDATA_HI, &hi))))
        return err;
    if (rdata)
        *rdata = (uint64_t)hi << 32 | lo;
    *status = st;
    return 0;
}

int port_wait_count(struct ioe_card *c, uint32_t reg, uint32_t from, uint32_t delta,
                    uint64_t timeout)
{
    for (uint64_t waited = 0;; waited += 4) {
        uint32_t v;
        int err = ioe_card_read32(c, reg, &v);
        if (err)
            return err;
        if ((uint32_t)(v - from) >= delta)
            return 0;
        if (waited > timeout)
            return -ETIMEDOUT;
        ioe_card_step(c, 4);
    }
}

void port_drain(struct ioe_card *c, unsigned settle)
{
    struct ioe_notification junk[16];
    ioe_card_step(c, settle);
    while (ioe_card_drain(c, junk, 16) > 0)
        ;
}

int port_wait_note(struct ioe_card *c, unsigned src, uint64_t t0, uint64_t *lat)
{
    /* one cycle at a time, at most PORT_NOTE_CYCLES from the last record seen, so the
     * latency is exact and bounded in card cycles (ioe_card_wait bounds wall clock) */
    struct ioe_notification n;
    for (uint64_t waited = 0; waited <= PORT_NOTE_CYCLES;) {
        int r = ioe_card_drain(c, &n, 1);
        if (r < 0)
            return r;
        if (r == 1) {
            if (n.src == src && n.cycle >= t0) {
                *lat = n.cycle - t0;
                return 0;
            }
            waited = 0;
            continue;
        }
        if ((r = ioe_card_step(c, 1)))
            return r;
        waited++;
    }
    return -ETIMEDOUT;
}

int port_stream(struct ioe_card *c, const struct msi *m, unsigned n, uint64_t *t_first,
                uint64_t *gap)
{
    uint64_t prev, now;
    int err = ioe_card_cycles(c, &prev);
    *t_first = prev;
    for (unsigned i = 0; !err && i < n; i++) {
        /* ioe_card_msi presents the MSI and steps until the port takes it: the next one is
         * presented in the cycle after, so the port never sees a gap */
        if ((err = ioe_card_msi(c, m[i].devid, m[i].addr, m[i].data)) ||
            (err = ioe_card_cycles(c, &now)))
            break;
        gap[i] = now - prev;
        prev = now;
    }
    return err;
}

void port_series(struct series *s, const char *section, const char *name, uint64_t *v, unsigned n)
{
    memset(s, 0, sizeof(*s));
    s->section = section;
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->unit = UNIT_CYCLES;
    s->v = v;
    s->n = n;
}
