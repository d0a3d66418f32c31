/*
 * What the ITS and XIVE card sections of ioe-bench share: the access-port protocol of the
 * card's engines (TARGET, OFFSET, WDATA, OP, STATUS, RDATA at fixed offsets from a block
 * base), waiting for counters and notifications in card cycles, and MSI streams driven
 * back to back into the ingress port.
 */
#ifndef IOE_BENCH_CARD_PORT_H
#define IOE_BENCH_CARD_PORT_H

#include <stdint.h>

#include <ioe/card.h>

#include "bench.h"

/* Open the sim card with the run's host-memory latency and request limit. */
int port_open_sim(const struct opts *o, struct ioe_card **card);

/* One access-port operation of the block at `base`; waits for STATUS.BUSY to clear.
 * *status gets STATUS, *rdata (if not NULL) RDATA. 0 or -errno. */
int port_op(struct ioe_card *c, uint32_t base, uint32_t target, uint32_t off, uint64_t wdata,
            uint32_t code, uint64_t *rdata, uint32_t *status);

/* Step until the 32-bit counter at `reg` has advanced by at least `delta` from `from`
 * (at most `timeout` cycles): 0 or -ETIMEDOUT. */
int port_wait_count(struct ioe_card *c, uint32_t reg, uint32_t from, uint32_t delta,
                    uint64_t timeout);

/* Drop every notification waiting in the stream, after `settle` cycles. */
void port_drain(struct ioe_card *c, unsigned settle);

/* Cycles from t0 to the next notification of source `src` that left at or after t0; the
 * card is stepped one cycle at a time, -ETIMEDOUT after PORT_NOTE_CYCLES without a record. */
#define PORT_NOTE_CYCLES 100000u
int port_wait_note(struct ioe_card *c, unsigned src, uint64_t t0, uint64_t *lat);

/* Cycles from t0 (a cycle read with ioe_card_cycles) to `stamp`, a CYCLE_LO value the
 * card latched (32-bit: the difference is taken modulo 2^32). */
static inline uint64_t port_since(uint64_t t0, uint32_t stamp)
{
    return (uint32_t)(stamp - (uint32_t)t0);
}

/* An MSI stream: n MSIs presented back to back (each one as soon as the port took the
 * previous one). *t_first is the cycle the first was presented; gap[i] the cycles from
 * the previous acceptance (from *t_first for i = 0) to the acceptance of MSI i. */
struct msi {
    uint32_t devid, data;
    uint64_t addr;
};
int port_stream(struct ioe_card *c, const struct msi *m, unsigned n, uint64_t *t_first,
                uint64_t *gap);

/* XIVE (xive_card.c): an ESB window for VM 0, one event queue per server (priority 5) in
 * host memory that xive_map_queues allocates (*ram, freed by the caller) and maps at DMA
 * address 0, and nsrc sources spread over the servers with PQ 00. MSIs to
 * xive_esb_trigger(s) trigger source s; to xive_esb_reset(s), set its PQ back to 00. */
int xive_map_queues(struct ioe_card *c, unsigned servers, uint8_t **ram);
int xive_setup(struct ioe_card *c, unsigned servers, unsigned nsrc);
uint64_t xive_esb_trigger(uint32_t src);
uint64_t xive_esb_reset(uint32_t src);

/* Fill a series of the section from samples v[0..n) (v is owned by the series after). */
void port_series(struct series *s, const char *section, const char *name, uint64_t *v, unsigned n);

#endif
