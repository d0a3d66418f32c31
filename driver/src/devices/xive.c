/*
 * KVM_DEV_TYPE_XIVE (POWER9 XIVE native exploitation) on the card. The attribute groups,
 * their errors and the order of their checks follow Linux's book3s_xive_native.c and
 * book3s_xive.c as described in the reference (kvm-ppc-s390-abi.md section 1); the
 * event state itself (ESB PQ bits, EAS, END queues, thread contexts) is the card's
 * (docs/xive.md). libioe keeps what KVM keeps beside the hardware: which sources are
 * valid, their targeting, the guest view of each queue (address and size), queue
 * reservations, the server of each connected vCPU and NR_SERVERS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xive_port.h"

#define NR_IRQS 0x100000u /* KVMPPC_XIVE_NR_IRQS */
#define BLOCK_SHIFT 10    /* source blocks of 1024 */
#define BLOCK_SIZE (1u << BLOCK_SHIFT)
#define NR_BLOCKS (NR_IRQS >> BLOCK_SHIFT)
#define Q_COUNT 8 /* priorities (queues) per vCPU */
#define Q_GAP 2   /* entries kept free in a queue by the reservation */
#define EQ_SHIFT 16
#define MASKED 0xff
#define NR_SERVERS_LIMIT IOE_KVM_MAX_VCPU_IDS /* KVM_MAX_VCPU_IDS of the ABI libioe speaks */
#define ESB_PAGE_SIZE 0x10000u
#define TIMA_PAGE_SIZE 0x10000u

struct xsrc {
    bool valid;
    uint8_t act_prio; /* MASKED or 0..6 */
    uint32_t act_server;
    uint32_t eisn;
};

struct xblock {
    struct xsrc s[BLOCK_SIZE];
};

struct xq {
    uint64_t qaddr;  /* guest view, as set */
    uint32_t qshift; /* 0: no page configured */
    uint32_t count;  /* sources reserved in the queue */
};

struct xive_vp {
    uint32_t server; /* first (xive_port.h): KVM's server number; the card's is the vCPU index */
    struct xq q[Q_COUNT];
};

struct xive_dev {
    struct device dev;
    uint32_t nr_servers;
    bool vp_block;       /* allocated at the first vCPU connect */
    struct xive_vp *vps; /* by the card's vCPU index */
    struct xblock *blocks[NR_BLOCKS];
};

/* ------------------------------------------------------------------ the card's access port */
static struct xive_dev *to_xive(struct device *d)
{
    return (struct xive_dev *)d;
}

/* a vCPU's connection to the VM's XIVE device, or NULL */
static struct xive_vp *vp_of(const struct vcpu *v)
{
    return v->irq;
}

static int xop(struct xive_dev *d, uint32_t index, enum xop code, uint32_t offset, uint64_t wdata,
               uint64_t *rdata)
{
    return xive_port(d->dev.vm, index, code, offset, wdata, rdata);
}

/* END index of the card: card server << 3 | priority */
static uint32_t end_of(const struct vcpu *v, unsigned prio)
{
    return v->idx << 3 | prio;
}

/* ------------------------------------------------------------------ helpers */
static struct sys *sys_of(const struct xive_dev *d)
{
    return d->dev.vm->sys;
}

static struct xsrc *src_of(struct xive_dev *d, uint64_t irq)
{
    struct xblock *b = irq < NR_IRQS ? d->blocks[irq >> BLOCK_SHIFT] : NULL;
    return b ? &b->s[irq & (BLOCK_SIZE - 1)] : NULL;
}

static struct vcpu *find_server(struct xive_dev *d, uint32_t server)
{
    return xive_find_server(d->dev.vm, server);
}

