/*
 * KVM_IRQFD and KVM_SET_GSI_ROUTING beyond arm64 (driver/src/irqfd.c; test_irqfd has
 * arm64): what each persona's KVM answers for the capabilities; on ppc64 (book3s with
 * XICS, no routing tables) the eventfd checks in eventfd.c's order, an irqfd that is
 * accepted before any interrupt controller exists, and an eventfd that raises the XICS or
 * XIVE source of its GSI as KVM_IRQ_LINE with level 1 does, on every target; on s390x
 * kvm_set_routing_entry's adapter routes and an eventfd that sets the adapter's indicator
 * and summary bits in guest RAM and queues the adapter interrupt on the FLIC (libioe's,
 * so only on the C model).
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "irqfd_util.h"
#include "xics_util.h"

#include "assert_errno.h"
#include "targets.h"

#define WAIT_MS 5000

static bool readable_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) == 1;
}

/* the injection thread has taken the eventfd's count (it is not readable any more) */
static bool drained_within(int efd, int ms)
{
    for (int i = 0; i < ms; i++) {
        if (!readable_within(efd, 0))
            return true;
        usleep(1000);
    }
    return false;
}

/* the next queue entry, waiting up to ms for the card to write it; -1 when none comes */
static int64_t next_within(struct reader *r, int ms)
{
    int64_t v = rd_next(r);
    for (int i = 0; v < 0 && i < ms; i++) {
        usleep(1000);
        v = rd_next(r);
    }
    return v;
}

static long cap(int fd, long c)
{
    return ioe_ioctl(fd, KVM_CHECK_EXTENSION, c);
}

/* ------------------------------------------------------------------ capabilities */
static void test_caps(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        long irqfd, resample, routing;
    } t[] = {
        {"arm64", 1, 1, 4096},     /* arm.c's own 1 (test_irqfd resamples) */
        {"ppc64", 1, 0, 0},        /* KVM_XICS: no HAVE_KVM_IRQ_ROUTING; !xive_enabled() */
        {"ppc-booke", 1, 1, 4096}, /* KVM_MPIC; !xive_enabled() (test_mpic_api resamples) */
        {"s390x", 1, 1, 4096},     /* HAVE_KVM_IRQ_ROUTING; s390's own RESAMPLE 1 */
        {"x86_64", 1, 1, 4096},    /* x86 answers them without an irqchip too */
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int kvm = ioe_open_host("soft", t[i].host, NULL), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
        assert_true(vm >= 0);
        for (int k = 0; k < 2; k++) {
            int fd = k ? vm : kvm;
            if (cap(fd, KVM_CAP_IRQFD) != t[i].irqfd ||
                cap(fd, KVM_CAP_IRQFD_RESAMPLE) != t[i].resample ||
                cap(fd, KVM_CAP_IRQ_ROUTING) != t[i].routing)
                fail_msg("%s: IRQFD %ld RESAMPLE %ld IRQ_ROUTING %ld", t[i].host,
                         cap(fd, KVM_CAP_IRQFD), cap(fd, KVM_CAP_IRQFD_RESAMPLE),
                         cap(fd, KVM_CAP_IRQ_ROUTING));
        }
        ioe_close(vm);
        ioe_close(kvm);
    }
}

/* x86_64 (no irqchip): a resampling assignment is refused before its descriptors are
 * looked at (kvm_arch_irqfd_allowed) */
static void test_resample_refused(void **state)
{
    (void)state;
    int kvm = ioe_open_host("soft", "x86_64", NULL), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    int efd = eventfd(0, EFD_CLOEXEC);
    assert_err(EINVAL, irqfd_req(vm, -1, 1, KVM_IRQFD_FLAG_RESAMPLE, -1));
    assert_err(EINVAL, irqfd_req(vm, efd, 1, KVM_IRQFD_FLAG_RESAMPLE, efd));
    assert_err(EBADF, irqfd(vm, -1, 1, KVM_IRQFD_FLAG_DEASSIGN));
    close(efd);
    ioe_close(vm);
    ioe_close(kvm);
}

