/*
 * KVM_DEV_TYPE_ARM_VGIC_V2 against /work/shared/reference/kvm-arm-abi.md (sections 2 and 3)
 * and Documentation/virt/kvm/devices/arm-vgic.rst: every attribute and errno row of a
 * VGICv2, then the GICv2 semantics of the card (docs/gic.md, "GICv2 mode") through the
 * guest's frames: SPIs to one or several targets, GICD_SGIR with each filter and the source
 * in GICC_IAR, SGI pending per source, priorities and binary points, EOImode 1. On every
 * target of IOE_TEST_TARGETS whose card has the GICv2 mode (FEATURES.GICV2; the others
 * must refuse the type with ENODEV, which test_create checks). "ref 3.2/4" = section 3.2,
 * row 4.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "arm64_vcpu.h"
#include "assert_errno.h"
#include "irqfd_util.h"
#include "targets.h"
#include "vgic_attr.h"

#define DIST_BASE 0x08000000ull
#define CPU_BASE 0x08010000ull
#define BAD_PTR ((void *)8)

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_ISACTIVER 0x300
#define GICD_ICACTIVER_SPI 0x384 /* ICACTIVER of INTIDs 32..63 */
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICD_CPENDSGIR 0xf10
#define GICD_SPENDSGIR 0xf20
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_BPR 0x08
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICC_RPR 0x14
#define GICC_HPPIR 0x18
#define GICC_ABPR 0x1c
#define GICC_AIAR 0x20
#define GICC_AEOIR 0x24
#define GICC_APR0 0xd0
#define GICC_IIDR 0xfc
#define GICC_DIR 0x1000

#define GICD_IIDR_KVM 0x4b00343bu
#define GICC_IIDR_KVM 0x04b2043bu
#define SPURIOUS 1023u

static void *page_none;

/* ------------------------------------------------------------------ helpers */
static int set_addr(int dev, uint64_t type, uint64_t val)
{
    return set_u64(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, type, val);
}

static int init_gic(int dev)
{
    return dattr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
                 NULL);
}

static uint64_t cpuid(uint32_t id)
{
    return (uint64_t)id << KVM_DEV_ARM_VGIC_CPUID_SHIFT;
}

static uint32_t dist_get(int dev, uint32_t id, uint32_t off)
{
    return get_u32(dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, cpuid(id) | off);
}

static int dist_set(int dev, uint32_t id, uint32_t off, uint32_t val)
{
    return set_u32(dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, cpuid(id) | off, val);
}

static uint32_t cpu_get(int dev, uint32_t id, uint32_t off)
{
    return get_u32(dev, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, cpuid(id) | off);
}

static int cpu_set(int dev, uint32_t id, uint32_t off, uint32_t val)
{
    return set_u32(dev, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, cpuid(id) | off, val);
}

static int irq_line(int vm, uint32_t type, uint32_t vidx, uint32_t num, uint32_t level)
{
    struct kvm_irq_level l;
    l.irq = type << KVM_ARM_IRQ_TYPE_SHIFT |
            (vidx & KVM_ARM_IRQ_VCPU_MASK) << KVM_ARM_IRQ_VCPU_SHIFT | num;
    l.level = level;
    return ioe_ioctl(vm, KVM_IRQ_LINE, &l);
}

/* a guest access of the vCPU (fd) to its frames */
static uint32_t mmio(int fd, uint64_t gpa, unsigned len, bool write, uint32_t val)
{
    struct ioe_mmio m = {.gpa = gpa, .len = len, .is_write = write, .data = val};
    assert_ok(ioe_ioctl(fd, IOE_MMIO, &m));
    return (uint32_t)m.data;
}

static uint32_t gicd_rd(int fd, uint32_t off)
{
    return mmio(fd, DIST_BASE + off, 4, false, 0);
}

static void gicd_wr(int fd, uint32_t off, uint32_t val)
{
    mmio(fd, DIST_BASE + off, 4, true, val);
}

static uint32_t gicc_rd(int fd, uint32_t off)
{
    return mmio(fd, CPU_BASE + off, 4, false, 0);
}

static void gicc_wr(int fd, uint32_t off, uint32_t val)
{
    mmio(fd, CPU_BASE + off, 4, true, val);
}

/* ------------------------------------------------------------------ VM builder */
static const char *target;

static int use_target(void **state)
{
    target = *state;
    return 0;
}

struct vmh {
    int sys, vm, dev;
    int vcpu[8];
    unsigned n;
};

static void vm_open(struct vmh *h)
{
    memset(h, 0xff, sizeof(*h));
    h->n = 0;
    h->sys = ioe_open(target);
    assert_true(h->sys >= 0);
    h->vm = ioe_ioctl(h->sys, KVM_CREATE_VM, 0UL);
    assert_true(h->vm >= 0);
}

static int vm_add_vcpu(struct vmh *h)
{
    int fd = ioe_ioctl(h->vm, KVM_CREATE_VCPU, (unsigned long)h->n);
    if (fd >= 0) {
        assert_int_equal(t_arm64_vcpu_init(h->vm, fd, (int)h->n, 0), 0);
        h->vcpu[h->n++] = fd;
    }
    return fd;
}

static int create(int vm, uint32_t type, int *fd)
{
    struct kvm_create_device cd = {.type = type, .fd = 0, .flags = 0};
    int r = ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd);
    if (r == 0)
        *fd = (int)cd.fd;
    return r;
}

/* Does this target's card have the GICv2 mode? (else the type is ENODEV) */
static bool v2_on_target(void)
{
    struct vmh h;
    vm_open(&h);
    int fd, r = create(h.vm, KVM_DEV_TYPE_ARM_VGIC_V2, &fd);
    int e = errno;
    if (r == 0)
        assert_ok(ioe_close(fd));
    else
        assert_int_equal(e, ENODEV);
    assert_ok(ioe_close(h.vm));
    assert_ok(ioe_close(h.sys));
    return r == 0;
}

#define NEED_V2()                                                                                  \
    do {                                                                                           \
        if (!v2_on_target())                                                                       \
            skip();                                                                                \
    } while (0)

/* n vCPUs and a VGICv2 with both frames; initialised when `init` */
static void vm_build(struct vmh *h, unsigned n, bool init)
{
    vm_open(h);
    for (unsigned i = 0; i < n; i++)
        assert_true(vm_add_vcpu(h) >= 0);
    assert_ok(create(h->vm, KVM_DEV_TYPE_ARM_VGIC_V2, &h->dev));
    assert_ok(set_addr(h->dev, KVM_VGIC_V2_ADDR_TYPE_DIST, DIST_BASE));
    assert_ok(set_addr(h->dev, KVM_VGIC_V2_ADDR_TYPE_CPU, CPU_BASE));
    if (init)
        assert_ok(init_gic(h->dev));
}

static void vm_close(struct vmh *h)
{
    for (unsigned i = 0; i < h->n; i++)
        assert_ok(ioe_close(h->vcpu[i]));
    if (h->dev >= 0)
        assert_ok(ioe_close(h->dev));
    assert_ok(ioe_close(h->vm));
    assert_ok(ioe_close(h->sys));
}

/* Distributor on, every vCPU's CPU interface on (both groups, PMR open) */
static void guest_setup(struct vmh *h)
{
    gicd_wr(h->vcpu[0], GICD_CTLR, 1);
    for (unsigned c = 0; c < h->n; c++) {
        gicc_wr(h->vcpu[c], GICC_CTLR, 3);
        gicc_wr(h->vcpu[c], GICC_PMR, 0xff);
    }
}

