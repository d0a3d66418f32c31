/*
 * The x86_64 persona's clock requests, as far as the TSC migration algorithm of
 * Documentation/virt/kvm/devices/vcpu.rst ("KVM_VCPU_TSC_CTRL") needs them, with the order
 * of checks of Linux v6.12's arch/x86/kvm/x86.c: the vCPU attribute KVM_VCPU_TSC_OFFSET,
 * KVM_GET_TSC_KHZ, KVM_GET_CLOCK and KVM_SET_CLOCK. libioe runs no guest: the host TSC is
 * CLOCK_BOOTTIME counted at TSC_KHZ, kvmclock is CLOCK_BOOTTIME plus the VM's offset
 * (docs/api.md "x86_64 clocks"). Its VM requests also take KVM_IRQFD and KVM_SET_GSI_ROUTING,
 * answered as x86 KVM without an in-kernel irqchip (irqfd.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>

#include "internal.h"

#define TSC_KHZ 1000000u /* 1 GHz: one tick per nanosecond */
#define CLOCK_FLAGS (KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC)

static uint64_t now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t host_tsc(uint64_t boot_ns)
{
    return boot_ns / 1000000u * TSC_KHZ + boot_ns % 1000000u * TSC_KHZ / 1000000u;
}

/* kvm_vcpu_ioctl_device_attr with kvm_arch_tsc_{has,get,set}_attr */
static int tsc_attr(struct vcpu *v, unsigned long req, uint64_t uptr)
{
    struct kvm_device_attr a;
    if (copy_from_user(&a, uptr, sizeof(a)))
        return -EFAULT;
    if (a.group != KVM_VCPU_TSC_CTRL || a.attr != KVM_VCPU_TSC_OFFSET)
        return -ENXIO;
    if (req == KVM_HAS_DEVICE_ATTR)
        return 0;
    if (req == KVM_GET_DEVICE_ATTR)
        return copy_to_user(a.addr, &v->arch.x86.tsc_offset, sizeof(v->arch.x86.tsc_offset));
    return copy_from_user(&v->arch.x86.tsc_offset, a.addr, sizeof(v->arch.x86.tsc_offset));
}

int x86_vcpu_ioctl(struct vcpu *v, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_SET_DEVICE_ATTR:
    case KVM_GET_DEVICE_ATTR:
    case KVM_HAS_DEVICE_ATTR: return tsc_attr(v, req, arg);
    case KVM_GET_TSC_KHZ: return (int)TSC_KHZ; /* virtual_tsc_khz: the host's, unscaled */
    default: return -ENOTTY;
    }
}

/* kvm_vm_ioctl_get_clock: kvmclock, CLOCK_REALTIME and the host TSC of one instant */
static int get_clock(struct vm *vm, uint64_t uptr)
{
    struct kvm_clock_data d = {0};
    uint64_t boot = now_ns(CLOCK_BOOTTIME);
    d.realtime = now_ns(CLOCK_REALTIME);
    d.host_tsc = host_tsc(boot);
    d.clock = boot + (uint64_t)vm->arch.x86.kvmclock_offset;
    d.flags = CLOCK_FLAGS;
    return copy_to_user(uptr, &d, sizeof(d));
}

/* kvm_vm_ioctl_set_clock */
static int set_clock(struct vm *vm, uint64_t uptr)
{
    struct kvm_clock_data d;
    if (copy_from_user(&d, uptr, sizeof(d)))
        return -EFAULT;
    if (d.flags & ~(uint32_t)CLOCK_FLAGS)
        return -EINVAL;
    if (d.flags & KVM_CLOCK_REALTIME) {
        uint64_t real = now_ns(CLOCK_REALTIME);
        if (real > d.realtime) /* never step kvmclock backwards */
            d.clock += real - d.realtime;
    }
    vm->arch.x86.kvmclock_offset = (int64_t)(d.clock - now_ns(CLOCK_BOOTTIME));
    return 0;
}

int x86_vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_GET_CLOCK: return get_clock(vm, arg);
    case KVM_SET_CLOCK: return set_clock(vm, arg);
    /* generic requests, answered as x86 KVM without an in-kernel irqchip (irqfd.c) */
    case KVM_IRQFD: return vm_irqfd(vm, arg);
    case KVM_SET_GSI_ROUTING: return vm_set_gsi_routing(vm, arg);
    default: return -ENOTTY;
    }
}
