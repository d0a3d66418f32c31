/*
 * KVM_DEV_TYPE_XICS on the ppc64 persona (XICS-on-XIVE, docs/api.md "KVM_DEV_TYPE_XICS"):
 * creation rules, every attribute and errno row of book3s_xive.c, vCPU connection, the ICP
 * one-reg, KVM_IRQ_LINE for MSIs and LSIs, the guest's XICS hcalls (QEMU pseries' in-kernel
 * sequence, IPIs between vCPUs, CPPR masking), and QEMU's migration order (ICPs, then
 * sources) between every pair of targets. Targets: tests/targets.h.
 */
#define _GNU_SOURCE
#include "xics_util.h"

#include "targets.h"

/* ------------------------------------------------------------------ creation */
static void test_create(void **state)
{
    const char *target = *state;
    struct xsvm t;
    xs_open(&t, target, 1, false);
    assert_int_equal(ioe_ioctl(t.vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_XICS), 1);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_XICS, .flags = KVM_CREATE_DEVICE_TEST};
    assert_ok(ioe_ioctl(t.vm, KVM_CREATE_DEVICE, &cd));
    cd.flags = 0;
    assert_err(EEXIST, ioe_ioctl(t.vm, KVM_CREATE_DEVICE, &cd)); /* one XICS per VM */
    cd.type = KVM_DEV_TYPE_XIVE;
    assert_err(EEXIST, ioe_ioctl(t.vm, KVM_CREATE_DEVICE, &cd)); /* no XIVE beside it */
    ioe_close(t.dev); /* released at once: the VM may have another */
    cd.type = KVM_DEV_TYPE_XIVE;
    assert_ok(ioe_ioctl(t.vm, KVM_CREATE_DEVICE, &cd));
    int xive = (int)cd.fd;
    cd.type = KVM_DEV_TYPE_XICS;
    assert_err(EEXIST, ioe_ioctl(t.vm, KVM_CREATE_DEVICE, &cd)); /* no XICS beside a XIVE */
    ioe_close(xive);
    assert_ok(ioe_ioctl(t.vm, KVM_CREATE_DEVICE, &cd));
    t.dev = (int)cd.fd;
    xs_close(&t);

    /* the type is ppc64's: arm64's KVM has no XICS */
    int kvm = ioe_open_host(target, "arm64", NULL);
    assert_true(kvm >= 0);
    int vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    assert_true(vm >= 0);
    cd = (struct kvm_create_device){.type = KVM_DEV_TYPE_XICS};
    assert_err(ENODEV, ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
    ioe_close(vm);
    ioe_close(kvm);
}

/* ------------------------------------------------------------------ attributes */
static void test_attrs(void **state)
{
    struct xsvm t;
    xs_open(&t, *state, 1, false);
    const uint64_t v = xs_state(1, 5, 0);
    /* HAS_ATTR: sources 16 .. 0xfffff and NR_SERVERS */
    assert_err(ENXIO, xs_attr(t.dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, 15, NULL));
    assert_ok(xs_attr(t.dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, 16, NULL));
    assert_ok(xs_attr(t.dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, 0xfffff, NULL));
    assert_err(ENXIO,
               xs_attr(t.dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, 0x100000, NULL));
    assert_ok(
        xs_attr(t.dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_XICS_GRP_CTRL, KVM_DEV_XICS_NR_SERVERS, NULL));
    assert_err(ENXIO, xs_attr(t.dev, KVM_HAS_DEVICE_ATTR, KVM_DEV_XICS_GRP_CTRL, 2, NULL));
    assert_err(ENXIO, xs_attr(t.dev, KVM_HAS_DEVICE_ATTR, 3, 16, NULL));
    /* SET sources: range (ENOENT) before the copy (EFAULT) */
    assert_err(ENOENT, xs_set_source(&t, 15, v));
    assert_err(ENOENT, xs_set_source(&t, 0x100000, v));
    assert_err(ENOENT, xs_set_source(&t, 1ull << 32 | 16, v));
    assert_err(EFAULT, xs_attr(t.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, 16,
                               (void *)(uintptr_t)BAD_PTR));
    /* GET: never set (the block exists now, or does not) ENOENT; unknown group ENXIO */
    uint64_t out = 0;
    assert_err(ENOENT, xs_attr(t.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, 16, &out));
    assert_err(ENOENT, xs_attr(t.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, 5000, &out));
    assert_err(ENXIO, xs_attr(t.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_XICS_GRP_CTRL,
                              KVM_DEV_XICS_NR_SERVERS, &out));
    assert_err(ENXIO, xs_attr(t.dev, KVM_SET_DEVICE_ATTR, 3, 16, &out));
    /* a source with a server that does not exist is accepted, and stays untargeted */
    assert_ok(xs_set_source(&t, 16, v));
    assert_int_equal(xs_get_source(&t, 16), xs_state(0, 5, 0)); /* act_server: none yet */
    assert_ok(xs_set_source(&t, 17, xs_state(7, 0xff, KVM_XICS_LEVEL_SENSITIVE)));
    assert_int_equal(xs_get_source(&t, 17),
                     xs_state(0, 0xff, KVM_XICS_MASKED | KVM_XICS_LEVEL_SENSITIVE));
    assert_err(EFAULT, xs_attr(t.dev, KVM_GET_DEVICE_ATTR, KVM_DEV_XICS_GRP_SOURCES, 16,
                               (void *)(uintptr_t)BAD_PTR));
    /* GET finds the source by the low 32 bits of attr, as KVM */
    assert_int_equal(xs_get_source(&t, 1ull << 32 | 16), xs_state(0, 5, 0));
    /* NR_SERVERS: EFAULT, EINVAL (0, above KVM_MAX_VCPU_IDS), EBUSY after a connect */
    uint32_t n = 0;
    assert_err(EFAULT, xs_attr(t.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XICS_GRP_CTRL,
                               KVM_DEV_XICS_NR_SERVERS, (void *)(uintptr_t)BAD_PTR));
    assert_err(EINVAL, xs_attr(t.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XICS_GRP_CTRL,
                               KVM_DEV_XICS_NR_SERVERS, &n));
    n = IOE_KVM_MAX_VCPU_IDS + 1;
    assert_err(EINVAL, xs_attr(t.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XICS_GRP_CTRL,
                               KVM_DEV_XICS_NR_SERVERS, &n));
    n = 4;
    assert_ok(
        xs_attr(t.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XICS_GRP_CTRL, KVM_DEV_XICS_NR_SERVERS, &n));
    assert_err(EINVAL, xs_connect(&t, 0, t.dev, 4)); /* server >= NR_SERVERS */
    assert_ok(xs_connect(&t, 0, t.dev, 3));
    assert_err(EBUSY, xs_attr(t.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XICS_GRP_CTRL,
                              KVM_DEV_XICS_NR_SERVERS, &n));
    xs_close(&t);
}

