/*
 * End to end through the KVM-compatible API: a hypervisor programs a VM with several
 * vCPUs, raises SPIs, PPIs and SGIs; the right vCPU descriptor becomes readable,
 * IOE_VCPU_ACK returns INTIDs in priority order, and EOI, PMR, running priority,
 * binary point and EOImode behave as the architecture says. Every scenario runs on each
 * target of IOE_TEST_TARGETS (tests/targets.h; default soft = C model, sim = Verilator model).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "gic_util.h"
#include "targets.h"

#define SPI 1
#define PPI 2

/* SPI n routed to vCPU c (affinity = vcpu id for ids < 16), enabled, with priority p. */
static void spi_setup(struct tvm *t, unsigned n, int c, uint8_t prio, int edge)
{
    t_mmio(t, DIST_BASE + 0x6000 + 8 * n, 8, 1, (uint64_t)c);
    t_mmio(t, DIST_BASE + 0x400 + n, 1, 1, prio);
    uint32_t cfg = t_gicd_r(t, 0xc00 + n / 16 * 4);
    cfg = edge ? cfg | 2u << (n % 16 * 2) : cfg & ~(2u << (n % 16 * 2));
    t_gicd_w(t, 0xc00 + n / 16 * 4, cfg);
    t_gicd_w(t, 0x100 + n / 32 * 4, 1u << (n % 32));
}

static void test_spi_routing(void **state)
{
    struct tvm t;
    t_vm_open(&t, *state, 4, 128);
    t_run_all(&t);
    t_guest_init(&t);
    spi_setup(&t, 40, 2, 0x80, 0);
    for (int c = 0; c < 4; c++)
        assert_false(t_readable(&t, c));
    t_line(&t, SPI, 0, 40, 1);
    for (int c = 0; c < 4; c++)
        assert_int_equal(t_readable(&t, c), c == 2);
    struct ioe_irq irq = t_ack(&t, 2);
    assert_int_equal(irq.intid, 40);
    assert_int_equal(irq.priority, 0x80);
    assert_int_equal(irq.group, 1);
    assert_false(t_readable(&t, 2)); /* active now */
    assert_int_equal(t_ack(&t, 1).intid, 1023);
    t_line(&t, SPI, 0, 40, 0);
    t_eoi(&t, 2, 40, 1);
    assert_false(t_readable(&t, 2));
    /* re-route to vCPU 3 while pending */
    t_line(&t, SPI, 0, 40, 1);
    assert_true(t_readable(&t, 2));
    t_mmio(&t, DIST_BASE + 0x6000 + 8 * 40, 8, 1, 3);
    assert_false(t_readable(&t, 2));
    assert_true(t_readable(&t, 3));
    /* routed to an affinity no vCPU has: delivered nowhere, still pending */
    t_mmio(&t, DIST_BASE + 0x6000 + 8 * 40, 8, 1, 0x0500);
    for (int c = 0; c < 4; c++)
        assert_false(t_readable(&t, c));
    assert_int_equal(t_gicd_r(&t, 0x200 + 4) >> 8 & 1, 1);
    t_vm_close(&t);
}

static void test_priority_order_and_ties(void **state)
{
    struct tvm t;
    t_vm_open(&t, *state, 1, 64);
    t_run_all(&t);
    t_guest_init(&t);
    spi_setup(&t, 33, 0, 0x80, 1);
    spi_setup(&t, 34, 0, 0x40, 1);
    spi_setup(&t, 35, 0, 0x40, 1);
    t_line(&t, SPI, 0, 35, 1);
    t_line(&t, SPI, 0, 33, 1);
    t_line(&t, SPI, 0, 34, 1);
    assert_true(t_readable(&t, 0));
    assert_int_equal(t_sysreg(&t, 0, ICC_HPPIR1, 0, 0), 34);
    assert_int_equal(t_ack(&t, 0).intid, 34); /* tie at 0x40: lower INTID first */
    /* same group priority as the running one: no preemption */
    assert_int_equal(t_sysreg(&t, 0, ICC_RPR, 0, 0), 0x40);
    assert_false(t_readable(&t, 0));
    assert_int_equal(t_ack(&t, 0).intid, 1023);
    t_eoi(&t, 0, 34, 1);
    assert_int_equal(t_sysreg(&t, 0, ICC_RPR, 0, 0), 0xff);
    assert_int_equal(t_ack(&t, 0).intid, 35);
    t_eoi(&t, 0, 35, 1);
    assert_int_equal(t_ack(&t, 0).intid, 33);
    t_eoi(&t, 0, 33, 1);
    assert_int_equal(t_ack(&t, 0).intid, 1023);
    assert_false(t_readable(&t, 0));
    t_vm_close(&t);
}

