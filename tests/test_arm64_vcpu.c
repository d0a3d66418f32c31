/*
 * arm64 vCPUs through the KVM API, on every target of IOE_TEST_TARGETS: initialisation
 * (KVM_ARM_PREFERRED_TARGET, KVM_ARM_VCPU_INIT and its checks, the MPIDR the reset sets,
 * KVM_RUN before it, KVM_GET/SET_MP_STATE) and the vCPU attribute groups of
 * Documentation/virt/kvm/devices/vcpu.rst (PMUv3, timers, stolen time) with their errno rows,
 * and the PMU and timer lines (IOE_VCPU_LINE) as the guest sees them on the card's GIC.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "assert_errno.h"
#include "gic_util.h"
#include "targets.h"

#define F(n) (1u << KVM_ARM_VCPU_##n)
#define PMU_CTRL KVM_ARM_VCPU_PMU_V3_CTRL
#define TIMER_CTRL KVM_ARM_VCPU_TIMER_CTRL
#define PVTIME_CTRL KVM_ARM_VCPU_PVTIME_CTRL
#define BAD_PTR ((void *)(uintptr_t)8)
#define RAM_GPA 0x40000000ull
#define RAM_SIZE 0x10000ull

/* a VM with n vCPUs (ids 0, 17, 34, ...: distinct Aff0 and Aff1), not initialised */
static void open_vm(struct tvm *t, const char *target, int n)
{
    memset(t, 0, sizeof(*t));
    t->dev = -1;
    t->n = n;
    assert_true((t->kvm = ioe_open(target)) >= 0);
    assert_true((t->vm = ioe_ioctl(t->kvm, KVM_CREATE_VM, 0)) >= 0);
    for (int i = 0; i < n; i++)
        assert_true((t->vcpu[i] = ioe_ioctl(t->vm, KVM_CREATE_VCPU, 17 * i)) >= 0);
}

static void init_all(struct tvm *t, uint32_t extra)
{
    for (int i = 0; i < t->n; i++)
        assert_ok(t_arm64_vcpu_init(t->vm, t->vcpu[i], i, extra));
}

/* the VGICv3 (distributor, one redistributor region), created; INIT if `init` */
static void add_gic(struct tvm *t, bool init)
{
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
    assert_ok(ioe_ioctl(t->vm, KVM_CREATE_DEVICE, &cd));
    t->dev = (int)cd.fd;
    uint64_t a = DIST_BASE;
    t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &a);
    a = REDIST_BASE | (uint64_t)t->n << KVM_VGIC_V3_RDIST_COUNT_SHIFT;
    t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &a);
    uint32_t irqs = 128;
    t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &irqs);
    if (init)
        t_set_attr(t->dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
}

static void close_vm(struct tvm *t)
{
    for (int i = 0; i < t->n; i++)
        assert_ok(ioe_close(t->vcpu[i]));
    if (t->dev >= 0)
        assert_ok(ioe_close(t->dev));
    assert_ok(ioe_close(t->vm));
    assert_ok(ioe_close(t->kvm));
}

static int dattr(int fd, unsigned long req, uint32_t group, uint64_t attr, const void *p)
{
    struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)p};
    return ioe_ioctl(fd, req, &a);
}

static int set_int(int fd, uint32_t group, uint64_t attr, int v)
{
    return dattr(fd, KVM_SET_DEVICE_ATTR, group, attr, &v);
}

static int get_int(int fd, uint32_t group, uint64_t attr)
{
    int v = -1;
    if (dattr(fd, KVM_GET_DEVICE_ATTR, group, attr, &v))
        return -1;
    return v;
}

static int has(int fd, uint32_t group, uint64_t attr)
{
    return dattr(fd, KVM_HAS_DEVICE_ATTR, group, attr, NULL);
}

static int vcpu_init(int vcpu, uint32_t target, uint32_t f0, uint32_t f1)
{
    struct kvm_vcpu_init init = {.target = target, .features = {f0, f1}};
    return ioe_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
}

