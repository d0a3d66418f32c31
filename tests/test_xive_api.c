/*
 * KVM_DEV_TYPE_XIVE of libioe against the reference (kvm-ppc-s390-abi.md §0.3 and §1,
 * Documentation/virt/kvm/devices/xive.rst) and docs/xive.md: every attribute and errno row
 * in KVM's order of checks, the vCPU connection, VP_STATE, the ESB pages (every PQ
 * transition at every offset), the TIMA OS ring, event queues read the way a guest OS
 * reads them, queue overflow, and LSIs through KVM_IRQ_LINE. Every test runs on each target
 * of IOE_TEST_TARGETS (tests/targets.h; soft and sim by default); the consumer's event order
 * is seeded (--seed, IOE_TEST_SEED).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "xive_util.h"

#include "targets.h"

#define SET KVM_SET_DEVICE_ATTR
#define GET KVM_GET_DEVICE_ATTR
#define HAS KVM_HAS_DEVICE_ATTR

/* ------------------------------------------------------------------ create (ref 1.5) */
static void test_create(void **state)
{
    const char *target = *state;
    int kvm = ioe_open_host(target, "ppc64", NULL);
    int vm = ioe_ioctl(kvm, KVM_CREATE_VM, 0);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_XIVE, .flags = KVM_CREATE_DEVICE_TEST};
    assert_ok(ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
    cd.flags = 0;
    assert_ok(ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
    int dev = (int)cd.fd;
    /* one XIVE device per VM; the probe still answers 0 */
    assert_err(EEXIST, ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
    cd.flags = KVM_CREATE_DEVICE_TEST;
    assert_ok(ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
    /* closing the descriptor releases the device (kvmppc_xive_native_release): a new one
     * can be created */
    ioe_close(dev);
    cd.flags = 0;
    assert_ok(ioe_ioctl(vm, KVM_CREATE_DEVICE, &cd));
    /* unknown requests on the device fd */
    assert_err(ENOTTY, ioe_ioctl((int)cd.fd, KVM_RUN, 0));
    ioe_close((int)cd.fd);
    /* a POWER9 host has no GICv3 device type, an arm64 host no XIVE (host personas) */
    struct kvm_create_device g = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
    assert_err(ENODEV, ioe_ioctl(vm, KVM_CREATE_DEVICE, &g));
    int arm = ioe_open_host(target, "arm64", NULL);
    int vm2 = ioe_ioctl(arm, KVM_CREATE_VM, 0);
    cd.flags = KVM_CREATE_DEVICE_TEST;
    assert_err(ENODEV, ioe_ioctl(vm2, KVM_CREATE_DEVICE, &cd));
    assert_int_equal(ioe_ioctl(arm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_IRQ_XIVE), 0);
    assert_int_equal(ioe_ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_PPC_IRQ_XIVE), 1);
    ioe_close(vm2);
    ioe_close(arm);
    ioe_close(vm);
    ioe_close(kvm);
}

/* ------------------------------------------------------------------ has_attr (ref 1.2) */
static void test_has_attr(void **state)
{
    const char *target = *state;
    struct xvm t;
    xive_open(&t, target, 1, false);
    static const struct {
        uint32_t group;
        uint64_t attr;
        int err;
    } rows[] = {
        {KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_RESET, 0},
        {KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_EQ_SYNC, 0},
        {KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, 0},
        {KVM_DEV_XIVE_GRP_CTRL, 0, ENXIO},
        {KVM_DEV_XIVE_GRP_CTRL, 4, ENXIO},
        {KVM_DEV_XIVE_GRP_SOURCE, 0, 0},
        {KVM_DEV_XIVE_GRP_SOURCE, 0xfffff, 0},
        {KVM_DEV_XIVE_GRP_SOURCE, 0x100000, ENXIO},
        {KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 0xfffff, 0},
        {KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 0x100000, ENXIO},
        {KVM_DEV_XIVE_GRP_SOURCE_SYNC, 77, 0},
        {KVM_DEV_XIVE_GRP_SOURCE_SYNC, ~0ull, ENXIO},
        {KVM_DEV_XIVE_GRP_EQ_CONFIG, 0, 0},
        {KVM_DEV_XIVE_GRP_EQ_CONFIG, ~0ull, 0}, /* no validation */
        {0, 0, ENXIO},
        {6, 0, ENXIO},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (rows[i].err)
            assert_err(rows[i].err, xattr(t.dev, HAS, rows[i].group, rows[i].attr, NULL));
        else
            assert_ok(xattr(t.dev, HAS, rows[i].group, rows[i].attr, NULL));
    }
    /* GET exists only for EQ_CONFIG; SET of an unknown group or CTRL attr */
    uint64_t v = 0;
    assert_err(ENXIO, xattr(t.dev, GET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, &v));
    assert_err(ENXIO, xattr(t.dev, GET, KVM_DEV_XIVE_GRP_SOURCE, 0, &v));
    assert_err(ENXIO, xattr(t.dev, GET, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 0, &v));
    assert_err(ENXIO, xattr(t.dev, GET, KVM_DEV_XIVE_GRP_SOURCE_SYNC, 0, &v));
    assert_err(ENXIO, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, 9, &v));
    assert_err(ENXIO, xattr(t.dev, SET, 9, 0, &v));
    /* the attribute struct itself (ref 0.2/3) */
    assert_err(EFAULT, ioe_ioctl(t.dev, KVM_SET_DEVICE_ATTR, BAD_PTR));
    assert_err(EFAULT, ioe_ioctl(t.dev, KVM_HAS_DEVICE_ATTR, BAD_PTR));
    xive_close(&t);
}

/* ------------------------------------------------------------------ CTRL (ref 1.3) */
static void test_ctrl(void **state)
{
    const char *target = *state;
    struct xvm t;
    xive_open(&t, target, 2, false);
    uint32_t n = 0;
    /* RESET and EQ_SYNC ignore addr and always succeed */
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_RESET, BAD_PTR));
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_EQ_SYNC, BAD_PTR));
    /* NR_SERVERS: EFAULT, then EINVAL (0, > KVM_MAX_VCPU_IDS), then EBUSY */
    assert_err(EFAULT, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, BAD_PTR));
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, &n));
    n = IOE_KVM_MAX_VCPU_IDS + 1;
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, &n));
    n = 4;
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, &n));
    /* server 4 is beyond NR_SERVERS (before the VP block exists: NR_SERVERS still free) */
    assert_err(EINVAL, xive_connect(&t, 0, t.dev, 4));
    n = IOE_KVM_MAX_VCPU_IDS;
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, &n));
    assert_ok(xive_connect(&t, 0, t.dev, 4));
    n = 8;
    assert_err(EBUSY, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, &n));
    n = 0; /* EINVAL before EBUSY, EFAULT before both */
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, &n));
    assert_err(EFAULT, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS, BAD_PTR));
    xive_close(&t);
}