static void enable_irq(struct vmh *h, unsigned c, uint32_t intid, uint8_t prio)
{
    gicd_wr(h->vcpu[c], GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32));
    mmio(h->vcpu[c], DIST_BASE + GICD_IPRIORITYR + intid, 1, true, prio);
}

/* ================================================================== device creation */
/* ref 2.1 (kvm_vgic_create): ENODEV without the GICv2 mode; EEXIST beside a VGICv3 (either
 * order); a vCPU beyond 8 is EINVAL once a VGICv2 exists (max_vcpus) */
static void test_create(void **state)
{
    (void)state;
    bool soft = !strcmp(target, "soft");
    bool have = v2_on_target();
    if (soft)
        assert_true(have); /* the C model is the default parameter set: it has the mode */
    if (!have)
        skip();
    struct vmh h;
    int v3 = -1;
    vm_build(&h, 1, false);
    assert_err(EEXIST, create(h.vm, KVM_DEV_TYPE_ARM_VGIC_V3, &v3));
    int again;
    assert_err(EEXIST, create(h.vm, KVM_DEV_TYPE_ARM_VGIC_V2, &again));
    vm_close(&h);

    vm_open(&h);
    assert_ok(create(h.vm, KVM_DEV_TYPE_ARM_VGIC_V3, &v3));
    assert_err(EEXIST, create(h.vm, KVM_DEV_TYPE_ARM_VGIC_V2, &again));
    assert_ok(ioe_close(v3));
    vm_close(&h);

    vm_open(&h);
    for (unsigned i = 0; i < 8; i++)
        assert_true(vm_add_vcpu(&h) >= 0);
    assert_ok(create(h.vm, KVM_DEV_TYPE_ARM_VGIC_V2, &h.dev));
    assert_err(EINVAL, ioe_ioctl(h.vm, KVM_CREATE_VCPU, 8UL));
    vm_close(&h);
}

/* ================================================================== GRP_ADDR */
/* ref 3.2 and vgic_check_iorange: EFAULT first, other-model types ENXIO, EEXIST before
 * alignment, 4 KiB alignment EINVAL, beyond the IPA E2BIG; reads UNDEF until set */
static void test_addr(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_open(&h);
    assert_true(vm_add_vcpu(&h) >= 0);
    assert_ok(create(h.vm, KVM_DEV_TYPE_ARM_VGIC_V2, &h.dev));
    int dev = h.dev;
    assert_true(get_u64(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST) ==
                IOE_VGIC_ADDR_UNDEF);
    assert_true(get_u64(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU) ==
                IOE_VGIC_ADDR_UNDEF);
    assert_err(EFAULT, dattr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
                             KVM_VGIC_V2_ADDR_TYPE_DIST, BAD_PTR));
    assert_err(EFAULT, dattr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, 99, BAD_PTR));
    assert_err(ENXIO, set_addr(dev, KVM_VGIC_V3_ADDR_TYPE_DIST, 0x10000));
    assert_err(ENXIO, set_addr(dev, KVM_VGIC_V3_ADDR_TYPE_REDIST, 0x20000));
    assert_err(ENXIO, set_addr(dev, 99, 0x10000));
    assert_err(EINVAL, set_addr(dev, KVM_VGIC_V2_ADDR_TYPE_DIST, DIST_BASE + 0x800));
    assert_err(EINVAL, set_addr(dev, KVM_VGIC_V2_ADDR_TYPE_CPU, CPU_BASE + 4));
    assert_err(E2BIG, set_addr(dev, KVM_VGIC_V2_ADDR_TYPE_DIST, 1ull << 40));
    /* the CPU frame is 8 KiB: its last 4 KiB beyond the IPA limit */
    assert_err(E2BIG, set_addr(dev, KVM_VGIC_V2_ADDR_TYPE_CPU, (1ull << 40) - 0x1000));
    assert_err(EINVAL, set_addr(dev, KVM_VGIC_V2_ADDR_TYPE_DIST, ~0ull & ~0xfffull));
    assert_ok(set_addr(dev, KVM_VGIC_V2_ADDR_TYPE_DIST, DIST_BASE));
    assert_ok(set_addr(dev, KVM_VGIC_V2_ADDR_TYPE_CPU, (1ull << 40) - 0x2000));
    assert_err(EEXIST, set_addr(dev, KVM_VGIC_V2_ADDR_TYPE_DIST, DIST_BASE + 0x800));
    assert_err(EEXIST, set_addr(dev, KVM_VGIC_V2_ADDR_TYPE_CPU, CPU_BASE));
    assert_true(get_u64(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST) == DIST_BASE);
    assert_true(get_u64(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU) ==
                (1ull << 40) - 0x2000);
    uint64_t v = 0;
    assert_err(ENXIO, dattr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
                            KVM_VGIC_V3_ADDR_TYPE_DIST, &v));
    /* the index of a REDIST_REGION read is fetched before the model is checked */
    assert_err(EFAULT, dattr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
                             KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, BAD_PTR));
    assert_err(ENXIO, dattr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
                            KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &v));
    assert_err(EFAULT, dattr(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
                             KVM_VGIC_V2_ADDR_TYPE_DIST, BAD_PTR));
    vm_close(&h);
}

/* ================================================================== NR_IRQS, CTRL */
/* ref 3.4 and 3.5 */
static void test_nr_irqs_and_ctrl(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_open(&h);
    assert_ok(create(h.vm, KVM_DEV_TYPE_ARM_VGIC_V2, &h.dev));
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0), 32);
    assert_err(ENODEV, init_gic(h.dev)); /* no online vCPU */
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, BAD_PTR));
    assert_err(EINVAL, set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 32));
    assert_err(EINVAL, set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 100));
    assert_err(EINVAL, set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 1024));
    assert_ok(set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 128));
    assert_err(EBUSY, set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 96));
    assert_err(EINVAL, set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 33));
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0), 128);
    assert_true(vm_add_vcpu(&h) >= 0);
    assert_true(vm_add_vcpu(&h) >= 0);
    assert_err(ENXIO, dattr(h.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
                            KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, NULL));
    assert_err(ENXIO, dattr(h.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, 99, NULL));
    assert_err(ENXIO, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
                            KVM_DEV_ARM_VGIC_CTRL_INIT, NULL));
    assert_ok(init_gic(h.dev));
    assert_ok(init_gic(h.dev)); /* idempotent */
    assert_int_equal(dist_get(h.dev, 0, GICD_TYPER), (128 / 32 - 1) | 1u << 5);
    assert_err(EBUSY, ioe_ioctl(h.vm, KVM_CREATE_VCPU, 2UL)); /* kvm_arch_vcpu_precreate */
    /* groups no other VGIC model has */
    uint32_t v = 0;
    uint32_t groups[] = {KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
                         KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,  KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ,
                         KVM_DEV_ARM_VGIC_GRP_FEATURES,    99};
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        assert_err(ENXIO, dattr(h.dev, KVM_SET_DEVICE_ATTR, groups[i], 0, &v));
        assert_err(ENXIO, dattr(h.dev, KVM_GET_DEVICE_ATTR, groups[i], 0, &v));
        assert_err(ENXIO, has(h.dev, groups[i], 0));
    }
    vm_close(&h);
}

/* ================================================================== register groups */
/* ref 3.6 (vgic_v2_attr_regs_access): a vcpu_index naming no vCPU EINVAL before the user
 * copy, EFAULT, EBUSY while a vCPU runs, lazy INIT; unknown offsets RAZ/WI with status 0 */