/* xive_try_pick_queue: 0, -ENXIO (no page), -EBUSY (entries - Q_GAP sources reserved) */
static int try_pick(struct vcpu *v, unsigned prio)
{
    struct xq *q = &vp_of(v)->q[prio];
    if (!q->qshift)
        return -ENXIO;
    if (q->count >= (1u << (q->qshift - 2)) - Q_GAP)
        return -EBUSY;
    q->count++;
    return 0;
}

static int card_eq_disable(struct xive_dev *d, struct vcpu *v, unsigned prio)
{
    struct xq *q = &vp_of(v)->q[prio];
    q->qaddr = 0;
    q->qshift = 0;
    return xive_card_err(xop(d, end_of(v, prio), XOP_EQ_CONFIG, 0, 0, NULL));
}

/* ------------------------------------------------------------------ device lifetime */
static int xive_create(struct device *dev)
{
    struct xive_dev *d = to_xive(dev);
    struct vm *vm = dev->vm;
    /* kvmppc_xive_native_create: one XIVE-family interrupt controller per VM */
    int err = vm_irqchip_check(vm, dev->ops);
    if (err)
        return err;
    if (!(d->vps = calloc(vm->sys->info.nr_vcpus, sizeof(*d->vps))))
        return -ENOMEM;
    d->nr_servers = NR_SERVERS_LIMIT; /* KVM_MAX_VCPUS until NR_SERVERS */
    err = xive_card_err(xop(d, 0, XOP_VM_CTRL, XCTRL_CLEAR, 0, NULL));
    if (err)
        free(d->vps);
    return err;
}

/* kvmppc_xive_native_release: when the descriptor is closed every vCPU is disconnected,
 * every source freed and the card's state of the VM cleared */
static void xive_release(struct device *dev)
{
    struct xive_dev *d = to_xive(dev);
    struct vm *vm = dev->vm;
    xop(d, 0, XOP_VM_CTRL, XCTRL_CLEAR, 0, NULL);
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        vm->vcpus[i]->irq = NULL;
        vcpu_refresh(vm->vcpus[i]); /* vm->irqchip is NULL already */
    }
    for (unsigned b = 0; b < NR_BLOCKS; b++)
        free(d->blocks[b]);
    free(d->vps);
}

/* ------------------------------------------------------------------ GRP_CTRL */
static int ctrl_reset(struct xive_dev *d, uint64_t uaddr)
{
    (void)uaddr;
    struct vm *vm = d->dev.vm;
    /* kvmppc_xive_reset: every source that is not masked: EISN 0, masked, PQ = 01 */
    for (unsigned b = 0; b < NR_BLOCKS; b++)
        for (unsigned k = 0; d->blocks[b] && k < BLOCK_SIZE; k++) {
            struct xsrc *s = &d->blocks[b]->s[k];
            uint32_t irq = b << BLOCK_SHIFT | k;
            if (!s->valid || s->act_prio == MASKED)
                continue;
            s->eisn = 0;
            s->act_server = 0;
            s->act_prio = MASKED;
            xop(d, irq, XOP_ESB_LOAD, XIVE_MGMT_PAGE | XIVE_ESB_SET_PQ_01, 0, NULL);
            xop(d, irq, XOP_SOURCE_CONFIG, 0, KVM_XIVE_SOURCE_MASKED_MASK, NULL);
        }
    /* and every queue of every connected vCPU is disabled (the card has no escalation
     * queue 7 to keep) */
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        for (unsigned p = 0; vp_of(vm->vcpus[i]) && p < Q_COUNT; p++)
            card_eq_disable(d, vm->vcpus[i], p);
    return 0; /* always, as KVM */
}

static int ctrl_eq_sync(struct xive_dev *d, uint64_t uaddr)
{
    (void)uaddr;
    /* kvmppc_xive_native_eq_sync: every event taken so far is in its queue; KVM then marks
     * the queue pages dirty (libioe has no dirty log: nothing to mark) */
    xop(d, 0, XOP_VM_CTRL, XCTRL_EQ_SYNC, 0, NULL);
    return 0;
}