static void test_pmr_and_preemption(void **state)
{
    struct tvm t;
    t_vm_open(&t, *state, 1, 64);
    t_run_all(&t);
    t_guest_init(&t);
    spi_setup(&t, 40, 0, 0xa0, 1);
    spi_setup(&t, 41, 0, 0x90, 1);
    spi_setup(&t, 42, 0, 0x60, 1);
    /* PMR masks priorities at or below it */
    t_sysreg(&t, 0, ICC_PMR, 1, 0xa0);
    t_line(&t, SPI, 0, 40, 1);
    assert_false(t_readable(&t, 0));
    assert_int_equal(t_ack(&t, 0).intid, 1023);
    t_sysreg(&t, 0, ICC_PMR, 1, 0xa8);
    assert_true(t_readable(&t, 0));
    t_sysreg(&t, 0, ICC_PMR, 1, 0xf0);
    /* BPR1 = 6: 0xa0 and 0x90 share group priority 0x80, no preemption */
    t_sysreg(&t, 0, ICC_BPR1, 1, 6);
    assert_int_equal(t_sysreg(&t, 0, ICC_BPR1, 0, 0), 6);
    assert_int_equal(t_ack(&t, 0).intid, 40);
    assert_int_equal(t_sysreg(&t, 0, ICC_AP1R0, 0, 0), 1u << (0x80 >> 3));
    t_line(&t, SPI, 0, 41, 1);
    assert_false(t_readable(&t, 0));
    /* 0x60 has group priority 0x40 < 0x80: preempts */
    t_line(&t, SPI, 0, 42, 1);
    assert_true(t_readable(&t, 0));
    assert_int_equal(t_ack(&t, 0).intid, 42);
    assert_int_equal(t_sysreg(&t, 0, ICC_RPR, 0, 0), 0x40);
    t_eoi(&t, 0, 42, 1); /* drops to the 0x80 level of 40 */
    assert_int_equal(t_sysreg(&t, 0, ICC_RPR, 0, 0), 0x80);
    assert_false(t_readable(&t, 0)); /* 41 still blocked by 40 */
    t_eoi(&t, 0, 40, 1);
    assert_int_equal(t_ack(&t, 0).intid, 41);
    t_eoi(&t, 0, 41, 1);
    /* BPR writes below the minimum read back as the minimum */
    t_sysreg(&t, 0, ICC_BPR1, 1, 0);
    assert_int_equal(t_sysreg(&t, 0, ICC_BPR1, 0, 0), 3);
    t_sysreg(&t, 0, ICC_BPR0, 1, 0);
    assert_int_equal(t_sysreg(&t, 0, ICC_BPR0, 0, 0), 2);
    t_vm_close(&t);
}

static void test_eoimode1_and_levels(void **state)
{
    struct tvm t;
    t_vm_open(&t, *state, 2, 64);
    t_run_all(&t);
    t_guest_init(&t);
    t_sysreg(&t, 1, ICC_CTLR, 1, 1u << 1); /* EOImode 1 */
    assert_int_equal(t_sysreg(&t, 1, ICC_CTLR, 0, 0) & 0xffff, 1u << 15 | 4u << 8 | 1u << 1);
    /* PPI 27 on vCPU 1 (level, enabled through its redistributor) */
    t_mmio(&t, t_rd(1) + RD_SGI + 0x400 + 27, 1, 1, 0x50);
    t_mmio(&t, t_rd(1) + RD_SGI + 0x100, 4, 1, 1u << 27);
    t_line(&t, PPI, 1, 27, 1);
    assert_false(t_readable(&t, 0));
    assert_true(t_readable(&t, 1));
    struct ioe_irq irq = t_ack(&t, 1);
    assert_int_equal(irq.intid, 27);
    t_eoi(&t, 1, 27, 1); /* priority drop only */
    uint32_t act = (uint32_t)t_mmio(&t, t_rd(1) + RD_SGI + 0x300, 4, 0, 0);
    assert_int_equal(act >> 27 & 1, 1);
    assert_false(t_readable(&t, 1)); /* still active */
    struct ioe_irq dir = {.intid = 27, .group = 1};
    assert_int_equal(ioe_ioctl(t.vcpu[1], IOE_VCPU_DIR, &dir), 0);
    act = (uint32_t)t_mmio(&t, t_rd(1) + RD_SGI + 0x300, 4, 0, 0);
    assert_int_equal(act >> 27 & 1, 0);
    /* the line is still high: pending again */
    assert_true(t_readable(&t, 1));
    t_line(&t, PPI, 1, 27, 0);
    assert_false(t_readable(&t, 1));
    /* guest ISPENDR reads line | latch; an ISPENDR write latches for a level interrupt */
    t_mmio(&t, t_rd(1) + RD_SGI + 0x200, 4, 1, 1u << 27);
    assert_true(t_readable(&t, 1));
    assert_int_equal(t_ack(&t, 1).intid, 27);
    assert_false(t_readable(&t, 1)); /* acknowledging cleared the latch */
    t_eoi(&t, 1, 27, 1);
    assert_int_equal(ioe_ioctl(t.vcpu[1], IOE_VCPU_DIR, &dir), 0);
    assert_false(t_readable(&t, 1));
    t_vm_close(&t);
}