static void test_regs_access_rules(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 2, false);
    assert_err(EINVAL, dattr(h.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
                             cpuid(5) | GICD_CTLR, BAD_PTR));
    assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_REGS,
                             cpuid(2) | GICC_PMR, BAD_PTR));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
                             cpuid(1) | GICD_CTLR, BAD_PTR));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
                             cpuid(1) | GICD_CTLR, page_none));
    /* a register access initialises a VGICv2 (ref 3.5: lazily): NR_IRQS is then EBUSY */
    assert_int_equal(dist_get(h.dev, 1, GICD_TYPER), (256 / 32 - 1) | 1u << 5);
    assert_err(EBUSY, set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 128));
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0), 256);
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
                             cpuid(0) | GICD_CTLR, BAD_PTR));
    /* RAZ/WI: an unknown offset, an unaligned one, one beyond the frame */
    uint32_t offs[] = {0x00c, 0xfe8, 0x002, 0x1000, 0x6000, 0xd00};
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        assert_ok(dist_set(h.dev, 0, offs[i], ~0u));
        assert_int_equal(dist_get(h.dev, 0, offs[i]), 0);
    }
    assert_ok(cpu_set(h.dev, 0, GICC_IAR, ~0u));
    assert_int_equal(cpu_get(h.dev, 0, GICC_IAR), 0);
    assert_int_equal(cpu_get(h.dev, 0, 0x2000), 0);
    /* a running vCPU */
    assert_ok(ioe_ioctl(h.vcpu[0], KVM_RUN, 0UL));
    assert_err(EBUSY, dist_set(h.dev, 0, GICD_CTLR, 1));
    uint32_t v;
    assert_err(EBUSY,
               dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, GICC_PMR, &v));
    assert_ok(ioe_ioctl(h.vcpu[0], IOE_VCPU_EXIT, 0UL));
    assert_ok(dist_set(h.dev, 0, GICD_CTLR, 1));
    vm_close(&h);
}

/* GICD through DIST_REGS: CTLR, TYPER, IIDR (only KVM's value; writing it makes IGROUPR
 * writable from userspace), banked INTIDs 0..31, ITARGETSR, ICFGR, S/CPENDSGIR */
static void test_dist_regs(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 3, true);
    int d = h.dev;
    assert_int_equal(dist_get(d, 0, GICD_CTLR), 0);
    assert_ok(dist_set(d, 2, GICD_CTLR, 0xffffffff));
    assert_int_equal(dist_get(d, 0, GICD_CTLR), 1);
    assert_int_equal(dist_get(d, 0, GICD_TYPER), (256 / 32 - 1) | 2u << 5);
    assert_int_equal(dist_get(d, 1, GICD_IIDR), GICD_IIDR_KVM);
    /* groups: group 0 at reset; userspace writes ignored until GICD_IIDR is written */
    assert_int_equal(dist_get(d, 0, GICD_IGROUPR + 4), 0);
    assert_ok(dist_set(d, 0, GICD_IGROUPR + 4, 0xff));
    assert_int_equal(dist_get(d, 0, GICD_IGROUPR + 4), 0);
    assert_err(EINVAL, dist_set(d, 0, GICD_IIDR, GICD_IIDR_KVM ^ 0x1000));
    assert_ok(dist_set(d, 0, GICD_IGROUPR + 4, 0xff));
    assert_int_equal(dist_get(d, 0, GICD_IGROUPR + 4), 0);
    assert_ok(dist_set(d, 0, GICD_IIDR, GICD_IIDR_KVM));
    assert_ok(dist_set(d, 0, GICD_IGROUPR + 4, 0xff));
    assert_int_equal(dist_get(d, 2, GICD_IGROUPR + 4), 0xff);
    /* INTIDs 0..31 are banked per vCPU */
    assert_ok(dist_set(d, 1, GICD_ISENABLER, 1u << 20));
    assert_int_equal(dist_get(d, 1, GICD_ISENABLER), 0xffffu | 1u << 20);
    assert_int_equal(dist_get(d, 0, GICD_ISENABLER), 0xffff);
    assert_ok(dist_set(d, 2, GICD_IPRIORITYR + 16, 0x80402010));
    assert_int_equal(dist_get(d, 2, GICD_IPRIORITYR + 16), 0x80402010);
    assert_int_equal(dist_get(d, 0, GICD_IPRIORITYR + 16), 0);
    /* ITARGETSR: the private ones read the vCPU itself and ignore writes; SPIs keep the
     * targets among the VM's vCPUs */
    for (uint32_t c = 0; c < 3; c++)
        assert_int_equal(dist_get(d, c, GICD_ITARGETSR + 8), 0x01010101u << c);
    assert_ok(dist_set(d, 0, GICD_ITARGETSR + 8, 0xffffffff));
    assert_int_equal(dist_get(d, 1, GICD_ITARGETSR + 8), 0x02020202u);
    assert_ok(dist_set(d, 0, GICD_ITARGETSR + 40, 0xff060201));
    assert_int_equal(dist_get(d, 1, GICD_ITARGETSR + 40), 0x07060201);
    /* ICFGR: SGIs edge, read-only */
    assert_int_equal(dist_get(d, 0, GICD_ICFGR), 0xaaaaaaaa);
    assert_ok(dist_set(d, 0, GICD_ICFGR, 0));
    assert_int_equal(dist_get(d, 0, GICD_ICFGR), 0xaaaaaaaa);
    assert_ok(dist_set(d, 0, GICD_ICFGR + 8, 0x2));
    assert_int_equal(dist_get(d, 0, GICD_ICFGR + 8), 0x2);
    /* SGI pending per source: SPENDSGIR sets sources, CPENDSGIR clears them; ISPENDR0
     * reads the SGI pending; userspace ISPENDR sets the vCPU itself as the source and
     * ICPENDR clears every source */
    assert_ok(dist_set(d, 1, GICD_SPENDSGIR + 4, 0x00050000)); /* SGI 6 from vCPUs 0, 2 */
    assert_int_equal(dist_get(d, 1, GICD_SPENDSGIR + 4), 0x00050000);
    assert_int_equal(dist_get(d, 1, GICD_CPENDSGIR + 4), 0x00050000);
    assert_int_equal(dist_get(d, 1, GICD_ISPENDR) & 0xffff, 1u << 6);
    assert_int_equal(dist_get(d, 0, GICD_SPENDSGIR + 4), 0);
    assert_ok(dist_set(d, 1, GICD_CPENDSGIR + 4, 0x00010000));
    assert_int_equal(dist_get(d, 1, GICD_SPENDSGIR + 4), 0x00040000);
    assert_ok(dist_set(d, 1, GICD_CPENDSGIR + 4, 0x00040000));
    assert_int_equal(dist_get(d, 1, GICD_ISPENDR) & 0xffff, 0);
    assert_ok(dist_set(d, 2, GICD_ISPENDR, 1u << 3));
    assert_int_equal(dist_get(d, 2, GICD_SPENDSGIR), 0x04u << 24);
    assert_ok(dist_set(d, 2, GICD_ICPENDR, 1u << 3));
    assert_int_equal(dist_get(d, 2, GICD_SPENDSGIR), 0);
    vm_close(&h);
}

/* GICC through CPU_REGS: CTLR, PMR in GICH_VMCR.VMPriMask format, BPR, ABPR, APR0..3
 * (APR0 alone holds the 32 levels), IIDR */
