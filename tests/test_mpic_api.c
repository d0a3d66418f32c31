/*
 * KVM_DEV_TYPE_FSL_MPIC_20 / _42 on the ppc-booke persona (Documentation/virt/kvm/devices/
 * mpic.rst, Linux's arch/powerpc/kvm/mpic.c): every attribute with its errno and order of
 * checks, the register map of both variants (reset values, read-only and write behaviour,
 * Linux's quirks), vCPU connection, QEMU's e500 sequence (create, BASE_ADDR, connect,
 * register setup through guest MMIO, KVM_IRQ_LINE, IACK/EOI), priorities and CTPR, a source
 * with several destinations, IPIs, MSIs through MSIIR and KVM_SIGNAL_MSI, the register
 * state moved from one target to another, and random bad input.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "assert_errno.h"
#include "targets.h"

#include "irqfd_util.h"
#include "mpic_util.h"

/* ------------------------------------------------------------------ the device */
static void test_create(void **state)
{
    const char *target = *state;
    struct vmf f = open_vm(target, KVM_DEV_TYPE_FSL_MPIC_20, false);
    assert_int_equal(ioe_ioctl(f.vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_MPIC), 1);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_FSL_MPIC_42,
                                   .flags = KVM_CREATE_DEVICE_TEST};
    assert_ok(ioe_ioctl(f.vm, KVM_CREATE_DEVICE, &cd));
    cd.flags = 0;
    assert_err(EINVAL, ioe_ioctl(f.vm, KVM_CREATE_DEVICE, &cd)); /* one MPIC, of any type */
    cd.type = KVM_DEV_TYPE_FSL_MPIC_20;
    assert_err(EINVAL, ioe_ioctl(f.vm, KVM_CREATE_DEVICE, &cd));
    cd.type = KVM_DEV_TYPE_XIVE;
    assert_err(ENODEV, ioe_ioctl(f.vm, KVM_CREATE_DEVICE, &cd));
    close_vm(&f);
    /* other hosts have no MPIC */
    int kvm = ioe_open_host(target, "arm64", NULL);
    int vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    cd = (struct kvm_create_device){.type = KVM_DEV_TYPE_FSL_MPIC_20};
    assert_err(ENODEV, ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_MPIC), 0);
    ioe_close(vm);
    ioe_close(kvm);
}

static void test_attr_errnos(void **state)
{
    struct vmf f = open_vm(*state, KVM_DEV_TYPE_FSL_MPIC_42, false);
    void *bad = bad_ptr();
    uint64_t base = 0x20000, got = 1;
    uint32_t v = 0;
    /* MISC */
    assert_err(EINVAL, SET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, &base));
    assert_err(EFAULT, SET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, bad));
    assert_ok(GET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, &got));
    assert_int_equal(got, 0); /* reset: unmapped */
    base = 0xfffc0000ull;
    assert_ok(SET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, &base));
    assert_ok(GET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, &got));
    assert_int_equal(got, base);
    assert_err(EFAULT, GET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, bad));
    assert_err(ENXIO, SET(f.mpic, KVM_DEV_MPIC_GRP_MISC, 1, &base));
    assert_err(ENXIO, GET(f.mpic, KVM_DEV_MPIC_GRP_MISC, 1, &base));
    assert_ok(HAS(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR));
    assert_err(ENXIO, HAS(f.mpic, KVM_DEV_MPIC_GRP_MISC, 1));
    /* unknown groups */
    for (uint32_t g = 0; g < 8; g += 4) {
        assert_err(ENXIO, SET(f.mpic, g, 0, &v));
        assert_err(ENXIO, GET(f.mpic, g, 0, &v));
        assert_err(ENXIO, HAS(f.mpic, g, 0));
    }
    /* REGISTER: the payload first on SET, the access first on GET */
    assert_err(EFAULT, SET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, 2, bad));
    assert_err(ENXIO, SET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, 2, &v));
    assert_err(ENXIO, GET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, 2, bad));
    assert_err(EFAULT, GET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, 0, bad));
    const uint64_t holes[] = {0x1310,  0x1500,  0x1800,  0x3000,    0x4000,
                              0x12000, 0x3f100, 0x40000, 1ull << 40};
    for (size_t i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
        assert_err(ENXIO, GET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, holes[i], &v));
        assert_err(ENXIO, SET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, holes[i], &v));
        assert_ok(HAS(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, holes[i]));
    }
    assert_err(ENXIO, GET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, 0x1608, &v)); /* MSI, not 16B */
    assert_ok(SET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, 0x1608, &v));
    assert_err(ENXIO, SET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, 0x1090, &v)); /* PIR */
    assert_int_equal(rd(&f, 0x1090), 0);
    /* IRQ_ACTIVE: 256 (the first IPI) passes, as in Linux */
    assert_err(EINVAL, SET(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, 257, bad));
    assert_err(EINVAL, GET(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, 257, &v));
    assert_err(EINVAL, GET(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, 1ull << 32, &v));
    assert_err(EFAULT, SET(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, 256, bad));
    assert_err(EFAULT, GET(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, 256, bad));
    v = 2;
    assert_err(EINVAL, SET(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, 3, &v));
    assert_ok(HAS(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, 256));
    assert_err(ENXIO, HAS(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, 257));
    v = 1;
    assert_ok(SET(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, 256, &v));
    assert_int_equal(active(&f, 256), 1);
    assert_int_equal(active(&f, 255), 0);
    munmap(bad, 4096);
    close_vm(&f);
}

