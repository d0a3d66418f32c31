/*
 * KVM_DEV_TYPE_XIVE on the card. Placeholder until the XIVE issue lands: the device
 * type is not registered (KVM_CREATE_DEVICE gives -ENODEV) and no XIVE request exists.
 */
#include "internal.h"

#include <errno.h>

#include <ioe/kvm.h>

int xive_create(struct vm *vm, bool test_only, int *fd_out)
{
    (void)vm;
    (void)test_only;
    (void)fd_out;
    return -ENODEV;
}

int xive_device_ioctl(struct xive_dev *d, unsigned long req, uint64_t arg)
{
    (void)d;
    (void)req;
    (void)arg;
    return -ENXIO;
}

void xive_vm_release(struct vm *vm)
{
    (void)vm;
}

int xive_vcpu_ioctl(struct vcpu *v, unsigned long req, unsigned long arg)
{
    (void)v;
    (void)req;
    (void)arg;
    return -ENOTTY;
}

int xive_vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg)
{
    (void)vm;
    (void)req;
    (void)arg;
    return -ENOTTY;
}

int xive_irq_line(struct vm *vm, uint32_t irq, uint32_t level)
{
    (void)vm;
    (void)irq;
    (void)level;
    return -ENXIO;
}
