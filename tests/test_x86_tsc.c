/*
 * The x86_64 persona's TSC and kvmclock requests: the rows of KVM_VCPU_TSC_CTRL,
 * KVM_GET/SET_CLOCK and KVM_GET_TSC_KHZ, and the migration algorithm of
 * Documentation/virt/kvm/devices/vcpu.rst (section 4.1) walked from a VM on one target to a
 * VM on another (every ordered pair of IOE_TEST_TARGETS), with a pause in between that
 * the guest's TSC and kvmclock must account for.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "assert_errno.h"
#include "targets.h"

#define BAD_PTR ((void *)(uintptr_t)8)
#define PAUSE_NS 20000000ull /* the migration's pause: 20 ms */

struct xvm {
    int kvm, vm, vcpu[2];
};

static void xvm_open(struct xvm *x, const char *target)
{
    assert_true((x->kvm = ioe_open_host(target, "x86_64", NULL)) >= 0);
    assert_true((x->vm = ioe_ioctl(x->kvm, KVM_CREATE_VM, 0)) >= 0);
    for (int i = 0; i < 2; i++)
        assert_true((x->vcpu[i] = ioe_ioctl(x->vm, KVM_CREATE_VCPU, i)) >= 0);
}

static void xvm_close(struct xvm *x)
{
    for (int i = 0; i < 2; i++)
        assert_ok(ioe_close(x->vcpu[i]));
    assert_ok(ioe_close(x->vm));
    assert_ok(ioe_close(x->kvm));
}

static int tsc_attr(int vcpu, unsigned long req, uint32_t group, uint64_t attr, void *p)
{
    struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uintptr_t)p};
    return ioe_ioctl(vcpu, req, &a);
}

static uint64_t get_ofs(int vcpu)
{
    uint64_t v;
    assert_ok(tsc_attr(vcpu, KVM_GET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET, &v));
    return v;
}

static void set_ofs(int vcpu, uint64_t v)
{
    assert_ok(tsc_attr(vcpu, KVM_SET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET, &v));
}

static struct kvm_clock_data get_clock(int vm)
{
    struct kvm_clock_data d;
    memset(&d, 0, sizeof(d));
    assert_ok(ioe_ioctl(vm, KVM_GET_CLOCK, &d));
    return d;
}

static void test_rows(void **state)
{
    struct xvm x;
    xvm_open(&x, *state);
    uint64_t v = 0;
    const unsigned long G = KVM_GET_DEVICE_ATTR, S = KVM_SET_DEVICE_ATTR, H = KVM_HAS_DEVICE_ATTR;
    assert_int_equal(ioe_ioctl(x.kvm, KVM_CHECK_EXTENSION, KVM_CAP_GET_TSC_KHZ), 1);
    assert_int_equal(ioe_ioctl(x.kvm, KVM_CHECK_EXTENSION, KVM_CAP_ADJUST_CLOCK),
                     KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC);
    assert_ok(tsc_attr(x.vcpu[0], H, KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET, NULL));
    assert_err(ENXIO, tsc_attr(x.vcpu[0], H, KVM_VCPU_TSC_CTRL, 1, NULL));
    assert_err(ENXIO, tsc_attr(x.vcpu[0], H, 1, KVM_VCPU_TSC_OFFSET, NULL));
    assert_err(ENXIO, tsc_attr(x.vcpu[0], G, KVM_VCPU_TSC_CTRL, 1, &v));
    assert_err(ENXIO, tsc_attr(x.vcpu[0], S, 1, 0, &v));
    assert_err(EFAULT, ioe_ioctl(x.vcpu[0], S, BAD_PTR));
    assert_err(EFAULT, tsc_attr(x.vcpu[0], S, KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET, BAD_PTR));
    assert_err(EFAULT, tsc_attr(x.vcpu[0], G, KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET, BAD_PTR));
    assert_int_equal(get_ofs(x.vcpu[0]), 0);
    set_ofs(x.vcpu[0], 0xfffffff000000000ull);
    assert_int_equal(get_ofs(x.vcpu[0]), 0xfffffff000000000ull);
    assert_int_equal(get_ofs(x.vcpu[1]), 0); /* per vCPU */
    assert_int_equal(ioe_ioctl(x.vcpu[0], KVM_GET_TSC_KHZ, 0), 1000000);
    /* KVM_GET/SET_CLOCK: flags, copies */
    struct kvm_clock_data d = get_clock(x.vm);
    assert_int_equal(d.flags, KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC);
    assert_err(EFAULT, ioe_ioctl(x.vm, KVM_GET_CLOCK, BAD_PTR));
    assert_err(EFAULT, ioe_ioctl(x.vm, KVM_SET_CLOCK, BAD_PTR));
    d.flags = 1;
    assert_err(EINVAL, ioe_ioctl(x.vm, KVM_SET_CLOCK, &d));
    /* SET_CLOCK without REALTIME sets kvmclock to the value given */
    d = (struct kvm_clock_data){.clock = 5000000000ull};
    assert_ok(ioe_ioctl(x.vm, KVM_SET_CLOCK, &d));
    uint64_t c = get_clock(x.vm).clock;
    assert_true(c >= 5000000000ull && c < 5000000000ull + 1000000000ull);
    xvm_close(&x);
    /* another persona does not have them */
    int kvm = ioe_open_host(*state, "arm64", NULL), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    assert_err(EINVAL, ioe_ioctl(vm, KVM_GET_CLOCK, &d));
    ioe_close(vm);
    ioe_close(kvm);
}