static void test_cpu_regs(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 2, true);
    int d = h.dev;
    assert_int_equal(cpu_get(d, 1, GICC_CTLR), 0);
    assert_ok(cpu_set(d, 1, GICC_CTLR, 0xffffffff));
    assert_int_equal(cpu_get(d, 1, GICC_CTLR), 0x21f);
    assert_int_equal(cpu_get(d, 0, GICC_CTLR), 0);
    assert_ok(cpu_set(d, 1, GICC_PMR, 0x1e));
    assert_int_equal(cpu_get(d, 1, GICC_PMR), 0x1e);
    assert_int_equal(gicc_rd(h.vcpu[1], GICC_PMR), 0xf0); /* the guest's view */
    assert_ok(cpu_set(d, 1, GICC_PMR, 0xff));
    assert_int_equal(cpu_get(d, 1, GICC_PMR), 0x1f);
    assert_int_equal(cpu_get(d, 0, GICC_BPR), 2);
    assert_int_equal(cpu_get(d, 0, GICC_ABPR), 3);
    assert_ok(cpu_set(d, 0, GICC_BPR, 5));
    assert_ok(cpu_set(d, 0, GICC_ABPR, 6));
    assert_int_equal(cpu_get(d, 0, GICC_BPR), 5);
    assert_int_equal(cpu_get(d, 0, GICC_ABPR), 6);
    assert_ok(cpu_set(d, 0, GICC_BPR, 0));
    assert_int_equal(cpu_get(d, 0, GICC_BPR), 2);
    assert_ok(cpu_set(d, 0, GICC_APR0, 0x80000001));
    assert_int_equal(cpu_get(d, 0, GICC_APR0), 0x80000001);
    for (uint32_t n = 1; n < 4; n++) {
        assert_ok(cpu_set(d, 0, GICC_APR0 + 4 * n, ~0u));
        assert_int_equal(cpu_get(d, 0, GICC_APR0 + 4 * n), 0);
    }
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_RPR), 0);
    assert_int_equal(cpu_get(d, 0, GICC_IIDR), GICC_IIDR_KVM);
    assert_ok(cpu_set(d, 0, GICC_IIDR, 0));
    assert_int_equal(cpu_get(d, 1, GICC_IIDR), GICC_IIDR_KVM);
    vm_close(&h);
}

/* ref 3.11, v2 column */
static void test_has_attr(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 2, false);
    int d = h.dev;
    assert_ok(has(d, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST));
    assert_ok(has(d, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU));
    assert_err(ENXIO, has(d, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST));
    assert_ok(has(d, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0));
    assert_ok(has(d, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT));
    assert_err(ENXIO, has(d, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES));
    assert_err(EINVAL, has(d, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, cpuid(2) | GICD_CTLR));
    assert_err(EINVAL, has(d, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, cpuid(7) | GICC_CTLR));
    uint32_t dist_ok[] = {GICD_CTLR,      GICD_TYPER,     GICD_IIDR,      GICD_IGROUPR,
                          GICD_ISENABLER, GICD_ICPENDR,   GICD_ISACTIVER, GICD_IPRIORITYR + 28,
                          GICD_ITARGETSR, GICD_ICFGR + 4, GICD_SGIR,      GICD_CPENDSGIR + 12,
                          GICD_SPENDSGIR};
    for (size_t i = 0; i < sizeof(dist_ok) / sizeof(dist_ok[0]); i++)
        assert_ok(has(d, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, cpuid(1) | dist_ok[i]));
    /* before NR_IRQS / INIT the count is 32: SPI words do not exist yet */
    uint32_t dist_no[] = {
        GICD_CTLR + 2,        0x00c,         0xfe8, 0x1000, 0x6100, 0xd00, GICD_ISENABLER + 4,
        GICD_IPRIORITYR + 32, GICD_ICFGR + 8};
    for (size_t i = 0; i < sizeof(dist_no) / sizeof(dist_no[0]); i++)
        assert_err(ENXIO, has(d, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, dist_no[i]));
    uint32_t cpu_ok[] = {GICC_CTLR, GICC_PMR,       GICC_BPR, GICC_ABPR,
                         GICC_APR0, GICC_APR0 + 12, GICC_IIDR};
    for (size_t i = 0; i < sizeof(cpu_ok) / sizeof(cpu_ok[0]); i++)
        assert_ok(has(d, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, cpuid(1) | cpu_ok[i]));
    uint32_t cpu_no[] = {GICC_IAR,  GICC_EOIR, GICC_RPR, GICC_HPPIR,
                         GICC_AIAR, 0xe0,      GICC_DIR, GICC_PMR + 1};
    for (size_t i = 0; i < sizeof(cpu_no) / sizeof(cpu_no[0]); i++)
        assert_err(ENXIO, has(d, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, cpu_no[i]));
    assert_ok(init_gic(d));
    assert_ok(has(d, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_ISENABLER + 4));
    assert_ok(has(d, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_ITARGETSR + 252));
    assert_err(ENXIO, has(d, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_ITARGETSR + 256));
    vm_close(&h);
}

/* ref 3.10 (vgic_v2_map_resources): a frame unset ENXIO, overlapping frames EINVAL, then
 * the lazy INIT */
static void test_first_run(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_open(&h);
    assert_true(vm_add_vcpu(&h) >= 0);
    assert_ok(create(h.vm, KVM_DEV_TYPE_ARM_VGIC_V2, &h.dev));
    assert_err(ENXIO, ioe_ioctl(h.vcpu[0], KVM_RUN, 0UL));
    assert_ok(set_addr(h.dev, KVM_VGIC_V2_ADDR_TYPE_CPU, DIST_BASE + 0x1000 - 0x2000));
    assert_err(ENXIO, ioe_ioctl(h.vcpu[0], KVM_RUN, 0UL));
    assert_ok(set_addr(h.dev, KVM_VGIC_V2_ADDR_TYPE_DIST, DIST_BASE));
    assert_err(EINVAL, ioe_ioctl(h.vcpu[0], KVM_RUN, 0UL));
    vm_close(&h);

    vm_build(&h, 1, false);
    assert_ok(ioe_ioctl(h.vcpu[0], KVM_RUN, 0UL));
    assert_ok(ioe_ioctl(h.vcpu[0], IOE_VCPU_EXIT, 0UL));
    assert_err(EBUSY, set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 128)); /* initialised */
    vm_close(&h);
}

/* ref 1.8: KVM_IRQ_LINE initialises a VGICv2 lazily; an INTID beyond the count EINVAL */
static void test_irq_line(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 2, false);
    assert_ok(set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 64));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 64, 1));
    assert_err(EBUSY, set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 96));
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 63, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 31, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 2, 20, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 1, 32, 1));
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 1, 27, 1));
    assert_err(ENXIO, irq_line(h.vm, KVM_ARM_IRQ_TYPE_CPU, 0, 0, 1));
    assert_int_equal(dist_get(h.dev, 1, GICD_ISPENDR) >> 27 & 1, 1);
    assert_int_equal(dist_get(h.dev, 0, GICD_ISPENDR) >> 27 & 1, 0);
    assert_int_equal(dist_get(h.dev, 0, GICD_ISPENDR + 4) >> 31, 1);
    vm_close(&h);
}

/* ================================================================== GICv2 semantics */
/* An SPI goes to the lowest of its targets (KVM's target_vcpu), vCPU 0 when it has none;
 * retargeting moves a pending one */
