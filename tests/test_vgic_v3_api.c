/*
 * The KVM-compatible API of libioe against the reference of /work/shared/reference/
 * kvm-arm-abi.md (sections 1, 2, 3 and 7), Documentation/virt/kvm/devices/
 * arm-vgic-v3.rst and vcpu.rst: directed tests for every attribute and every errno row
 * that applies to a VGICv3 VM, on every target of IOE_TEST_TARGETS (tests/targets.h). Each
 * test names the reference row it checks ("ref 3.3/4" = section 3.3, row 4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "arm64_vcpu.h"
#include "assert_errno.h"
#include "targets.h"
#include "vgic_attr.h"

/* ------------------------------------------------------------------ constants */
#define SZ_64K 0x10000ull
#define RD_SZ 0x20000ull
#define DIST_BASE 0x08000000ull
#define RD_BASE 0x080a0000ull
#define BAD_PTR ((void *)8)

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_STATUSR 0x0010
#define GICD_ISENABLER 0x0100
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8
#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_STATUSR 0x0010
#define GICR_WAKER 0x0014
#define GICR_PROPBASER 0x0070
#define GICR_SGI 0x10000
#define GICR_ISENABLER0 (GICR_SGI + 0x100)
#define GICR_ISPENDR0 (GICR_SGI + 0x200)
#define GICR_ICPENDR0 (GICR_SGI + 0x280)
#define GICR_IPRIORITYR0 (GICR_SGI + 0x400)
#define GICR_ICFGR0 (GICR_SGI + 0xc00)

#define SYSREG(op0, op1, crn, crm, op2)                                                            \
    ((uint64_t)(op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
#define ICC_PMR SYSREG(3, 0, 4, 6, 0)
#define ICC_BPR0 SYSREG(3, 0, 12, 8, 3)
#define ICC_AP0R0 SYSREG(3, 0, 12, 8, 4)
#define ICC_AP0R1 SYSREG(3, 0, 12, 8, 5)
#define ICC_AP0R2 SYSREG(3, 0, 12, 8, 6)
#define ICC_AP0R3 SYSREG(3, 0, 12, 8, 7)
#define ICC_AP1R0 SYSREG(3, 0, 12, 9, 0)
#define ICC_AP1R1 SYSREG(3, 0, 12, 9, 1)
#define ICC_AP1R2 SYSREG(3, 0, 12, 9, 2)
#define ICC_AP1R3 SYSREG(3, 0, 12, 9, 3)
#define ICC_IAR1 SYSREG(3, 0, 12, 12, 0)
#define ICC_BPR1 SYSREG(3, 0, 12, 12, 3)
#define ICC_CTLR SYSREG(3, 0, 12, 12, 4)
#define ICC_SRE SYSREG(3, 0, 12, 12, 5)
#define ICC_IGRPEN0 SYSREG(3, 0, 12, 12, 6)
#define ICC_IGRPEN1 SYSREG(3, 0, 12, 12, 7)

/* pages that are not readable / not writable (set up once) */
static void *page_none, *page_ro;

/* ------------------------------------------------------------------ small helpers */
/* KVM's reset_mpidr: Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12] (attr layout) */
static uint32_t aff_of(uint32_t id)
{
    return (id & 0xf) | ((id >> 4) & 0xff) << 8 | ((id >> 12) & 0xff) << 16;
}

static uint64_t mp(uint32_t id)
{
    return (uint64_t)aff_of(id) << 32;
}

static uint64_t region(uint64_t count, uint64_t base, uint64_t flags, uint64_t index)
{
    /* the selftests' REDIST_REGION_ATTR_ADDR (ref 1.6) */
    return count << 52 | ((base >> 16) << 16) | flags << 12 | index;
}

static int set_addr(int dev, uint64_t type, uint64_t val)
{
    return set_u64(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, type, val);
}

static uint64_t get_addr(int dev, uint64_t type)
{
    return get_u64(dev, KVM_DEV_ARM_VGIC_GRP_ADDR, type);
}

static int init_gic(int dev)
{
    return dattr(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
                 NULL);
}

static uint32_t dist_get(int dev, uint32_t off)
{
    return get_u32(dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, off);
}

static int dist_set(int dev, uint32_t off, uint32_t val)
{
    return set_u32(dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, off, val);
}

static uint32_t rd_get(int dev, uint32_t id, uint32_t off)
{
    return get_u32(dev, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, mp(id) | off);
}

static int rd_set(int dev, uint32_t id, uint32_t off, uint32_t val)
{
    return set_u32(dev, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, mp(id) | off, val);
}

static uint64_t sysreg_get(int dev, uint32_t id, uint64_t enc)
{
    return get_u64(dev, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, mp(id) | enc);
}

static int sysreg_set(int dev, uint32_t id, uint64_t enc, uint64_t val)
{
    return set_u64(dev, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, mp(id) | enc, val);
}

static uint64_t level_attr(uint32_t id, uint32_t info, uint32_t intid)
{
    return mp(id) | (uint64_t)info << KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT | intid;
}

static int irq_line(int vm, uint32_t type, uint32_t vidx, uint32_t num, uint32_t level)
{
    struct kvm_irq_level l;
    l.irq = (vidx >> 8 & KVM_ARM_IRQ_VCPU2_MASK) << KVM_ARM_IRQ_VCPU2_SHIFT |
            type << KVM_ARM_IRQ_TYPE_SHIFT |
            (vidx & KVM_ARM_IRQ_VCPU_MASK) << KVM_ARM_IRQ_VCPU_SHIFT | num;
    l.level = level;
    return ioe_ioctl(vm, KVM_IRQ_LINE, &l);
}

/* guest-view 32-bit access of the VM's frames */
static uint32_t mmio_read32(int vm, uint64_t gpa)
{
    struct ioe_mmio m = {.gpa = gpa, .len = 4, .is_write = 0, .data = 0};
    assert_ok(ioe_ioctl(vm, IOE_MMIO, &m));
    return (uint32_t)m.data;
}

static void mmio_write32(int vm, uint64_t gpa, uint32_t val)
{
    struct ioe_mmio m = {.gpa = gpa, .len = 4, .is_write = 1, .data = val};
    assert_ok(ioe_ioctl(vm, IOE_MMIO, &m));
}

static int run(int vcpu)
{
    return ioe_ioctl(vcpu, KVM_RUN, 0UL);
}

static int vcpu_exit(int vcpu)
{
    return ioe_ioctl(vcpu, IOE_VCPU_EXIT, 0UL);
}

static int timer_set(int vcpu, uint64_t attr, int irq)
{
    return dattr(vcpu, KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_TIMER_CTRL, attr, &irq);
}

static int timer_get(int vcpu, uint64_t attr)
{
    int irq = -1;
    assert_ok(dattr(vcpu, KVM_GET_DEVICE_ATTR, KVM_ARM_VCPU_TIMER_CTRL, attr, &irq));
    return irq;
}

/* ------------------------------------------------------------------ VM builder */
/* the target of the running test (use_target, its cmocka setup) */
static const char *target;

static int use_target(void **state)
{
    target = *state;
    return 0;
}

struct vmh {
    int sys, vm, dev;
    int vcpu[8];
    uint32_t id[8];
    unsigned n;
};

static void vm_open(struct vmh *h, unsigned long type)
{
    memset(h, 0xff, sizeof(*h));
    h->n = 0;
    h->sys = ioe_open(target);
    assert_true(h->sys >= 0);
    h->vm = ioe_ioctl(h->sys, KVM_CREATE_VM, type);
    assert_true(h->vm >= 0);
}

static int vm_add_vcpu(struct vmh *h, uint32_t id)
{
    int fd = ioe_ioctl(h->vm, KVM_CREATE_VCPU, (unsigned long)id);
    if (fd >= 0) {
        assert_int_equal(t_arm64_vcpu_init(h->vm, fd, (int)h->n, 0), 0);
        h->vcpu[h->n] = fd;
        h->id[h->n++] = id;
    }
    return fd;
}

static int vm_add_gic(struct vmh *h)
{
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3, .fd = 0, .flags = 0};
    int r = ioe_ioctl(h->vm, KVM_CREATE_DEVICE, &cd);
    if (r == 0)
        h->dev = (int)cd.fd;
    return r;
}

/* A VM (IPA 40) with vCPUs 0..n-1, a GICv3 with its distributor at DIST_BASE and the
 * legacy redistributor region at RD_BASE, initialised when `init`. */
static void vm_build(struct vmh *h, unsigned n, bool init)
{
    vm_open(h, 0);
    for (unsigned i = 0; i < n; i++)
        assert_true(vm_add_vcpu(h, i) >= 0);
    assert_ok(vm_add_gic(h));
    assert_ok(set_addr(h->dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    assert_ok(set_addr(h->dev, KVM_VGIC_V3_ADDR_TYPE_REDIST, RD_BASE));
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

/* ================================================================== system descriptor */
static void test_api_version_and_extensions(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    assert_int_equal(ioe_ioctl(h.sys, KVM_GET_API_VERSION, 0UL), KVM_API_VERSION);
    assert_int_equal(KVM_API_VERSION, 12);
    assert_err(EINVAL, ioe_ioctl(h.sys, KVM_GET_API_VERSION, 1UL));
    int fds[2] = {h.sys, h.vm};
    for (int i = 0; i < 2; i++) {
        int fd = fds[i];
        assert_int_equal(ioe_ioctl(fd, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_IRQCHIP), 1);
        assert_int_equal(ioe_ioctl(fd, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_DEVICE_CTRL), 1);
        assert_int_equal(ioe_ioctl(fd, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_SIGNAL_MSI), 1);
        assert_int_equal(ioe_ioctl(fd, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_ARM_VM_IPA_SIZE),
                         48);
        assert_int_equal(ioe_ioctl(fd, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_MAX_VCPUS), 8);
        assert_int_equal(
            ioe_ioctl(fd, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_ARM_IRQ_LINE_LAYOUT_2), 1);
        assert_int_equal(ioe_ioctl(fd, KVM_CHECK_EXTENSION, 0x7fffffUL), 0);
    }
    vm_close(&h);
}

static void test_ebadf(void **state)
{
    (void)state;
    int fd = open("/dev/null", O_RDONLY);
    assert_true(fd >= 0);
    assert_err(EBADF, ioe_ioctl(fd, KVM_GET_API_VERSION, 0UL));
    assert_err(EBADF, ioe_ioctl(-1, KVM_GET_API_VERSION, 0UL));
    assert_err(EBADF, ioe_ioctl(100000, KVM_GET_API_VERSION, 0UL));
    assert_err(EBADF, ioe_close(fd));
    close(fd);
    int s = ioe_open(target);
    assert_true(s >= 0);
    assert_ok(ioe_close(s));
    assert_err(EBADF, ioe_ioctl(s, KVM_GET_API_VERSION, 0UL));
    assert_err(ENODEV, ioe_open("nosuchtarget"));
}

/* KVM_CREATE_VM: kvm_arm_setup_stage2. The IPA size is observed through GRP_ADDR's E2BIG
 * (ref 3.2, vgic_check_iorange row 4) and the memslot EFAULT. */
static void test_create_vm_ipa(void **state)
{
    (void)state;
    static const struct {
        unsigned long type;
        unsigned bits;
    } ok[] = {{0, 40}, {32, 32}, {33, 33}, {40, 40}, {44, 44}, {48, 48}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct vmh h;
        vm_open(&h, ok[i].type);
        assert_ok(vm_add_gic(&h));
        uint64_t top = 1ull << ok[i].bits;
        assert_err(E2BIG, set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, top));
        assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, top - SZ_64K));
        assert_int_equal(get_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST), top - SZ_64K);
        vm_close(&h);
    }
    int sys = ioe_open(target);
    assert_true(sys >= 0);
    static const unsigned long bad[] = {
        1, 31, 49, 64, 255, 0x100, 0x100 | 40, 1ul << 31, 1ul << 40 | 40};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_err(EINVAL, ioe_ioctl(sys, KVM_CREATE_VM, bad[i]));
    assert_ok(ioe_close(sys));
}

/* The card has 8 VM contexts: the 9th VM gets ENOSPC; a context is freed when the VM is
 * gone (every descriptor that needs it closed). */