/* ================================================================== initialisation */
static void test_preferred_target(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 1);
    struct kvm_vcpu_init init;
    memset(&init, 0xa5, sizeof(init));
    assert_ok(ioe_ioctl(t.vm, KVM_ARM_PREFERRED_TARGET, &init));
    assert_int_equal(init.target, KVM_ARM_TARGET_GENERIC_V8);
    for (int i = 0; i < 7; i++)
        assert_int_equal(init.features[i], 0);
    assert_err(EFAULT, ioe_ioctl(t.vm, KVM_ARM_PREFERRED_TARGET, BAD_PTR));
    /* a VM request: on a vCPU it is kvm_arch_vcpu_ioctl's unknown request */
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], KVM_ARM_PREFERRED_TARGET, &init));
    /* the capabilities of the features offered, and of those not offered */
    static const long yes[] = {KVM_CAP_MP_STATE,
                               KVM_CAP_ARM_PSCI,
                               KVM_CAP_ARM_PSCI_0_2,
                               KVM_CAP_ARM_PMU_V3,
                               KVM_CAP_ARM_PTRAUTH_ADDRESS,
                               KVM_CAP_ARM_PTRAUTH_GENERIC,
                               KVM_CAP_STEAL_TIME,
                               KVM_CAP_VCPU_ATTRIBUTES};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_int_equal(ioe_ioctl(t.vm, KVM_CHECK_EXTENSION, yes[i]), 1);
    assert_int_equal(ioe_ioctl(t.vm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_EL1_32BIT), 0);
    assert_int_equal(ioe_ioctl(t.vm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_SVE), 0);
    close_vm(&t);
}

static void test_init_checks(void **state)
{
    const uint32_t G = KVM_ARM_TARGET_GENERIC_V8;
    struct tvm t;
    open_vm(&t, *state, 3);
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], KVM_ARM_VCPU_INIT, BAD_PTR));
    /* a target the host does not offer, before the features are looked at */
    assert_err(EINVAL, vcpu_init(t.vcpu[0], KVM_ARM_TARGET_CORTEX_A57, 0, 0));
    assert_err(EINVAL, vcpu_init(t.vcpu[0], KVM_ARM_NUM_TARGETS, 1u << 20, 0));
    /* unknown feature bits: ENOENT (features[0] beyond bit 8, any bit of features[1..6]) */
    assert_err(ENOENT, vcpu_init(t.vcpu[0], G, 1u << 9, 0));
    assert_err(ENOENT, vcpu_init(t.vcpu[0], G, 1u << 31, 0));
    assert_err(ENOENT, vcpu_init(t.vcpu[0], G, 0, 1));
    /* known features this host does not support: EINVAL */
    assert_err(EINVAL, vcpu_init(t.vcpu[0], G, F(EL1_32BIT), 0));
    assert_err(EINVAL, vcpu_init(t.vcpu[0], G, F(SVE), 0));
    assert_err(EINVAL, vcpu_init(t.vcpu[0], G, F(HAS_EL2), 0));
    assert_err(EINVAL, vcpu_init(t.vcpu[0], G, F(HAS_EL2_E2H0), 0));
    /* supported but not together: one pointer-authentication key without the other */
    assert_err(EINVAL, vcpu_init(t.vcpu[0], G, F(PTRAUTH_ADDRESS), 0));
    assert_err(EINVAL, vcpu_init(t.vcpu[0], G, F(PTRAUTH_GENERIC) | F(PSCI_0_2), 0));
    /* nothing stuck from the failed calls: the first init fixes the VM's features */
    uint32_t feat = F(PSCI_0_2) | F(PMU_V3) | F(PTRAUTH_ADDRESS) | F(PTRAUTH_GENERIC);
    assert_ok(vcpu_init(t.vcpu[0], G, feat, 0));
    /* the same vCPU again: other features EINVAL; the same ones reset it (POWER_OFF is no
     * feature) */
    assert_err(EINVAL, vcpu_init(t.vcpu[0], G, F(PSCI_0_2), 0));
    assert_ok(vcpu_init(t.vcpu[0], G, feat | F(POWER_OFF), 0));
    /* another vCPU of the VM: the VM's features or EINVAL */
    assert_err(EINVAL, vcpu_init(t.vcpu[1], G, F(PSCI_0_2) | F(PMU_V3), 0));
    assert_ok(vcpu_init(t.vcpu[1], G, feat | F(POWER_OFF), 0));
    /* the checks still come first for an initialised VM */
    assert_err(ENOENT, vcpu_init(t.vcpu[2], G, feat | 1u << 12, 0));
    assert_ok(vcpu_init(t.vcpu[2], G, feat, 0));
    close_vm(&t);
}