/* each source takes one of the card's sources, as KVM's "HW IPI": ENOMEM when none is left */
static void test_source_exhaustion(void **state)
{
    struct xsvm t;
    xs_open(&t, *state, 1, true); /* the vCPU's IPI takes one */
    uint32_t made = 0;
    for (uint32_t irq = 16; made < 0x10000; irq++, made++)
        if (xs_set_source(&t, irq, xs_state(1, 0xff, KVM_XICS_MASKED)) < 0) {
            assert_int_equal(errno, ENOMEM);
            break;
        }
    assert_true(made > 0 && made < 0x10000);
    /* setting an existing source again takes no new card source */
    assert_ok(xs_set_source(&t, 16, xs_state(1, 5, 0)));
    xs_close(&t);
    /* and releasing the device gives them all back: a new device has as many */
    xs_open(&t, *state, 1, true);
    uint32_t again = 0;
    for (uint32_t irq = 16; again <= made; irq++, again++)
        if (xs_set_source(&t, irq, xs_state(1, 0xff, KVM_XICS_MASKED)) < 0)
            break;
    assert_int_equal(again, made);
    xs_close(&t);
}

/* ------------------------------------------------------------------ vCPU connection */
static void test_connect(void **state)
{
    struct xsvm t, o;
    xs_open(&t, *state, 2, false);
    struct kvm_enable_cap cap = {.cap = KVM_CAP_IRQ_XICS, .flags = 1};
    cap.args[0] = (uint64_t)t.dev;
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], KVM_ENABLE_CAP, (void *)(uintptr_t)BAD_PTR));
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], KVM_ENABLE_CAP, &cap)); /* flags */
    assert_err(EBADF, xs_connect(&t, 0, 1000000, 1));
    assert_err(EPERM, xs_connect(&t, 0, t.vm, 1)); /* not a device */
    xs_open(&o, *state, 1, false);
    assert_err(EPERM, xs_connect(&t, 0, o.dev, 1)); /* another VM's device */
    xs_close(&o);
    assert_err(EINVAL, xs_connect(&t, 0, t.dev, IOE_KVM_MAX_VCPU_IDS)); /* >= NR_SERVERS */
    assert_ok(xs_connect(&t, 0, t.dev, 7));
    assert_err(EBUSY, xs_connect(&t, 0, t.dev, 8));  /* connected already */
    assert_err(EEXIST, xs_connect(&t, 1, t.dev, 7)); /* the server is taken */
    assert_ok(xs_connect(&t, 1, t.dev, 9));
    /* the queues live at the top 256 MiB below 2^48 of the VM's DMA space: no slot there */
    struct kvm_userspace_memory_region m = {.slot = 1,
                                            .guest_phys_addr = (1ull << 48) - (256ull << 20),
                                            .memory_size = 0x10000,
                                            .userspace_addr = (uint64_t)(uintptr_t)t.ram};
    assert_err(EEXIST, ioe_ioctl(t.vm, KVM_SET_USER_MEMORY_REGION, &m));
    m.guest_phys_addr -= 0x10000; /* just below is guest RAM as any */
    assert_ok(ioe_ioctl(t.vm, KVM_SET_USER_MEMORY_REGION, &m));
    xs_close(&t);
}