static void test_create_vm_contexts(void **state)
{
    (void)state;
    int sys = ioe_open(target);
    assert_true(sys >= 0);
    int vm[8];
    for (int i = 0; i < 8; i++) {
        vm[i] = ioe_ioctl(sys, KVM_CREATE_VM, 0UL);
        assert_true(vm[i] >= 0);
    }
    assert_err(ENOSPC, ioe_ioctl(sys, KVM_CREATE_VM, 0UL));
    /* bad types are refused before the context search */
    assert_err(EINVAL, ioe_ioctl(sys, KVM_CREATE_VM, 31UL));
    assert_ok(ioe_close(vm[3]));
    vm[3] = ioe_ioctl(sys, KVM_CREATE_VM, 0UL);
    assert_true(vm[3] >= 0);
    assert_err(ENOSPC, ioe_ioctl(sys, KVM_CREATE_VM, 0UL));
    /* a vCPU descriptor keeps its VM (and its context) alive */
    int vcpu = ioe_ioctl(vm[5], KVM_CREATE_VCPU, 0UL);
    assert_true(vcpu >= 0);
    assert_ok(ioe_close(vm[5]));
    assert_err(ENOSPC, ioe_ioctl(sys, KVM_CREATE_VM, 0UL));
    assert_ok(ioe_close(vcpu));
    vm[5] = ioe_ioctl(sys, KVM_CREATE_VM, 0UL);
    assert_true(vm[5] >= 0);
    for (int i = 0; i < 8; i++)
        assert_ok(ioe_close(vm[i]));
    assert_ok(ioe_close(sys));
}

/* ================================================================== KVM_CREATE_VCPU */
static void test_create_vcpu(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    assert_err(EINVAL, vm_add_vcpu(&h, 512));
    assert_err(EINVAL, vm_add_vcpu(&h, 0xffffffffu));
    assert_true(vm_add_vcpu(&h, 511) >= 0);
    assert_err(EEXIST, vm_add_vcpu(&h, 511));
    for (uint32_t id = 0; id < 7; id++)
        assert_true(vm_add_vcpu(&h, id) >= 0);
    /* the card has 8 vCPUs per VM: the count check comes before the duplicate check */
    assert_err(EINVAL, vm_add_vcpu(&h, 7));
    assert_err(EINVAL, vm_add_vcpu(&h, 3));
    assert_err(EINVAL, vm_add_vcpu(&h, 512));
    vm_close(&h);
}

static void test_create_vcpu_after_init(void **state)
{
    (void)state;
    struct vmh h;
    vm_build(&h, 2, true);
    /* kvm_arch_vcpu_precreate: EBUSY once the VGIC is initialised (ref 3.5) */
    assert_err(EBUSY, vm_add_vcpu(&h, 5));
    assert_err(EBUSY, vm_add_vcpu(&h, 1)); /* before the duplicate check */
    assert_err(EINVAL, vm_add_vcpu(&h, 512));
    vm_close(&h);
}

/* vcpu id -> MPIDR (reset_mpidr), seen in GICR_TYPER[63:32] (ref 3.6 key values) */
static void test_mpidr_affinity(void **state)
{
    (void)state;
    static const uint32_t ids[] = {0, 5, 0x10, 0x1f, 0x23, 0x123, 0x1ff};
    const unsigned n = sizeof(ids) / sizeof(ids[0]);
    struct vmh h;
    vm_open(&h, 0);
    for (unsigned i = 0; i < n; i++)
        assert_true(vm_add_vcpu(&h, ids[i]) >= 0);
    assert_ok(vm_add_gic(&h));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_REDIST, RD_BASE));
    assert_ok(init_gic(h.dev));
    assert_int_equal(aff_of(0x123), 0x1203);
    assert_int_equal(aff_of(0x1ff), 0x1f0f);
    for (unsigned i = 0; i < n; i++) {
        uint32_t hi = rd_get(h.dev, ids[i], GICR_TYPER + 4);
        uint32_t lo = rd_get(h.dev, ids[i], GICR_TYPER);
        assert_int_equal(hi, (ids[i] & 0xf) | ((ids[i] >> 4) & 0xff) << 8);
        assert_int_equal(lo >> 8 & 0xffff, ids[i]); /* Processor_Number = vcpu id */
        assert_int_equal(lo & 1, 0);                /* no PLPIS without an ITS */
        /* the legacy region: Last only on the last created vCPU (ref 3.3) */
        assert_int_equal(lo >> 4 & 1, i == n - 1);
        /* frames are given in creation order (ref 3.3 "Placement") */
        assert_int_equal(mmio_read32(h.vm, RD_BASE + i * RD_SZ + GICR_TYPER + 4), hi);
    }
    /* an MPIDR that names no vCPU (id 1 does not exist) */
    assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
                             mp(1) | GICR_TYPER, &(uint32_t){0}));
    /* Aff3 set: no vCPU has it */
    assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
                             mp(5) | 1ull << 56 | GICR_TYPER, &(uint32_t){0}));
    vm_close(&h);
}

/* ================================================================== memory slots */
static int memslot(int vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size, void *hva)
{
    struct kvm_userspace_memory_region r = {.slot = slot,
                                            .flags = flags,
                                            .guest_phys_addr = gpa,
                                            .memory_size = size,
                                            .userspace_addr = (uint64_t)(uintptr_t)hva};
    return ioe_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

static void test_memory_region(void **state)
{
    (void)state;
    const size_t len = 0x10000;
    uint8_t *mem = ioe_mem_alloc(len); /* every target reaches it, out of process too */
    assert_non_null(mem);
    uint8_t *mem2 = mem + 0x8000;
    struct vmh h;
    vm_open(&h, 0); /* IPA 40 */
    const uint64_t G = 0x100000, top = 1ull << 40;

    /* __kvm_set_memory_region: sanity checks, all EINVAL */
    assert_err(EINVAL, memslot(h.vm, 0, 1u << 2, G, 0x4000, mem));   /* unknown flag */
    assert_err(EINVAL, memslot(h.vm, 0, 1u << 31, G, 0x4000, mem));  /* unknown flag */
    assert_err(EINVAL, memslot(h.vm, 0, 0, G, 0x4001, mem));         /* size */
    assert_err(EINVAL, memslot(h.vm, 0, 0, G + 0x800, 0x4000, mem)); /* gpa */
    assert_err(EINVAL, memslot(h.vm, 0, 0, G, 0x4000, mem + 8));     /* hva */
    assert_err(EINVAL, memslot(h.vm, 512, 0, G, 0x4000, mem));       /* slot id */
    assert_err(EINVAL, memslot(h.vm, 1u << 16, 0, G, 0x4000, mem));  /* address space 1 */
    assert_err(EINVAL, memslot(h.vm, 0, 0, ~0xfffull, 0x2000, mem)); /* gpa + size wraps */
    assert_err(EINVAL, memslot(h.vm, 0, 0, G, 0, mem));              /* delete a missing slot */
    assert_err(EFAULT, ioe_ioctl(h.vm, KVM_SET_USER_MEMORY_REGION, BAD_PTR));
    assert_err(EFAULT, ioe_ioctl(h.vm, KVM_SET_USER_MEMORY_REGION, page_none));

    /* create, re-set (nothing to change), flags-only change */
    assert_ok(memslot(h.vm, 0, 0, G, 0x4000, mem));
    assert_ok(memslot(h.vm, 0, 0, G, 0x4000, mem));
    assert_ok(memslot(h.vm, 0, KVM_MEM_LOG_DIRTY_PAGES, G, 0x4000, mem));
    assert_ok(memslot(h.vm, 0, 0, G, 0x4000, mem));
    /* an existing slot cannot change hva, size or READONLY */
    assert_err(EINVAL, memslot(h.vm, 0, KVM_MEM_READONLY, G, 0x4000, mem));
    assert_err(EINVAL, memslot(h.vm, 0, 0, G, 0x2000, mem));
    assert_err(EINVAL, memslot(h.vm, 0, 0, G, 0x4000, mem2));
    assert_ok(memslot(h.vm, 511, 0, 0x40000000, 0x1000, mem2));

    /* overlap: EEXIST; adjacency is fine */
    assert_err(EEXIST, memslot(h.vm, 1, 0, G + 0x3000, 0x2000, mem2));
    assert_err(EEXIST, memslot(h.vm, 1, 0, G - 0x1000, 0x2000, mem2));
    assert_ok(memslot(h.vm, 1, KVM_MEM_READONLY, G + 0x4000, 0x2000, mem2));

    /* beyond the IPA space: EFAULT (kvm_arch_prepare_memory_region) */
    assert_err(EFAULT, memslot(h.vm, 2, 0, top, 0x1000, mem2));
    assert_err(EFAULT, memslot(h.vm, 2, 0, top - 0x1000, 0x2000, mem2));
    assert_ok(memslot(h.vm, 2, 0, top - 0x2000, 0x2000, mem2));

    /* delete */
    assert_ok(memslot(h.vm, 2, 0, top - 0x2000, 0, mem2));
    assert_err(EINVAL, memslot(h.vm, 2, 0, top - 0x2000, 0, mem2));
    assert_err(EINVAL, memslot(h.vm, 3, 0, 0, 0, NULL));

    /* move: same hva/size/READONLY, new gpa; the old range is free afterwards */
    assert_err(EEXIST, memslot(h.vm, 0, 0, G + 0x5000, 0x4000, mem)); /* onto slot 1 */
    assert_err(EFAULT, memslot(h.vm, 0, 0, top - 0x2000, 0x4000, mem));
    assert_ok(memslot(h.vm, 0, 0, 0x200000, 0x4000, mem));
    assert_ok(memslot(h.vm, 3, 0, G, 0x4000, mem2));
    assert_err(EEXIST, memslot(h.vm, 4, 0, 0x203000, 0x1000, mem2));
    vm_close(&h);

    /* a 32-bit IPA VM */
    vm_open(&h, 32);
    assert_err(EFAULT, memslot(h.vm, 0, 0, 1ull << 32, 0x1000, mem));
    assert_ok(memslot(h.vm, 0, 0, (1ull << 32) - 0x1000, 0x1000, mem));
    vm_close(&h);
    assert_int_equal(ioe_mem_free(mem), 0);
}

/* ================================================================== KVM_CREATE_DEVICE */
static int create_dev(int vm, uint32_t type, uint32_t flags)
{
    struct kvm_create_device cd = {.type = type, .fd = 0, .flags = flags};
    return ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd);
}

static void test_create_device(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    /* ref 2.1: EFAULT, then ENODEV for a type without ops on this host (s390's FLIC; VGICv2
     * is test_vgic_v2_api's) */
    assert_err(EFAULT, ioe_ioctl(h.vm, KVM_CREATE_DEVICE, BAD_PTR));
    assert_err(EFAULT, ioe_ioctl(h.vm, KVM_CREATE_DEVICE, page_none));
    assert_err(ENODEV, create_dev(h.vm, KVM_DEV_TYPE_FLIC, 0));
    assert_err(ENODEV, create_dev(h.vm, KVM_DEV_TYPE_FLIC, KVM_CREATE_DEVICE_TEST));
    assert_err(ENODEV, create_dev(h.vm, 0, 0));
    assert_err(ENODEV, create_dev(h.vm, 6, 0));
    assert_err(ENODEV, create_dev(h.vm, 0xffffffffu, 0));
    assert_err(ENODEV, create_dev(h.vm, 0xffffffffu, KVM_CREATE_DEVICE_TEST));
    /* TEST: 0 and nothing is created */
    struct kvm_create_device cd = {
        .type = KVM_DEV_TYPE_ARM_VGIC_V3, .fd = 12345, .flags = KVM_CREATE_DEVICE_TEST};
    assert_int_equal(ioe_ioctl(h.vm, KVM_CREATE_DEVICE, &cd), 0);
    assert_err(ENXIO, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 32, 1)); /* still no irqchip */
    /* the real one */
    cd = (struct kvm_create_device){.type = KVM_DEV_TYPE_ARM_VGIC_V3, .fd = 0, .flags = 0};
    assert_int_equal(ioe_ioctl(h.vm, KVM_CREATE_DEVICE, &cd), 0);
    h.dev = (int)cd.fd;
    assert_true(h.dev >= 0);
    assert_int_equal(has(h.dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT), 0);
    assert_err(EBUSY, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 32, 1)); /* an irqchip now */
    /* only one VGIC (ref 2.1 kvm_vgic_create row 3); TEST does no per-VM check */
    assert_err(EEXIST, create_dev(h.vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0));
    assert_int_equal(create_dev(h.vm, KVM_DEV_TYPE_ARM_VGIC_V3, KVM_CREATE_DEVICE_TEST), 0);
    vm_close(&h);
}

