/*
 * KVM_DEV_TYPE_FLIC on the s390x persona (Documentation/virt/kvm/devices/s390_flic.rst):
 * every command with the errno and order of checks of Linux's arch/s390/kvm/interrupt.c,
 * the floating interrupts' merging and limits, delivery to vCPUs in s390's priority order
 * under the masks they have loaded, and QEMU's migration of pending interrupts (GET_ALL_IRQS
 * growing its buffer on ENOMEM, then CLEAR_IRQS and ENQUEUE on the destination) from the
 * soft card to the sim card.
 */
#define _GNU_SOURCE
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

#define PSW_EXT (1ull << 56)
#define PSW_IO (1ull << 57)
#define PSW_MCHECK (1ull << 50)
#define CR0_SERVICE 0x200ull
#define CR6_ISC(i) ((0x80ull >> (i)) << 24)
#define IO_WORD(isc) ((uint32_t)(isc) << 27)

struct vmf {
    int kvm, vm, flic;
};

static struct vmf open_vm(const char *target)
{
    struct vmf f;
    f.kvm = ioe_open_host(target, "s390x", NULL);
    if (f.kvm < 0)
        fail_msg("ioe_open_host(%s, s390x): %s", target, ioe_last_error());
    f.vm = ioe_ioctl(f.kvm, KVM_CREATE_VM, 0);
    assert_true(f.vm >= 0);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_FLIC};
    assert_ok(ioe_ioctl(f.vm, KVM_CREATE_DEVICE, &cd));
    f.flic = (int)cd.fd;
    return f;
}

static void close_vm(struct vmf *f)
{
    ioe_close(f->flic);
    ioe_close(f->vm);
    ioe_close(f->kvm);
}

static int attr(int fd, unsigned long req, uint32_t group, uint64_t a, const void *p)
{
    struct kvm_device_attr d = {.group = group, .attr = a, .addr = (uint64_t)(uintptr_t)p};
    return ioe_ioctl(fd, req, &d);
}
#define SET(fd, g, a, p) attr(fd, KVM_SET_DEVICE_ATTR, g, a, p)
#define GET(fd, g, a, p) attr(fd, KVM_GET_DEVICE_ATTR, g, a, p)

static void *bad_ptr(void)
{
    void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
    return p;
}

static struct kvm_s390_irq io_irq(unsigned isc, uint16_t schno)
{
    struct kvm_s390_irq i = {.type = KVM_S390_INT_IO(0, 0, 0, schno)};
    i.u.io.subchannel_id = 0x0001;
    i.u.io.subchannel_nr = schno;
    i.u.io.io_int_parm = 0x1000u + schno;
    i.u.io.io_int_word = IO_WORD(isc);
    return i;
}

static struct kvm_s390_irq ext_irq(uint64_t type, uint32_t p, uint64_t p2)
{
    struct kvm_s390_irq i = {.type = type};
    i.u.ext.ext_params = p;
    i.u.ext.ext_params2 = p2;
    return i;
}

static int enqueue(int flic, const struct kvm_s390_irq *irqs, size_t n)
{
    return SET(flic, KVM_DEV_FLIC_ENQUEUE, n * sizeof(*irqs), irqs);
}

static int get_all(int flic, struct kvm_s390_irq *buf, size_t n)
{
    return GET(flic, KVM_DEV_FLIC_GET_ALL_IRQS, n * sizeof(*buf), buf);
}

static bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

static int set_masks(int vcpu, uint64_t psw, uint64_t cr0, uint64_t cr6, uint64_t cr14)
{
    struct ioe_s390_masks m = {psw, cr0, cr6, cr14};
    return ioe_ioctl(vcpu, IOE_S390_SET_MASKS, &m);
}