static void test_run_before_init(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 2);
    add_gic(&t, false);
    /* ENOEXEC comes before the VGIC's first-run checks (here: no INIT, EBUSY) */
    assert_err(ENOEXEC, ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    assert_ok(t_arm64_vcpu_init(t.vm, t.vcpu[0], 0, 0));
    assert_err(EBUSY, ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    t_set_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    assert_err(ENOEXEC, ioe_ioctl(t.vcpu[1], KVM_RUN, 0));
    assert_ok(t_arm64_vcpu_init(t.vm, t.vcpu[1], 1, 0));
    assert_ok(ioe_ioctl(t.vcpu[1], KVM_RUN, 0));
    close_vm(&t);
    /* without an irqchip too */
    open_vm(&t, *state, 1);
    assert_err(ENOEXEC, ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    init_all(&t, 0);
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    close_vm(&t);
}

/* GICR_TYPER of the vCPU an MPIDR names, through GRP_REDIST_REGS; -1 and errno */
static int64_t rd_typer(struct tvm *t, uint32_t mpidr)
{
    uint32_t lo, hi;
    uint64_t attr = (uint64_t)mpidr << KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT;
    struct kvm_device_attr a = {
        .group = KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, .attr = attr | 0x8, .addr = (uintptr_t)&lo};
    if (ioe_ioctl(t->dev, KVM_GET_DEVICE_ATTR, &a))
        return -1;
    a.attr = attr | 0xc;
    a.addr = (uintptr_t)&hi;
    assert_ok(ioe_ioctl(t->dev, KVM_GET_DEVICE_ATTR, &a));
    return (int64_t)((uint64_t)hi << 32 | lo);
}

static void test_mpidr_set_by_init(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 3); /* ids 0, 17, 34: MPIDR Aff1.Aff0 0.0, 1.1, 2.2 */
    assert_ok(t_arm64_vcpu_init(t.vm, t.vcpu[0], 0, 0));
    add_gic(&t, true);
    /* before its init vCPU 17's MPIDR names no vCPU */
    assert_err(EINVAL, rd_typer(&t, 0x0101));
    assert_ok(t_arm64_vcpu_init(t.vm, t.vcpu[1], 1, 0));
    int64_t typer = rd_typer(&t, 0x0101);
    assert_true(typer >= 0);
    assert_int_equal((uint64_t)typer >> 32, 0x0101);
    assert_int_equal((uint64_t)typer >> 8 & 0xffff, 17); /* processor number */
    assert_err(EINVAL, rd_typer(&t, 0x0202));
    assert_ok(t_arm64_vcpu_init(t.vm, t.vcpu[2], 2, 0));
    assert_int_equal((uint64_t)rd_typer(&t, 0x0202) >> 32, 0x0202);
    /* the guest sees the same affinity in its redistributor frame */
    t_run_all(&t);
    assert_int_equal(t_mmio(&t, t_rd(2) + 0x8, 8, 0, 0) >> 32, 0x0202);
    close_vm(&t);
}

static uint32_t mp_get(int vcpu)
{
    struct kvm_mp_state mp = {.mp_state = 0xdead};
    assert_ok(ioe_ioctl(vcpu, KVM_GET_MP_STATE, &mp));
    return mp.mp_state;
}

static void test_mp_state(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 2);
    init_all(&t, 0); /* vCPU 1 with POWER_OFF, as VMMs start secondaries */
    assert_int_equal(mp_get(t.vcpu[0]), KVM_MP_STATE_RUNNABLE);
    assert_int_equal(mp_get(t.vcpu[1]), KVM_MP_STATE_STOPPED);
    static const uint32_t ok[] = {KVM_MP_STATE_RUNNABLE, KVM_MP_STATE_STOPPED,
                                  KVM_MP_STATE_SUSPENDED};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct kvm_mp_state mp = {.mp_state = ok[i]};
        assert_ok(ioe_ioctl(t.vcpu[1], KVM_SET_MP_STATE, &mp));
        assert_int_equal(mp_get(t.vcpu[1]), ok[i]);
    }
    static const uint32_t bad[] = {KVM_MP_STATE_UNINITIALIZED, KVM_MP_STATE_HALTED,
                                   KVM_MP_STATE_OPERATING, 11, 0xffffffffu};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kvm_mp_state mp = {.mp_state = bad[i]};
        assert_err(EINVAL, ioe_ioctl(t.vcpu[1], KVM_SET_MP_STATE, &mp));
    }
    assert_err(EFAULT, ioe_ioctl(t.vcpu[1], KVM_SET_MP_STATE, BAD_PTR));
    assert_err(EFAULT, ioe_ioctl(t.vcpu[1], KVM_GET_MP_STATE, BAD_PTR));
    /* a re-init without POWER_OFF makes the vCPU runnable again */
    assert_ok(t_arm64_vcpu_init(t.vm, t.vcpu[1], 0, 0));
    assert_int_equal(mp_get(t.vcpu[1]), KVM_MP_STATE_RUNNABLE);
    close_vm(&t);
}