static int ctrl_nr_servers(struct xive_dev *d, uint64_t uaddr)
{
    return xive_nr_servers_set(&d->nr_servers, d->vp_block, uaddr);
}

static const struct {
    uint64_t attr;
    int (*set)(struct xive_dev *d, uint64_t uaddr);
} ctrl_attrs[] = {
    {KVM_DEV_XIVE_RESET, ctrl_reset},
    {KVM_DEV_XIVE_EQ_SYNC, ctrl_eq_sync},
    {KVM_DEV_XIVE_NR_SERVERS, ctrl_nr_servers},
};

static int ctrl_find(uint64_t attr)
{
    for (unsigned i = 0; i < sizeof(ctrl_attrs) / sizeof(ctrl_attrs[0]); i++)
        if (ctrl_attrs[i].attr == attr)
            return (int)i;
    return -1;
}

static int ctrl_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct xive_dev *d = to_xive(dev);
    int i = ctrl_find(a->attr);
    return i < 0 ? -ENXIO : ctrl_attrs[i].set(d, a->addr);
}

static int ctrl_has(struct device *dev, const struct kvm_device_attr *a)
{
    struct xive_dev *d = to_xive(dev);
    (void)d;
    return ctrl_find(a->attr) < 0 ? -ENXIO : 0;
}

/* ------------------------------------------------------------------ sources */
static int source_has(struct device *dev, const struct kvm_device_attr *a)
{
    struct xive_dev *d = to_xive(dev);
    (void)d;
    return a->attr < NR_IRQS ? 0 : -ENXIO;
}

static int source_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct xive_dev *d = to_xive(dev);
    /* kvmppc_xive_native_set_source */
    uint64_t irq = a->attr, val, old = 0;
    if (irq >= NR_IRQS)
        return -E2BIG;
    struct xblock **bp = &d->blocks[irq >> BLOCK_SHIFT];
    if (!*bp) {
        if (!(*bp = calloc(1, sizeof(**bp))))
            return -ENOMEM;
        for (unsigned k = 0; k < BLOCK_SIZE; k++)
            (*bp)->s[k].act_prio = MASKED;
    }
    struct xsrc *s = &(*bp)->s[irq & (BLOCK_SIZE - 1)];
    if (copy_from_user(&val, a->addr, sizeof(val)))
        return -EFAULT;
    /* the hardware interrupt behind the source: the card has xive_sources per VM */
    if (irq >= sys_of(d)->info.xive_sources)
        return -ENXIO;
    /* KVM sets LSI, and asserted with it, but never clears them */
    if (xop(d, (uint32_t)irq, XOP_SOURCE_READ, 0, 0, &old))
        return -ENXIO;
    bool lsi = (old >> 2 & 1) || (val & KVM_XIVE_LEVEL_SENSITIVE);
    bool asserted =
        (old >> 3 & 1) || ((val & KVM_XIVE_LEVEL_SENSITIVE) && (val & KVM_XIVE_LEVEL_ASSERTED));
    /* the card masks the EAS (EISN kept, as KVM) and sets PQ = 01 */
    if (xop(d, (uint32_t)irq, XOP_SOURCE_SET, 0, (uint64_t)lsi | (uint64_t)asserted << 1, NULL))
        return -ENXIO;
    s->act_server = 0;
    s->act_prio = MASKED;
    s->valid = true;
    return 0;
}

static int source_lookup(struct xive_dev *d, uint64_t irq, struct xsrc **out)
{
    struct xsrc *s = src_of(d, irq);
    if (!s)
        return -ENOENT; /* no source block */
    if (!s->valid)
        return -EINVAL;
    *out = s;
    return 0;
}