/* ------------------------------------------------------------------ vCPU connect (ref 0.3, 1.6) */
static void test_connect(void **state)
{
    const char *target = *state;
    struct xvm t, o;
    xive_open(&t, target, 3, false);
    xive_open(&o, target, 1, false);
    /* the card has XIVE sources: the capability is there on the system and VM fds */
    assert_int_equal(ioe_ioctl(t.kvm, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_PPC_IRQ_XIVE), 1);
    assert_int_equal(ioe_ioctl(t.vm, KVM_CHECK_EXTENSION, (unsigned long)KVM_CAP_PPC_IRQ_XIVE), 1);
    struct kvm_enable_cap cap = {.cap = KVM_CAP_PPC_IRQ_XIVE};
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], KVM_ENABLE_CAP, BAD_PTR));
    cap.flags = 1;
    cap.args[0] = (uint64_t)t.dev;
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], KVM_ENABLE_CAP, &cap));
    cap.flags = 0;
    cap.cap = KVM_CAP_IRQ_XICS; /* XICS's connect: the XIVE device is not its type */
    assert_err(EPERM, ioe_ioctl(t.vcpu[0], KVM_ENABLE_CAP, &cap));
    /* bad fd, then not a XIVE device, then another VM's device */
    int closed = dup(0);
    close(closed);
    assert_err(EBADF, xive_connect(&t, 0, closed, 0));
    assert_err(EBADF, xive_connect(&t, 0, -1, 0));
    int null = open("/dev/null", O_RDONLY);
    assert_err(EPERM, xive_connect(&t, 0, null, 0));
    close(null);
    assert_err(EPERM, xive_connect(&t, 0, t.vm, 0));
    assert_err(EPERM, xive_connect(&t, 0, t.vcpu[1], 0));
    assert_err(EPERM, xive_connect(&t, 0, o.dev, 0));
    /* server >= NR_SERVERS (default KVM_MAX_VCPUS) */
    assert_err(EINVAL, xive_connect(&t, 0, t.dev, IOE_KVM_MAX_VCPU_IDS));
    assert_ok(xive_connect(&t, 0, t.dev, 200));
    assert_err(EBUSY, xive_connect(&t, 0, t.dev, 201));                  /* already connected */
    assert_err(EBUSY, xive_connect(&t, 0, t.dev, IOE_KVM_MAX_VCPU_IDS)); /* EBUSY first */
    assert_err(EEXIST, xive_connect(&t, 1, t.dev, 200));                 /* server in use */
    assert_ok(xive_connect(&t, 1, t.dev, 0));
    assert_ok(xive_connect(&t, 2, t.dev, 511));
    /* releasing the device disconnects the vCPUs: they connect to the next one */
    ioe_close(t.dev);
    struct kvm_create_device cd = {.type = KVM_DEV_TYPE_XIVE};
    assert_ok(ioe_ioctl(t.vm, KVM_CREATE_DEVICE, &cd));
    t.dev = (int)cd.fd;
    assert_ok(xive_connect(&t, 0, t.dev, 200));
    xive_close(&o);
    xive_close(&t);
}

/* ------------------------------------------------------------------ VP_STATE (ref 1.7) */
static void test_vp_state(void **state)
{
    const char *target = *state;
    struct xvm t;
    xive_open(&t, target, 2, false);
    uint8_t v[16];
    struct kvm_one_reg r = {.id = KVM_REG_PPC_VP_STATE, .addr = (uint64_t)(uintptr_t)v};
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], KVM_GET_ONE_REG, BAD_PTR));
    assert_err(ENXIO, ioe_ioctl(t.vcpu[0], KVM_GET_ONE_REG, &r));
    memset(v, 0, sizeof(v));
    assert_err(ENXIO, ioe_ioctl(t.vcpu[0], KVM_SET_ONE_REG, &r));
    r.addr = (uint64_t)(uintptr_t)BAD_PTR; /* SET copies the value first */
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], KVM_SET_ONE_REG, &r));
    r.addr = (uint64_t)(uintptr_t)v;
    struct kvm_one_reg other = {.id = KVM_REG_PPC | KVM_REG_SIZE_U64 | 0x1234,
                                .addr = (uint64_t)(uintptr_t)v};
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], KVM_GET_ONE_REG, &other));
    assert_ok(xive_connect(&t, 0, t.dev, 1));
    /* after connect: ACK# 0xff, CPPR 0 (KVM's w01); PIPR derived from IPB = 0: 0xff */
    memset(v, 0x5a, sizeof(v));
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_GET_ONE_REG, &r));
    static const uint8_t fresh[16] = {0, 0, 0, 0, 0xff, 0, 0, 0xff};
    assert_memory_equal(v, fresh, 16);
    /* a context with pending priorities 2 and 5, CPPR 7 (PIPR 2 < CPPR: NSR raised) */
    static const uint8_t set[16] = {0x00, 0x07, 0x24, 0x00, 0xff, 0x00, 0x00, 0x00};
    memcpy(v, set, 16);
    assert_false(xive_readable(&t, 0));
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_SET_ONE_REG, &r));
    memset(v, 0, sizeof(v));
    r.addr = (uint64_t)(uintptr_t)BAD_PTR;
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], KVM_GET_ONE_REG, &r));
    r.addr = (uint64_t)(uintptr_t)v;
    assert_ok(ioe_ioctl(t.vcpu[0], KVM_GET_ONE_REG, &r));
    static const uint8_t got[16] = {0x80, 0x07, 0x24, 0x00, 0xff, 0x00, 0x00, 0x02};
    assert_memory_equal(v, got, 16);
    assert_true(xive_readable(&t, 0));
    /* the TIMA shows the same ring; acknowledge takes priority 2 */
    assert_int_equal(xive_qw1(&t, 0), 0x80072400ff000002ull);
    assert_int_equal(xive_tima(&t, 0, TM_QW1_OS + TM_IPB, 1, false, 0), 0x24);
    assert_int_equal(xive_tima(&t, 0, TM_SPC_ACK_OS_REG, 2, false, 0), 0x8002);
    assert_false(xive_readable(&t, 0));
    assert_int_equal(xive_qw1(&t, 0), 0x00020400ff000005ull);
    /* raising CPPR above 5 presents the other one (the returned CPPR is the acknowledged
     * priority) */
    xive_cppr(&t, 0, 0xff);
    assert_true(xive_readable(&t, 0));
    assert_int_equal(xive_tima(&t, 0, TM_SPC_ACK_OS_REG, 2, false, 0), 0x8005);
    assert_int_equal(xive_tima(&t, 0, TM_SPC_ACK_OS_REG, 2, false, 0), 0x0005);
    assert_false(xive_readable(&t, 0));
    /* SET_OS_PENDING */
    xive_cppr(&t, 0, 0xff);
    xive_tima(&t, 0, TM_SPC_SET_OS_PENDING, 1, true, 3);
    assert_true(xive_readable(&t, 0));
    assert_int_equal(xive_tima(&t, 0, TM_SPC_ACK_OS_REG, 2, false, 0), 0x8003);
    /* a CPPR above 7 reads as 0xff */
    xive_cppr(&t, 0, 9);
    assert_int_equal(xive_tima(&t, 0, TM_QW1_OS + TM_CPPR, 1, false, 0), 0xff);
    /* TIMA request rules */
    struct ioe_xive_tima m = {.offset = TM_QW1_OS, .len = 3};
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], IOE_XIVE_TIMA, &m));
    m.len = 4;
    m.offset = TM_QW1_OS + 2;
    assert_err(EINVAL, ioe_ioctl(t.vcpu[0], IOE_XIVE_TIMA, &m));
    assert_err(ENXIO, ioe_ioctl(t.vcpu[1], IOE_XIVE_TIMA, &m)); /* not connected */
    assert_err(EFAULT, ioe_ioctl(t.vcpu[0], IOE_XIVE_TIMA, BAD_PTR));
    xive_close(&t);
}

