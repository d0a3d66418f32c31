/*
 * KVM_DEV_TYPE_VFIO (driver/src/devices/vfio.c) through the KVM-compatible API, on every
 * host persona, with descriptors that are not VFIO files (this machine has no VFIO; the
 * QEMU guest of test_vfio_qemu adds and deletes real group and device descriptors): the
 * groups and attributes, no GET (the generic layer's EPERM), one device per VM, and
 * virt/kvm/vfio.c's order of checks: unknown group or attribute ENXIO before the payload
 * is read, EFAULT, EBADF, EINVAL for a file that is not VFIO's, ENOENT for DEL of an
 * untracked file; SET_SPAPR_TCE only on ppc64.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "assert_errno.h"

#define BAD_ADDR 0x10ull /* a user pointer that faults */

static const char *const hosts[] = {"arm64", "ppc64", "ppc-booke", "s390x", "x86_64"};

static int create_vfio(int vm)
{
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_VFIO};
    int r = ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd);
    return r < 0 ? r : (int)cd.fd;
}

static int attr_ioctl(int dev, unsigned long req, uint32_t group, uint64_t attr, uint64_t addr)
{
    struct kvm_device_attr a = {.group = group, .attr = attr, .addr = addr};
    return ioe_ioctl(dev, req, &a);
}

static int file_op(int dev, uint64_t attr, int32_t fd)
{
    return attr_ioctl(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_VFIO_FILE, attr, (uintptr_t)&fd);
}

/* a VM of persona `host` on the C model */
static int open_vm(const char *host, int *kvm)
{
    *kvm = ioe_open_host("soft", host, NULL);
    if (*kvm < 0)
        fail_msg("ioe_open_host(soft, %s): %s", host, ioe_last_error());
    int vm = ioe_ioctl(*kvm, KVM_CREATE_VM, 0);
    assert_true(vm >= 0);
    return vm;
}

static void test_create(void **state)
{
    (void)state;
    for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++) {
        int kvm, vm = open_vm(hosts[h], &kvm);
        struct kvm_create_device t = {.type = KVM_DEV_TYPE_VFIO, .flags = KVM_CREATE_DEVICE_TEST};
        assert_ok(ioe_ioctl(vm, KVM_CREATE_DEVICE, &t));
        int dev = create_vfio(vm);
        assert_true(dev >= 0);
        assert_err(EBUSY, create_vfio(vm)); /* one per VM */
        assert_ok(ioe_close(dev));
        dev = create_vfio(vm); /* released with its descriptor: room for a new one */
        assert_true(dev >= 0);
        ioe_close(dev);
        ioe_close(vm);
        ioe_close(kvm);
    }
}

static void test_attrs(void **state)
{
    (void)state;
    for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++) {
        bool ppc64 = !strcmp(hosts[h], "ppc64");
        int kvm, vm = open_vm(hosts[h], &kvm), dev = create_vfio(vm);
        int32_t fd = -1;
        /* no get_attr: EPERM before the attribute is even read */
        assert_err(EPERM, ioe_ioctl(dev, KVM_GET_DEVICE_ATTR, NULL));
        assert_err(EPERM,
                   attr_ioctl(dev, KVM_GET_DEVICE_ATTR, KVM_DEV_VFIO_FILE, 1, (uintptr_t)&fd));
        assert_err(EFAULT, ioe_ioctl(dev, KVM_SET_DEVICE_ATTR, NULL));
        assert_err(EFAULT, ioe_ioctl(dev, KVM_HAS_DEVICE_ATTR, (void *)BAD_ADDR));
        /* HAS */
        assert_ok(
            attr_ioctl(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_VFIO_FILE, KVM_DEV_VFIO_FILE_ADD, 0));
        assert_ok(
            attr_ioctl(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_VFIO_GROUP, KVM_DEV_VFIO_GROUP_DEL, 0));
        if (ppc64)
            assert_ok(attr_ioctl(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_VFIO_FILE,
                                 KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, 0));
        else
            assert_err(ENXIO, attr_ioctl(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_VFIO_FILE,
                                         KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, 0));
        assert_err(ENXIO, attr_ioctl(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_VFIO_FILE, 0, 0));
        assert_err(ENXIO, attr_ioctl(dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_VFIO_FILE, 4, 0));
        assert_err(ENXIO, attr_ioctl(dev, KVM_HAS_DEVICE_ATTR, 0, KVM_DEV_VFIO_FILE_ADD, 0));
        assert_err(ENXIO, attr_ioctl(dev, KVM_HAS_DEVICE_ATTR, 2, KVM_DEV_VFIO_FILE_ADD, 0));
        /* SET: an unknown group or attribute is ENXIO before the payload is read */
        assert_err(ENXIO, attr_ioctl(dev, KVM_SET_DEVICE_ATTR, 2, KVM_DEV_VFIO_FILE_ADD, BAD_ADDR));
        assert_err(ENXIO, attr_ioctl(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_VFIO_FILE, 9, BAD_ADDR));
        assert_err(ppc64 ? EFAULT : ENXIO, attr_ioctl(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_VFIO_FILE,
                                                      KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, BAD_ADDR));
        ioe_close(dev);
        ioe_close(vm);
        ioe_close(kvm);
    }
}

