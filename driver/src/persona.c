/*
 * Host personas: the architecture whose KVM libioe answers as. A KVM host is of one
 * architecture; its KVM_CREATE_VM type argument, KVM_IRQ_LINE layout, capabilities,
 * device types and errors for unknown requests are that architecture's. The persona is
 * chosen when the card is opened (ioe_open_host, or IOE_HOST for programs that call
 * ioe_open). arm64 is in arch_arm64.c, s390x in arch_s390.c; the others are small enough to live
 * here until their device families arrive (docs/api.md "Host personas" says what each serves).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ioe/regs.h>

#include "internal.h"

/* ------------------------------------------------------------------ shared answers */
static int vm_type_zero(struct vm *vm, unsigned long type)
{
    (void)vm;
    return type ? -EINVAL : 0;
}

long persona_caps_common(struct sys *s, long ext)
{
    switch (ext) {
    case KVM_CAP_DEVICE_CTRL: return 1;
    case KVM_CAP_NR_VCPUS:
    case KVM_CAP_MAX_VCPUS: return s->info.nr_vcpus;
    case KVM_CAP_MAX_VCPU_ID: return IOE_KVM_MAX_VCPU_IDS;
    default: return 0;
    }
}

/* kvm_vm_ioctl_irq_line where the VM has no in-kernel interrupt controller */
static int irq_line_no_irqchip(struct vm *vm, uint32_t irq, uint32_t level)
{
    (void)vm, (void)irq, (void)level;
    return -ENXIO;
}

/* ------------------------------------------------------------------ ppc64 (POWER9) */
static int vm_type_ppc64(struct vm *vm, unsigned long type)
{
    (void)vm;
    /* kvmppc_core_init_vm: 0 or KVM_VM_PPC_HV; PR KVM is not loaded on this host */
    return type == 0 || type == KVM_VM_PPC_HV ? 0 : -EINVAL;
}

static long caps_ppc64(struct sys *s, struct vm *vm, long ext)
{
    (void)vm;
    switch (ext) {
    case KVM_CAP_ENABLE_CAP:
    case KVM_CAP_ONE_REG: return 1;
    case KVM_CAP_PPC_IRQ_XIVE: return xive_ops.available(s); /* kvm_vm_ioctl_check_extension */
    case KVM_CAP_IRQ_XICS: return xics_ops.available(s);
    case KVM_CAP_PPC_RTAS: return 1;
    /* CONFIG_KVM_XICS (HAVE_KVM_IRQCHIP, no HAVE_KVM_IRQ_ROUTING): irqfds without routing
     * tables; KVM_CAP_IRQFD_RESAMPLE is !xive_enabled(), 0 on this XIVE host */
    case KVM_CAP_IRQFD: return xics_ops.available(s);
    default: return persona_caps_common(s, ext);
    }
}

/* kvmppc_get_one_reg / kvmppc_set_one_reg for a vCPU the XIVE or XICS device did not take */
static int vcpu_ioctl_ppc64(struct vcpu *v, unsigned long req, unsigned long arg)
{
    (void)v;
    struct kvm_one_reg r;
    uint8_t val[16];
    if (req != KVM_GET_ONE_REG && req != KVM_SET_ONE_REG)
        return -ENOTTY;
    if (copy_from_user(&r, arg, sizeof(r)))
        return -EFAULT;
    if (r.id != KVM_REG_PPC_VP_STATE && r.id != KVM_REG_PPC_ICP_STATE)
        return -EINVAL; /* not a register libioe has */
    size_t size = r.id == KVM_REG_PPC_ICP_STATE ? 8 : sizeof(val);
    if (req == KVM_SET_ONE_REG && copy_from_user(val, r.addr, size))
        return -EFAULT;
    return -ENXIO; /* the vCPU is not connected to a XIVE or XICS device */
}

static int vm_ioctl_ppc64(struct vm *vm, unsigned long req, unsigned long arg)
{
    if (req == KVM_IRQFD && xics_ops.available(vm->sys))
        return vm_irqfd(vm, arg); /* irqfd.c; KVM_SET_GSI_ROUTING stays ENOTTY */
    return req == KVM_PPC_RTAS_DEFINE_TOKEN ? xics_rtas_define_token(vm, arg) : -ENOTTY;
}