/* ------------------------------------------------------------------ SOURCE, SOURCE_CONFIG,
 * SOURCE_SYNC */
static void test_sources(void **state)
{
    const char *target = *state;
    struct xvm t;
    xive_open(&t, target, 3, true);
    uint64_t v = 0, cfg;
    /* GRP_SOURCE: E2BIG (before the payload), EFAULT, ENXIO (no hardware interrupt) */
    assert_err(E2BIG, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE, 0x100000, BAD_PTR));
    assert_err(EFAULT, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE, 10, BAD_PTR));
    assert_err(EFAULT, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE, 5000, BAD_PTR));
    assert_err(ENXIO, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE, 5000, &v));
    /* SOURCE_CONFIG / SOURCE_SYNC: no block ENOENT (before EFAULT); block but not
     * initialised EINVAL (the failed GRP_SOURCE above created block 4) */
    assert_err(ENOENT, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 9000, BAD_PTR));
    assert_err(ENOENT, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_SYNC, 9000, NULL));
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 5000, BAD_PTR));
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_SYNC, 5000, NULL));
    /* block 0 exists since the EFAULT above (KVM creates the block first) */
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 10, &v));
    assert_ok(xive_source(&t, 10, 0));
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 11, &v));
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_SYNC, 10, BAD_PTR));
    assert_err(EFAULT, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 10, BAD_PTR));
    /* the new source is masked with PQ 01 */
    assert_int_equal(xive_pq(&t, 10), 1);
    /* priority 7 */
    assert_err(EINVAL, xive_target(&t, 10, t.server[0], 7, 1, false));
    assert_err(EINVAL, xive_target(&t, 10, t.server[0], 7, 1, true));
    /* unknown server */
    assert_err(EINVAL, xive_target(&t, 10, 2, 3, 1, false));
    /* no queue for priority 3 anywhere: EBUSY */
    assert_err(EBUSY, xive_target(&t, 10, t.server[0], 3, 1, false));
    /* masked targeting needs no queue */
    assert_ok(xive_target(&t, 10, t.server[0], 3, 1, true));
    /* a queue on vCPU 2 only: KVM's fallback puts the source there */
    assert_ok(xive_eq_set(&t, 2, 3, 1, 0));
    xive_cppr(&t, 2, 0xff);
    assert_ok(xive_target(&t, 10, t.server[0], 3, 0x1234, false));
    xive_esb(&t, 10, true, XIVE_ESB_SET_PQ_00, false);
    xive_trigger(&t, 10);
    struct reader r;
    rd_init(&r, &t, 2, 3, 0, 0);
    assert_int_equal(rd_next(&r), 0x1234);
    assert_int_equal(rd_next(&r), -1);
    assert_true(xive_readable(&t, 2));
    assert_false(xive_readable(&t, 0));
    /* the early exit ignores the mask bit: same (server, prio, eisn) masked stays unmasked.
     * (the recorded server is the effective one) */
    assert_ok(xive_target(&t, 10, t.server[2], 3, 0x1234, true));
    xive_esb(&t, 10, true, XIVE_ESB_SET_PQ_00, false);
    xive_trigger(&t, 10);
    assert_int_equal(rd_next(&r), 0x1234);
    /* masked for real: the event is dropped, PQ untouched by SOURCE_CONFIG */
    assert_ok(xive_target(&t, 10, t.server[2], 3, 0x99, true));
    assert_int_equal(xive_pq(&t, 10), 2);
    xive_esb(&t, 10, true, XIVE_ESB_SET_PQ_00, false);
    xive_trigger(&t, 10);
    assert_int_equal(rd_next(&r), -1);
    assert_int_equal(xive_pq(&t, 10), 2);
    /* GRP_SOURCE again re-masks (PQ 01) and keeps the source valid */
    assert_ok(xive_target(&t, 10, t.server[2], 3, 0x77, false));
    assert_ok(xive_source(&t, 10, 0));
    assert_int_equal(xive_pq(&t, 10), 1);
    xive_esb(&t, 10, true, XIVE_ESB_SET_PQ_00, false);
    xive_trigger(&t, 10);
    assert_int_equal(rd_next(&r), -1);
    cfg = src_cfg(t.server[2], 3, 0x77, false);
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, 10, &cfg));
    xive_trigger(&t, 10); /* PQ was 10 from the dropped event: coalesced */
    assert_int_equal(rd_next(&r), -1);
    xive_esb(&t, 10, true, XIVE_ESB_SET_PQ_00, false);
    xive_trigger(&t, 10);
    assert_int_equal(rd_next(&r), 0x77);
    xive_close(&t);
}

