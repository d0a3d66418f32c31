/*
 * VM objects: the VM descriptor's requests, guest memory slots, and the dispatch of
 * interrupt requests to the VM's interrupt controller (the device that registered its
 * irqchip hooks) or to the host persona. Errors and their order are KVM's (the comments
 * name the kernel function whose order is followed).
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

#define PAGE_SZ 4096u

/* ------------------------------------------------------------------ helpers */
struct vm *sys_vm_of_ctx(struct sys *s, unsigned ctx)
{
    return ctx < 256 ? s->vms[ctx] : NULL;
}

bool vm_any_vcpu_running(const struct vm *vm)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->running)
            return true;
    return false;
}

bool vm_any_vcpu_ran(const struct vm *vm)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->has_run)
            return true;
    return false;
}

/* the slot holding all of [gpa, gpa+size), or NULL */
static const struct memslot *slot_of(const struct vm *vm, uint64_t gpa, uint64_t size)
{
    for (unsigned i = 0; i < IOE_KVM_USER_MEM_SLOTS; i++) {
        const struct memslot *m = &vm->slots[i];
        if (m->used && gpa >= m->gpa && gpa - m->gpa <= m->size && size <= m->size - (gpa - m->gpa))
            return m;
    }
    return NULL;
}

bool vm_gpa_in_ram(const struct vm *vm, uint64_t gpa, uint64_t size)
{
    return slot_of(vm, gpa, size) != NULL;
}

void *vm_gpa_hva(const struct vm *vm, uint64_t gpa, uint64_t size)
{
    const struct memslot *m = slot_of(vm, gpa, size);
    return m ? (void *)(uintptr_t)(m->hva + (gpa - m->gpa)) : NULL;
}

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr_attr)
{
    uint32_t aff = (uint32_t)(mpidr_attr >> KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT);
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (vm->vcpus[i]->aff == aff)
            return vm->vcpus[i];
    return NULL;
}

/* kvm_vm_ioctl_check_extension_generic, then the persona's kvm_vm_ioctl_check_extension */
long vm_check_extension(struct sys *s, struct vm *vm, long ext)
{
    switch (ext) {
    case KVM_CAP_USER_MEMORY:
    case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
    case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
    /* KVM_CHECK_EXTENSION and KVM_ENABLE_CAP on the VM descriptor exist on every persona */
    case KVM_CAP_CHECK_EXTENSION_VM:
    case KVM_CAP_ENABLE_CAP_VM: return 1;
    case KVM_CAP_NR_MEMSLOTS: return IOE_KVM_USER_MEM_SLOTS;
    default: return s->host->check_extension(s, vm, ext);
    }
}

/* ------------------------------------------------------------------ lifetime */
static const struct obj_ops vm_obj_ops;

int vm_init(struct vm *vm)
{
    vm->o.ops = &vm_obj_ops;
    vm->o.refs = 1;
    int err = vm->sys->dma.ready ? 0 : dma_win_init(vm->sys);
    if (err)
        return err;
    err = card_vm_reset(vm->sys, vm->ctx);
    return err < 0 ? err : err ? -EIO : 0;
}

static void vm_free(struct obj *o)
{
    struct vm *vm = (struct vm *)o;
    struct sys *s = vm->sys;
    vm_irq_destroy(vm); /* no injection from here on */
    card_vm_reset(s, vm->ctx);
    for (unsigned i = 0; i < IOE_KVM_USER_MEM_SLOTS; i++)
        if (vm->slots[i].used)
            dma_win_unmap(vm, i, vm->slots[i].gpa, vm->slots[i].size);
    if (s->host->vm_free)
        s->host->vm_free(vm);
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        free(vm->vcpus[i]);
    vm->nr_vcpus = 0;
    vm_destroy_devices(vm);
    s->vms[vm->ctx] = NULL;
    free(vm);
    obj_put(&s->o);
}

static void vm_closed(struct obj *o)
{
    obj_put(o);
}

/* ------------------------------------------------------------------ memory */
/* kvm_arch_prepare_memory_region: the persona's */
static int prepare_memory_region(struct vm *vm, const struct kvm_userspace_memory_region *m,
                                 bool flags_only)
{
    const struct persona *p = vm->sys->host;
    return p->prepare_memory_region ? p->prepare_memory_region(vm, m, flags_only) : 0;
}