/* ------------------------------------------------------------------ the device */
static void test_create_and_groups(void **state)
{
    (void)state;
    struct vmf f = open_vm("soft");
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_FLIC};
    assert_err(EINVAL, ioe_ioctl(f.vm, KVM_CREATE_DEVICE, &cd)); /* one per VM */
    for (uint32_t g = 0; g <= 12; g++) {
        if (g >= KVM_DEV_FLIC_GET_ALL_IRQS && g <= KVM_DEV_FLIC_AISM_ALL)
            assert_ok(attr(f.flic, KVM_HAS_DEVICE_ATTR, g, 12345, NULL));
        else
            assert_err(ENXIO, attr(f.flic, KVM_HAS_DEVICE_ATTR, g, 0, NULL));
    }
    /* unknown groups are EINVAL, not ENXIO, on SET and GET */
    assert_err(EINVAL, SET(f.flic, 12, 0, NULL));
    assert_err(EINVAL, GET(f.flic, KVM_DEV_FLIC_ENQUEUE, 72, NULL));
    assert_ok(SET(f.flic, KVM_DEV_FLIC_APF_ENABLE, 0, NULL));
    assert_ok(SET(f.flic, KVM_DEV_FLIC_APF_DISABLE_WAIT, 0, NULL));
    /* no KVM_IRQ_LINE on s390, FLIC or not */
    struct kvm_irq_level l = {.irq = 1, .level = 1};
    assert_err(ENOTTY, ioe_ioctl(f.vm, KVM_IRQ_LINE, &l));
    close_vm(&f);
}

/* ------------------------------------------------------------------ ENQUEUE, GET_ALL_IRQS */
static void test_enqueue_and_get_all(void **state)
{
    (void)state;
    struct vmf f = open_vm("soft");
    struct kvm_s390_irq in[6], out[8];
    in[0] = io_irq(3, 7);
    in[1] = ext_irq(KVM_S390_INT_VIRTIO, 0xd00, 0x1234);
    in[2] = io_irq(0, 9);
    in[3] = ext_irq(KVM_S390_INT_PFAULT_DONE, 0, 0x42);
    in[4] = ext_irq(KVM_S390_INT_SERVICE, 0x1000, 0);
    memset(&in[5], 0, sizeof(in[5]));
    in[5].type = KVM_S390_MCHK;
    in[5].u.mchk.cr14 = 1ull << 28 | 1; /* only the pending-subclass bit is kept */
    in[5].u.mchk.mcic = 0x00400f1d40330000ull;

    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_ENQUEUE, 71, in));
    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_ENQUEUE, 0x2000000 + 72 * 7, in));
    assert_err(EFAULT, SET(f.flic, KVM_DEV_FLIC_ENQUEUE, 72, bad_ptr()));
    assert_ok(SET(f.flic, KVM_DEV_FLIC_ENQUEUE, 0, NULL)); /* nothing to do */
    assert_ok(enqueue(f.flic, in, 6));

    assert_err(EINVAL, GET(f.flic, KVM_DEV_FLIC_GET_ALL_IRQS, 0, out));
    assert_err(EINVAL, GET(f.flic, KVM_DEV_FLIC_GET_ALL_IRQS, 0x2000001, out));
    assert_err(ENOMEM, get_all(f.flic, out, 5)); /* retry with a bigger buffer */
    assert_err(EFAULT, get_all(f.flic, bad_ptr(), 8));
    memset(out, 0xee, sizeof(out));
    assert_int_equal(get_all(f.flic, out, 8), 6); /* the count, positive */
    /* I/O by ISC (0 first), pfault, virtio, then the service signal and the machine check */
    assert_memory_equal(&out[0], &in[2], sizeof(out[0]));
    assert_memory_equal(&out[1], &in[0], sizeof(out[0]));
    assert_memory_equal(&out[2], &in[3], sizeof(out[0]));
    assert_memory_equal(&out[3], &in[1], sizeof(out[0]));
    assert_int_equal(out[4].type, KVM_S390_INT_SERVICE);
    assert_int_equal(out[4].u.ext.ext_params, 0x1000);
    assert_int_equal(out[5].type, KVM_S390_MCHK);
    assert_int_equal(out[5].u.mchk.cr14, 1ull << 28);
    assert_int_equal(out[5].u.mchk.mcic, in[5].u.mchk.mcic);
    /* reading dequeues nothing */
    assert_int_equal(get_all(f.flic, out, 8), 6);

    /* service signals: one SCCB at a time, the event bits merged; machine checks merged */
    struct kvm_s390_irq more[3] = {ext_irq(KVM_S390_INT_SERVICE, 0x2000 | 1, 0),
                                   ext_irq(KVM_S390_INT_SERVICE, 2, 0), in[5]};
    more[2].u.mchk.mcic = 1;
    assert_ok(enqueue(f.flic, more, 3));
    assert_int_equal(get_all(f.flic, out, 8), 6);
    assert_int_equal(out[4].u.ext.ext_params, 0x1000 | 3);
    assert_int_equal(out[5].u.mchk.mcic, in[5].u.mchk.mcic | 1);

    /* a bad element stops the loop; the ones before it stay */
    struct kvm_s390_irq bad[3] = {io_irq(5, 1), ext_irq(KVM_S390_INT_PFAULT_INIT, 0, 1),
                                  io_irq(5, 2)};
    assert_err(EINVAL, enqueue(f.flic, bad, 3));
    bad[1].type = KVM_S390_PROGRAM_INT;
    assert_err(EINVAL, enqueue(f.flic, bad + 1, 1));
    assert_int_equal(get_all(f.flic, out, 8), 7);

    assert_ok(SET(f.flic, KVM_DEV_FLIC_CLEAR_IRQS, 0, NULL));
    assert_int_equal(get_all(f.flic, out, 8), 0);
    close_vm(&f);
}