static void test_sgis(void **state)
{
    struct tvm t;
    t_vm_open(&t, *state, 4, 64);
    t_run_all(&t);
    t_guest_init(&t);
    /* SGI 5 from vCPU 0 to vCPUs 1 and 2 (Aff1 = 0, target list bits 1 and 2) */
    uint64_t sgi = 5ull << 24 | 0x6;
    assert_int_equal(ioe_ioctl(t.vcpu[0], IOE_VCPU_SGI, &sgi), 0);
    for (int c = 0; c < 4; c++)
        assert_int_equal(t_readable(&t, c), c == 1 || c == 2);
    assert_int_equal(t_ack(&t, 1).intid, 5);
    t_eoi(&t, 1, 5, 1);
    assert_int_equal(t_ack(&t, 2).intid, 5);
    t_eoi(&t, 2, 5, 1);
    /* IRM: every vCPU but the sender */
    sgi = 9ull << 24 | 1ull << 40;
    assert_int_equal(ioe_ioctl(t.vcpu[3], IOE_VCPU_SGI, &sgi), 0);
    for (int c = 0; c < 4; c++)
        assert_int_equal(t_readable(&t, c), c != 3);
    /* an SGI configured group 0 at the target is not made pending by SGI1R */
    t_mmio(&t, t_rd(3) + RD_SGI + 0x80, 4, 1, 0xffffffffu & ~(1u << 7));
    sgi = 7ull << 24 | 1u << 3;
    assert_int_equal(ioe_ioctl(t.vcpu[0], IOE_VCPU_SGI, &sgi), 0);
    assert_false(t_readable(&t, 3));
    /* SGIs cannot be raised by KVM_IRQ_LINE: PPI numbers start at 16 */
    struct kvm_irq_level l = {.irq = PPI << KVM_ARM_IRQ_TYPE_SHIFT | 5, .level = 1};
    assert_int_equal(ioe_ioctl(t.vm, KVM_IRQ_LINE, &l), -1);
    assert_int_equal(errno, EINVAL);
    t_vm_close(&t);
}