static void test_connect(void **state)
{
    const char *target = *state;
    struct vmf f = open_vm(target, KVM_DEV_TYPE_FSL_MPIC_20, false);
    struct kvm_enable_cap cap = {.cap = KVM_CAP_IRQ_MPIC, .flags = 1, .args = {(uint64_t)f.mpic}};
    assert_err(EINVAL, ioe_ioctl(f.vcpu[0], KVM_ENABLE_CAP, &cap));
    assert_err(EBADF, enable_mpic(f.vcpu[0], 1000, 0));
    assert_err(EPERM, enable_mpic(f.vcpu[0], f.vm, 0)); /* not a device */
    assert_err(EPERM, enable_mpic(f.vcpu[0], f.mpic, 32));
    assert_err(EPERM, enable_mpic(f.vcpu[0], f.mpic, 1ull << 32 | 32));
    assert_ok(enable_mpic(f.vcpu[0], f.mpic, 1ull << 32 | 5)); /* args[1] is a u32 */
    assert_err(EEXIST, enable_mpic(f.vcpu[1], f.mpic, 5));
    assert_err(EBUSY, enable_mpic(f.vcpu[0], f.mpic, 6));
    assert_ok(enable_mpic(f.vcpu[1], f.mpic, 31));
    assert_int_equal(rd(&f, CPU(5, WHOAMI)), 5);
    assert_int_equal(rd(&f, 0x1000) >> 8 & 0xff, 31); /* FRR NCPU: 32 CPUs */
    /* an MPIC of another VM */
    struct vmf g = open_vm(target, KVM_DEV_TYPE_FSL_MPIC_42, false);
    assert_err(EPERM, enable_mpic(g.vcpu[0], f.mpic, 0));
    close_vm(&g);
    close_vm(&f);
}

/* ------------------------------------------------------------------ the register map */
static void check_reset_map(const struct vmf *f, bool v42)
{
    assert_int_equal(rd(f, 0x0), v42 ? 0x00400402 : 0x00400200);
    assert_int_equal(rd(f, 0x1020), 0);
    assert_int_equal(rd(f, 0x1080), 0);
    assert_int_equal(rd(f, 0x10e0), 0xffff);
    for (unsigned k = 0; k < 4; k++)
        assert_int_equal(rd(f, 0x10a0 + 0x10 * k), MASK);
    for (unsigned n = 0; n < 256; n += 15) {
        assert_int_equal(rd(f, SRC(n)), n >= 16 ? 0x80800000u : MASK);
        assert_int_equal(rd(f, SRC(n) + 0x10), 1);
        assert_int_equal(rd(f, SRC(n) + 0x18), v42 ? 0 : 0xffffffffu);
        assert_int_equal(rd(f, SRC(n) + 0x4), 0xffffffffu);
    }
    /* timers: Linux decodes reads from the region's start (0x10f0), writes from 0 */
    assert_int_equal(rd(f, 0x10f0), 0);          /* TFRR */
    assert_int_equal(rd(f, 0x1100), 0x80000000); /* TBCR0 (count inhibit) */
    assert_int_equal(rd(f, 0x1110), MASK);       /* TVPR0 */
    assert_int_equal(rd(f, 0x1120), 1);          /* TDR0 */
    assert_int_equal(rd(f, 0x1130), 0);          /* TCCR1 */
    for (unsigned c = 0; c < 32; c += 31) {
        assert_int_equal(rd(f, CPU(c, CTPR)), 15);
        assert_int_equal(rd(f, CPU(c, WHOAMI)), c);
        assert_int_equal(rd(f, CPU(c, EOI)), 0);
        assert_int_equal(rd(f, CPU(c, IPIDR(0))), 0xffffffffu);
        assert_int_equal(rd(f, CPU(c, 0x100 * (c == 0))), 0xffffffffu);
    }
    for (unsigned r = 0x40; r <= 0xb0; r += 0x10) /* current-CPU aliases: no vCPU */
        assert_int_equal(rd(f, r), 0xffffffffu);
    assert_int_equal(rd(f, 0x1004), 0xffffffffu);
    assert_int_equal(rd(f, 0x1720), 0); /* MSISR */
    assert_int_equal(rd(f, 0x1610), 0); /* MSIR1 */
    assert_int_equal(rd(f, 0x3800), 0); /* summary */
}

