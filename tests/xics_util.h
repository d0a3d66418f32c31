/*
 * Helpers of the XICS tests (test_xics_api, test_xics_diff): a ppc64 VM with vCPUs
 * connected to a KVM_DEV_TYPE_XICS device as QEMU's pseries machine does, source and ICP
 * state shorthands, and the guest's XICS hcalls through IOE_PPC_HCALL.
 */
#ifndef IOE_TESTS_XICS_UTIL_H
#define IOE_TESTS_XICS_UTIL_H

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "assert_errno.h"
#include "xive_util.h"

#define xsvm xvm /* tests/xive_util.h: the VM, its vCPUs and the device */
#define xs_attr xattr

static inline int xs_connect(struct xsvm *t, int c, int devfd, uint64_t server)
{
    struct kvm_enable_cap cap = {.cap = KVM_CAP_IRQ_XICS};
    cap.args[0] = (uint64_t)devfd;
    cap.args[1] = server;
    return ioe_ioctl(t->vcpu[c], KVM_ENABLE_CAP, &cap);
}

/* a XICS device on t's VM; with connect, NR_SERVERS (as QEMU, before connecting) and
 * vCPU c connected as server 3c + 1. */
static inline void xs_create(struct xsvm *t, bool connect)
{
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_XICS};
    assert_ok(ioe_ioctl(t->vm, KVM_CREATE_DEVICE, &cd));
    t->dev = (int)cd.fd;
    uint32_t nr = 3u * (uint32_t)t->n + 1;
    if (connect)
        assert_ok(xs_attr(t->dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XICS_GRP_CTRL,
                          KVM_DEV_XICS_NR_SERVERS, &nr));
    for (int c = 0; connect && c < t->n; c++)
        assert_ok(xs_connect(t, c, t->dev, t->server[c]));
}

/* ppc_vm_open with xs_create */
static inline void xs_open(struct xsvm *t, const char *target, int n, bool connect)
{
    ppc_vm_open(t, target, n);
    xs_create(t, connect);
}

#define xs_close xive_close

/* the 64-bit XICS source state */
static inline uint64_t xs_state(uint32_t server, uint8_t prio, uint64_t flags)
{
    return server | (uint64_t)prio << KVM_XICS_PRIORITY_SHIFT | flags;
}

static inline int xs_set_source(struct xsvm *t, uint64_t irq, uint64_t val)
{
    return xs_attr(t->dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, irq, &val);
}

static inline uint64_t xs_get_source(struct xsvm *t, uint64_t irq)
{
    uint64_t v = 0;
    assert_ok(xs_attr(t->dev, KVM_GET_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, irq, &v));
    return v;
}

/* QEMU's save of the sources first .. first + n - 1 (every valid source of the VM) */
static inline void xs_save(struct xsvm *t, uint32_t first, int n, uint64_t *out)
{
    for (int i = 0; i < n; i++)
        out[i] = xs_get_source(t, first + (uint32_t)i);
}

static inline int xs_icp(struct xsvm *t, int c, unsigned long req, uint64_t *val)
{
    struct kvm_one_reg r = {.id = KVM_REG_PPC_ICP_STATE, .addr = (uint64_t)(uintptr_t)val};
    return ioe_ioctl(t->vcpu[c], req, &r);
}

static inline uint64_t xs_icp_get(struct xsvm *t, int c)
{
    uint64_t v = 0;
    assert_ok(xs_icp(t, c, KVM_GET_ONE_REG, &v));
    return v;
}

/* the hcall's r3; r4.. in rets (may be NULL) */
static inline int64_t xs_hcall(struct xsvm *t, int c, uint64_t nr, uint64_t a0, uint64_t a1,
                               uint64_t *rets)
{
    struct ioe_ppc_hcall h = {.nr = nr, .args = {a0, a1}};
    assert_ok(ioe_ioctl(t->vcpu[c], IOE_PPC_HCALL, &h));
    if (rets)
        memcpy(rets, h.rets, sizeof(h.rets));
    return (int64_t)h.ret;
}

/* H_XIRR: the XIRR (old CPPR << 24 | XISR) */
static inline uint32_t xs_xirr(struct xsvm *t, int c)
{
    uint64_t r[9];
    assert_int_equal(xs_hcall(t, c, H_XIRR, 0, 0, r), H_SUCCESS);
    return (uint32_t)r[0];
}

static inline void xs_eoi(struct xsvm *t, int c, uint32_t xirr)
{
    assert_int_equal(xs_hcall(t, c, H_EOI, xirr, 0, NULL), H_SUCCESS);
}

static inline void xs_line(struct xsvm *t, uint32_t irq, uint32_t level)
{
    struct kvm_irq_level l = {.irq = irq, .level = level};
    assert_ok(ioe_ioctl(t->vm, KVM_IRQ_LINE, &l));
}

#define xs_readable xive_readable

/* ---- the guest's RTAS calls (in-kernel RTAS) */
#define RTAS_GPA (RAM_GPA + 0x100000) /* struct rtas_args in guest RAM */

static inline int xs_define_token(struct xsvm *t, const char *name, uint64_t token)
{
    struct kvm_rtas_token_args a = {.token = token};
    strncpy(a.name, name, sizeof(a.name) - 1);
    return ioe_ioctl(t->vm, KVM_PPC_RTAS_DEFINE_TOKEN, &a);
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* the guest's RTAS call: H_RTAS's r3, with rets[] from the guest's struct rtas_args */
static inline int64_t xs_rtas(struct xsvm *t, int c, uint32_t token, uint32_t nargs, uint32_t nret,
                              const uint32_t *args, uint32_t *rets)
{
    uint8_t *a = t->ram + (RTAS_GPA - RAM_GPA);
    memset(a, 0, 88);
    put_be32(a, token);
    put_be32(a + 4, nargs);
    put_be32(a + 8, nret);
    for (uint32_t i = 0; i < nargs; i++)
        put_be32(a + 12 + 4 * i, args[i]);
    int64_t r = xs_hcall(t, c, H_RTAS, RTAS_GPA | 0xc000000000000000ull, 0, NULL);
    for (uint32_t i = 0; i < nret; i++)
        rets[i] = get_be32(a + 12 + 4 * (nargs + i));
    return r;
}

#endif
