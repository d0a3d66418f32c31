/*
 * KVM_DEV_TYPE_ARM_VGIC_ITS on the card. Placeholder until the ITS issue lands: the
 * device type is not registered (KVM_CREATE_DEVICE gives -ENODEV, as a KVM without an
 * ITS does), no ITS frame exists and KVM_SIGNAL_MSI has nothing to deliver to.
 */
#include "internal.h"

#include <errno.h>

#include <ioe/kvm.h>

int its_create(struct vm *vm, bool test_only, int *fd_out)
{
    (void)vm;
    (void)test_only;
    (void)fd_out;
    return -ENODEV;
}

int its_device_ioctl(struct its_dev *d, unsigned long req, uint64_t arg)
{
    (void)d;
    (void)req;
    (void)arg;
    return -ENXIO;
}

void its_vm_release(struct vm *vm)
{
    (void)vm;
}

int its_mmio(struct vm *vm, struct ioe_mmio *m)
{
    (void)vm;
    (void)m;
    return -ENXIO;
}

int its_signal_msi(struct vm *vm, const struct kvm_msi *msi)
{
    (void)vm;
    (void)msi;
    return -ENODEV; /* kvm_set_msi: the VM has no ITS */
}