/* The struct cannot be copied back: the device exists all the same (ref 2.1 step 5). */
static void test_create_device_copy_out_fails(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    uint8_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3, .fd = 0, .flags = 0};
    memcpy(p, &cd, sizeof(cd));
    assert_int_equal(mprotect(p, 4096, PROT_READ), 0);
    assert_err(EFAULT, ioe_ioctl(h.vm, KVM_CREATE_DEVICE, p));
    assert_err(EEXIST, create_dev(h.vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0));
    munmap(p, 4096);
    assert_ok(ioe_close(h.vm));
    assert_ok(ioe_close(h.sys));
}

/* User copies from the caller's own stack take libioe's fast path (uaccess.c: no system
 * call for a range between the current frame and the stack's top). Its edge: a thread on a
 * stack of ours with an inaccessible page right above it. A structure that ends at the top
 * is read; one that crosses it is EFAULT, not a crash; a structure in a frame of the thread
 * is read and written back. The results are checked after the join (cmocka asserts only in
 * the test's thread). */
struct stack_edge {
    int vm;
    uint8_t *top;
    int at_top, across_top, create, created_fd;
    int errno_across;
};

static void *stack_edge_thread(void *arg)
{
    struct stack_edge *e = arg;
    struct kvm_irq_level l = {.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | 32,
                              .level = 1};
    /* no irqchip: a KVM_IRQ_LINE that was read answers ENXIO */
    memcpy(e->top - sizeof(l), &l, sizeof(l));
    e->at_top = ioe_ioctl(e->vm, KVM_IRQ_LINE, e->top - sizeof(l)) < 0 ? errno : 0;
    e->across_top = ioe_ioctl(e->vm, KVM_IRQ_LINE, e->top - sizeof(l) / 2);
    e->errno_across = errno;
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3, .fd = 0, .flags = 0};
    e->create = ioe_ioctl(e->vm, KVM_CREATE_DEVICE, &cd);
    e->created_fd = (int)cd.fd;
    return NULL;
}

static void test_user_copy_stack_edge(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    const size_t stack_sz = 256 * 1024, page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *base =
        mmap(NULL, stack_sz + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(base != MAP_FAILED);
    assert_int_equal(mprotect(base + stack_sz, page, PROT_NONE), 0);
    struct stack_edge e = {.vm = h.vm, .top = base + stack_sz};
    pthread_attr_t a;
    pthread_t t;
    assert_int_equal(pthread_attr_init(&a), 0);
    assert_int_equal(pthread_attr_setstack(&a, base, stack_sz), 0);
    assert_int_equal(pthread_create(&t, &a, stack_edge_thread, &e), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&a);
    munmap(base, stack_sz + page);
    assert_int_equal(e.at_top, ENXIO);
    assert_int_equal(e.across_top, -1);
    assert_int_equal(e.errno_across, EFAULT);
    assert_int_equal(e.create, 0);
    assert_true(e.created_fd >= 0);
    assert_int_equal(has(e.created_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT), 0);
    assert_ok(ioe_close(e.created_fd));
    vm_close(&h);
}

/* kvm_vgic_create rows 2 and 4: a running vCPU, or one that ran, gives EBUSY; running
 * comes before EEXIST. */
static void test_create_device_after_run(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    assert_ok(run(h.vcpu[0])); /* no VGIC: nothing to check at first run */
    assert_err(EBUSY, vm_add_gic(&h));
    assert_ok(vcpu_exit(h.vcpu[0]));
    assert_err(EBUSY, vm_add_gic(&h));
    assert_int_equal(create_dev(h.vm, KVM_DEV_TYPE_ARM_VGIC_V3, KVM_CREATE_DEVICE_TEST), 0);
    vm_close(&h);

    vm_build(&h, 1, true);
    assert_ok(run(h.vcpu[0]));
    assert_err(EBUSY, create_dev(h.vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0)); /* not EEXIST */
    assert_ok(vcpu_exit(h.vcpu[0]));
    assert_err(EEXIST, create_dev(h.vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0));
    vm_close(&h);
}

/* ================================================================== device fd plumbing */
static void test_device_fd_plumbing(void **state)
{
    (void)state;
    struct vmh h;
    vm_build(&h, 1, false);
    /* ref 2.2: copy of the 24-byte attr, unknown ioctl ENOTTY */
    assert_err(EFAULT, ioe_ioctl(h.dev, KVM_SET_DEVICE_ATTR, BAD_PTR));
    assert_err(EFAULT, ioe_ioctl(h.dev, KVM_GET_DEVICE_ATTR, page_none));
    assert_err(EFAULT, ioe_ioctl(h.dev, KVM_HAS_DEVICE_ATTR, BAD_PTR));
    assert_err(ENOTTY, ioe_ioctl(h.dev, KVM_RUN, 0UL));
    assert_err(ENOTTY, ioe_ioctl(h.dev, KVM_CREATE_VCPU, 0UL));
    /* attr->flags is ignored */
    struct kvm_device_attr a = {
        .flags = 0xffffffffu, .group = KVM_DEV_ARM_VGIC_GRP_NR_IRQS, .attr = 0, .addr = 0};
    uint32_t v = 0;
    a.addr = (uint64_t)(uintptr_t)&v;
    assert_int_equal(ioe_ioctl(h.dev, KVM_GET_DEVICE_ATTR, &a), 0);
    assert_int_equal(v, 32);
    /* groups that are not the v3 device's: ENXIO on set and get (ref 3.1) */
    static const uint32_t groups[] = {KVM_DEV_ARM_VGIC_GRP_CPU_REGS, KVM_DEV_ARM_VGIC_GRP_ITS_REGS,
                                      11, 0xffffffffu};
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        uint64_t val = 0;
        assert_err(ENXIO, dattr(h.dev, KVM_SET_DEVICE_ATTR, groups[i], 0, &val));
        assert_err(ENXIO, dattr(h.dev, KVM_GET_DEVICE_ATTR, groups[i], 0, &val));
        assert_err(ENXIO, has(h.dev, groups[i], 0));
    }
    vm_close(&h);
}

/* ================================================================== GRP_ADDR (3.2) */
static void test_addr_dist(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    assert_ok(vm_add_gic(&h));
    const uint64_t D = KVM_VGIC_V3_ADDR_TYPE_DIST;
    assert_int_equal(get_addr(h.dev, D), IOE_VGIC_ADDR_UNDEF);     /* unset reads all-ones */
    assert_err(EINVAL, set_addr(h.dev, D, DIST_BASE + 0x1000));    /* misaligned */
    assert_err(EINVAL, set_addr(h.dev, D, 0xffffffffffff0000ull)); /* wraps (before E2BIG) */
    assert_err(E2BIG, set_addr(h.dev, D, 1ull << 40));
    assert_err(E2BIG, set_addr(h.dev, D, 1ull << 47));
    assert_int_equal(get_addr(h.dev, D), IOE_VGIC_ADDR_UNDEF); /* failures store nothing */
    assert_ok(set_addr(h.dev, D, 0));
    assert_int_equal(get_addr(h.dev, D), 0);
    /* EEXIST beats alignment and range (vgic_check_iorange row 1) */
    assert_err(EEXIST, set_addr(h.dev, D, DIST_BASE));
    assert_err(EEXIST, set_addr(h.dev, D, DIST_BASE + 0x1000));
    assert_err(EEXIST, set_addr(h.dev, D, 1ull << 47));
    assert_int_equal(get_addr(h.dev, D), 0);
    vm_close(&h);
}

static void test_addr_types_and_faults(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    assert_ok(vm_add_gic(&h));
    /* v2 and ITS address types, unknown types: ENXIO (ENODEV -> ENXIO, ref 3.1) */
    static const uint64_t bad[] = {KVM_VGIC_V2_ADDR_TYPE_DIST, KVM_VGIC_V2_ADDR_TYPE_CPU,
                                   KVM_VGIC_ITS_ADDR_TYPE, 6, 0xffffffffffffffffull};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v = SZ_64K * 16;
        assert_err(ENXIO, set_addr(h.dev, bad[i], v));
        assert_err(ENXIO, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, bad[i], &v));
        assert_err(ENXIO, has(h.dev, KVM_DEV_ARM_VGIC_GRP_ADDR, bad[i]));
        /* the value is fetched before the type is looked at (ref 3.2 write step 1) */
        assert_err(EFAULT,
                   dattr(h.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, bad[i], BAD_PTR));
        /* reads fetch nothing for these types: the type error wins */
        assert_err(ENXIO,
                   dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, bad[i], BAD_PTR));
    }
    for (uint64_t t = KVM_VGIC_V3_ADDR_TYPE_DIST; t <= KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION; t++) {
        if (t == KVM_VGIC_ITS_ADDR_TYPE)
            continue;
        assert_int_equal(has(h.dev, KVM_DEV_ARM_VGIC_GRP_ADDR, t), 0);
        assert_err(EFAULT,
                   dattr(h.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, t, page_none));
        /* the put_user of a read */
        assert_err(t == KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION ? ENOENT : EFAULT,
                   dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, t, page_ro));
    }
    /* REDIST_REGION reads fetch the index first (read step 1) */
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
                             KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, BAD_PTR));
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
                             KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, page_none));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, region(1, RD_BASE, 0, 0)));
    /* index 0 found, but the result cannot be written back (read step 6) */
    uint64_t *ro = page_ro;
    assert_int_equal(*ro, 0);
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
                             KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, page_ro));
    vm_close(&h);
}

/* Legacy KVM_VGIC_V3_ADDR_TYPE_REDIST (ref 3.3; index 0, count 0) */
static void test_addr_redist_legacy(void **state)
{
    (void)state;
    const uint64_t R = KVM_VGIC_V3_ADDR_TYPE_REDIST, RR = KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION;
    struct vmh h;
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    assert_true(vm_add_vcpu(&h, 1) >= 0);
    assert_ok(vm_add_gic(&h));
    assert_int_equal(get_addr(h.dev, R), IOE_VGIC_ADDR_UNDEF);
    assert_err(EINVAL, set_addr(h.dev, R, RD_BASE + 0x1000));      /* row 9: misaligned */
    assert_err(EINVAL, set_addr(h.dev, R, 0xfffffffffffe0000ull)); /* row 1: wraps */
    assert_err(E2BIG, set_addr(h.dev, R, (1ull << 40) - RD_SZ));   /* row 9: top above IPA */
    assert_err(E2BIG, set_addr(h.dev, R, 1ull << 40));             /* row 9: above IPA */
    /* row 6: overlap with the distributor already set */
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    assert_err(EINVAL, set_addr(h.dev, R, DIST_BASE - SZ_64K)); /* 2 vCPUs: 256 KiB */
    assert_err(EINVAL, set_addr(h.dev, R, DIST_BASE));
    assert_int_equal(get_addr(h.dev, R), IOE_VGIC_ADDR_UNDEF);
    assert_ok(set_addr(h.dev, R, DIST_BASE - 2 * RD_SZ)); /* ends exactly at the dist */
    assert_int_equal(get_addr(h.dev, R), DIST_BASE - 2 * RD_SZ);
    /* row 4: legacy twice is EEXIST, even misaligned or above the IPA */
    assert_err(EEXIST, set_addr(h.dev, R, RD_BASE));
    assert_err(EEXIST, set_addr(h.dev, R, RD_BASE + 0x1000));
    assert_err(EEXIST, set_addr(h.dev, R, 1ull << 41));
    /* row 5: an explicit region after the legacy one: index 0 is not last+1 */
    assert_err(EINVAL, set_addr(h.dev, RR, region(2, RD_BASE, 0, 0)));
    /* the legacy region reads as index 0, count 0 */
    uint64_t q = 0;
    assert_ok(dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, RR, &q));
    assert_int_equal(q, DIST_BASE - 2 * RD_SZ);
    /* index 1 overlapping the legacy region: row 7 */
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, DIST_BASE - RD_SZ, 0, 1)));
    /* The reference (3.3 note) says an explicit index-1 region after a legacy one is only
     * stopped by the overlap/range checks: followed literally. */
    assert_ok(set_addr(h.dev, RR, region(1, 0x20000000, 0, 1)));
    vm_close(&h);

    /* row 3: legacy after explicit regions is EINVAL ("mixing") */
    vm_open(&h, 0);
    assert_ok(vm_add_gic(&h));
    assert_ok(set_addr(h.dev, RR, region(1, RD_BASE, 0, 0)));
    assert_err(EINVAL, set_addr(h.dev, R, 0x20000000));
    assert_err(EINVAL, set_addr(h.dev, R, RD_BASE + 0x1000)); /* mixing beats alignment */
    /* a legacy read returns the base of the first region */
    assert_int_equal(get_addr(h.dev, R), RD_BASE);
    vm_close(&h);
}

/* KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION (ref 3.2 rows 4c/4d, 3.3) */
static void test_addr_redist_region(void **state)
{
    (void)state;
    const uint64_t RR = KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION;
    struct vmh h;
    vm_open(&h, 0);
    assert_ok(vm_add_gic(&h));
    /* 4c: count 0 or flags: EINVAL (before the index rules) */
    assert_err(EINVAL, set_addr(h.dev, RR, region(0, RD_BASE, 0, 0)));
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, RD_BASE, 1, 0)));
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, RD_BASE, 8, 0)));
    assert_err(EINVAL, set_addr(h.dev, RR, region(0, RD_BASE, 0, 5)));
    /* row 2: the first region must be index 0 */
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, RD_BASE, 0, 1)));
    /* row 9: above the IPA (base or top) is E2BIG */
    assert_err(E2BIG, set_addr(h.dev, RR, region(1, 1ull << 40, 0, 0)));
    assert_err(E2BIG, set_addr(h.dev, RR, region(2, (1ull << 40) - RD_SZ, 0, 0)));
    assert_err(E2BIG, set_addr(h.dev, RR, region(4095, 0x000fffffffff0000ull, 0, 0)));
    /* read of a missing index: ENOENT */
    uint64_t q = 0;
    assert_err(ENOENT, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, RR, &q));
    assert_ok(set_addr(h.dev, RR, region(2, RD_BASE, 0, 0)));
    /* read back: index | base | count << 52; only the index of the value is used */
    q = 0 | 0x0000123456780000ull;
    assert_ok(dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, RR, &q));
    assert_int_equal(q, region(2, RD_BASE, 0, 0));
    /* row 5: index must be last + 1 */
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, 0x20000000, 0, 0)));
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, 0x20000000, 0, 2)));
    /* row 7: overlap with an existing region */
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, RD_BASE + RD_SZ, 0, 1)));
    assert_err(EINVAL, set_addr(h.dev, RR, region(2, RD_BASE - RD_SZ, 0, 1)));
    /* row 5 is checked before the alignment/range of row 9 */
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, 1ull << 45, 0, 3)));
    assert_ok(set_addr(h.dev, RR, region(3, RD_BASE + 2 * RD_SZ, 0, 1))); /* contiguous: ok */
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, 0x30000000, 0, 1))); /* index 1 again */
    q = 1;
    assert_ok(dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, RR, &q));
    assert_int_equal(q, region(3, RD_BASE + 2 * RD_SZ, 0, 1));
    q = 2;
    assert_err(ENOENT, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, RR, &q));
    /* a legacy write after explicit regions: mixing */
    assert_err(EINVAL, set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_REDIST, 0x30000000));
    vm_close(&h);

    /* row 11: a region that collides with the distributor, while a vCPU still lacks a
     * redistributor, is refused and removed again */
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    assert_ok(vm_add_gic(&h));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    assert_err(EINVAL, set_addr(h.dev, RR, region(1, DIST_BASE, 0, 0)));
    q = 0;
    assert_err(ENOENT, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR, RR, &q));
    assert_ok(set_addr(h.dev, RR, region(1, RD_BASE, 0, 0))); /* index 0 still free */
    /* every vCPU has a frame now: a colliding region is accepted (caught at first run) */
    assert_ok(set_addr(h.dev, RR, region(1, DIST_BASE, 0, 1)));
    assert_ok(init_gic(h.dev));
    assert_err(EINVAL, run(h.vcpu[0]));
    vm_close(&h);
}

/* GICR_TYPER.Last (ref 3.3, last paragraph) */
static uint32_t typer_last(int dev, uint32_t id)
{
    return rd_get(dev, id, GICR_TYPER) >> 4 & 1;
}

static void build_regions(struct vmh *h, unsigned nvcpus, const uint64_t *regions, unsigned nr)
{
    vm_open(h, 0);
    for (unsigned i = 0; i < nvcpus; i++)
        assert_true(vm_add_vcpu(h, i) >= 0);
    assert_ok(vm_add_gic(h));
    assert_ok(set_addr(h->dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    for (unsigned i = 0; i < nr; i++)
        assert_ok(set_addr(h->dev, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, regions[i]));
    assert_ok(init_gic(h->dev));
}

static void test_gicr_typer_last(void **state)
{
    (void)state;
    struct vmh h;
    /* legacy: Last on the last allocated slot */
    vm_build(&h, 3, true);
    assert_int_equal(typer_last(h.dev, 0), 0);
    assert_int_equal(typer_last(h.dev, 1), 0);
    assert_int_equal(typer_last(h.dev, 2), 1);
    vm_close(&h);
    vm_build(&h, 1, true);
    assert_int_equal(typer_last(h.dev, 0), 1);
    vm_close(&h);

    /* contiguous regions, both populated: Last clear at the end of region 0 */
    const uint64_t contig[] = {region(1, RD_BASE, 0, 0), region(2, RD_BASE + RD_SZ, 0, 1)};
    build_regions(&h, 3, contig, 2);
    assert_int_equal(typer_last(h.dev, 0), 0);
    assert_int_equal(typer_last(h.dev, 1), 0);
    assert_int_equal(typer_last(h.dev, 2), 1);
    assert_int_equal(mmio_read32(h.vm, RD_BASE + 2 * RD_SZ + GICR_TYPER) >> 8 & 0xffff, 2);
    vm_close(&h);

    /* non-contiguous regions: Last at the end of each */
    const uint64_t apart[] = {region(1, RD_BASE, 0, 0), region(2, 0x20000000, 0, 1)};
    build_regions(&h, 2, apart, 2);
    assert_int_equal(typer_last(h.dev, 0), 1);
    assert_int_equal(typer_last(h.dev, 1), 1);
    assert_int_equal(mmio_read32(h.vm, 0x20000000 + GICR_TYPER) >> 8 & 0xffff, 1);
    vm_close(&h);

    /* contiguous, but the following region has no allocated slot: Last stays set */
    build_regions(&h, 1, contig, 2);
    assert_int_equal(typer_last(h.dev, 0), 1);
    vm_close(&h);

    /* a partly filled region: Last on the last allocated slot, not the region end */
    const uint64_t big[] = {region(4, RD_BASE, 0, 0)};
    build_regions(&h, 2, big, 1);
    assert_int_equal(typer_last(h.dev, 0), 0);
    assert_int_equal(typer_last(h.dev, 1), 1);
    vm_close(&h);
}

/* ================================================================== GRP_NR_IRQS (3.4) */
static void test_nr_irqs(void **state)
{
    (void)state;
    const uint32_t G = KVM_DEV_ARM_VGIC_GRP_NR_IRQS;
    struct vmh h;
    vm_build(&h, 1, false);
    assert_int_equal(get_u32(h.dev, G, 0), 32); /* nr_spis + 32 before any set */
    assert_int_equal(has(h.dev, G, 0), 0);
    static const uint32_t bad[] = {0,    32,   63,          65,  80, 1000, 1023,
                                   1024, 1056, 0xffffffe0u, 288, 992}; /* the card: at most 256 */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_err(EINVAL, set_u32(h.dev, G, 0, bad[i]));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, G, 0, BAD_PTR));
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, G, 0, page_ro));
    assert_int_equal(get_u32(h.dev, G, 0), 32);
    assert_ok(set_u32(h.dev, G, 0, 96));
    assert_int_equal(get_u32(h.dev, G, 0), 96);
    assert_err(EBUSY, set_u32(h.dev, G, 0, 96)); /* once */
    assert_err(EBUSY, set_u32(h.dev, G, 0, 128));
    assert_err(EINVAL, set_u32(h.dev, G, 0, 1024)); /* range before busy */
    assert_ok(init_gic(h.dev));
    assert_int_equal(get_u32(h.dev, G, 0), 96);
    assert_int_equal(dist_get(h.dev, GICD_TYPER) & 0x1f, 2); /* ITLinesNumber */
    vm_close(&h);

    /* default INIT: 256; then EBUSY */
    vm_build(&h, 1, true);
    assert_int_equal(get_u32(h.dev, G, 0), 256);
    assert_err(EBUSY, set_u32(h.dev, G, 0, 64));
    assert_err(EINVAL, set_u32(h.dev, G, 0, 1024));
    assert_int_equal(dist_get(h.dev, GICD_TYPER) & 0x1f, 7);
    vm_close(&h);

    /* the limits that are accepted */
    vm_build(&h, 1, false);
    assert_ok(set_u32(h.dev, G, 0, 64));
    vm_close(&h);
    vm_build(&h, 1, false);
    assert_ok(set_u32(h.dev, G, 0, 256));
    vm_close(&h);
}

/* ================================================================== GRP_CTRL (3.5) */
static void test_ctrl(void **state)
{
    (void)state;
    const uint32_t G = KVM_DEV_ARM_VGIC_GRP_CTRL;
    struct vmh h;
    vm_open(&h, 0);
    assert_ok(vm_add_gic(&h));
    assert_err(ENODEV, init_gic(h.dev)); /* no online vCPU (arm-vgic-v3.rst) */
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    /* unknown CTRL attrs (the ITS ones included) on set; GET is not supported */
    static const uint64_t bad[] = {KVM_DEV_ARM_ITS_SAVE_TABLES, KVM_DEV_ARM_ITS_RESTORE_TABLES,
                                   KVM_DEV_ARM_ITS_CTRL_RESET, 5, 1ull << 32};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_err(ENXIO, dattr(h.dev, KVM_SET_DEVICE_ATTR, G, bad[i], NULL));
        assert_err(ENXIO, has(h.dev, G, bad[i]));
    }
    uint64_t v = 0;
    assert_err(ENXIO, dattr(h.dev, KVM_GET_DEVICE_ATTR, G, KVM_DEV_ARM_VGIC_CTRL_INIT, &v));
    /* SAVE_PENDING_TABLES before INIT: ENXIO */
    assert_err(ENXIO,
               dattr(h.dev, KVM_SET_DEVICE_ATTR, G, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, NULL));
    /* INIT needs no addresses, ignores addr; idempotent */
    assert_ok(dattr(h.dev, KVM_SET_DEVICE_ATTR, G, KVM_DEV_ARM_VGIC_CTRL_INIT, BAD_PTR));
    assert_ok(init_gic(h.dev));
    assert_ok(dattr(h.dev, KVM_SET_DEVICE_ATTR, G, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, NULL));
    vm_close(&h);

    /* with a running vCPU: INIT still 0 (row 1), SAVE_PENDING_TABLES EBUSY */
    vm_build(&h, 2, true);
    assert_ok(run(h.vcpu[1]));
    assert_ok(init_gic(h.dev));
    assert_err(EBUSY,
               dattr(h.dev, KVM_SET_DEVICE_ATTR, G, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, NULL));
    assert_ok(vcpu_exit(h.vcpu[1]));
    assert_ok(dattr(h.dev, KVM_SET_DEVICE_ATTR, G, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, NULL));
    vm_close(&h);
}