static void regmap_variant(const char *target, uint32_t type)
{
    bool v42 = type == KVM_DEV_TYPE_FSL_MPIC_42;
    uint32_t nirq = v42 ? 196 : 80;
    struct vmf f = open_vm(target, type, false);
    /* FRR before any vCPU connects: Linux's (nb_cpus - 1) << 8 wraps */
    assert_int_equal(rd(&f, 0x1000), (nirq - 1) << 16 | 0xffffff00u | 2);
    uint64_t base = BASE;
    assert_ok(SET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, &base));
    for (int i = 0; i < NR_VCPUS; i++)
        assert_ok(enable_mpic(f.vcpu[i], f.mpic, (uint64_t)i));
    assert_int_equal(rd(&f, 0x1000), (nirq - 1) << 16 | 1 << 8 | 2);
    check_reset_map(&f, v42);
    /* writes */
    wr(&f, 0x0, 0x1234); /* BRR1 read-only */
    wr(&f, 0x1000, 0);   /* FRR read-only */
    wr(&f, 0x1080, 5);   /* VIR read-only */
    wr(&f, 0x1020, 0x7fffffff);
    assert_int_equal(rd(&f, 0x1020), v42 ? 0x60000000 : 0x20000000);
    wr(&f, 0x10e0, 0x12345);
    assert_int_equal(rd(&f, 0x10e0), 0x2345);
    wr(&f, SRC(0), 0xffffffff);
    assert_int_equal(rd(&f, SRC(0)), 0x80cfffff); /* no ACTIVITY, no MODE */
    wr(&f, SRC(20), 0xffffffff);
    assert_int_equal(rd(&f, SRC(20)), 0x808fffff); /* internal: level, SENSE reads 0 */
    wr(&f, 0x10b0, 0xffffffff);
    assert_int_equal(rd(&f, 0x10b0), 0x800fffff); /* IPI: no SENSE, no POLARITY */
    wr(&f, SRC(3) + 0x10, 0xffffffff);
    assert_int_equal(rd(&f, SRC(3) + 0x10), v42 ? 3 : 0xe0000003); /* 2.0: EP, CI0, CI1 */
    wr(&f, SRC(3) + 0x18, 0x1ff);
    assert_int_equal(rd(&f, SRC(3) + 0x18), v42 ? 0xff : 0xffffffffu);
    wr(&f, SRC(3) + 0x4, 0x1);  /* no register */
    wr(&f, 0x1120, 0x000a0010); /* TVPR0 */
    assert_int_equal(rd(&f, 0x1110), 0x000a0010);
    wr(&f, 0x1110, 0x5); /* TBCR0 */
    assert_int_equal(rd(&f, 0x1100), 5);
    wr(&f, 0x1100, 0x77); /* TCCR0 read-only */
    assert_int_equal(rd(&f, 0x10f0 + 0x40), 0);
    wr(&f, 0x10f0, 1000000); /* TFRR */
    assert_int_equal(rd(&f, 0x10f0), 1000000);
    wr(&f, CPU(1, CTPR), 0x37);
    assert_int_equal(rd(&f, CPU(1, CTPR)), 7);
    wr(&f, CPU(1, WHOAMI), 9);
    assert_int_equal(rd(&f, CPU(1, WHOAMI)), 1);
    wr(&f, 0x80, 3); /* alias: ignored */
    /* GCR[RESET]: everything back, destinations kept as Linux keeps them */
    wr(&f, 0x1020, 0x80000000);
    check_reset_map(&f, v42);
    close_vm(&f);
}

static void test_regmap(void **state)
{
    regmap_variant(*state, KVM_DEV_TYPE_FSL_MPIC_20);
    regmap_variant(*state, KVM_DEV_TYPE_FSL_MPIC_42);
}

static void test_mmio(void **state)
{
    struct vmf f = open_vm(*state, KVM_DEV_TYPE_FSL_MPIC_20, false);
    uint64_t d = 0, base = 0;
    assert_int_equal(mmio(&f, 0, 4, false, &d), ENXIO); /* not mapped yet */
    base = BASE;
    assert_ok(SET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, &base));
    assert_int_equal(grd(&f, 0), 0x00400200);
    /* byte reads: the register's big-endian lane; Linux decodes the byte's own offset, so
     * bytes 1..3 of a register name none and read 0xff */
    assert_int_equal(mmio(&f, 0x10a0, 1, false, &d), 0);
    assert_int_equal(d, 0x80); /* IPI 0's IVPR: MASK */
    for (unsigned i = 1; i < 4; i++) {
        assert_int_equal(mmio(&f, 0x10a0 + i, 1, false, &d), 0);
        assert_int_equal(d, 0xff);
    }
    assert_int_equal(mmio(&f, 0, 2, false, &d), EINVAL);
    assert_int_equal(mmio(&f, 2, 4, false, &d), EINVAL);
    assert_int_equal(mmio(&f, 0, 8, false, &d), EINVAL);
    assert_int_equal(mmio(&f, 0x5000, 4, false, &d), ENXIO);
    d = 0x1;
    assert_int_equal(mmio(&f, 0x10e0, 1, true, &d), EOPNOTSUPP);
    assert_int_equal(mmio(&f, 0x10e2, 4, true, &d), EOPNOTSUPP);
    assert_int_equal(mmio(&f, 0x1090, 4, true, &d), ENXIO); /* PIR: userspace's */
    /* the region moves; 0 unmaps it */
    base = BASE + 0x40000;
    assert_ok(SET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, &base));
    assert_int_equal(mmio(&f, 0, 4, false, &d), ENXIO);
    assert_int_equal(mmio(&f, 0x40000, 4, false, &d), 0);
    assert_int_equal(d, 0x00400200);
    base = 0;
    assert_ok(SET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, &base));
    assert_int_equal(mmio(&f, 0x40000, 4, false, &d), ENXIO);
    close_vm(&f);
}

