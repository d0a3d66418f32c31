/*
 * Helpers shared by the GIC end-to-end tests: a VM as a hypervisor sets it up through
 * the KVM-compatible API, and the guest's side (MMIO to the GICD/GICR frames, ICC
 * system registers) through IOE_MMIO / IOE_VCPU_SYSREG. Every helper asserts success.
 */
#ifndef IOE_TEST_GIC_UTIL_H
#define IOE_TEST_GIC_UTIL_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>

#include <ioe/ioe.h>

#include "arm64_vcpu.h"

#define DIST_BASE 0x08000000ull
#define REDIST_BASE 0x080a0000ull
#define RD_SGI 0x10000ull

#define ENC(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
#define ICC_PMR ENC(3, 0, 4, 6, 0)
#define ICC_BPR0 ENC(3, 0, 12, 8, 3)
#define ICC_AP0R0 ENC(3, 0, 12, 8, 4)
#define ICC_AP1R0 ENC(3, 0, 12, 9, 0)
#define ICC_RPR ENC(3, 0, 12, 11, 3)
#define ICC_HPPIR1 ENC(3, 0, 12, 12, 2)
#define ICC_BPR1 ENC(3, 0, 12, 12, 3)
#define ICC_CTLR ENC(3, 0, 12, 12, 4)
#define ICC_SRE ENC(3, 0, 12, 12, 5)
#define ICC_IGRPEN0 ENC(3, 0, 12, 12, 6)
#define ICC_IGRPEN1 ENC(3, 0, 12, 12, 7)

struct tvm {
    int kvm, vm, dev;
    int vcpu[8];
    int n;
};

static inline void t_set_attr(int dev, uint32_t group, uint64_t attr, void *val)
{
    struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)val};
    if (ioe_ioctl(dev, KVM_SET_DEVICE_ATTR, &a))
        fail_msg("SET_DEVICE_ATTR group %u attr 0x%llx: %s", group, (unsigned long long)attr,
                 strerror(errno));
}

static inline void t_get_attr(int dev, uint32_t group, uint64_t attr, void *val)
{
    struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)val};
    if (ioe_ioctl(dev, KVM_GET_DEVICE_ATTR, &a))
        fail_msg("GET_DEVICE_ATTR group %u attr 0x%llx: %s", group, (unsigned long long)attr,
                 strerror(errno));
}

/* A VM with n vCPUs (ids 0..n-1), distributor and one redistributor region, nr_irqs
 * interrupts, initialised; the vCPUs have run (they are "running"). */
/* the card options t_vm_open opens its cards with (a test may set them first) */
static struct ioe_card_options t_card_opts;
/* >= 0: t_vm_open makes its VM on this system descriptor (VMs sharing one card), and
 * t_vm_close leaves it open */
static int t_shared_kvm = -1;

/* the VM and its n initialised vCPUs */
static inline void t_vm_vcpus(struct tvm *t, const char *target, int n)
{
    memset(t, 0, sizeof(*t));
    t->n = n;
    t->kvm = t_shared_kvm >= 0 ? t_shared_kvm : ioe_open_opts(target, &t_card_opts);
    assert_true(t->kvm >= 0);
    t->vm = ioe_ioctl(t->kvm, KVM_CREATE_VM, 0);
    assert_true(t->vm >= 0);
    for (int i = 0; i < n; i++) {
        t->vcpu[i] = ioe_ioctl(t->vm, KVM_CREATE_VCPU, i);
        assert_true(t->vcpu[i] >= 0);
        assert_int_equal(t_arm64_vcpu_init(t->vm, t->vcpu[i], i, 0), 0);
    }
}

static inline void t_vm_open(struct tvm *t, const char *target, int n, uint32_t nr_irqs)
{
    t_vm_vcpus(t, target, n);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
    assert_int_equal(ioe_ioctl(t->vm, KVM_CREATE_DEVICE, &cd), 0);
    t->dev = (int)cd.fd;
    uint64_t a = DIST_BASE;
    t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &a);
    a = REDIST_BASE | (uint64_t)n << KVM_VGIC_V3_RDIST_COUNT_SHIFT;
    t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &a);
    if (nr_irqs)
        t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
    t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
}

/* GICv2: a VGICv2 with its distributor at DIST_BASE and CPU interface at V2_CPU_BASE */
#define V2_CPU_BASE 0x08010000ull

static inline void t_vm_open_v2(struct tvm *t, const char *target, int n, uint32_t nr_irqs)
{
    t_vm_vcpus(t, target, n);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V2};
    if (ioe_ioctl(t->vm, KVM_CREATE_DEVICE, &cd))
        fail_msg("KVM_DEV_TYPE_ARM_VGIC_V2 on %s: %s", target, strerror(errno));
    t->dev = (int)cd.fd;
    uint64_t a = DIST_BASE;
    t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &a);
    a = V2_CPU_BASE;
    t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &a);
    if (nr_irqs)
        t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
    t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
}

