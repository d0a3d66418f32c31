/*
 * KVM_SET_GSI_ROUTING and KVM_IRQFD on the arm64 persona (driver/src/irqfd.c): the checks
 * and errnos of virt/kvm/irqchip.c, eventfd.c and arm64's kvm_set_routing_entry, and
 * delivery: an eventfd bound to a GSI routed to an MSI with a DeviceID (what a VMM does
 * with a VFIO device's MSI eventfds) raises the LPI the ITS maps it to, and one routed to
 * an irqchip pin raises that SPI, without any request on the VM; a resampling one holds a
 * level-triggered SPI until the guest deactivates it. Each test runs on each
 * target of IOE_TEST_TARGETS (tests/targets.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "irqfd_util.h"
#include "its_util.h"

#include "assert_errno.h"
#include "targets.h"

#define DEV 3
#define EV 1
#define GSI_MSI 7
#define GSI_SPI 9
#define SPI_PIN 3 /* SPI 35 */

static struct kvm_irq_routing_entry msi_route(uint32_t gsi, uint32_t dev, uint32_t ev)
{
    uint64_t a = ITS_BASE + 0x10040; /* GITS_TRANSLATER */
    return (struct kvm_irq_routing_entry){.gsi = gsi,
                                          .type = KVM_IRQ_ROUTING_MSI,
                                          .flags = KVM_MSI_VALID_DEVID,
                                          .u.msi = {.address_lo = (uint32_t)a,
                                                    .address_hi = (uint32_t)(a >> 32),
                                                    .data = ev,
                                                    .devid = dev}};
}

static struct kvm_irq_routing_entry chip_route(uint32_t gsi, uint32_t chip, uint32_t pin)
{
    return (struct kvm_irq_routing_entry){
        .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP, .u.irqchip = {.irqchip = chip, .pin = pin}};
}

/* wait up to 5 s of wall clock for vCPU c's descriptor to turn readable */
static int readable_within(struct tits *x, int c, int ms)
{
    struct pollfd p = {.fd = x->t.vcpu[c], .events = POLLIN};
    return poll(&p, 1, ms) == 1;
}

/* The target of the test; skipped when its card has no ITS engine. */
static const char *target_or_skip(void **state)
{
    const char *target = *state;
    if (!t_card_has_its(target))
        skip();
    return target;
}

/* the ITS maps (DEV, EV) to LPI0 on vCPU 0 */
static void its_setup(struct tits *x, const char *target)
{
    its_open(x, target, 1);
    its_tables(x, 0x10000, 0, 1);
    cmd_mapc(x, 0, 0, 1);
    cmd_mapd(x, DEV, 3, MEM_GPA + ITT_OFF, 1);
    cmd_mapti(x, DEV, EV, LPI0, 0);
    its_go(x);
}

static void test_caps(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_setup(&x, target);
    assert_int_equal(ioe_ioctl(x.t.vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD), 1);
    assert_int_equal(ioe_ioctl(x.t.vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING), 4096);
    assert_int_equal(ioe_ioctl(x.t.vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD_RESAMPLE), 1);
    its_close(&x);
}

