/*
 * Device types and device descriptors, in the manner of Linux's kvm_device_ops
 * (virt/kvm/kvm_main.c): one table of types, creation with KVM_CREATE_DEVICE_TEST, the
 * kvm_device_attr copy done once for every type, release when the descriptor is closed,
 * destruction with the VM, a per-VM list of devices, and KVM's rule of one interrupt
 * controller per VM.
 *
 * Adding a device family: a file in devices/ that defines its struct device_ops (the
 * build takes every file there), a row in device_types below and its extern in
 * internal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "internal.h"

static const struct device_ops *const device_types[] = {
    &vgic_v3_ops,  /* KVM_DEV_TYPE_ARM_VGIC_V3 (arm64) */
    &its_ops,      /* KVM_DEV_TYPE_ARM_VGIC_ITS (arm64) */
    &xive_ops,     /* KVM_DEV_TYPE_XIVE (ppc64) */
    &xics_ops,     /* KVM_DEV_TYPE_XICS (ppc64, XICS-on-XIVE) */
    &flic_ops,     /* KVM_DEV_TYPE_FLIC (s390x) */
    &kvm_vfio_ops, /* KVM_DEV_TYPE_VFIO (every host) */
    &mpic20_ops,   /* KVM_DEV_TYPE_FSL_MPIC_20 (ppc-booke) */
    &mpic42_ops,   /* KVM_DEV_TYPE_FSL_MPIC_42 (ppc-booke) */
    &vgic_v2_ops,  /* KVM_DEV_TYPE_ARM_VGIC_V2 (arm64) */
};

static const struct obj_ops device_obj_ops;

/* kvm_device_ops_table: the types this host's KVM registered (persona) on this card */
static const struct device_ops *find_type(const struct sys *s, uint32_t type)
{
    for (size_t i = 0; i < sizeof(device_types) / sizeof(device_types[0]); i++) {
        const struct device_ops *ops = device_types[i];
        if (ops->type == type && (ops->hosts & HOST_BIT(s->host->arch)) &&
            (!ops->available || ops->available(s)))
            return ops;
    }
    return NULL;
}

int vm_irqchip_check(struct vm *vm, const struct device_ops *ops)
{
    return vm->irqchip ? -ops->irqchip_exists : 0;
}

static void unlink_device(struct device *d)
{
    struct vm *vm = d->vm;
    for (struct device **p = &vm->devices; *p; p = &(*p)->next)
        if (*p == d) {
            *p = d->next;
            break;
        }
    if (vm->irqchip == d)
        vm->irqchip = NULL;
}

/* kvm_ioctl_create_device */
int device_create(struct vm *vm, uint64_t uptr)
{
    struct kvm_create_device cd;
    if (copy_from_user(&cd, uptr, sizeof(cd)))
        return -EFAULT;
    const struct device_ops *ops = find_type(vm->sys, cd.type);
    if (!ops)
        return -ENODEV;
    if (cd.flags & KVM_CREATE_DEVICE_TEST)
        return 0;
    struct device *d = calloc(1, ops->size);
    if (!d)
        return -ENOMEM;
    d->o.ops = &device_obj_ops;
    d->ops = ops;
    d->vm = vm;
    int err = ops->create(d);
    if (err) {
        free(d);
        return err;
    }
    struct device **tail = &vm->devices;
    while (*tail)
        tail = &(*tail)->next;
    *tail = d;
    if (ops->irqchip)
        vm->irqchip = d;
    if (ops->init)
        ops->init(d);
    int fd = obj_install(&d->o);
    if (fd < 0) {
        unlink_device(d);
        if (ops->release)
            ops->release(d);
        else if (ops->destroy)
            ops->destroy(d);
        free(d);
        return fd;
    }
    obj_get(&vm->o);
    cd.fd = (uint32_t)fd;
    /* the device exists: KVM keeps it too when only the copy-out fails */
    return copy_to_user(uptr, &cd, sizeof(cd));
}

void vm_destroy_devices(struct vm *vm)
{
    /* kvm_destroy_devices: every device still on the list (those without ->release) */
    while (vm->devices) {
        struct device *d = vm->devices;
        unlink_device(d);
        if (d->ops->destroy)
            d->ops->destroy(d);
        free(d);
    }
}

struct device *vm_next_device(struct vm *vm, const struct device_ops *ops, struct device *d)
{
    for (d = d ? d->next : vm->devices; d; d = d->next)
        if (d->ops == ops)
            return d;
    return NULL;
}