static void test_vms_kept_apart(void **state)
{
    struct tvm a, b;
    /* two VMs on the same card: open the second through the first's system fd */
    t_vm_open(&a, *state, 2, 64);
    memset(&b, 0, sizeof(b));
    b.n = 2;
    b.kvm = -1;
    b.vm = ioe_ioctl(a.kvm, KVM_CREATE_VM, 0);
    assert_true(b.vm >= 0);
    for (int i = 0; i < 2; i++) {
        assert_true((b.vcpu[i] = ioe_ioctl(b.vm, KVM_CREATE_VCPU, i)) >= 0);
        assert_int_equal(t_arm64_vcpu_init(b.vm, b.vcpu[i], i, 0), 0);
    }
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
    assert_int_equal(ioe_ioctl(b.vm, KVM_CREATE_DEVICE, &cd), 0);
    b.dev = (int)cd.fd;
    uint64_t addr = DIST_BASE;
    t_set_attr(b.dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &addr);
    addr = REDIST_BASE | 2ull << KVM_VGIC_V3_RDIST_COUNT_SHIFT;
    t_set_attr(b.dev, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr);
    t_set_attr(b.dev, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
    t_run_all(&a);
    t_run_all(&b);
    t_guest_init(&a);
    t_guest_init(&b);
    spi_setup(&a, 50, 0, 0x20, 0);
    spi_setup(&b, 50, 0, 0x20, 0);
    t_line(&a, SPI, 0, 50, 1);
    assert_true(t_readable(&a, 0));
    assert_false(t_readable(&b, 0));
    assert_int_equal(t_ack(&b, 0).intid, 1023);
    assert_int_equal(t_gicd_r(&b, 0x200 + 4), 0);
    /* the same guest addresses in B reach B's frames, not A's */
    t_gicd_w(&b, 0x0000, 0);
    assert_int_equal(t_gicd_r(&a, 0x0000) >> 1 & 1, 1);
    assert_int_equal(t_ack(&a, 0).intid, 50);
    for (int i = 0; i < 2; i++)
        assert_int_equal(ioe_close(b.vcpu[i]), 0);
    assert_int_equal(ioe_close(b.dev), 0);
    assert_int_equal(ioe_close(b.vm), 0);
    t_vm_close(&a);
}

static void test_level_info_and_line_state(void **state)
{
    struct tvm t;
    t_vm_open(&t, *state, 2, 96);
    /* LEVEL_INFO of SPIs 64..95 and of vCPU 1's PPIs */
    uint32_t v = 0x80000005;
    uint64_t mpidr1 = 1ull << 32;
    t_set_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 64, &v);
    v = 0;
    t_get_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, mpidr1 | 64, &v);
    assert_int_equal(v, 0x80000005);
    v = 0xffffffff;
    t_set_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, mpidr1 | 0, &v);
    t_get_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, mpidr1 | 0, &v);
    assert_int_equal(v, 0xffff0000u); /* SGIs read 0 */
    t_get_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 0, &v);
    assert_int_equal(v, 0); /* vCPU 0's PPIs are its own */
    /* beyond the interrupt count: RAZ/WI */
    v = 1;
    t_set_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 96, &v);
    t_get_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 96, &v);
    assert_int_equal(v, 0);
    /* KVM_IRQ_LINE shows in LEVEL_INFO; ISPENDR from userspace is the latch only */
    t_line(&t, SPI, 0, 33, 1);
    t_get_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, 32, &v);
    assert_int_equal(v, 2);
    t_get_attr(t.dev, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x204, &v);
    assert_int_equal(v, 0);
    t_vm_close(&t);
}

/* Poll fd until its readability is `want`, for at most ms milliseconds. */
static bool wait_readable(int fd, bool want, int ms)
{
    for (int waited = 0;; waited += 10) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_true(poll(&p, 1, want ? 10 : 0) >= 0);
        if (((p.revents & POLLIN) != 0) == want)
            return true;
        if (waited >= ms)
            return false;
        if (!want)
            poll(NULL, 0, 10); /* sleep 10 ms */
    }
}

/* A card that runs on its own (free_run: IOE_CARD_CAP_ASYNC) notifies when it is ready;
 * libioe's event thread, not the request, makes the vCPU descriptor readable, and not
 * readable again after the acknowledge, with no further request. */
static void test_async_notifications(void **state)
{
    const char *target = *state;
    struct ioe_card_options o = {.free_run = true};
    struct ioe_card *c;
    assert_int_equal(ioe_card_open_opts(target, &o, &c), 0);
    assert_true(ioe_card_caps(c) & IOE_CARD_CAP_ASYNC);
    ioe_card_close(c);
    struct tvm t;
    t_card_opts.free_run = true;
    t_vm_open(&t, target, 2, 64);
    t_card_opts.free_run = false;
    t_run_all(&t);
    t_guest_init(&t);
    spi_setup(&t, 40, 1, 0x80, 0);
    t_line(&t, SPI, 0, 40, 1);
    /* every card has a notification fence (in process: a few cycles stepped; sim:pcie:
     * NRING_FENCE; over the wire: FENCE): readable when the request returns */
    assert_true(t_readable(&t, 1));
    assert_true(wait_readable(t.vcpu[1], true, 5000));
    assert_false(t_readable(&t, 0));
    assert_int_equal(t_ack(&t, 1).intid, 40);
    assert_true(wait_readable(t.vcpu[1], false, 5000));
    t_line(&t, SPI, 0, 40, 0);
    t_eoi(&t, 1, 40, 1);
    /* edge: a second assertion after the EOI makes it readable again */
    t_line(&t, SPI, 0, 40, 1);
    assert_true(wait_readable(t.vcpu[1], true, 5000));
    t_vm_close(&t);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_spi_routing),
        TT_TARGET_TEST(test_priority_order_and_ties),
        TT_TARGET_TEST(test_pmr_and_preemption),
        TT_TARGET_TEST(test_eoimode1_and_levels),
        TT_TARGET_TEST(test_sgis),
        TT_TARGET_TEST(test_vms_kept_apart),
        TT_TARGET_TEST(test_level_info_and_line_state),
        TT_TARGET_TEST(test_async_notifications),
    };
    return tt_run_tests("vgic_v3_scenarios", tests, NULL, NULL);
}
