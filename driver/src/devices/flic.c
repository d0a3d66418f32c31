/*
 * KVM_DEV_TYPE_FLIC, the s390 floating interrupt controller, on the s390x persona. The
 * attribute groups (the FLIC uses the group as its command), their errors and the order of
 * their checks follow Linux's arch/s390/kvm/interrupt.c (flic_set_attr, flic_get_attr,
 * flic_has_attr); so do the floating interrupts themselves: I/O interrupts in one FIFO per
 * interruption subclass (ISC), virtio and pfault-done lists, the merged service signal and
 * the merged repressible machine check, delivered in s390's priority order to a vCPU whose
 * loaded masks allow them (deliverable_irqs).
 *
 * The state lives in libioe, not on the card: s390 takes I/O interrupts by subchannel
 * (CLEAR_IO_IRQ, TSCH and TPI dequeue a given subchannel's) and merges service signals and
 * machine checks, which the card's queue engines (GIC priorities, XIVE event queues)
 * cannot express without a round trip per lookup (docs/api.md, "KVM_DEV_TYPE_FLIC").
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_ISC 7
#define MAX_ADAPTERS ((MAX_ISC + 1) * 8)
#define MAX_VIRTIO_IRQS 87381      /* KVM_S390_MAX_VIRTIO_IRQS */
#define MAX_PFAULT_IRQS (64 * 255) /* ASYNC_PF_PER_VCPU * KVM_MAX_VCPUS */
#define SCCB_MASK 0xfffffff8u
#define SCCB_EVENT_PENDING 0x3u
#define CR_PENDING_SUBCLASS 28
#define AIS_FACILITY 72
#define PSW_MASK_EXT (1ull << 56)
#define PSW_MASK_IO (1ull << 57)
#define PSW_MASK_MCHECK (1ull << 50)
#define CR0_SERVICE_SIGNAL_SUBMASK 0x200ull

/* a queued floating interrupt: the kvm_s390_irq it was enqueued as */
struct firq {
    struct firq *next;
    struct kvm_s390_irq irq;
};

struct fifo {
    struct firq *head, **tail;
    unsigned count;
};

struct adapter {
    bool used, maskable, masked, swap, suppressible;
    uint8_t isc;
};

struct flic_vcpu {
    struct ioe_s390_masks masks;
};

struct flic_dev {
    struct device dev;
    struct fifo io[MAX_ISC + 1], virtio, pfault;
    unsigned io_count;
    bool service, service_ev, mchk; /* pending, merged */
    struct kvm_s390_ext_info srv;
    struct kvm_s390_mchk_info mchk_info;
    bool pfault_enabled;
    uint8_t simm, nimm;
    struct adapter adapters[MAX_ADAPTERS];
    struct flic_vcpu vcpus[MAX_VCPUS];
};

static struct flic_dev *flic(struct device *d)
{
    return (struct flic_dev *)d;
}

static bool is_io(uint64_t type)
{
    return type <= KVM_S390_INT_IO_MAX;
}

static unsigned io_isc(const struct kvm_s390_io_info *io)
{
    return (io->io_int_word & 0x38000000u) >> 27;
}

/* ------------------------------------------------------------------ the queues */
static void fifo_push(struct fifo *f, struct firq *q)
{
    if (!f->head)
        f->tail = &f->head;
    q->next = NULL;
    *f->tail = q;
    f->tail = &q->next;
    f->count++;
}

/* the first entry of f that match accepts, unlinked; NULL when none */
static struct firq *fifo_take(struct fifo *f, bool (*match)(const struct firq *, uint32_t),
                              uint32_t arg)
{
    for (struct firq **p = &f->head; *p; p = &(*p)->next) {
        if (match && !match(*p, arg))
            continue;
        struct firq *q = *p;
        *p = q->next;
        if (f->tail == &q->next)
            f->tail = p;
        f->count--;
        return q;
    }
    return NULL;
}

static void fifo_clear(struct fifo *f)
{
    struct firq *q;
    while ((q = fifo_take(f, NULL, 0)))
        free(q);
}