/* ------------------------------------------------------------------ delivery */
/* QEMU's e500 board with the in-kernel MPIC: create, BASE_ADDR, connect each vCPU, the
 * guest programs sources through MMIO, devices raise KVM_IRQ_LINE, the guest takes them
 * with IACK and completes them with EOI. */
static void test_e500_sequence(void **state)
{
    for (uint32_t type = KVM_DEV_TYPE_FSL_MPIC_20; type <= KVM_DEV_TYPE_FSL_MPIC_42; type++) {
        struct vmf f = open_vm(*state, type, true);
        gwr(&f, CPU(0, CTPR), 0);
        gwr(&f, CPU(1, CTPR), 0);
        setup_src(&f, 1, 0x41, 5, false, 1); /* an external edge source, CPU 0 */
        setup_src(&f, 42, 0x2a, 6, true, 2); /* the UART: internal, level, CPU 1 */
        assert_false(readable(f.vcpu[0]));
        line(&f, 1, 1);
        assert_true(readable(f.vcpu[0]));
        assert_false(readable(f.vcpu[1]));
        assert_int_equal(rd(&f, SRC(1)), ACT | 0x41 | PRIO(5));
        assert_int_equal(active(&f, 1), 1);
        assert_int_equal(grd(&f, CPU(0, IACK)), 0x41);
        assert_false(readable(f.vcpu[0]));
        assert_int_equal(active(&f, 1), 0); /* an edge is taken by IACK */
        assert_int_equal(rd(&f, SRC(1)), 0x41 | PRIO(5));
        gwr(&f, CPU(0, EOI), 0);
        assert_int_equal(grd(&f, CPU(0, IACK)), 0xffff); /* SPVE */
        /* level: stays pending through IACK, presents again after EOI while high */
        line(&f, 42, 1);
        assert_true(readable(f.vcpu[1]));
        assert_int_equal(grd(&f, CPU(1, IACK)), 0x2a);
        assert_false(readable(f.vcpu[1]));
        assert_int_equal(active(&f, 42), 1);
        gwr(&f, CPU(1, EOI), 0);
        assert_true(readable(f.vcpu[1]));
        line(&f, 42, 0);
        assert_false(readable(f.vcpu[1]));
        assert_int_equal(active(&f, 42), 0);
        /* masking holds an edge; unmasking presents it */
        gwr(&f, SRC(1), MASK | 0x41 | PRIO(5));
        line(&f, 1, 1);
        assert_false(readable(f.vcpu[0]));
        assert_int_equal(rd(&f, SRC(1)), MASK | 0x41 | PRIO(5)); /* pending, not active */
        gwr(&f, SRC(1), 0x41 | PRIO(5));
        assert_true(readable(f.vcpu[0]));
        /* IOE_VCPU_ACK / IOE_VCPU_EOI are IACK and EOI of the vCPU's CPU */
        struct ioe_irq irq;
        assert_ok(ioe_ioctl(f.vcpu[0], IOE_VCPU_ACK, &irq));
        assert_int_equal(irq.intid, 0x41);
        assert_int_equal(irq.priority, 5);
        assert_ok(ioe_ioctl(f.vcpu[0], IOE_VCPU_EOI, &irq));
        assert_ok(ioe_ioctl(f.vcpu[0], IOE_VCPU_ACK, &irq));
        assert_int_equal(irq.intid, 0xffff);
        /* a SENSE change keeps Linux's one pending flag: a pending edge is a high level */
        gwr(&f, SRC(3), MASK | 0x43 | PRIO(5));
        line(&f, 3, 1);
        gwr(&f, SRC(3), MASK | SENSE | 0x43 | PRIO(5));
        assert_int_equal(active(&f, 3), 1);
        line(&f, 3, 0);
        assert_int_equal(active(&f, 3), 0);
        line(&f, 3, 1);
        gwr(&f, SRC(3), MASK | 0x43 | PRIO(5)); /* edge again: still pending */
        assert_int_equal(active(&f, 3), 1);
        line(&f, 3, 0); /* an edge source ignores 0 */
        assert_int_equal(active(&f, 3), 1);
        /* GSIs beyond the 256 pins have no route; without routes nothing has one (the
         * MPIC starts with an empty table, as Linux's mpic_set_default_irq_routing) */
        line(&f, 256, 1);
        line(&f, 1000, 1);
        assert_ok(set_routes(f.vm, NULL, 0));
        line(&f, 1, 1);
        assert_false(readable(f.vcpu[0]));
        assert_int_equal(active(&f, 1), 0);
        close_vm(&f);
    }
}

