/*
 * Helpers of the FSL MPIC tests (test_mpic_api, test_mpic_diff): a ppc-booke VM with an
 * MPIC and its vCPUs, the MPIC's register map, attribute and guest accesses.
 */
#ifndef IOE_TEST_MPIC_UTIL_H
#define IOE_TEST_MPIC_UTIL_H

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "assert_errno.h"

#define BASE 0xe0040000ull /* QEMU e500: CCSR 0xe0000000 + MPIC offset 0x40000 */
#define NR_VCPUS 2
#define MASK 0x80000000u
#define ACT 0x40000000u
#define SENSE 0x00400000u
#define PRIO(p) ((uint32_t)(p) << 16)
#define SRC(n) (0x10000u + (n)*0x20u)
#define CPU(c, r) (0x20000u + (c)*0x1000u + (r))
#define IPIDR(k) (0x40u + (k)*0x10u)
#define CTPR 0x80u
#define WHOAMI 0x90u
#define IACK 0xa0u
#define EOI 0xb0u

struct vmf {
    int kvm, vm, mpic, vcpu[NR_VCPUS];
    uint32_t type;
};

static inline int attr(int fd, unsigned long req, uint32_t group, uint64_t a, const void *p)
{
    struct kvm_device_attr d = {.group = group, .attr = a, .addr = (uint64_t)(uintptr_t)p};
    return ioe_ioctl(fd, req, &d);
}
#define SET(fd, g, a, p) attr(fd, KVM_SET_DEVICE_ATTR, g, a, p)
#define GET(fd, g, a, p) attr(fd, KVM_GET_DEVICE_ATTR, g, a, p)
#define HAS(fd, g, a) attr(fd, KVM_HAS_DEVICE_ATTR, g, a, NULL)

static inline int enable_mpic(int vcpu, int fd, uint64_t cpu)
{
    struct kvm_enable_cap cap = {.cap = KVM_CAP_IRQ_MPIC, .args = {(uint64_t)fd, cpu}};
    return ioe_ioctl(vcpu, KVM_ENABLE_CAP, &cap);
}

/* KVM_SET_GSI_ROUTING with n entries */
static inline int set_routes(int vm, const struct kvm_irq_routing_entry *e, uint32_t n)
{
    static struct {
        struct kvm_irq_routing r;
        struct kvm_irq_routing_entry e[300];
    } t;
    memset(&t, 0, sizeof(t));
    t.r.nr = n;
    if (n)
        memcpy(t.e, e, n * sizeof(*e));
    return ioe_ioctl(vm, KVM_SET_GSI_ROUTING, &t);
}

static inline struct kvm_irq_routing_entry pin_route(uint32_t gsi, uint32_t pin)
{
    struct kvm_irq_routing_entry e = {.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP};
    e.u.irqchip.pin = pin;
    return e;
}

/* QEMU's e500 routing: GSI i is pin i of irqchip 0 */
static inline void identity_routes(int vm)
{
    struct kvm_irq_routing_entry e[256];
    for (uint32_t i = 0; i < 256; i++)
        e[i] = pin_route(i, i);
    assert_ok(set_routes(vm, e, 256));
}

/* a ppc-booke VM with NR_VCPUS vCPUs and an MPIC; `connect`: at BASE, vCPU i is CPU i, and
 * QEMU's routes */
static inline struct vmf open_vm(const char *target, uint32_t type, bool connect)
{
    struct vmf f = {.type = type};
    f.kvm = ioe_open_host(target, "ppc-booke", NULL);
    if (f.kvm < 0)
        fail_msg("ioe_open_host(%s, ppc-booke): %s", target, ioe_last_error());
    f.vm = ioe_ioctl(f.kvm, KVM_CREATE_VM, 0);
    assert_true(f.vm >= 0);
    struct kvm_create_device cd = {.type = type};
    assert_ok(ioe_ioctl(f.vm, KVM_CREATE_DEVICE, &cd));
    f.mpic = (int)cd.fd;
    for (int i = 0; i < NR_VCPUS; i++) {
        f.vcpu[i] = ioe_ioctl(f.vm, KVM_CREATE_VCPU, i);
        assert_true(f.vcpu[i] >= 0);
    }
    if (connect) {
        uint64_t base = BASE;
        assert_ok(SET(f.mpic, KVM_DEV_MPIC_GRP_MISC, KVM_DEV_MPIC_BASE_ADDR, &base));
        for (int i = 0; i < NR_VCPUS; i++)
            assert_ok(enable_mpic(f.vcpu[i], f.mpic, (uint64_t)i));
        identity_routes(f.vm);
    }
    return f;
}

static inline void close_vm(struct vmf *f)
{
    for (int i = 0; i < NR_VCPUS; i++)
        ioe_close(f->vcpu[i]);
    ioe_close(f->mpic);
    ioe_close(f->vm);
    ioe_close(f->kvm);
}

static inline uint32_t rd(const struct vmf *f, uint64_t off)
{
    uint32_t v = 0xdeadbeef;
    assert_ok(GET(f->mpic, KVM_DEV_MPIC_GRP_REGISTER, off, &v));
    return v;
}

static inline void wr(const struct vmf *f, uint64_t off, uint32_t v)
{
    assert_ok(SET(f->mpic, KVM_DEV_MPIC_GRP_REGISTER, off, &v));
}

/* a guest access through IOE_MMIO on the VM descriptor; the error or 0 */
static inline int mmio(const struct vmf *f, uint64_t off, uint32_t len, bool write, uint64_t *data)
{
    struct ioe_mmio m = {.gpa = BASE + off, .len = len, .is_write = write, .data = *data};
    int r = ioe_ioctl(f->vm, IOE_MMIO, &m);
    *data = m.data;
    return r < 0 ? errno : 0;
}

static inline uint32_t grd(const struct vmf *f, uint64_t off)
{
    uint64_t v = 0;
    assert_int_equal(mmio(f, off, 4, false, &v), 0);
    return (uint32_t)v;
}

static inline void gwr(const struct vmf *f, uint64_t off, uint32_t val)
{
    uint64_t v = val;
    assert_int_equal(mmio(f, off, 4, true, &v), 0);
}

static inline uint32_t active(const struct vmf *f, uint64_t n)
{
    uint32_t v = 0xdeadbeef;
    assert_ok(GET(f->mpic, KVM_DEV_MPIC_GRP_IRQ_ACTIVE, n, &v));
    return v;
}

static inline void line(const struct vmf *f, uint32_t irq, uint32_t level)
{
    struct kvm_irq_level l = {.irq = irq, .level = level};
    assert_ok(ioe_ioctl(f->vm, KVM_IRQ_LINE, &l));
}

static inline bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

/* source n: vector, priority, unmasked, edge or level, to the CPUs in dest */
static inline void setup_src(const struct vmf *f, unsigned n, uint32_t vec, unsigned prio,
                             bool level, uint32_t dest)
{
    gwr(f, SRC(n) + 0x10, dest);
    gwr(f, SRC(n), vec | PRIO(prio) | (level ? SENSE : 0));
}

static inline void *bad_ptr(void)
{
    void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    return p;
}

#endif