static void test_limits(void **state)
{
    (void)state;
    struct vmf f = open_vm("soft");
    const size_t n = 87381 + 1; /* KVM_S390_MAX_VIRTIO_IRQS, and one more */
    struct kvm_s390_irq *v = calloc(n, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = ext_irq(KVM_S390_INT_VIRTIO, 0, i);
    assert_err(EBUSY, enqueue(f.flic, v, n));
    struct kvm_s390_irq *out = calloc(n, sizeof(*out));
    assert_int_equal(get_all(f.flic, out, n), n - 1);
    assert_int_equal(out[n - 2].u.ext.ext_params2, n - 2);
    free(v), free(out);
    close_vm(&f);
}

/* ------------------------------------------------------------------ adapters, CLEAR_IO_IRQ, AIS */
static void test_adapters(void **state)
{
    (void)state;
    struct vmf f = open_vm("soft");
    struct kvm_s390_io_adapter ad = {.id = 64, .isc = 3, .maskable = 1};
    assert_err(EFAULT, SET(f.flic, KVM_DEV_FLIC_ADAPTER_REGISTER, 0, bad_ptr()));
    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_ADAPTER_REGISTER, 0, &ad));
    ad.id = 5;
    assert_ok(SET(f.flic, KVM_DEV_FLIC_ADAPTER_REGISTER, 0, &ad));
    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_ADAPTER_REGISTER, 0, &ad));
    struct kvm_s390_io_adapter fixed = {.id = 6, .isc = 2, .maskable = 0};
    assert_ok(SET(f.flic, KVM_DEV_FLIC_ADAPTER_REGISTER, 0, &fixed));

    struct kvm_s390_io_adapter_req req = {.id = 9, .type = KVM_S390_IO_ADAPTER_MASK, .mask = 1};
    assert_err(EFAULT, SET(f.flic, KVM_DEV_FLIC_ADAPTER_MODIFY, 0, bad_ptr()));
    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_ADAPTER_MODIFY, 0, &req)); /* unknown */
    req.id = 5;
    assert_ok(SET(f.flic, KVM_DEV_FLIC_ADAPTER_MODIFY, 0, &req));
    req.id = 6;
    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_ADAPTER_MODIFY, 0, &req)); /* not maskable */
    req.type = KVM_S390_IO_ADAPTER_MAP;
    assert_ok(SET(f.flic, KVM_DEV_FLIC_ADAPTER_MODIFY, 0, &req));
    req.type = KVM_S390_IO_ADAPTER_UNMAP;
    assert_ok(SET(f.flic, KVM_DEV_FLIC_ADAPTER_MODIFY, 0, &req));
    req.type = 4;
    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_ADAPTER_MODIFY, 0, &req));

    /* AIRQ_INJECT: an adapter interrupt of the adapter's ISC */
    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_AIRQ_INJECT, 7, NULL));
    assert_ok(SET(f.flic, KVM_DEV_FLIC_AIRQ_INJECT, 5, NULL));
    struct kvm_s390_irq out[4];
    assert_int_equal(get_all(f.flic, out, 4), 1);
    assert_int_equal(out[0].type, KVM_S390_INT_IO(1, 0, 0, 0));
    assert_int_equal(out[0].u.io.io_int_word, 3u << 27 | 0x80000000u);

    /* the adapter-interruption suppression facility (72) is not in this VM's model */
    struct kvm_s390_ais_req ais = {.isc = 3, .mode = KVM_S390_AIS_MODE_SINGLE};
    struct kvm_s390_ais_all all = {0};
    assert_err(EOPNOTSUPP, SET(f.flic, KVM_DEV_FLIC_AISM, 0, &ais));
    assert_err(EOPNOTSUPP, SET(f.flic, KVM_DEV_FLIC_AISM_ALL, 0, &all));
    assert_err(EINVAL, GET(f.flic, KVM_DEV_FLIC_AISM_ALL, 1, &all));
    assert_err(EOPNOTSUPP, GET(f.flic, KVM_DEV_FLIC_AISM_ALL, 2, &all));
    close_vm(&f);
}

