/*
 * The arm64 vCPU attribute groups (Documentation/virt/kvm/devices/vcpu.rst), with the
 * errors and the order of checks of Linux v6.12 (arch/arm64/kvm/guest.c
 * kvm_arm_vcpu_arch_*_attr, pmu-emul.c, arch_timer.c, pvtime.c), and the lines the
 * hypervisor's emulation drives into the VGIC (IOE_VCPU_LINE): the PMU overflow line and
 * the timers', which the guest sees as any PPI (or SPI) of the card's GIC.
 */
#include <errno.h>
#include <string.h>

#include "devices/gic.h"
#include "internal.h"

#define PMU_ID 4          /* the one host PMU's identifier (docs/api.md) */
#define PMU_EVENTS 65536u /* ARMv8.1+ PMU: 16-bit event numbers */
#define VGIC_MAX_SPI 1019
#define INVALID_GPA (~0ull)
#define IS_PPI(i) ((i) >= 16 && (i) < 32)
#define IS_SPI(i) ((i) >= 32 && (i) <= VGIC_MAX_SPI)

/* kvm_vcpu_has_pmu: the VM's vCPU feature set (KVM keeps it per VM since v6.7) */
static bool has_pmu(const struct vcpu *v)
{
    const struct vm *vm = v->vm;
    return vm->arch.arm64.features_set && vm->arch.arm64.features & 1u << KVM_ARM_VCPU_PMU_V3;
}

/* vgic_valid_spi on an initialised VGIC */
static bool valid_spi(const struct vm *vm, int irq)
{
    return irq >= 32 && (unsigned)irq < vgic_initialized_irqs((struct vm *)vm);
}

static int get_int(const struct kvm_device_attr *a, int *val)
{
    return copy_from_user(val, a->addr, sizeof(*val));
}

static int put_int(const struct kvm_device_attr *a, int val)
{
    return copy_to_user(a->addr, &val, sizeof(val));
}

/* ------------------------------------------------------------------ PMU (pmu-emul.c) */
/* pmu_irq_is_valid: a PPI the same on every vCPU, an SPI distinct per vCPU */
static bool pmu_irq_is_valid(const struct vm *vm, int irq)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        int other = vm->vcpus[i]->arch.arm64.pmu_irq;
        if (other && (IS_PPI(irq) ? other != irq : other == irq))
            return false;
    }
    return true;
}

static int pmu_set_irq(struct vcpu *v, const struct kvm_device_attr *a)
{
    int irq;
    if (!v->vm->irqchip)
        return -EINVAL;
    if (get_int(a, &irq))
        return -EFAULT;
    if (!IS_PPI(irq) && !IS_SPI(irq))
        return -EINVAL;
    if (!pmu_irq_is_valid(v->vm, irq))
        return -EINVAL;
    if (v->arch.arm64.pmu_irq)
        return -EBUSY;
    v->arch.arm64.pmu_irq = irq;
    return 0;
}

static void bitmap_assign(uint8_t *map, unsigned from, unsigned n, bool val)
{
    for (unsigned e = from; e < from + n; e++)
        map[e / 8] = (uint8_t)(val ? map[e / 8] | 1u << e % 8 : map[e / 8] & ~(1u << e % 8));
}

static int pmu_set_filter(struct vcpu *v, const struct kvm_device_attr *a)
{
    struct ioe_arm64_pmu_event_filter f;
    struct vm *vm = v->vm;
    if (copy_from_user(&f, a->addr, sizeof(f)))
        return -EFAULT;
    if ((uint32_t)f.base_event + f.nevents > PMU_EVENTS ||
        (f.action != KVM_PMU_EVENT_ALLOW && f.action != KVM_PMU_EVENT_DENY))
        return -EINVAL;
    if (vm_any_vcpu_ran(vm))
        return -EBUSY;
    if (!vm->arch.arm64.pmu_filtered) {
        /* the first filter sets the default: deny all after an ALLOW, allow all after a DENY */
        memset(vm->arch.arm64.pmu_filter, f.action == KVM_PMU_EVENT_ALLOW ? 0 : 0xff,
               sizeof(vm->arch.arm64.pmu_filter));
        vm->arch.arm64.pmu_filtered = true;
    }
    bitmap_assign(vm->arch.arm64.pmu_filter, f.base_event, f.nevents,
                  f.action == KVM_PMU_EVENT_ALLOW);
    return 0;
}