static void clear_all(struct flic_dev *fl)
{
    for (unsigned i = 0; i <= MAX_ISC; i++)
        fifo_clear(&fl->io[i]);
    fifo_clear(&fl->virtio);
    fifo_clear(&fl->pfault);
    fl->io_count = 0;
    fl->service = fl->service_ev = fl->mchk = false;
    memset(&fl->srv, 0, sizeof(fl->srv));
    memset(&fl->mchk_info, 0, sizeof(fl->mchk_info));
}

/* __inject_vm: the floating interrupt q (taken over on success) */
static int inject(struct flic_dev *fl, struct firq *q)
{
    const struct kvm_s390_irq *irq = &q->irq;
    switch (irq->type) {
    case KVM_S390_MCHK: /* __inject_float_mchk: merged */
        fl->mchk_info.cr14 |= irq->u.mchk.cr14 & (1ull << CR_PENDING_SUBCLASS);
        fl->mchk_info.mcic |= irq->u.mchk.mcic;
        fl->mchk = true;
        free(q);
        return 0;
    case KVM_S390_INT_VIRTIO:
        if (fl->virtio.count >= MAX_VIRTIO_IRQS)
            return -EBUSY;
        fifo_push(&fl->virtio, q);
        return 0;
    case KVM_S390_INT_SERVICE: /* __inject_service: one SCCB at a time, events merged */
        fl->srv.ext_params |= irq->u.ext.ext_params & SCCB_EVENT_PENDING;
        if (fl->srv.ext_params & SCCB_EVENT_PENDING)
            fl->service_ev = true;
        if (!(fl->srv.ext_params & SCCB_MASK)) {
            fl->srv.ext_params |= irq->u.ext.ext_params & SCCB_MASK;
            fl->service = true;
        }
        free(q);
        return 0;
    case KVM_S390_INT_PFAULT_DONE:
        if (fl->pfault.count >= MAX_PFAULT_IRQS)
            return -EBUSY;
        fifo_push(&fl->pfault, q);
        return 0;
    default:
        if (!is_io(irq->type))
            return -EINVAL;
        if (fl->io_count >= KVM_S390_MAX_FLOAT_IRQS)
            return -EBUSY;
        fl->io_count++;
        fifo_push(&fl->io[io_isc(&irq->u.io)], q);
        return 0;
    }
}

/* ------------------------------------------------------------------ delivery */
/* irq_types of arch/s390/include/asm/kvm_host.h that the FLIC holds, highest priority
 * first (KVM delivers find_last_bit of the deliverable mask) */
enum fclass { F_MCHK_REP, F_SERVICE_EV, F_SERVICE, F_PFAULT_DONE, F_VIRTIO, F_IO_ISC0 };

static bool pending(const struct flic_dev *fl, int c)
{
    switch (c) {
    case F_MCHK_REP: return fl->mchk;
    case F_SERVICE_EV: return fl->service_ev;
    case F_SERVICE: return fl->service;
    case F_PFAULT_DONE: return fl->pfault.count;
    case F_VIRTIO: return fl->virtio.count;
    default: return fl->io[c - F_IO_ISC0].count;
    }
}

/* deliverable_irqs: may a vCPU with masks m take class c? */
static bool allowed(const struct flic_dev *fl, const struct ioe_s390_masks *m, int c)
{
    switch (c) {
    case F_MCHK_REP: return (m->psw_mask & PSW_MASK_MCHECK) && (m->cr14 & fl->mchk_info.cr14);
    case F_SERVICE_EV:
    case F_SERVICE: return (m->psw_mask & PSW_MASK_EXT) && (m->cr0 & CR0_SERVICE_SIGNAL_SUBMASK);
    case F_PFAULT_DONE:
    case F_VIRTIO: return m->psw_mask & PSW_MASK_EXT;
    default: /* an ISC is enabled by its bit in CR6 (bits 32-39, MSB-0) */
        return (m->psw_mask & PSW_MASK_IO) && (m->cr6 & (0x80ull >> (c - F_IO_ISC0)) << 24);
    }
}

static int next_class(const struct flic_dev *fl, const struct ioe_s390_masks *m)
{
    for (int c = F_MCHK_REP; c <= F_IO_ISC0 + MAX_ISC; c++)
        if (pending(fl, c) && allowed(fl, m, c))
            return c;
    return -1;
}