static int set_memory_region(struct vm *vm, uint64_t uptr)
{
    struct kvm_userspace_memory_region m;
    if (copy_from_user(&m, uptr, sizeof(m)))
        return -EFAULT;
    /* __kvm_set_memory_region order */
    if (m.flags & ~(uint32_t)(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
        return -EINVAL;
    unsigned as_id = m.slot >> 16, id = m.slot & 0xffff;
    if (m.memory_size & (PAGE_SZ - 1))
        return -EINVAL;
    if (m.guest_phys_addr & (PAGE_SZ - 1))
        return -EINVAL;
    if (m.userspace_addr & (PAGE_SZ - 1))
        return -EINVAL;
    if (as_id >= 1 || id >= IOE_KVM_USER_MEM_SLOTS)
        return -EINVAL;
    if (m.guest_phys_addr + m.memory_size < m.guest_phys_addr)
        return -EINVAL;
    struct memslot *old = &vm->slots[id];
    if (!m.memory_size) {
        if (!old->used)
            return -EINVAL;
        dma_win_unmap(vm, id, old->gpa, old->size);
        old->used = false;
        return 0;
    }
    bool move = false;
    if (old->used) {
        if (m.userspace_addr != old->hva || m.memory_size != old->size ||
            ((m.flags ^ old->flags) & KVM_MEM_READONLY))
            return -EINVAL;
        if (m.guest_phys_addr == old->gpa) {
            int err = prepare_memory_region(vm, &m, true);
            if (!err)
                old->flags = m.flags;
            return err;
        }
        move = true;
    }
    for (unsigned i = 0; i < IOE_KVM_USER_MEM_SLOTS; i++) {
        const struct memslot *o = &vm->slots[i];
        if (i != id && o->used && m.guest_phys_addr < o->gpa + o->size &&
            o->gpa < m.guest_phys_addr + m.memory_size)
            return -EEXIST;
    }
    int err = prepare_memory_region(vm, &m, false);
    if (err)
        return err;
    if (move)
        dma_win_unmap(vm, id, old->gpa, old->size);
    err = dma_win_map(vm, id, m.guest_phys_addr, m.memory_size, m.userspace_addr);
    if (err) {
        old->used = false;
        return err;
    }
    *old = (struct memslot){true, m.flags, m.guest_phys_addr, m.memory_size, m.userspace_addr};
    return 0;
}

/* ------------------------------------------------------------------ interrupts */
/* KVM_IRQ_LINE, and KVM_IRQ_LINE_STATUS (with_status), which copies the structure back */
static int irq_line(struct vm *vm, uint64_t uptr, bool with_status)
{
    struct kvm_irq_level l;
    if (copy_from_user(&l, uptr, sizeof(l)))
        return -EFAULT;
    const struct irqchip_ops *ic = vm->irqchip ? vm->irqchip->ops->irqchip : NULL;
    int err = ic && ic->irq_line ? ic->irq_line(vm->irqchip, l.irq, l.level)
                                 : vm->sys->host->irq_line(vm, l.irq, l.level);
    sys_sync_notifications(vm->sys);
    if (err || !with_status)
        return err;
    if (ic && ic->line_status)
        l.status = ic->line_status(vm->irqchip, l.irq);
    return copy_to_user(uptr, &l, sizeof(l));
}

static int signal_msi(struct vm *vm, uint64_t uptr)
{
    struct kvm_msi msi;
    if (copy_from_user(&msi, uptr, sizeof(msi)))
        return -EFAULT;
    /* kvm_send_userspace_msi */
    const struct irqchip_ops *ic = vm->irqchip ? vm->irqchip->ops->irqchip : NULL;
    if (!ic || !ic->signal_msi || (msi.flags & ~(uint32_t)KVM_MSI_VALID_DEVID))
        return -EINVAL;
    int err = ic->signal_msi(vm->irqchip, &msi);
    sys_sync_notifications(vm->sys);
    return err;
}

static int mmio(struct vm *vm, uint64_t uptr)
{
    struct ioe_mmio m;
    if (copy_from_user(&m, uptr, sizeof(m)))
        return -EFAULT;
    int err = vm_mmio(vm, &m);
    sys_sync_notifications(vm->sys);
    return err ? err : copy_to_user(uptr, &m, sizeof(m));
}

/* KVM_ENABLE_CAP on a VM, generic in KVM (kvm_vm_ioctl_enable_cap_generic, then the arch's):
 * every capability it can enable is one libioe reports absent, so each is EINVAL */
static int enable_cap(struct vm *vm, uint64_t uptr)
{
    (void)vm;
    struct kvm_enable_cap cap;
    return copy_from_user(&cap, uptr, sizeof(cap)) ? -EFAULT : -EINVAL;
}

/* kvm_arch_vm_ioctl: the persona's requests, its errno for the unknown ones */
static int arch_vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg)
{
    int err = vm->sys->host->vm_ioctl ? vm->sys->host->vm_ioctl(vm, req, arg) : -ENOTTY;
    return err == -ENOTTY ? -vm->sys->host->enotty_vm : err;
}

static int vm_ioctl(struct obj *o, unsigned long req, unsigned long arg)
{
    struct vm *vm = (struct vm *)o;
    switch (req) {
    case KVM_CHECK_EXTENSION: return (int)vm_check_extension(vm->sys, vm, (long)arg);
    case KVM_CREATE_VCPU: return vcpu_create(vm, arg);
    case KVM_SET_USER_MEMORY_REGION: return set_memory_region(vm, arg);
    case KVM_CREATE_DEVICE: return device_create(vm, arg);
    case KVM_IRQ_LINE: return irq_line(vm, arg, false);
    case KVM_IRQ_LINE_STATUS:
        return vm->sys->host->irq_line_status ? irq_line(vm, arg, true)
                                              : arch_vm_ioctl(vm, req, arg);
    case KVM_SIGNAL_MSI: return signal_msi(vm, arg);
    case KVM_ENABLE_CAP: return enable_cap(vm, arg);
    case IOE_MMIO: return mmio(vm, arg);
    default: return arch_vm_ioctl(vm, req, arg);
    }
}

static struct sys *vm_sys(struct obj *o)
{
    return ((struct vm *)o)->sys;
}

static const struct obj_ops vm_obj_ops = {vm_ioctl, vm_closed, vm_free, vm_sys};
