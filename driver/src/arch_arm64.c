/*
 * The arm64 persona: what arm64 KVM answers beyond the device families (arch/arm64/kvm/
 * arm.c, guest.c, arch_timer.c): KVM_CREATE_VM's IPA size, KVM_IRQ_LINE's layout when no
 * VGIC takes it, the capabilities, the timer and PMU vCPU attributes, and the first-run
 * checks of the timer.
 */
#include <errno.h>

#include <ioe/regs.h>

#include "internal.h"

#define IPA_LIMIT 48 /* KVM_CAP_ARM_VM_IPA_SIZE */

static uint32_t arm64_aff_of_id(uint32_t id)
{
    /* KVM's reset_mpidr: Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12] */
    return (id & 0x0f) | ((id >> 4) & 0xff) << 8 | ((id >> 12) & 0xff) << 16;
}

struct arm64_irq arm64_irq_decode(uint32_t irq)
{
    return (struct arm64_irq){
        .type = irq >> KVM_ARM_IRQ_TYPE_SHIFT & KVM_ARM_IRQ_TYPE_MASK,
        .vidx = (irq >> KVM_ARM_IRQ_VCPU_SHIFT & KVM_ARM_IRQ_VCPU_MASK) +
                (irq >> KVM_ARM_IRQ_VCPU2_SHIFT & KVM_ARM_IRQ_VCPU2_MASK) * 256,
        .num = irq >> KVM_ARM_IRQ_NUM_SHIFT & KVM_ARM_IRQ_NUM_MASK,
    };
}

/* kvm_arm_setup_stage2 / kvm_init_stage2_mmu order */
static int vm_type(struct vm *vm, unsigned long type)
{
    unsigned ipa;
    if (type & ~KVM_VM_TYPE_ARM_IPA_SIZE_MASK)
        return -EINVAL;
    ipa = (unsigned)KVM_VM_TYPE_ARM_IPA_SIZE(type);
    if (ipa) {
        if (ipa > IPA_LIMIT || ipa < IOE_KVM_PHYS_SHIFT_MIN)
            return -EINVAL;
    } else {
        ipa = IOE_KVM_PHYS_SHIFT_DEFAULT;
    }
    vm->ipa_bits = ipa;
    vm->arch.arm64.vtimer = 27;
    vm->arch.arm64.ptimer = 30;
    return 0;
}

static long check_extension(struct sys *s, struct vm *vm, long ext)
{
    switch (ext) {
    case KVM_CAP_IRQCHIP:
    case KVM_CAP_DEVICE_CTRL:
    case KVM_CAP_SIGNAL_MSI:
    case KVM_CAP_ARM_IRQ_LINE_LAYOUT_2:
    case KVM_CAP_VCPU_ATTRIBUTES:
    case KVM_CAP_ONE_REG: return 1;
    case KVM_CAP_NR_VCPUS:
    case KVM_CAP_MAX_VCPUS: return s->info.nr_vcpus;
    case KVM_CAP_MAX_VCPU_ID: return IOE_KVM_MAX_VCPU_IDS;
    case KVM_CAP_ARM_VM_IPA_SIZE: return IPA_LIMIT;
    case KVM_CAP_IRQFD: return 1;
    case KVM_CAP_IRQ_ROUTING: return IOE_KVM_MAX_IRQ_ROUTES;
    case KVM_CAP_MSI_DEVID:
        /* only a VM can say: msis_require_devid, set when it gets an ITS */
        return vm ? vm_count_devices(vm, &its_ops) > 0 : -EINVAL;
    default: return 0;
    }
}

/* kvm_vm_ioctl_irq_line (arm64) for a VM without a VGIC */
static int irq_line(struct vm *vm, uint32_t irq, uint32_t level)
{
    (void)level;
    struct arm64_irq q = arm64_irq_decode(irq);
    switch (q.type) {
    case KVM_ARM_IRQ_TYPE_CPU:
        if (q.vidx >= vm->nr_vcpus)
            return -EINVAL;
        if (q.num > KVM_ARM_IRQ_CPU_FIQ)
            return -EINVAL;
        return -EOPNOTSUPP; /* the card offloads the in-kernel irqchip only */
    case KVM_ARM_IRQ_TYPE_PPI:
    case KVM_ARM_IRQ_TYPE_SPI: return -ENXIO;
    default: return -EINVAL;
    }
}