/* take class c's interrupt as the vCPU's delivery would (the __deliver_* functions) */
static void take(struct flic_dev *fl, int c, struct kvm_s390_irq *out)
{
    memset(out, 0, sizeof(*out));
    struct firq *q = NULL;
    switch (c) {
    case F_MCHK_REP:
        out->type = KVM_S390_MCHK;
        out->u.mchk = fl->mchk_info;
        memset(&fl->mchk_info, 0, sizeof(fl->mchk_info));
        fl->mchk = false;
        return;
    case F_SERVICE: /* the SCCB and the events with it */
        out->type = KVM_S390_INT_SERVICE;
        out->u.ext = fl->srv;
        memset(&fl->srv, 0, sizeof(fl->srv));
        fl->service = fl->service_ev = false;
        return;
    case F_SERVICE_EV: /* the event bits alone */
        out->type = KVM_S390_INT_SERVICE;
        out->u.ext.ext_params = fl->srv.ext_params & SCCB_EVENT_PENDING;
        fl->srv.ext_params &= ~SCCB_EVENT_PENDING;
        fl->service_ev = false;
        return;
    case F_PFAULT_DONE: q = fifo_take(&fl->pfault, NULL, 0); break;
    case F_VIRTIO: q = fifo_take(&fl->virtio, NULL, 0); break;
    default:
        q = fifo_take(&fl->io[c - F_IO_ISC0], NULL, 0);
        fl->io_count--;
        break;
    }
    *out = q->irq;
    free(q);
}

static struct flic_vcpu *fvcpu(struct flic_dev *fl, struct vcpu *v)
{
    return &fl->vcpus[v->idx];
}

static int flic_vcpu_pending(struct device *d, struct vcpu *v, bool *yes)
{
    struct flic_dev *fl = flic(d);
    *yes = next_class(fl, &fvcpu(fl, v)->masks) >= 0;
    return 0;
}

static void refresh_vcpus(struct flic_dev *fl)
{
    struct vm *vm = fl->dev.vm;
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        vcpu_refresh(vm->vcpus[i]);
}

static int flic_vcpu_ioctl(struct device *d, struct vcpu *v, unsigned long req, unsigned long arg)
{
    struct flic_dev *fl = flic(d);
    switch (req) {
    case IOE_S390_SET_MASKS: {
        struct ioe_s390_masks m;
        if (copy_from_user(&m, arg, sizeof(m)))
            return -EFAULT;
        fvcpu(fl, v)->masks = m;
        return vcpu_refresh(v);
    }
    case IOE_S390_DEQUEUE: {
        int c = next_class(fl, &fvcpu(fl, v)->masks);
        if (c < 0)
            return 0;
        struct kvm_s390_irq irq;
        take(fl, c, &irq);
        int err = copy_to_user(arg, &irq, sizeof(irq));
        refresh_vcpus(fl);
        return err ? err : 1;
    }
    default: return -ENOTTY;
    }
}

/* ------------------------------------------------------------------ set_attr groups */
/* copy_irq_from_user: the type, then the part of the union that type uses */
static int irq_from_user(struct kvm_s390_irq *irq, uint64_t uptr)
{
    memset(irq, 0, sizeof(*irq));
    if (copy_from_user(&irq->type, uptr, sizeof(irq->type)))
        return -EFAULT;
    size_t off = offsetof(struct kvm_s390_irq, u), len;
    switch (irq->type) {
    case KVM_S390_INT_PFAULT_INIT:
    case KVM_S390_INT_PFAULT_DONE:
    case KVM_S390_INT_VIRTIO:
    case KVM_S390_INT_SERVICE: len = sizeof(irq->u.ext); break;
    case KVM_S390_MCHK: len = sizeof(irq->u.mchk); break;
    default:
        if (!is_io(irq->type))
            return -EINVAL;
        len = sizeof(irq->u.io);
        break;
    }
    return copy_from_user(&irq->u, uptr + off, len);
}

static int enqueue(struct flic_dev *fl, const struct kvm_device_attr *a)
{
    uint64_t len = (uint32_t)a->attr; /* KVM reads it as an int */
    if (len % sizeof(struct kvm_s390_irq) || len > KVM_S390_FLIC_MAX_BUFFER)
        return -EINVAL;
    for (uint64_t addr = a->addr; len >= sizeof(struct kvm_s390_irq);
         len -= sizeof(struct kvm_s390_irq), addr += sizeof(struct kvm_s390_irq)) {
        struct firq *q = calloc(1, sizeof(*q));
        if (!q)
            return -ENOMEM;
        int err = irq_from_user(&q->irq, addr);
        /* PFAULT_INIT copies but is not a floating interrupt: __inject_vm refuses it */
        if (!err)
            err = inject(fl, q);
        if (err) {
            free(q);
            return err;
        }
    }
    return 0;
}

