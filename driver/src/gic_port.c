/*
 * Operations on the card's GIC engine through its access port (docs/gic.md), and the
 * notification path that keeps vCPU descriptors' readability in step with the card.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include <ioe/regs.h>

#include "internal.h"

/* Polls of STATUS before an operation counts as hung (each poll steps a simulated card). */
#define GIC_POLL_LIMIT 100000

int gic_op(struct sys *s, unsigned vm, unsigned vcpu, enum gic_space space, bool uaccess,
           uint32_t offset, enum gic_code code, uint64_t wdata, uint64_t *rdata)
{
    struct ioe_card *c = s->card;
    uint32_t target = vm << IOE_GIC_TARGET_VM_SHIFT | vcpu << IOE_GIC_TARGET_VCPU_SHIFT |
                      (uint32_t)space << IOE_GIC_TARGET_SPACE_SHIFT |
                      (uint32_t)uaccess << IOE_GIC_TARGET_UACCESS_SHIFT;
    uint32_t st = 0;
    int err = 0;
    bool v = s->gic_port.valid;
    s->gic_port.valid = false; /* until every write below has landed */
    if (!v || s->gic_port.target != target)
        err = ioe_card_write32(c, IOE_GIC_TARGET, target);
    if (!err && (!v || s->gic_port.offset != offset))
        err = ioe_card_write32(c, IOE_GIC_OFFSET, offset);
    if (!err && (!v || (uint32_t)s->gic_port.wdata != (uint32_t)wdata))
        err = ioe_card_write32(c, IOE_GIC_WDATA_LO, (uint32_t)wdata);
    if (!err && (!v || s->gic_port.wdata >> 32 != wdata >> 32))
        err = ioe_card_write32(c, IOE_GIC_WDATA_HI, (uint32_t)(wdata >> 32));
    if (err)
        return err;
    s->gic_port.target = target;
    s->gic_port.offset = offset;
    s->gic_port.wdata = wdata;
    s->gic_port.valid = true;
    if ((err = ioe_card_write32(c, IOE_GIC_OP, code)))
        return err;
    for (int i = 0;; i++) {
        if ((err = ioe_card_read32(c, IOE_GIC_STATUS, &st)))
            return err;
        if (!(st >> IOE_GIC_STATUS_BUSY_SHIFT & 1))
            break;
        if (i == GIC_POLL_LIMIT)
            return -ETIMEDOUT;
        err = ioe_card_step(c, 1);
        if (err && err != -EOPNOTSUPP)
            return err;
    }
    if (rdata && (code == GIC_READ64 || code == GIC_WRITE64)) {
        if ((err = ioe_card_read64(c, IOE_GIC_RDATA_LO, rdata)))
            return err;
    } else if (rdata) { /* 32-bit operations leave RDATA_HI at 0 */
        uint32_t lo;
        if ((err = ioe_card_read32(c, IOE_GIC_RDATA_LO, &lo)))
            return err;
        *rdata = lo;
    }
    if (st >> IOE_GIC_STATUS_BADTARGET_SHIFT & 1)
        return GIC_ST_BADTARGET;
    if (st >> IOE_GIC_STATUS_UNDEF_SHIFT & 1)
        return GIC_ST_UNDEF;
    return 0;
}

static void set_readable(struct vcpu *v, bool on)
{
    uint64_t one = 1, junk;
    if (!v->o.fd_open || on == v->readable)
        return;
    if (on) {
        if (write(v->o.fd, &one, sizeof(one)) == sizeof(one))
            v->readable = true;
    } else {
        if (read(v->o.fd, &junk, sizeof(junk)) == sizeof(junk) || errno == EAGAIN)
            v->readable = false;
    }
}

int vcpu_refresh(struct vcpu *v)
{
    uint64_t st = 0;
    int err = gic_op(v->vm->sys, v->vm->ctx, v->idx, GIC_STATUS, false, 0, GIC_READ32, 0, &st);
    bool on = !err && (st >> 31 & 1);
    if (v->xive && !on) /* or the XIVE presenter has an exception for it */
        err = xive_vcpu_pending(v, &on);
    if (err)
        return err < 0 ? err : -EIO;
    set_readable(v, on);
    return 0;
}

void sys_sync_notifications(struct sys *s)
{
    struct ioe_notification n[32];
    int got;
    /* let a simulated card finish what the last operations started */
    ioe_card_step(s->card, 4);
    while ((got = ioe_card_drain(s->card, n, 32)) > 0) {
        for (int i = 0; i < got; i++) {
            if (n[i].src != IOE_NOTIFY_SRC_GIC && n[i].src != IOE_NOTIFY_SRC_XIVE)
                continue;
            struct vm *vm = sys_vm_of_ctx(s, n[i].vm);
            if (vm && n[i].vcpu < vm->nr_vcpus)
                vcpu_refresh(vm->vcpus[n[i].vcpu]);
        }
    }
}
