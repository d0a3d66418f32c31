/*
 * Helpers of the XIVE API tests (test_xive_api, test_xive_migrate; the VM and attribute
 * shorthands also serve the XICS tests): a VM with guest RAM,
 * vCPUs connected to a KVM_DEV_TYPE_XIVE device, attribute and ESB/TIMA shorthands, and
 * a guest-OS-style event queue reader (generation bit, index wrap, toggle flip).
 */
#ifndef IOE_TESTS_XIVE_UTIL_H
#define IOE_TESTS_XIVE_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "assert_errno.h"

#define XV_MAX 8
#define RAM_GPA 0x40000000ull
#define RAM_SIZE (8ull << 20)
#define EQ_BYTES 0x10000u
#define EQ_ENTRIES (EQ_BYTES / 4)
#define BAD_PTR ((void *)8)

struct xvm {
    const char *target;
    int kvm, vm, dev, n;
    int vcpu[XV_MAX];
    uint32_t server[XV_MAX];
    uint8_t *ram;
};

static inline int xattr(int fd, unsigned long req, uint32_t group, uint64_t attr, const void *addr)
{
    struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)addr};
    return ioe_ioctl(fd, req, &a);
}

static inline int xive_connect(struct xvm *t, int c, int devfd, uint64_t server)
{
    struct kvm_enable_cap cap = {.cap = KVM_CAP_PPC_IRQ_XIVE};
    cap.args[0] = (uint64_t)devfd;
    cap.args[1] = server;
    return ioe_ioctl(t->vcpu[c], KVM_ENABLE_CAP, &cap);
}

/* the card options ppc_vm_open opens its cards with (a test may set them first) */
static struct ioe_card_options xv_card_opts;

/* A ppc64 VM on `target` with guest RAM and n vCPUs (ids 0..n-1), server 3c + 1 for vCPU c
 * (KVM servers are not the card's indexes); no interrupt controller yet. */
static inline void ppc_vm_open(struct xvm *t, const char *target, int n)
{
    memset(t, 0, sizeof(*t));
    t->target = target;
    t->n = n;
    t->kvm = ioe_open_host(target, "ppc64", &xv_card_opts);
    assert_true(t->kvm >= 0);
    t->vm = ioe_ioctl(t->kvm, KVM_CREATE_VM, 0);
    assert_true(t->vm >= 0);
    t->ram = ioe_mem_alloc(RAM_SIZE); /* every target reaches it, out of process too */
    assert_non_null(t->ram);
    struct kvm_userspace_memory_region m = {.slot = 0,
                                            .guest_phys_addr = RAM_GPA,
                                            .memory_size = RAM_SIZE,
                                            .userspace_addr = (uint64_t)(uintptr_t)t->ram};
    assert_ok(ioe_ioctl(t->vm, KVM_SET_USER_MEMORY_REGION, &m));
    for (int c = 0; c < n; c++) {
        t->vcpu[c] = ioe_ioctl(t->vm, KVM_CREATE_VCPU, c);
        assert_true(t->vcpu[c] >= 0);
        t->server[c] = 3u * (uint32_t)c + 1;
    }
}

/* ppc_vm_open with a XIVE device, and (connect) vCPU c connected as server 3c + 1 */
static inline void xive_open(struct xvm *t, const char *target, int n, bool connect)
{
    ppc_vm_open(t, target, n);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_XIVE};
    assert_ok(ioe_ioctl(t->vm, KVM_CREATE_DEVICE, &cd));
    t->dev = (int)cd.fd;
    if (connect)
        for (int c = 0; c < n; c++)
            assert_ok(xive_connect(t, c, t->dev, t->server[c]));
}

static inline void xive_close(struct xvm *t)
{
    for (int c = 0; c < t->n; c++)
        ioe_close(t->vcpu[c]);
    ioe_close(t->dev);
    ioe_close(t->vm);
    ioe_close(t->kvm);
    assert_int_equal(ioe_mem_free(t->ram), 0);
}

/* the guest address of the queue of (vCPU c, priority p) */
static inline uint64_t q_gpa(int c, unsigned p)
{
    return RAM_GPA + ((uint64_t)c * 8 + p) * EQ_BYTES;
}

static inline uint64_t eq_id(uint32_t server, unsigned prio)
{
    return (uint64_t)server << KVM_XIVE_EQ_SERVER_SHIFT | prio;
}

static inline int xive_eq_set(struct xvm *t, int c, unsigned p, uint32_t toggle, uint32_t index)
{
    struct kvm_ppc_xive_eq eq = {.flags = KVM_XIVE_EQ_ALWAYS_NOTIFY,
                                 .qshift = 16,
                                 .qaddr = q_gpa(c, p),
                                 .qtoggle = toggle,
                                 .qindex = index};
    return xattr(t->dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(t->server[c], p),
                 &eq);
}