/* ================================================================== PMUv3 */
static void test_pmu_irq(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 3);
    /* vCPUs without the PMU feature: ENODEV (HAS: ENXIO) */
    assert_err(ENODEV, set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_err(ENXIO, has(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ));
    init_all(&t, F(PMU_V3));
    for (uint64_t a = KVM_ARM_VCPU_PMU_V3_IRQ; a <= KVM_ARM_VCPU_PMU_V3_SET_PMU; a++)
        assert_ok(has(t.vcpu[0], PMU_CTRL, a));
    assert_err(ENXIO, has(t.vcpu[0], PMU_CTRL, 5));
    /* no in-kernel irqchip: EINVAL on SET and GET */
    assert_err(EINVAL, set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_err(EINVAL, get_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ));
    add_gic(&t, false);
    assert_err(ENXIO, get_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ)); /* not set */
    assert_err(EFAULT, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, 0, BAD_PTR));
    static const int bad[] = {-1, 0, 15, 1020, 1023, 4096};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_err(EINVAL, set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, bad[i]));
    /* a PPI: the same on every vCPU */
    assert_ok(set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_int_equal(get_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ), 23);
    assert_err(EBUSY, set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_err(EINVAL, set_int(t.vcpu[1], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 22));
    assert_ok(set_int(t.vcpu[1], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    /* pmu_irq_is_valid does not compare types: an SPI is checked against SPIs only, and a
     * PPI then differs from that SPI */
    assert_ok(set_int(t.vcpu[2], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 40));
    close_vm(&t);

    /* SPIs: distinct per vCPU */
    open_vm(&t, *state, 3);
    init_all(&t, F(PMU_V3));
    add_gic(&t, false);
    assert_ok(set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 40));
    assert_err(EINVAL, set_int(t.vcpu[1], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 40));
    assert_ok(set_int(t.vcpu[1], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 41));
    /* an SPI beyond the VGIC's interrupts passes SET (the VGIC may not be sized yet) and
     * fails INIT */
    assert_ok(set_int(t.vcpu[2], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 500));
    close_vm(&t);
}

static void test_pmu_init_and_run(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 2);
    init_all(&t, F(PMU_V3));
    const uint64_t INIT = KVM_ARM_VCPU_PMU_V3_INIT;
    add_gic(&t, false);
    assert_err(ENODEV, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, INIT, NULL)); /* no INIT */
    t_set_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
    assert_err(ENXIO, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, INIT, NULL)); /* no IRQ */
    assert_ok(set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_ok(set_int(t.vcpu[1], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    /* a vCPU with the PMU feature cannot run before PMU INIT */
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    assert_ok(dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, INIT, NULL));
    /* once initialised, every SET is EBUSY */
    assert_err(EBUSY, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, INIT, NULL));
    assert_err(EBUSY, set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_int_equal(get_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ), 23);
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    assert_ok(dattr(t.vcpu[1], KVM_SET_DEVICE_ATTR, PMU_CTRL, INIT, NULL));
    assert_ok(ioe_ioctl(t.vcpu[1], KVM_RUN, 0));
    close_vm(&t);

    /* the PMU's PPI may not be a timer's: the first run's ownership check */
    open_vm(&t, *state, 1);
    init_all(&t, F(PMU_V3));
    add_gic(&t, true);
    assert_ok(set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 27));
    assert_ok(dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, INIT, NULL));
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    assert_ok(set_int(t.vcpu[0], TIMER_CTRL, KVM_ARM_VCPU_TIMER_IRQ_VTIMER, 20));
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    close_vm(&t);

    /* an SPI beyond the VGIC's interrupts: INIT EINVAL */
    open_vm(&t, *state, 1);
    init_all(&t, F(PMU_V3));
    add_gic(&t, true);
    assert_ok(set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 200)); /* 128 irqs */
    assert_err(EINVAL, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, INIT, NULL));
    close_vm(&t);

    /* without an in-kernel irqchip: INIT needs no interrupt, and the vCPU runs */
    open_vm(&t, *state, 1);
    init_all(&t, F(PMU_V3));
    assert_ok(dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, INIT, NULL));
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    close_vm(&t);
}