static int source_config_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct xive_dev *d = to_xive(dev);
    /* kvmppc_xive_native_set_source_config, then _update_source_config */
    struct xsrc *s;
    uint64_t val, eas = KVM_XIVE_SOURCE_MASKED_MASK;
    int err = source_lookup(d, a->attr, &s);
    if (err)
        return err;
    if (copy_from_user(&val, a->addr, sizeof(val)))
        return -EFAULT;
    unsigned prio =
        (unsigned)((val & KVM_XIVE_SOURCE_PRIORITY_MASK) >> KVM_XIVE_SOURCE_PRIORITY_SHIFT);
    uint32_t server =
        (uint32_t)((val & KVM_XIVE_SOURCE_SERVER_MASK) >> KVM_XIVE_SOURCE_SERVER_SHIFT);
    bool masked = (val & KVM_XIVE_SOURCE_MASKED_MASK) != 0;
    uint32_t eisn = (uint32_t)((val & KVM_XIVE_SOURCE_EISN_MASK) >> KVM_XIVE_SOURCE_EISN_SHIFT);
    if (prio == 7)
        return -EINVAL; /* reserved for escalations */
    if (s->act_server == server && s->act_prio == prio && s->eisn == eisn)
        return 0; /* KVM's early exit, which does not look at the mask bit */
    if (!masked) {
        if ((err = xive_select_target(d->dev.vm, &server, prio, try_pick)))
            return err;
        s->act_prio = (uint8_t)prio;
        s->act_server = server;
        s->eisn = eisn;
        eas = prio | (uint64_t)find_server(d, server)->idx << KVM_XIVE_SOURCE_SERVER_SHIFT |
              (uint64_t)eisn << KVM_XIVE_SOURCE_EISN_SHIFT;
    } else {
        s->act_prio = MASKED;
        s->act_server = 0;
        s->eisn = 0;
    }
    return xop(d, (uint32_t)a->attr, XOP_SOURCE_CONFIG, 0, eas, NULL) ? -ENXIO : 0;
}

static int source_sync_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct xive_dev *d = to_xive(dev);
    struct xsrc *s;
    int err = source_lookup(d, a->attr, &s);
    if (err)
        return err;
    xop(d, (uint32_t)a->attr, XOP_SOURCE_SYNC, 0, 0, NULL);
    return 0;
}

/* ------------------------------------------------------------------ EQ_CONFIG */
static int eq_has(struct device *dev, const struct kvm_device_attr *a)
{
    struct xive_dev *d = to_xive(dev);
    (void)d;
    (void)a;
    return 0; /* no validation of server or priority */
}

static int eq_lookup(struct xive_dev *d, uint64_t attr, struct vcpu **v, unsigned *prio)
{
    uint32_t server = (uint32_t)((attr & KVM_XIVE_EQ_SERVER_MASK) >> KVM_XIVE_EQ_SERVER_SHIFT);
    if (!(*v = find_server(d, server)))
        return -ENOENT;
    *prio = (unsigned)((attr & KVM_XIVE_EQ_PRIORITY_MASK) >> KVM_XIVE_EQ_PRIORITY_SHIFT);
    return *prio == 7 ? -EINVAL : 0;
}

static int eq_set(struct device *dev, const struct kvm_device_attr *a)
{
    struct xive_dev *d = to_xive(dev);
    /* kvmppc_xive_native_set_queue_config */
    struct kvm_ppc_xive_eq eq;
    struct vcpu *v;
    unsigned prio;
    if (copy_from_user(&eq, a->addr, sizeof(eq)))
        return -EFAULT;
    int err = eq_lookup(d, a->attr, &v, &prio);
    if (err)
        return err;
    if (!eq.qshift)
        return card_eq_disable(d, v, prio) ? -EIO : 0; /* reset: nothing else is looked at */
    if (eq.flags != KVM_XIVE_EQ_ALWAYS_NOTIFY)
        return -EINVAL;
    if (eq.qshift != EQ_SHIFT) /* 12, 21 and 24 are refused too: 64K queues only */
        return -EINVAL;
    if (eq.qaddr & ((1ull << eq.qshift) - 1))
        return -EINVAL;
    if (!vm_gpa_in_ram(d->dev.vm, eq.qaddr, 1ull << eq.qshift))
        return -EINVAL; /* no page behind the gfn, or less than the queue */
    /* KVM enables the queue at (generation 1, index 0) and restores another state after;
     * the card takes both at once. A state the hardware refuses leaves the queue
     * cleaned, as KVM's error path does. */
    uint32_t off = eq.qshift | 1u << 8 | (eq.qtoggle & 1) << 9 | eq.qindex << 10;
    if (eq.qindex >> 22 || xop(d, end_of(v, prio), XOP_EQ_CONFIG, off, eq.qaddr, NULL)) {
        card_eq_disable(d, v, prio);
        return -EIO;
    }
    vp_of(v)->q[prio].qaddr = eq.qaddr;
    vp_of(v)->q[prio].qshift = eq.qshift;
    return 0;
}