static void test_spi_targets(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 3, true);
    guest_setup(&h);
    enable_irq(&h, 0, 40, 0xa0);
    mmio(h.vcpu[0], DIST_BASE + GICD_ITARGETSR + 40, 1, true, 0x6); /* vCPUs 1 and 2 */
    assert_int_equal(mmio(h.vcpu[2], DIST_BASE + GICD_ITARGETSR + 40, 1, false, 0), 0x6);
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 40, 1));
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_HPPIR), SPURIOUS);
    assert_int_equal(gicc_rd(h.vcpu[2], GICC_HPPIR), SPURIOUS);
    assert_int_equal(gicc_rd(h.vcpu[1], GICC_IAR), 40);
    assert_int_equal(gicc_rd(h.vcpu[2], GICC_IAR), SPURIOUS); /* taken once */
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 40, 0));
    gicc_wr(h.vcpu[1], GICC_EOIR, 40);
    /* pending while targeting vCPU 2 alone, then moved to none (vCPU 0) */
    mmio(h.vcpu[0], DIST_BASE + GICD_ITARGETSR + 40, 1, true, 0x4);
    gicd_wr(h.vcpu[0], GICD_ISPENDR + 4, 1u << 8);
    assert_int_equal(gicc_rd(h.vcpu[2], GICC_HPPIR), 40);
    mmio(h.vcpu[0], DIST_BASE + GICD_ITARGETSR + 40, 1, true, 0x0);
    assert_int_equal(gicc_rd(h.vcpu[2], GICC_HPPIR), SPURIOUS);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_IAR), 40);
    gicc_wr(h.vcpu[0], GICC_EOIR, 40);
    assert_int_equal(gicd_rd(h.vcpu[0], GICD_ISACTIVER + 4), 0);
    vm_close(&h);
}

/* GICD_SGIR: target list, all but self, self, reserved; GICC_IAR carries the source; an
 * SGI pending from two sources is taken once per source */
static void test_sgi_filters_and_sources(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 3, true);
    guest_setup(&h);
    /* filter 0, list {0, 2}, SGI 5, from vCPU 1 */
    gicd_wr(h.vcpu[1], GICD_SGIR, 0u << 24 | 0x05u << 16 | 5);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_IAR), 1u << 10 | 5);
    assert_int_equal(gicc_rd(h.vcpu[1], GICC_IAR), SPURIOUS);
    assert_int_equal(gicc_rd(h.vcpu[2], GICC_IAR), 1u << 10 | 5);
    gicc_wr(h.vcpu[0], GICC_EOIR, 1u << 10 | 5);
    gicc_wr(h.vcpu[2], GICC_EOIR, 1u << 10 | 5);
    /* filter 1: all but self */
    gicd_wr(h.vcpu[2], GICD_SGIR, 1u << 24 | 0xffu << 16 | 7);
    assert_int_equal(gicc_rd(h.vcpu[2], GICC_HPPIR), SPURIOUS);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_HPPIR), 2u << 10 | 7);
    assert_int_equal(gicc_rd(h.vcpu[1], GICC_IAR), 2u << 10 | 7);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_IAR), 2u << 10 | 7);
    gicc_wr(h.vcpu[0], GICC_EOIR, 7);
    gicc_wr(h.vcpu[1], GICC_EOIR, 7);
    /* filter 2: self only; filter 3: reserved, nothing */
    gicd_wr(h.vcpu[1], GICD_SGIR, 2u << 24 | 0x01u << 16 | 3);
    gicd_wr(h.vcpu[1], GICD_SGIR, 3u << 24 | 0x07u << 16 | 4);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_HPPIR), SPURIOUS);
    assert_int_equal(gicc_rd(h.vcpu[2], GICC_HPPIR), SPURIOUS);
    assert_int_equal(gicc_rd(h.vcpu[1], GICC_IAR), 1u << 10 | 3);
    assert_int_equal(gicc_rd(h.vcpu[1], GICC_IAR), SPURIOUS);
    gicc_wr(h.vcpu[1], GICC_EOIR, 1u << 10 | 3);
    /* SGI 9 to vCPU 0 from vCPUs 1 and 2: two acknowledges, lowest source first; the
     * second source waits for the deactivation */
    gicd_wr(h.vcpu[2], GICD_SGIR, 0x01u << 16 | 9);
    gicd_wr(h.vcpu[1], GICD_SGIR, 0x01u << 16 | 9);
    assert_int_equal(mmio(h.vcpu[0], DIST_BASE + GICD_SPENDSGIR + 9, 1, false, 0), 0x6);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_IAR), 1u << 10 | 9);
    assert_int_equal(mmio(h.vcpu[0], DIST_BASE + GICD_SPENDSGIR + 9, 1, false, 0), 0x4);
    assert_int_equal(gicd_rd(h.vcpu[0], GICD_ISACTIVER) >> 9 & 1, 1);
    assert_int_equal(gicd_rd(h.vcpu[0], GICD_ISPENDR) >> 9 & 1, 1);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_IAR), SPURIOUS);
    gicc_wr(h.vcpu[0], GICC_EOIR, 1u << 10 | 9);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_IAR), 2u << 10 | 9);
    gicc_wr(h.vcpu[0], GICC_EOIR, 2u << 10 | 9);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_IAR), SPURIOUS);
    /* the guest's ISPENDR0 / ICPENDR0 SGI bits are WI; a CPENDSGIR byte clears a source */
    gicd_wr(h.vcpu[0], GICD_ISPENDR, 1u << 2);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_HPPIR), SPURIOUS);
    gicd_wr(h.vcpu[1], GICD_SGIR, 0x01u << 16 | 2);
    gicd_wr(h.vcpu[0], GICD_ICPENDR, 1u << 2);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_HPPIR), 1u << 10 | 2);
    mmio(h.vcpu[0], DIST_BASE + GICD_CPENDSGIR + 2, 1, true, 0x2);
    assert_int_equal(gicc_rd(h.vcpu[0], GICC_HPPIR), SPURIOUS);
    vm_close(&h);
}

/* Priorities (5 bits), PMR, preemption by group priority and the binary points, RPR and
 * APR0; group 1 with AckCtl 0 is 1022 on GICC_IAR and taken by GICC_AIAR */
static void test_priorities_and_groups(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 1, true);
    int c = h.vcpu[0];
    guest_setup(&h);
    enable_irq(&h, 0, 33, 0x80);
    enable_irq(&h, 0, 34, 0x40);
    enable_irq(&h, 0, 35, 0x47); /* priority 0x40 once the low bits go */
    assert_int_equal(mmio(c, DIST_BASE + GICD_IPRIORITYR + 35, 1, false, 0), 0x40);
    gicd_wr(c, GICD_ISPENDR + 4, 1u << 1);
    assert_int_equal(gicc_rd(c, GICC_IAR), 33);
    assert_int_equal(gicc_rd(c, GICC_RPR), 0x80);
    assert_int_equal(gicc_rd(c, GICC_APR0), 1u << 16);
    /* 0x40 preempts 0x80; the second 0x40 does not preempt the first */
    gicd_wr(c, GICD_ISPENDR + 4, 1u << 2 | 1u << 3);
    assert_int_equal(gicc_rd(c, GICC_IAR), 34);
    assert_int_equal(gicc_rd(c, GICC_RPR), 0x40);
    assert_int_equal(gicc_rd(c, GICC_IAR), SPURIOUS);
    assert_int_equal(gicc_rd(c, GICC_HPPIR), 35);
    gicc_wr(c, GICC_EOIR, 34);
    assert_int_equal(gicc_rd(c, GICC_IAR), 35);
    gicc_wr(c, GICC_EOIR, 35);
    assert_int_equal(gicc_rd(c, GICC_RPR), 0x80);
    gicc_wr(c, GICC_EOIR, 33);
    assert_int_equal(gicc_rd(c, GICC_RPR), 0xff);
    assert_int_equal(gicc_rd(c, GICC_APR0), 0);
    /* BPR 7: one group priority, no preemption */
    gicc_wr(c, GICC_BPR, 7);
    gicd_wr(c, GICD_ISPENDR + 4, 1u << 1);
    assert_int_equal(gicc_rd(c, GICC_IAR), 33);
    gicd_wr(c, GICD_ISPENDR + 4, 1u << 2);
    assert_int_equal(gicc_rd(c, GICC_IAR), SPURIOUS);
    gicc_wr(c, GICC_EOIR, 33);
    assert_int_equal(gicc_rd(c, GICC_IAR), 34);
    gicc_wr(c, GICC_EOIR, 34);
    /* PMR masks priorities at or above it */
    gicc_wr(c, GICC_PMR, 0x40);
    gicd_wr(c, GICD_ISPENDR + 4, 1u << 2);
    assert_int_equal(gicc_rd(c, GICC_IAR), SPURIOUS);
    gicc_wr(c, GICC_PMR, 0x48);
    assert_int_equal(gicc_rd(c, GICC_IAR), 34);
    gicc_wr(c, GICC_EOIR, 34);
    gicc_wr(c, GICC_PMR, 0xff);
    /* group 1: needs EnableGrp1; IAR gives 1022 without AckCtl, AIAR takes it */
    gicd_wr(c, GICD_IGROUPR + 4, 1u << 1);
    gicc_wr(c, GICC_CTLR, 1);
    gicd_wr(c, GICD_ISPENDR + 4, 1u << 1);
    assert_int_equal(gicc_rd(c, GICC_HPPIR), SPURIOUS);
    gicc_wr(c, GICC_CTLR, 3);
    assert_int_equal(gicc_rd(c, GICC_HPPIR), 1022);
    assert_int_equal(gicc_rd(c, GICC_IAR), 1022);
    assert_int_equal(gicc_rd(c, GICC_AIAR), 33);
    gicc_wr(c, GICC_AEOIR, 33);
    gicd_wr(c, GICD_ISPENDR + 4, 1u << 1);
    gicc_wr(c, GICC_CTLR, 3 | 1u << 2); /* AckCtl */
    assert_int_equal(gicc_rd(c, GICC_IAR), 33);
    gicc_wr(c, GICC_EOIR, 33);
    assert_int_equal(gicd_rd(c, GICD_ISACTIVER + 4), 0);
    vm_close(&h);
}