/* ------------------------------------------------------------------ EQ_CONFIG (ref 1.3) */
static void test_eq_config(void **state)
{
    const char *target = *state;
    struct xvm t;
    xive_open(&t, target, 2, true);
    struct kvm_ppc_xive_eq eq, back;
    memset(&eq, 0, sizeof(eq));
    uint32_t s0 = t.server[0];
    /* copy first, then server (ENOENT) before priority (EINVAL) */
    assert_err(EFAULT, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(99, 7), BAD_PTR));
    assert_err(ENOENT, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(99, 7), &eq));
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 7), &eq));
    /* qshift 0: reset, nothing else is looked at; bits 63:32 of the id are ignored */
    eq.flags = 0xdead;
    eq.qaddr = 3;
    eq.qindex = 99999;
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2) | 0xabcd00000000ull, &eq));
    /* flags must be exactly ALWAYS_NOTIFY */
    eq = (struct kvm_ppc_xive_eq){.flags = 0, .qshift = 16, .qaddr = q_gpa(0, 2), .qtoggle = 1};
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &eq));
    eq.flags = 3;
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &eq));
    eq.flags = KVM_XIVE_EQ_ALWAYS_NOTIFY;
    static const uint32_t bad_shift[] = {12, 15, 17, 21, 24, 31};
    for (size_t i = 0; i < sizeof(bad_shift) / sizeof(bad_shift[0]); i++) {
        eq.qshift = bad_shift[i];
        assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &eq));
    }
    eq.qshift = 16;
    eq.qaddr = q_gpa(0, 2) + 0x1000; /* misaligned */
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &eq));
    eq.qaddr = RAM_GPA + RAM_SIZE; /* no guest RAM there */
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &eq));
    eq.qaddr = RAM_GPA - 0x10000; /* just below */
    assert_err(EINVAL, xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &eq));
    /* GET of an unconfigured queue: 0, buffer untouched (even a bad one) */
    memset(&back, 0xab, sizeof(back));
    struct kvm_ppc_xive_eq ab = back;
    assert_ok(xattr(t.dev, GET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &back));
    assert_memory_equal(&back, &ab, sizeof(back));
    assert_ok(xattr(t.dev, GET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), BAD_PTR));
    assert_err(ENOENT, xattr(t.dev, GET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(99, 7), &back));
    assert_err(EINVAL, xattr(t.dev, GET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 7), &back));
    /* a fresh queue: generation 1, index 0 */
    eq.qaddr = q_gpa(0, 2);
    eq.qtoggle = 1;
    eq.qindex = 0;
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &eq));
    back = xive_eq_get(&t, 0, 2);
    assert_int_equal(back.flags, KVM_XIVE_EQ_ALWAYS_NOTIFY);
    assert_int_equal(back.qshift, 16);
    assert_int_equal(back.qaddr, q_gpa(0, 2));
    assert_int_equal(back.qtoggle, 1);
    assert_int_equal(back.qindex, 0);
    assert_err(EFAULT, xattr(t.dev, GET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), BAD_PTR));
    /* a restored state */
    assert_ok(xive_eq_set(&t, 0, 2, 0, 12345));
    back = xive_eq_get(&t, 0, 2);
    assert_int_equal(back.qtoggle, 0);
    assert_int_equal(back.qindex, 12345);
    /* an index the hardware refuses: EIO, and the queue is cleaned */
    assert_err(EIO, xive_eq_set(&t, 0, 2, 0, EQ_ENTRIES));
    memset(&back, 0xab, sizeof(back));
    assert_ok(xattr(t.dev, GET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &back));
    assert_memory_equal(&back, &ab, sizeof(back));
    /* reset through qshift 0 */
    assert_ok(xive_eq_set(&t, 0, 2, 1, 0));
    eq.qshift = 0;
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &eq));
    assert_ok(xattr(t.dev, GET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(s0, 2), &back));
    assert_memory_equal(&back, &ab, sizeof(back));
    xive_close(&t);
}

/* ------------------------------------------------------------------ RESET and EQ_SYNC */
static void test_reset(void **state)
{
    const char *target = *state;
    struct xvm t;
    xive_open(&t, target, 2, true);
    for (unsigned p = 0; p < 7; p++)
        assert_ok(xive_eq_set(&t, 0, p, 1, 0));
    xive_cppr(&t, 0, 0xff);
    for (uint32_t irq = 0; irq < 4; irq++) {
        assert_ok(xive_source(&t, irq, 0));
        assert_ok(xive_target(&t, irq, t.server[0], irq, 100 + irq, irq == 3));
        xive_esb(&t, irq, true, XIVE_ESB_SET_PQ_00, false);
    }
    xive_esb(&t, 3, true, XIVE_ESB_SET_PQ_10, false);
    xive_trigger(&t, 0);
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_EQ_SYNC, NULL));
    struct reader r;
    rd_init(&r, &t, 0, 0, 0, 0);
    assert_int_equal(rd_next(&r), 100);
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_RESET, NULL));
    /* unmasked sources: PQ 01; the masked one keeps its PQ (KVM skips masked sources) */
    assert_int_equal(xive_pq(&t, 0), 1);
    assert_int_equal(xive_pq(&t, 1), 1);
    assert_int_equal(xive_pq(&t, 2), 1);
    assert_int_equal(xive_pq(&t, 3), 2);
    /* queues are gone: GET leaves the buffer, targeting needs a queue again */
    struct kvm_ppc_xive_eq back, ab;
    memset(&back, 0xab, sizeof(back));
    ab = back;
    assert_ok(xattr(t.dev, GET, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(t.server[0], 1), &back));
    assert_memory_equal(&back, &ab, sizeof(back));
    /* sources stay valid; the thread context is untouched (CPPR still 0xff) */
    assert_int_equal(xive_tima(&t, 0, TM_QW1_OS + TM_CPPR, 1, false, 0), 0xff);
    assert_err(EBUSY, xive_target(&t, 1, t.server[0], 1, 5, false));
    assert_ok(xive_eq_set(&t, 0, 1, 1, 0));
    assert_ok(xive_target(&t, 1, t.server[0], 1, 5, false));
    xive_esb(&t, 1, true, XIVE_ESB_SET_PQ_00, false);
    xive_trigger(&t, 1);
    rd_init(&r, &t, 0, 1, 0, 0);
    assert_int_equal(rd_next(&r), 5);
    xive_close(&t);
}