/* kvm_arm_pmu_v3_set_pmu on a host with one PMU: the filter was made for it already */
static int pmu_set_pmu(struct vcpu *v, const struct kvm_device_attr *a)
{
    int id;
    if (get_int(a, &id))
        return -EFAULT;
    if (id != PMU_ID)
        return -ENXIO;
    return vm_any_vcpu_ran(v->vm) ? -EBUSY : 0;
}

/* kvm_arm_pmu_v3_init, with kvm_vgic_set_owner's checks */
static int pmu_init(struct vcpu *v)
{
    struct vm *vm = v->vm;
    if (vm->irqchip) {
        int irq = v->arch.arm64.pmu_irq;
        if (!vgic_initialized_irqs(vm))
            return -ENODEV;
        if (!irq)
            return -ENXIO;
        if (!IS_PPI(irq) && !valid_spi(vm, irq))
            return -EINVAL;
        /* after this vCPU's first run its timers own their PPIs */
        const uint32_t *ppi = vm->arch.arm64.timer_ppi;
        if (v->has_run && ((uint32_t)irq == ppi[0] || (uint32_t)irq == ppi[1]))
            return -EEXIST;
    }
    v->arch.arm64.pmu_created = true;
    return 0;
}

static int pmu_set(struct vcpu *v, const struct kvm_device_attr *a)
{
    if (!has_pmu(v))
        return -ENODEV;
    if (v->arch.arm64.pmu_created)
        return -EBUSY;
    switch (a->attr) {
    case KVM_ARM_VCPU_PMU_V3_IRQ: return pmu_set_irq(v, a);
    case KVM_ARM_VCPU_PMU_V3_FILTER: return pmu_set_filter(v, a);
    case KVM_ARM_VCPU_PMU_V3_SET_PMU: return pmu_set_pmu(v, a);
    case KVM_ARM_VCPU_PMU_V3_INIT: return pmu_init(v);
    default: return -ENXIO;
    }
}

static int pmu_get(struct vcpu *v, const struct kvm_device_attr *a)
{
    if (a->attr != KVM_ARM_VCPU_PMU_V3_IRQ)
        return -ENXIO;
    if (!v->vm->irqchip)
        return -EINVAL;
    if (!has_pmu(v))
        return -ENODEV;
    if (!v->arch.arm64.pmu_irq)
        return -ENXIO;
    return put_int(a, v->arch.arm64.pmu_irq);
}

static int pmu_has(struct vcpu *v, const struct kvm_device_attr *a)
{
    return a->attr <= KVM_ARM_VCPU_PMU_V3_SET_PMU && has_pmu(v) ? 0 : -ENXIO;
}

/* kvm_arm_pmu_v3_enable, at the first KVM_RUN */
int arm64_pmu_first_run(struct vcpu *v)
{
    if (!has_pmu(v))
        return 0;
    if (!v->arch.arm64.pmu_created)
        return -EINVAL;
    int irq = v->arch.arm64.pmu_irq;
    if (v->vm->irqchip)
        return IS_PPI(irq) || valid_spi(v->vm, irq) ? 0 : -EINVAL;
    return irq ? -EINVAL : 0;
}

/* ------------------------------------------------------------------ timers (arch_timer.c) */
static int timer_set(struct vcpu *v, const struct kvm_device_attr *a)
{
    struct vm *vm = v->vm;
    int irq;
    if (!vm->irqchip)
        return -EINVAL;
    if (get_int(a, &irq))
        return -EFAULT;
    if (!IS_PPI(irq))
        return -EINVAL;
    if (vm_any_vcpu_ran(vm))
        return -EBUSY; /* KVM_ARCH_FLAG_TIMER_PPIS_IMMUTABLE, checked before the attr */
    if (a->attr > KVM_ARM_VCPU_TIMER_IRQ_HPTIMER)
        return -ENXIO;
    vm->arch.arm64.timer_ppi[a->attr] = (uint32_t)irq;
    return 0;
}

static int timer_get(struct vcpu *v, const struct kvm_device_attr *a)
{
    if (a->attr > KVM_ARM_VCPU_TIMER_IRQ_HPTIMER)
        return -ENXIO;
    return put_int(a, (int)v->vm->arch.arm64.timer_ppi[a->attr]);
}