static void test_priorities(void **state)
{
    struct vmf f = open_vm(*state, KVM_DEV_TYPE_FSL_MPIC_42, true);
    gwr(&f, CPU(0, CTPR), 0);
    setup_src(&f, 2, 0x10, 3, false, 1);
    setup_src(&f, 3, 0x20, 8, false, 1);
    setup_src(&f, 4, 0x30, 8, false, 1);
    line(&f, 2, 1);
    line(&f, 4, 1);
    line(&f, 3, 1);
    /* the highest priority first; equal priorities: the lower source */
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x20);
    /* in service at 8: 8 and below are held */
    assert_false(readable(f.vcpu[0]));
    assert_int_equal(grd(&f, CPU(0, IACK)), 0xffff);
    gwr(&f, CPU(0, EOI), 0);
    assert_true(readable(f.vcpu[0]));
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x30);
    /* a higher priority preempts the one in service */
    setup_src(&f, 5, 0x50, 12, false, 1);
    line(&f, 5, 1);
    assert_true(readable(f.vcpu[0]));
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x50);
    gwr(&f, CPU(0, EOI), 0); /* 0x50, the highest in service */
    assert_false(readable(f.vcpu[0]));
    gwr(&f, CPU(0, EOI), 0); /* 0x30 */
    assert_true(readable(f.vcpu[0]));
    /* CTPR: only priorities above it */
    gwr(&f, CPU(0, CTPR), 3);
    assert_false(readable(f.vcpu[0]));
    assert_int_equal(grd(&f, CPU(0, IACK)), 0xffff);
    gwr(&f, CPU(0, CTPR), 2);
    assert_true(readable(f.vcpu[0]));
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x10);
    gwr(&f, CPU(0, EOI), 0);
    /* priority 0 is never delivered */
    setup_src(&f, 6, 0x60, 0, false, 1);
    gwr(&f, CPU(0, CTPR), 0);
    line(&f, 6, 1);
    assert_false(readable(f.vcpu[0]));
    assert_int_equal(active(&f, 6), 1);
    /* a source and an IPI of one priority: the source first, neither preempts the other */
    setup_src(&f, 7, 0x70, 9, false, 1);
    gwr(&f, 0x10a0, 0x99 | PRIO(9));
    gwr(&f, CPU(0, IPIDR(0)), 1);
    line(&f, 7, 1);
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x70);
    assert_false(readable(f.vcpu[0]));
    gwr(&f, CPU(0, EOI), 0);
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x99);
    gwr(&f, CPU(0, EOI), 0);
    assert_false(readable(f.vcpu[0]));
    close_vm(&f);
}

static void test_destinations(void **state)
{
    struct vmf f = open_vm(*state, KVM_DEV_TYPE_FSL_MPIC_20, true);
    gwr(&f, CPU(0, CTPR), 0);
    gwr(&f, CPU(1, CTPR), 0);
    /* several CPUs: the lowest-numbered takes it (docs/api.md) */
    setup_src(&f, 30, 0x30, 4, true, 3);
    line(&f, 30, 1);
    assert_true(readable(f.vcpu[0]));
    assert_false(readable(f.vcpu[1]));
    gwr(&f, SRC(30) + 0x10, 2);
    assert_false(readable(f.vcpu[0]));
    assert_true(readable(f.vcpu[1]));
    assert_int_equal(grd(&f, CPU(1, IACK)), 0x30);
    gwr(&f, CPU(1, EOI), 0);
    /* no destination: pending, delivered nowhere */
    gwr(&f, SRC(30) + 0x10, 0);
    assert_false(readable(f.vcpu[0]));
    assert_false(readable(f.vcpu[1]));
    assert_int_equal(active(&f, 30), 1);
    /* 2.0's critical output (IDR CI bits) is not delivered to the INT output (Linux) */
    gwr(&f, SRC(30) + 0x10, 1u << 30);
    assert_int_equal(rd(&f, SRC(30) + 0x10), 1u << 30);
    assert_false(readable(f.vcpu[0]));
    gwr(&f, SRC(30) + 0x10, 1);
    assert_true(readable(f.vcpu[0]));
    line(&f, 30, 0);
    assert_false(readable(f.vcpu[0]));
    close_vm(&f);
}

static void test_ipis(void **state)
{
    struct vmf f = open_vm(*state, KVM_DEV_TYPE_FSL_MPIC_42, true);
    gwr(&f, CPU(0, CTPR), 0);
    gwr(&f, CPU(1, CTPR), 0);
    gwr(&f, 0x10c0, 0x99 | PRIO(10)); /* IPI 2 */
    gwr(&f, CPU(0, IPIDR(2)), 3);     /* to CPUs 0 and 1 */
    assert_true(readable(f.vcpu[0]));
    assert_true(readable(f.vcpu[1]));
    assert_int_equal(rd(&f, 0x10c0), ACT | 0x99 | PRIO(10));
    assert_int_equal(grd(&f, CPU(1, IACK)), 0x99);
    assert_false(readable(f.vcpu[1]));
    assert_true(readable(f.vcpu[0]));
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x99);
    assert_false(readable(f.vcpu[0]));
    gwr(&f, CPU(0, EOI), 0);
    gwr(&f, CPU(1, EOI), 0);
    assert_int_equal(rd(&f, 0x10c0), 0x99 | PRIO(10));
    /* a masked IPI stays pending (IRQ_ACTIVE 256 is IPI 0) */
    gwr(&f, 0x10a0, MASK | 0x77 | PRIO(6));
    gwr(&f, CPU(1, IPIDR(0)), 2);
    assert_false(readable(f.vcpu[1]));
    assert_int_equal(active(&f, 256), 1);
    gwr(&f, 0x10a0, 0x77 | PRIO(6));
    assert_true(readable(f.vcpu[1]));
    assert_false(readable(f.vcpu[0]));
    assert_int_equal(grd(&f, CPU(1, IACK)), 0x77);
    assert_int_equal(active(&f, 256), 0);
    gwr(&f, CPU(1, EOI), 0);
    /* the alias of the current CPU has none behind IOE_MMIO */
    gwr(&f, IPIDR(0), 1);
    assert_false(readable(f.vcpu[0]));
    close_vm(&f);
}