static void test_clear_io_irq(void **state)
{
    (void)state;
    struct vmf f = open_vm("soft");
    struct kvm_s390_irq in[3] = {io_irq(4, 7), io_irq(2, 7), io_irq(2, 8)}, out[4];
    assert_ok(enqueue(f.flic, in, 3));
    uint32_t schid = 0x0001u << 16 | 7;
    struct kvm_device_attr a = {.flags = 1,
                                .group = KVM_DEV_FLIC_CLEAR_IO_IRQ,
                                .attr = 4,
                                .addr = (uint64_t)(uintptr_t)&schid};
    assert_err(EINVAL, ioe_ioctl(f.flic, KVM_SET_DEVICE_ATTR, &a));
    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_CLEAR_IO_IRQ, 8, &schid));
    assert_err(EFAULT, SET(f.flic, KVM_DEV_FLIC_CLEAR_IO_IRQ, 4, bad_ptr()));
    uint32_t zero = 0;
    assert_err(EINVAL, SET(f.flic, KVM_DEV_FLIC_CLEAR_IO_IRQ, 4, &zero));
    /* one interrupt of that subchannel goes, the lower ISC's first */
    assert_ok(SET(f.flic, KVM_DEV_FLIC_CLEAR_IO_IRQ, 4, &schid));
    assert_int_equal(get_all(f.flic, out, 4), 2);
    assert_memory_equal(&out[0], &in[2], sizeof(out[0]));
    assert_memory_equal(&out[1], &in[0], sizeof(out[0]));
    close_vm(&f);
}