/* ------------------------------------------------------------------ ppc64 */
static void test_ppc64_errors(void **state)
{
    (void)state;
    struct xsvm t;
    ppc_vm_open(&t, "soft", 1); /* no XICS or XIVE device yet */
    int vm = t.vm, efd = eventfd(0, EFD_CLOEXEC), rfd = eventfd(0, EFD_CLOEXEC);
    int devnull = open("/dev/null", O_RDONLY);
    struct kvm_irq_routing routing = {.nr = 0};
    assert_err(ENOTTY, ioe_ioctl(vm, KVM_SET_GSI_ROUTING, &routing)); /* no routing tables */
    assert_err(EFAULT, ioe_ioctl(vm, KVM_IRQFD, (void *)8));
    assert_err(EINVAL, irqfd(vm, efd, 16, 4));
    assert_err(EBADF, irqfd(vm, -1, 16, 0));
    assert_err(EINVAL, irqfd(vm, devnull, 16, 0));
    assert_err(EINVAL, irqfd(vm, t.vcpu[0], 16, 0)); /* libioe's descriptors are not */
    /* the eventfd first, then the resamplefd */
    assert_err(EBADF, irqfd_req(vm, -1, 16, KVM_IRQFD_FLAG_RESAMPLE, devnull));
    assert_err(EBADF, irqfd_req(vm, efd, 16, KVM_IRQFD_FLAG_RESAMPLE, -1));
    assert_err(EINVAL, irqfd_req(vm, efd, 16, KVM_IRQFD_FLAG_RESAMPLE, devnull));
    /* no kvm_arch_intc_initialized on book3s: bound before the device exists */
    assert_ok(irqfd(vm, efd, 16, 0));
    assert_err(EBUSY, irqfd(vm, efd, 17, 0));
    assert_err(EBUSY, irqfd_req(vm, efd, 17, KVM_IRQFD_FLAG_RESAMPLE, rfd));
    int other = eventfd(0, EFD_CLOEXEC);
    assert_ok(irqfd_req(vm, other, 16, KVM_IRQFD_FLAG_RESAMPLE, rfd)); /* accepted, as KVM */
    assert_err(EBADF, irqfd(vm, -1, 16, KVM_IRQFD_FLAG_DEASSIGN));
    assert_err(EINVAL, irqfd(vm, devnull, 16, KVM_IRQFD_FLAG_DEASSIGN));
    assert_ok(irqfd(vm, efd, 17, KVM_IRQFD_FLAG_DEASSIGN)); /* another GSI: nothing */
    assert_err(EBUSY, irqfd(vm, efd, 17, 0));
    assert_ok(irqfd(vm, efd, 16, KVM_IRQFD_FLAG_DEASSIGN));
    assert_ok(irqfd(vm, efd, 17, 0));
    assert_ok(irqfd(vm, other, 16, KVM_IRQFD_FLAG_DEASSIGN));
    close(other);
    close(efd);
    close(rfd);
    close(devnull);
    /* the VM goes with an irqfd bound */
    for (int c = 0; c < t.n; c++)
        ioe_close(t.vcpu[c]);
    ioe_close(t.vm);
    ioe_close(t.kvm);
    assert_int_equal(ioe_mem_free(t.ram), 0);
}

#define XICS_MSI 0x1000u
#define XICS_LSI 0x1001u