/* vcpu.rst 4.1: steps 1-3 on the source, a pause, steps 4-7 on the destination */
static void test_migration(void **state)
{
    const struct tt_pair *p = *state;
    struct xvm src, dst;
    xvm_open(&src, p->src);
    xvm_open(&dst, p->dst);
    const uint64_t ofs0[2] = {0x100000000000ull, 0x100000000000ull + 12345};
    for (int i = 0; i < 2; i++)
        set_ofs(src.vcpu[i], ofs0[i]);
    /* 1-3 */
    struct kvm_clock_data s = get_clock(src.vm);
    uint64_t ofs_src[2] = {get_ofs(src.vcpu[0]), get_ofs(src.vcpu[1])};
    int khz = ioe_ioctl(src.vcpu[0], KVM_GET_TSC_KHZ, 0);
    assert_true(khz > 0);
    uint64_t guest_tsc_src = s.host_tsc + ofs_src[0];
    nanosleep(&(struct timespec){0, (long)PAUSE_NS}, NULL);
    /* 4: the destination's kvmclock advanced by the time since step 1 */
    struct kvm_clock_data d = {
        .clock = s.clock, .realtime = s.realtime, .flags = KVM_CLOCK_REALTIME};
    assert_ok(ioe_ioctl(dst.vm, KVM_SET_CLOCK, &d));
    /* 5 */
    struct kvm_clock_data e = get_clock(dst.vm);
    assert_true(e.clock - s.clock >= PAUSE_NS);
    assert_true(e.clock - s.clock < PAUSE_NS + 2000000000ull);
    /* 6-7: ofs_dst = ofs_src - (guest_src - guest_dest) * freq + (tsc_src - tsc_dest) */
    for (int i = 0; i < 2; i++) {
        int64_t dclock = (int64_t)(s.clock - e.clock);
        uint64_t ofs = ofs_src[i] - (uint64_t)(dclock * khz / 1000000) + (s.host_tsc - e.host_tsc);
        set_ofs(dst.vcpu[i], ofs);
    }
    /* the guest's TSC counted the pause, and the vCPUs kept their difference */
    struct kvm_clock_data f = get_clock(dst.vm);
    uint64_t guest_tsc_dst = f.host_tsc + get_ofs(dst.vcpu[0]);
    uint64_t ticks = guest_tsc_dst - guest_tsc_src, want = PAUSE_NS * (uint64_t)khz / 1000000;
    assert_true(ticks >= want && ticks < want + 2000000000ull * (uint64_t)khz / 1000000);
    assert_int_equal(get_ofs(dst.vcpu[1]) - get_ofs(dst.vcpu[0]), 12345);
    /* and the TSC at kvmclock 0 is the source's */
    uint64_t base_src = ofs_src[0] + s.host_tsc - s.clock * (uint64_t)khz / 1000000;
    uint64_t base_dst = get_ofs(dst.vcpu[0]) + e.host_tsc - e.clock * (uint64_t)khz / 1000000;
    assert_int_equal(base_dst, base_src);
    xvm_close(&src);
    xvm_close(&dst);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_rows),
        TT_PAIR_TEST(test_migration),
    };
    return tt_run_tests("x86_tsc", tests, NULL, NULL);
}