unsigned vm_count_devices(struct vm *vm, const struct device_ops *ops)
{
    unsigned n = 0;
    for (struct device *d = NULL; (d = vm_next_device(vm, ops, d));)
        n++;
    return n;
}

/* The device behind descriptor fd, or NULL (not a libioe device descriptor). */
static struct device *device_of_fd(int fd)
{
    struct obj *o = obj_lookup(fd);
    return o && o->ops == &device_obj_ops ? (struct device *)o : NULL;
}

int vm_mmio(struct vm *vm, struct ioe_mmio *m)
{
    /* the KVM_MMIO_BUS: the interrupt controller's frames first, then the other devices'
     * in creation order */
    struct device *ic = vm->irqchip;
    int err = ic && ic->ops->mmio ? ic->ops->mmio(ic, m) : -ENXIO;
    for (struct device *d = vm->devices; d && err == -ENXIO; d = d->next)
        if (d != ic && d->ops->mmio)
            err = d->ops->mmio(d, m);
    return err;
}

int vcpu_connect_cap(struct vcpu *v, const struct kvm_enable_cap *cap)
{
    /* kvm_vcpu_ioctl_enable_cap (powerpc) for a device-connecting capability */
    const struct device_ops *ops = NULL;
    for (size_t i = 0; i < sizeof(device_types) / sizeof(device_types[0]) && !ops; i++)
        if (device_types[i]->vcpu_cap == cap->cap &&
            (device_types[i]->hosts & HOST_BIT(v->vm->sys->host->arch)))
            ops = device_types[i];
    if (!ops || !cap->cap)
        return -ENOTTY;
    int fd = (int)(uint32_t)cap->args[0];
    if (fd < 0 || fcntl(fd, F_GETFD) < 0)
        return -EBADF;
    if (ops->available && !ops->available(v->vm->sys))
        return -ENXIO;
    struct device *d = device_of_fd(fd);
    if (!d || d->ops->vcpu_cap != cap->cap) /* not a device, or one this cap does not connect */
        return -EPERM;
    return ops->connect_vcpu(d, v, cap);
}

/* ------------------------------------------------------------------ device descriptors */
typedef int (*attr_fn)(struct device *, const struct kvm_device_attr *);

/* a family's group table: the group's accessor for req, or NULL */
static attr_fn group_accessor(const struct device_ops *ops, unsigned long req, uint32_t group)
{
    for (size_t i = 0; i < ops->nr_groups; i++)
        if (ops->groups[i].group == group)
            return req == KVM_SET_DEVICE_ATTR   ? ops->groups[i].set
                   : req == KVM_GET_DEVICE_ATTR ? ops->groups[i].get
                                                : ops->groups[i].has;
    return NULL;
}

/* kvm_device_ioctl, kvm_device_ioctl_attr */
static int device_ioctl(struct obj *o, unsigned long req, unsigned long arg)
{
    struct device *d = (struct device *)o;
    attr_fn fn;
    switch (req) {
    case KVM_SET_DEVICE_ATTR: fn = d->ops->set_attr; break;
    case KVM_GET_DEVICE_ATTR: fn = d->ops->get_attr; break;
    case KVM_HAS_DEVICE_ATTR: fn = d->ops->has_attr; break;
    default: return d->ops->ioctl ? d->ops->ioctl(d, req, arg) : -ENOTTY;
    }
    struct kvm_device_attr a;
    if (!fn && !d->ops->groups)
        return -EPERM;
    if (copy_from_user(&a, arg, sizeof(a)))
        return -EFAULT;
    if (!fn && !(fn = group_accessor(d->ops, req, a.group)))
        return -ENXIO;
    int err = fn(d, &a);
    if (req != KVM_HAS_DEVICE_ATTR)
        sys_sync_notifications(d->vm->sys);
    return err;
}

/* kvm_device_release */
static void device_closed(struct obj *o)
{
    struct device *d = (struct device *)o;
    struct vm *vm = d->vm;
    if (d->ops->release) {
        unlink_device(d);
        d->ops->release(d);
        free(d);
        sys_sync_notifications(vm->sys);
    }
    obj_put(&vm->o);
}

static struct sys *device_sys(struct obj *o)
{
    return ((struct device *)o)->vm->sys;
}

static const struct obj_ops device_obj_ops = {device_ioctl, device_closed, NULL, device_sys};