static void test_msi(void **state)
{
    struct vmf f = open_vm(*state, KVM_DEV_TYPE_FSL_MPIC_20, true);
    gwr(&f, CPU(0, CTPR), 0);
    setup_src(&f, 225, 0xe1, 7, true, 1); /* MSI bank 1 */
    struct kvm_msi msi = {.address_lo = 0xe0041740, .data = 1u << 29 | 5u << 24};
    assert_ok(ioe_ioctl(f.vm, KVM_SIGNAL_MSI, &msi));
    wr(&f, 0x1740, 1u << 29 | 9u << 24); /* MSIIR through the register group */
    assert_true(readable(f.vcpu[0]));
    assert_int_equal(rd(&f, 0x1720), 2); /* MSISR */
    assert_int_equal(active(&f, 225), 1);
    assert_int_equal(grd(&f, CPU(0, IACK)), 0xe1);
    assert_int_equal(grd(&f, 0x1610), 1u << 5 | 1u << 9); /* MSIR1: read-clear */
    assert_int_equal(grd(&f, 0x1610), 0);
    assert_int_equal(rd(&f, 0x1720), 0);
    assert_int_equal(active(&f, 225), 0);
    gwr(&f, CPU(0, EOI), 0);
    assert_false(readable(f.vcpu[0]));
    msi.flags = 2;
    assert_err(EINVAL, ioe_ioctl(f.vm, KVM_SIGNAL_MSI, &msi));
    close_vm(&f);
}

static void test_routing(void **state)
{
    const char *target = *state;
    /* without an MPIC: checked, then dropped (the MPIC starts with an empty table) */
    int kvm = ioe_open_host(target, "ppc-booke", NULL), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING), 4096);
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_SIGNAL_MSI), 1);
    struct kvm_irq_routing_entry e[3] = {pin_route(7, 7)};
    assert_ok(set_routes(vm, e, 1));
    struct kvm_irq_level l = {.irq = 7, .level = 1};
    assert_err(ENXIO, ioe_ioctl(vm, KVM_IRQ_LINE, &l)); /* no irqchip */
    ioe_close(vm);
    ioe_close(kvm);
    struct vmf f = open_vm(target, KVM_DEV_TYPE_FSL_MPIC_42, true);
    void *bad = bad_ptr();
    struct kvm_irq_routing r = {.nr = 4097};
    assert_err(EFAULT, ioe_ioctl(f.vm, KVM_SET_GSI_ROUTING, bad));
    assert_err(EINVAL, ioe_ioctl(f.vm, KVM_SET_GSI_ROUTING, &r));
    r.nr = 0, r.flags = 1;
    assert_err(EINVAL, ioe_ioctl(f.vm, KVM_SET_GSI_ROUTING, &r));
    /* the header readable, its entries not */
    char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(two != MAP_FAILED);
    assert_ok(mprotect(two + 4096, 4096, PROT_NONE));
    r.nr = 2, r.flags = 0;
    memcpy(two + 4096 - sizeof(r), &r, sizeof(r));
    assert_err(EFAULT, ioe_ioctl(f.vm, KVM_SET_GSI_ROUTING, two + 4096 - sizeof(r)));
    munmap(two, 8192);
    struct kvm_irq_routing_entry msi = {.gsi = 300, .type = KVM_IRQ_ROUTING_MSI};
    msi.u.msi.data = 2u << 29 | 3u << 24; /* bank 2, bit 3 */
    const struct {
        struct kvm_irq_routing_entry a, b;
    } bad_pairs[] = {
        {pin_route(4096, 1), pin_route(0, 0)},     /* GSI beyond KVM_MAX_IRQ_ROUTES */
        {pin_route(1, 256), pin_route(2, 2)},      /* pin */
        {pin_route(1, 1), pin_route(1, 2)},        /* one irqchip twice */
        {msi, pin_route(300, 2)},                  /* MSI and irqchip on one GSI */
        {pin_route(3, 3), {.gsi = 4, .type = 99}}, /* type */
        {pin_route(3, 3), {.gsi = 4, .type = KVM_IRQ_ROUTING_IRQCHIP, .flags = 1}},
    };
    for (size_t i = 0; i < sizeof(bad_pairs) / sizeof(bad_pairs[0]); i++)
        assert_err(EINVAL, set_routes(f.vm, &bad_pairs[i].a, 2));
    struct kvm_irq_routing_entry chip1 = pin_route(5, 5);
    chip1.u.irqchip.irqchip = 1; /* powerpc has one irqchip */
    assert_err(EINVAL, set_routes(f.vm, &chip1, 1));
    /* a failed table leaves the old one: GSI 9 is still pin 9 */
    setup_src(&f, 9, 0x99, 4, false, 1);
    gwr(&f, CPU(0, CTPR), 0);
    line(&f, 9, 1);
    assert_int_equal(active(&f, 9), 1);
    /* GSI 20 to pin 9, GSI 300 to MSI bank 2 (fired whatever the level, as powerpc's
     * kvm_set_msi), with the DEVID flag allowed on MSI routes */
    msi.flags = KVM_MSI_VALID_DEVID;
    e[0] = pin_route(20, 9), e[1] = msi;
    assert_ok(set_routes(f.vm, e, 2));
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x99);
    gwr(&f, CPU(0, EOI), 0);
    line(&f, 9, 1);
    assert_int_equal(active(&f, 9), 0);
    line(&f, 20, 1);
    assert_int_equal(active(&f, 9), 1);
    line(&f, 300, 0);
    assert_int_equal(grd(&f, 0x1620), 1u << 3); /* MSIR2 */
    /* KVM_IRQ_LINE_STATUS: kvm_set_irq's result, -1 for a GSI without routes, else 0 */
    struct kvm_irq_level st = {.irq = 21, .level = 1};
    assert_ok(ioe_ioctl(f.vm, KVM_IRQ_LINE_STATUS, &st));
    assert_int_equal(st.status, -1);
    st = (struct kvm_irq_level){.irq = 20, .level = 0};
    assert_ok(ioe_ioctl(f.vm, KVM_IRQ_LINE_STATUS, &st));
    assert_int_equal(st.status, 0);
    munmap(bad, 4096);
    close_vm(&f);
}