/* ================================================================== register groups (3.6) */
static void test_regs_before_init(void **state)
{
    (void)state;
    struct vmh h;
    /* no vCPU at all: DIST parse fails (EINVAL) before anything else */
    vm_open(&h, 0);
    assert_ok(vm_add_gic(&h));
    uint32_t v = 0;
    assert_err(EINVAL,
               dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR, &v));
    assert_err(EINVAL, dattr(h.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR,
                             BAD_PTR));
    assert_err(EINVAL, has(h.dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR));
    assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
                             mp(0) | GICR_TYPER, &v));
    vm_close(&h);

    vm_build(&h, 2, false);
    uint64_t v64 = 0;
    /* every register group is EBUSY before INIT */
    assert_err(EBUSY,
               dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR, &v));
    assert_err(EBUSY, dist_set(h.dev, GICD_CTLR, 2));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
                            mp(1) | GICR_TYPER, &v));
    assert_err(EBUSY, rd_set(h.dev, 1, GICR_CTLR, 0));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
                            mp(0) | ICC_PMR, &v64));
    assert_err(EBUSY, sysreg_set(h.dev, 0, ICC_PMR, 0xf0));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
                            level_attr(0, 0, 32), &v));
    assert_err(EBUSY, set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, level_attr(0, 0, 32), 1));
    /* LEVEL_INFO's own checks come after the EBUSY */
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
                            level_attr(0, 1, 33), &v));
    /* a bad MPIDR: EINVAL before EBUSY */
    assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
                             mp(2) | GICR_TYPER, &v));
    assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
                             mp(7) | ICC_PMR, &v64));
    assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
                             level_attr(3, 0, 32), &v));
    /* DIST ignores the MPIDR (vcpu 0 is used) */
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
                            mp(99) | GICD_CTLR, &v));
    vm_close(&h);
}

/* vgic_v3_attr_regs_access order: parse, copy (write), running, initialised, access,
 * put_user (read). CPU_SYSREGS copies inside the sysreg code, after the EBUSY checks. */
static void test_regs_efault_order(void **state)
{
    (void)state;
    struct vmh h;
    vm_build(&h, 1, false);
    const uint32_t D = KVM_DEV_ARM_VGIC_GRP_DIST_REGS, R = KVM_DEV_ARM_VGIC_GRP_REDIST_REGS;
    const uint32_t S = KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, L = KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO;
    /* before INIT */
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, D, GICD_CTLR, BAD_PTR));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, R, mp(0) | GICR_CTLR, page_none));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, L, level_attr(0, 0, 32), BAD_PTR));
    assert_err(EINVAL, dattr(h.dev, KVM_SET_DEVICE_ATTR, R, mp(1) | GICR_CTLR, BAD_PTR));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, D, GICD_CTLR, BAD_PTR));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, R, mp(0) | GICR_CTLR, page_ro));
    assert_err(EBUSY, dattr(h.dev, KVM_SET_DEVICE_ATTR, S, mp(0) | ICC_PMR, BAD_PTR));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, S, mp(0) | ICC_PMR, BAD_PTR));
    assert_ok(init_gic(h.dev));
    /* after INIT: the copies fail */
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, D, GICD_CTLR, page_ro));
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, D, 0x20, BAD_PTR)); /* RAZ still copied */
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, R, mp(0) | GICR_TYPER, page_ro));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, S, mp(0) | ICC_PMR, page_none));
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, S, mp(0) | ICC_PMR, page_ro));
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, L, level_attr(0, 0, 32), page_ro));
    /* while running: a write copies before the running check, a read puts after it */
    assert_ok(run(h.vcpu[0]));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, D, GICD_CTLR, BAD_PTR));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, D, GICD_CTLR, BAD_PTR));
    assert_err(EBUSY, dattr(h.dev, KVM_SET_DEVICE_ATTR, S, mp(0) | ICC_PMR, BAD_PTR));
    assert_err(EINVAL, dattr(h.dev, KVM_SET_DEVICE_ATTR, R, mp(4) | GICR_CTLR, BAD_PTR));
    vm_close(&h);
}

/* EBUSY while a vCPU is in KVM_RUN; IOE_VCPU_EXIT leaves it */
static void test_regs_while_running(void **state)
{
    (void)state;
    struct vmh h;
    vm_build(&h, 2, true);
    uint32_t v = 0;
    uint64_t v64 = 0;
    assert_ok(run(h.vcpu[0]));
    assert_err(EBUSY,
               dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR, &v));
    assert_err(EBUSY, dist_set(h.dev, GICD_CTLR, 2));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
                            mp(1) | GICR_TYPER, &v));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
                            mp(1) | ICC_PMR, &v64));
    assert_err(EBUSY, sysreg_set(h.dev, 1, ICC_PMR, 0x80));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
                            level_attr(1, 0, 0), &v));
    /* HAS_ATTR does not lock the vCPUs; the non-register groups are not affected */
    assert_int_equal(has(h.dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, GICD_CTLR), 0);
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0), 256);
    assert_int_equal(get_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST), DIST_BASE);
    assert_ok(vcpu_exit(h.vcpu[0]));
    assert_ok(dist_set(h.dev, GICD_CTLR, 2));
    assert_int_equal(dist_get(h.dev, GICD_CTLR), 0x52);
    /* any running vCPU counts */
    assert_ok(run(h.vcpu[1]));
    assert_err(EBUSY, dattr(h.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
                            mp(0) | GICR_TYPER, &v));
    assert_ok(vcpu_exit(h.vcpu[1]));
    assert_int_equal(rd_get(h.dev, 0, GICR_TYPER + 4), 0);
    vm_close(&h);
}

static void test_dist_regs(void **state)
{
    (void)state;
    struct vmh h;
    vm_build(&h, 2, false);
    assert_ok(set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 128));
    assert_ok(init_gic(h.dev));
    /* key values (ref 3.6) */
    assert_int_equal(dist_get(h.dev, GICD_TYPER), 3u | 9u << 19);
    assert_int_equal(dist_get(h.dev, GICD_IIDR), 0x4b00343bu);
    assert_int_equal(dist_get(h.dev, GICD_IIDR) >> 24, 0x4b);
    assert_int_equal(dist_get(h.dev, GICD_IIDR) & 0xfff, 0x43b);
    assert_int_equal(dist_get(h.dev, GICD_TYPER2), 0);
    assert_int_equal(dist_get(h.dev, GICD_PIDR2), 0x3b);
    assert_int_equal(dist_get(h.dev, 0xffd0), 0);
    /* nASSGIreq (bit 8) is ignored without GICv4.1 */
    assert_ok(dist_set(h.dev, GICD_CTLR, 0x102));
    assert_int_equal(dist_get(h.dev, GICD_CTLR), 0x52);
    assert_ok(dist_set(h.dev, GICD_CTLR, 0));
    assert_int_equal(dist_get(h.dev, GICD_CTLR), 1u << 4 | 1u << 6); /* ARE_NS, DS */
    assert_ok(dist_set(h.dev, GICD_CTLR, 0x2));
    assert_int_equal(dist_get(h.dev, GICD_CTLR), 0x52);
    assert_ok(dist_set(h.dev, GICD_CTLR, 0));
    assert_int_equal(dist_get(h.dev, GICD_CTLR), 0x50);
    /* read-only GICD_TYPER: write ignored */
    assert_ok(dist_set(h.dev, GICD_TYPER, 0xffffffffu));
    assert_int_equal(dist_get(h.dev, GICD_TYPER), 3u | 9u << 19);
    /* GICD_IIDR / GICD_TYPER2 writes are validated (ref 3.6) */
    assert_ok(dist_set(h.dev, GICD_IIDR, 0x4b00343bu));
    assert_err(EINVAL, dist_set(h.dev, GICD_IIDR, 0x12345678u));
    assert_err(EINVAL, dist_set(h.dev, GICD_IIDR, 0x4b00343cu));
    assert_int_equal(dist_get(h.dev, GICD_IIDR), 0x4b00343bu);
    assert_ok(dist_set(h.dev, GICD_TYPER2, 0));
    assert_err(EINVAL, dist_set(h.dev, GICD_TYPER2, 0x100));
    /* STATUSR: userspace sets the value; the guest reads 0 */
    assert_ok(dist_set(h.dev, GICD_STATUSR, 0x5));
    assert_int_equal(dist_get(h.dev, GICD_STATUSR), 0x5);
    assert_int_equal(mmio_read32(h.vm, DIST_BASE + GICD_STATUSR), 0);
    /* per-interrupt registers: INTIDs 0..31 RAZ/WI in the distributor */
    assert_ok(dist_set(h.dev, GICD_ISENABLER, 0xffffffffu));
    assert_int_equal(dist_get(h.dev, GICD_ISENABLER), 0);
    assert_ok(dist_set(h.dev, GICD_ISENABLER + 4, 0x80000001u));
    assert_int_equal(dist_get(h.dev, GICD_ISENABLER + 4), 0x80000001u);
    assert_ok(dist_set(h.dev, GICD_IPRIORITYR + 32, 0xffffffffu));
    assert_int_equal(dist_get(h.dev, GICD_IPRIORITYR + 32), 0xf8f8f8f8u);
    assert_ok(dist_set(h.dev, GICD_ICFGR + 8, 0x2));
    assert_int_equal(dist_get(h.dev, GICD_ICFGR + 8), 0x2);
    /* IROUTER (64-bit, two halves) */
    assert_ok(dist_set(h.dev, GICD_IROUTER + 40 * 8, aff_of(1)));
    assert_ok(dist_set(h.dev, GICD_IROUTER + 40 * 8 + 4, 0));
    assert_int_equal(dist_get(h.dev, GICD_IROUTER + 40 * 8), 1);
    assert_int_equal(dist_get(h.dev, GICD_IROUTER + 40 * 8 + 4), 0);
    /* unknown, misaligned, beyond the frame, beyond the IRQ count: RAZ/WI, status 0 */
    static const uint32_t raz[] = {0x20,
                                   0x7c,
                                   0x102,
                                   0x1000,
                                   0x5ffc,
                                   0xfffc,
                                   0x10000,
                                   0xffffffffu,
                                   GICD_ISENABLER + 16,
                                   GICD_ISPENDR + 16,
                                   GICD_IPRIORITYR + 128,
                                   GICD_IROUTER + 128 * 8,
                                   GICD_IROUTER + 8};
    for (size_t i = 0; i < sizeof(raz) / sizeof(raz[0]); i++) {
        assert_ok(dist_set(h.dev, raz[i], 0xffffffffu));
        assert_int_equal(dist_get(h.dev, raz[i]), 0);
    }
    assert_int_equal(dist_get(h.dev, GICD_CTLR), 0x50); /* 0x102 etc. changed nothing */
    assert_int_equal(dist_get(h.dev, GICD_ISENABLER + 4), 0x80000001u);
    vm_close(&h);
}

static void test_redist_regs(void **state)
{
    (void)state;
    struct vmh h;
    vm_build(&h, 2, true);
    assert_int_equal(rd_get(h.dev, 1, GICR_IIDR), 0x4b00043bu);
    assert_int_equal(rd_get(h.dev, 1, GICR_CTLR), 0);
    assert_ok(rd_set(h.dev, 1, GICR_CTLR, 1)); /* EnableLPIs: WI without an ITS */
    assert_int_equal(rd_get(h.dev, 1, GICR_CTLR), 0);
    assert_int_equal(rd_get(h.dev, 1, GICR_WAKER), 0);
    assert_int_equal(rd_get(h.dev, 1, 0xffe8), 0x3b);
    assert_ok(rd_set(h.dev, 1, GICR_STATUSR, 0x3));
    assert_int_equal(rd_get(h.dev, 1, GICR_STATUSR), 0x3);
    assert_int_equal(rd_get(h.dev, 0, GICR_STATUSR), 0);
    assert_ok(rd_set(h.dev, 0, GICR_PROPBASER, 0x12340000u));
    assert_int_equal(rd_get(h.dev, 0, GICR_PROPBASER), 0x12340000u);
    /* SGI_base frame at +64 KiB */
    assert_int_equal(rd_get(h.dev, 0, GICR_ISENABLER0), 0x0000ffffu); /* SGIs enabled */
    assert_int_equal(rd_get(h.dev, 0, GICR_ICFGR0), 0xaaaaaaaau);
    assert_ok(rd_set(h.dev, 1, GICR_IPRIORITYR0 + 20, 0xffffffffu));
    assert_int_equal(rd_get(h.dev, 1, GICR_IPRIORITYR0 + 20), 0xf8f8f8f8u);
    assert_int_equal(rd_get(h.dev, 0, GICR_IPRIORITYR0 + 20), 0);
    /* unknown offsets: RAZ/WI with status 0 */
    static const uint32_t raz[] = {0x18,    0x2,     0x8000,     GICR_SGI + 0x20, GICR_SGI + 0x104,
                                   0x20000, 0x30008, 0xffffffffu};
    for (size_t i = 0; i < sizeof(raz) / sizeof(raz[0]); i++) {
        assert_ok(rd_set(h.dev, 1, raz[i], 0xffffffffu));
        assert_int_equal(rd_get(h.dev, 1, raz[i]), 0);
    }
    assert_int_equal(rd_get(h.dev, 1, GICR_TYPER + 4), 1); /* 0x30008 did not alias TYPER */
    vm_close(&h);
}

