/*
 * Transport for cards simulated in this process: "soft" (C reference model) and "sim"
 * (Verilator model). Both implement ioe_simcard_ops, so one transport serves both; the
 * host-memory model stands for the DMA window.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ioe_simcard.h"
#include "transport.h"

struct simcard_transport {
    struct ioe_transport base;
    const struct ioe_simcard_ops *card_ops;
    void *card;
    struct ioe_hostmem *mem;
};

static struct simcard_transport *to_sc(struct ioe_transport *t)
{
    return (struct simcard_transport *)t;
}

static void sc_close(struct ioe_transport *t)
{
    struct simcard_transport *sc = to_sc(t);
    sc->card_ops->close(sc->card);
    ioe_hostmem_destroy(sc->mem);
    free(sc);
}

static int sc_reset(struct ioe_transport *t)
{
    to_sc(t)->card_ops->reset(to_sc(t)->card);
    return 0;
}

static int sc_read32(struct ioe_transport *t, uint32_t addr, uint32_t *val)
{
    return to_sc(t)->card_ops->read32(to_sc(t)->card, addr, val);
}

static int sc_write32(struct ioe_transport *t, uint32_t addr, uint32_t val)
{
    return to_sc(t)->card_ops->write32(to_sc(t)->card, addr, val);
}

static int sc_dma_map(struct ioe_transport *t, uint64_t iova, void *hva, uint64_t size)
{
    return ioe_hostmem_map(to_sc(t)->mem, iova, hva, size);
}

static int sc_dma_unmap(struct ioe_transport *t, uint64_t iova, uint64_t size)
{
    return ioe_hostmem_unmap(to_sc(t)->mem, iova, size);
}

static int sc_drain(struct ioe_transport *t, struct ioe_notification *buf, size_t max)
{
    return (int)to_sc(t)->card_ops->drain(to_sc(t)->card, buf, max);
}

/* Step one cycle at a time until the card's stream has a record. */
static int sc_wait(struct ioe_transport *t, uint64_t timeout)
{
    struct simcard_transport *sc = to_sc(t);
    for (uint64_t n = 0;; n++) {
        if (sc->card_ops->pending(sc->card) > 0)
            return 1;
        if (n >= timeout)
            return 0;
        sc->card_ops->step(sc->card, 1);
    }
}

static int sc_step(struct ioe_transport *t, uint64_t cycles)
{
    to_sc(t)->card_ops->step(to_sc(t)->card, cycles);
    return 0;
}

static int sc_cycles(struct ioe_transport *t, uint64_t *cycles)
{
    *cycles = to_sc(t)->card_ops->cycles(to_sc(t)->card);
    return 0;
}

static int sc_msi(struct ioe_transport *t, uint32_t devid, uint64_t addr, uint32_t data)
{
    return to_sc(t)->card_ops->msi(to_sc(t)->card, devid, addr, data);
}

static int sc_set_wired(struct ioe_transport *t, unsigned line, int level)
{
    return to_sc(t)->card_ops->set_wired(to_sc(t)->card, line, level);
}

static const struct ioe_transport_ops simcard_transport_ops = {
    .name = "simcard",
    .close = sc_close,
    .reset = sc_reset,
    .read32 = sc_read32,
    .write32 = sc_write32,
    .dma_map = sc_dma_map,
    .dma_unmap = sc_dma_unmap,
    .drain = sc_drain,
    .wait = sc_wait,
    .step = sc_step,
    .cycles = sc_cycles,
    .msi = sc_msi,
    .set_wired = sc_set_wired,
};

int ioe_transport_simcard_open(const char *target, const struct ioe_card_options *opts,
                               struct ioe_transport **out)
{
    const struct ioe_simcard_ops *card_ops;
    if (strcmp(target, "soft") == 0)
        card_ops = &ioe_model_ops;
    else if (strcmp(target, "sim") == 0)
        card_ops = &ioe_vsim_ops;
    else
        return -ENODEV;
    if (opts->trace_path && card_ops != &ioe_vsim_ops)
        return -EINVAL; /* only the RTL model has waveforms */

    struct simcard_transport *sc = calloc(1, sizeof(*sc));
    if (!sc)
        return -ENOMEM;
    sc->base.ops = &simcard_transport_ops;
    sc->card_ops = card_ops;
    sc->mem = ioe_hostmem_create(
        opts->dma_latency ? opts->dma_latency : IOE_CARD_DEFAULT_DMA_LATENCY,
        opts->dma_outstanding ? opts->dma_outstanding : IOE_CARD_DEFAULT_DMA_OUTSTANDING);
    if (!sc->mem) {
        free(sc);
        return -ENOMEM;
    }
    struct ioe_simcard_config cfg = {.mem = sc->mem, .trace_path = opts->trace_path};
    int err = card_ops->open(&cfg, &sc->card);
    if (err) {
        ioe_hostmem_destroy(sc->mem);
        free(sc);
        return err;
    }
    *out = &sc->base;
    return 0;
}
