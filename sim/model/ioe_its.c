/* Placeholder of the ITS engine's C model (see ioe_its.h). */
#include "ioe_its.h"

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

struct ioe_its {
    struct ioe_engine_env env;
    uint32_t target, offset, wdata_lo, wdata_hi, status;
};

struct ioe_its *ioe_its_create(const struct ioe_engine_env *env)
{
    struct ioe_its *x = calloc(1, sizeof(*x));
    if (x)
        x->env = *env;
    return x;
}

void ioe_its_destroy(struct ioe_its *x)
{
    free(x);
}

void ioe_its_reset(struct ioe_its *x)
{
    struct ioe_engine_env env = x->env;
    *x = (struct ioe_its){.env = env};
}

uint32_t ioe_its_csr_read(struct ioe_its *x, uint32_t off)
{
    switch (off + IOE_ITS_BASE) {
    case IOE_ITS_TARGET: return x->target;
    case IOE_ITS_OFFSET: return x->offset;
    case IOE_ITS_WDATA_LO: return x->wdata_lo;
    case IOE_ITS_WDATA_HI: return x->wdata_hi;
    case IOE_ITS_STATUS: return x->status;
    case IOE_ITS_MSI_IN:
    case IOE_ITS_MSI_DROP:
    case IOE_ITS_CACHE_HIT:
    case IOE_ITS_CACHE_MISS:
    case IOE_ITS_LPI_SET:
    case IOE_ITS_LPI_SET_CYCLE: return 0;
    default: return 0;
    }
}

void ioe_its_csr_write(struct ioe_its *x, uint32_t off, uint32_t val)
{
    switch (off + IOE_ITS_BASE) {
    case IOE_ITS_TARGET: x->target = val & wmask(IOE_ITS_TARGET); break;
    case IOE_ITS_OFFSET: x->offset = val; break;
    case IOE_ITS_WDATA_LO: x->wdata_lo = val; break;
    case IOE_ITS_WDATA_HI: x->wdata_hi = val; break;
    case IOE_ITS_OP:
        x->status = 1u << IOE_ITS_STATUS_DONE_SHIFT | 1u << IOE_ITS_STATUS_BADTARGET_SHIFT;
        break;
    default: break;
    }
}

bool ioe_its_msi_claim(const struct ioe_its *x, uint32_t devid, uint64_t addr)
{
    (void)x;
    (void)devid;
    (void)addr;
    return false;
}

void ioe_its_msi(struct ioe_its *x, uint32_t devid, uint64_t addr, uint32_t data)
{
    (void)x;
    (void)devid;
    (void)addr;
    (void)data;
}
