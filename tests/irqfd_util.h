/*
 * Helpers of the irqfd tests (test_irqfd, test_irqfd_personas): a routing table for
 * KVM_SET_GSI_ROUTING, KVM_IRQFD requests, and an eventfd's signal.
 */
#ifndef IOE_TESTS_IRQFD_UTIL_H
#define IOE_TESTS_IRQFD_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include <ioe/ioe.h>

struct table {
    struct kvm_irq_routing h;
    struct kvm_irq_routing_entry e[4];
};

static inline int set_routing(int vm, struct table *t, uint32_t nr)
{
    t->h.nr = nr;
    return ioe_ioctl(vm, KVM_SET_GSI_ROUTING, t);
}

static inline int irqfd_req(int vm, int fd, uint32_t gsi, uint32_t flags, int resamplefd)
{
    struct kvm_irqfd a = {
        .fd = (uint32_t)fd, .gsi = gsi, .flags = flags, .resamplefd = (uint32_t)resamplefd};
    return ioe_ioctl(vm, KVM_IRQFD, &a);
}

static inline int irqfd(int vm, int fd, uint32_t gsi, uint32_t flags)
{
    return irqfd_req(vm, fd, gsi, flags, -1);
}

/* what a device's interrupt does to its eventfd */
static inline void kick(int efd)
{
    uint64_t one = 1;
    assert_int_equal(write(efd, &one, sizeof(one)), sizeof(one));
}

#endif