/* ------------------------------------------------------------------ the ICP state */
static void test_icp_state(void **state)
{
    struct xsvm t;
    xs_open(&t, *state, 2, false);
    uint64_t v = 0;
    assert_err(ENXIO, xs_icp(&t, 0, KVM_GET_ONE_REG, &v));
    assert_err(EFAULT, xs_icp(&t, 0, KVM_SET_ONE_REG, (uint64_t *)(uintptr_t)BAD_PTR));
    assert_err(ENXIO, xs_icp(&t, 0, KVM_SET_ONE_REG, &v)); /* copied first, then ENXIO */
    assert_ok(xs_connect(&t, 0, t.dev, 1));
    assert_ok(xs_connect(&t, 1, t.dev, 4));
    /* CPPR 0, XISR 0, MFRR 0xff, PPRI 0xff: XICS-on-XIVE never reports an XISR */
    assert_int_equal(xs_icp_get(&t, 0), 0x00000000ffff0000ull);
    assert_err(EFAULT, xs_icp(&t, 0, KVM_GET_ONE_REG, (uint64_t *)(uintptr_t)BAD_PTR));
    /* VP_STATE is not this vCPU's register */
    uint8_t vp[16] = {0};
    struct kvm_one_reg r = {.id = KVM_REG_PPC_VP_STATE, .addr = (uint64_t)(uintptr_t)vp};
    assert_err(EPERM, ioe_ioctl(t.vcpu[0], KVM_GET_ONE_REG, &r));
    /* SET: CPPR 0xff, MFRR 5 < CPPR fires the IPI */
    assert_false(xs_readable(&t, 0));
    v = 0xffull << 56 | 0x05ull << 24 | 0x77ull << 16; /* PPRI is not used */
    assert_ok(xs_icp(&t, 0, KVM_SET_ONE_REG, &v));
    assert_int_equal(xs_icp_get(&t, 0), 0xff00000005ff0000ull);
    assert_true(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 0), 0xff000002u);
    assert_int_equal(xs_icp_get(&t, 0), 0x0500000005ff0000ull); /* CPPR = the IPI's */
    assert_false(xs_readable(&t, 0));
    /* an XISR of a source not restored yet is kept until the source is: then pending */
    v = 0xffull << 56 | 0x20ull << 32 | 0xffull << 24;
    assert_ok(xs_icp(&t, 1, KVM_SET_ONE_REG, &v));
    assert_false(xs_readable(&t, 1));
    assert_ok(xs_set_source(&t, 0x20, xs_state(4, 5, KVM_XICS_PRESENTED)));
    assert_true(xs_readable(&t, 1));
    assert_int_equal(xs_xirr(&t, 1), 0xff000020u);
    xs_eoi(&t, 1, 0xff000020u);
    assert_false(xs_readable(&t, 1));
    /* an XISR of a restored source re-sends it at once */
    assert_ok(xs_icp(&t, 1, KVM_SET_ONE_REG, &v));
    assert_true(xs_readable(&t, 1));
    assert_int_equal(xs_xirr(&t, 1), 0xff000020u);
    xs_close(&t);
}