/* EOImode 1: EOIR drops the priority, GICC_DIR deactivates; the IOE_VCPU_ACK/EOI/DIR
 * requests do the same through the CPU interface */
static void test_eoimode(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 1, true);
    int c = h.vcpu[0];
    guest_setup(&h);
    gicc_wr(c, GICC_CTLR, 3 | 1u << 9);
    enable_irq(&h, 0, 36, 0x20);
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 36, 1));
    assert_int_equal(gicc_rd(c, GICC_IAR), 36);
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 36, 0)); /* level: no longer pending */
    gicc_wr(c, GICC_EOIR, 36);
    assert_int_equal(gicc_rd(c, GICC_RPR), 0xff);
    assert_int_equal(gicd_rd(c, GICD_ISACTIVER + 4) >> 4 & 1, 1);
    gicc_wr(c, GICC_DIR, 36);
    assert_int_equal(gicd_rd(c, GICD_ISACTIVER + 4) >> 4 & 1, 0);
    /* with EOImode 0, GICC_DIR does nothing */
    gicc_wr(c, GICC_CTLR, 3);
    gicd_wr(c, GICD_ISACTIVER + 4, 1u << 4);
    gicc_wr(c, GICC_DIR, 36);
    assert_int_equal(gicd_rd(c, GICD_ISACTIVER + 4) >> 4 & 1, 1);
    gicd_wr(c, GICD_ISACTIVER + 4 + 0x80, 1u << 4); /* ICACTIVER */
    /* the vCPU requests */
    gicc_wr(c, GICC_CTLR, 3 | 1u << 9);
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 36, 1));
    struct ioe_irq irq;
    assert_ok(ioe_ioctl(c, IOE_VCPU_ACK, &irq));
    assert_int_equal(irq.intid, 36);
    assert_int_equal(irq.group, 0);
    assert_int_equal(irq.priority, 0x20);
    assert_ok(ioe_ioctl(c, IOE_VCPU_EOI, &irq));
    assert_int_equal(gicd_rd(c, GICD_ISACTIVER + 4) >> 4 & 1, 1);
    assert_ok(ioe_ioctl(c, IOE_VCPU_DIR, &irq));
    assert_int_equal(gicd_rd(c, GICD_ISACTIVER + 4) >> 4 & 1, 0);
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 36, 0));
    uint64_t sgir = 2u << 24 | 11;
    assert_ok(ioe_ioctl(c, IOE_VCPU_SGI, &sgir));
    assert_ok(ioe_ioctl(c, IOE_VCPU_ACK, &irq));
    assert_int_equal(irq.intid, 11);
    struct ioe_sysreg sr = {.enc = 0xc660, .is_write = 0, .value = 0};
    assert_err(ENXIO, ioe_ioctl(c, IOE_VCPU_SYSREG, &sr));
    vm_close(&h);
}

/* KVM_IRQFD on a GICv2 VM: EAGAIN until INIT (kvm_arch_intc_initialized is
 * vgic_initialized), then GSI n is SPI n + 32. A resampling irqfd holds a level-triggered SPI
 * until the guest deactivates it (GICC_EOIR, or GICC_DIR with EOImode 1; the frame's MMIO or
 * the vCPU requests), then the SPI is lowered and the resamplefd signalled, as KVM's
 * vgic_v2_fold_lr_state does. */
static void test_irqfd_resample(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 1, false);
    int c = h.vcpu[0];
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    uint64_t n = 0;
    struct pollfd p = {.fd = c, .events = POLLIN};
    struct ioe_irq irq;
    assert_err(EAGAIN, irqfd_req(h.vm, efd, 4, KVM_IRQFD_FLAG_RESAMPLE, rfd));
    assert_ok(init_gic(h.dev));
    guest_setup(&h);
    enable_irq(&h, 0, 36, 0x20);
    assert_ok(irqfd_req(h.vm, efd, 4, KVM_IRQFD_FLAG_RESAMPLE, rfd));
    for (int round = 0; round < 2; round++) {
        kick(efd);
        assert_int_equal(poll(&p, 1, 5000), 1);
        assert_int_equal(gicc_rd(c, GICC_IAR), 36);
        assert_int_equal(read(rfd, &n, sizeof(n)), -1); /* held while active */
        gicc_wr(c, GICC_EOIR, 36);
        assert_int_equal(read(rfd, &n, sizeof(n)), sizeof(n));
        assert_int_equal(gicc_rd(c, GICC_IAR), SPURIOUS); /* lowered */
    }
    gicc_wr(c, GICC_CTLR, 3 | 1u << 9); /* EOImode 1: the EOI drops the priority only */
    kick(efd);
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_ok(ioe_ioctl(c, IOE_VCPU_ACK, &irq));
    assert_int_equal(irq.intid, 36);
    assert_ok(ioe_ioctl(c, IOE_VCPU_EOI, &irq));
    assert_int_equal(read(rfd, &n, sizeof(n)), -1);
    assert_ok(ioe_ioctl(c, IOE_VCPU_DIR, &irq));
    assert_int_equal(read(rfd, &n, sizeof(n)), sizeof(n));
    close(efd);
    close(rfd);
    vm_close(&h);
}

/* Bad input: seeded random guest accesses of every width anywhere in both frames and random
 * register attributes of every vCPU id, offset and value. Nothing fails but what the
 * reference says, and afterwards the state is consistent (an SGI's pending bit is set
 * exactly while it has a source) and the VM still delivers an interrupt. */