/* ------------------------------------------------------------------ ESB (ref 2.1, 2.2) */
/* what each ESB access does to PQ: {load?, page mgmt?, offset} -> new PQ, value read and
 * whether an event is forwarded, for each old PQ 00, 01, 10, 11 */
struct esb_row {
    bool store, mgmt;
    uint32_t off;
    unsigned pq[4];
    int64_t val[4]; /* -1: old PQ; -2: not a load */
    bool fwd[4];
};

static void test_esb(void **state)
{
    const char *target = *state;
    struct xvm t;
    xive_open(&t, target, 1, true);
    assert_ok(xive_eq_set(&t, 0, 4, 1, 0));
    xive_cppr(&t, 0, 0xff);
    assert_ok(xive_source(&t, 42, 0));
    assert_ok(xive_target(&t, 42, t.server[0], 4, 0x42, false));
    struct reader r;
    rd_init(&r, &t, 0, 4, 0, 0);
    static const struct esb_row rows[] = {
        /* trigger page: stores trigger anywhere; loads read all ones, no effect */
        {true, false, 0x000, {2, 1, 3, 3}, {-2, -2, -2, -2}, {1, 0, 0, 0}},
        {true, false, 0xc00, {2, 1, 3, 3}, {-2, -2, -2, -2}, {1, 0, 0, 0}},
        {true, false, 0xfff8, {2, 1, 3, 3}, {-2, -2, -2, -2}, {1, 0, 0, 0}},
        {false, false, 0x000, {0, 1, 2, 3}, {-3, -3, -3, -3}, {0, 0, 0, 0}},
        {false, false, 0x800, {0, 1, 2, 3}, {-3, -3, -3, -3}, {0, 0, 0, 0}},
        /* management page loads */
        {false, true, XIVE_ESB_LOAD_EOI, {0, 1, 0, 2}, {0, 0, 0, 1}, {0, 0, 0, 1}},
        {false, true, 0x7f8, {0, 1, 0, 2}, {0, 0, 0, 1}, {0, 0, 0, 1}},
        {false, true, XIVE_ESB_GET, {0, 1, 2, 3}, {-1, -1, -1, -1}, {0, 0, 0, 0}},
        {false, true, 0xbf8, {0, 1, 2, 3}, {-1, -1, -1, -1}, {0, 0, 0, 0}},
        {false, true, XIVE_ESB_SET_PQ_00, {0, 0, 0, 0}, {-1, -1, -1, -1}, {0, 0, 0, 0}},
        {false, true, XIVE_ESB_SET_PQ_01, {1, 1, 1, 1}, {-1, -1, -1, -1}, {0, 0, 0, 0}},
        {false, true, XIVE_ESB_SET_PQ_10, {2, 2, 2, 2}, {-1, -1, -1, -1}, {0, 0, 0, 0}},
        {false, true, XIVE_ESB_SET_PQ_11, {3, 3, 3, 3}, {-1, -1, -1, -1}, {0, 0, 0, 0}},
        {false, true, 0x10000 - 8, {3, 3, 3, 3}, {-1, -1, -1, -1}, {0, 0, 0, 0}}, /* 0xff8 */
        {false, true, 0x1c00, {0, 0, 0, 0}, {-1, -1, -1, -1}, {0, 0, 0, 0}},      /* & 0xfff */
        /* management page stores */
        {true, true, 0x000, {2, 1, 3, 3}, {-2, -2, -2, -2}, {1, 0, 0, 0}},
        {true, true, 0x3f8, {2, 1, 3, 3}, {-2, -2, -2, -2}, {1, 0, 0, 0}},
        {true, true, XIVE_ESB_STORE_EOI, {0, 1, 0, 2}, {-2, -2, -2, -2}, {0, 0, 0, 1}},
        {true, true, 0x800, {0, 1, 2, 3}, {-2, -2, -2, -2}, {0, 0, 0, 0}},
        {true, true, XIVE_ESB_SET_PQ_00, {0, 0, 0, 0}, {-2, -2, -2, -2}, {0, 0, 0, 0}},
        {true, true, XIVE_ESB_SET_PQ_01, {1, 1, 1, 1}, {-2, -2, -2, -2}, {0, 0, 0, 0}},
        {true, true, XIVE_ESB_SET_PQ_10, {2, 2, 2, 2}, {-2, -2, -2, -2}, {0, 0, 0, 0}},
        {true, true, XIVE_ESB_SET_PQ_11 + 0xf8, {3, 3, 3, 3}, {-2, -2, -2, -2}, {0, 0, 0, 0}},
    };
    static const uint32_t set_pq[4] = {XIVE_ESB_SET_PQ_00, XIVE_ESB_SET_PQ_01, XIVE_ESB_SET_PQ_10,
                                       XIVE_ESB_SET_PQ_11};
    unsigned events = 0;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        for (unsigned old = 0; old < 4; old++) {
            xive_esb(&t, 42, true, set_pq[old], false);
            uint64_t v = xive_esb(&t, 42, rows[i].mgmt, rows[i].off, rows[i].store);
            int64_t want = rows[i].val[old];
            if (want == -1)
                assert_int_equal(v, old);
            else if (want == -3)
                assert_int_equal(v, ~0ull);
            else if (want >= 0)
                assert_int_equal(v, (uint64_t)want);
            if (xive_pq(&t, 42) != rows[i].pq[old])
                fail_msg("row %zu (%s %s 0x%x) from PQ %u: PQ %u, expected %u", i,
                         rows[i].store ? "store" : "load", rows[i].mgmt ? "mgmt" : "trig",
                         rows[i].off, old, xive_pq(&t, 42), rows[i].pq[old]);
            int64_t e = rd_next(&r);
            if (rows[i].fwd[old]) {
                assert_int_equal(e, 0x42);
                events++;
            }
            assert_int_equal(rd_next(&r), -1);
        }
    assert_int_equal(events, 8 * 1); /* the forwarding cells of the table */
    /* coalescing while P is set, then the EOI re-sends once */
    xive_esb(&t, 42, true, XIVE_ESB_SET_PQ_00, false);
    for (int i = 0; i < 5; i++)
        xive_trigger(&t, 42);
    assert_int_equal(rd_next(&r), 0x42);
    assert_int_equal(rd_next(&r), -1);
    assert_int_equal(xive_pq(&t, 42), 3);
    assert_int_equal(xive_esb(&t, 42, true, XIVE_ESB_LOAD_EOI, false), 1);
    assert_int_equal(rd_next(&r), 0x42);
    assert_int_equal(xive_esb(&t, 42, true, XIVE_ESB_LOAD_EOI, false), 0);
    assert_int_equal(rd_next(&r), -1);
    assert_int_equal(xive_pq(&t, 42), 0);
    /* request rules */
    struct ioe_xive_esb e = {.page = 2 * 43 + 1, .offset = XIVE_ESB_GET};
    assert_err(ENXIO, ioe_ioctl(t.dev, IOE_XIVE_ESB, &e)); /* not initialised */
    e.page = 2ull * 0x100000;
    assert_err(EINVAL, ioe_ioctl(t.dev, IOE_XIVE_ESB, &e));
    e.page = 2 * 42 + 1;
    e.offset = 0x10000;
    assert_err(EINVAL, ioe_ioctl(t.dev, IOE_XIVE_ESB, &e));
    assert_err(EFAULT, ioe_ioctl(t.dev, IOE_XIVE_ESB, BAD_PTR));
    xive_close(&t);
}