static int adapter_register(struct flic_dev *fl, const struct kvm_device_attr *a)
{
    struct kvm_s390_io_adapter ai;
    if (copy_from_user(&ai, a->addr, sizeof(ai)))
        return -EFAULT;
    if (ai.id >= MAX_ADAPTERS || fl->adapters[ai.id].used)
        return -EINVAL;
    fl->adapters[ai.id] =
        (struct adapter){.used = true,
                         .isc = ai.isc,
                         .maskable = ai.maskable,
                         .swap = ai.swap,
                         .suppressible = ai.flags & KVM_S390_ADAPTER_SUPPRESSIBLE};
    return 0;
}

static struct adapter *adapter_get(struct flic_dev *fl, uint64_t id)
{
    return id < MAX_ADAPTERS && fl->adapters[id].used ? &fl->adapters[id] : NULL;
}

static int adapter_modify(struct flic_dev *fl, const struct kvm_device_attr *a)
{
    struct kvm_s390_io_adapter_req req;
    if (copy_from_user(&req, a->addr, sizeof(req)))
        return -EFAULT;
    struct adapter *ad = adapter_get(fl, req.id);
    if (!ad)
        return -EINVAL;
    switch (req.type) {
    case KVM_S390_IO_ADAPTER_MASK:
        if (!ad->maskable)
            return -EINVAL;
        ad->masked = req.mask;
        return 0;
    case KVM_S390_IO_ADAPTER_MAP:
    case KVM_S390_IO_ADAPTER_UNMAP: return 0; /* no-ops in current Linux */
    default: return -EINVAL;
    }
}

static bool same_subchannel(const struct firq *q, uint32_t schid)
{
    return q->irq.u.io.subchannel_id == schid >> 16 &&
           q->irq.u.io.subchannel_nr == (schid & 0xffff);
}

static int clear_io_irq(struct flic_dev *fl, const struct kvm_device_attr *a)
{
    uint32_t schid;
    if (a->flags || a->attr != sizeof(schid))
        return -EINVAL;
    if (copy_from_user(&schid, a->addr, sizeof(schid)))
        return -EFAULT;
    if (!schid)
        return -EINVAL;
    /* at most one pending I/O interrupt of that subchannel, searching ISC 0 first */
    for (unsigned isc = 0; isc <= MAX_ISC; isc++) {
        struct firq *q = fifo_take(&fl->io[isc], same_subchannel, schid);
        if (q) {
            fl->io_count--;
            free(q);
            break;
        }
    }
    return 0;
}

static bool has_ais(struct flic_dev *fl)
{
    /* test_kvm_facility(kvm, 72): KVM_CAP_S390_AIS enables it, and libioe does not offer
     * that capability, so the adapter-interruption suppression commands answer as KVM
     * does on a VM without it */
    (void)fl;
    return false;
}

static int ais_mode(struct flic_dev *fl, const struct kvm_device_attr *a)
{
    if (!has_ais(fl))
        return -EOPNOTSUPP;
    struct kvm_s390_ais_req req;
    if (copy_from_user(&req, a->addr, sizeof(req)))
        return -EFAULT;
    if (req.isc > MAX_ISC)
        return -EINVAL;
    uint8_t bit = 0x80 >> req.isc;
    switch (req.mode) {
    case KVM_S390_AIS_MODE_ALL: fl->simm &= ~bit, fl->nimm &= ~bit; return 0;
    case KVM_S390_AIS_MODE_SINGLE: fl->simm |= bit, fl->nimm &= ~bit; return 0;
    default: return -EINVAL;
    }
}