static void test_random_accesses(void **state)
{
    (void)state;
    NEED_V2();
    struct vmh h;
    vm_build(&h, 3, true);
    uint64_t rs = tt_seed(0x76326762);
    uint64_t ops = tt_ops(4000);
    static const unsigned lens[] = {1, 2, 4, 8, 3};
    for (uint64_t i = 0; i < ops; i++) {
        uint32_t kind = tt_pick(&rs, 4), val = (uint32_t)tt_rand(&rs);
        int fd = h.vcpu[tt_pick(&rs, 3)];
        uint32_t off = tt_pick(&rs, 8) ? tt_pick(&rs, 0x1000) : tt_pick(&rs, 0x3000);
        if (kind < 2) {
            unsigned len = lens[tt_pick(&rs, 5)];
            uint64_t gpa = (kind ? CPU_BASE : DIST_BASE) + off;
            struct ioe_mmio m = {.gpa = gpa, .len = len, .is_write = tt_pick(&rs, 2), .data = val};
            int r = ioe_ioctl(fd, IOE_MMIO, &m);
            bool in_frame = off < (kind ? 0x2000u : 0x1000u);
            if (!in_frame)
                assert_true(r == -1 && errno == ENXIO);
            else if (len == 3)
                assert_true(r == -1 && errno == EINVAL);
            else
                assert_int_equal(r, 0);
        } else {
            uint32_t group =
                kind == 2 ? KVM_DEV_ARM_VGIC_GRP_DIST_REGS : KVM_DEV_ARM_VGIC_GRP_CPU_REGS;
            uint32_t id = tt_pick(&rs, 8) ? tt_pick(&rs, 3) : tt_pick(&rs, 256);
            uint64_t attr = cpuid(id) | (tt_pick(&rs, 8) ? off & ~3u : off);
            uint32_t v = val;
            int r = dattr(h.dev, tt_pick(&rs, 2) ? KVM_SET_DEVICE_ATTR : KVM_GET_DEVICE_ATTR, group,
                          attr, &v);
            if (id >= 3)
                assert_true(r == -1 && errno == EINVAL);
            else if (r != 0)
                assert_true(errno == EINVAL && kind == 2 && (attr & 0xffffffffu) == GICD_IIDR);
        }
    }
    for (uint32_t c = 0; c < 3; c++) {
        uint32_t pend = dist_get(h.dev, c, GICD_ISPENDR) & 0xffff;
        for (uint32_t sgi = 0; sgi < 16; sgi++) {
            uint32_t src =
                dist_get(h.dev, c, GICD_SPENDSGIR + (sgi & ~3u)) >> (8 * (sgi % 4)) & 0xff;
            assert_int_equal(pend >> sgi & 1, src != 0);
        }
    }
    /* the VM still works: a clean SPI to vCPU 2 */
    assert_ok(dist_set(h.dev, 0, GICD_CTLR, 1));
    assert_ok(cpu_set(h.dev, 2, GICC_CTLR, 3));
    assert_ok(cpu_set(h.dev, 2, GICC_PMR, 0x1f));
    assert_ok(cpu_set(h.dev, 2, GICC_APR0, 0));
    assert_ok(dist_set(h.dev, 0, GICD_ICACTIVER_SPI, 1u << 9));
    assert_ok(dist_set(h.dev, 0, GICD_ITARGETSR + 40, 0x04040404));
    assert_ok(dist_set(h.dev, 0, GICD_IPRIORITYR + 40, 0));
    assert_ok(dist_set(h.dev, 0, GICD_ISENABLER + 4, 1u << 9));
    assert_ok(dist_set(h.dev, 0, GICD_ICFGR + 8, 0));
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 41, 1));
    for (uint32_t n = 0; n < 32; n++) { /* whatever else the random run left pending */
        uint32_t ia = gicc_rd(h.vcpu[2], GICC_AIAR);
        if (ia == SPURIOUS)
            ia = gicc_rd(h.vcpu[2], GICC_IAR);
        if ((ia & 0x3ff) == 41)
            break;
        assert_true((ia & 0x3ff) < 1020);
        gicc_wr(h.vcpu[2], GICC_EOIR, ia);
        gicc_wr(h.vcpu[2], GICC_DIR, ia);
        assert_true(n < 31);
    }
    vm_close(&h);
}

/* ================================================================== migration */
/* QEMU's hw/intc/arm_gic_kvm.c: the register lists of kvm_arm_gic_get / kvm_arm_gic_put.
 * A distributor list entry is {offset, bits per interrupt, first INTID}; registers of
 * INTIDs 0..31 are read and written once per vCPU. */
struct dist_reg {
    uint32_t off, bits;
};

#define NR_IRQS_MIG 96
#define NR_VCPUS_MIG 3

/* kvm_arm_gic_put order (after GICD_IIDR, which makes the groups writable) */
static const struct dist_reg put_order[] = {
    {0x080, 1}, /* IGROUPR */
    {0x180, 1}, /* ICENABLER: clear */
    {0x100, 1}, /* ISENABLER */
    {0xc00, 2}, /* ICFGR */
    {0x280, 1}, /* ICPENDR: clear */
    {0x200, 1}, /* ISPENDR */
    {0x380, 1}, /* ICACTIVER: clear */
    {0x300, 1}, /* ISACTIVER */
    {0x800, 8}, /* ITARGETSR */
    {0x400, 8}, /* IPRIORITYR */
    {0xf10, 8}, /* CPENDSGIR: clear */
    {0xf20, 8}, /* SPENDSGIR */
};
static const uint32_t cpu_order[] = {GICC_CTLR, GICC_PMR, GICC_BPR, GICC_ABPR,
                                     GICC_APR0, 0xd4,     0xd8,     0xdc};

static bool clears(uint32_t off)
{
    return off == 0x180 || off == 0x280 || off == 0x380 || off == 0xf10;
}

/* the words of one register for one vCPU's view: INTIDs 0..31 banked, then the SPIs once */
static uint32_t nr_words(const struct dist_reg *r, bool banked)
{
    uint32_t per = 32 / r->bits;
    if (r->off >= 0xf10)
        return banked ? 4 : 0;
    return banked ? 32 / per : (NR_IRQS_MIG - 32) / per;
}

static uint32_t word_off(const struct dist_reg *r, bool banked, uint32_t k)
{
    uint32_t per = 32 / r->bits;
    return r->off + 4 * (banked || r->off >= 0xf10 ? k : 32 / per + k);
}

/* every register of the saved state, in kvm_arm_gic_get's order (the put list without the
 * clears), read through the userspace view */
struct v2_state {
    uint32_t w[256];
    unsigned n;
};

static void save(int dev, struct v2_state *st)
{
    st->n = 0;
    st->w[st->n++] = dist_get(dev, 0, GICD_CTLR);
    for (size_t i = 0; i < sizeof(put_order) / sizeof(put_order[0]); i++) {
        const struct dist_reg *r = &put_order[i];
        if (clears(r->off))
            continue;
        for (uint32_t c = 0; c < NR_VCPUS_MIG; c++)
            for (uint32_t k = 0; k < nr_words(r, true); k++)
                st->w[st->n++] = dist_get(dev, c, word_off(r, true, k));
        for (uint32_t k = 0; k < nr_words(r, false); k++)
            st->w[st->n++] = dist_get(dev, 0, word_off(r, false, k));
    }
    for (uint32_t c = 0; c < NR_VCPUS_MIG; c++)
        for (size_t i = 0; i < sizeof(cpu_order) / sizeof(cpu_order[0]); i++)
            st->w[st->n++] = cpu_get(dev, c, cpu_order[i]);
    assert_true(st->n <= sizeof(st->w) / sizeof(st->w[0]));
}