static int eq_get(struct device *dev, const struct kvm_device_attr *a)
{
    struct xive_dev *d = to_xive(dev);
    /* kvmppc_xive_native_get_queue_config */
    struct kvm_ppc_xive_eq eq;
    struct vcpu *v;
    unsigned prio;
    uint64_t w;
    int err = eq_lookup(d, a->attr, &v, &prio);
    if (err)
        return err;
    struct xq *q = &vp_of(v)->q[prio];
    if (!q->qshift)
        return 0; /* the caller's buffer is left as it was */
    if (xop(d, end_of(v, prio), XOP_EQ_READ, 0, 0, &w))
        return -EIO;
    memset(&eq, 0, sizeof(eq));
    eq.flags = (w >> 8 & 1) ? KVM_XIVE_EQ_ALWAYS_NOTIFY : 0;
    eq.qshift = q->qshift;
    eq.qaddr = q->qaddr;
    eq.qtoggle = (uint32_t)(w >> 9 & 1);
    eq.qindex = (uint32_t)(w >> 10 & 0x3fffff);
    return copy_to_user(a->addr, &eq, sizeof(eq));
}

/* ------------------------------------------------------------------ attribute dispatch */
static const struct attr_group xive_groups[] = {
    {KVM_DEV_XIVE_GRP_CTRL, ctrl_set, NULL, ctrl_has},
    {KVM_DEV_XIVE_GRP_SOURCE, source_set, NULL, source_has},
    {KVM_DEV_XIVE_GRP_SOURCE_CONFIG, source_config_set, NULL, source_has},
    {KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_set, eq_get, eq_has},
    {KVM_DEV_XIVE_GRP_SOURCE_SYNC, source_sync_set, NULL, source_has},
};

/* ------------------------------------------------------------------ ESB pages */
static int esb_access(struct xive_dev *d, uint64_t uptr)
{
    struct ioe_xive_esb e;
    uint64_t r = 0;
    if (copy_from_user(&e, uptr, sizeof(e)))
        return -EFAULT;
    /* the mapping has 2 pages per source of KVMPPC_XIVE_NR_IRQS */
    if (e.page >= 2ull * NR_IRQS || e.offset >= ESB_PAGE_SIZE)
        return -EINVAL;
    struct xsrc *s = src_of(d, e.page >> 1);
    if (!s || !s->valid)
        return -ENXIO; /* KVM's fault handler: SIGBUS */
    uint32_t off = (uint32_t)(e.page & 1) << 16 | e.offset;
    int err =
        xop(d, (uint32_t)(e.page >> 1), e.is_store ? XOP_ESB_STORE : XOP_ESB_LOAD, off, e.data, &r);
    sys_sync_notifications(sys_of(d));
    if (err < 0 || err == XST_BADTARGET)
        return xive_card_err(err);
    if (e.is_store)
        return 0; /* UNDEF: a store with no effect */
    e.data = r;
    return copy_to_user(uptr, &e, sizeof(e));
}

