/*
 * vCPU objects: creation, KVM_RUN and the vCPU descriptor's requests. A request goes to
 * the VM's interrupt controller (its CPU interface: IOE_VCPU_*, XIVE's TIMA) first, then
 * to the host persona (vCPU attributes, ONE_REG, ...).
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

static const struct obj_ops vcpu_obj_ops;

static const struct irqchip_ops *irqchip_of(struct vm *vm)
{
    return vm->irqchip ? vm->irqchip->ops->irqchip : NULL;
}

int vcpu_create(struct vm *vm, unsigned long id)
{
    /* kvm_vm_ioctl_create_vcpu order */
    if (id >= IOE_KVM_MAX_VCPU_IDS)
        return -EINVAL;
    if (vm->nr_vcpus >= vm->sys->info.nr_vcpus)
        return -EINVAL;
    const struct irqchip_ops *ic = irqchip_of(vm);
    int err = ic && ic->vcpu_precreate ? ic->vcpu_precreate(vm->irqchip) : 0;
    if (err)
        return err; /* kvm_arch_vcpu_precreate */
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->id == id)
            return -EEXIST;
    struct vcpu *v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->o.ops = &vcpu_obj_ops;
    v->vm = vm;
    v->idx = vm->nr_vcpus;
    v->id = (uint32_t)id;
    ioe_kick_init(&v->kick, NULL, NULL);
    if (vm->sys->host->vcpu_init)
        vm->sys->host->vcpu_init(v);
    vm->vcpus[vm->nr_vcpus++] = v;
    int fd = ic && ic->vcpu_created ? ic->vcpu_created(vm->irqchip, v) : 0;
    if (!fd)
        fd = obj_install(&v->o);
    if (fd < 0) {
        vm->vcpus[--vm->nr_vcpus] = NULL;
        free(v);
        return fd;
    }
    obj_get(&vm->o);
    return fd;
}

static int vcpu_run(struct vcpu *v)
{
    struct vm *vm = v->vm;
    if (!v->has_run) {
        /* kvm_arch_vcpu_run_pid_change: the architecture's checks (arm64: initialised),
         * the interrupt controller's resources, then the architecture's (timer, PMU) */
        const struct irqchip_ops *ic = irqchip_of(vm);
        int err = vm->sys->host->run_check ? vm->sys->host->run_check(v) : 0;
        if (!err && ic && ic->first_run)
            err = ic->first_run(vm->irqchip, v);
        if (!err && vm->sys->host->first_run)
            err = vm->sys->host->first_run(v);
        if (err)
            return err;
        v->has_run = true;
    }
    v->running = true;
    return 0;
}

static int enable_cap(struct vcpu *v, uint64_t uptr)
{
    /* kvm_vcpu_ioctl_enable_cap */
    struct kvm_enable_cap cap;
    if (copy_from_user(&cap, uptr, sizeof(cap)))
        return -EFAULT;
    if (cap.flags)
        return -EINVAL;
    int err = vcpu_connect_cap(v, &cap);
    return err == -ENOTTY ? -EINVAL : err;
}

static int vcpu_ioctl(struct obj *o, unsigned long req, unsigned long arg)
{
    struct vcpu *v = (struct vcpu *)o;
    struct vm *vm = v->vm;
    const struct persona *host = vm->sys->host;
    switch (req) {
    case KVM_RUN: return vcpu_run(v);
    case IOE_VCPU_EXIT: v->running = false; return 0;
    case KVM_ENABLE_CAP: return enable_cap(v, arg);
    default: break;
    }
    const struct irqchip_ops *ic = irqchip_of(vm);
    int err = ic && ic->vcpu_ioctl ? ic->vcpu_ioctl(vm->irqchip, v, req, arg) : -ENOTTY;
    if (err == -ENOTTY && host->vcpu_ioctl)
        err = host->vcpu_ioctl(v, req, arg);
    if (err != -ENOTTY)
        return err;
    /* ioe's own requests of a CPU interface this vCPU does not have; KVM's: kvm_arch */
    return _IOC_TYPE(req) == IOEIO ? -ENXIO : -host->enotty_vcpu;
}

static void vcpu_closed(struct obj *o)
{
    obj_put(&((struct vcpu *)o)->vm->o); /* the vCPU itself goes with its VM */
}

static struct sys *vcpu_sys(struct obj *o)
{
    return ((struct vcpu *)o)->vm->sys;
}

static const struct obj_ops vcpu_obj_ops = {vcpu_ioctl, vcpu_closed, NULL, vcpu_sys};

struct ioe_kick *ioe_vcpu_kick(int vcpu_fd)
{
    api_lock();
    struct obj *o = obj_lookup(vcpu_fd);
    struct ioe_kick *k = o && o->ops == &vcpu_obj_ops ? &((struct vcpu *)o)->kick : NULL;
    api_unlock();
    if (!k)
        errno = EBADF;
    return k;
}

int ioe_vcpu_kick_only(int vcpu_fd, bool on)
{
    api_lock();
    struct obj *o = obj_lookup(vcpu_fd);
    int err = o && o->ops == &vcpu_obj_ops ? vcpu_set_kick_only((struct vcpu *)o, on) : -EBADF;
    api_unlock();
    if (err) {
        errno = -err;
        return -1;
    }
    return 0;
}