static void restore(int dev, const struct v2_state *st)
{
    unsigned n = 0;
    assert_ok(dist_set(dev, 0, GICD_IIDR, GICD_IIDR_KVM));
    assert_ok(dist_set(dev, 0, GICD_CTLR, st->w[n++]));
    for (size_t i = 0; i < sizeof(put_order) / sizeof(put_order[0]); i++) {
        const struct dist_reg *r = &put_order[i];
        uint32_t ones = r->bits == 1 ? ~0u : r->off == 0xf10 ? ~0u : 0;
        for (uint32_t c = 0; c < NR_VCPUS_MIG; c++)
            for (uint32_t k = 0; k < nr_words(r, true); k++)
                assert_ok(
                    dist_set(dev, c, word_off(r, true, k), clears(r->off) ? ones : st->w[n++]));
        for (uint32_t k = 0; k < nr_words(r, false); k++)
            assert_ok(dist_set(dev, 0, word_off(r, false, k), clears(r->off) ? ones : st->w[n++]));
    }
    for (uint32_t c = 0; c < NR_VCPUS_MIG; c++)
        for (size_t i = 0; i < sizeof(cpu_order) / sizeof(cpu_order[0]); i++)
            assert_ok(cpu_set(dev, c, cpu_order[i], st->w[n++]));
    assert_int_equal(n, st->n);
}

/* A v2 VM with pending, active, grouped, retargeted interrupts, SGIs pending from several
 * sources and CPU interfaces in every mode goes from src to dst in QEMU's order: dst then
 * reads the same registers, and its guests acknowledge the same interrupts in the same
 * order (IAR values, sources included) */
static void test_migrate_qemu_order(void **state)
{
    const struct tt_pair *p = *state;
    target = p->src;
    bool src_ok = v2_on_target();
    target = p->dst;
    if (!src_ok || !v2_on_target())
        skip();
    struct vmh a, b;
    target = p->src;
    vm_build(&a, NR_VCPUS_MIG, false);
    assert_ok(set_u32(a.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, NR_IRQS_MIG));
    assert_ok(init_gic(a.dev));
    int *c = a.vcpu;
    guest_setup(&a);
    assert_ok(dist_set(a.dev, 0, GICD_IIDR, GICD_IIDR_KVM));
    gicd_wr(c[0], GICD_IGROUPR + 4, 0x0000f000); /* SPIs 44..47 group 1 */
    gicd_wr(c[1], GICD_IGROUPR, 1u << 20);       /* PPI 20 of vCPU 1 group 1 */
    for (uint32_t i = 32; i < NR_IRQS_MIG; i += 3)
        enable_irq(&a, 0, i, (uint8_t)(0x10 + (i * 8) % 0xe0));
    enable_irq(&a, 1, 20, 0x30);
    enable_irq(&a, 2, 27, 0x18);
    gicd_wr(c[0], GICD_ICFGR + 8, 0xaaaaaaaa); /* SPIs 32..47 edge */
    for (uint32_t i = 32; i < NR_IRQS_MIG; i++)
        mmio(c[0], DIST_BASE + GICD_ITARGETSR + i, 1, true, 1u << (i % 3) | (i % 5 == 0 ? 6 : 0));
    gicd_wr(c[0], GICD_ISPENDR + 4, 0x0000f249);
    gicd_wr(c[0], GICD_ISPENDR + 8, 0x81010101);
    gicd_wr(c[1], GICD_ISPENDR, 1u << 20);
    gicd_wr(c[2], GICD_ISPENDR, 1u << 27);
    gicd_wr(c[0], GICD_SGIR, 0x06u << 16 | 4);       /* SGI 4 to vCPUs 1, 2 from 0 */
    gicd_wr(c[2], GICD_SGIR, 0x02u << 16 | 4);       /* and to vCPU 1 from 2 */
    gicd_wr(c[1], GICD_SGIR, 1u << 24 | 13);         /* SGI 13 to 0 and 2 from 1 */
    gicc_wr(c[1], GICC_CTLR, 3 | 1u << 2 | 1u << 4); /* AckCtl, CBPR */
    gicc_wr(c[1], GICC_ABPR, 5);                     /* kept under CBPR */
    gicc_wr(c[2], GICC_CTLR, 3 | 1u << 9 | 1u << 3); /* EOImode 1, FIQEn */
    gicc_wr(c[2], GICC_PMR, 0xc8);
    gicc_wr(c[0], GICC_BPR, 4);
    /* some interrupts active: one acknowledged on each vCPU, vCPU 2's left active after
     * its EOI (EOImode 1) */
    uint32_t first[NR_VCPUS_MIG];
    for (int k = 0; k < NR_VCPUS_MIG; k++)
        first[k] = gicc_rd(c[k], GICC_IAR);
    gicc_wr(c[2], GICC_EOIR, first[2]);
    struct v2_state sa, sb;
    save(a.dev, &sa);

    target = p->dst;
    vm_build(&b, NR_VCPUS_MIG, false);
    assert_ok(set_u32(b.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, NR_IRQS_MIG));
    assert_ok(init_gic(b.dev));
    restore(b.dev, &sa);
    save(b.dev, &sb);
    for (unsigned i = 0; i < sa.n; i++)
        if (sa.w[i] != sb.w[i])
            fail_msg("saved word %u: %s 0x%08x, %s 0x%08x", i, p->src, sa.w[i], p->dst, sb.w[i]);
    /* the guests go on alike: acknowledge and complete everything, both VMs in step */
    for (int k = 0; k < NR_VCPUS_MIG; k++) {
        gicc_wr(a.vcpu[k], GICC_PMR, 0xff);
        gicc_wr(b.vcpu[k], GICC_PMR, 0xff);
        if (k != 2) {
            gicc_wr(a.vcpu[k], GICC_EOIR, first[k]);
            gicc_wr(b.vcpu[k], GICC_EOIR, first[k]);
        }
    }
    gicc_wr(a.vcpu[2], GICC_DIR, first[2]);
    gicc_wr(b.vcpu[2], GICC_DIR, first[2]);
    unsigned taken = 0;
    for (int round = 0; round < 64; round++) {
        for (int k = 0; k < NR_VCPUS_MIG; k++) {
            uint32_t ia = gicc_rd(a.vcpu[k], GICC_AIAR), ib = gicc_rd(b.vcpu[k], GICC_AIAR);
            if (ia == SPURIOUS) {
                ia = gicc_rd(a.vcpu[k], GICC_IAR);
                ib = gicc_rd(b.vcpu[k], GICC_IAR);
            }
            assert_int_equal(ia, ib);
            if ((ia & 0x3ff) >= 1020)
                continue;
            taken++;
            gicc_wr(a.vcpu[k], GICC_EOIR, ia);
            gicc_wr(b.vcpu[k], GICC_EOIR, ia);
            gicc_wr(a.vcpu[k], GICC_DIR, ia);
            gicc_wr(b.vcpu[k], GICC_DIR, ia);
        }
    }
    assert_true(taken >= 10);
    vm_close(&a);
    vm_close(&b);
}

static int group_setup(void **state)
{
    (void)state;
    page_none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return page_none == MAP_FAILED ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    munmap(page_none, 4096);
    return 0;
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
#define T(f) TT_TARGET_TEST_SETUP_TEARDOWN(f, use_target, NULL)
    const struct CMUnitTest tests[] = {
        T(test_create),
        T(test_addr),
        T(test_nr_irqs_and_ctrl),
        T(test_regs_access_rules),
        T(test_dist_regs),
        T(test_cpu_regs),
        T(test_has_attr),
        T(test_first_run),
        T(test_irq_line),
        T(test_spi_targets),
        T(test_sgi_filters_and_sources),
        T(test_priorities_and_groups),
        T(test_eoimode),
        T(test_irqfd_resample),
        T(test_random_accesses),
        TT_PAIR_TEST(test_migrate_qemu_order),
    };
    return tt_run_tests("vgic_v2_api", tests, group_setup, group_teardown);
}
