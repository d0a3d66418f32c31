/*
 * Host personas and the device table through the KVM-compatible API: the persona chosen
 * at open (ioe_open_host, IOE_HOST) decides KVM_CREATE_VM's type argument, the
 * capabilities, which device types exist, KVM_IRQ_LINE without an interrupt controller
 * and the errno of requests the architecture does not have, as that host's KVM does; the
 * device layer's generic rules (one interrupt controller per VM, release on close,
 * KVM_ENABLE_CAP naming a device descriptor). Runs on the C model: nothing here depends
 * on the card's engines beyond their feature bits.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ioe/ioe.h>

#include "assert_errno.h"

static int open_host(const char *host)
{
    int kvm = ioe_open_host("soft", host, NULL);
    if (kvm < 0)
        fail_msg("ioe_open_host(soft, %s): %s (%s)", host, strerror(errno), ioe_last_error());
    return kvm;
}

static int create_dev(int vm, uint32_t type, bool test)
{
    struct kvm_create_device cd = {.type = type, .flags = test ? KVM_CREATE_DEVICE_TEST : 0};
    int r = ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd);
    return r < 0 ? r : test ? 0 : (int)cd.fd;
}

/* ------------------------------------------------------------------ choosing a persona */
static void test_choose(void **state)
{
    (void)state;
    /* an unknown name is an error with a message, never a silent default */
    assert_err(EINVAL, ioe_open_host("soft", "mips", NULL));
    assert_non_null(strstr(ioe_last_error(), "mips"));
    /* IOE_HOST points an unmodified program (ioe_open) at another persona */
    setenv("IOE_HOST", "ppc64", 1);
    int kvm = ioe_open("soft");
    assert_true(kvm >= 0);
    assert_string_equal(ioe_last_error(), "");
    int vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    assert_ok(create_dev(vm, KVM_DEV_TYPE_XIVE, true));
    assert_err(ENODEV, create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V3, true));
    ioe_close(vm);
    ioe_close(kvm);
    setenv("IOE_HOST", "sparc", 1);
    assert_err(EINVAL, ioe_open("soft"));
    assert_non_null(strstr(ioe_last_error(), "IOE_HOST"));
    /* the API's argument wins over the environment */
    kvm = open_host("arm64");
    ioe_close(kvm);
    unsetenv("IOE_HOST");
    /* an unknown target says so too */
    assert_err(ENODEV, ioe_open_host("nosuchcard", "arm64", NULL));
    assert_non_null(strstr(ioe_last_error(), "nosuchcard"));
}

/* ------------------------------------------------------------------ what each host answers */
static void test_vm_types(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        unsigned long ok, bad;
    } t[] = {
        {"arm64", 40 /* IPA bits */, 1ul << 8},
        {"ppc64", KVM_VM_PPC_HV, KVM_VM_PPC_PR},
        {"ppc-booke", 0, 1},
        {"s390x", 0, KVM_VM_S390_UCONTROL},
        {"x86_64", 0, 1},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int kvm = open_host(t[i].host);
        int vm = ioe_ioctl(kvm, KVM_CREATE_VM, t[i].ok);
        if (vm < 0)
            fail_msg("%s: KVM_CREATE_VM(%lu): %s", t[i].host, t[i].ok, strerror(errno));
        assert_err(EINVAL, ioe_ioctl(kvm, KVM_CREATE_VM, t[i].bad));
        ioe_close(vm);
        ioe_close(kvm);
    }
}

static void test_extensions(void **state)
{
    (void)state;
    int arm = open_host("arm64"), ppc = open_host("ppc64"), s390 = open_host("s390x"),
        x86 = open_host("x86_64");
    /* generic memory capabilities everywhere */
    for (int k = 0; k < 4; k++) {
        int fd = (int[]){arm, ppc, s390, x86}[k];
        assert_int_equal(ioe_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY), 1);
        assert_int_equal(ioe_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS),
                         IOE_KVM_USER_MEM_SLOTS);
    }
    /* the architectures' own */
    assert_int_equal(ioe_ioctl(arm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE), 48);
    assert_int_equal(ioe_ioctl(ppc, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE), 0);
    assert_int_equal(ioe_ioctl(arm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_IRQ_XIVE), 0);
    assert_int_equal(ioe_ioctl(ppc, KVM_CHECK_EXTENSION, KVM_CAP_PPC_IRQ_XIVE), 1);
    assert_int_equal(ioe_ioctl(arm, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP), 1);
    assert_int_equal(ioe_ioctl(x86, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP), 0);
    assert_int_equal(ioe_ioctl(s390, KVM_CHECK_EXTENSION, KVM_CAP_VM_ATTRIBUTES), 1);
    /* KVM_CAP_MSI_DEVID only a VM can answer (arm64): 1 once it has an ITS */
    assert_err(EINVAL, ioe_ioctl(arm, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID));
    int vm = ioe_ioctl(arm, KVM_CREATE_VM, 0);
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID), 0);
    int its = create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_ITS, false);
    assert_true(its >= 0);
    assert_int_equal(ioe_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID), 1);
    ioe_close(its);
    ioe_close(vm);
    ioe_close(arm);
    ioe_close(ppc);
    ioe_close(s390);
    ioe_close(x86);
}