/* kvm_s390_inject_airq */
static int adapter_inject(struct flic_dev *fl, const struct adapter *ad)
{
    uint8_t bit = 0x80 >> ad->isc;
    if (has_ais(fl) && ad->suppressible && (fl->nimm & bit))
        return 0; /* suppressed */
    struct firq *q = calloc(1, sizeof(*q));
    if (!q)
        return -ENOMEM;
    q->irq.type = KVM_S390_INT_IO(1, 0, 0, 0);
    q->irq.u.io.io_int_word = (uint32_t)ad->isc << 27 | 0x80000000u;
    int err = inject(fl, q);
    if (err) {
        free(q);
        return err;
    }
    if (has_ais(fl) && ad->suppressible && (fl->simm & bit))
        fl->nimm |= bit;
    return 0;
}

static int airq_inject(struct flic_dev *fl, const struct kvm_device_attr *a)
{
    struct adapter *ad = adapter_get(fl, (uint32_t)a->attr);
    return ad ? adapter_inject(fl, ad) : -EINVAL;
}

/* get_ind_bit and set_bit on a big-endian long: with swap, bit 0 is the first byte's most
 * significant bit; without, the least significant bit of the first 64-bit word's last
 * byte. Sets the bit in guest RAM and says whether it was set already; -1 when the byte is
 * not guest RAM the VMM can read (get_map_page fails). The probe keeps an unmapped slot
 * from faulting; the OR is atomic, as set_bit, against a guest clearing other bits. */
static int set_ind_bit(struct vm *vm, uint64_t addr, uint64_t bit_nr, bool swap)
{
    uint64_t bit = bit_nr + (addr & 4095) * 8;
    if (swap)
        bit ^= 63;
    uint64_t gpa = (addr & ~4095ull) + (bit / 64) * 8 + 7 - (bit % 64) / 8;
    uint8_t *p = vm_gpa_hva(vm, gpa, 1), mask = (uint8_t)(1u << (bit & 7)), old;
    if (!p || copy_from_user(&old, (uint64_t)(uintptr_t)p, 1))
        return -1;
    return (__atomic_fetch_or(p, mask, __ATOMIC_SEQ_CST) & mask) != 0;
}

int flic_adapter_irq(struct vm *vm, const struct kvm_irq_routing_s390_adapter *r)
{
    struct device *d = vm->irqchip;
    struct adapter *ad = d && d->ops == &flic_ops ? adapter_get(flic(d), r->adapter_id) : NULL;
    if (!ad) /* get_io_adapter */
        return -1;
    int ind = set_ind_bit(vm, r->ind_addr, r->ind_offset, ad->swap);
    int sum = ind < 0 ? -1 : set_ind_bit(vm, r->summary_addr, r->summary_offset, ad->swap);
    if (sum)
        return sum < 0 ? -1 : 0; /* no memory, or the summary was set already */
    if (ad->masked)
        return 0;
    int err = adapter_inject(flic(d), ad);
    refresh_vcpus(flic(d));
    return err ? err : 1;
}

static int ais_all_set(struct flic_dev *fl, const struct kvm_device_attr *a)
{
    if (!has_ais(fl))
        return -EOPNOTSUPP;
    struct kvm_s390_ais_all all;
    if (copy_from_user(&all, a->addr, sizeof(all)))
        return -EFAULT;
    fl->simm = all.simm;
    fl->nimm = all.nimm;
    return 0;
}

static int flic_set_attr(struct device *d, const struct kvm_device_attr *a)
{
    struct flic_dev *fl = flic(d);
    int err;
    switch (a->group) {
    case KVM_DEV_FLIC_ENQUEUE: err = enqueue(fl, a); break;
    case KVM_DEV_FLIC_CLEAR_IRQS: clear_all(fl), err = 0; break;
    case KVM_DEV_FLIC_APF_ENABLE: fl->pfault_enabled = true, err = 0; break;
    case KVM_DEV_FLIC_APF_DISABLE_WAIT: fl->pfault_enabled = false, err = 0; break;
    case KVM_DEV_FLIC_ADAPTER_REGISTER: err = adapter_register(fl, a); break;
    case KVM_DEV_FLIC_ADAPTER_MODIFY: err = adapter_modify(fl, a); break;
    case KVM_DEV_FLIC_CLEAR_IO_IRQ: err = clear_io_irq(fl, a); break;
    case KVM_DEV_FLIC_AISM: err = ais_mode(fl, a); break;
    case KVM_DEV_FLIC_AIRQ_INJECT: err = airq_inject(fl, a); break;
    case KVM_DEV_FLIC_AISM_ALL: err = ais_all_set(fl, a); break;
    default: return -EINVAL; /* not ENXIO: flic_set_attr's default */
    }
    refresh_vcpus(fl);
    return err;
}