/* ------------------------------------------------------------------ the guest's EQ reader */
#define RNG_SEED 0x9e3779b97f4a7c15ull /* the default seed (--seed, IOE_TEST_SEED) */
static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* Events on many sources at every priority on several vCPUs, consumed like Linux: ack,
 * drain the queues of the acknowledged priority, EOI with SET_PQ_00 (re-trigger when Q was
 * set), CPPR back to 0xff. Each event seen exactly once and in order per queue; the queues
 * wrap around several times (they start near their end, restored through EQ_CONFIG). */
static void test_eq_consumer(void **state)
{
    const char *target = *state;
    struct xvm t;
    enum { NC = 3, NSRC = 96 };
    xive_open(&t, target, NC, true);
    bool soft = !strcmp(target, "soft");
    unsigned total = soft ? 60000 : 24000;
    uint64_t seed = tt_seed(RNG_SEED);
    rng = seed ? seed : 1; /* xorshift: never 0 */
    printf("seed 0x%llx, %u events\n", (unsigned long long)seed, total);
    struct reader r[NC][7];
    for (int c = 0; c < NC; c++)
        for (unsigned p = 0; p < 7; p++) {
            /* start at index E - 100 - 7c - p, generation 1: the reader's toggle is 0 and
             * the entries it has not seen carry generation 0 */
            uint32_t idx = EQ_ENTRIES - 100 - 7 * (uint32_t)c - p;
            q_prefill(&t, c, p, idx, 1);
            assert_ok(xive_eq_set(&t, c, p, 1, idx));
            rd_init(&r[c][p], &t, c, p, idx, 0);
            struct kvm_ppc_xive_eq g = xive_eq_get(&t, c, p);
            assert_int_equal(g.qindex, idx);
            assert_int_equal(g.qtoggle, 1);
        }
    for (int c = 0; c < NC; c++)
        xive_cppr(&t, c, 0xff);
    uint32_t eisn_of[NSRC];
    int cpu_of[NSRC];
    unsigned prio_of[NSRC];
    for (uint32_t s = 0; s < NSRC; s++) {
        cpu_of[s] = (int)(s % NC);
        prio_of[s] = (s / NC) % 7;
        eisn_of[s] = 0x1000 + s * 7;
        assert_ok(xive_source(&t, s, 0));
        assert_ok(xive_target(&t, s, t.server[cpu_of[s]], prio_of[s], eisn_of[s], false));
        xive_esb(&t, s, true, XIVE_ESB_SET_PQ_00, false);
    }
    /* what the guest must see, per queue, in order; P and Q of each source */
    static uint32_t expect[NC][7][1024];
    unsigned head[NC][7] = {{0}}, tail[NC][7] = {{0}};
    bool pp[NSRC] = {0}, qq[NSRC] = {0};
    unsigned seen = 0, wraps = 0, triggered = 0;
    while (seen < total) {
        unsigned burst = 1 + rnd() % 40;
        for (unsigned k = 0; k < burst; k++) {
            uint32_t s = rnd() % NSRC;
            xive_trigger(&t, s);
            triggered++;
            if (pp[s]) {
                qq[s] = true; /* coalesced */
            } else {
                pp[s] = true;
                int c = cpu_of[s];
                unsigned p = prio_of[s];
                expect[c][p][tail[c][p]++ % 1024] = eisn_of[s];
            }
        }
        for (int c = 0; c < NC; c++) {
            bool any = false;
            for (unsigned p = 0; p < 7; p++)
                any |= head[c][p] != tail[c][p];
            assert_int_equal(xive_readable(&t, c), any);
            for (;;) {
                uint64_t ack = xive_tima(&t, c, TM_SPC_ACK_OS_REG, 2, false, 0);
                if (!(ack >> 8 & TM_QW1_NSR_EO))
                    break;
                unsigned p = ack & 0xff; /* the acknowledged priority */
                assert_true(p < 7);
                int64_t e;
                while ((e = rd_next(&r[c][p])) >= 0) {
                    if (head[c][p] == tail[c][p])
                        fail_msg("vcpu %d prio %u: unexpected event 0x%llx", c, p, (long long)e);
                    uint32_t want = expect[c][p][head[c][p]++ % 1024];
                    if ((uint32_t)e != want)
                        fail_msg("vcpu %d prio %u: event 0x%llx, expected 0x%x", c, p, (long long)e,
                                 want);
                    seen++;
                    if (r[c][p].idx == 0)
                        wraps++;
                    uint32_t s = ((uint32_t)e - 0x1000) / 7;
                    uint64_t old = xive_esb(&t, s, true, XIVE_ESB_SET_PQ_00, false);
                    assert_int_equal(old, qq[s] ? 3 : 2);
                    pp[s] = qq[s] = false;
                    if (old & XIVE_ESB_VAL_Q) { /* the EOI re-triggers in software */
                        xive_trigger(&t, s);
                        pp[s] = true;
                        expect[c][p][tail[c][p]++ % 1024] = eisn_of[s];
                    }
                }
                xive_cppr(&t, c, 0xff);
            }
            for (unsigned p = 0; p < 7; p++)
                assert_int_equal(head[c][p], tail[c][p]);
            assert_false(xive_readable(&t, c));
        }
    }
    printf("%s: %u triggers, %u events, %u queue wraps\n", target, triggered, seen, wraps);
    assert_true(wraps >= NC * 7); /* every queue wrapped */
    /* the writer's state agrees with the reader's */
    for (int c = 0; c < NC; c++)
        for (unsigned p = 0; p < 7; p++) {
            struct kvm_ppc_xive_eq g = xive_eq_get(&t, c, p);
            assert_int_equal(g.qindex, r[c][p].idx);
            assert_int_equal(g.qtoggle, !r[c][p].toggle);
        }
    xive_close(&t);
}