/* ------------------------------------------------------------------ QEMU pseries' sequence */
static void test_msi(void **state)
{
    struct xsvm t;
    xs_open(&t, *state, 2, true);
    /* reset: sources masked at priority 0xff (ics_set_kvm_state) */
    for (uint32_t irq = 0x1000; irq < 0x1004; irq++)
        assert_ok(xs_set_source(&t, irq, xs_state(0, 0xff, KVM_XICS_MASKED)));
    /* the guest: ibm,set-xive 0x1000 -> server of vCPU 1, priority 5; H_CPPR 0xff */
    assert_ok(xs_set_source(&t, 0x1000, xs_state(t.server[1], 5, 0)));
    uint64_t w[4];
    xs_save(&t, 0x1000, 4, w); /* KVM collects the state when every source is read */
    assert_int_equal(w[0], xs_state(t.server[1], 5, 0));
    assert_int_equal(w[3], xs_state(0, 0xff, KVM_XICS_MASKED));
    for (int c = 0; c < 2; c++)
        assert_int_equal(xs_hcall(&t, c, H_CPPR, 0xff, 0, NULL), H_SUCCESS);
    assert_int_equal(xs_xirr(&t, 1), 0xff000000u); /* nothing yet */
    /* an MSI: KVM_INTERRUPT_SET */
    xs_line(&t, 0x1000, KVM_INTERRUPT_SET);
    assert_true(xs_readable(&t, 1));
    assert_false(xs_readable(&t, 0));
    uint64_t r[9];
    assert_int_equal(xs_hcall(&t, 1, H_IPOLL, t.server[1], 0, r), H_SUCCESS);
    assert_int_equal((uint32_t)r[0], 0xff001000u); /* a peek */
    assert_int_equal(xs_hcall(&t, 0, H_IPOLL, t.server[1], 0, r), H_SUCCESS);
    assert_int_equal((uint32_t)r[0], 0xff001000u); /* another vCPU's view */
    assert_int_equal(xs_xirr(&t, 1), 0xff001000u);
    assert_false(xs_readable(&t, 1));
    /* while presented: two more coalesce into one (Q) */
    xs_line(&t, 0x1000, KVM_INTERRUPT_SET);
    xs_line(&t, 0x1000, 1);
    assert_false(xs_readable(&t, 1));
    xs_save(&t, 0x1000, 4, w);
    assert_int_equal(w[0], xs_state(t.server[1], 5, KVM_XICS_PRESENTED | KVM_XICS_QUEUED));
    xs_eoi(&t, 1, 0xff001000u); /* the queued one comes back */
    assert_true(xs_readable(&t, 1));
    assert_int_equal(xs_hcall(&t, 1, H_XIRR_X, 0, 0, r), H_SUCCESS);
    assert_int_equal((uint32_t)r[0], 0xff001000u);
    assert_true(r[1] > 0); /* the timebase */
    xs_eoi(&t, 1, 0xff001000u);
    assert_false(xs_readable(&t, 1));
    assert_int_equal(xs_xirr(&t, 1), 0xff000000u);
    /* level 0 and UNSET do nothing for an MSI; an unknown source is ignored (status) */
    xs_line(&t, 0x1000, 0);
    xs_line(&t, 0x1000, KVM_INTERRUPT_UNSET);
    xs_line(&t, 0x1001, KVM_INTERRUPT_SET); /* masked: held (Q) */
    xs_line(&t, 0x1234, KVM_INTERRUPT_SET);
    xs_line(&t, 5, KVM_INTERRUPT_SET);
    assert_false(xs_readable(&t, 0) || xs_readable(&t, 1));
    /* KVM_IRQ_LINE_STATUS: kvm_set_irq's result in the status, 0 or -EINVAL */
    struct kvm_irq_level st = {.irq = 0x1234, .level = 0};
    assert_ok(ioe_ioctl(t.vm, KVM_IRQ_LINE_STATUS, &st));
    assert_int_equal(st.status, -EINVAL);
    st = (struct kvm_irq_level){.irq = 0x1000, .level = 0};
    assert_ok(ioe_ioctl(t.vm, KVM_IRQ_LINE_STATUS, &st));
    assert_int_equal(st.status, 0);
    /* KVM's save reports the P and Q kept when the source was masked, not the one held
     * since: a stream restores it with QUEUED to have it delivered */
    xs_save(&t, 0x1000, 4, w);
    assert_int_equal(w[1], xs_state(0, 0xff, KVM_XICS_MASKED));
    assert_ok(xs_set_source(&t, 0x1001, xs_state(t.server[0], 4, KVM_XICS_QUEUED)));
    assert_true(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 0), 0xff001001u);
    xs_eoi(&t, 0, 0xff001001u);
    /* retargeting to another vCPU moves the next interrupt */
    assert_ok(xs_set_source(&t, 0x1000, xs_state(t.server[0], 3, 0)));
    xs_line(&t, 0x1000, KVM_INTERRUPT_SET);
    assert_false(xs_readable(&t, 1));
    assert_true(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 0), 0xff001000u);
    xs_eoi(&t, 0, 0xff001000u);
    /* H_EOI of a source in no block: H_PARAMETER (the CPPR is still taken) */
    assert_int_equal(xs_hcall(&t, 0, H_EOI, 0x05012345u, 0, NULL), H_PARAMETER);
    assert_int_equal(xs_icp_get(&t, 0) >> 56, 5);
    xs_close(&t);
}

