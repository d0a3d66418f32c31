/*
 * KVM_DEV_TYPE_ARM_VGIC_ITS through libioe's KVM-compatible API, against
 * /work/shared/reference/kvm-arm-abi.md §4 and §7 and docs/its.md: every attribute and
 * errno row of §4.1 in KVM's order of checks, the creation and reset state, the return
 * values of KVM_SIGNAL_MSI (§4.6), and guest scenarios driven through a command queue in
 * guest memory. Each test runs on each target of IOE_TEST_TARGETS (tests/targets.h; soft and
 * sim by default); on a card without its ITS engine (FEATURES.ITS = 0) the test checks that
 * the device type is not registered and skips.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "its_util.h"

#include "assert_errno.h"
#include "targets.h"

#define BAD_PTR 8ull
#define G_ADDR KVM_DEV_ARM_VGIC_GRP_ADDR
#define G_CTRL KVM_DEV_ARM_VGIC_GRP_CTRL
#define G_REGS KVM_DEV_ARM_VGIC_GRP_ITS_REGS

static int attr(int fd, unsigned long req, uint32_t group, uint64_t a, uint64_t addr)
{
    struct kvm_device_attr d = {.group = group, .attr = a, .addr = addr};
    return ioe_ioctl(fd, req, &d);
}
#define SET(fd, g, a, p) attr(fd, KVM_SET_DEVICE_ATTR, g, a, (uint64_t)(uintptr_t)(p))
#define GET(fd, g, a, p) attr(fd, KVM_GET_DEVICE_ATTR, g, a, (uint64_t)(uintptr_t)(p))
#define HAS(fd, g, a) attr(fd, KVM_HAS_DEVICE_ATTR, g, a, 0)

/* The target of the test, or skip (after checking ENODEV) when its card has no ITS. */
static const char *target_or_skip(void **state)
{
    const char *target = *state;
    if (!t_card_has_its(target)) {
        int kvm = ioe_open(target), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
        struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_ITS};
        assert_err(ENODEV, ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
        cd.flags = KVM_CREATE_DEVICE_TEST;
        assert_err(ENODEV, ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
        ioe_close(vm);
        ioe_close(kvm);
        printf("%s: the card has no ITS engine (FEATURES.ITS = 0): skipped\n", target);
        skip();
    }
    return target;
}

/* A VM (GICv3 initialised, 2 vCPUs) with one ITS; base set when `base`. */
static void vm_its(struct tvm *t, int *its, const char *target, int base)
{
    t_vm_open(t, target, 2, 64);
    *its = its_create(t->vm);
    assert_true(*its >= 0);
    if (base) {
        uint64_t a = ITS_BASE;
        assert_ok(SET(*its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    }
}

static void vm_its_close(struct tvm *t, int its)
{
    assert_int_equal(ioe_close(its), 0);
    t_vm_close(t);
}

/* ------------------------------------------------------------------ creation (§2.1) */
static void test_create(void **state)
{
    const char *target = target_or_skip(state);
    int kvm = ioe_open(target);
    int vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    assert_err(EINVAL, ioe_ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID));
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID), 0);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_ITS,
                                   .flags = KVM_CREATE_DEVICE_TEST};
    cd.fd = 12345;
    assert_int_equal(ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd), 0);
    assert_int_equal(cd.fd, 12345); /* TEST creates nothing */
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID), 0);
    assert_err(EFAULT, ioe_ioctl(vm, KVM_CREATE_DEVICE, (void *)BAD_PTR));
    /* vgic_its_create needs no GICv3 device and no vCPU */
    int its[8];
    for (int i = 0; i < 8; i++) {
        its[i] = its_create(vm);
        assert_true(its[i] >= 0);
    }
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID), 1);
    /* MAX_ITS_PER_VM, and the card's 8 instances: ENOSPC */
    assert_err(ENOSPC, ioe_ioctl(vm, KVM_CREATE_DEVICE,
                                 &(struct kvm_create_device){.type = KVM_DEV_TYPE_ARM_VGIC_ITS}));
    int vm2 = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    assert_err(ENOSPC, ioe_ioctl(vm2, KVM_CREATE_DEVICE,
                                 &(struct kvm_create_device){.type = KVM_DEV_TYPE_ARM_VGIC_ITS}));
    /* frames of the ITSes of a VM: distinct, not overlapping (card rule, see api.md) */
    uint64_t a = ITS_BASE;
    assert_ok(SET(its[0], G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    a = ITS_BASE + 0x10000;
    assert_err(EINVAL, SET(its[1], G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    a = ITS_BASE - 0x10000;
    assert_err(EINVAL, SET(its[1], G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    a = ITS_BASE + 0x20000;
    assert_ok(SET(its[1], G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    /* a VM going away frees its instances for others */
    for (int i = 0; i < 8; i++)
        assert_int_equal(ioe_close(its[i]), 0);
    assert_int_equal(ioe_close(vm), 0);
    int x = its_create(vm2);
    assert_true(x >= 0);
    assert_int_equal(ioe_ioctl(vm2, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID), 1);
    /* unknown ioctl on the device: ENOTTY; bad attr pointer: EFAULT */
    assert_err(ENOTTY, ioe_ioctl(x, KVM_RUN, 0));
    assert_err(EFAULT, ioe_ioctl(x, KVM_SET_DEVICE_ATTR, (void *)BAD_PTR));
    assert_err(EFAULT, ioe_ioctl(x, KVM_HAS_DEVICE_ATTR, (void *)BAD_PTR));
    ioe_close(x);
    ioe_close(vm2);
    ioe_close(kvm);
}

/* A VM's first ITS may come at any time, as in KVM (vgic_has_its is read at access time):
 * after INIT and after a vCPU ran, GICD_TYPER says LPIS from then on, GICR_CTLR.EnableLPIs
 * becomes writable, and the VM's GIC state is kept (the card's VM_SET_ITS). */
static void test_create_after_run(void **state)
{
    const char *target = target_or_skip(state);
    struct tvm t;
    t_vm_open(&t, target, 2, 64);
    t_run_all(&t);
    t_exit_all(&t);
    /* some state of the running VM: SPI 40 enabled, priority 0x40, pending */
    t_gicd_w(&t, 0x104, 1u << 8);
    t_mmio(&t, DIST_BASE + 0x400 + 40, 1, 1, 0x40);
    struct kvm_irq_level l = {.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | 40,
                              .level = 1};
    assert_ok(ioe_ioctl(t.vm, KVM_IRQ_LINE, &l));
    t_mmio(&t, t_rd(0), 4, 1, 1); /* EnableLPIs without an ITS: ignored */
    assert_int_equal(t_mmio(&t, t_rd(0), 4, 0, 0) & 1, 0);
    assert_int_equal(t_gicd_r(&t, 0x4) >> 17 & 1, 0);
    int its = its_create(t.vm);
    assert_true(its >= 0);
    assert_int_equal(t_gicd_r(&t, 0x4) >> 17 & 1, 1);
    assert_int_equal(t_gicd_r(&t, 0x104) >> 8 & 1, 1);                   /* still enabled */
    assert_int_equal(t_mmio(&t, DIST_BASE + 0x400 + 40, 1, 0, 0), 0x40); /* priority */
    assert_int_equal(t_gicd_r(&t, 0x204) >> 8 & 1, 1);                   /* still pending */
    t_mmio(&t, t_rd(0), 4, 1, 1);
    assert_int_equal(t_mmio(&t, t_rd(0), 4, 0, 0) & 1, 1);
    /* a second ITS changes nothing of that */
    int its2 = its_create(t.vm);
    assert_true(its2 >= 0);
    assert_int_equal(t_mmio(&t, t_rd(0), 4, 0, 0) & 1, 1);
    ioe_close(its2);
    vm_its_close(&t, its);
    /* after INIT, no vCPU ran: the first ITS makes GICD_TYPER say LPIS */
    t_vm_open(&t, target, 1, 64);
    uint32_t typer = 0;
    t_get_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x4, &typer);
    assert_int_equal(typer >> 17 & 1, 0);
    its = its_create(t.vm);
    assert_true(its >= 0);
    t_get_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x4, &typer);
    assert_int_equal(typer >> 17 & 1, 1);
    assert_int_equal(typer >> 19 & 0x1f, 15);
    vm_its_close(&t, its);
}

/* ------------------------------------------------------------------ GRP_ADDR (§4.1) */
static void test_addr(void **state)
{
    const char *target = target_or_skip(state);
    struct tvm t;
    int its;
    vm_its(&t, &its, target, 0);
    uint64_t a = 0, ipa = 1ull << 40;
    /* HAS */
    assert_int_equal(HAS(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE), 0);
    assert_err(ENXIO, HAS(its, G_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST));
    /* GET before SET: UNDEF */
    assert_ok(GET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    assert_true(a == ~0ull);
    /* 1: type before the copy: ENODEV (not ENXIO), even with a bad pointer */
    assert_err(ENODEV, SET(its, G_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, BAD_PTR));
    assert_err(ENODEV, SET(its, G_ADDR, 99, &a));
    assert_err(ENODEV, GET(its, G_ADDR, 3, &a));
    /* 2: EFAULT */
    assert_err(EFAULT, SET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, BAD_PTR));
    /* 3: alignment, wrap, IPA */
    a = ITS_BASE + 0x1000;
    assert_err(EINVAL, SET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    a = 0xffffffffffff0000ull; /* wraps: EINVAL before E2BIG */
    assert_err(EINVAL, SET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    a = ipa;
    assert_err(E2BIG, SET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    a = ipa - 0x10000; /* the frame's top beyond the IPA */
    assert_err(E2BIG, SET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    a = ipa - 0x20000;
    assert_ok(SET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    /* EEXIST beats every other check */
    a = ITS_BASE + 1;
    assert_err(EEXIST, SET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    a = 0;
    assert_ok(GET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    assert_true(a == ipa - 0x20000);
    assert_err(EFAULT, GET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, BAD_PTR));
    /* a frame over the GICD (KVM's MMIO bus takes it too): accepted */
    int its2 = its_create(t.vm);
    a = DIST_BASE;
    assert_ok(SET(its2, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    ioe_close(its2);
    vm_its_close(&t, its);
}

/* ------------------------------------------------------------------ GRP_CTRL (§4.1) */
static void test_ctrl(void **state)
{
    const char *target = target_or_skip(state);
    struct tvm t;
    int its;
    vm_its(&t, &its, target, 1);
    static const uint64_t has[] = {KVM_DEV_ARM_VGIC_CTRL_INIT, KVM_DEV_ARM_ITS_SAVE_TABLES,
                                   KVM_DEV_ARM_ITS_RESTORE_TABLES, KVM_DEV_ARM_ITS_CTRL_RESET};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(HAS(its, G_CTRL, has[i]), 0);
    assert_err(ENXIO, HAS(its, G_CTRL, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES));
    assert_err(ENXIO, HAS(its, G_CTRL, 5));
    /* unknown attrs: 0 on SET (KVM's switch falls through), ENXIO on HAS */
    assert_int_equal(SET(its, G_CTRL, 5, NULL), 0);
    assert_int_equal(SET(its, G_CTRL, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, NULL), 0);
    assert_err(ENXIO, GET(its, G_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, &t));
    assert_err(ENXIO, GET(its, G_CTRL, KVM_DEV_ARM_ITS_CTRL_RESET, &t));
    /* with a vCPU running: INIT is still 0, everything else EBUSY */
    assert_int_equal(ioe_ioctl(t.vcpu[1], KVM_RUN, 0), 0);
    assert_int_equal(SET(its, G_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
    assert_err(EBUSY, SET(its, G_CTRL, KVM_DEV_ARM_ITS_CTRL_RESET, NULL));
    assert_err(EBUSY, SET(its, G_CTRL, KVM_DEV_ARM_ITS_SAVE_TABLES, NULL));
    assert_err(EBUSY, SET(its, G_CTRL, KVM_DEV_ARM_ITS_RESTORE_TABLES, NULL));
    assert_err(EBUSY, SET(its, G_CTRL, 5, NULL));
    assert_int_equal(ioe_ioctl(t.vcpu[1], IOE_VCPU_EXIT, 0), 0);
    assert_int_equal(SET(its, G_CTRL, KVM_DEV_ARM_ITS_CTRL_RESET, NULL), 0);
    /* tables not valid: nothing to save or restore */
    assert_int_equal(SET(its, G_CTRL, KVM_DEV_ARM_ITS_SAVE_TABLES, NULL), 0);
    assert_int_equal(SET(its, G_CTRL, KVM_DEV_ARM_ITS_RESTORE_TABLES, NULL), 0);
    /* unknown groups */
    assert_err(ENXIO, SET(its, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0, &t));
    assert_err(ENXIO, GET(its, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &t));
    assert_err(ENXIO, HAS(its, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0));
    /* the GICv3's SAVE_PENDING_TABLES with an ITS: the card writes (nothing pending) */
    assert_int_equal(SET(t.dev, G_CTRL, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES, NULL), 0);
    vm_its_close(&t, its);
}

/* ------------------------------------------------------------------ GRP_ITS_REGS (§4.1) */
static const uint64_t regs[] = {0x0,    0x4,    0x8,    0x80,   0x88,   0x90,   0x100,
                                0x108,  0x110,  0x118,  0x120,  0x128,  0x130,  0x138,
                                0xffd0, 0xffd4, 0xffd8, 0xffdc, 0xffe0, 0xffe4, 0xffe8,
                                0xffec, 0xfff0, 0xfff4, 0xfff8, 0xfffc};

static void test_regs_errno(void **state)
{
    const char *target = target_or_skip(state);
    struct tvm t;
    int its;
    vm_its(&t, &its, target, 0);
    uint64_t v = 0;
    /* HAS: no base needed */
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        if (HAS(its, G_REGS, regs[i]))
            fail_msg("HAS ITS_REGS 0x%llx: %s", (unsigned long long)regs[i], strerror(errno));
    assert_err(EINVAL, HAS(its, G_REGS, 0x2));
    assert_err(EINVAL, HAS(its, G_REGS, 0xc));  /* TYPER's upper half: 8-aligned */
    assert_err(EINVAL, HAS(its, G_REGS, 0x84)); /* CBASER's upper half */
    assert_err(EINVAL, HAS(its, G_REGS, 0xffd2));
    assert_err(ENXIO, HAS(its, G_REGS, 0x10));
    assert_err(ENXIO, HAS(its, G_REGS, 0x98));
    assert_err(ENXIO, HAS(its, G_REGS, 0x140));
    assert_err(ENXIO, HAS(its, G_REGS, 0xffc8));
    assert_err(ENXIO, HAS(its, G_REGS, 0x10040)); /* GITS_TRANSLATER is not emulated */
    assert_err(ENXIO, HAS(its, G_REGS, 0x100000000ull));
    /* 1: SET fetches first */
    assert_err(EFAULT, SET(its, G_REGS, 0x3, BAD_PTR));
    /* 2: alignment before the base check */
    assert_err(EINVAL, SET(its, G_REGS, 0x3, &v));
    assert_err(EINVAL, GET(its, G_REGS, 0x84, BAD_PTR));
    /* 4: base not set */
    assert_err(ENXIO, GET(its, G_REGS, 0x0, &v));
    assert_err(ENXIO, SET(its, G_REGS, 0x80, &v));
    uint64_t a = ITS_BASE;
    assert_ok(SET(its, G_ADDR, KVM_VGIC_ITS_ADDR_TYPE, &a));
    /* 3: vCPUs running (after alignment, before the table) */
    assert_int_equal(ioe_ioctl(t.vcpu[0], KVM_RUN, 0), 0);
    assert_err(EBUSY, GET(its, G_REGS, 0x0, &v));
    assert_err(EBUSY, GET(its, G_REGS, 0x10, &v));
    assert_err(EINVAL, GET(its, G_REGS, 0x4c, &v));
    assert_int_equal(ioe_ioctl(t.vcpu[0], IOE_VCPU_EXIT, 0), 0);
    /* 5: not in the table */
    assert_err(ENXIO, GET(its, G_REGS, 0x10, &v));
    assert_err(ENXIO, SET(its, G_REGS, 0x98, &v));
    assert_err(ENXIO, GET(its, G_REGS, 0x10040, &v));
    /* 7: GET copies out last */
    assert_err(EFAULT, GET(its, G_REGS, 0x0, BAD_PTR));
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        assert_ok(GET(its, G_REGS, regs[i], &v));
    /* uaccess writes: IIDR revision >= 1 EINVAL, 0 accepted */
    v = 0x4B00143B;
    assert_err(EINVAL, SET(its, G_REGS, GITS_IIDR, &v));
    v = 0x4B00043B;
    assert_ok(SET(its, G_REGS, GITS_IIDR, &v));
    /* CREADR: beyond the queue EINVAL; enabled EBUSY; else stored */
    its_set_reg(its, GITS_CBASER, 1ull << 63 | 0x40000000ull | 1); /* 8 KiB queue */
    v = 0x2000;
    assert_err(EINVAL, SET(its, G_REGS, GITS_CREADR, &v));
    v = 0x1fe0 | 0x1f; /* low bits dropped */
    assert_ok(SET(its, G_REGS, GITS_CREADR, &v));
    assert_int_equal(its_reg(its, GITS_CREADR), 0x1fe0);
    /* TYPER, writes ignored */
    uint64_t typer = its_reg(its, GITS_TYPER);
    v = 0;
    assert_ok(SET(its, G_REGS, GITS_TYPER, &v));
    assert_int_equal(its_reg(its, GITS_TYPER), typer);
    vm_its_close(&t, its);
}

/* ------------------------------------------------------------------ reset state (seed doc) */
static void check_reset_state(int its, uint64_t typer)
{
    assert_int_equal(its_reg(its, GITS_CTLR), 0x80000000u);
    assert_int_equal(its_reg(its, GITS_IIDR), 0x4B00043Bu);
    assert_int_equal(its_reg(its, GITS_TYPER), typer);
    assert_int_equal(its_reg(its, GITS_CBASER), 0);
    assert_int_equal(its_reg(its, GITS_CWRITER), 0);
    assert_int_equal(its_reg(its, GITS_CREADR), 0);
    assert_true(its_reg(its, GITS_BASER(0)) == 0x3907000000000600ull);
    assert_true(its_reg(its, GITS_BASER(1)) == 0x3C07000000000600ull);
    for (int n = 2; n < 8; n++)
        assert_true(its_reg(its, GITS_BASER(n)) == 0);
    static const uint32_t id[12] = {0x40, 0, 0, 0, 0x92, 0xB4, 0x3B, 0, 0x0D, 0xF0, 0x05, 0xB1};
    for (int i = 0; i < 12; i++)
        assert_int_equal(its_reg(its, 0xffd0 + 4 * i), id[i]);
}

static void test_reset_state(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_open(&x, target, 2);
    struct ioe_card *c;
    struct ioe_card_info info;
    assert_int_equal(ioe_card_open(target, &c), 0);
    assert_int_equal(ioe_card_info(c, &info), 0);
    ioe_card_close(c);
    uint64_t typer =
        1 | 7u << 4 | (uint64_t)(info.lpi_bits - 1) << 8 | (uint64_t)(info.dev_bits - 1) << 13;
    if (info.lpi_bits == 16 && info.dev_bits == 16)
        assert_int_equal(typer, 0x1EF71);
    check_reset_state(x.its, typer);
    /* the guest view agrees */
    assert_int_equal(its_mmio_r(&x, GITS_IIDR, 4), 0x4B00043Bu);
    assert_int_equal(its_mmio_r(&x, GITS_TYPER, 8), typer);
    assert_int_equal(its_mmio_r(&x, GITS_TYPER, 4), (uint32_t)typer);
    assert_int_equal(its_mmio_r(&x, GITS_TYPER + 4, 4), 0);
    assert_int_equal(its_mmio_r(&x, 0xffe8, 4), 0x3B);
    /* RAZ/WI: bytes, misaligned, 64-bit CTLR, holes, TRANSLATER */
    assert_int_equal(its_mmio_r(&x, GITS_IIDR, 1), 0);
    assert_int_equal(its_mmio_r(&x, GITS_IIDR + 1, 4), 0);
    assert_int_equal(its_mmio_r(&x, GITS_CTLR, 8), 0);
    assert_int_equal(its_mmio_r(&x, 0x40, 4), 0);
    its_mmio_w(&x, 0x10040, 4, 5);
    assert_int_equal(its_mmio_r(&x, 0x10040, 4), 0);
    /* -ENXIO outside every ITS frame (and every GIC frame) */
    struct ioe_mmio m = {.gpa = 0x09000000, .len = 4}; /* ITS_BASE + ITS_SZ is a GICR */
    assert_err(ENXIO, ioe_ioctl(x.t.vm, IOE_MMIO, &m));
    m.gpa = ITS_BASE - 4;
    assert_err(ENXIO, ioe_ioctl(x.t.vm, IOE_MMIO, &m));
    /* program it, run commands, then RESET */
    its_tables(&x, 0x10000, 0, 1);
    cmd_mapc(&x, 1, 0, 1);
    cmd_mapd(&x, 1, 3, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(&x, 1, 0, LPI0, 1);
    its_go(&x);
    assert_int_equal(its_reg(x.its, GITS_CTLR), 0x80000001u);
    assert_int_equal(its_msi(&x, 1, 0), 1);
    uint64_t b0 = its_reg(x.its, GITS_BASER(0)), b1 = its_reg(x.its, GITS_BASER(1));
    its_ctrl(x.its, KVM_DEV_ARM_ITS_CTRL_RESET);
    assert_int_equal(its_reg(x.its, GITS_CTLR), 0x80000000u);
    assert_int_equal(its_reg(x.its, GITS_CBASER), 0);
    assert_int_equal(its_reg(x.its, GITS_CWRITER), 0);
    assert_int_equal(its_reg(x.its, GITS_CREADR), 0);
    assert_true(its_reg(x.its, GITS_BASER(0)) == (b0 & ~(1ull << 63)));
    assert_true(its_reg(x.its, GITS_BASER(1)) == (b1 & ~(1ull << 63)));
    assert_int_equal(its_reg(x.its, GITS_IIDR), 0x4B00043Bu);
    /* devices and collections freed: after re-enabling, the MSI is blocked */
    its_mmio_w(&x, GITS_CBASER, 8, 1ull << 63 | (MEM_GPA + CMDQ_OFF));
    its_mmio_w(&x, GITS_BASER(0), 8, b0);
    its_mmio_w(&x, GITS_BASER(1), 8, b1);
    its_mmio_w(&x, GITS_CTLR, 4, 1);
    assert_int_equal(its_msi(&x, 1, 0), 0);
    its_close(&x);
}

/* ------------------------------------------------------------------ KVM_SIGNAL_MSI (§4.6) */
static void test_signal_msi(void **state)
{
    const char *target = target_or_skip(state);
    struct kvm_msi m = {.address_lo = (uint32_t)(ITS_BASE + 0x10040), .flags = KVM_MSI_VALID_DEVID};
    /* no irqchip: EINVAL (kvm_send_userspace_msi); GICv3 without ITS: ENODEV */
    int kvm = ioe_open(target), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    assert_err(EINVAL, ioe_ioctl(vm, KVM_SIGNAL_MSI, &m));
    ioe_close(vm);
    ioe_close(kvm);
    struct tvm t;
    t_vm_open(&t, target, 1, 64);
    assert_err(ENODEV, ioe_ioctl(t.vm, KVM_SIGNAL_MSI, &m));
    t_vm_close(&t);

    struct tits x;
    its_open(&x, target, 2);
    m.flags = 0x10; /* unknown flag: EINVAL first */
    assert_err(EINVAL, ioe_ioctl(x.t.vm, KVM_SIGNAL_MSI, &m));
    assert_err(EFAULT, ioe_ioctl(x.t.vm, KVM_SIGNAL_MSI, (void *)BAD_PTR));
    m.flags = 0; /* no DeviceID */
    assert_err(EINVAL, ioe_ioctl(x.t.vm, KVM_SIGNAL_MSI, &m));
    m.flags = KVM_MSI_VALID_DEVID;
    m.address_lo = (uint32_t)(ITS_BASE + ITS_SZ); /* outside the frame */
    assert_err(EINVAL, ioe_ioctl(x.t.vm, KVM_SIGNAL_MSI, &m));
    m.address_lo = (uint32_t)DIST_BASE;
    assert_err(EINVAL, ioe_ioctl(x.t.vm, KVM_SIGNAL_MSI, &m));
    /* ITS disabled: EBUSY (any address inside the frame is the doorbell) */
    m.address_lo = (uint32_t)ITS_BASE;
    assert_err(EBUSY, ioe_ioctl(x.t.vm, KVM_SIGNAL_MSI, &m));
    its_tables(&x, 0x10000, 0, 1);
    /* enabled, nothing mapped: 0 */
    assert_int_equal(ioe_ioctl(x.t.vm, KVM_SIGNAL_MSI, &m), 0);
    cmd_mapc(&x, 0, 0, 1);
    cmd_mapc(&x, 1, 1, 1);
    cmd_mapd(&x, 7, 4, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(&x, 7, 3, LPI0 + 5, 1);
    cmd_mapti(&x, 7, 4, LPI0 + 6, 0);
    cmd_mapti(&x, 7, 5, LPI0 + 7, 9); /* collection 9 not mapped */
    its_go(&x);
    assert_int_equal(its_msi(&x, 7, 2), 0);  /* no ITE */
    assert_int_equal(its_msi(&x, 8, 3), 0);  /* no device */
    assert_int_equal(its_msi(&x, 7, 5), 0);  /* collection unmapped */
    assert_int_equal(its_msi(&x, 7, 99), 0); /* EventID beyond the ITT */
    /* LPIs disabled at the target redistributor: EBUSY */
    t_mmio(&x.t, t_rd(1) + GICR_CTLR, 4, 1, 0);
    assert_int_equal(its_msi(&x, 7, 3), -EBUSY);
    assert_int_equal(its_take(&x, 1), 1023);
    t_mmio(&x.t, t_rd(1) + GICR_CTLR, 4, 1, 1);
    assert_int_equal(its_msi(&x, 7, 3), 1);
    assert_int_equal(its_msi(&x, 7, 4), 1);
    assert_int_equal(its_take(&x, 1), LPI0 + 5);
    assert_int_equal(its_take(&x, 1), 1023);
    assert_int_equal(its_take(&x, 0), LPI0 + 6);
    assert_int_equal(its_take(&x, 0), 1023);
    its_close(&x);
}

/* ------------------------------------------------------------------ scenarios */
/* Devices on several collections and vCPUs; INT and MSI; INV/INVALL; MAPD V=0; MOVI,
 * MOVALL. Device table layout and page size from the parameters. */
static void scenario(const char *target, uint64_t ps, int indirect)
{
    struct tits x;
    its_open(&x, target, 3);
    unsigned per = (unsigned)(ps / 8);
    /* devices: 1, and one in the second level-2 page (two-level) or further away (flat) */
    uint32_t devs[3] = {1, per + 2, 5};
    if (indirect) {
        /* L1: 2 pages of level 2 */
        put64(x.mem + DT_OFF, 1ull << 63 | (MEM_GPA + L2_OFF));
        put64(x.mem + DT_OFF + 8, 1ull << 63 | (MEM_GPA + L2_OFF + ps));
        its_tables(&x, ps, 1, 1);
    } else {
        its_tables(&x, ps, 0, (unsigned)((8ull * (per + 3) + ps - 1) / ps));
    }
    for (int c = 0; c < 3; c++)
        cmd_mapc(&x, (uint16_t)(10 + c), (uint32_t)c, 1);
    for (int d = 0; d < 3; d++) {
        cmd_mapd(&x, devs[d], 4, MEM_GPA + ITT_OFF + 0x1000ull * d, 1);
        for (uint32_t e = 0; e < 4; e++)
            cmd_mapti(&x, devs[d], e, LPI0 + 100 * (uint32_t)d + e, (uint16_t)(10 + (e % 3)));
    }
    its_go(&x);
    /* MSI and INT: the right vCPU sees the right LPI */
    for (int d = 0; d < 3; d++)
        for (uint32_t e = 0; e < 4; e++) {
            uint32_t lpi = LPI0 + 100 * (uint32_t)d + e;
            if ((d + e) % 2) {
                assert_int_equal(its_msi(&x, devs[d], e), 1);
            } else {
                cmd_dev_ev(&x, C_INT, devs[d], e, 0);
                its_go(&x);
            }
            for (int c = 0; c < 3; c++)
                if (c != (int)(e % 3))
                    assert_int_equal(its_take(&x, c), 1023);
            assert_int_equal(its_take(&x, (int)(e % 3)), lpi);
            assert_int_equal(its_take(&x, (int)(e % 3)), 1023);
        }
    /* disable LPI of (1,0) in the property table + INV: no delivery; re-enable + INVALL:
     * the pending one comes */
    x.mem[PROP_OFF + 0] = 0xa0;
    cmd_dev_ev(&x, C_INV, 1, 0, 0);
    its_go(&x);
    assert_int_equal(its_msi(&x, 1, 0), 1);
    assert_int_equal(its_take(&x, 0), 1023);
    x.mem[PROP_OFF + 0] = 0xa1;
    assert_int_equal(its_take(&x, 0), 1023); /* not yet re-read */
    its_cmd(&x, C_INVALL, 0, 10, 0);
    its_go(&x);
    assert_int_equal(its_take(&x, 0), LPI0);
    /* MOVI: a pending LPI moves with its ITE; MOVALL moves every LPI of a vCPU */
    x.mem[PROP_OFF + 1] = 0xa0; /* hold LPI0+1 (vCPU 1) pending while moving */
    cmd_dev_ev(&x, C_INV, 1, 1, 0);
    its_go(&x);
    assert_int_equal(its_msi(&x, 1, 1), 1);
    cmd_dev_ev(&x, C_MOVI, 1, 1, 12); /* to vCPU 2 */
    its_go(&x);
    x.mem[PROP_OFF + 1] = 0xa1;
    cmd_dev_ev(&x, C_INV, 1, 1, 0);
    its_go(&x);
    assert_int_equal(its_take(&x, 1), 1023);
    assert_int_equal(its_take(&x, 2), LPI0 + 1);
    x.mem[PROP_OFF + 2] = 0xa0; /* LPI0+2 on vCPU 2 */
    cmd_dev_ev(&x, C_INV, 1, 2, 0);
    its_go(&x);
    assert_int_equal(its_msi(&x, 1, 2), 1);
    its_cmd(&x, C_MOVALL, 0, 2ull << 16, 0ull << 16);
    its_go(&x);
    x.mem[PROP_OFF + 2] = 0xa1;
    its_cmd(&x, C_INVALL, 0, 10, 0); /* collection 10 = vCPU 0, where LPI0+2 now is */
    its_go(&x);
    assert_int_equal(its_take(&x, 2), 1023);
    assert_int_equal(its_take(&x, 0), LPI0 + 2);
    /* MAPD V=0: the device stops */
    cmd_mapd(&x, devs[2], 0, 0, 0);
    its_go(&x);
    assert_int_equal(its_msi(&x, devs[2], 0), 0);
    assert_int_equal(its_msi(&x, devs[1], 0), 1);
    assert_int_equal(its_take(&x, 0), LPI0 + 100);
    /* DISCARD, CLEAR */
    cmd_dev_ev(&x, C_DISCARD, devs[1], 3, 0);
    its_go(&x);
    assert_int_equal(its_msi(&x, devs[1], 3), 0);
    x.mem[PROP_OFF + 101] = 0xa0;
    cmd_dev_ev(&x, C_INV, devs[1], 1, 0);
    cmd_dev_ev(&x, C_INT, devs[1], 1, 0);
    cmd_dev_ev(&x, C_CLEAR, devs[1], 1, 0);
    x.mem[PROP_OFF + 101] = 0xa1;
    cmd_dev_ev(&x, C_INV, devs[1], 1, 0);
    its_go(&x);
    assert_int_equal(its_take(&x, 1), 1023);
    its_close(&x);
}

static void test_flat_64k(void **state)
{
    scenario(target_or_skip(state), 0x10000, 0);
}
static void test_flat_16k(void **state)
{
    scenario(target_or_skip(state), 0x4000, 0);
}
static void test_flat_4k(void **state)
{
    scenario(target_or_skip(state), 0x1000, 0);
}
static void test_2level_64k(void **state)
{
    scenario(target_or_skip(state), 0x10000, 1);
}
static void test_2level_16k(void **state)
{
    scenario(target_or_skip(state), 0x4000, 1);
}
static void test_2level_4k(void **state)
{
    scenario(target_or_skip(state), 0x1000, 1);
}

/* Bad input from the guest: documented result, no hang, no lost state. */
static void test_bad_input(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_open(&x, target, 2);
    its_tables(&x, 0x10000, 0, 1); /* flat, 8192 DeviceIDs */
    cmd_mapc(&x, 0, 0, 1);
    cmd_mapd(&x, 1, 1, MEM_GPA + ITT_OFF, 1); /* 4 EventIDs */
    cmd_mapti(&x, 1, 0, LPI0, 0);
    its_go(&x);
    /* garbage: unknown opcodes, random words; the queue still advances */
    for (int i = 0; i < 20; i++)
        its_cmd(&x, 0x1234567800000000ull * (uint64_t)i | (0x20 + (unsigned)i),
                0xdeadbeefcafef00dull * (uint64_t)i, 0x8000ffffffffffffull, ~0ull);
    /* out of range: DeviceID beyond the table, EventID beyond the ITT, LPI beyond,
     * MAPC to a vCPU that does not exist, ITT outside guest memory */
    cmd_mapd(&x, 9000, 1, MEM_GPA + ITT_OFF + 0x1000, 1);
    cmd_mapti(&x, 1, 4, LPI0 + 1, 0);
    cmd_mapti(&x, 1, 1, 1u << 16, 0);
    cmd_mapti(&x, 1, 2, 100, 0);
    cmd_mapc(&x, 1, 7, 1);
    cmd_mapd(&x, 2, 1, 0x7000000000ull, 1);
    cmd_mapti(&x, 2, 0, LPI0 + 2, 0);
    its_go(&x);
    assert_int_equal(its_msi(&x, 9000, 0), 0);
    assert_int_equal(its_msi(&x, 1, 4), 0);
    assert_int_equal(its_msi(&x, 2, 0), 0);
    assert_int_equal(its_msi(&x, 1, 0), 1); /* the good state is intact */
    assert_int_equal(its_take(&x, 0), LPI0);
    /* CWRITER beyond the queue: dropped */
    uint64_t cw = its_mmio_r(&x, GITS_CWRITER, 8);
    its_mmio_w(&x, GITS_CWRITER, 8, 0x1000);
    assert_int_equal(its_mmio_r(&x, GITS_CWRITER, 8), cw);
    /* wrap: fill to the end of the queue and past it */
    while (x.cwriter != 0x1000 - 64)
        its_cmd(&x, C_SYNC, 0, 0, 0);
    its_go(&x);
    cmd_mapti(&x, 1, 1, LPI0 + 1, 0);
    cmd_mapti(&x, 1, 2, LPI0 + 2, 0); /* the last slot */
    cmd_mapti(&x, 1, 3, LPI0 + 3, 0); /* slot 0 after the wrap */
    assert_int_equal(x.cwriter, 32);
    its_go(&x);
    for (uint32_t e = 1; e < 4; e++) {
        assert_int_equal(its_msi(&x, 1, e), 1);
        assert_int_equal(its_take(&x, 0), LPI0 + e);
    }
    /* command queue outside guest memory: commands are skipped, CREADR advances */
    its_mmio_w(&x, GITS_CTLR, 4, 0);
    its_mmio_w(&x, GITS_CBASER, 8, 1ull << 63 | 0x7000000000ull);
    its_mmio_w(&x, GITS_CTLR, 4, 1);
    its_mmio_w(&x, GITS_CWRITER, 8, 0x100);
    assert_int_equal(its_mmio_r(&x, GITS_CREADR, 8), 0x100);
    assert_int_equal(its_msi(&x, 1, 0), 1);
    assert_int_equal(its_take(&x, 0), LPI0);
    /* device table outside guest memory: MAPD fails, nothing breaks */
    its_mmio_w(&x, GITS_CTLR, 4, 0);
    its_mmio_w(&x, GITS_CBASER, 8, 1ull << 63 | (MEM_GPA + CMDQ_OFF));
    its_mmio_w(&x, GITS_BASER(0), 8, 1ull << 63 | 0x7000000000ull | 2u << 8);
    its_mmio_w(&x, GITS_CTLR, 4, 1);
    x.cwriter = 0;
    cmd_mapd(&x, 3, 1, MEM_GPA + ITT_OFF + 0x3000, 1);
    its_go(&x);
    assert_int_equal(its_msi(&x, 3, 0), 0);
    its_close(&x);
}

/* The top of the LPI ID space (GICD_TYPER.IDbits): LPIs at the last two INTIDs take part
 * in every walk over the LPIs (acknowledge, INVALL, MOVALL, EnableLPIs off and on, MAPD
 * V=0) and each ends (a walk must not wrap to INTID 0 and start again). */
static void test_top_lpi(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_open(&x, target, 2);
    uint32_t idbits = (uint32_t)t_mmio(&x.t, DIST_BASE + 0x0004, 4, 0, 0) >> 19 & 0x1f;
    uint32_t top = (1u << (idbits + 1)) - 1;
    assert_true(top >= LPI0 + 2);
    its_tables(&x, 0x10000, 0, 1);
    cmd_mapc(&x, 0, 0, 1);
    cmd_mapc(&x, 1, 1, 1);
    cmd_mapd(&x, 4, 2, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(&x, 4, 0, top, 0);
    cmd_mapti(&x, 4, 1, top - 1, 0);
    cmd_mapti(&x, 4, 2, LPI0, 1);
    its_go(&x);
    /* two pending on vCPU 0: the acknowledge of the first finds the second */
    assert_int_equal(its_msi(&x, 4, 0), 1);
    assert_int_equal(its_msi(&x, 4, 1), 1);
    uint32_t a = its_take(&x, 0), b = its_take(&x, 0);
    assert_true((a == top && b == top - 1) || (a == top - 1 && b == top));
    assert_int_equal(its_take(&x, 0), 1023);
    /* disabled in the property table, INVALL keeps it pending but hidden */
    x.mem[PROP_OFF + top - LPI0] = 0xa0;
    its_cmd(&x, C_INVALL, 0, 0, 0);
    its_go(&x);
    assert_int_equal(its_msi(&x, 4, 0), 1);
    assert_int_equal(its_take(&x, 0), 1023);
    /* MOVALL to vCPU 1, re-enable + INVALL there: it is delivered on vCPU 1 */
    its_cmd(&x, C_MOVALL, 0, 0, 1ull << 16);
    x.mem[PROP_OFF + top - LPI0] = 0xa1;
    its_cmd(&x, C_INVALL, 0, 1, 0);
    its_go(&x);
    assert_int_equal(its_take(&x, 0), 1023);
    assert_int_equal(its_take(&x, 1), top);
    /* pending across EnableLPIs off and on, through the pending table */
    assert_int_equal(its_msi(&x, 4, 1), 1); /* top - 1, on vCPU 1 since the MOVALL */
    t_mmio(&x.t, t_rd(1) + GICR_CTLR, 4, 1, 0);
    assert_int_equal(its_take(&x, 1), 1023);
    x.mem[PEND_OFF + 0x10000 + (top - 1) / 8] |= (uint8_t)(1u << ((top - 1) % 8));
    t_mmio(&x.t, t_rd(1) + GICR_CTLR, 4, 1, 1);
    assert_int_equal(its_take(&x, 1), top - 1);
    /* MAPD V=0 frees every ITE of the device, the LPIs at the top too */
    cmd_mapd(&x, 4, 0, 0, 0);
    its_go(&x);
    assert_int_equal(its_msi(&x, 4, 0), 0);
    assert_int_equal(its_msi(&x, 4, 2), 0);
    assert_int_equal(its_take(&x, 0), 1023);
    assert_int_equal(its_take(&x, 1), 1023);
    its_close(&x);
}

/* RESTORE_TABLES that fails in the collection table (a target beyond the vCPUs: EINVAL)
 * leaves the ITS as KVM leaves it, without collections and devices: the valid DTE in the
 * live table is zeroed, and an MSI finds no device. Its ITT was not restored (the ITE took
 * no reference) and is not walked: the ITE stays in guest memory, as KVM leaves it. */
/* Map device 3 event 1 to LPI0 + 9 on vCPU 1 (collection 0) and check it delivers. */
static void map_one_and_deliver(struct tits *x)
{
    cmd_mapc(x, 0, 1, 1);
    cmd_mapd(x, 3, 1, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(x, 3, 1, LPI0 + 9, 0);
    its_go(x);
    assert_int_equal(its_msi(x, 3, 1), 1);
    assert_int_equal(its_take(x, 1), LPI0 + 9);
}

static void test_restore_bad_collection(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_open(&x, target, 2);
    its_tables(&x, 0x10000, 0, 1);
    map_one_and_deliver(&x);
    its_ctrl(x.its, KVM_DEV_ARM_ITS_SAVE_TABLES);
    static const uint64_t order[] = {GITS_BASER(0), GITS_BASER(1), GITS_CBASER, GITS_CREADR};
    uint64_t regs[4];
    for (int r = 0; r < 4; r++)
        regs[r] = its_reg(x.its, order[r]);
    uint64_t dte = get64(x.mem + DT_OFF + 8 * 3), ite = get64(x.mem + ITT_OFF + 8);
    assert_true(dte >> 63);
    assert_true(ite != 0);
    its_ctrl(x.its, KVM_DEV_ARM_ITS_CTRL_RESET);
    /* RESET freed them; the saved tables back, as a migration's guest RAM */
    put64(x.mem + DT_OFF + 8 * 3, dte);
    put64(x.mem + ITT_OFF + 8, ite);
    for (int r = 0; r < 4; r++)
        its_set_reg(x.its, order[r], regs[r]);
    put64(x.mem + CT_OFF, 1ull << 63 | 99ull << 16 | 0); /* target vCPU 99 */
    struct kvm_device_attr a = {.group = KVM_DEV_ARM_VGIC_GRP_CTRL,
                                .attr = KVM_DEV_ARM_ITS_RESTORE_TABLES};
    assert_err(EINVAL, ioe_ioctl(x.its, KVM_SET_DEVICE_ATTR, &a));
    its_set_reg(x.its, GITS_CTLR, 1);
    assert_int_equal(get64(x.mem + DT_OFF + 8 * 3), 0);
    assert_int_equal(get64(x.mem + ITT_OFF + 8), ite);
    assert_int_equal(its_msi(&x, 3, 1), 0);
    /* the ITS works on: the device mapped again (on a zeroed ITT, as any new one) delivers */
    memset(x.mem + ITT_OFF, 0, 0x1000);
    x.cwriter = (uint32_t)regs[3];
    map_one_and_deliver(&x);
    its_close(&x);
}

/* On a card that runs on its own (free_run), an LPI that an MSI sets is notified by the
 * GIC engine's pass a few cycles after the ITS operation ends; the card's notification
 * fence (soft/sim: cycles stepped, sim:pcie: NRING_FENCE, the wire: FENCE) makes the vCPU
 * readable when KVM_SIGNAL_MSI returns, and not after the acknowledge, with no waiting. */
static void test_lpi_readable_at_return(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    t_card_opts.free_run = true;
    its_open(&x, target, 2);
    t_card_opts.free_run = false;
    its_tables(&x, 0x10000, 0, 1);
    cmd_mapc(&x, 0, 1, 1);
    cmd_mapd(&x, 3, 1, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(&x, 3, 1, LPI0 + 9, 0);
    its_go(&x);
    for (int i = 0; i < 20; i++) {
        assert_false(t_readable(&x.t, 1));
        assert_int_equal(its_msi(&x, 3, 1), 1);
        assert_true(t_readable(&x.t, 1));
        assert_false(t_readable(&x.t, 0));
        assert_int_equal(its_take(&x, 1), LPI0 + 9);
    }
    its_close(&x);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_create),
        TT_TARGET_TEST(test_create_after_run),
        TT_TARGET_TEST(test_addr),
        TT_TARGET_TEST(test_ctrl),
        TT_TARGET_TEST(test_regs_errno),
        TT_TARGET_TEST(test_reset_state),
        TT_TARGET_TEST(test_signal_msi),
        TT_TARGET_TEST(test_top_lpi),
        TT_TARGET_TEST(test_restore_bad_collection),
        TT_TARGET_TEST(test_lpi_readable_at_return),
        TT_TARGET_TEST(test_flat_64k),
        TT_TARGET_TEST(test_flat_16k),
        TT_TARGET_TEST(test_flat_4k),
        TT_TARGET_TEST(test_2level_64k),
        TT_TARGET_TEST(test_2level_16k),
        TT_TARGET_TEST(test_2level_4k),
        TT_TARGET_TEST(test_bad_input),
    };
    return tt_run_tests("its_api", tests, NULL, NULL);
}