static void test_routing_errors(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_setup(&x, target);
    int vm = x.t.vm;
    struct table t = {0};
    assert_err(EFAULT, ioe_ioctl(vm, KVM_SET_GSI_ROUTING, (void *)0x10));
    t.h.flags = 1;
    assert_err(EINVAL, set_routing(vm, &t, 0));
    t.h.flags = 0;
    assert_err(EINVAL, set_routing(vm, &t, 4097)); /* before the entries are read */
    /* the header readable, the entries not: the page after it is inaccessible */
    char *pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(pg != MAP_FAILED);
    assert_int_equal(mprotect(pg + 4096, 4096, PROT_NONE), 0);
    struct kvm_irq_routing *edge = (void *)(pg + 4096 - sizeof(struct kvm_irq_routing));
    edge->nr = 1;
    edge->flags = 0;
    assert_err(EFAULT, ioe_ioctl(vm, KVM_SET_GSI_ROUTING, edge));
    munmap(pg, 8192);
    t.e[0] = msi_route(4096, DEV, EV);
    assert_err(EINVAL, set_routing(vm, &t, 1)); /* GSI >= KVM_MAX_IRQ_ROUTES */
    t.e[0] = (struct kvm_irq_routing_entry){.gsi = 1, .type = KVM_IRQ_ROUTING_S390_ADAPTER};
    assert_err(EINVAL, set_routing(vm, &t, 1)); /* a type arm64 does not route */
    t.e[0] = msi_route(1, DEV, EV);
    t.e[0].flags = 2;
    assert_err(EINVAL, set_routing(vm, &t, 1)); /* MSI flags beyond VALID_DEVID */
    t.e[0] = chip_route(1, 0, 0);
    t.e[0].flags = KVM_MSI_VALID_DEVID;
    assert_err(EINVAL, set_routing(vm, &t, 1)); /* flags on a non-MSI route */
    t.e[0] = chip_route(1, 0, 988);
    assert_err(EINVAL, set_routing(vm, &t, 1)); /* pin >= KVM_IRQCHIP_NUM_PINS */
    t.e[0] = chip_route(1, 1, 0);
    assert_err(EINVAL, set_routing(vm, &t, 1)); /* irqchip >= KVM_NR_IRQCHIPS */
    t.e[0] = msi_route(1, DEV, EV);
    t.e[1] = msi_route(1, DEV, EV + 1);
    assert_err(EINVAL, set_routing(vm, &t, 2)); /* two non-irqchip routes of one GSI */
    t.e[0] = chip_route(1, 0, 4);
    assert_err(EINVAL, set_routing(vm, &t, 2)); /* an irqchip and an MSI route of one GSI */
    t.e[1] = chip_route(1, 0, 5);
    assert_err(EINVAL, set_routing(vm, &t, 2)); /* one GSI twice on one irqchip */
    t.e[0] = chip_route(1, 0, 987);
    t.e[1] = msi_route(4095, DEV, EV);
    assert_ok(set_routing(vm, &t, 2));
    assert_ok(set_routing(vm, &t, 0));
    its_close(&x);
}

