/*
 * What the card's C model gives each of its engines (ITS, XIVE): host memory for DMA
 * through the DMA window, at card-internal addresses {VM [63:48], guest-physical [47:0]}
 * (functional: the model is untimed), the cycle counter for timestamps, and the
 * notification stream.
 */
#ifndef IOE_MODEL_ENGINE_H
#define IOE_MODEL_ENGINE_H

#include <stdint.h>

#include <ioe/regs.h>

#include "ioe_dma_xlate.h"

struct ioe_engine_env {
    struct ioe_dma_xlate *dma;
    const uint64_t *cycle;
    /* emit one notification record {vm, vcpu, src} (IOE_NOTIFY_SRC_*) */
    void (*notify)(void *ctx, unsigned vm, unsigned vcpu, unsigned src);
    void *ctx;
};

/* The bits software can write in the register at addr (its rw/wo fields; 0 elsewhere). */
static inline uint32_t ioe_reg_wmask(uint32_t addr)
{
#define X(blk, name, a, acc, rst, wm, fl)                                                          \
    case a: return wm;
    switch (addr) {
        IOE_REG_LIST(X)
    default: return 0;
    }
#undef X
}

#endif
