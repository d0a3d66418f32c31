/*
 * The card's XIVE engine access port (docs/xive.md), shared by the two device families
 * built on it: KVM_DEV_TYPE_XIVE (xive.c) and KVM_DEV_TYPE_XICS (xics.c).
 */
#ifndef IOE_DEVICES_XIVE_PORT_H
#define IOE_DEVICES_XIVE_PORT_H

#include <errno.h>

#include <ioe/regs.h>

#include "../internal.h"

enum xop {
    XOP_ESB_LOAD = 1,
    XOP_ESB_STORE,
    XOP_TRIGGER,
    XOP_SOURCE_SET,
    XOP_SOURCE_CONFIG,
    XOP_SOURCE_READ,
    XOP_SOURCE_LEVEL,
    XOP_SOURCE_SYNC,
    XOP_EQ_CONFIG,
    XOP_EQ_READ,
    XOP_TM_LOAD,
    XOP_TM_STORE,
    XOP_VP_SET,
    XOP_VP_GET,
    XOP_VM_CTRL
};
enum { XCTRL_RESET = 1, XCTRL_EQ_SYNC, XCTRL_CLEAR, XCTRL_ESB_WINDOW };
#define XST_UNDEF ENGINE_ST_UNDEF
#define XST_BADTARGET ENGINE_ST_BADTARGET
#define XIVE_MGMT_PAGE (1u << 16) /* ESB offset of a source's management page */

/* one operation of VM vm on the port: 0, XST_* or -errno */
static inline int xive_port(struct vm *vm, uint32_t index, enum xop code, uint32_t offset,
                            uint64_t wdata, uint64_t *rdata)
{
    return engine_op(vm->sys, ENGINE_XIVE,
                     vm->ctx << IOE_XIVE_TARGET_VM_SHIFT | index << IOE_XIVE_TARGET_INDEX_SHIFT,
                     offset, code, wdata, rdata, true);
}

/* a port result as an errno: the card's refusals are -EIO */
static inline int xive_card_err(int err)
{
    return err < 0 ? err : err ? -EIO : 0;
}

/* the card has the XIVE engine and sources behind it */
static inline bool xive_card_available(const struct sys *s)
{
    return (s->info.features >> IOE_CORE_FEATURES_XIVE_SHIFT & 1) && s->info.xive_sources;
}

/* Has the card an exception pending (NSR set) for the card server of vCPU v? */
static inline int xive_card_nsr(struct vm *vm, const struct vcpu *v, bool *pending)
{
    uint64_t w = 0;
    int err = xive_card_err(xive_port(vm, v->idx, XOP_VP_GET, 0, 0, &w));
    *pending = !err && (w >> 56 & TM_QW1_NSR_EO);
    return err;
}

/* kvmppc_xive_find_server: the connected vCPU with that server number. Both families'
 * state of a connected vCPU (vcpu->irq) starts with its server number. */
static inline struct vcpu *xive_find_server(struct vm *vm, uint32_t server)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->irq && *(const uint32_t *)vm->vcpus[i]->irq == server)
            return vm->vcpus[i];
    return NULL;
}

/* kvmppc_xive_select_target: an entry of the requested server's queue of prio, else of
 * the first connected vCPU's with room (try_pick reserves one: 0, -ENXIO or -EBUSY) */
static inline int xive_select_target(struct vm *vm, uint32_t *server, unsigned prio,
                                     int (*try_pick)(struct vcpu *v, unsigned prio))
{
    struct vcpu *v = xive_find_server(vm, *server);
    if (!v)
        return -EINVAL;
    if (!try_pick(v, prio))
        return 0;
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->irq && !try_pick(vm->vcpus[i], prio)) {
            *server = *(const uint32_t *)vm->vcpus[i]->irq;
            return 0;
        }
    return -EBUSY;
}

/* The checks both families' connect_vcpu make, in KVM's order: another VM's device, a vCPU
 * connected already, then kvmppc_xive_compute_vp_id (the server below NR_SERVERS, the VP
 * block allocated, the server free) */
static inline int xive_connect_check(struct device *dev, struct vcpu *v, uint32_t server,
                                     uint32_t nr_servers, bool *vp_block)
{
    if (dev->vm != v->vm)
        return -EPERM;
    if (v->irq)
        return -EBUSY;
    if (server >= nr_servers)
        return -EINVAL;
    *vp_block = true;
    return xive_find_server(v->vm, server) ? -EEXIST : 0;
}

/* kvmppc_xive_set_nr_servers: NR_SERVERS until the first vCPU connects (vp_block);
 * KVM_MAX_VCPUS = KVM_MAX_VCPU_IDS in the ABI libioe speaks, so nothing is clamped */
static inline int xive_nr_servers_set(uint32_t *nr_servers, bool vp_block, uint64_t uaddr)
{
    uint32_t n;
    if (copy_from_user(&n, uaddr, sizeof(n)))
        return -EFAULT;
    if (!n || n > IOE_KVM_MAX_VCPU_IDS)
        return -EINVAL;
    if (vp_block)
        return -EBUSY;
    *nr_servers = n;
    return 0;
}

#endif