static void test_lsi(void **state)
{
    struct xsvm t;
    xs_open(&t, *state, 1, true);
    const uint32_t irq = 0x20;
    assert_ok(xs_set_source(&t, irq, xs_state(t.server[0], 5, KVM_XICS_LEVEL_SENSITIVE)));
    assert_int_equal(xs_hcall(&t, 0, H_CPPR, 0xff, 0, NULL), H_SUCCESS);
    xs_line(&t, irq, 1); /* level 1 of an LSI asserts */
    assert_true(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 0), 0xff000020u);
    assert_int_equal(xs_get_source(&t, irq), /* the only source: a whole save */
                     xs_state(t.server[0], 5, KVM_XICS_LEVEL_SENSITIVE | KVM_XICS_PENDING));
    xs_eoi(&t, 0, 0xff000020u); /* still asserted: presented again */
    assert_true(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 0), 0xff000020u);
    xs_line(&t, irq, KVM_INTERRUPT_UNSET);
    xs_eoi(&t, 0, 0xff000020u);
    assert_false(xs_readable(&t, 0));
    assert_int_equal(xs_get_source(&t, irq), xs_state(t.server[0], 5, KVM_XICS_LEVEL_SENSITIVE));
    /* KVM_INTERRUPT_SET_LEVEL asserts too, level 0 deasserts */
    xs_line(&t, irq, KVM_INTERRUPT_SET_LEVEL);
    assert_int_equal(xs_xirr(&t, 0), 0xff000020u);
    xs_line(&t, irq, 0);
    xs_eoi(&t, 0, 0xff000020u);
    assert_false(xs_readable(&t, 0));
    /* an LSI restored asserted (PENDING) fires on restore */
    assert_ok(xs_set_source(&t, irq,
                            xs_state(t.server[0], 5, KVM_XICS_LEVEL_SENSITIVE | KVM_XICS_PENDING)));
    assert_true(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 0), 0xff000020u);
    xs_close(&t);
}

/* ------------------------------------------------------------------ IPIs and CPPR */
static void test_ipi(void **state)
{
    struct xsvm t;
    xs_open(&t, *state, 3, true);
    for (int c = 0; c < 3; c++)
        assert_int_equal(xs_hcall(&t, c, H_CPPR, 0xff, 0, NULL), H_SUCCESS);
    /* vCPU 0 -> vCPU 2 */
    assert_int_equal(xs_hcall(&t, 0, H_IPI, t.server[2], 5, NULL), H_SUCCESS);
    assert_false(xs_readable(&t, 0) || xs_readable(&t, 1));
    assert_true(xs_readable(&t, 2));
    assert_int_equal(xs_icp_get(&t, 2), 0xff00000005ff0000ull);
    assert_int_equal(xs_xirr(&t, 2), 0xff000002u);
    /* Linux's IPI handler: MFRR back to 0xff, then EOI */
    assert_int_equal(xs_hcall(&t, 2, H_IPI, t.server[2], 0xff, NULL), H_SUCCESS);
    xs_eoi(&t, 2, 0xff000002u);
    assert_false(xs_readable(&t, 2));
    assert_int_equal(xs_xirr(&t, 2), 0xff000000u);
    /* an IPI less favoured than the target's CPPR waits for the CPPR to drop */
    assert_int_equal(xs_hcall(&t, 1, H_CPPR, 4, 0, NULL), H_SUCCESS);
    assert_int_equal(xs_hcall(&t, 0, H_IPI, t.server[1], 6, NULL), H_SUCCESS);
    assert_false(xs_readable(&t, 1));
    assert_int_equal(xs_xirr(&t, 1), 0x04000000u);
    assert_int_equal(xs_hcall(&t, 1, H_CPPR, 0xff, 0, NULL), H_SUCCESS);
    assert_true(xs_readable(&t, 1));
    assert_int_equal(xs_xirr(&t, 1), 0xff000002u);
    assert_int_equal(xs_hcall(&t, 1, H_IPI, t.server[1], 0xff, NULL), H_SUCCESS);
    xs_eoi(&t, 1, 0xff000002u);
    /* an IPI beats an interrupt of the same priority; KVM compares the whole MFRR */
    assert_ok(xs_set_source(&t, 0x40, xs_state(t.server[1], 5, 0)));
    xs_line(&t, 0x40, KVM_INTERRUPT_SET);
    assert_int_equal(xs_hcall(&t, 0, H_IPI, t.server[1], 5, NULL), H_SUCCESS);
    assert_int_equal(xs_xirr(&t, 1), 0xff000002u);
    assert_int_equal(xs_hcall(&t, 1, H_IPI, t.server[1], 0xff, NULL), H_SUCCESS);
    xs_eoi(&t, 1, 0xff000002u);
    assert_int_equal(xs_xirr(&t, 1), 0xff000040u);
    xs_eoi(&t, 1, 0xff000040u);
    assert_int_equal(xs_hcall(&t, 0, H_IPI, t.server[1], 0x105, NULL), H_SUCCESS);
    assert_false(xs_readable(&t, 1)); /* 0x105 >= CPPR 0xff: not sent, MFRR = 5 */
    assert_int_equal(xs_icp_get(&t, 1), 0xff00000005ff0000ull);
    /* H_PARAMETER for an unknown server; H_UNSUPPORTED for another hcall */
    assert_int_equal(xs_hcall(&t, 0, H_IPI, 2, 5, NULL), H_PARAMETER);
    assert_int_equal(xs_hcall(&t, 0, H_IPOLL, 2, 0, NULL), H_PARAMETER);
    assert_int_equal(xs_hcall(&t, 0, 0x4, 0, 0, NULL), H_UNSUPPORTED);
    struct ioe_ppc_hcall h = {.nr = H_XIRR};
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], IOE_PPC_HCALL, (void *)(uintptr_t)BAD_PTR));
    xs_close(&t);
    /* a vCPU not connected: H_TOO_HARD; a VM without XICS: ENXIO */
    xs_open(&t, *state, 1, false);
    assert_int_equal(xs_hcall(&t, 0, H_XIRR, 0, 0, NULL), H_TOO_HARD);
    ioe_close(t.dev);
    assert_err(ENXIO, ioe_ioctl(t.vcpu[0], IOE_PPC_HCALL, &h));
    t.dev = -1;
    xs_close(&t);
}