/* ------------------------------------------------------------------ delivery */
static void test_delivery(void **state)
{
    (void)state;
    struct vmf f = open_vm("soft");
    int a = ioe_ioctl(f.vm, KVM_CREATE_VCPU, 0), b = ioe_ioctl(f.vm, KVM_CREATE_VCPU, 1);
    assert_true(a >= 0 && b >= 0);
    struct kvm_s390_irq in[5] = {io_irq(5, 1), io_irq(2, 2), ext_irq(KVM_S390_INT_VIRTIO, 0, 0x77),
                                 ext_irq(KVM_S390_INT_SERVICE, 0x3000, 0)},
                        got;
    memset(&in[4], 0, sizeof(in[4]));
    in[4].type = KVM_S390_MCHK;
    in[4].u.mchk.cr14 = 1ull << 28;
    in[4].u.mchk.mcic = 0x1000;
    assert_ok(enqueue(f.flic, in, 5));
    /* masks not loaded yet: nothing may be taken */
    assert_false(readable(a));
    assert_int_equal(ioe_ioctl(a, IOE_S390_DEQUEUE, &got), 0);
    assert_err(EFAULT, ioe_ioctl(a, IOE_S390_SET_MASKS, bad_ptr()));

    /* vCPU b takes I/O of ISC 5 only; vCPU a I/O of ISC 2 and external interrupts, but not
     * the service signal (CR0 submask off) */
    assert_ok(set_masks(b, PSW_IO, 0, CR6_ISC(5), 0));
    assert_true(readable(b));
    assert_int_equal(ioe_ioctl(b, IOE_S390_DEQUEUE, &got), 1);
    assert_memory_equal(&got, &in[0], sizeof(got));
    assert_false(readable(b));
    assert_int_equal(ioe_ioctl(b, IOE_S390_DEQUEUE, &got), 0);

    assert_ok(set_masks(a, PSW_IO | PSW_EXT, 0, CR6_ISC(2), 0));
    assert_true(readable(a));
    assert_int_equal(ioe_ioctl(a, IOE_S390_DEQUEUE, &got), 1); /* virtio before I/O */
    assert_memory_equal(&got, &in[2], sizeof(got));
    assert_int_equal(ioe_ioctl(a, IOE_S390_DEQUEUE, &got), 1);
    assert_memory_equal(&got, &in[1], sizeof(got));
    assert_false(readable(a));

    /* machine check (with CR14's subclass) before the service signal */
    assert_ok(set_masks(a, PSW_EXT | PSW_MCHECK, CR0_SERVICE, 0, 1ull << 28));
    assert_true(readable(a));
    assert_int_equal(ioe_ioctl(a, IOE_S390_DEQUEUE, &got), 1);
    assert_int_equal(got.type, KVM_S390_MCHK);
    assert_int_equal(got.u.mchk.mcic, 0x1000);
    assert_int_equal(ioe_ioctl(a, IOE_S390_DEQUEUE, &got), 1);
    assert_int_equal(got.type, KVM_S390_INT_SERVICE);
    assert_int_equal(got.u.ext.ext_params, 0x3000);
    assert_false(readable(a));
    struct kvm_s390_irq out[2];
    assert_int_equal(get_all(f.flic, out, 2), 0); /* everything taken exactly once */

    /* a new interrupt wakes the vCPU whose masks allow it, not the other */
    struct kvm_s390_irq late = io_irq(5, 3);
    assert_ok(enqueue(f.flic, &late, 1));
    assert_true(readable(b));
    assert_false(readable(a));
    assert_err(EFAULT, ioe_ioctl(b, IOE_S390_DEQUEUE, bad_ptr()));
    ioe_close(a), ioe_close(b);
    close_vm(&f);
}

static void test_requests_without_flic(void **state)
{
    (void)state;
    int kvm = ioe_open_host("soft", "s390x", NULL), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    int v = ioe_ioctl(vm, KVM_CREATE_VCPU, 0);
    struct kvm_s390_irq got;
    assert_err(ENXIO, ioe_ioctl(v, IOE_S390_DEQUEUE, &got));
    assert_err(ENXIO, set_masks(v, PSW_IO, 0, 0, 0));
    ioe_close(v), ioe_close(vm), ioe_close(kvm);
}

/* ------------------------------------------------------------------ migration */
/* QEMU's kvm_flic_save: GET_ALL_IRQS, doubling the buffer while it answers ENOMEM */
static int save(int flic, struct kvm_s390_irq **buf)
{
    size_t n = 1;
    for (;;) {
        *buf = realloc(*buf, n * sizeof(**buf));
        int r = get_all(flic, *buf, n);
        if (r >= 0 || errno != ENOMEM)
            return r;
        n *= 2;
    }
}

static void test_migration(void **state)
{
    (void)state;
    struct vmf src = open_vm("soft"), dst = open_vm("sim");
    struct kvm_s390_irq in[40];
    for (int i = 0; i < 40; i++)
        in[i] =
            i % 4 == 3 ? ext_irq(KVM_S390_INT_VIRTIO, 0, (uint64_t)i) : io_irq(i % 8, (uint16_t)i);
    assert_ok(enqueue(src.flic, in, 40));
    struct kvm_s390_irq *a = NULL, *b = NULL;
    int n = save(src.flic, &a);
    assert_int_equal(n, 40);
    /* kvm_flic_load: clear, then enqueue what was saved */
    assert_ok(SET(dst.flic, KVM_DEV_FLIC_CLEAR_IRQS, 0, NULL));
    assert_ok(enqueue(dst.flic, a, (size_t)n));
    assert_int_equal(save(dst.flic, &b), 40);
    assert_memory_equal(a, b, 40 * sizeof(*a));
    free(a), free(b);
    close_vm(&src);
    close_vm(&dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_groups),
        cmocka_unit_test(test_enqueue_and_get_all),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_adapters),
        cmocka_unit_test(test_clear_io_irq),
        cmocka_unit_test(test_delivery),
        cmocka_unit_test(test_requests_without_flic),
        cmocka_unit_test(test_migration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