static void test_ppc64_xics(void **state)
{
    struct xsvm t;
    ppc_vm_open(&t, *state, 2);
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), lfd = eventfd(0, EFD_CLOEXEC);
    /* bound before the device: a signal then is taken and dropped (kvm_set_irq -ENODEV) */
    assert_ok(irqfd(t.vm, efd, XICS_MSI, 0));
    kick(efd);
    assert_true(drained_within(efd, WAIT_MS));
    xs_create(&t, true);
    assert_ok(xs_set_source(&t, XICS_MSI, xs_state(t.server[1], 5, 0)));
    assert_ok(xs_set_source(&t, XICS_LSI, xs_state(t.server[0], 5, KVM_XICS_LEVEL_SENSITIVE)));
    for (int c = 0; c < 2; c++)
        assert_int_equal(xs_hcall(&t, c, H_CPPR, 0xff, 0, NULL), H_SUCCESS);
    assert_false(xs_readable(&t, 0) || xs_readable(&t, 1));
    /* GSI n is source n: the MSI to vCPU 1, as KVM_IRQ_LINE 1 on it */
    kick(efd);
    assert_true(readable_within(t.vcpu[1], WAIT_MS));
    assert_false(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 1), 0xff000000u | XICS_MSI);
    xs_eoi(&t, 1, 0xff000000u | XICS_MSI);
    assert_false(xs_readable(&t, 1));
    /* an LSI: the wakeup sets level 1 and nothing lowers it, so it comes back after EOI */
    assert_ok(irqfd(t.vm, lfd, XICS_LSI, 0));
    kick(lfd);
    assert_true(readable_within(t.vcpu[0], WAIT_MS));
    assert_int_equal(xs_xirr(&t, 0), 0xff000000u | XICS_LSI);
    xs_eoi(&t, 0, 0xff000000u | XICS_LSI);
    assert_true(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 0), 0xff000000u | XICS_LSI);
    xs_line(&t, XICS_LSI, 0);
    xs_eoi(&t, 0, 0xff000000u | XICS_LSI);
    assert_false(xs_readable(&t, 0));
    /* unbound: nothing */
    assert_ok(irqfd(t.vm, efd, XICS_MSI, KVM_IRQFD_FLAG_DEASSIGN));
    kick(efd);
    assert_false(readable_within(t.vcpu[1], 300));
    /* signalled before it is bound: injected as it is bound */
    assert_ok(irqfd(t.vm, efd, XICS_MSI, 0));
    assert_true(readable_within(t.vcpu[1], WAIT_MS));
    assert_int_equal(xs_xirr(&t, 1), 0xff000000u | XICS_MSI);
    xs_eoi(&t, 1, 0xff000000u | XICS_MSI);
    close(efd);
    close(lfd);
    xs_close(&t);
}

static void test_ppc64_xive(void **state)
{
    struct xvm t;
    xive_open(&t, *state, 1, true);
    assert_ok(xive_eq_set(&t, 0, 5, 1, 0));
    xive_cppr(&t, 0, 0xff);
    struct reader r;
    rd_init(&r, &t, 0, 5, 0, 0);
    assert_ok(xive_source(&t, 4, 0));
    assert_ok(xive_target(&t, 4, t.server[0], 5, 0x44, false));
    xive_esb(&t, 4, true, XIVE_ESB_SET_PQ_00, false);
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), rfd = eventfd(0, EFD_CLOEXEC);
    assert_ok(irqfd(t.vm, efd, 4, 0));
    kick(efd);
    assert_true(readable_within(t.vcpu[0], WAIT_MS));
    assert_int_equal(next_within(&r, WAIT_MS), 0x44);
    assert_int_equal(xive_pq(&t, 4), 2); /* P: forwarded, not yet EOIed */
    /* a resampling irqfd sets level 1 as well; the XIVE host never resamples */
    assert_ok(irqfd(t.vm, efd, 4, KVM_IRQFD_FLAG_DEASSIGN));
    xive_esb(&t, 4, true, XIVE_ESB_SET_PQ_00, false);
    assert_ok(irqfd_req(t.vm, efd, 4, KVM_IRQFD_FLAG_RESAMPLE, rfd));
    kick(efd);
    assert_int_equal(next_within(&r, WAIT_MS), 0x44);
    assert_false(readable_within(rfd, 100));
    assert_ok(irqfd(t.vm, efd, 4, KVM_IRQFD_FLAG_DEASSIGN));
    xive_esb(&t, 4, true, XIVE_ESB_SET_PQ_00, false);
    kick(efd);
    assert_false(drained_within(efd, 300)); /* nobody takes it */
    assert_int_equal(rd_next(&r), -1);
    close(efd);
    close(rfd);
    xive_close(&t);
}

/* ------------------------------------------------------------------ s390x */
#define S390_MB (1ull << 20)
#define IND_GPA 0x1010ull /* indicator bits 16 bytes into a page */
#define SUM_GPA 0x2000ull
#define ADAPTER 3
#define ISC 5

struct s390vm {
    int kvm, vm, vcpu, flic;
    void *raw;
    uint8_t *ram; /* guest 0 .. 1 MiB */
};