static void test_cppr(void **state)
{
    struct xsvm t;
    xs_open(&t, *state, 2, true);
    const uint32_t a = 0x30, b = 0x31, c = 0x32;
    assert_ok(xs_set_source(&t, a, xs_state(t.server[0], 5, 0)));
    assert_ok(xs_set_source(&t, b, xs_state(t.server[0], 2, 0)));
    assert_ok(xs_set_source(&t, c, xs_state(t.server[0], 0x80, 0))); /* the host's 6 */
    assert_int_equal(xs_hcall(&t, 0, H_CPPR, 5, 0, NULL), H_SUCCESS);
    xs_line(&t, a, KVM_INTERRUPT_SET);
    xs_line(&t, c, KVM_INTERRUPT_SET);
    assert_false(xs_readable(&t, 0)); /* 5 and 6 are not more favoured than CPPR 5 */
    assert_int_equal(xs_xirr(&t, 0), 0x05000000u);
    xs_line(&t, b, KVM_INTERRUPT_SET);
    assert_true(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 0), 0x05000031u);
    /* EOI back to CPPR 0xff: the ones held behind come in priority order */
    xs_eoi(&t, 0, 0xff000031u);
    assert_true(xs_readable(&t, 0));
    assert_int_equal(xs_xirr(&t, 0), 0xff000030u);
    assert_int_equal(xs_xirr(&t, 0), 0x05000000u); /* nothing above priority 5 */
    xs_eoi(&t, 0, 0xff000030u);
    assert_int_equal(xs_xirr(&t, 0), 0xff000032u);
    xs_eoi(&t, 0, 0xff000032u);
    assert_false(xs_readable(&t, 0));
    /* masking more (H_CPPR) sends queued interrupts of a retargeted source to the new
     * target: a fires on vCPU 0 (queued, not taken), is moved to vCPU 1, then vCPU 0 drops
     * its CPPR */
    assert_int_equal(xs_hcall(&t, 1, H_CPPR, 0xff, 0, NULL), H_SUCCESS);
    xs_line(&t, a, KVM_INTERRUPT_SET);
    assert_true(xs_readable(&t, 0));
    assert_ok(xs_set_source(&t, a, xs_state(t.server[1], 5, 0)));
    assert_false(xs_readable(&t, 1));
    assert_int_equal(xs_hcall(&t, 0, H_CPPR, 0, 0, NULL), H_SUCCESS);
    assert_true(xs_readable(&t, 1));
    assert_int_equal(xs_xirr(&t, 1), 0xff000030u);
    xs_eoi(&t, 1, 0xff000030u);
    assert_int_equal(xs_hcall(&t, 0, H_CPPR, 0xff, 0, NULL), H_SUCCESS);
    assert_int_equal(xs_xirr(&t, 0), 0xff000000u); /* only a dummy is left on vCPU 0 */
    xs_close(&t);
}