static int xive_ioctl(struct device *d, unsigned long req, unsigned long arg)
{
    return req == IOE_XIVE_ESB ? esb_access(to_xive(d), arg) : -ENOTTY;
}

/* ------------------------------------------------------------------ vCPU requests */
static uint64_t be64_of(const uint8_t b[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

static void be64_put(uint8_t b[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t)v;
}

/* kvmppc_xive_native_connect_vcpu, after kvm_vcpu_ioctl_enable_cap's checks (device.c) */
static int connect_vcpu(struct device *dev, struct vcpu *v, const struct kvm_enable_cap *cap)
{
    struct xive_dev *d = to_xive(dev);
    uint32_t server = (uint32_t)cap->args[1];
    int err = xive_connect_check(dev, v, server, d->nr_servers, &d->vp_block);
    if (err)
        return err;
    struct xive_vp *vp = &d->vps[v->idx];
    memset(vp, 0, sizeof(*vp));
    vp->server = server;
    /* the thread context starts as KVM's w01: ACK# 0xff, CPPR 0 */
    err = xive_card_err(xop(d, v->idx, XOP_VP_SET, 0, 0x00000000ff000000ull, NULL));
    if (err)
        return err;
    v->irq = vp;
    return 0;
}

static int one_reg(struct xive_dev *d, struct vcpu *v, unsigned long req, uint64_t uptr)
{
    /* kvm_vcpu_ioctl_get_one_reg / _set_one_reg (powerpc) for KVM_REG_PPC_VP_STATE */
    struct kvm_one_reg r;
    uint8_t val[16];
    uint64_t w = 0;
    if (copy_from_user(&r, uptr, sizeof(r)))
        return -EFAULT;
    if (r.id != KVM_REG_PPC_VP_STATE)
        return -ENOTTY; /* not the XIVE's: the persona answers */
    if (req == KVM_SET_ONE_REG) {
        if (copy_from_user(val, r.addr, sizeof(val)))
            return -EFAULT;
        if (!vp_of(v))
            return -ENXIO;
        int err = xive_card_err(xop(d, v->idx, XOP_VP_SET, 0, be64_of(val), NULL));
        sys_sync_notifications(v->vm->sys);
        vcpu_refresh(v);
        return err;
    }
    if (!vp_of(v))
        return -ENXIO;
    int err = xive_card_err(xop(d, v->idx, XOP_VP_GET, 0, 0, &w));
    if (err)
        return err;
    memset(val, 0, sizeof(val));
    be64_put(val, w); /* the TIMA bytes NSR .. PIPR in memory order */
    return copy_to_user(r.addr, val, sizeof(val));
}

static int tima_access(struct xive_dev *d, struct vcpu *v, uint64_t uptr)
{
    struct ioe_xive_tima t;
    uint64_t r = 0;
    int err = 0;
    if (copy_from_user(&t, uptr, sizeof(t)))
        return -EFAULT;
    if (!vp_of(v))
        return -ENXIO; /* no TIMA page for this vCPU: SIGBUS on KVM */
    if (t.offset >= TIMA_PAGE_SIZE || (t.len != 1 && t.len != 2 && t.len != 4 && t.len != 8) ||
        (t.offset & (t.len - 1u)))
        return -EINVAL;
    if (!t.is_store) {
        if (t.offset >= TM_QW1_OS && t.offset + t.len <= TM_QW1_OS + 8u) {
            err = xop(d, v->idx, XOP_TM_LOAD, TM_QW1_OS, 0, &r);
            r &= ~(0xffull << 8 * (7 - TM_AGE)); /* AGE is not visible in the OS view */
            r >>= 8 * (TM_QW1_OS + 8 - t.offset - t.len);
            if (t.len < 8)
                r &= (1ull << 8 * t.len) - 1;
        } else if (t.offset == TM_SPC_ACK_OS_REG && t.len == 2) {
            err = xop(d, v->idx, XOP_TM_LOAD, TM_SPC_ACK_OS_REG, 0, &r);
        }
        t.data = r; /* other offsets read as 0 */
    } else if ((t.offset == TM_QW1_OS + TM_CPPR || t.offset == TM_SPC_SET_OS_PENDING) &&
               t.len == 1) {
        err = xop(d, v->idx, XOP_TM_STORE, t.offset, t.data & 0xff, NULL);
    } /* other stores are ignored */
    sys_sync_notifications(v->vm->sys);
    vcpu_refresh(v); /* an acknowledge lowers NSR without a notification */
    if ((err = xive_card_err(err)))
        return err;
    return t.is_store ? 0 : copy_to_user(uptr, &t, sizeof(t));
}

static int xive_vcpu_ioctl(struct device *dev, struct vcpu *v, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_GET_ONE_REG:
    case KVM_SET_ONE_REG: return one_reg(to_xive(dev), v, req, arg);
    case IOE_XIVE_TIMA: return tima_access(to_xive(dev), v, arg);
    default: return -ENOTTY;
    }
}

/* Has the card an exception pending (NSR set) for the vCPU? */
static int xive_vcpu_pending(struct device *dev, struct vcpu *v, bool *pending)
{
    *pending = false;
    if (!vp_of(v))
        return 0; /* not connected: nothing is presented to it */
    return xive_card_nsr(dev->vm, v, pending);
}

/* KVM_IRQ_LINE: kvmppc_xive_set_irq. As with XICS (devices/xics.c), powerpc's
 * KVM_IRQ_LINE puts that result in the status and itself returns 0. */
static int xive_irq_line(struct device *dev, uint32_t irq, uint32_t level)
{
    struct xive_dev *d = to_xive(dev);
    uint64_t st = 0;
    struct xsrc *s = src_of(d, irq);
    if (!s || !s->valid)
        return 0; /* -EINVAL in the status */
    if (xop(d, irq, XOP_SOURCE_READ, 0, 0, &st))
        return -EIO;
    bool lsi = st >> 2 & 1;
    int err;
    if ((level == 1 && lsi) || level == KVM_INTERRUPT_SET_LEVEL)
        err =
            lsi ? xop(d, irq, XOP_SOURCE_LEVEL, 0, 1, NULL) : xop(d, irq, XOP_TRIGGER, 0, 0, NULL);
    else if (level == 0 || level == KVM_INTERRUPT_UNSET)
        err = lsi ? xop(d, irq, XOP_SOURCE_LEVEL, 0, 0, NULL) : 0; /* deasserted */
    else
        err = xop(d, irq, XOP_TRIGGER, 0, 0, NULL);
    return xive_card_err(err);
}

/* KVM_IRQ_LINE_STATUS: kvmppc_xive_set_irq's result */
static int32_t xive_line_status(struct device *dev, uint32_t irq)
{
    const struct xsrc *s = src_of(to_xive(dev), irq);
    return s && s->valid ? 0 : -EINVAL;
}

static const struct irqchip_ops xive_irqchip = {
    .irq_line = xive_irq_line,
    .line_status = xive_line_status,
    .vcpu_pending = xive_vcpu_pending,
    .vcpu_ioctl = xive_vcpu_ioctl,
};

const struct device_ops xive_ops = {
    .name = "kvm-xive-native",
    .type = KVM_DEV_TYPE_XIVE,
    .hosts = HOST_BIT(HOST_PPC64),
    .size = sizeof(struct xive_dev),
    .available = xive_card_available,
    .create = xive_create,
    .release = xive_release,
    .groups = xive_groups,
    .nr_groups = sizeof(xive_groups) / sizeof(xive_groups[0]),
    .ioctl = xive_ioctl,
    .irqchip = &xive_irqchip,
    .irqchip_exists = EEXIST,
    .vcpu_cap = KVM_CAP_PPC_IRQ_XIVE,
    .connect_vcpu = connect_vcpu,
};
