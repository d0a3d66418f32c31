/*
 * The card's engines (GIC, ITS, XIVE) each have one access port of the same shape
 * (docs/registers.md): TARGET, OFFSET, WDATA_LO/HI, OP, STATUS (BUSY, DONE, UNDEF,
 * BADTARGET) and RDATA_LO/HI at the engine's block base. An operation is the writes
 * whose values changed since the last operation on that port, the OP write, a wait while
 * BUSY, and the RDATA reads: one batch, so one round trip on a card behind a link.
 */
#include <errno.h>

#include <ioe/regs.h>

#include "devices/gic.h"
#include "transport.h"

static const uint32_t port_base[ENGINE_COUNT] = {
    [ENGINE_GIC] = IOE_GIC_TARGET,
    [ENGINE_ITS] = IOE_ITS_TARGET,
    [ENGINE_XIVE] = IOE_XIVE_TARGET,
};

/* the port's registers, as offsets from its TARGET register */
enum {
    P_TARGET = 0x00,
    P_OFFSET = 0x04,
    P_WDATA_LO = 0x08,
    P_WDATA_HI = 0x0c,
    P_OP = 0x10,
    P_STATUS = 0x14,
    P_RDATA_LO = 0x18,
    P_RDATA_HI = 0x1c,
};
_Static_assert(IOE_GIC_STATUS - IOE_GIC_TARGET == P_STATUS &&
                   IOE_ITS_RDATA_HI - IOE_ITS_TARGET == P_RDATA_HI &&
                   IOE_XIVE_OP - IOE_XIVE_TARGET == P_OP,
               "the engines' access ports share one layout");
_Static_assert(IOE_GIC_STATUS_BUSY_SHIFT == 0 && IOE_ITS_STATUS_UNDEF_SHIFT == 2 &&
                   IOE_XIVE_STATUS_BADTARGET_SHIFT == 3,
               "the engines' STATUS registers share one layout");

int engine_op(struct sys *s, enum engine e, uint32_t target, uint32_t offset, uint32_t code,
              uint64_t wdata, uint64_t *rdata, bool rdata64)
{
    struct engine_port_cache *c = &s->port[e];
    uint32_t base = port_base[e];
    struct ioe_csr_op ops[8];
    size_t n = 0;
    if (!c->valid || c->target != target)
        ops[n++] = (struct ioe_csr_op){IOE_CSR_WRITE, base + P_TARGET, target, 0, 0};
    if (!c->valid || c->offset != offset)
        ops[n++] = (struct ioe_csr_op){IOE_CSR_WRITE, base + P_OFFSET, offset, 0, 0};
    if (!c->valid || (uint32_t)c->wdata != (uint32_t)wdata)
        ops[n++] = (struct ioe_csr_op){IOE_CSR_WRITE, base + P_WDATA_LO, (uint32_t)wdata, 0, 0};
    if (!c->valid || c->wdata >> 32 != wdata >> 32)
        ops[n++] =
            (struct ioe_csr_op){IOE_CSR_WRITE, base + P_WDATA_HI, (uint32_t)(wdata >> 32), 0, 0};
    ops[n++] = (struct ioe_csr_op){IOE_CSR_WRITE, base + P_OP, code, 0, 0};
    size_t status = n;
    ops[n++] =
        (struct ioe_csr_op){IOE_CSR_POLL, base + P_STATUS, 0, 1u << IOE_GIC_STATUS_BUSY_SHIFT, 0};
    size_t rd = n;
    if (rdata)
        ops[n++] = (struct ioe_csr_op){IOE_CSR_READ, base + P_RDATA_LO, 0, 0, 0};
    if (rdata && rdata64)
        ops[n++] = (struct ioe_csr_op){IOE_CSR_READ, base + P_RDATA_HI, 0, 0, 0};
    c->valid = false;                              /* until the batch has landed */
    int err = card_batch_trusted(s->card, ops, n); /* built from the register map */
    if (err)
        return err;
    *c = (struct engine_port_cache){true, target, offset, wdata};
    if (rdata)
        *rdata = (rdata64 ? (uint64_t)ops[rd + 1].val << 32 : 0) | ops[rd].val;
    uint32_t st = ops[status].val;
    if (st >> IOE_GIC_STATUS_BADTARGET_SHIFT & 1)
        return ENGINE_ST_BADTARGET;
    if (st >> IOE_GIC_STATUS_UNDEF_SHIFT & 1)
        return ENGINE_ST_UNDEF;
    return 0;
}

int card_vm_reset(struct sys *s, unsigned ctx)
{
    /* the GIC port's VM_RESET (docs/gic.md): TARGET names the VM context */
    return gic_op(s, ctx, 0, GIC_GICD, false, 0, GIC_VM_RESET, 0, NULL);
}
