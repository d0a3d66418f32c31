/*
 * The arm64 persona: what arm64 KVM answers beyond the device families (Linux v6.12's
 * arch/arm64/kvm/arm.c, guest.c, reset.c): KVM_CREATE_VM's IPA size, KVM_IRQ_LINE's layout
 * when no VGIC takes it, the capabilities, vCPU initialisation (KVM_ARM_PREFERRED_TARGET,
 * KVM_ARM_VCPU_INIT, the MPIDR reset), KVM_GET/SET_MP_STATE and the first-run checks. The
 * vCPU attribute groups are in arm64_vcpu_attr.c, SDEI in sdei.c.
 */
#include <errno.h>
#include <string.h>

#include <ioe/regs.h>

#include "internal.h"
#include "sdei.h"

#define IPA_LIMIT 48 /* KVM_CAP_ARM_VM_IPA_SIZE */
#define BIT(n) (1u << (n))
#define MAX_FEATURES 9 /* KVM_VCPU_MAX_FEATURES: bits 0..8 */
/* system_supported_vcpu_features of the host libioe answers as: no AArch32 EL1, no SVE,
 * no nested virtualisation; PSCI 0.2, PMUv3 and pointer authentication (both keys) */
#define SUPPORTED                                                                                  \
    (BIT(KVM_ARM_VCPU_POWER_OFF) | BIT(KVM_ARM_VCPU_PSCI_0_2) | BIT(KVM_ARM_VCPU_PMU_V3) |         \
     BIT(KVM_ARM_VCPU_PTRAUTH_ADDRESS) | BIT(KVM_ARM_VCPU_PTRAUTH_GENERIC))

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

/* kvm_arm_setup_stage2 / kvm_init_stage2_mmu order; kvm_timer_init_vm's default PPIs */
static int vm_type(struct vm *vm, unsigned long type)
{
    static const uint32_t default_ppi[4] = {27, 30, 28, 26}; /* V, P, HV, HP timers */
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
    memcpy(vm->arch.arm64.timer_ppi, default_ppi, sizeof(default_ppi));
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
    case KVM_CAP_ONE_REG:
    case KVM_CAP_MP_STATE:
    case KVM_CAP_ARM_PSCI:
    case KVM_CAP_ARM_PSCI_0_2:
    case KVM_CAP_ARM_PMU_V3:
    case KVM_CAP_ARM_PTRAUTH_ADDRESS:
    case KVM_CAP_ARM_PTRAUTH_GENERIC:
    case KVM_CAP_STEAL_TIME:
    case KVM_CAP_ARM_SDEI: return 1;
    case KVM_CAP_NR_VCPUS:
    case KVM_CAP_MAX_VCPUS: return s->info.nr_vcpus;
    case KVM_CAP_MAX_VCPU_ID: return IOE_KVM_MAX_VCPU_IDS;
    case KVM_CAP_ARM_VM_IPA_SIZE: return IPA_LIMIT;
    case KVM_CAP_IRQFD:
    case KVM_CAP_IRQFD_RESAMPLE: return 1;
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

/* ------------------------------------------------------------------ vCPU initialisation */
/* kvm_vcpu_init_check_features */
static int check_features(const struct kvm_vcpu_init *init)
{
    uint32_t f = init->features[0];
    if (f & ~(BIT(MAX_FEATURES) - 1))
        return -ENOENT;
    for (int i = 1; i < 7; i++)
        if (init->features[i])
            return -ENOENT;
    if (f & ~SUPPORTED)
        return -EINVAL;
    /* both pointer-authentication features or neither */
    if (!(f & BIT(KVM_ARM_VCPU_PTRAUTH_ADDRESS)) != !(f & BIT(KVM_ARM_VCPU_PTRAUTH_GENERIC)))
        return -EINVAL;
    return 0; /* EL1_32BIT (with MTE or HAS_EL2: EINVAL) is not offered at all */
}

/* kvm_reset_vcpu: what the reset sets that the card or libioe keeps */
static int vcpu_reset(struct vcpu *v)
{
    struct vm *vm = v->vm;
    v->aff = arm64_aff_of_id(v->id); /* reset_mpidr */
    const struct irqchip_ops *ic = vm->irqchip ? vm->irqchip->ops->irqchip : NULL;
    return ic && ic->vcpu_reset ? ic->vcpu_reset(vm->irqchip, v) : 0;
}

/* kvm_arch_vcpu_ioctl_vcpu_init -> kvm_vcpu_set_target -> __kvm_vcpu_set_target */
static int vcpu_init_ioctl(struct vcpu *v, uint64_t uptr)
{
    struct kvm_vcpu_init init;
    struct vm *vm = v->vm;
    if (copy_from_user(&init, uptr, sizeof(init)))
        return -EFAULT;
    /* POWER_OFF is ephemeral: not part of the VM's feature set */
    bool power_off = init.features[0] & BIT(KVM_ARM_VCPU_POWER_OFF);
    init.features[0] &= ~BIT(KVM_ARM_VCPU_POWER_OFF);
    if (init.target != KVM_ARM_TARGET_GENERIC_V8)
        return -EINVAL; /* kvm_target_cpu() is GENERIC_V8 too on this host */
    int err = check_features(&init);
    if (err)
        return err;
    bool changed = init.features[0] != vm->arch.arm64.features;
    if (v->arch.arm64.initialized ? changed : vm->arch.arm64.features_set && changed)
        return -EINVAL;
    vm->arch.arm64.features = init.features[0];
    vm->arch.arm64.features_set = true;
    if ((err = vcpu_reset(v)))
        return err;
    v->arch.arm64.initialized = true;
    v->arch.arm64.mp_state = power_off ? KVM_MP_STATE_STOPPED : KVM_MP_STATE_RUNNABLE;
    return 0;
}

static int preferred_target(uint64_t uptr)
{
    struct kvm_vcpu_init init = {.target = KVM_ARM_TARGET_GENERIC_V8};
    return copy_to_user(uptr, &init, sizeof(init));
}

/* kvm_arch_vcpu_ioctl_{get,set}_mpstate, after kvm_vcpu_ioctl's copies */
static int mp_state(struct vcpu *v, unsigned long req, uint64_t uptr)
{
    struct kvm_mp_state mp;
    if (req == KVM_GET_MP_STATE) {
        mp.mp_state = v->arch.arm64.mp_state;
        return copy_to_user(uptr, &mp, sizeof(mp));
    }
    if (copy_from_user(&mp, uptr, sizeof(mp)))
        return -EFAULT;
    switch (mp.mp_state) {
    case KVM_MP_STATE_RUNNABLE:
    case KVM_MP_STATE_STOPPED:
    case KVM_MP_STATE_SUSPENDED: v->arch.arm64.mp_state = mp.mp_state; return 0;
    default: return -EINVAL;
    }
}

static int vcpu_ioctl(struct vcpu *v, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_SET_DEVICE_ATTR:
    case KVM_GET_DEVICE_ATTR:
    case KVM_HAS_DEVICE_ATTR: {
        struct kvm_device_attr a;
        if (copy_from_user(&a, arg, sizeof(a)))
            return -EFAULT;
        return arm64_vcpu_attr(v, req, &a);
    }
    case KVM_ARM_VCPU_INIT: return vcpu_init_ioctl(v, arg);
    case KVM_GET_MP_STATE:
    case KVM_SET_MP_STATE: return mp_state(v, req, arg);
    case IOE_VCPU_LINE: return arm64_vcpu_line(v, arg);
    default: return sdei_vcpu_ioctl(v, req, arg);
    }
}