/* ------------------------------------------------------------------ get_attr */
static void put_irq(struct kvm_s390_irq *buf, int n, uint64_t type, const void *u, size_t len)
{
    memset(&buf[n], 0, sizeof(buf[n]));
    buf[n].type = type;
    memcpy(&buf[n].u, u, len);
}

/* get_all_floating_irqs: the I/O lists (ISC 0 first), virtio, pfault, then the service
 * signal and the machine check; the count, -ENOMEM when they do not all fit */
static int get_all(struct flic_dev *fl, const struct kvm_device_attr *a)
{
    uint64_t len = a->attr;
    if (len > KVM_S390_FLIC_MAX_BUFFER || !len)
        return -EINVAL;
    int max = (int)(len / sizeof(struct kvm_s390_irq)), n = 0;
    struct kvm_s390_irq *buf = calloc((size_t)max + 1, sizeof(*buf));
    if (!buf)
        return -ENOBUFS;
    const struct fifo *lists[MAX_ISC + 3];
    for (unsigned i = 0; i <= MAX_ISC; i++)
        lists[i] = &fl->io[i];
    lists[MAX_ISC + 1] = &fl->pfault, lists[MAX_ISC + 2] = &fl->virtio;
    int err = 0;
    for (unsigned l = 0; l < MAX_ISC + 3 && !err; l++)
        for (const struct firq *q = lists[l]->head; q && !err; q = q->next)
            if (n == max)
                err = -ENOMEM;
            else
                buf[n++] = q->irq;
    if (!err && (fl->service || fl->service_ev)) {
        if (n == max)
            err = -ENOMEM;
        else
            put_irq(buf, n++, KVM_S390_INT_SERVICE, &fl->srv, sizeof(fl->srv));
    }
    if (!err && fl->mchk) {
        if (n == max)
            err = -ENOMEM;
        else
            put_irq(buf, n++, KVM_S390_MCHK, &fl->mchk_info, sizeof(fl->mchk_info));
    }
    if (!err && n)
        err = copy_to_user(a->addr, buf, sizeof(*buf) * (size_t)n);
    free(buf);
    return err ? err : n;
}

static int flic_get_attr(struct device *d, const struct kvm_device_attr *a)
{
    struct flic_dev *fl = flic(d);
    switch (a->group) {
    case KVM_DEV_FLIC_GET_ALL_IRQS: return get_all(fl, a);
    case KVM_DEV_FLIC_AISM_ALL: {
        if (a->attr < sizeof(struct kvm_s390_ais_all))
            return -EINVAL;
        if (!has_ais(fl))
            return -EOPNOTSUPP;
        struct kvm_s390_ais_all all = {fl->simm, fl->nimm};
        return copy_to_user(a->addr, &all, sizeof(all));
    }
    default: return -EINVAL;
    }
}

static int flic_has_attr(struct device *d, const struct kvm_device_attr *a)
{
    (void)d;
    return a->group >= KVM_DEV_FLIC_GET_ALL_IRQS && a->group <= KVM_DEV_FLIC_AISM_ALL ? 0 : -ENXIO;
}

/* ------------------------------------------------------------------ the device */
static int flic_create(struct device *d)
{
    /* flic_create: a second FLIC of the VM is EINVAL */
    return vm_irqchip_check(d->vm, d->ops);
}

static void flic_destroy(struct device *d)
{
    clear_all(flic(d));
}

static const struct irqchip_ops flic_irqchip = {
    .vcpu_pending = flic_vcpu_pending,
    .vcpu_ioctl = flic_vcpu_ioctl,
};

const struct device_ops flic_ops = {
    .name = "kvm-flic",
    .type = KVM_DEV_TYPE_FLIC,
    .hosts = HOST_BIT(HOST_S390X),
    .size = sizeof(struct flic_dev),
    .create = flic_create,
    .destroy = flic_destroy,
    .set_attr = flic_set_attr,
    .get_attr = flic_get_attr,
    .has_attr = flic_has_attr,
    .irqchip = &flic_irqchip,
    .irqchip_exists = EINVAL,
};