static int filter(int vcpu, uint16_t base, uint16_t n, uint8_t action)
{
    struct ioe_arm64_pmu_event_filter f = {.base_event = base, .nevents = n, .action = action};
    return dattr(vcpu, KVM_SET_DEVICE_ATTR, PMU_CTRL, KVM_ARM_VCPU_PMU_V3_FILTER, &f);
}

static void test_pmu_filter_and_set_pmu(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 1);
    init_all(&t, F(PMU_V3));
    add_gic(&t, true);
    assert_err(EFAULT, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, KVM_ARM_VCPU_PMU_V3_FILTER,
                             BAD_PTR));
    /* the range must fit the 16-bit event space; the action must be ALLOW or DENY */
    assert_err(EINVAL, filter(t.vcpu[0], 0xffff, 2, KVM_PMU_EVENT_ALLOW));
    assert_err(EINVAL, filter(t.vcpu[0], 0x8000, 0x8001, KVM_PMU_EVENT_DENY));
    assert_err(EINVAL, filter(t.vcpu[0], 0, 1, 2));
    assert_ok(filter(t.vcpu[0], 0xffff, 1, KVM_PMU_EVENT_ALLOW));
    assert_ok(filter(t.vcpu[0], 0x11, 1, KVM_PMU_EVENT_DENY));
    /* SET_PMU: the one PMU (4) or ENXIO; after a filter the same PMU is accepted */
    assert_err(EFAULT, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, KVM_ARM_VCPU_PMU_V3_SET_PMU,
                             BAD_PTR));
    assert_err(ENXIO, set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_SET_PMU, 5));
    assert_ok(set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_SET_PMU, 4));
    /* unknown attribute */
    assert_err(ENXIO, set_int(t.vcpu[0], PMU_CTRL, 9, 0));
    assert_err(ENXIO, get_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_FILTER));
    assert_ok(set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_ok(dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, KVM_ARM_VCPU_PMU_V3_INIT, NULL));
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    close_vm(&t);

    /* once a vCPU of the VM ran: FILTER and SET_PMU are EBUSY on the others */
    open_vm(&t, *state, 2);
    init_all(&t, F(PMU_V3));
    add_gic(&t, true);
    for (int i = 0; i < 2; i++)
        assert_ok(set_int(t.vcpu[i], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_ok(dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PMU_CTRL, KVM_ARM_VCPU_PMU_V3_INIT, NULL));
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    assert_err(EBUSY, filter(t.vcpu[1], 0, 10, KVM_PMU_EVENT_ALLOW));
    assert_err(EBUSY, set_int(t.vcpu[1], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_SET_PMU, 4));
    assert_err(ENXIO, set_int(t.vcpu[1], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_SET_PMU, 5));
    close_vm(&t);
}