/* ISPENDR / ICPENDR from userspace: the latch; ICPENDR RAZ/WI (arm-vgic-v3.rst) */
static void test_pending_uaccess(void **state)
{
    (void)state;
    struct vmh h;
    vm_build(&h, 2, true);
    /* SPI 33 (level) held high by a device: pending for the guest, but not latched */
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 33, 1));
    assert_int_equal(dist_get(h.dev, GICD_ISPENDR + 4), 0);
    assert_int_equal(mmio_read32(h.vm, DIST_BASE + GICD_ISPENDR + 4), 0x2);
    /* userspace ISPENDR write sets the latch */
    assert_ok(dist_set(h.dev, GICD_ISPENDR + 4, 0x1));
    assert_int_equal(dist_get(h.dev, GICD_ISPENDR + 4), 0x1);
    assert_int_equal(mmio_read32(h.vm, DIST_BASE + GICD_ISPENDR + 4), 0x3);
    /* userspace ICPENDR: reads 0, writes ignored */
    assert_int_equal(dist_get(h.dev, GICD_ICPENDR + 4), 0);
    assert_ok(dist_set(h.dev, GICD_ICPENDR + 4, 0xffffffffu));
    assert_int_equal(dist_get(h.dev, GICD_ISPENDR + 4), 0x1);
    /* the guest's ICPENDR does clear the latch (the line of 33 stays high) */
    assert_int_equal(mmio_read32(h.vm, DIST_BASE + GICD_ICPENDR + 4), 0x3);
    mmio_write32(h.vm, DIST_BASE + GICD_ICPENDR + 4, 0x3);
    assert_int_equal(dist_get(h.dev, GICD_ISPENDR + 4), 0);
    assert_int_equal(mmio_read32(h.vm, DIST_BASE + GICD_ISPENDR + 4), 0x2);
    /* a level PPI held high: same rules on GICR_ISPENDR0 / ICPENDR0, per vCPU */
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 1, 20, 1));
    assert_int_equal(rd_get(h.dev, 1, GICR_ISPENDR0), 0);
    assert_int_equal(mmio_read32(h.vm, RD_BASE + RD_SZ + GICR_ISPENDR0), 1u << 20);
    assert_ok(rd_set(h.dev, 1, GICR_ISPENDR0, 1u << 3 | 1u << 21));
    assert_int_equal(rd_get(h.dev, 1, GICR_ISPENDR0), 1u << 3 | 1u << 21);
    assert_int_equal(rd_get(h.dev, 0, GICR_ISPENDR0), 0);
    assert_int_equal(rd_get(h.dev, 1, GICR_ICPENDR0), 0);
    assert_ok(rd_set(h.dev, 1, GICR_ICPENDR0, 0xffffffffu));
    assert_int_equal(rd_get(h.dev, 1, GICR_ISPENDR0), 1u << 3 | 1u << 21);
    vm_close(&h);
}

/* ================================================================== CPU_SYSREGS (3.7) */
static void test_cpu_sysregs(void **state)
{
    (void)state;
    const uint32_t S = KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS;
    struct vmh h;
    vm_build(&h, 2, false);
    /* HAS_ATTR works before INIT; bad MPIDR EINVAL; unknown ENXIO; APnR1..3 report 0 */
    static const uint64_t known[] = {ICC_PMR,   ICC_BPR0,  ICC_AP0R0, ICC_AP0R1,   ICC_AP0R2,
                                     ICC_AP0R3, ICC_AP1R0, ICC_AP1R1, ICC_AP1R2,   ICC_AP1R3,
                                     ICC_BPR1,  ICC_CTLR,  ICC_SRE,   ICC_IGRPEN0, ICC_IGRPEN1};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        assert_int_equal(has(h.dev, S, mp(1) | known[i]), 0);
        assert_err(EINVAL, has(h.dev, S, mp(2) | known[i]));
    }
    assert_err(ENXIO, has(h.dev, S, mp(0) | ICC_IAR1));
    assert_err(ENXIO, has(h.dev, S, mp(0) | 0));
    assert_ok(init_gic(h.dev));
    /* reset values and the kept bits */
    assert_int_equal(sysreg_get(h.dev, 0, ICC_PMR), 0);
    assert_int_equal(sysreg_get(h.dev, 0, ICC_BPR0), 2);
    assert_int_equal(sysreg_get(h.dev, 0, ICC_BPR1), 3);
    assert_int_equal(sysreg_get(h.dev, 0, ICC_IGRPEN0), 0);
    assert_int_equal(sysreg_get(h.dev, 0, ICC_IGRPEN1), 0);
    assert_int_equal(sysreg_get(h.dev, 0, ICC_SRE), 0x7);
    assert_int_equal(sysreg_get(h.dev, 0, ICC_CTLR), 1u << 15 | 4u << 8); /* A3V, PRIbits 4 */
    assert_ok(sysreg_set(h.dev, 1, ICC_PMR, 0xff));
    assert_int_equal(sysreg_get(h.dev, 1, ICC_PMR), 0xf8);
    assert_int_equal(sysreg_get(h.dev, 0, ICC_PMR), 0); /* per vCPU */
    assert_ok(sysreg_set(h.dev, 1, ICC_BPR0, 4));
    assert_int_equal(sysreg_get(h.dev, 1, ICC_BPR0), 4);
    assert_ok(sysreg_set(h.dev, 1, ICC_BPR1, 5));
    assert_int_equal(sysreg_get(h.dev, 1, ICC_BPR1), 5);
    assert_ok(sysreg_set(h.dev, 1, ICC_IGRPEN1, 1));
    assert_int_equal(sysreg_get(h.dev, 1, ICC_IGRPEN1), 1);
    assert_ok(sysreg_set(h.dev, 1, ICC_IGRPEN0, 1));
    assert_int_equal(sysreg_get(h.dev, 1, ICC_IGRPEN0), 1);
    assert_ok(sysreg_set(h.dev, 1, ICC_AP0R0, 0x1));
    assert_int_equal(sysreg_get(h.dev, 1, ICC_AP0R0), 0x1);
    assert_ok(sysreg_set(h.dev, 1, ICC_AP1R0, 0x80000000u));
    assert_int_equal(sysreg_get(h.dev, 1, ICC_AP1R0), 0x80000000u);
    assert_ok(sysreg_set(h.dev, 1, ICC_CTLR, 1u << 15 | 4u << 8 | 0x2)); /* EOImode */
    assert_int_equal(sysreg_get(h.dev, 1, ICC_CTLR), 1u << 15 | 4u << 8 | 0x2);
    assert_ok(sysreg_set(h.dev, 1, ICC_SRE, 0x7));
    /* invalid values: EINVAL, nothing changed */
    assert_err(EINVAL, sysreg_set(h.dev, 1, ICC_CTLR, 5u << 8));
    assert_err(EINVAL, sysreg_set(h.dev, 1, ICC_CTLR, 7u << 8 | 0x2));
    assert_int_equal(sysreg_get(h.dev, 1, ICC_CTLR), 1u << 15 | 4u << 8 | 0x2);
    assert_err(EINVAL, sysreg_set(h.dev, 1, ICC_SRE, 0)); /* SRE bit clear */
    assert_ok(sysreg_set(h.dev, 1, ICC_SRE, 0x1));        /* only the SRE bit is checked */
    assert_int_equal(sysreg_get(h.dev, 1, ICC_SRE), 0x7);
    assert_err(EINVAL, sysreg_set(h.dev, 1, ICC_SRE, 0x6));
    /* APnR1..3: HAS says 0, GET/SET fail (5 priority bits) */
    static const uint64_t apr[] = {ICC_AP0R1, ICC_AP0R2, ICC_AP0R3,
                                   ICC_AP1R1, ICC_AP1R2, ICC_AP1R3};
    for (size_t i = 0; i < sizeof(apr) / sizeof(apr[0]); i++) {
        uint64_t v = 0;
        assert_int_equal(has(h.dev, S, mp(0) | apr[i]), 0);
        assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, S, mp(0) | apr[i], &v));
        assert_err(EINVAL, sysreg_set(h.dev, 0, apr[i], 0));
    }
    /* unknown register: ENXIO on get and set */
    uint64_t v = 0;
    assert_err(ENXIO, dattr(h.dev, KVM_GET_DEVICE_ATTR, S, mp(0) | ICC_IAR1, &v));
    assert_err(ENXIO, sysreg_set(h.dev, 0, ICC_IAR1, 0));
    assert_err(ENXIO, dattr(h.dev, KVM_GET_DEVICE_ATTR, S, mp(0) | 0x1234, &v));
    /* bad MPIDR */
    assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, S, mp(3) | ICC_PMR, &v));
    assert_err(EINVAL, sysreg_set(h.dev, 3, ICC_PMR, 0));
    /* the value is 64-bit: a read writes all 8 bytes */
    uint64_t wide = 0xffffffffffffffffull;
    assert_ok(dattr(h.dev, KVM_GET_DEVICE_ATTR, S, mp(1) | ICC_PMR, &wide));
    assert_int_equal(wide, 0xf8);
    vm_close(&h);
}

/* ================================================================== LEVEL_INFO (3.8) */
static void test_level_info(void **state)
{
    (void)state;
    const uint32_t L = KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO;
    struct vmh h;
    vm_build(&h, 2, false);
    assert_ok(set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 128));
    assert_ok(init_gic(h.dev));
    assert_int_equal(get_u32(h.dev, L, level_attr(0, 0, 32)), 0);
    /* SPIs: the MPIDR is ignored (but must name a vCPU) */
    assert_ok(set_u32(h.dev, L, level_attr(0, 0, 32), 0x5));
    assert_int_equal(get_u32(h.dev, L, level_attr(1, 0, 32)), 0x5);
    assert_int_equal(get_u32(h.dev, L, level_attr(0, 0, 32)), 0x5);
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 40, 1)); /* KVM_IRQ_LINE shows here */
    assert_int_equal(get_u32(h.dev, L, level_attr(1, 0, 32)), 0x105);
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 32, 0));
    assert_int_equal(get_u32(h.dev, L, level_attr(1, 0, 32)), 0x104);
    /* PPIs per vCPU; SGIs RAZ/WI */
    assert_ok(set_u32(h.dev, L, level_attr(1, 0, 0), 0xffffffffu));
    assert_int_equal(get_u32(h.dev, L, level_attr(1, 0, 0)), 0xffff0000u);
    assert_int_equal(get_u32(h.dev, L, level_attr(0, 0, 0)), 0);
    /* INTIDs at or above the count: RAZ/WI */
    assert_ok(set_u32(h.dev, L, level_attr(0, 0, 128), 0xffffffffu));
    assert_int_equal(get_u32(h.dev, L, level_attr(0, 0, 128)), 0);
    assert_int_equal(get_u32(h.dev, L, level_attr(0, 0, 992)), 0);
    /* vINTID % 32, info != LINE_LEVEL, INTID > 1023 (spills into info): EINVAL */
    uint32_t v = 0;
    static const uint64_t bad[] = {16, 33, 63, 1u << 10, 1024 + 32, 0xfffffc00u};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, L, mp(0) | bad[i], &v));
        assert_err(EINVAL, set_u32(h.dev, L, mp(0) | bad[i], 0));
    }
    assert_err(EINVAL, dattr(h.dev, KVM_GET_DEVICE_ATTR, L, level_attr(2, 0, 32), &v));
    /* HAS: 0 for info 0 whatever the INTID (and the MPIDR), else ENXIO */
    assert_int_equal(has(h.dev, L, level_attr(0, 0, 17)), 0);
    assert_int_equal(has(h.dev, L, level_attr(5, 0, 32)), 0);
    assert_err(ENXIO, has(h.dev, L, level_attr(0, 1, 32)));
    vm_close(&h);
}