static int dev_attr(int fd, uint32_t group, uint64_t a, const void *p)
{
    struct kvm_device_attr d = {.group = group, .attr = a, .addr = (uint64_t)(uintptr_t)p};
    return ioe_ioctl(fd, KVM_SET_DEVICE_ATTR, &d);
}

static void s390_open(struct s390vm *s, bool with_flic)
{
    s->kvm = ioe_open_host("soft", "s390x", NULL);
    assert_true(s->kvm >= 0);
    s->vm = ioe_ioctl(s->kvm, KVM_CREATE_VM, 0);
    s->vcpu = ioe_ioctl(s->vm, KVM_CREATE_VCPU, 0);
    assert_true(s->vm >= 0 && s->vcpu >= 0);
    s->raw = ioe_mem_alloc(2 * S390_MB);
    assert_non_null(s->raw);
    s->ram = (uint8_t *)(((uintptr_t)s->raw + S390_MB - 1) & ~(uintptr_t)(S390_MB - 1));
    memset(s->ram, 0, S390_MB);
    struct kvm_userspace_memory_region m = {.memory_size = S390_MB,
                                            .userspace_addr = (uint64_t)(uintptr_t)s->ram};
    assert_ok(ioe_ioctl(s->vm, KVM_SET_USER_MEMORY_REGION, &m));
    s->flic = -1;
    if (with_flic) {
        struct kvm_create_device cd = {.type = KVM_DEV_TYPE_FLIC};
        assert_ok(ioe_ioctl(s->vm, KVM_CREATE_DEVICE, &cd));
        s->flic = (int)cd.fd;
    }
}

static void s390_close(struct s390vm *s)
{
    if (s->flic >= 0)
        ioe_close(s->flic);
    ioe_close(s->vcpu);
    ioe_close(s->vm);
    ioe_close(s->kvm);
    assert_int_equal(ioe_mem_free(s->raw), 0);
}

static struct kvm_irq_routing_entry adapter_route(uint32_t gsi, uint64_t ind, uint64_t ind_off,
                                                  uint64_t sum, uint32_t sum_off)
{
    return (struct kvm_irq_routing_entry){.gsi = gsi,
                                          .type = KVM_IRQ_ROUTING_S390_ADAPTER,
                                          .u.adapter = {.ind_addr = ind,
                                                        .summary_addr = sum,
                                                        .ind_offset = ind_off,
                                                        .summary_offset = sum_off,
                                                        .adapter_id = ADAPTER}};
}