static void test_files(void **state)
{
    (void)state;
    int kvm, vm = open_vm("x86_64", &kvm), dev = create_vfio(vm);
    int devnull = open("/dev/null", O_RDWR), efd = eventfd(0, 0), closed = dup(devnull);
    char tmpl[] = "/tmp/ioe-kvm-vfio-XXXXXX";
    int reg = mkstemp(tmpl);
    unlink(tmpl);
    close(closed);
    for (int i = 0; i < 2; i++) { /* ADD, DEL */
        uint64_t attr = i ? KVM_DEV_VFIO_FILE_DEL : KVM_DEV_VFIO_FILE_ADD;
        assert_err(EFAULT, attr_ioctl(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_VFIO_FILE, attr, BAD_ADDR));
        assert_err(EBADF, file_op(dev, attr, -1));
        assert_err(EBADF, file_op(dev, attr, closed));
        assert_err(EBADF, file_op(dev, attr, INT32_MIN));
    }
    /* ADD: an open file that is not VFIO's */
    assert_err(EINVAL, file_op(dev, KVM_DEV_VFIO_FILE_ADD, devnull));
    assert_err(EINVAL, file_op(dev, KVM_DEV_VFIO_FILE_ADD, efd));
    assert_err(EINVAL, file_op(dev, KVM_DEV_VFIO_FILE_ADD, reg));
    assert_err(EINVAL, file_op(dev, KVM_DEV_VFIO_FILE_ADD, dev)); /* libioe's own descriptor */
    /* DEL does not ask what the file is: it is not tracked */
    assert_err(ENOENT, file_op(dev, KVM_DEV_VFIO_FILE_DEL, devnull));
    assert_err(ENOENT, file_op(dev, KVM_DEV_VFIO_GROUP_DEL, efd));
    close(devnull);
    close(efd);
    close(reg);
    ioe_close(dev);
    ioe_close(vm);
    ioe_close(kvm);
}

/* ppc64: kvm_vfio_group_set_spapr_tce's checks up to the group lookup */
static void test_spapr_tce(void **state)
{
    (void)state;
    int kvm, vm = open_vm("ppc64", &kvm), dev = create_vfio(vm);
    int devnull = open("/dev/null", O_RDWR);
    struct kvm_vfio_spapr_tce p = {.groupfd = -1, .tablefd = -1};
    uint64_t tce = KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE;
    assert_err(EBADF, attr_ioctl(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_VFIO_FILE, tce, (uintptr_t)&p));
    p.groupfd = devnull; /* open, never added */
    assert_err(ENOENT, attr_ioctl(dev, KVM_SET_DEVICE_ATTR, KVM_DEV_VFIO_FILE, tce, (uintptr_t)&p));
    close(devnull);
    ioe_close(dev);
    ioe_close(vm);
    ioe_close(kvm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_attrs),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_spapr_tce),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