/* ================================================================== timers */
static void test_timer_attrs(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 2);
    init_all(&t, 0);
    static const int dflt[4] = {27, 30, 28, 26}; /* V, P, HV, HP */
    for (int a = 0; a < 4; a++) {
        assert_ok(has(t.vcpu[0], TIMER_CTRL, (uint64_t)a));
        assert_int_equal(get_int(t.vcpu[1], TIMER_CTRL, (uint64_t)a), dflt[a]);
    }
    assert_err(ENXIO, has(t.vcpu[0], TIMER_CTRL, 4));
    assert_err(ENXIO, get_int(t.vcpu[0], TIMER_CTRL, 4));
    assert_err(EINVAL, set_int(t.vcpu[0], TIMER_CTRL, KVM_ARM_VCPU_TIMER_IRQ_HVTIMER, 20));
    add_gic(&t, true);
    /* the irq is checked before the attribute */
    assert_err(EINVAL, set_int(t.vcpu[0], TIMER_CTRL, 4, 40));
    assert_err(ENXIO, set_int(t.vcpu[0], TIMER_CTRL, 4, 20));
    /* VM-wide: set on one vCPU, read on the other */
    assert_ok(set_int(t.vcpu[0], TIMER_CTRL, KVM_ARM_VCPU_TIMER_IRQ_HVTIMER, 20));
    assert_ok(set_int(t.vcpu[0], TIMER_CTRL, KVM_ARM_VCPU_TIMER_IRQ_HPTIMER, 20));
    assert_int_equal(get_int(t.vcpu[1], TIMER_CTRL, KVM_ARM_VCPU_TIMER_IRQ_HVTIMER), 20);
    /* without HAS_EL2 the EL2 timers are not claimed: the same PPI twice still runs */
    assert_ok(set_int(t.vcpu[1], TIMER_CTRL, KVM_ARM_VCPU_TIMER_IRQ_PTIMER, 27));
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    assert_ok(set_int(t.vcpu[1], TIMER_CTRL, KVM_ARM_VCPU_TIMER_IRQ_PTIMER, 30));
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_RUN, 0));
    for (int a = 0; a < 4; a++)
        assert_err(EBUSY, set_int(t.vcpu[1], TIMER_CTRL, (uint64_t)a, 21));
    close_vm(&t);
}

/* ================================================================== stolen time */
static void test_pvtime(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 2);
    init_all(&t, 0);
    void *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(ram != MAP_FAILED);
    struct kvm_userspace_memory_region r = {.slot = 0,
                                            .guest_phys_addr = RAM_GPA,
                                            .memory_size = RAM_SIZE,
                                            .userspace_addr = (uintptr_t)ram};
    assert_ok(ioe_ioctl(t.vm, KVM_SET_USER_MEMORY_REGION, &r));
    const uint64_t IPA = KVM_ARM_VCPU_PVTIME_IPA;
    uint64_t v = 0;
    assert_ok(has(t.vcpu[0], PVTIME_CTRL, IPA));
    assert_err(ENXIO, has(t.vcpu[0], PVTIME_CTRL, 1));
    assert_ok(dattr(t.vcpu[0], KVM_GET_DEVICE_ATTR, PVTIME_CTRL, IPA, &v));
    assert_int_equal(v, ~0ull); /* not set */
    v = RAM_GPA + 0x20;
    assert_err(ENXIO, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PVTIME_CTRL, 1, &v));
    assert_err(EFAULT, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PVTIME_CTRL, IPA, BAD_PTR));
    assert_err(EINVAL, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PVTIME_CTRL, IPA, &v)); /* 64 */
    v = RAM_GPA + RAM_SIZE;
    assert_err(EINVAL, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PVTIME_CTRL, IPA, &v)); /* RAM */
    v = RAM_GPA + 0x40;
    assert_ok(dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PVTIME_CTRL, IPA, &v));
    assert_err(EEXIST, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PVTIME_CTRL, IPA, &v));
    v = 0x20; /* EINVAL (alignment) before EEXIST */
    assert_err(EINVAL, dattr(t.vcpu[0], KVM_SET_DEVICE_ATTR, PVTIME_CTRL, IPA, &v));
    /* per vCPU */
    v = RAM_GPA + 0x80;
    assert_ok(dattr(t.vcpu[1], KVM_SET_DEVICE_ATTR, PVTIME_CTRL, IPA, &v));
    assert_ok(dattr(t.vcpu[0], KVM_GET_DEVICE_ATTR, PVTIME_CTRL, IPA, &v));
    assert_int_equal(v, RAM_GPA + 0x40);
    assert_err(EFAULT, dattr(t.vcpu[0], KVM_GET_DEVICE_ATTR, PVTIME_CTRL, IPA, BAD_PTR));
    close_vm(&t);
    munmap(ram, RAM_SIZE);
}

/* ================================================================== lines into the VGIC */
static int line(int vcpu, uint32_t which, uint32_t level)
{
    struct ioe_vcpu_line l = {.line = which, .level = level};
    return ioe_ioctl(vcpu, IOE_VCPU_LINE, &l);
}