/* ------------------------------------------------------------------ the others */
static long caps_booke(struct sys *s, struct vm *vm, long ext)
{
    (void)vm;
    switch (ext) {
    case KVM_CAP_ENABLE_CAP:
    case KVM_CAP_ONE_REG: return 1;
    /* CONFIG_KVM_MPIC, which brings irq routing and MSIs */
    case KVM_CAP_IRQ_MPIC:
    case KVM_CAP_SIGNAL_MSI: return mpic20_ops.available(s);
    case KVM_CAP_IRQ_ROUTING:
        return mpic20_ops.available(s) ? 4096 : 0; /* KVM_MAX_IRQ_ROUTES */
    /* and HAVE_KVM_IRQCHIP: irqfds; KVM_CAP_IRQFD_RESAMPLE is !xive_enabled(), 1 here */
    case KVM_CAP_IRQFD:
    case KVM_CAP_IRQFD_RESAMPLE: return mpic20_ops.available(s);
    default: return persona_caps_common(s, ext);
    }
}

static int vm_ioctl_booke(struct vm *vm, unsigned long req, unsigned long arg)
{
    if (!mpic20_ops.available(vm->sys))
        return -ENOTTY;
    switch (req) {
    case KVM_SET_GSI_ROUTING: return mpic_set_gsi_routing(vm, arg);
    case KVM_IRQFD: return vm_irqfd(vm, arg); /* irqfd.c */
    default: return -ENOTTY;
    }
}

static long caps_x86_64(struct sys *s, struct vm *vm, long ext)
{
    (void)vm;
    switch (ext) {
    case KVM_CAP_VCPU_ATTRIBUTES:
    case KVM_CAP_SIGNAL_MSI:
    case KVM_CAP_GET_TSC_KHZ:
    /* generic, whether or not the VM gets an irqchip (irqfd.c answers without one) */
    case KVM_CAP_IRQFD:
    case KVM_CAP_IRQFD_RESAMPLE: return 1;
    case KVM_CAP_IRQ_ROUTING: return IOE_KVM_MAX_IRQ_ROUTES;
    case KVM_CAP_ADJUST_CLOCK:
        return KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC;
    default: return persona_caps_common(s, ext);
    }
}

static const struct persona persona_ppc64 = {
    .name = "ppc64",
    .arch = HOST_PPC64,
    .vm_type = vm_type_ppc64,
    .check_extension = caps_ppc64,
    .irq_line = irq_line_no_irqchip,
    .irq_line_status = true,
    .irqfd = &irqfd_ppc64,
    .vm_ioctl = vm_ioctl_ppc64,
    .vcpu_ioctl = vcpu_ioctl_ppc64,
    .enotty_sys = EINVAL,
    .enotty_vm = ENOTTY,
    .enotty_vcpu = EINVAL,
};

static const struct persona persona_ppc_booke = {
    .name = "ppc-booke",
    .arch = HOST_PPC_BOOKE,
    .vm_type = vm_type_zero,
    .check_extension = caps_booke,
    .irq_line = irq_line_no_irqchip,
    .irq_line_status = true,
    .irqfd = &irqfd_ppc_booke,
    .vm_ioctl = vm_ioctl_booke,
    .enotty_sys = EINVAL,
    .enotty_vm = ENOTTY,
    .enotty_vcpu = EINVAL,
};

static const struct persona persona_x86_64 = {
    .name = "x86_64",
    .arch = HOST_X86_64,
    .vm_type = vm_type_zero, /* KVM_X86_DEFAULT_VM only */
    .check_extension = caps_x86_64,
    .irq_line = irq_line_no_irqchip,
    .irq_line_status = true,
    .irqfd = &irqfd_no_irqchip,
    .vm_ioctl = x86_vm_ioctl, /* arch_x86_tsc.c */
    .vcpu_ioctl = x86_vcpu_ioctl,
    .enotty_sys = EINVAL,
    .enotty_vm = ENOTTY,
    .enotty_vcpu = EINVAL,
};

static const struct persona *const personas[] = {
    &persona_arm64, &persona_ppc64, &persona_ppc_booke, &persona_s390x, &persona_x86_64,
};

/* ------------------------------------------------------------------ choosing one */
static _Thread_local char last_error[256];

const char *ioe_last_error(void)
{
    return last_error;
}

void set_last_error(const char *fmt, const char *arg)
{
    snprintf(last_error, sizeof(last_error), fmt, arg);
}

const struct persona *persona_find(const char *name, int *err)
{
    const char *what = name ? "host persona" : "IOE_HOST";
    if (!name)
        name = getenv("IOE_HOST");
    if (!name || !*name)
        name = "arm64";
    for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++)
        if (strcmp(personas[i]->name, name) == 0)
            return personas[i];
    snprintf(last_error, sizeof(last_error),
             "%s '%s' is unknown (arm64, ppc64, ppc-booke, s390x, x86_64)", what, name);
    *err = -EINVAL;
    return NULL;
}