/* ------------------------------------------------------------------ queue full (docs/xive.md) */
static void test_queue_full(void **state)
{
    const char *target = *state;
    struct xvm t;
    enum { NSRC = 1000 };
    xive_open(&t, target, 1, true);
    assert_ok(xive_eq_set(&t, 0, 6, 1, 0));
    for (uint32_t s = 0; s < NSRC; s++) {
        assert_ok(xive_source(&t, s, 0));
        assert_ok(xive_target(&t, s, t.server[0], 6, 0x100 + s, false));
        xive_esb(&t, s, true, XIVE_ESB_SET_PQ_00, false);
    }
    /* entries + 3 events that nobody reads (each source EOIed at once, so it fires again) */
    for (uint32_t k = 0; k < EQ_ENTRIES + 3; k++) {
        xive_trigger(&t, k % NSRC);
        xive_esb(&t, k % NSRC, true, XIVE_ESB_SET_PQ_00, false);
    }
    assert_ok(xattr(t.dev, SET, KVM_DEV_XIVE_GRP_SOURCE_SYNC, 0, NULL));
    /* the writer went round and overwrote entries 0..2 with the next generation */
    struct kvm_ppc_xive_eq g = xive_eq_get(&t, 0, 6);
    assert_int_equal(g.qindex, 3);
    assert_int_equal(g.qtoggle, 0);
    const uint8_t *q = t.ram + (q_gpa(0, 6) - RAM_GPA);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(eq_word(q, i), 0x100 + (EQ_ENTRIES + i) % NSRC);
    assert_int_equal(eq_word(q, 3), 1u << 31 | (0x100 + 3));
    assert_int_equal(eq_word(q, EQ_ENTRIES - 1), 1u << 31 | (0x100 + (EQ_ENTRIES - 1) % NSRC));
    /* a reader that starts now sees an empty queue: what it did not consume is lost */
    struct reader r;
    rd_init(&r, &t, 0, 6, 0, 0);
    assert_int_equal(rd_next(&r), -1);
    xive_close(&t);
}

/* KVM's reservation: at most entries - 2 sources per queue, then the other vCPUs of the
 * same priority, then EBUSY. KVM never returns a reservation, so re-targeting one source
 * with a new EISN uses one each time. */
static void test_reservation(void **state)
{
    const char *target = *state;
    struct xvm t;
    xive_open(&t, target, 2, true);
    assert_ok(xive_eq_set(&t, 0, 1, 1, 0));
    assert_ok(xive_eq_set(&t, 1, 1, 1, 0));
    xive_cppr(&t, 1, 0xff);
    assert_ok(xive_source(&t, 7, 0));
    uint32_t k;
    for (k = 0; k < EQ_ENTRIES - 2; k++)
        assert_ok(xive_target(&t, 7, t.server[0], 1, k, false));
    /* vCPU 0's queue is full of reservations: the source lands on vCPU 1 */
    assert_ok(xive_target(&t, 7, t.server[0], 1, 0xabc, false));
    xive_esb(&t, 7, true, XIVE_ESB_SET_PQ_00, false);
    xive_trigger(&t, 7);
    struct reader r;
    rd_init(&r, &t, 1, 1, 0, 0);
    assert_int_equal(rd_next(&r), 0xabc);
    assert_true(xive_readable(&t, 1));
    for (k = 1; k < EQ_ENTRIES - 2; k++)
        assert_ok(xive_target(&t, 7, t.server[0], 1, k, false));
    assert_err(EBUSY, xive_target(&t, 7, t.server[0], 1, 0xdef, false));
    assert_ok(xive_target(&t, 7, t.server[0], 1, 0xdef, true)); /* masking needs none */
    xive_close(&t);
}

/* ------------------------------------------------------------------ KVM_IRQ_LINE */
static int irq_line(struct xvm *t, uint32_t irq, uint32_t level)
{
    struct kvm_irq_level l = {.irq = irq, .level = level};
    return ioe_ioctl(t->vm, KVM_IRQ_LINE, &l);
}