static int timer_has(struct vcpu *v, const struct kvm_device_attr *a)
{
    (void)v;
    return a->attr <= KVM_ARM_VCPU_TIMER_IRQ_HPTIMER ? 0 : -ENXIO;
}

/* ------------------------------------------------------------------ stolen time (pvtime.c) */
static int pvtime_set(struct vcpu *v, const struct kvm_device_attr *a)
{
    uint64_t ipa;
    if (a->attr != KVM_ARM_VCPU_PVTIME_IPA)
        return -ENXIO;
    if (copy_from_user(&ipa, a->addr, sizeof(ipa)))
        return -EFAULT;
    if (ipa & 63)
        return -EINVAL;
    if (v->arch.arm64.pvtime != INVALID_GPA)
        return -EEXIST;
    /* the page must be in a memslot (gfn_to_hva) */
    if (!vm_gpa_in_ram(v->vm, ipa & ~0xfffull, 1))
        return -EINVAL;
    v->arch.arm64.pvtime = ipa;
    return 0;
}

static int pvtime_get(struct vcpu *v, const struct kvm_device_attr *a)
{
    if (a->attr != KVM_ARM_VCPU_PVTIME_IPA)
        return -ENXIO;
    return copy_to_user(a->addr, &v->arch.arm64.pvtime, sizeof(v->arch.arm64.pvtime));
}

static int pvtime_has(struct vcpu *v, const struct kvm_device_attr *a)
{
    (void)v;
    return a->attr == KVM_ARM_VCPU_PVTIME_IPA ? 0 : -ENXIO;
}

/* ------------------------------------------------------------------ dispatch */
static const struct vcpu_attr_group {
    uint32_t group;
    int (*set)(struct vcpu *v, const struct kvm_device_attr *a);
    int (*get)(struct vcpu *v, const struct kvm_device_attr *a);
    int (*has)(struct vcpu *v, const struct kvm_device_attr *a);
} groups[] = {
    {KVM_ARM_VCPU_PMU_V3_CTRL, pmu_set, pmu_get, pmu_has},
    {KVM_ARM_VCPU_TIMER_CTRL, timer_set, timer_get, timer_has},
    {KVM_ARM_VCPU_PVTIME_CTRL, pvtime_set, pvtime_get, pvtime_has},
};

int arm64_vcpu_attr(struct vcpu *v, unsigned long req, const struct kvm_device_attr *a)
{
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        const struct vcpu_attr_group *g = &groups[i];
        if (g->group != a->group)
            continue;
        return req == KVM_SET_DEVICE_ATTR   ? g->set(v, a)
               : req == KVM_GET_DEVICE_ATTR ? g->get(v, a)
                                            : g->has(v, a);
    }
    return -ENXIO;
}

/* ------------------------------------------------------------------ IOE_VCPU_LINE */
int arm64_vcpu_line(struct vcpu *v, uint64_t uptr)
{
    struct ioe_vcpu_line l;
    struct vm *vm = v->vm;
    if (copy_from_user(&l, uptr, sizeof(l)))
        return -EFAULT;
    if (l.line > IOE_LINE_HPTIMER || l.level > 1)
        return -EINVAL;
    if (!vgic_initialized_irqs(vm))
        return -ENXIO; /* no in-kernel irqchip to drive */
    uint32_t intid;
    if (l.line == IOE_LINE_PMU) {
        if (!v->arch.arm64.pmu_created)
            return -ENXIO;
        intid = (uint32_t)v->arch.arm64.pmu_irq;
    } else {
        intid = vm->arch.arm64.timer_ppi[l.line - IOE_LINE_VTIMER];
    }
    /* the VGIC's own KVM_IRQ_LINE path: a PPI of this vCPU, or an SPI */
    uint32_t irq = IS_PPI(intid) ? (uint32_t)KVM_ARM_IRQ_TYPE_PPI << KVM_ARM_IRQ_TYPE_SHIFT |
                                       (v->idx & 0xff) << KVM_ARM_IRQ_VCPU_SHIFT |
                                       (v->idx >> 8) << KVM_ARM_IRQ_VCPU2_SHIFT | intid
                                 : (uint32_t)KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | intid;
    int err = vm->irqchip->ops->irqchip->irq_line(vm->irqchip, irq, l.level);
    sys_sync_notifications(vm->sys);
    return err;
}