/* ------------------------------------------------------------------ in-kernel RTAS */
static void test_rtas(void **state)
{
    struct xsvm t;
    xs_open(&t, *state, 2, true);
    uint32_t r[3], args[3] = {0};
    const uint32_t irq = 0x1000;
    assert_int_equal(ioe_ioctl(t.vm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_RTAS), 1);
    /* no token defined: the hypervisor's RTAS */
    assert_int_equal(xs_rtas(&t, 0, 0x2001, 3, 1, args, r), H_TOO_HARD);
    /* KVM_PPC_RTAS_DEFINE_TOKEN: EFAULT, ENOENT (a call KVM has not), EEXIST (the token) */
    assert_err(EFAULT, ioe_ioctl(t.vm, KVM_PPC_RTAS_DEFINE_TOKEN, BAD_PTR));
    assert_err(ENOENT, xs_define_token(&t, "ibm,set-xive-x", 0x2001));
    assert_ok(xs_define_token(&t, "ibm,set-xive", 0x2001));
    assert_err(EEXIST, xs_define_token(&t, "ibm,get-xive", 0x2001));
    assert_ok(xs_define_token(&t, "ibm,get-xive", 0x2002));
    assert_ok(xs_define_token(&t, "ibm,int-off", 0x2003));
    assert_ok(xs_define_token(&t, "ibm,int-on", 0x2004));
    assert_ok(xs_define_token(&t, "ibm,int-on", 0)); /* undefined, and again: no error */
    assert_ok(xs_define_token(&t, "ibm,int-on", 0));
    assert_ok(xs_define_token(&t, "ibm,int-on", 0x2004));
    /* ibm,set-xive of a source QEMU reset masked: delivered at priority 5 */
    assert_ok(xs_set_source(&t, irq, xs_state(0, 0xff, KVM_XICS_MASKED)));
    assert_int_equal(xs_hcall(&t, 1, H_CPPR, 0xff, 0, NULL), H_SUCCESS);
    args[0] = irq, args[1] = t.server[1], args[2] = 5;
    assert_int_equal(xs_rtas(&t, 0, 0x2001, 3, 1, args, r), H_SUCCESS);
    assert_int_equal(r[0], 0);
    xs_line(&t, irq, KVM_INTERRUPT_SET);
    assert_int_equal(xs_xirr(&t, 1), 0xff001000u);
    xs_eoi(&t, 1, 0xff001000u);
    assert_int_equal(xs_rtas(&t, 0, 0x2002, 1, 3, args, r), H_SUCCESS); /* ibm,get-xive */
    assert_int_equal(r[0], 0);
    assert_int_equal(r[1], t.server[1]);
    assert_int_equal(r[2], 5);
    /* ibm,int-off holds it, ibm,int-on delivers it at the saved priority */
    assert_int_equal(xs_rtas(&t, 0, 0x2003, 1, 1, args, r), H_SUCCESS);
    assert_int_equal(r[0], 0);
    xs_line(&t, irq, KVM_INTERRUPT_SET);
    assert_false(xs_readable(&t, 1));
    assert_int_equal(xs_rtas(&t, 0, 0x2002, 1, 3, args, r), H_SUCCESS);
    assert_int_equal(r[2], 0xff);
    assert_int_equal(xs_rtas(&t, 0, 0x2004, 1, 1, args, r), H_SUCCESS);
    assert_int_equal(r[0], 0);
    assert_true(xs_readable(&t, 1));
    assert_int_equal(xs_xirr(&t, 1), 0xff001000u);
    xs_eoi(&t, 1, 0xff001000u);
    /* failures in rets[0]: -3 for a wrong argument count or a source in no block */
    assert_int_equal(xs_rtas(&t, 0, 0x2002, 2, 3, args, r), H_SUCCESS);
    assert_int_equal(r[0], (uint32_t)-3);
    args[0] = 0x5000;
    assert_int_equal(xs_rtas(&t, 0, 0x2003, 1, 1, args, r), H_SUCCESS);
    assert_int_equal(r[0], (uint32_t)-3);
    /* an unknown token: the hypervisor's; nargs >= 16 or args outside RAM fail the request */
    assert_int_equal(xs_rtas(&t, 0, 0x7777, 1, 1, args, r), H_TOO_HARD);
    put_be32(t.ram + (RTAS_GPA - RAM_GPA) + 4, 16);
    struct ioe_ppc_hcall h = {.nr = H_RTAS, .args = {RTAS_GPA}};
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], IOE_PPC_HCALL, &h));
    h.args[0] = 0x80000000; /* no guest RAM there */
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], IOE_PPC_HCALL, &h));
    xs_close(&t);
}

/* ------------------------------------------------------------------ migration */
#define NSRC 6
static const uint32_t mig_irq[NSRC] = {0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1405};