/* the guest of vCPU c enables PPI/SPI intid at priority 0x80 (an SPI routed to c) */
static void guest_enable(struct tvm *t, int c, uint32_t intid)
{
    if (intid < 32) {
        t_mmio(t, t_rd(c) + RD_SGI + 0x400 + intid, 1, 1, 0x80);
        t_mmio(t, t_rd(c) + RD_SGI + 0x100, 4, 1, 1u << intid);
    } else {
        t_mmio(t, DIST_BASE + 0x400 + intid, 1, 1, 0x80);
        t_mmio(t, DIST_BASE + 0x6000 + 8 * intid, 8, 1, 17u * (unsigned)c % 16 | 17u * c / 16 << 8);
        t_gicd_w(t, 0x100 + 4 * (intid / 32), 1u << intid % 32);
    }
}

/* the line raises intid on vCPU c only, and its level is followed */
static void check_line(struct tvm *t, int c, uint32_t which, uint32_t intid)
{
    guest_enable(t, c, intid);
    assert_ok(line(t->vcpu[c], which, 1));
    for (int i = 0; i < t->n; i++)
        assert_int_equal(t_readable(t, i), i == c);
    struct ioe_irq irq = t_ack(t, c);
    assert_int_equal(irq.intid, intid);
    t_eoi(t, c, intid, 1);
    assert_true(t_readable(t, c)); /* level: still high */
    assert_ok(line(t->vcpu[c], which, 0));
    assert_false(t_readable(t, c));
}

static void test_lines(void **state)
{
    struct tvm t;
    open_vm(&t, *state, 2);
    init_all(&t, F(PMU_V3));
    add_gic(&t, false);
    assert_err(ENXIO, line(t.vcpu[0], IOE_LINE_VTIMER, 1)); /* VGIC not initialised */
    t_set_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
    assert_ok(set_int(t.vcpu[0], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_ok(set_int(t.vcpu[1], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 23));
    assert_err(ENXIO, line(t.vcpu[0], IOE_LINE_PMU, 1)); /* PMU not initialised */
    assert_ok(set_int(t.vcpu[0], TIMER_CTRL, KVM_ARM_VCPU_TIMER_IRQ_PTIMER, 29));
    for (int i = 0; i < 2; i++)
        assert_ok(dattr(t.vcpu[i], KVM_SET_DEVICE_ATTR, PMU_CTRL, KVM_ARM_VCPU_PMU_V3_INIT, NULL));
    assert_err(EINVAL, line(t.vcpu[0], 5, 1));
    assert_err(EINVAL, line(t.vcpu[0], IOE_LINE_PMU, 2));
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], IOE_VCPU_LINE, BAD_PTR));
    t_run_all(&t);
    t_guest_init(&t);
    check_line(&t, 1, IOE_LINE_PMU, 23);
    check_line(&t, 0, IOE_LINE_PMU, 23);
    check_line(&t, 1, IOE_LINE_VTIMER, 27);
    check_line(&t, 0, IOE_LINE_PTIMER, 29);
    check_line(&t, 1, IOE_LINE_HVTIMER, 28);
    close_vm(&t);

    /* a PMU on SPIs: each vCPU's line is its own SPI */
    open_vm(&t, *state, 2);
    init_all(&t, F(PMU_V3));
    add_gic(&t, true);
    for (int i = 0; i < 2; i++) {
        assert_ok(set_int(t.vcpu[i], PMU_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, 60 + i));
        assert_ok(dattr(t.vcpu[i], KVM_SET_DEVICE_ATTR, PMU_CTRL, KVM_ARM_VCPU_PMU_V3_INIT, NULL));
    }
    t_run_all(&t);
    t_guest_init(&t);
    check_line(&t, 1, IOE_LINE_PMU, 61);
    check_line(&t, 0, IOE_LINE_PMU, 60);
    close_vm(&t);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_preferred_target),
        TT_TARGET_TEST(test_init_checks),
        TT_TARGET_TEST(test_run_before_init),
        TT_TARGET_TEST(test_mpidr_set_by_init),
        TT_TARGET_TEST(test_mp_state),
        TT_TARGET_TEST(test_pmu_irq),
        TT_TARGET_TEST(test_pmu_init_and_run),
        TT_TARGET_TEST(test_pmu_filter_and_set_pmu),
        TT_TARGET_TEST(test_timer_attrs),
        TT_TARGET_TEST(test_pvtime),
        TT_TARGET_TEST(test_lines),
    };
    return tt_run_tests("arm64_vcpu", tests, NULL, NULL);
}