static int timer_attr(struct vcpu *v, unsigned long req, const struct kvm_device_attr *a)
{
    struct vm *vm = v->vm;
    uint32_t *slot = a->attr == KVM_ARM_VCPU_TIMER_IRQ_VTIMER   ? &vm->arch.arm64.vtimer
                     : a->attr == KVM_ARM_VCPU_TIMER_IRQ_PTIMER ? &vm->arch.arm64.ptimer
                                                                : NULL;
    if (req == KVM_HAS_DEVICE_ATTR)
        return slot ? 0 : -ENXIO;
    if (req == KVM_GET_DEVICE_ATTR) {
        if (!slot)
            return -ENXIO;
        int irq = (int)*slot;
        return copy_to_user(a->addr, &irq, sizeof(irq));
    }
    /* kvm_arm_timer_set_attr order */
    int irq;
    if (!vm->irqchip)
        return -EINVAL;
    if (copy_from_user(&irq, a->addr, sizeof(irq)))
        return -EFAULT;
    if (irq < 16 || irq >= 32)
        return -EINVAL;
    if (vm_any_vcpu_ran(vm))
        return -EBUSY; /* KVM_ARCH_FLAG_TIMER_PPIS_IMMUTABLE, checked before the attr */
    if (!slot)
        return -ENXIO;
    *slot = (uint32_t)irq;
    return 0;
}

/* kvm_arm_vcpu_arch_{set,get,has}_attr */
static int vcpu_attr(struct vcpu *v, unsigned long req, uint64_t uptr)
{
    struct kvm_device_attr a;
    if (copy_from_user(&a, uptr, sizeof(a)))
        return -EFAULT;
    switch (a.group) {
    case KVM_ARM_VCPU_TIMER_CTRL: return timer_attr(v, req, &a);
    case KVM_ARM_VCPU_PMU_V3_CTRL:
        /* the vCPUs have no PMUv3 feature */
        return req == KVM_HAS_DEVICE_ATTR ? -ENXIO : -ENODEV;
    default: return -ENXIO; /* includes PVTIME: stolen time is not implemented */
    }
}

static int vcpu_ioctl(struct vcpu *v, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_SET_DEVICE_ATTR:
    case KVM_GET_DEVICE_ATTR:
    case KVM_HAS_DEVICE_ATTR: return vcpu_attr(v, req, arg);
    default: return -ENOTTY;
    }
}

static void vcpu_init(struct vcpu *v)
{
    v->aff = arm64_aff_of_id(v->id);
}

static int first_run(struct vcpu *v)
{
    /* kvm_timer_enable: timer_irqs_are_valid, with an in-kernel irqchip */
    struct vm *vm = v->vm;
    if (vm->irqchip && vm->arch.arm64.vtimer == vm->arch.arm64.ptimer)
        return -EINVAL;
    return 0;
}

/* requests of kvm_vm_ioctl that libioe has on arm64 only (irqfd.c) */
static int vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_SET_GSI_ROUTING: return vm_set_gsi_routing(vm, arg);
    case KVM_IRQFD: return vm_irqfd(vm, arg);
    default: return -ENOTTY;
    }
}

const struct persona persona_arm64 = {
    .name = "arm64",
    .arch = HOST_ARM64,
    .vm_type = vm_type,
    .check_extension = check_extension,
    .irq_line = irq_line,
    .vm_ioctl = vm_ioctl,
    .vcpu_ioctl = vcpu_ioctl,
    .vcpu_init = vcpu_init,
    .first_run = first_run,
    .enotty_sys = EINVAL,  /* kvm_arch_dev_ioctl */
    .enotty_vm = EINVAL,   /* kvm_arch_vm_ioctl */
    .enotty_vcpu = EINVAL, /* kvm_arch_vcpu_ioctl */
};