static void test_migrate(void **state)
{
    const struct tt_pair *p = *state;
    struct xsvm s, d;
    xs_open(&s, p->src, 2, true);
    for (int c = 0; c < 2; c++)
        assert_int_equal(xs_hcall(&s, c, H_CPPR, 0xff, 0, NULL), H_SUCCESS);
    /* 0x1000 MSI queued on vCPU 0, not taken; 0x1001 taken by vCPU 0 (P set); 0x1002
     * masked with one held (Q); 0x1003 LSI asserted, taken by vCPU 1; 0x1004 idle at
     * priority 3; 0x1405 (another block) masked and idle */
    assert_ok(xs_set_source(&s, 0x1000, xs_state(s.server[0], 5, 0)));
    assert_ok(xs_set_source(&s, 0x1001, xs_state(s.server[0], 4, 0)));
    assert_ok(xs_set_source(&s, 0x1002, xs_state(s.server[1], 5, 0)));
    assert_ok(xs_set_source(&s, 0x1003, xs_state(s.server[1], 5, KVM_XICS_LEVEL_SENSITIVE)));
    assert_ok(xs_set_source(&s, 0x1004, xs_state(s.server[1], 3, 0)));
    assert_ok(xs_set_source(&s, 0x1405, xs_state(s.server[0], 2, KVM_XICS_MASKED)));
    xs_line(&s, 0x1001, KVM_INTERRUPT_SET);
    assert_int_equal(xs_xirr(&s, 0), 0xff001001u);
    xs_line(&s, 0x1000, KVM_INTERRUPT_SET);
    assert_ok(xs_set_source(&s, 0x1002, xs_state(s.server[1], 5, KVM_XICS_MASKED)));
    xs_line(&s, 0x1002, KVM_INTERRUPT_SET);
    xs_line(&s, 0x1003, 1);
    assert_int_equal(xs_xirr(&s, 1), 0xff001003u);
    assert_int_equal(xs_hcall(&s, 0, H_IPI, s.server[1], 6, NULL), H_SUCCESS); /* MFRR 6 */
    /* save, QEMU's order: the ICP of every vCPU, then the sources */
    uint64_t icp[2], src[NSRC];
    for (int c = 0; c < 2; c++)
        icp[c] = xs_icp_get(&s, c);
    for (int i = 0; i < NSRC; i++)
        src[i] = xs_get_source(&s, mig_irq[i]);
    assert_int_equal(icp[0], 0x04000000ffff0000ull);
    assert_int_equal(icp[1], 0x0500000006ff0000ull);
    assert_int_equal(src[0], xs_state(s.server[0], 5, KVM_XICS_PRESENTED | KVM_XICS_PENDING));
    assert_int_equal(src[1], xs_state(s.server[0], 4, KVM_XICS_PRESENTED));
    assert_int_equal(src[2], xs_state(s.server[1], 5, KVM_XICS_MASKED)); /* see test_msi */
    assert_int_equal(src[3], xs_state(s.server[1], 5, KVM_XICS_LEVEL_SENSITIVE | KVM_XICS_PENDING));
    assert_int_equal(src[4], xs_state(s.server[1], 3, 0));
    assert_int_equal(src[5], xs_state(s.server[0], 2, KVM_XICS_MASKED)); /* targeted, masked */
    /* the save left the source as it was: saving again gives the same words */
    for (int i = 0; i < NSRC; i++)
        assert_int_equal(xs_get_source(&s, mig_irq[i]), src[i]);
    xs_close(&s);

    /* restore on the destination: NR_SERVERS, connections, ICPs, then the sources */
    xs_open(&d, p->dst, 2, true);
    for (int c = 0; c < 2; c++)
        assert_ok(xs_icp(&d, c, KVM_SET_ONE_REG, &icp[c]));
    for (int i = 0; i < NSRC; i++)
        assert_ok(xs_set_source(&d, mig_irq[i], src[i]));
    for (int c = 0; c < 2; c++)
        assert_int_equal(xs_icp_get(&d, c), icp[c]);
    for (int i = 0; i < NSRC; i++)
        assert_int_equal(xs_get_source(&d, mig_irq[i]), src[i]);
    /* the guest goes on: vCPU 0 EOIs 0x1001 and then takes the queued 0x1000 */
    assert_false(xs_readable(&d, 0));
    xs_eoi(&d, 0, 0xff001001u);
    assert_true(xs_readable(&d, 0));
    assert_int_equal(xs_xirr(&d, 0), 0xff001000u);
    xs_eoi(&d, 0, 0xff001000u);
    assert_false(xs_readable(&d, 0));
    /* vCPU 1: the LSI restored asserted was re-sent, and its EOI re-triggers it while it
     * stays asserted: two more before the IPI at MFRR 6, as on KVM */
    xs_eoi(&d, 1, 0xff001003u);
    assert_int_equal(xs_xirr(&d, 1), 0xff001003u);
    xs_line(&d, 0x1003, 0);
    xs_eoi(&d, 1, 0xff001003u);
    assert_int_equal(xs_xirr(&d, 1), 0xff001003u);
    xs_eoi(&d, 1, 0xff001003u);
    assert_int_equal(xs_xirr(&d, 1), 0xff000002u);
    assert_int_equal(xs_hcall(&d, 1, H_IPI, d.server[1], 0xff, NULL), H_SUCCESS);
    xs_eoi(&d, 1, 0xff000002u);
    /* 0x1002 comes back masked, nothing held; unmasked, it works */
    assert_ok(xs_set_source(&d, 0x1002, xs_state(d.server[1], 5, 0)));
    assert_int_equal(xs_xirr(&d, 1), 0xff000000u);
    xs_line(&d, 0x1002, KVM_INTERRUPT_SET);
    assert_int_equal(xs_xirr(&d, 1), 0xff001002u);
    xs_close(&d);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_create),
        TT_TARGET_TEST(test_attrs),
        TT_TARGET_TEST(test_source_exhaustion),
        TT_TARGET_TEST(test_connect),
        TT_TARGET_TEST(test_icp_state),
        TT_TARGET_TEST(test_msi),
        TT_TARGET_TEST(test_lsi),
        TT_TARGET_TEST(test_ipi),
        TT_TARGET_TEST(test_cppr),
        TT_TARGET_TEST(test_rtas),
        TT_PAIR_TEST(test_migrate),
    };
    return tt_run_tests("xics_api", tests, NULL, NULL);
}