/* ================================================================== MAINT_IRQ, FEATURES */
static void test_maint_irq(void **state)
{
    (void)state;
    const uint32_t M = KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ;
    struct vmh h;
    vm_build(&h, 1, false);
    assert_int_equal(has(h.dev, M, 0), 0);
    assert_err(EINVAL, set_u32(h.dev, M, 0, 15));
    assert_err(EINVAL, set_u32(h.dev, M, 0, 32));
    assert_err(EINVAL, set_u32(h.dev, M, 0, 0xffffffffu));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, M, 0, BAD_PTR));
    assert_ok(set_u32(h.dev, M, 0, 25));
    assert_int_equal(get_u32(h.dev, M, 0), 25);
    assert_ok(set_u32(h.dev, M, 0, 16));
    assert_ok(set_u32(h.dev, M, 0, 31));
    assert_int_equal(get_u32(h.dev, M, 0), 31);
    assert_ok(init_gic(h.dev));
    /* after INIT: EBUSY (after the copy, before the range check); get any time */
    assert_err(EBUSY, set_u32(h.dev, M, 0, 20));
    assert_err(EBUSY, set_u32(h.dev, M, 0, 5));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, M, 0, page_none));
    assert_int_equal(get_u32(h.dev, M, 0), 31);
    assert_err(EFAULT, dattr(h.dev, KVM_GET_DEVICE_ATTR, M, 0, page_ro));
    vm_close(&h);
}

static void test_features(void **state)
{
    (void)state;
    const uint32_t F = KVM_DEV_ARM_VGIC_GRP_FEATURES;
    const uint64_t CAP = KVM_DEV_ARM_VGIC_FEATURE_nASSGIcap;
    struct vmh h;
    vm_build(&h, 1, false);
    assert_int_equal(has(h.dev, F, CAP), 0);
    assert_err(ENXIO, has(h.dev, F, 1));
    uint8_t b[4] = {0xaa, 0xaa, 0xaa, 0xaa};
    /* the attr is checked before the copy */
    assert_err(ENXIO, dattr(h.dev, KVM_SET_DEVICE_ATTR, F, 1, BAD_PTR));
    assert_err(ENXIO, dattr(h.dev, KVM_GET_DEVICE_ATTR, F, 1, b));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, F, CAP, BAD_PTR));
    /* a u8; no GICv4.1 vSGIs on the card: reads 0, enabling is EINVAL */
    assert_ok(dattr(h.dev, KVM_GET_DEVICE_ATTR, F, CAP, b));
    assert_int_equal(b[0], 0);
    assert_int_equal(b[1], 0xaa); /* one byte only */
    b[0] = 1;
    assert_err(EINVAL, dattr(h.dev, KVM_SET_DEVICE_ATTR, F, CAP, b));
    b[0] = 0;
    assert_ok(dattr(h.dev, KVM_SET_DEVICE_ATTR, F, CAP, b));
    assert_ok(init_gic(h.dev));
    assert_err(EBUSY, dattr(h.dev, KVM_SET_DEVICE_ATTR, F, CAP, b));
    b[0] = 1;
    assert_err(EBUSY, dattr(h.dev, KVM_SET_DEVICE_ATTR, F, CAP, b));
    assert_err(EFAULT, dattr(h.dev, KVM_SET_DEVICE_ATTR, F, CAP, page_none));
    b[0] = 0x55;
    assert_ok(dattr(h.dev, KVM_GET_DEVICE_ATTR, F, CAP, b));
    assert_int_equal(b[0], 0);
    vm_close(&h);
}

/* ================================================================== first KVM_RUN (3.10) */
static void test_first_run_errors(void **state)
{
    (void)state;
    struct vmh h;
    /* 1: a vCPU without a redistributor: ENXIO (before the dist and INIT checks) */
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    assert_ok(vm_add_gic(&h));
    assert_err(ENXIO, run(h.vcpu[0]));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    assert_ok(init_gic(h.dev));
    assert_err(ENXIO, run(h.vcpu[0]));
    /* region 0 only has one slot: vCPU 1 (created later) gets none */
    vm_close(&h);
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    assert_ok(vm_add_gic(&h));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, region(1, RD_BASE, 0, 0)));
    assert_true(vm_add_vcpu(&h, 1) >= 0);
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    assert_ok(init_gic(h.dev));
    assert_err(ENXIO, run(h.vcpu[0]));
    assert_err(ENXIO, run(h.vcpu[1]));
    /* a second region gives it one */
    assert_ok(
        set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, region(1, RD_BASE + 4 * RD_SZ, 0, 1)));
    assert_ok(run(h.vcpu[1]));
    vm_close(&h);

    /* 2: the distributor missing: ENXIO, before EBUSY */
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    assert_ok(vm_add_gic(&h));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_REDIST, RD_BASE));
    assert_err(ENXIO, run(h.vcpu[0]));
    assert_ok(init_gic(h.dev));
    assert_err(ENXIO, run(h.vcpu[0]));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    assert_ok(run(h.vcpu[0])); /* a failed first run can be retried */
    vm_close(&h);

    /* 3: the distributor overlapping a redistributor region: EINVAL, before EBUSY */
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    assert_ok(vm_add_gic(&h));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_REDIST, RD_BASE));
    /* the dist write itself is not checked against the redistributors (ref 3.2) */
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, RD_BASE + SZ_64K));
    assert_err(EINVAL, run(h.vcpu[0]));
    assert_ok(init_gic(h.dev));
    assert_err(EINVAL, run(h.vcpu[0]));
    vm_close(&h);

    /* 3: a legacy region that outgrew the IPA space through later vCPUs. The size check at
     * vCPU creation counts the vCPUs before the new one (ref 3.3 "Placement"), so the
     * creation succeeds and the first run fails. */
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    assert_ok(vm_add_gic(&h));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_REDIST, (1ull << 40) - RD_SZ));
    assert_true(vm_add_vcpu(&h, 1) >= 0);
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    assert_ok(init_gic(h.dev));
    assert_err(EINVAL, run(h.vcpu[0]));
    assert_err(EINVAL, run(h.vcpu[1]));
    vm_close(&h);

    /* 4: everything in place but no INIT: EBUSY; then fine, and again */
    vm_build(&h, 2, false);
    assert_err(EBUSY, run(h.vcpu[0]));
    assert_ok(init_gic(h.dev));
    assert_ok(run(h.vcpu[0]));
    assert_ok(vcpu_exit(h.vcpu[0]));
    assert_ok(run(h.vcpu[0]));
    assert_ok(run(h.vcpu[1]));
    vm_close(&h);
}

/* ================================================================== HAS_ATTR table (3.11) */
static void test_has_attr_table(void **state)
{
    (void)state;
    const uint32_t D = KVM_DEV_ARM_VGIC_GRP_DIST_REGS, R = KVM_DEV_ARM_VGIC_GRP_REDIST_REGS;
    struct vmh h;
    vm_build(&h, 1, false);
    /* DIST_REGS: offset & 3, unknown, beyond the frame: ENXIO; before NR_IRQS/INIT the SPI
     * fields do not exist yet */
    assert_int_equal(has(h.dev, D, GICD_CTLR), 0);
    assert_int_equal(has(h.dev, D, GICD_TYPER), 0);
    assert_int_equal(has(h.dev, D, GICD_IIDR), 0);
    assert_int_equal(has(h.dev, D, GICD_STATUSR), 0);
    assert_int_equal(has(h.dev, D, GICD_PIDR2), 0);
    assert_int_equal(has(h.dev, D, mp(77) | GICD_CTLR), 0); /* the MPIDR is ignored */
    /* ID registers 0xffd0..0xfffc are a region of the v3 distributor and RD_base (ref 3.6) */
    assert_int_equal(has(h.dev, D, 0xffd0), 0);
    assert_int_equal(has(h.dev, D, 0xffe0), 0);
    assert_int_equal(has(h.dev, D, 0xfffc), 0);
    assert_int_equal(has(h.dev, R, mp(0) | 0xffd0), 0);
    assert_int_equal(has(h.dev, R, mp(0) | 0xffe8), 0);
    assert_int_equal(has(h.dev, R, mp(0) | 0xfffc), 0);
    /* the first 32 IRQs' worth of each per-IRQ register is RAZ/WI, but exists (ref 3.6) */
    assert_int_equal(has(h.dev, D, GICD_IROUTER), 0);
    assert_int_equal(has(h.dev, D, GICD_IROUTER + 31 * 8 + 4), 0);
    assert_int_equal(has(h.dev, D, 0x0800), 0); /* ITARGETSR */
    assert_int_equal(has(h.dev, D, 0x0d00), 0); /* IGRPMODR */
    assert_int_equal(has(h.dev, D, GICD_IPRIORITYR + 28), 0);
    assert_err(ENXIO, has(h.dev, D, 0x2));
    assert_err(ENXIO, has(h.dev, D, 0x20));
    assert_err(ENXIO, has(h.dev, D, 0xffcc));
    assert_err(ENXIO, has(h.dev, D, 0x10000));
    assert_int_equal(has(h.dev, D, GICD_ISENABLER), 0);
    assert_err(ENXIO, has(h.dev, D, GICD_ISENABLER + 4));
    assert_err(ENXIO, has(h.dev, D, GICD_IROUTER + 32 * 8));
    assert_ok(set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 64));
    assert_int_equal(has(h.dev, D, GICD_ISENABLER + 4), 0);
    assert_int_equal(has(h.dev, D, GICD_ISPENDR + 4), 0);
    assert_int_equal(has(h.dev, D, GICD_IPRIORITYR + 60), 0);
    assert_int_equal(has(h.dev, D, GICD_ICFGR + 12), 0);
    assert_int_equal(has(h.dev, D, GICD_IROUTER + 32 * 8), 0);
    assert_int_equal(has(h.dev, D, GICD_IROUTER + 63 * 8 + 4), 0);
    assert_err(ENXIO, has(h.dev, D, GICD_ISENABLER + 8));
    assert_err(ENXIO, has(h.dev, D, GICD_IPRIORITYR + 64));
    assert_err(ENXIO, has(h.dev, D, GICD_ICFGR + 16));
    assert_err(ENXIO, has(h.dev, D, GICD_IROUTER + 64 * 8));
    /* REDIST_REGS */
    assert_err(EINVAL, has(h.dev, R, mp(1) | GICR_TYPER));
    assert_int_equal(has(h.dev, R, mp(0) | GICR_CTLR), 0);
    assert_int_equal(has(h.dev, R, mp(0) | GICR_TYPER), 0);
    assert_int_equal(has(h.dev, R, mp(0) | (GICR_TYPER + 4)), 0);
    assert_int_equal(has(h.dev, R, mp(0) | GICR_ISENABLER0), 0);
    assert_int_equal(has(h.dev, R, mp(0) | GICR_ISPENDR0), 0);
    assert_err(ENXIO, has(h.dev, R, mp(0) | 0x18));
    assert_err(ENXIO, has(h.dev, R, mp(0) | 0x1));
    assert_err(ENXIO, has(h.dev, R, mp(0) | (GICR_SGI + 0x20)));
    assert_err(ENXIO, has(h.dev, R, mp(0) | 0x20000));
    assert_err(ENXIO, has(h.dev, R, mp(0) | 0x20008));
    /* CPU_REGS is v2-only */
    assert_err(ENXIO, has(h.dev, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, 0));
    /* NR_IRQS, CTRL, MAINT_IRQ, FEATURES, others */
    assert_int_equal(has(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0), 0);
    assert_int_equal(has(h.dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT), 0);
    assert_int_equal(has(h.dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES),
                     0);
    assert_err(ENXIO, has(h.dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_ITS_SAVE_TABLES));
    assert_int_equal(has(h.dev, KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ, 0), 0);
    assert_int_equal(has(h.dev, KVM_DEV_ARM_VGIC_GRP_FEATURES, 0), 0);
    assert_err(ENXIO, has(h.dev, KVM_DEV_ARM_VGIC_GRP_FEATURES, 1));
    assert_err(ENXIO, has(h.dev, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, 0));
    assert_err(ENXIO, has(h.dev, 11, 0));
    /* nothing changes with INIT for the fixed registers */
    assert_ok(init_gic(h.dev));
    assert_int_equal(has(h.dev, D, GICD_ISENABLER + 4), 0);
    assert_err(ENXIO, has(h.dev, D, GICD_ISENABLER + 8));
    vm_close(&h);
}