static void test_s390_routing(void **state)
{
    (void)state;
    struct s390vm s;
    s390_open(&s, false);
    struct table t = {0};
    assert_err(EFAULT, ioe_ioctl(s.vm, KVM_SET_GSI_ROUTING, (void *)8));
    t.h.flags = 1;
    assert_err(EINVAL, set_routing(s.vm, &t, 0));
    t.h.flags = 0;
    assert_err(EINVAL, set_routing(s.vm, &t, 4097));
    t.e[0] = adapter_route(4096, IND_GPA, 0, SUM_GPA, 0);
    assert_err(EINVAL, set_routing(s.vm, &t, 1)); /* GSI >= KVM_MAX_IRQ_ROUTES */
    t.e[0] = adapter_route(1, IND_GPA, 0, SUM_GPA, 0);
    t.e[0].flags = KVM_MSI_VALID_DEVID;
    assert_err(EINVAL, set_routing(s.vm, &t, 1)); /* flags on a non-MSI route */
    t.e[0] = (struct kvm_irq_routing_entry){.gsi = 1, .type = KVM_IRQ_ROUTING_MSI};
    assert_err(EINVAL, set_routing(s.vm, &t, 1)); /* s390 routes adapters only */
    t.e[0] = (struct kvm_irq_routing_entry){.gsi = 1, .type = KVM_IRQ_ROUTING_IRQCHIP};
    assert_err(EINVAL, set_routing(s.vm, &t, 1));
    /* the bits must lie in the page of their address */
    t.e[0] = adapter_route(1, IND_GPA, 0, SUM_GPA, 4096 * 8);
    assert_err(EINVAL, set_routing(s.vm, &t, 1));
    t.e[0] = adapter_route(1, 0x1fff, 8, SUM_GPA, 0);
    assert_err(EINVAL, set_routing(s.vm, &t, 1));
    t.e[0] = adapter_route(1, 0x1fff, 7, SUM_GPA, 4096 * 8 - 1);
    assert_ok(set_routing(s.vm, &t, 1));
    /* ... in guest RAM (gpa_to_hva) */
    t.e[0] = adapter_route(1, IND_GPA, 0, S390_MB, 0);
    assert_err(EFAULT, set_routing(s.vm, &t, 1));
    t.e[0] = adapter_route(1, S390_MB + 8, 0, SUM_GPA, 0);
    assert_err(EFAULT, set_routing(s.vm, &t, 1));
    /* one adapter route per GSI */
    t.e[0] = adapter_route(1, IND_GPA, 0, SUM_GPA, 0);
    t.e[1] = adapter_route(1, IND_GPA, 1, SUM_GPA, 0);
    assert_err(EINVAL, set_routing(s.vm, &t, 2));
    t.e[1].gsi = 2;
    assert_ok(set_routing(s.vm, &t, 2));
    assert_ok(set_routing(s.vm, &t, 0));
    /* KVM_IRQFD: no kvm_arch_intc_initialized, resampling allowed */
    int efd = eventfd(0, EFD_CLOEXEC), rfd = eventfd(0, EFD_CLOEXEC);
    assert_err(EINVAL, irqfd(s.vm, efd, 1, 8));
    assert_err(EBADF, irqfd_req(s.vm, efd, 1, KVM_IRQFD_FLAG_RESAMPLE, -1));
    assert_ok(irqfd_req(s.vm, efd, 1, KVM_IRQFD_FLAG_RESAMPLE, rfd));
    assert_err(EBUSY, irqfd(s.vm, efd, 2, 0));
    assert_ok(irqfd(s.vm, efd, 1, KVM_IRQFD_FLAG_DEASSIGN));
    close(efd);
    close(rfd);
    s390_close(&s);
}

/* the FLIC's floating interrupts: n I/O interrupts of the adapter's ISC expected */
static void expect_airqs(struct s390vm *s, int n)
{
    struct kvm_s390_irq buf[4];
    struct kvm_device_attr d = {
        .group = KVM_DEV_FLIC_GET_ALL_IRQS, .attr = sizeof(buf), .addr = (uint64_t)(uintptr_t)buf};
    int got = ioe_ioctl(s->flic, KVM_GET_DEVICE_ATTR, &d);
    assert_int_equal(got, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(buf[i].type, KVM_S390_INT_IO(1, 0, 0, 0));
        assert_int_equal(buf[i].u.io.io_int_word, 0x80000000u | ISC << 27);
    }
}