static void test_irq_line(void **state)
{
    const char *target = *state;
    struct xvm t;
    xive_open(&t, target, 1, true);
    assert_ok(xive_eq_set(&t, 0, 5, 1, 0));
    xive_cppr(&t, 0, 0xff);
    struct reader r;
    rd_init(&r, &t, 0, 5, 0, 0);
    /* no such source: 0, as powerpc's kvm_vm_ioctl_irq_line (the error is the status) */
    assert_ok(irq_line(&t, 3, 1));
    assert_ok(irq_line(&t, 0x100000, 1));
    assert_int_equal(rd_next(&r), -1);
    struct kvm_irq_level st = {.irq = 3, .level = 1};
    assert_ok(ioe_ioctl(t.vm, KVM_IRQ_LINE_STATUS, &st));
    assert_int_equal(st.status, -EINVAL); /* kvmppc_xive_set_irq's */
    /* an LSI, asserted at creation */
    assert_ok(xive_source(&t, 3, KVM_XIVE_LEVEL_SENSITIVE | KVM_XIVE_LEVEL_ASSERTED));
    assert_ok(xive_target(&t, 3, t.server[0], 5, 0x33, false));
    assert_int_equal(xive_pq(&t, 3), 1);
    xive_esb(&t, 3, true, XIVE_ESB_SET_PQ_00, false); /* SET_PQ never forwards */
    assert_int_equal(rd_next(&r), -1);
    st = (struct kvm_irq_level){.irq = 3, .level = 1};
    assert_ok(ioe_ioctl(t.vm, KVM_IRQ_LINE_STATUS, &st)); /* as KVM_IRQ_LINE, status 0 */
    assert_int_equal(st.status, 0);
    assert_int_equal(rd_next(&r), 0x33);
    assert_int_equal(xive_pq(&t, 3), 2);
    assert_ok(irq_line(&t, 3, 1)); /* no Q for LSIs */
    assert_int_equal(xive_pq(&t, 3), 2);
    assert_int_equal(rd_next(&r), -1);
    /* EOI while still asserted: a new event */
    assert_int_equal(xive_esb(&t, 3, true, XIVE_ESB_LOAD_EOI, false), 0);
    assert_int_equal(rd_next(&r), 0x33);
    assert_int_equal(xive_pq(&t, 3), 2);
    /* lowered: the EOI completes */
    assert_ok(irq_line(&t, 3, 0));
    assert_int_equal(xive_pq(&t, 3), 2);
    xive_esb(&t, 3, true, XIVE_ESB_LOAD_EOI, false);
    assert_int_equal(xive_pq(&t, 3), 0);
    assert_int_equal(rd_next(&r), -1);
    /* GRP_SOURCE without the LSI bits does not make it an MSI again (KVM's quirk); it
     * masks the source again, so it is targeted again */
    assert_ok(xive_source(&t, 3, 0));
    assert_ok(xive_target(&t, 3, t.server[0], 5, 0x33, false));
    xive_esb(&t, 3, true, XIVE_ESB_SET_PQ_00, false);
    assert_ok(irq_line(&t, 3, 1));
    assert_ok(irq_line(&t, 3, 1));
    assert_int_equal(xive_pq(&t, 3), 2); /* an MSI would be at 11 */
    assert_int_equal(rd_next(&r), 0x33);
    assert_ok(irq_line(&t, 3, 0));
    /* an MSI source: level 1 is a trigger, 0 nothing */
    assert_ok(xive_source(&t, 4, 0));
    assert_ok(xive_target(&t, 4, t.server[0], 5, 0x44, false));
    xive_esb(&t, 4, true, XIVE_ESB_SET_PQ_00, false);
    assert_ok(irq_line(&t, 4, 0));
    assert_int_equal(xive_pq(&t, 4), 0);
    assert_ok(irq_line(&t, 4, 1));
    assert_int_equal(rd_next(&r), 0x44);
    assert_ok(irq_line(&t, 4, 1));
    assert_int_equal(xive_pq(&t, 4), 3);
    assert_int_equal(rd_next(&r), -1);
    assert_true(xive_readable(&t, 0));
    xive_close(&t);
}

/* One queue through several laps: the index wraps and the generation flips each time, the
 * reader follows without losing or repeating an event. */
static void test_eq_laps(void **state)
{
    const char *target = *state;
    struct xvm t;
    enum { NSRC = 16 };
    xive_open(&t, target, 1, true);
    unsigned laps = strcmp(target, "soft") ? 2 : 5;
    assert_ok(xive_eq_set(&t, 0, 0, 1, 0));
    for (uint32_t s = 0; s < NSRC; s++) {
        assert_ok(xive_source(&t, s, 0));
        assert_ok(xive_target(&t, s, t.server[0], 0, 0x500 + s, false));
        xive_esb(&t, s, true, XIVE_ESB_SET_PQ_00, false);
    }
    struct reader r;
    rd_init(&r, &t, 0, 0, 0, 0);
    unsigned flips = 0;
    for (uint32_t k = 0; k < laps * EQ_ENTRIES + 7; k += NSRC) {
        for (uint32_t s = 0; s < NSRC; s++)
            xive_trigger(&t, s);
        for (uint32_t s = 0; s < NSRC; s++) {
            uint32_t tog = r.toggle;
            assert_int_equal(rd_next(&r), 0x500 + s);
            flips += r.toggle != tog;
            assert_int_equal(xive_esb(&t, s, true, XIVE_ESB_SET_PQ_00, false), 2);
        }
        assert_int_equal(rd_next(&r), -1);
    }
    assert_int_equal(flips, laps);
    struct kvm_ppc_xive_eq g = xive_eq_get(&t, 0, 0);
    assert_int_equal(g.qindex, r.idx);
    assert_int_equal(g.qtoggle, !r.toggle);
    xive_close(&t);
}

int main(int argc, char **argv)
{
    tt_init(argc, argv);
    tt_seed(RNG_SEED);
    const struct CMUnitTest tests[] = {
        TT_TARGET_TEST(test_create),      TT_TARGET_TEST(test_has_attr),
        TT_TARGET_TEST(test_ctrl),        TT_TARGET_TEST(test_connect),
        TT_TARGET_TEST(test_sources),     TT_TARGET_TEST(test_eq_config),
        TT_TARGET_TEST(test_reservation), TT_TARGET_TEST(test_vp_state),
        TT_TARGET_TEST(test_reset),       TT_TARGET_TEST(test_esb),
        TT_TARGET_TEST(test_irq_line),    TT_TARGET_TEST(test_queue_full),
        TT_TARGET_TEST(test_eq_laps),     TT_TARGET_TEST(test_eq_consumer),
    };
    return tt_run_tests("xive_api", tests, NULL, NULL);
}