/* KVM_IRQFD (driver/src/irqfd.c): an eventfd sets its GSI through the routes, as
 * KVM_IRQ_LINE (level 1, then 0); a resampling one level 1 until the EOI register completes
 * the source (KVM's openpic_cpu_write_internal: kvm_notify_acked_irq), which lowers it and
 * signals the resamplefd */
static void test_irqfd(void **state)
{
    const char *target = *state;
    int kvm = ioe_open_host(target, "ppc-booke", NULL), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), devnull = open("/dev/null", O_RDONLY);
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD), 1);
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD_RESAMPLE), 1);
    assert_err(EINVAL, irqfd(vm, efd, 20, 4));
    assert_err(EBADF, irqfd_req(vm, -1, 20, KVM_IRQFD_FLAG_RESAMPLE, efd));
    assert_err(EINVAL, irqfd_req(vm, efd, 20, KVM_IRQFD_FLAG_RESAMPLE, devnull));
    assert_err(EBADF, irqfd(vm, -1, 20, 0));
    assert_err(EINVAL, irqfd(vm, devnull, 20, 0));
    assert_ok(irqfd(vm, efd, 20, 0)); /* before the MPIC: bound, its signals dropped */
    assert_err(EBUSY, irqfd(vm, efd, 21, 0));
    assert_ok(irqfd(vm, efd, 20, KVM_IRQFD_FLAG_DEASSIGN));
    ioe_close(vm);
    ioe_close(kvm);
    struct vmf f = open_vm(target, KVM_DEV_TYPE_FSL_MPIC_42, true);
    struct kvm_irq_routing_entry e = pin_route(20, 9);
    assert_ok(set_routes(f.vm, &e, 1));
    setup_src(&f, 9, 0x99, 4, false, 1); /* edge, to CPU 0 */
    gwr(&f, CPU(0, CTPR), 0);
    assert_ok(irqfd(f.vm, efd, 20, 0));
    assert_false(readable(f.vcpu[0]));
    kick(efd);
    struct pollfd p = {.fd = f.vcpu[0], .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x99);
    gwr(&f, CPU(0, EOI), 0);
    assert_false(readable(f.vcpu[0]));
    assert_ok(irqfd(f.vm, efd, 20, KVM_IRQFD_FLAG_DEASSIGN));
    kick(efd);
    assert_int_equal(poll(&p, 1, 300), 0);
    /* resampling, on a level source: held until the EOI */
    int rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    uint64_t count = 0;
    struct kvm_irq_routing_entry r2[2] = {pin_route(20, 9), pin_route(21, 10)};
    assert_ok(set_routes(f.vm, r2, 2));
    setup_src(&f, 10, 0x9a, 4, true, 1);
    assert_ok(irqfd_req(f.vm, efd, 21, KVM_IRQFD_FLAG_RESAMPLE, rfd));
    kick(efd);
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_int_equal(active(&f, 10), 1);
    assert_int_equal(grd(&f, CPU(0, IACK)), 0x9a);
    assert_int_equal(active(&f, 10), 1); /* still held */
    assert_int_equal(read(rfd, &count, sizeof(count)), -1);
    gwr(&f, CPU(0, EOI), 0);
    assert_int_equal(read(rfd, &count, sizeof(count)), sizeof(count));
    assert_int_equal(count, 1);
    assert_int_equal(active(&f, 10), 0); /* lowered */
    assert_false(readable(f.vcpu[0]));
    close(rfd);
    close(efd);
    close(devnull);
    close_vm(&f);
}