static void test_device_types(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        uint32_t type;
        int err; /* 0: the type exists */
    } t[] = {
        {"arm64", KVM_DEV_TYPE_ARM_VGIC_V3, 0},
        {"arm64", KVM_DEV_TYPE_ARM_VGIC_ITS, 0},
        {"arm64", KVM_DEV_TYPE_XIVE, ENODEV},
        {"ppc64", KVM_DEV_TYPE_XIVE, 0},
        {"ppc64", KVM_DEV_TYPE_ARM_VGIC_V3, ENODEV},
        {"ppc64", KVM_DEV_TYPE_ARM_VGIC_ITS, ENODEV},
        {"s390x", KVM_DEV_TYPE_XIVE, ENODEV},
        {"s390x", KVM_DEV_TYPE_FLIC, 0},
        {"arm64", KVM_DEV_TYPE_FLIC, ENODEV},
        {"x86_64", KVM_DEV_TYPE_ARM_VGIC_V3, ENODEV},
        {"arm64", 0xffff, ENODEV},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int kvm = open_host(t[i].host), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
        errno = 0;
        int r = create_dev(vm, t[i].type, true);
        if (t[i].err ? (r != -1 || errno != t[i].err) : r != 0)
            fail_msg("%s: device type %u: %d errno %d, expected %d", t[i].host, t[i].type, r, errno,
                     t[i].err);
        ioe_close(vm);
        ioe_close(kvm);
    }
}

static void test_unknown_requests(void **state)
{
    (void)state;
    /* kvm_arch_vm_ioctl / kvm_arch_vcpu_ioctl's defaults, and KVM_IRQ_LINE of a VM without
     * an interrupt controller */
    static const struct {
        const char *host;
        int vm_err, vcpu_err, line_err;
    } t[] = {
        {"arm64", EINVAL, EINVAL, ENXIO},     {"ppc64", ENOTTY, EINVAL, ENXIO},
        {"ppc-booke", ENOTTY, EINVAL, ENXIO}, {"s390x", ENOTTY, ENOTTY, ENOTTY},
        {"x86_64", ENOTTY, EINVAL, ENXIO},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int kvm = open_host(t[i].host), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
        int vcpu = ioe_ioctl(vm, KVM_CREATE_VCPU, 0);
        assert_true(vcpu >= 0);
        assert_err(EINVAL, ioe_ioctl(kvm, _IO(KVMIO, 0xfe)));
        assert_err(t[i].vm_err, ioe_ioctl(vm, _IO(KVMIO, 0xfe)));
        assert_err(t[i].vcpu_err, ioe_ioctl(vcpu, _IO(KVMIO, 0xfe)));
        struct kvm_irq_level l = {.irq = 1u << 24 | 40, .level = 1}; /* arm64: SPI 40 */
        assert_err(t[i].line_err, ioe_ioctl(vm, KVM_IRQ_LINE, &l));
        /* without an interrupt controller, its CPU interface is absent */
        struct ioe_irq irq;
        assert_err(ENXIO, ioe_ioctl(vcpu, IOE_VCPU_ACK, &irq));
        ioe_close(vcpu);
        ioe_close(vm);
        ioe_close(kvm);
    }
}

/* ------------------------------------------------------------------ the device layer */
static void test_one_irqchip(void **state)
{
    (void)state;
    /* ppc64: a second XIVE device while the first is open; a new one once it is closed
     * (kvmppc_xive_native_release) */
    int kvm = open_host("ppc64"), vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    int vcpu = ioe_ioctl(vm, KVM_CREATE_VCPU, 0);
    int x = create_dev(vm, KVM_DEV_TYPE_XIVE, false);
    assert_true(x >= 0);
    assert_err(EEXIST, create_dev(vm, KVM_DEV_TYPE_XIVE, false));
    /* KVM_ENABLE_CAP names a device by its descriptor: a VM descriptor is no device */
    struct kvm_enable_cap cap = {.cap = KVM_CAP_PPC_IRQ_XIVE, .args = {(uint64_t)vm, 0}};
    assert_err(EPERM, ioe_ioctl(vcpu, KVM_ENABLE_CAP, &cap));
    cap.args[0] = (uint64_t)x;
    assert_ok(ioe_ioctl(vcpu, KVM_ENABLE_CAP, &cap));
    struct ioe_xive_tima t = {.offset = 0x10, .len = 8};
    assert_ok(ioe_ioctl(vcpu, IOE_XIVE_TIMA, &t));
    ioe_close(x);
    /* released: the vCPU is disconnected at once, and a new device can be created */
    assert_err(ENXIO, ioe_ioctl(vcpu, IOE_XIVE_TIMA, &t));
    x = create_dev(vm, KVM_DEV_TYPE_XIVE, false);
    assert_true(x >= 0);
    ioe_close(x);
    ioe_close(vcpu);
    ioe_close(vm);
    ioe_close(kvm);

    /* arm64: one VGIC; the ITS is no interrupt controller, any number may sit beside it */
    kvm = open_host("arm64");
    vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    int g = create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V3, false);
    assert_true(g >= 0);
    assert_err(EEXIST, create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V3, false));
    int i1 = create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_ITS, false);
    int i2 = create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_ITS, false);
    assert_true(i1 >= 0 && i2 >= 0);
    /* the VGIC lives on with the VM after its descriptor is closed (no ->release) */
    ioe_close(g);
    assert_err(EEXIST, create_dev(vm, KVM_DEV_TYPE_ARM_VGIC_V3, false));
    ioe_close(i1);
    ioe_close(i2);
    ioe_close(vm);
    ioe_close(kvm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose),           cmocka_unit_test(test_vm_types),
        cmocka_unit_test(test_extensions),       cmocka_unit_test(test_device_types),
        cmocka_unit_test(test_unknown_requests), cmocka_unit_test(test_one_irqchip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
