/* Placeholder of the XIVE engine's C model (see ioe_xive.h). */
#include "ioe_xive.h"

#include <stdlib.h>

#include <ioe/regs.h>

/* write mask of a register of the block, from the map */
static uint32_t wmask(uint32_t addr)
{
#define X(blk, name, a, acc, rst, wm, fl)                                                          \
    case a: return wm;
    switch (addr) {
        IOE_REG_LIST(X)
    default: return 0;
    }
#undef X
}

struct ioe_xive {
    struct ioe_engine_env env;
    uint32_t target, offset, wdata_lo, wdata_hi, status;
};

struct ioe_xive *ioe_xive_create(const struct ioe_engine_env *env)
{
    struct ioe_xive *x = calloc(1, sizeof(*x));
    if (x)
        x->env = *env;
    return x;
}

void ioe_xive_destroy(struct ioe_xive *x)
{
    free(x);
}

void ioe_xive_reset(struct ioe_xive *x)
{
    struct ioe_engine_env env = x->env;
    *x = (struct ioe_xive){.env = env};
}

uint32_t ioe_xive_csr_read(struct ioe_xive *x, uint32_t off)
{
    switch (off + IOE_XIVE_BASE) {
    case IOE_XIVE_TARGET: return x->target;
    case IOE_XIVE_OFFSET: return x->offset;
    case IOE_XIVE_WDATA_LO: return x->wdata_lo;
    case IOE_XIVE_WDATA_HI: return x->wdata_hi;
    case IOE_XIVE_STATUS: return x->status;
    case IOE_XIVE_TRIG_COUNT:
    case IOE_XIVE_EQ_WRITE_COUNT:
    case IOE_XIVE_EQ_WRITE_CYCLE: return 0;
    default: return 0;
    }
}

void ioe_xive_csr_write(struct ioe_xive *x, uint32_t off, uint32_t val)
{
    switch (off + IOE_XIVE_BASE) {
    case IOE_XIVE_TARGET: x->target = val & wmask(IOE_XIVE_TARGET); break;
    case IOE_XIVE_OFFSET: x->offset = val; break;
    case IOE_XIVE_WDATA_LO: x->wdata_lo = val; break;
    case IOE_XIVE_WDATA_HI: x->wdata_hi = val; break;
    case IOE_XIVE_OP:
        x->status = 1u << IOE_XIVE_STATUS_DONE_SHIFT | 1u << IOE_XIVE_STATUS_BADTARGET_SHIFT;
        break;
    default: break;
    }
}

bool ioe_xive_msi_claim(const struct ioe_xive *x, uint32_t devid, uint64_t addr)
{
    (void)x;
    (void)devid;
    (void)addr;
    return false;
}

void ioe_xive_msi(struct ioe_xive *x, uint32_t devid, uint64_t addr, uint32_t data)
{
    (void)x;
    (void)devid;
    (void)addr;
    (void)data;
}