static void test_s390_delivery(void **state)
{
    (void)state;
    struct s390vm s;
    s390_open(&s, true);
    struct kvm_s390_io_adapter ad = {.id = ADAPTER, .isc = ISC, .maskable = 1, .swap = 1};
    assert_ok(dev_attr(s.flic, KVM_DEV_FLIC_ADAPTER_REGISTER, 0, &ad));
    struct table t = {0};
    t.e[0] = adapter_route(7, IND_GPA, 10, SUM_GPA, 3);
    assert_ok(set_routing(s.vm, &t, 1));
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    assert_ok(irqfd(s.vm, efd, 7, 0));
    expect_airqs(&s, 0);
    kick(efd);
    assert_true(drained_within(efd, WAIT_MS));
    /* the thread injects under the API lock it took before reading the eventfd: a request
     * waits for it, so the FLIC first, then guest RAM */
    expect_airqs(&s, 1);
    /* swap: bit n is byte n / 8, mask 0x80 >> n % 8 (s390's bit numbering) */
    assert_int_equal(s.ram[IND_GPA + 1], 0x20);
    assert_int_equal(s.ram[SUM_GPA], 0x10);
    /* the summary bit already set: the indicators only */
    s.ram[IND_GPA + 1] = 0;
    kick(efd);
    assert_true(drained_within(efd, WAIT_MS));
    expect_airqs(&s, 1);
    assert_int_equal(s.ram[IND_GPA + 1], 0x20);
    /* the guest cleared the summary: another interrupt */
    s.ram[SUM_GPA] = 0;
    kick(efd);
    assert_true(drained_within(efd, WAIT_MS));
    expect_airqs(&s, 2);
    /* a masked adapter: the bits, no interrupt */
    struct kvm_s390_io_adapter_req mask = {
        .id = ADAPTER, .type = KVM_S390_IO_ADAPTER_MASK, .mask = 1};
    assert_ok(dev_attr(s.flic, KVM_DEV_FLIC_ADAPTER_MODIFY, 0, &mask));
    s.ram[SUM_GPA] = 0;
    kick(efd);
    assert_true(drained_within(efd, WAIT_MS));
    expect_airqs(&s, 2);
    assert_int_equal(s.ram[SUM_GPA], 0x10);
    /* another adapter without swap: set_bit on a big-endian long */
    struct kvm_s390_io_adapter ad2 = {.id = ADAPTER + 1, .isc = ISC};
    assert_ok(dev_attr(s.flic, KVM_DEV_FLIC_ADAPTER_REGISTER, 0, &ad2));
    t.e[0] = adapter_route(7, IND_GPA, 10, SUM_GPA + 0x100, 3);
    t.e[0].u.adapter.adapter_id = ADAPTER + 1;
    assert_ok(set_routing(s.vm, &t, 1));
    memset(s.ram + IND_GPA, 0, 16);
    kick(efd);
    assert_true(drained_within(efd, WAIT_MS));
    expect_airqs(&s, 3);
    assert_int_equal(s.ram[IND_GPA + 6], 0x04); /* bit 10: byte 7 - 1, mask 1 << 2 */
    assert_int_equal(s.ram[SUM_GPA + 0x100 + 7], 0x08);
    /* indicators in a slot whose memory the VMM unmapped: dropped, as get_map_page fails */
    uint8_t *gone =
        mmap(NULL, 2 * S390_MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(gone != MAP_FAILED);
    uint8_t *seg = (uint8_t *)(((uintptr_t)gone + S390_MB - 1) & ~(uintptr_t)(S390_MB - 1));
    struct kvm_userspace_memory_region m1 = {.slot = 1,
                                             .guest_phys_addr = S390_MB,
                                             .memory_size = S390_MB,
                                             .userspace_addr = (uint64_t)(uintptr_t)seg};
    assert_ok(ioe_ioctl(s.vm, KVM_SET_USER_MEMORY_REGION, &m1));
    t.e[0] = adapter_route(7, S390_MB + 0x10, 0, SUM_GPA + 0x200, 0);
    t.e[0].u.adapter.adapter_id = ADAPTER + 1;
    assert_ok(set_routing(s.vm, &t, 1));
    assert_int_equal(munmap(gone, 2 * S390_MB), 0);
    kick(efd);
    assert_true(drained_within(efd, WAIT_MS));
    expect_airqs(&s, 3);
    assert_int_equal(s.ram[SUM_GPA + 0x200], 0); /* the indicator first: nothing set */
    /* no route, an unknown adapter, an unbound eventfd: nothing */
    t.e[0].u.adapter.adapter_id = 9;
    assert_ok(set_routing(s.vm, &t, 1));
    kick(efd);
    assert_true(drained_within(efd, WAIT_MS));
    assert_ok(set_routing(s.vm, &t, 0));
    kick(efd);
    assert_true(drained_within(efd, WAIT_MS));
    assert_ok(irqfd(s.vm, efd, 7, KVM_IRQFD_FLAG_DEASSIGN));
    kick(efd);
    assert_false(drained_within(efd, 300));
    expect_airqs(&s, 3);
    close(efd);
    s390_close(&s);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    /* libioe's checks and the FLIC (libioe's own) on the C model; the card's sources on
     * every target */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caps),          cmocka_unit_test(test_resample_refused),
        cmocka_unit_test(test_ppc64_errors),  TT_TARGET_TEST(test_ppc64_xics),
        TT_TARGET_TEST(test_ppc64_xive),      cmocka_unit_test(test_s390_routing),
        cmocka_unit_test(test_s390_delivery),
    };
    return tt_run_tests("irqfd_personas", tests, NULL, NULL);
}