/* KVM_IRQFD before the VGIC is initialised: EAGAIN (kvm_arch_intc_initialized) */
static void test_irqfd_early(void **state)
{
    int kvm = ioe_open_host(*state, "arm64", NULL), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    int efd = eventfd(0, EFD_CLOEXEC);
    assert_err(EAGAIN, irqfd(vm, efd, 1, 0));
    assert_err(EAGAIN, irqfd(vm, -1, 1, KVM_IRQFD_FLAG_RESAMPLE)); /* before anything else */
    assert_ok(irqfd(vm, efd, 1, KVM_IRQFD_FLAG_DEASSIGN));         /* nothing to remove */
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
    assert_ok(ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
    assert_err(EAGAIN, irqfd(vm, efd, 1, 0)); /* created, not initialised */
    close(efd);
    ioe_close((int)cd.fd);
    ioe_close(vm);
    ioe_close(kvm);
}

static void test_irqfd_errors(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_setup(&x, target);
    int vm = x.t.vm, efd = eventfd(0, EFD_CLOEXEC), devnull = open("/dev/null", O_RDONLY);
    assert_err(EFAULT, ioe_ioctl(vm, KVM_IRQFD, (void *)0x10));
    assert_err(EINVAL, irqfd(vm, efd, 1, 4));
    assert_err(EBADF, irqfd(vm, efd, 1, KVM_IRQFD_FLAG_RESAMPLE)); /* resamplefd -1 */
    assert_err(EINVAL, irqfd_req(vm, efd, 1, KVM_IRQFD_FLAG_RESAMPLE, devnull));
    assert_err(EBADF, irqfd(vm, -1, 1, 0));
    assert_err(EINVAL, irqfd(vm, devnull, 1, 0));
    assert_err(EINVAL, irqfd(vm, x.t.vcpu[0], 1, 0)); /* libioe's descriptors are not */
    assert_ok(irqfd(vm, efd, 1, 0));
    assert_err(EBUSY, irqfd(vm, efd, 2, 0));
    int dup_efd = dup(efd);
    assert_err(EBUSY, irqfd(vm, dup_efd, 1, 0)); /* the same eventfd */
    int other = eventfd(0, EFD_CLOEXEC);
    assert_ok(irqfd(vm, other, 1, 0)); /* several eventfds may serve one GSI */
    assert_err(EBADF, irqfd(vm, -1, 1, KVM_IRQFD_FLAG_DEASSIGN));
    assert_err(EINVAL, irqfd(vm, devnull, 1, KVM_IRQFD_FLAG_DEASSIGN));
    assert_ok(irqfd(vm, efd, 2, KVM_IRQFD_FLAG_DEASSIGN)); /* another GSI: nothing, no error */
    assert_err(EBUSY, irqfd(vm, efd, 1, 0));               /* so it is still bound */
    assert_ok(irqfd(vm, dup_efd, 1, KVM_IRQFD_FLAG_DEASSIGN));
    assert_ok(irqfd(vm, efd, 2, 0)); /* free again */
    close(dup_efd);
    close(other);
    close(efd);
    close(devnull);
    its_close(&x); /* the VM goes with irqfds bound */
}

static void test_msi_delivery(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_setup(&x, target);
    int vm = x.t.vm, efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct table t = {0};
    t.e[0] = msi_route(GSI_MSI, DEV, EV);
    assert_ok(set_routing(vm, &t, 1));
    assert_ok(irqfd(vm, efd, GSI_MSI, 0));
    assert_false(readable_within(&x, 0, 0));
    kick(efd); /* what vfio-pci does when the device sends its MSI */
    assert_true(readable_within(&x, 0, 5000));
    assert_int_equal(its_take(&x, 0), LPI0);
    assert_int_equal(its_take(&x, 0), 1023);
    /* a table that fails to set leaves the old one in place */
    t.e[1] = chip_route(GSI_MSI, 0, 1);
    assert_err(EINVAL, set_routing(vm, &t, 2));
    kick(efd);
    assert_true(readable_within(&x, 0, 5000));
    assert_int_equal(its_take(&x, 0), LPI0);
    /* a GSI without a route injects nothing; nor does an unbound eventfd */
    assert_ok(set_routing(vm, &t, 0));
    kick(efd);
    assert_false(readable_within(&x, 0, 300));
    assert_ok(set_routing(vm, &t, 1));
    assert_ok(irqfd(vm, efd, GSI_MSI, KVM_IRQFD_FLAG_DEASSIGN));
    kick(efd);
    assert_false(readable_within(&x, 0, 300));
    /* an eventfd signalled before it is bound injects when it is bound */
    assert_ok(irqfd(vm, efd, GSI_MSI, 0));
    assert_true(readable_within(&x, 0, 5000));
    assert_int_equal(its_take(&x, 0), LPI0);
    close(efd);
    its_close(&x);
}

static void test_spi_delivery(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_setup(&x, target);
    unsigned n = 32 + SPI_PIN;
    t_mmio(&x.t, DIST_BASE + 0x6000 + 8 * n, 8, 1, 0); /* to vCPU 0 */
    t_mmio(&x.t, DIST_BASE + 0x400 + n, 1, 1, 0x80);
    t_gicd_w(&x.t, 0xc00 + n / 16 * 4, t_gicd_r(&x.t, 0xc00 + n / 16 * 4) | 2u << (n % 16 * 2));
    t_gicd_w(&x.t, 0x100 + n / 32 * 4, 1u << (n % 32));
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    /* before any table: the default routing, GSI n to SPI n + 32 */
    assert_ok(irqfd(x.t.vm, efd, SPI_PIN, 0));
    kick(efd);
    assert_true(readable_within(&x, 0, 5000));
    assert_int_equal(its_take(&x, 0), n);
    assert_ok(irqfd(x.t.vm, efd, SPI_PIN, KVM_IRQFD_FLAG_DEASSIGN));
    struct table t = {0};
    t.e[0] = chip_route(GSI_SPI, 0, SPI_PIN);
    assert_ok(set_routing(x.t.vm, &t, 1));
    assert_ok(irqfd(x.t.vm, efd, GSI_SPI, 0));
    kick(efd);
    assert_true(readable_within(&x, 0, 5000));
    assert_int_equal(its_take(&x, 0), n); /* an edge: pending until taken */
    assert_int_equal(its_take(&x, 0), 1023);
    close(efd);
    its_close(&x);
}

/* the resamplefd's count since the last call (0: not signalled) */
static uint64_t resampled(int rfd)
{
    uint64_t n = 0;
    return read(rfd, &n, sizeof(n)) == sizeof(n) ? n : 0;
}

static void vcpu_req(struct tits *x, unsigned long req, uint32_t intid)
{
    struct ioe_irq irq = {.intid = intid, .group = 1};
    assert_ok(ioe_ioctl(x->t.vcpu[0], req, &irq));
}

/* KVM_IRQFD_FLAG_RESAMPLE (a VMM's VFIO INTx): the SPI stays at level 1 until the guest
 * deactivates it, then it is lowered and the resamplefd signalled, as KVM's vGIC does on
 * the EOI maintenance of a level-triggered SPI (vgic_v3_fold_lr_state). Not for an EOI
 * that only drops the priority (EOImode 1: DIR deactivates), not for an SPI that is not
 * active, not for an edge-triggered one. */
static void test_spi_resample(void **state)
{
    const char *target = target_or_skip(state);
    struct tits x;
    its_setup(&x, target);
    unsigned n = 32 + SPI_PIN;
    t_mmio(&x.t, DIST_BASE + 0x6000 + 8 * n, 8, 1, 0); /* to vCPU 0, level-triggered */
    t_mmio(&x.t, DIST_BASE + 0x400 + n, 1, 1, 0x80);
    t_gicd_w(&x.t, 0x100 + n / 32 * 4, 1u << (n % 32));
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    assert_ok(irqfd_req(x.t.vm, efd, SPI_PIN, KVM_IRQFD_FLAG_RESAMPLE, rfd));
    for (int round = 0; round < 2; round++) { /* the line comes back after each resample */
        kick(efd);
        assert_true(readable_within(&x, 0, 5000));
        assert_int_equal(t_ack(&x.t, 0).intid, n);
        assert_int_equal(resampled(rfd), 0);
        vcpu_req(&x, IOE_VCPU_EOI, n);
        assert_int_equal(resampled(rfd), 1);
        assert_int_equal(t_ack(&x.t, 0).intid, 1023); /* lowered, not pending again */
    }
    vcpu_req(&x, IOE_VCPU_EOI, n); /* not active: no list register, nothing to signal */
    assert_int_equal(resampled(rfd), 0);
    t_sysreg(&x.t, 0, ICC_CTLR, 1, 1u << 1); /* EOImode 1 */
    kick(efd);
    assert_true(readable_within(&x, 0, 5000));
    assert_int_equal(t_ack(&x.t, 0).intid, n);
    vcpu_req(&x, IOE_VCPU_EOI, n);
    assert_int_equal(resampled(rfd), 0);
    vcpu_req(&x, IOE_VCPU_DIR, n);
    assert_int_equal(resampled(rfd), 1);
    t_sysreg(&x.t, 0, ICC_CTLR, 1, 0);
    t_gicd_w(&x.t, 0xc00 + n / 16 * 4, t_gicd_r(&x.t, 0xc00 + n / 16 * 4) | 2u << (n % 16 * 2));
    kick(efd); /* edge-triggered: the line stays up, no EOI maintenance */
    assert_true(readable_within(&x, 0, 5000));
    assert_int_equal(its_take(&x, 0), n);
    assert_int_equal(resampled(rfd), 0);
    assert_ok(irqfd(x.t.vm, efd, SPI_PIN, KVM_IRQFD_FLAG_DEASSIGN)); /* lowers it */
    t_gicd_w(&x.t, 0xc00 + n / 16 * 4, t_gicd_r(&x.t, 0xc00 + n / 16 * 4) & ~(2u << (n % 16 * 2)));
    assert_int_equal(t_ack(&x.t, 0).intid, 1023); /* level again, and the line is down */
    close(efd);
    close(rfd);
    its_close(&x);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    /* the checks are libioe's own: once, on the C model; delivery on every target */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_caps, (void *)"soft"),
        cmocka_unit_test_prestate(test_routing_errors, (void *)"soft"),
        cmocka_unit_test_prestate(test_irqfd_early, (void *)"soft"),
        cmocka_unit_test_prestate(test_irqfd_errors, (void *)"soft"),
        TT_TARGET_TEST(test_msi_delivery),
        TT_TARGET_TEST(test_spi_delivery),
        TT_TARGET_TEST(test_spi_resample),
    };
    return tt_run_tests("irqfd", tests, NULL, NULL);
}