/* ================================================================== KVM_IRQ_LINE (1.8) */
static void test_irq_line_no_gic(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    /* CPU type without an irqchip: the vCPU index and IRQ/FIQ are checked */
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_CPU, 1, KVM_ARM_IRQ_CPU_IRQ, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_CPU, 256, KVM_ARM_IRQ_CPU_IRQ, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_CPU, 0, 2, 1));
    /* PPI / SPI without an irqchip: ENXIO first */
    assert_err(ENXIO, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 0, 16, 1));
    assert_err(ENXIO, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 5, 3, 1));
    assert_err(ENXIO, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 32, 1));
    assert_err(ENXIO, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 3, 1));
    assert_err(EINVAL, irq_line(h.vm, 3, 0, 32, 1));
    assert_err(EINVAL, irq_line(h.vm, 0xf, 0, 32, 1));
    assert_err(EFAULT, ioe_ioctl(h.vm, KVM_IRQ_LINE, BAD_PTR));
    vm_close(&h);
}

static void test_irq_line(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    /* creation order 7, 2: vCPU index 1 is id 2 */
    assert_true(vm_add_vcpu(&h, 7) >= 0);
    assert_true(vm_add_vcpu(&h, 2) >= 0);
    assert_ok(vm_add_gic(&h));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_DIST, DIST_BASE));
    assert_ok(set_addr(h.dev, KVM_VGIC_V3_ADDR_TYPE_REDIST, RD_BASE));
    assert_ok(set_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, 128));
    /* before INIT */
    assert_err(ENXIO, irq_line(h.vm, KVM_ARM_IRQ_TYPE_CPU, 0, 0, 1));
    assert_err(ENXIO, irq_line(h.vm, KVM_ARM_IRQ_TYPE_CPU, 9, 5, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 2, 16, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 256, 16, 1)); /* vcpu2_index */
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 2, 3, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 0, 15, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 0, 32, 1));
    assert_err(EBUSY, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 0, 16, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 31, 1));
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 0, 1));
    assert_err(EBUSY, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 32, 1));
    assert_err(EBUSY, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 5120, 1)); /* EBUSY first */
    assert_err(EINVAL, irq_line(h.vm, 3, 0, 32, 1));
    assert_ok(init_gic(h.dev));
    /* after INIT: the configured range */
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 32, 1));
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 127, 1));
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 127, 0));
    static const uint32_t beyond[] = {128, 1020, 1024, 1120, 5120, 0xffff};
    for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++)
        assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 0, beyond[i], 1));
    /* the vCPU index field of an SPI is ignored */
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_SPI, 200, 64, 1));
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, level_attr(7, 0, 32)), 1);
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, level_attr(7, 0, 64)), 1);
    /* a PPI goes to the vCPU of that creation index */
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 1, 20, 1));
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 0, 31, 1));
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, level_attr(2, 0, 0)),
                     1u << 20);
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, level_attr(7, 0, 0)),
                     1u << 31);
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 1, 21, 2)); /* any non-zero level is high */
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, level_attr(2, 0, 0)),
                     3u << 20);
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 1, 21, 0));
    assert_ok(irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 1, 20, 0));
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, level_attr(2, 0, 0)), 0);
    assert_err(EINVAL, irq_line(h.vm, KVM_ARM_IRQ_TYPE_PPI, 2, 20, 1));
    assert_err(ENXIO, irq_line(h.vm, KVM_ARM_IRQ_TYPE_CPU, 0, 0, 1));
    assert_err(EFAULT, ioe_ioctl(h.vm, KVM_IRQ_LINE, page_none));
    /* KVM_IRQ_LINE_STATUS: the same line, and the structure copied back as it was (arm64
     * leaves the status, the irq number's union partner, alone) */
    struct kvm_irq_level st = {.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | 40,
                               .level = 1};
    assert_ok(ioe_ioctl(h.vm, KVM_IRQ_LINE_STATUS, &st));
    assert_int_equal(st.irq, KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | 40);
    assert_int_equal(get_u32(h.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, level_attr(7, 0, 32)) >> 8 & 1,
                     1);
    st.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | 128;
    assert_err(EINVAL, ioe_ioctl(h.vm, KVM_IRQ_LINE_STATUS, &st));
    assert_err(EFAULT, ioe_ioctl(h.vm, KVM_IRQ_LINE_STATUS, page_none));
    vm_close(&h);
}

/* ================================================================== KVM_SIGNAL_MSI (7.10) */
static void test_signal_msi_without_its(void **state)
{
    (void)state;
    struct vmh h;
    vm_build(&h, 1, true);
    struct kvm_msi msi;
    memset(&msi, 0, sizeof(msi));
    msi.address_lo = 0x08020040;
    msi.data = 1;
    msi.flags = 2; /* only KVM_MSI_VALID_DEVID is defined */
    assert_err(EINVAL, ioe_ioctl(h.vm, KVM_SIGNAL_MSI, &msi));
    msi.flags = KVM_MSI_VALID_DEVID;
    assert_err(ENODEV, ioe_ioctl(h.vm, KVM_SIGNAL_MSI, &msi)); /* no ITS */
    msi.flags = 0;
    assert_err(ENODEV, ioe_ioctl(h.vm, KVM_SIGNAL_MSI, &msi)); /* ENODEV before "no devid" */
    assert_err(EFAULT, ioe_ioctl(h.vm, KVM_SIGNAL_MSI, BAD_PTR));
    vm_close(&h);
}

/* without an in-kernel irqchip KVM_SIGNAL_MSI is EINVAL (kvm_send_userspace_msi), and only a VM
 * can answer KVM_CAP_MSI_DEVID (EINVAL on the system fd) */
static void test_signal_msi_without_irqchip(void **state)
{
    (void)state;
    struct vmh h;
    vm_open(&h, 0);
    struct kvm_msi msi;
    memset(&msi, 0, sizeof(msi));
    msi.flags = KVM_MSI_VALID_DEVID;
    assert_err(EINVAL, ioe_ioctl(h.vm, KVM_SIGNAL_MSI, &msi));
    assert_err(EINVAL, ioe_ioctl(h.sys, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_MSI_DEVID));
    assert_int_equal(ioe_ioctl(h.vm, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_MSI_DEVID), 0);
    vm_close(&h);
}

/* ================================================================== vCPU timer attributes */
static void test_vcpu_timer(void **state)
{
    (void)state;
    const uint32_t T = KVM_ARM_VCPU_TIMER_CTRL;
    struct vmh h;
    /* without a VGIC: SET is EINVAL; the defaults read back */
    vm_open(&h, 0);
    assert_true(vm_add_vcpu(&h, 0) >= 0);
    assert_err(EINVAL, timer_set(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_VTIMER, 20));
    assert_err(EINVAL, timer_set(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_PTIMER, 5));
    assert_int_equal(timer_get(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_VTIMER), 27);
    assert_int_equal(timer_get(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_PTIMER), 30);
    assert_int_equal(has(h.vcpu[0], T, KVM_ARM_VCPU_TIMER_IRQ_VTIMER), 0);
    assert_int_equal(has(h.vcpu[0], T, KVM_ARM_VCPU_TIMER_IRQ_PTIMER), 0);
    assert_err(ENXIO, has(h.vcpu[0], T, 7));
    assert_err(ENXIO, dattr(h.vcpu[0], KVM_GET_DEVICE_ATTR, T, 7, &(int){0}));
    assert_err(EFAULT, ioe_ioctl(h.vcpu[0], KVM_SET_DEVICE_ATTR, BAD_PTR));
    assert_err(EFAULT, ioe_ioctl(h.vcpu[0], KVM_HAS_DEVICE_ATTR, page_none));
    /* other vCPU groups (test_arm64_vcpu has their rows): no PMUv3 feature (ENODEV; HAS
     * ENXIO); stolen time outside guest RAM (EINVAL) */
    int v = 23;
    assert_err(ENODEV, dattr(h.vcpu[0], KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PMU_V3_CTRL,
                             KVM_ARM_VCPU_PMU_V3_IRQ, &v));
    assert_err(ENXIO, has(h.vcpu[0], KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ));
    uint64_t ipa = 0x1000;
    assert_err(EINVAL, dattr(h.vcpu[0], KVM_SET_DEVICE_ATTR, KVM_ARM_VCPU_PVTIME_CTRL,
                             KVM_ARM_VCPU_PVTIME_IPA, &ipa));
    assert_int_equal(has(h.vcpu[0], KVM_ARM_VCPU_PVTIME_CTRL, KVM_ARM_VCPU_PVTIME_IPA), 0);
    vm_close(&h);

    vm_build(&h, 2, true);
    /* PPIs only */
    static const int bad[] = {-1, 0, 15, 32, 33, 1023};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_err(EINVAL, timer_set(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_VTIMER, bad[i]));
        assert_err(EINVAL, timer_set(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_PTIMER, bad[i]));
    }
    assert_err(EFAULT,
               dattr(h.vcpu[0], KVM_SET_DEVICE_ATTR, T, KVM_ARM_VCPU_TIMER_IRQ_VTIMER, BAD_PTR));
    assert_err(EFAULT,
               dattr(h.vcpu[0], KVM_GET_DEVICE_ATTR, T, KVM_ARM_VCPU_TIMER_IRQ_VTIMER, page_ro));
    assert_int_equal(timer_get(h.vcpu[1], KVM_ARM_VCPU_TIMER_IRQ_VTIMER), 27);
    assert_ok(timer_set(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_VTIMER, 16));
    assert_ok(timer_set(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_PTIMER, 31));
    /* one setting configures every vCPU */
    assert_int_equal(timer_get(h.vcpu[1], KVM_ARM_VCPU_TIMER_IRQ_VTIMER), 16);
    assert_int_equal(timer_get(h.vcpu[1], KVM_ARM_VCPU_TIMER_IRQ_PTIMER), 31);
    /* the same PPI for both timers: the first run fails with EINVAL, and can be fixed */
    assert_ok(timer_set(h.vcpu[1], KVM_ARM_VCPU_TIMER_IRQ_VTIMER, 31));
    assert_err(EINVAL, run(h.vcpu[0]));
    assert_err(EINVAL, run(h.vcpu[1]));
    assert_ok(timer_set(h.vcpu[1], KVM_ARM_VCPU_TIMER_IRQ_VTIMER, 27));
    assert_ok(run(h.vcpu[0]));
    /* after a run: EBUSY (the value is still checked first) */
    assert_err(EBUSY, timer_set(h.vcpu[1], KVM_ARM_VCPU_TIMER_IRQ_VTIMER, 20));
    assert_ok(vcpu_exit(h.vcpu[0]));
    assert_err(EBUSY, timer_set(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_PTIMER, 20));
    assert_err(EBUSY, timer_set(h.vcpu[0], 7, 20)); /* immutable before the attr is looked at */
    assert_err(EINVAL, timer_set(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_PTIMER, 40));
    assert_int_equal(timer_get(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_VTIMER), 27);
    assert_int_equal(timer_get(h.vcpu[0], KVM_ARM_VCPU_TIMER_IRQ_PTIMER), 31);
    vm_close(&h);
}

/* ================================================================== setup */
static int group_setup(void **state)
{
    (void)state;
    page_none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page_ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return page_none == MAP_FAILED || page_ro == MAP_FAILED ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    munmap(page_none, 4096);
    munmap(page_ro, 4096);
    return 0;
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
#define T(f) TT_TARGET_TEST_SETUP_TEARDOWN(f, use_target, NULL)
    const struct CMUnitTest tests[] = {
        T(test_api_version_and_extensions),
        T(test_ebadf),
        T(test_create_vm_ipa),
        T(test_create_vm_contexts),
        T(test_create_vcpu),
        T(test_create_vcpu_after_init),
        T(test_mpidr_affinity),
        T(test_memory_region),
        T(test_create_device),
        T(test_create_device_copy_out_fails),
        T(test_user_copy_stack_edge),
        T(test_create_device_after_run),
        T(test_device_fd_plumbing),
        T(test_addr_dist),
        T(test_addr_types_and_faults),
        T(test_addr_redist_legacy),
        T(test_addr_redist_region),
        T(test_gicr_typer_last),
        T(test_nr_irqs),
        T(test_ctrl),
        T(test_regs_before_init),
        T(test_regs_efault_order),
        T(test_regs_while_running),
        T(test_dist_regs),
        T(test_redist_regs),
        T(test_pending_uaccess),
        T(test_cpu_sysregs),
        T(test_level_info),
        T(test_maint_irq),
        T(test_features),
        T(test_first_run_errors),
        T(test_has_attr_table),
        T(test_irq_line_no_gic),
        T(test_irq_line),
        T(test_signal_msi_without_its),
        T(test_signal_msi_without_irqchip),
        T(test_vcpu_timer),
    };
    return tt_run_tests("vgic_v3_api", tests, group_setup, group_teardown);
}