/* ------------------------------------------------------------------ migration */
/* the registers a save reads (every 16-byte register but IACK and the read-clear MSIRs) */
static size_t saved_regs(uint64_t *off)
{
    size_t n = 0;
    for (uint64_t o = 0; o < 0x12f0; o += 0x10)
        if (o != 0x1090 && (o < 0x40 || o > 0xb0))
            off[n++] = o;
    off[n++] = 0x1720;
    for (unsigned s = 0; s < 256; s++)
        for (unsigned r = 0; r < 0x20; r += 8)
            off[n++] = SRC(s) + r;
    for (unsigned c = 0; c < 32; c++)
        off[n++] = CPU(c, CTPR);
    return n;
}

static void test_migration(void **state)
{
    (void)state;
    if (!tt_has("soft") || !tt_has("sim"))
        skip();
    struct vmf a = open_vm("soft", KVM_DEV_TYPE_FSL_MPIC_42, true);
    struct vmf b = open_vm("sim", KVM_DEV_TYPE_FSL_MPIC_42, true);
    gwr(&a, CPU(0, CTPR), 1);
    gwr(&a, CPU(1, CTPR), 0);
    gwr(&a, 0x10e0, 0x3ff);
    setup_src(&a, 1, 0x11, 5, true, 1);
    setup_src(&a, 2, 0x12, 6, false, 2);
    setup_src(&a, 50, 0x50, 9, true, 3);
    gwr(&a, SRC(60), MASK | 0x60 | PRIO(2));
    gwr(&a, 0x1120, 0x1234 | PRIO(3));
    line(&a, 1, 1);
    line(&a, 2, 1);
    line(&a, 60, 1);
    static uint64_t off[2048];
    static uint32_t val[2048];
    size_t n = saved_regs(off);
    for (size_t i = 0; i < n; i++)
        val[i] = rd(&a, off[i]);
    uint32_t pend[257];
    for (unsigned s = 0; s <= 256; s++)
        pend[s] = active(&a, s);
    /* restore: registers in map order, then the input lines. A timer register read at
     * 0x10f0 + r is written at 0x1100 + r (Linux decodes timer reads from the region) */
    for (size_t i = 0; i < n; i++)
        wr(&b, off[i] > 0x10f0 && off[i] < 0x12f0 ? off[i] + 0x10 : off[i], val[i] & ~ACT);
    for (unsigned s = 0; s <= 256; s++)
        if (pend[s])
            assert_ok(SET(b.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, s, &pend[s]));
    for (size_t i = 0; i < n; i++)
        if (rd(&b, off[i]) != val[i])
            fail_msg("register 0x%" PRIx64 ": 0x%08x on soft, 0x%08x on sim", off[i], val[i],
                     rd(&b, off[i]));
    for (unsigned s = 0; s <= 256; s++)
        assert_int_equal(active(&b, s), pend[s]);
    for (int c = 0; c < NR_VCPUS; c++) {
        assert_int_equal(readable(a.vcpu[c]), readable(b.vcpu[c]));
        assert_int_equal(grd(&a, CPU(c, IACK)), grd(&b, CPU(c, IACK)));
    }
    close_vm(&a);
    close_vm(&b);
}

/* ------------------------------------------------------------------ bad input */
static void test_random_input(void **state)
{
    struct vmf f = open_vm(*state, KVM_DEV_TYPE_FSL_MPIC_20, true);
    uint64_t seed = tt_seed(17), ops = tt_ops(3000);
    srand((unsigned)seed);
    for (uint64_t i = 0; i < ops; i++) {
        uint64_t off = (uint64_t)rand() % 0x40040;
        uint32_t v = (uint32_t)rand() << 1 ^ (uint32_t)rand();
        if (off == 0x1020 && (v & 0x80000000u))
            v &= ~0x80000000u; /* a reset per op would only slow the test down */
        switch (rand() % 6) {
        case 0: SET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, off, &v); break;
        case 1: GET(f.mpic, KVM_DEV_MPIC_GRP_REGISTER, off, &v); break;
        case 2: SET(f.mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, off % 300, &(uint32_t){v & 1}); break;
        case 3: {
            uint64_t d = v;
            mmio(&f, off, 1u << (rand() % 4), rand() & 1, &d);
            break;
        }
        case 4: line(&f, v % 300, v >> 31); break;
        default: {
            struct ioe_irq irq;
            ioe_ioctl(f.vcpu[rand() % NR_VCPUS], rand() & 1 ? IOE_VCPU_ACK : IOE_VCPU_EOI, &irq);
        }
        }
    }
    /* still a working MPIC */
    assert_int_equal(rd(&f, 0x0), 0x00400200);
    wr(&f, 0x1020, 0x80000000);
    check_reset_map(&f, false);
    close_vm(&f);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_create),       TT_TARGET_TEST(test_attr_errnos),
        TT_TARGET_TEST(test_connect),      TT_TARGET_TEST(test_regmap),
        TT_TARGET_TEST(test_mmio),         TT_TARGET_TEST(test_e500_sequence),
        TT_TARGET_TEST(test_priorities),   TT_TARGET_TEST(test_destinations),
        TT_TARGET_TEST(test_ipis),         TT_TARGET_TEST(test_msi),
        TT_TARGET_TEST(test_routing),      TT_TARGET_TEST(test_irqfd),
        TT_TARGET_TEST(test_random_input), cmocka_unit_test(test_migration),
    };
    return tt_run_tests("mpic_api", tests, NULL, NULL);
}