/* A guest access of vCPU c (GICv2 banks the distributor and the CPU interface per vCPU) */
static inline uint64_t t_mmio_as(struct tvm *t, int c, uint64_t gpa, unsigned len, int write,
                                 uint64_t val)
{
    struct ioe_mmio m = {.gpa = gpa, .len = len, .is_write = (uint8_t)write, .data = val};
    if (ioe_ioctl(t->vcpu[c], IOE_MMIO, &m))
        fail_msg("MMIO 0x%llx as vcpu %d: %s", (unsigned long long)gpa, c, strerror(errno));
    return m.data;
}

static inline void t_run_all(struct tvm *t)
{
    for (int i = 0; i < t->n; i++)
        assert_int_equal(ioe_ioctl(t->vcpu[i], KVM_RUN, 0), 0);
}

static inline void t_exit_all(struct tvm *t)
{
    for (int i = 0; i < t->n; i++)
        assert_int_equal(ioe_ioctl(t->vcpu[i], IOE_VCPU_EXIT, 0), 0);
}

static inline void t_vm_close(struct tvm *t)
{
    for (int i = 0; i < t->n; i++)
        assert_int_equal(ioe_close(t->vcpu[i]), 0);
    assert_int_equal(ioe_close(t->dev), 0);
    assert_int_equal(ioe_close(t->vm), 0);
    if (t->kvm != t_shared_kvm)
        assert_int_equal(ioe_close(t->kvm), 0);
}

static inline uint64_t t_mmio(struct tvm *t, uint64_t gpa, unsigned len, int write, uint64_t val)
{
    struct ioe_mmio m = {.gpa = gpa, .len = len, .is_write = (uint8_t)write, .data = val};
    if (ioe_ioctl(t->vm, IOE_MMIO, &m))
        fail_msg("MMIO 0x%llx: %s", (unsigned long long)gpa, strerror(errno));
    return m.data;
}

static inline void t_gicd_w(struct tvm *t, uint32_t off, uint32_t v)
{
    t_mmio(t, DIST_BASE + off, 4, 1, v);
}

static inline uint32_t t_gicd_r(struct tvm *t, uint32_t off)
{
    return (uint32_t)t_mmio(t, DIST_BASE + off, 4, 0, 0);
}

static inline uint64_t t_rd(int c)
{
    return REDIST_BASE + (uint64_t)c * 0x20000;
}

static inline uint64_t t_sysreg(struct tvm *t, int c, uint32_t enc, int write, uint64_t val)
{
    struct ioe_sysreg r = {.enc = enc, .is_write = (uint8_t)write, .value = val};
    if (ioe_ioctl(t->vcpu[c], IOE_VCPU_SYSREG, &r))
        fail_msg("sysreg 0x%x on vcpu %d: %s", enc, c, strerror(errno));
    return r.value;
}

/* The guest of every vCPU: distributor on, PMR 0xf0, group 1 on. */
static inline void t_guest_init(struct tvm *t)
{
    t_gicd_w(t, 0x0000, 1u << 1);
    for (int i = 0; i < t->n; i++) {
        t_sysreg(t, i, ICC_PMR, 1, 0xf0);
        t_sysreg(t, i, ICC_IGRPEN1, 1, 1);
    }
}

static inline void t_line(struct tvm *t, uint32_t type, uint32_t vcpu, uint32_t num, uint32_t lvl)
{
    struct kvm_irq_level l = {.irq = type << KVM_ARM_IRQ_TYPE_SHIFT |
                                     (vcpu & 0xff) << KVM_ARM_IRQ_VCPU_SHIFT | num,
                              .level = lvl};
    if (ioe_ioctl(t->vm, KVM_IRQ_LINE, &l))
        fail_msg("IRQ_LINE type %u num %u: %s", type, num, strerror(errno));
}

static inline int t_readable(struct tvm *t, int c)
{
    struct pollfd p = {.fd = t->vcpu[c], .events = POLLIN};
    assert_true(poll(&p, 1, 0) >= 0);
    return (p.revents & POLLIN) != 0;
}

static inline struct ioe_irq t_ack(struct tvm *t, int c)
{
    struct ioe_irq irq;
    memset(&irq, 0xee, sizeof(irq));
    assert_int_equal(ioe_ioctl(t->vcpu[c], IOE_VCPU_ACK, &irq), 0);
    return irq;
}

static inline void t_eoi(struct tvm *t, int c, uint32_t intid, uint8_t group)
{
    struct ioe_irq irq = {.intid = intid, .group = group};
    assert_int_equal(ioe_ioctl(t->vcpu[c], IOE_VCPU_EOI, &irq), 0);
}

#endif