static inline struct kvm_ppc_xive_eq xive_eq_get(struct xvm *t, int c, unsigned p)
{
    struct kvm_ppc_xive_eq eq;
    memset(&eq, 0, sizeof(eq));
    assert_ok(xattr(t->dev, KVM_GET_DEVICE_ATTR, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(t->server[c], p),
                    &eq));
    return eq;
}

static inline int xive_source(struct xvm *t, uint32_t irq, uint64_t flags)
{
    return xattr(t->dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XIVE_GRP_SOURCE, irq, &flags);
}

static inline uint64_t src_cfg(uint32_t server, unsigned prio, uint32_t eisn, bool masked)
{
    return prio | (uint64_t)server << KVM_XIVE_SOURCE_SERVER_SHIFT |
           (uint64_t)masked << KVM_XIVE_SOURCE_MASKED_SHIFT |
           (uint64_t)eisn << KVM_XIVE_SOURCE_EISN_SHIFT;
}

static inline int xive_target(struct xvm *t, uint32_t irq, uint32_t server, unsigned prio,
                              uint32_t eisn, bool masked)
{
    uint64_t v = src_cfg(server, prio, eisn, masked);
    return xattr(t->dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, irq, &v);
}

/* ESB access: mgmt selects the EOI/management page */
static inline uint64_t xive_esb(struct xvm *t, uint32_t irq, bool mgmt, uint32_t off, bool store)
{
    struct ioe_xive_esb e = {.page = 2ull * irq + mgmt, .offset = off, .is_store = store};
    assert_ok(ioe_ioctl(t->dev, IOE_XIVE_ESB, &e));
    return e.data;
}

static inline unsigned xive_pq(struct xvm *t, uint32_t irq)
{
    return (unsigned)xive_esb(t, irq, true, XIVE_ESB_GET, false);
}

static inline void xive_trigger(struct xvm *t, uint32_t irq)
{
    xive_esb(t, irq, false, 0, true);
}

static inline uint64_t xive_tima(struct xvm *t, int c, uint32_t off, uint8_t len, bool store,
                                 uint64_t data)
{
    struct ioe_xive_tima m = {.offset = off, .len = len, .is_store = store, .data = data};
    assert_ok(ioe_ioctl(t->vcpu[c], IOE_XIVE_TIMA, &m));
    return m.data;
}

static inline void xive_cppr(struct xvm *t, int c, uint8_t cppr)
{
    xive_tima(t, c, TM_QW1_OS + TM_CPPR, 1, true, cppr);
}

/* the OS ring bytes NSR .. PIPR as a big-endian number */
static inline uint64_t xive_qw1(struct xvm *t, int c)
{
    return xive_tima(t, c, TM_QW1_OS, 8, false, 0);
}

static inline bool xive_readable(struct xvm *t, int c)
{
    struct pollfd p = {.fd = t->vcpu[c], .events = POLLIN};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* ---- the guest's reader of one queue (Linux's xive_read_eq) */
struct reader {
    const uint8_t *q;
    uint32_t idx, toggle, mask;
};

static inline void rd_init(struct reader *r, struct xvm *t, int c, unsigned p, uint32_t idx,
                           uint32_t toggle)
{
    r->q = t->ram + (q_gpa(c, p) - RAM_GPA);
    r->idx = idx;
    r->toggle = toggle;
    r->mask = EQ_ENTRIES - 1;
}

static inline uint32_t eq_word(const uint8_t *q, uint32_t idx)
{
    const uint8_t *b = q + 4 * idx;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Queue memory as a writer at (index, generation) leaves it: the entries before index carry
 * the generation, the others the previous one (what a queue restored mid-lap holds). */
static inline void q_prefill(struct xvm *t, int c, unsigned p, uint32_t index, uint32_t gen)
{
    uint8_t *q = t->ram + (q_gpa(c, p) - RAM_GPA);
    for (uint32_t i = 0; i < EQ_ENTRIES; i++) {
        memset(q + 4 * i, 0, 4);
        q[4 * i] = (uint8_t)(((i < index) ? gen : !gen) << 7);
    }
}

/* next payload, or -1 when the queue is empty */
static inline int64_t rd_next(struct reader *r)
{
    uint32_t w = eq_word(r->q, r->idx);
    if (w >> 31 == r->toggle)
        return -1;
    r->idx = (r->idx + 1) & r->mask;
    if (!r->idx)
        r->toggle ^= 1;
    return w & 0x7fffffff;
}

#endif