static int vm_ioctl(struct vm *vm, unsigned long req, unsigned long arg)
{
    switch (req) {
    case KVM_ARM_PREFERRED_TARGET: return preferred_target(arg);
    /* routes and irqfds, which libioe has on arm64 only (irqfd.c) */
    case KVM_SET_GSI_ROUTING: return vm_set_gsi_routing(vm, arg);
    case KVM_IRQFD: return vm_irqfd(vm, arg);
    default: return sdei_vm_ioctl(vm, req, arg);
    }
}

static void vcpu_created(struct vcpu *v)
{
    v->aff = 0;                   /* MPIDR_EL1 is 0 until KVM_ARM_VCPU_INIT resets the vCPU */
    v->arch.arm64.pvtime = ~0ull; /* INVALID_GPA */
}

/* kvm_arch_vcpu_run_pid_change: before the VGIC's resources */
static int run_check(struct vcpu *v)
{
    return v->arch.arm64.initialized ? 0 : -ENOEXEC;
}

/* ... and after them: kvm_timer_enable (timer_irqs_are_valid), kvm_arm_pmu_v3_enable */
static int first_run(struct vcpu *v)
{
    struct vm *vm = v->vm;
    if (vm->irqchip) {
        /* each timer claims its PPI: a PPI claimed twice (or by the PMU) is invalid;
         * without HAS_EL2 a vCPU has two timers */
        const uint32_t *ppi = vm->arch.arm64.timer_ppi;
        int pmu = v->arch.arm64.pmu_created ? v->arch.arm64.pmu_irq : 0;
        if (ppi[0] == ppi[1] || (int)ppi[0] == pmu || (int)ppi[1] == pmu)
            return -EINVAL;
    }
    return arm64_pmu_first_run(v);
}

/* kvm_arch_prepare_memory_region: a slot created or moved beyond the VM's IPA space */
static int prepare_memory_region(struct vm *vm, const struct kvm_userspace_memory_region *m,
                                 bool flags_only)
{
    if (!flags_only && m->guest_phys_addr + m->memory_size > (1ull << vm->ipa_bits))
        return -EFAULT;
    return 0;
}

const struct persona persona_arm64 = {
    .name = "arm64",
    .arch = HOST_ARM64,
    .vm_type = vm_type,
    .check_extension = check_extension,
    .irq_line = irq_line,
    .irq_line_status = true,
    .irqfd = &irqfd_arm64,
    .vm_ioctl = vm_ioctl,
    .prepare_memory_region = prepare_memory_region,
    .vcpu_ioctl = vcpu_ioctl,
    .vcpu_init = vcpu_created,
    .run_check = run_check,
    .first_run = first_run,
    .vcpu_pending = sdei_vcpu_pending,
    .vm_free = sdei_vm_free,
    .enotty_sys = EINVAL,  /* kvm_arch_dev_ioctl */
    .enotty_vm = EINVAL,   /* kvm_arch_vm_ioctl */
    .enotty_vcpu = EINVAL, /* kvm_arch_vcpu_ioctl */
};
